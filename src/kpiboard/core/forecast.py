"""Year-end forecasts: where an indicator is heading by the end of the financial year.

A committee reading "current AMBER" in September wants to know whether the year-end target is
still within reach, so the report prints "forecast year-end GREEN" beside it. Two methods:

- **run rate**, for year-to-date counts: the count so far scaled up to twelve months;
- **linear**, for everything else: a straight line fitted (ordinary least squares) through the
  year's figures so far and read off at the year's last day.

Time is measured in months from the start of the financial year to each period's end (1 for
April, 3 for Q1, 12 for the year end; a day part-way through a month is a fraction), so a figure
that rises a point a month lies exactly on a line. Only the as-at year's own figures are used:
last year's pattern says little about this year's target.

Every forecast carries an 80% range, because a single projected number reads as more certain than
it is. The t-distribution quantile comes from a small table (:func:`t_quantile_80`), keeping the
core free of scipy. When the range cannot be measured (two points for a line, one for a run rate)
the bounds are NaN and ``note`` says why.
"""

from __future__ import annotations

import calendar as _calendar
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from .periods import FinancialCalendar, Period, PeriodKind
from .rating import DEFAULT_RULE, Polarity, Rating, RuleVersion, rate


class ForecastMethod(StrEnum):
    AUTO = "auto"  # run rate for cumulative series, linear otherwise
    RUN_RATE = "run_rate"
    LINEAR = "linear"
    ACTUAL = "actual"  # the year is complete: the outturn, not a forecast


#: The methods a pack may ask for (``actual`` is a result, never a choice).
CHOSEN_METHODS = (ForecastMethod.AUTO, ForecastMethod.RUN_RATE, ForecastMethod.LINEAR)


#: Two-sided 80% points of Student's t (the 0.90 quantile) for 1-30 degrees of freedom.
T80_TABLE = (
    3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
    1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
    1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310,
)  # fmt: skip
#: Beyond 30 degrees of freedom (daily figures only: a year has at most 11 earlier months) the
#: normal quantile is used; it is 2% below t at 31 and closer after.
Z80 = 1.2816


def t_quantile_80(df: int) -> float:
    """The multiplier for an 80% range from ``df`` degrees of freedom (table, then normal)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, not {df}")
    return T80_TABLE[df - 1] if df <= len(T80_TABLE) else Z80


_KIND_WORDS = {
    PeriodKind.MONTH: ("month", "months"),
    PeriodKind.QUARTER: ("quarter", "quarters"),
    PeriodKind.DAY: ("day", "days"),
    PeriodKind.YEAR: ("year", "years"),
}


def _count(n: int, kind: PeriodKind) -> str:
    one, many = _KIND_WORDS[kind]
    return f"{n} {one if n == 1 else many}"


def months_elapsed(day: date, year_start: date) -> float:
    """Months from ``year_start`` to the end of ``day``: 1.0 at the first month's last day."""
    whole = (day.year * 12 + day.month) - (year_start.year * 12 + year_start.month)
    return whole + day.day / _calendar.monthrange(day.year, day.month)[1]


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


@dataclass(frozen=True)
class Forecast:
    value: float
    lower: float  # 80% range; NaN when it cannot be measured
    upper: float
    method: ForecastMethod
    points_used: int
    year: int  # financial year (start year)
    year_end: Period  # the financial year as a period
    through: Period  # the last figure used
    target: float | None  # year-end target
    rating: Rating  # of the forecast against the year-end target; NO_TARGET without one
    note: str  # how the forecast was made and how sure it is, in plain English

    @property
    def has_range(self) -> bool:
        return not (math.isnan(self.lower) or math.isnan(self.upper))

    @property
    def is_actual(self) -> bool:
        return self.method is ForecastMethod.ACTUAL

    def describe(self, unit_format: Callable[[float], str] = str) -> str:
        """E.g. ``Forecast year-end 71% (range 66%–74%) against a target of 80%: RED``."""
        if self.is_actual:
            text = f"Year-end outturn {unit_format(self.value)}"
        else:
            text = f"Forecast year-end {unit_format(self.value)}"
            low, high = unit_format(self.lower), unit_format(self.upper)
            if self.has_range and low != high:  # a range printing as one value says nothing
                text += f" (range {low}–{high})"
        if self.target is None:
            return text + "; no year-end target"
        return text + f" against a target of {unit_format(self.target)}: {self.rating.name}"


def _year_points(
    periods: Sequence[Period],
    values: Sequence[float | None] | np.ndarray,
    as_at: Period,
    year_end: Period,
) -> list[tuple[Period, float]]:
    """The as-at year's figures up to ``as_at``, of the same kind as the latest one, in order."""
    if len(periods) != len(values):
        raise ValueError(f"{len(periods)} periods but {len(values)} values")
    cutoff = min(as_at.end, year_end.end)
    points = sorted(
        (
            (p, float(v))
            for p, v in zip(periods, values, strict=True)
            if not _missing(v) and year_end.start <= p.end <= cutoff
        ),
        key=lambda pv: pv[0].sort_key,
    )
    if not points:
        return []
    kind = points[-1][0].kind
    points = [pv for pv in points if pv[0].kind is kind]
    ends = [p.end for p, _ in points]
    if len(set(ends)) != len(ends):
        raise ValueError("two figures for the same period: cannot forecast")
    return points


def forecast_year_end(
    periods: Sequence[Period],
    values: Sequence[float | None] | np.ndarray,
    *,
    calendar: FinancialCalendar,
    as_at: Period,
    method: ForecastMethod | str = ForecastMethod.AUTO,
    cumulative: bool = False,
    year_end_target: float | None,
    polarity: Polarity,
    rule: RuleVersion = DEFAULT_RULE,
) -> Forecast | None:
    """Project the financial year containing ``as_at`` to its last day and rate the projection.

    Uses the figures of that year up to ``as_at`` (of one period kind: the latest figure's).
    ``method`` is ``run_rate`` (year-to-date counts only: ``cumulative=True``), ``linear``, or
    ``auto`` (run rate when cumulative, else linear). Returns None when there are too few figures
    (one for a run rate, two for a line). When the year's last period already has a figure the
    outturn is known: the result is that figure with method ``actual`` and no range, so a report
    can say "year-end outturn" in the same place without a special case.
    """
    chosen = ForecastMethod(method)
    if chosen is ForecastMethod.ACTUAL:
        raise ValueError("method 'actual' is a result, not a choice: use auto, run_rate or linear")
    if chosen is ForecastMethod.AUTO:
        chosen = ForecastMethod.RUN_RATE if cumulative else ForecastMethod.LINEAR
    if chosen is ForecastMethod.RUN_RATE and not cumulative:
        raise ValueError("a run rate needs a cumulative (year-to-date) series: cumulative=True")
    year = calendar.year_of(as_at.end)
    year_end = calendar.year(year)
    points = _year_points(periods, values, as_at, year_end)
    if not points:
        return None
    target = (
        None if year_end_target is None or math.isnan(year_end_target) else float(year_end_target)
    )
    last, last_value = points[-1]

    def result(
        value: float, lower: float, upper: float, how: ForecastMethod, n: int, note: str
    ) -> Forecast:
        return Forecast(
            value=value,
            lower=lower,
            upper=upper,
            method=how,
            points_used=n,
            year=year,
            year_end=year_end,
            through=last,
            target=target,
            rating=rate(value, target, polarity, rule),
            note=note,
        )

    if last.end == year_end.end:
        note = f"{year_end.label} is complete: the {last.display} figure is the outturn."
        return result(last_value, last_value, last_value, ForecastMethod.ACTUAL, 1, note)
    x = np.array([months_elapsed(p.end, year_end.start) for p, _ in points])
    y = np.array([v for _, v in points])
    if chosen is ForecastMethod.RUN_RATE:
        m = float(x[-1])
        months = f"{m:g} month{'' if m == 1 else 's'}" if m.is_integer() else f"{m:.1f} months"
        how = (
            f"Run rate: the {year_end.label} count to {last.display} ({months}) "
            f"scaled up to 12 months"
        )
        value, half, note = _run_rate(x, y, last.kind, how)
    else:
        if len(points) < 2:
            return None
        span = f"{_count(len(points), last.kind)} of {year_end.label} (to {last.display})"
        value, half, note = _linear(x, y, f"Linear trend over {span}")
    return result(value, value - half, value + half, chosen, len(points), note)


def _run_rate(x: np.ndarray, y: np.ndarray, kind: PeriodKind, how: str) -> tuple[float, float, str]:
    """Projection, half-width of the 80% range (NaN if unmeasurable) and the note.

    The count so far, ``y[-1]`` over ``m`` months, scaled to 12 months. Each figure adds an
    increment over ``g`` months; if months add independent amounts with spread ``s``, an
    increment varies by ``s * sqrt(g)``, which estimates ``s`` from unequal gaps. The rest of the
    year (``r`` months) then varies by ``s * sqrt(r)`` around the average rate, and that rate is
    itself only known to ``s / sqrt(m)`` per month, adding ``s * r / sqrt(m)``: together
    ``s * sqrt(r + r**2 / m)``.
    """
    m = float(x[-1])
    value = float(y[-1]) * 12.0 / m
    remaining = 12.0 - m
    which = {PeriodKind.MONTH: "monthly", PeriodKind.QUARTER: "quarterly"}.get(kind, "")
    additions = f"{which} additions".strip()
    n = len(y)
    if n < 2:
        return (
            value,
            math.nan,
            f"{how}; one figure cannot show how much the {additions} vary, so there is no range.",
        )
    increments = np.diff(y, prepend=0.0)
    gaps = np.diff(x, prepend=0.0)
    rate_per_month = float(y[-1]) / m
    spread2 = float(np.sum((increments - gaps * rate_per_month) ** 2 / gaps)) / (n - 1)
    half = t_quantile_80(n - 1) * math.sqrt(spread2 * (remaining + remaining**2 / m))
    return value, half, f"{how}; the 80% range allows for how much the {additions} vary."


def _linear(x: np.ndarray, y: np.ndarray, how: str) -> tuple[float, float, str]:
    """OLS projection to month 12, half-width of the 80% prediction interval, and the note.

    The interval is the standard one for a new observation: ``t * s * sqrt(1 + 1/n + (12 -
    mean(x))**2 / Sxx)`` with ``s`` the residual standard error on ``n - 2`` degrees of freedom.
    """
    n = len(y)
    x_mean, y_mean = float(x.mean()), float(y.mean())
    sxx = float(np.sum((x - x_mean) ** 2))
    slope = float(np.sum((x - x_mean) * (y - y_mean))) / sxx
    intercept = y_mean - slope * x_mean
    value = intercept + slope * 12.0
    if n == 2:
        return (
            value,
            math.nan,
            f"{how}; two figures always fit a straight line, so there is no range.",
        )
    residuals = y - (intercept + slope * x)
    s = math.sqrt(float(np.sum(residuals**2)) / (n - 2))
    if s <= 1e-12 * max(1.0, float(np.max(np.abs(y)))):
        return (
            value,
            0.0,
            f"{how}; the figures lie exactly on a line, so the range is a single value.",
        )
    half = t_quantile_80(n - 2) * s * math.sqrt(1 + 1 / n + (12.0 - x_mean) ** 2 / sxx)
    return (
        value,
        half,
        f"{how}; the 80% range allows for how far the figures scatter about the line.",
    )


_TARGET_PREFERENCE = {
    PeriodKind.YEAR: 0,
    PeriodKind.QUARTER: 1,
    PeriodKind.MONTH: 2,
    PeriodKind.DAY: 3,
}


def year_end_target_for(
    indicator_targets: Mapping[Period, float | None],
    year_end_targets: Mapping[int, float | None],
    year: int,
    calendar: FinancialCalendar,
) -> float | None:
    """The target a year-end forecast is rated against, or None.

    An explicit year-end target for ``year`` wins. Otherwise the target of a period ending on the
    financial year's last day: the year itself, else its Q4, else its last month (else that day).
    """
    explicit = year_end_targets.get(year)
    if explicit is not None and not math.isnan(explicit):
        return float(explicit)
    last_day = calendar.year(year).end
    candidates = [
        (_TARGET_PREFERENCE[p.kind], float(v))
        for p, v in indicator_targets.items()
        if p.end == last_day and v is not None and not math.isnan(v)
    ]
    return min(candidates)[1] if candidates else None
