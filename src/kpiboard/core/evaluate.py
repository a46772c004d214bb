"""Evaluate indicators: a rating and a direction of travel for every period.

:func:`evaluate_indicator` rates one indicator's periods in one call of the array rules
(:func:`~.rating.rate_array`, :func:`~.direction.direction_array`), the only implementation of
each; :func:`evaluate_batch` applies the same rules to a grid of many indicators at once.
``tests/core/test_evaluate_batch.py`` holds the two equal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .direction import Direction, direction_array
from .indicators import Indicator, IndicatorData, Override
from .outturn import Outturn, outturn
from .periods import UK, FinancialCalendar, Period
from .rating import (
    Rating,
    RuleArrays,
    RuleVersion,
    rate_array,
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
    periods: Sequence[PeriodResult]  # a tuple, or rows made on first read (core.lazy)
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


def evaluate_indicator(
    indicator: Indicator,
    data: IndicatorData,
    *,
    calendar: FinancialCalendar = UK,
    as_at: Period | None = None,
) -> IndicatorResult:
    """Every period's rating and direction: :func:`.engine.evaluate_many` of one indicator.

    An indicator rated by its benchmark comparison (``benchmark.rate``) takes its computed rating
    from the comparison instead of the target; a period without a figure, interval or benchmark
    value is then No data. Overrides still win.
    """
    from .engine import evaluate_many

    results, _ = evaluate_many(
        {indicator.id: indicator}, {indicator.id: data}, calendar=calendar, as_at=as_at
    )
    return results[indicator.id]


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
