"""Evaluate indicators: a rating and a direction of travel for every period.

:func:`evaluate_indicator` rates one indicator's periods in one call of the array rules
(:func:`~.rating.rate_array`, :func:`~.direction.direction_array`), the only implementation of
each; :func:`evaluate_batch` applies the same rules to a grid of many indicators at once.
``tests/core/test_evaluate_batch.py`` holds the two equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .direction import Basis, Direction, direction_array
from .indicators import Indicator, IndicatorData, Override
from .outturn import Outturn, outturn
from .periods import UK, FinancialCalendar, Period
from .rating import (
    Rating,
    RuleArrays,
    RuleVersion,
    rate_array,
    resolve_rule_arrays,
    rule_for_year,
)
from .significance import Comparison, compare_array


def _value(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


@dataclass(frozen=True)
class PeriodResult:
    period: Period
    actual: float | None
    target: float | None
    floor: float | None
    computed: Rating  # what the rule gives
    override: Override | None
    direction: Direction
    rule: RuleVersion
    #: The confidence interval against the benchmark; NOT_COMPARED without a benchmark.
    comparison: Comparison = Comparison.NOT_COMPARED
    compared_with: Period | None = None  # what the direction compares with (None: nothing)

    @property
    def rating(self) -> Rating:
        return self.override.rating if self.override else self.computed

    @property
    def overridden(self) -> bool:
        return self.override is not None


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    data: IndicatorData
    periods: tuple[PeriodResult, ...]
    as_at: Period | None
    calendar: FinancialCalendar

    def _reported(self):
        for result in reversed(self.periods):
            if self.as_at is not None and result.period.end > self.as_at.end:
                continue
            if result.actual is not None:
                yield result

    @property
    def latest(self) -> PeriodResult | None:
        """The most recent period with a figure, not after the as-at period."""
        return next(self._reported(), None)

    @property
    def reported(self) -> list[PeriodResult]:
        """Every period with a figure, not after the as-at period, latest first."""
        return list(self._reported())

    @property
    def previous(self) -> PeriodResult | None:
        """The period with a figure before :attr:`latest`."""
        latest = self.latest
        if latest is None:
            return None
        i = self.periods.index(latest)
        return next((r for r in reversed(self.periods[:i]) if r.actual is not None), None)

    def at(self, period: Period) -> PeriodResult | None:
        return next((r for r in self.periods if r.period == period), None)

    def outturn(self, year: int) -> Outturn | None:
        """The figure for financial year ``year`` as a whole, made by the indicator's aggregation
        (the year's own figure, the sum of its months, a ratio of sums, or its last figure)."""
        return outturn(self.indicator, self.data, year, self.calendar)

    def series_value(self, name: str, period: Period) -> float | None:
        i = self.data.index_of(period)
        return None if i is None else _value(self.data.get(name)[i])


def _comparison_index(
    data: IndicatorData, i: int, basis: Basis, cal: FinancialCalendar
) -> int | None:
    if basis is Basis.PREVIOUS:
        return i - 1 if i > 0 else None
    return data.index_of(data.periods[i].shifted_year(cal, -1))


def comparisons(indicator: Indicator, data: IndicatorData) -> list[Comparison]:
    """Each period's interval against the indicator's benchmark (all NOT_COMPARED without one)."""
    if indicator.benchmark is None:
        return [Comparison.NOT_COMPARED] * len(data.periods)
    codes = compare_array(
        data.get("ci_lower"),
        data.get("ci_upper"),
        data.get(indicator.benchmark.series),
        indicator.polarity,
    )
    return [Comparison.from_code(c) for c in codes.tolist()]


def _directions(
    indicator: Indicator, actual: np.ndarray, target: np.ndarray, compared_at: list[int | None]
) -> list[Direction]:
    """Each period's direction against the period ``compared_at`` names (None: not comparable)."""
    at = np.array([-1 if j is None else j for j in compared_at], dtype=np.intp)
    missing = at < 0
    previous = np.where(missing, np.nan, actual[at]) if len(at) else actual
    target_previous = np.where(missing, np.nan, target[at]) if len(at) else target
    codes = direction_array(actual, previous, indicator.polarity.code, target, target_previous)
    return [Direction.from_code(c) for c in codes.tolist()]


def evaluate_indicator(
    indicator: Indicator,
    data: IndicatorData,
    *,
    calendar: FinancialCalendar = UK,
    as_at: Period | None = None,
) -> IndicatorResult:
    """Every period's rating and direction. An indicator rated by its benchmark comparison
    (``benchmark.rate``) takes its computed rating from the comparison instead of the target;
    a period without a figure, interval or benchmark value is then No data. Overrides still win.
    """
    actual, target, floor = data.get("actual"), data.get("target"), data.get("floor")
    overrides = {o.period: o for o in indicator.overrides}
    compared = comparisons(indicator, data)
    rules = [rule_for_year(indicator.rules, calendar.year_of(p.start)) for p in data.periods]
    if indicator.rated_by_benchmark:
        computed = [
            Rating.NO_DATA if math.isnan(a) else c.rating
            for a, c in zip(actual.tolist(), compared, strict=True)
        ]
    else:
        codes = rate_array(
            actual,
            target,
            indicator.polarity.code,
            resolve_rule_arrays(target, rules, floor),
            np.array([indicator.rated]),
        )
        computed = [Rating(c) for c in codes.tolist()]
    basis = indicator.direction_basis
    compared_at = [_comparison_index(data, i, basis, calendar) for i in range(len(data.periods))]
    travel = _directions(indicator, actual, target, compared_at)
    results = []
    for i, period in enumerate(data.periods):
        j = compared_at[i]
        results.append(
            PeriodResult(
                period=period,
                actual=_value(actual[i]),
                target=_value(target[i]),
                floor=_value(floor[i]),
                computed=computed[i],
                override=overrides.get(period),
                direction=travel[i],
                rule=rules[i],
                comparison=compared[i],
                compared_with=None if j is None else data.periods[j],
            )
        )
    return IndicatorResult(indicator, data, tuple(results), as_at, calendar)


@dataclass(frozen=True)
class BatchResult:
    ratings: np.ndarray  # (n, p) int8 Rating codes
    directions: np.ndarray  # (n, p) int8 Direction codes


def evaluate_batch(
    actual: np.ndarray,
    target: np.ndarray,
    polarity: np.ndarray,
    rules: RuleArrays,
    rated: np.ndarray | None = None,
) -> BatchResult:
    """Ratings and directions (against the previous column) for ``n`` indicators x ``p`` periods.

    The directions are those of ``direction_basis: previous``; a year-to-date indicator's default
    (the same period a year earlier) is :func:`evaluate_indicator`'s.

    ``polarity`` and ``rated`` have shape (n,); everything in ``rules`` has shape (n, p).
    """
    actual = np.asarray(actual, float)
    target = np.asarray(target, float)
    pol = np.asarray(polarity)[:, None]
    ratings = rate_array(actual, target, pol, rules, None if rated is None else rated[:, None])
    previous = np.full_like(actual, np.nan)
    previous[:, 1:] = actual[:, :-1]
    target_previous = np.full_like(target, np.nan)
    target_previous[:, 1:] = target[:, :-1]
    directions = direction_array(actual, previous, pol, target, target_previous)
    return BatchResult(ratings, directions)
