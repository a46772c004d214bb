"""Annual targets profiled to the year's months and quarters.

A target is often agreed once a year ("85% this year", "no more than 1,200 admissions") and the
monthly targets follow from it. How they follow depends on what one figure is, which the
indicator's aggregation already says:

==============  =====================================  ==========================================
profile         ``aggregation: sum`` (counts that      ``aggregation: last`` (a level, or a
                add up over the year)                  running total for the year so far)
==============  =====================================  ==========================================
``flat``        refused: twelve months of the annual   every period the annual figure (85%)
                total would add up to twelve years
``cumulative``  each month 1/12 of the annual total    month k of 12: k/12 of the annual figure
                (each quarter 1/4)                     (quarter q: q/4), reaching it by March
``seasonal``    each month its weight's share          month k: the share of the weights of
                                                       months 1 to k
==============  =====================================  ==========================================

So the profiled months of a summed count always add back to the annual target, and a running
total's last month is the annual target. A ratio (``aggregation: ratio``) is a level: flat only.
A figure for the year itself is given the annual target. An explicit target for a period (a
``target`` row) always wins over the profiled one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .indicators import (
    Accumulation,
    Aggregation,
    AnnualTarget,
    Indicator,
    IndicatorData,
    TargetProfile,
)
from .periods import FinancialCalendar, Period, PeriodKind

MONTHS = 12
QUARTERS = 4
#: How many of each kind of period a financial year holds.
PARTS = {PeriodKind.MONTH: MONTHS, PeriodKind.QUARTER: QUARTERS, PeriodKind.YEAR: 1}


def default_profile(aggregation: Aggregation, accumulation: Accumulation) -> TargetProfile:
    """A count that adds up, or a running total, builds up through the year; anything else is a
    level that holds all year."""
    if aggregation is Aggregation.SUM or accumulation is Accumulation.YEAR_TO_DATE:
        return TargetProfile.CUMULATIVE
    return TargetProfile.FLAT


def profile_problem(
    profile: TargetProfile, aggregation: Aggregation, accumulation: Accumulation
) -> str | None:
    """Why ``profile`` cannot spread an annual target of such figures, or None."""
    if profile is TargetProfile.FLAT and aggregation is Aggregation.SUM:
        return (
            "flat gives every month the annual figure, but these monthly counts add up over the "
            "year (aggregation: sum): use cumulative (an equal share each month) or seasonal"
        )
    if profile is TargetProfile.FLAT:
        return None
    if aggregation is Aggregation.RATIO:
        return f"{profile.value} spreads a total over the year, but a ratio is a level: use flat"
    if accumulation is Accumulation.ROLLING_12:
        return (
            f"{profile.value} spreads a total over the year, but a rolling 12-month figure "
            "always covers a whole year: use flat"
        )
    return None


def weights_problem(weights: Sequence[object]) -> str | None:
    """Why seasonal weights cannot be used, or None: 12 finite numbers, none negative, not all 0."""
    if len(weights) != MONTHS:
        return f"must be {MONTHS} numbers, one for each month of the year, not {len(weights)}"
    for i, w in enumerate(weights, start=1):
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
            return f"weight {i} must be a number, not {w!r}"
        if w < 0:
            return f"weight {i} must not be negative ({w:g})"
    if not any(weights):
        return "must not all be 0 (there would be nothing to share the target by)"
    return None


def shares(
    profile: TargetProfile,
    aggregation: Aggregation,
    parts: int,
    weights: Sequence[float] = (),
) -> np.ndarray:
    """What each of a year's ``parts`` periods (12 months, 4 quarters or 1 year) gets, as a
    multiple of the annual target. A year (``parts`` 1) always gets the annual target."""
    if parts == 1 or profile is TargetProfile.FLAT:
        return np.ones(parts)
    if profile is TargetProfile.SEASONAL:
        monthly = np.asarray(weights, float)
        each = monthly.reshape(parts, MONTHS // parts).sum(axis=1) / monthly.sum()
    else:
        each = np.full(parts, 1.0 / parts)
    if aggregation is Aggregation.SUM:
        return each
    running = np.cumsum(each)
    running[-1] = 1.0  # the year's last period is the annual target, not 0.9999999
    return running


def _part(period: Period, calendar: FinancialCalendar) -> int:
    """Which month (0-11) or quarter (0-3) of its financial year ``period`` is."""
    months_in = (period.start.month - calendar.start_month) % MONTHS
    return months_in // 3 if period.kind is PeriodKind.QUARTER else months_in


def profiled_targets(
    indicator: Indicator, periods: Sequence[Period], calendar: FinancialCalendar
) -> np.ndarray:
    """The profiled target of each period (NaN where its year has no annual target, or for a
    day): one array operation per year and kind of period."""
    out = np.full(len(periods), np.nan)
    if not indicator.annual_targets:
        return out
    years = np.array([calendar.year_of(p.start) for p in periods], dtype=np.int64)
    kinds = np.array([p.kind.value for p in periods])
    part = np.array([_part(p, calendar) for p in periods], dtype=np.int64)
    for annual in indicator.annual_targets:
        in_year = years == annual.year
        for kind, parts in PARTS.items():
            mask = in_year & (kinds == kind.value)
            if mask.any():
                spread = shares(annual.profile, indicator.aggregation, parts, annual.weights)
                out[mask] = annual.value * spread[part[mask] if parts > 1 else 0]
    return out


def with_profiled_targets(
    indicator: Indicator, data: IndicatorData, calendar: FinancialCalendar
) -> IndicatorData:
    """``data`` with a target for every period that has none of its own but falls in a year
    with an annual target (the periods so filled are listed in ``profiled``)."""
    if not indicator.annual_targets or not data.periods:
        return data
    explicit = data.get("target")
    profiled = profiled_targets(indicator, data.periods, calendar)
    fill = np.isnan(explicit) & ~np.isnan(profiled)
    if not fill.any():
        return data
    values = dict(data.values)
    values["target"] = np.where(fill, profiled, explicit)
    filled = tuple(p for p, f in zip(data.periods, fill.tolist(), strict=True) if f)
    return replace(data, values=values, profiled=filled)


@dataclass(frozen=True)
class PeriodTarget:
    """A period's target and where it comes from: a target of its own, or an annual target."""

    value: float | None
    annual: AnnualTarget | None = None  # set when the value was profiled from it

    @property
    def profiled(self) -> bool:
        return self.annual is not None


def target_at(
    indicator: Indicator, data: IndicatorData, period: Period, calendar: FinancialCalendar
) -> PeriodTarget:
    """The target of ``period``: its own when given, else profiled from its year's annual
    target, else none. ``data`` may hold the profiled targets already or not."""
    i = data.index_of(period)
    if i is not None and period not in data.profiled:
        own = float(data.get("target")[i])
        if not math.isnan(own):
            return PeriodTarget(own)
    value = float(profiled_targets(indicator, (period,), calendar)[0])
    if math.isnan(value):
        return PeriodTarget(None)
    return PeriodTarget(value, indicator.annual_target(calendar.year_of(period.start)))
