"""A financial year's figure made from its periods' figures, as the indicator's aggregation says.

The March figure is the year's figure only for percentages, rates and running totals. A monthly
count of MRSA cases with one case in November and none in March had an outturn of one case, not
zero: a count's year is the sum of its months. A rate made of two counts (falls per 1,000 bed
days) is the year's falls over the year's bed days, not the mean of twelve monthly rates, which
would weigh a quiet month like a busy one. :attr:`Indicator.aggregation` says which rule applies.

A figure given for the year itself always wins. A year missing a month (or, for quarterly
figures, a quarter) has no summed outturn: a part-year total would read as a good year. The same
rules make the year-end forecast's figures (:func:`forecast_figures`) and its target
(:func:`year_end_target`), so a forecast for the year's last month is the outturn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .aggregate import cumulate_years
from .forecast import year_end_target_for
from .indicators import Aggregation, Indicator, IndicatorData
from .periods import FinancialCalendar, Period, PeriodKind

#: The periods a year's total is made of, finest first, and how many make a year.
PER_YEAR = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4}


@dataclass(frozen=True)
class Outturn:
    """A financial year's figure and how it was made."""

    period: Period  # the year; for ``last``, the period whose figure it is (the year, Q4, March)
    actual: float
    aggregation: Aggregation


def _slot(period: Period, calendar: FinancialCalendar) -> int:
    """A month's (quarter's) number counted from a fixed origin, ``per_year`` to a year."""
    fy = calendar.year_of(period.start)
    months_in = (period.start.year * 12 + period.start.month) - (fy * 12 + calendar.start_month)
    if period.kind is PeriodKind.MONTH:
        return fy * 12 + months_in
    return fy * 4 + months_in // 3


def running_totals(
    periods: Sequence[Period], values: np.ndarray | Sequence[float], calendar: FinancialCalendar
) -> np.ndarray:
    """Each figure's financial-year-to-date total, by the year-to-date rule of core.aggregate.

    Months add up with months and quarters with quarters, restarting each financial year. A
    total is NaN once a month (quarter) of its year so far is missing, and for a day. A figure
    for a whole year is its own total.
    """
    values = np.asarray(values, dtype=float)
    out = np.full(len(periods), np.nan)
    for kind, per_year in PER_YEAR.items():
        idx = [i for i, p in enumerate(periods) if p.kind is kind]
        if not idx:
            continue
        slots = [_slot(periods[i], calendar) for i in idx]
        first = min(slots)
        dense = np.full(max(slots) - first + 1, np.nan)
        dense[np.array(slots) - first] = values[idx]
        totals = cumulate_years(dense, first % per_year, per_year)
        out[idx] = totals[np.array(slots) - first]
    years = [i for i, p in enumerate(periods) if p.kind is PeriodKind.YEAR]
    out[years] = values[years]
    return out


def year_total(
    periods: Sequence[Period],
    values: np.ndarray | Sequence[float],
    year: int,
    calendar: FinancialCalendar,
) -> float | None:
    """The financial year's total: its own figure, else all its months, else all its quarters."""
    totals = running_totals(periods, values, calendar)
    fy = calendar.year(year)
    for kind in (PeriodKind.YEAR, PeriodKind.MONTH, PeriodKind.QUARTER):
        last = calendar.containing(kind, fy.end)
        if last in periods:
            total = totals[periods.index(last)]
            if not math.isnan(total):
                return float(total)
    return None


def _ratio_of_totals(indicator: Indicator, data: IndicatorData, year: int, cal) -> float | None:
    derive = indicator.derive
    if derive is None or derive.how != "ratio":
        return None  # the pack reader refuses aggregation: ratio without a derived ratio
    num = year_total(data.periods, data.get(derive.numerator), year, cal)
    den = year_total(data.periods, data.get(derive.denominator), year, cal)
    if num is None or den is None or den == 0:
        return None
    return num / den * derive.scale


def outturn(
    indicator: Indicator, data: IndicatorData, year: int, calendar: FinancialCalendar
) -> Outturn | None:
    """Financial year ``year``'s figure: its own figure, else made by the indicator's aggregation.

    ``sum``: the total of every month (else every quarter) of the year, None if one is missing.
    ``ratio``: the year's numerator total over its denominator total, times ``derive.scale``.
    ``last``: the figure of the last period ending on the year's last day (Q4 before March).
    """
    fy = calendar.year(year)
    actual = data.get("actual")
    how = indicator.aggregation
    own = data.index_of(fy)
    if own is not None and not math.isnan(actual[own]):
        return Outturn(fy, float(actual[own]), how)
    if how is Aggregation.SUM:
        total = year_total(data.periods, actual, year, calendar)
        return None if total is None else Outturn(fy, total, how)
    if how is Aggregation.RATIO:
        ratio = _ratio_of_totals(indicator, data, year, calendar)
        return None if ratio is None else Outturn(fy, ratio, how)
    for period, value in zip(data.periods, actual, strict=True):
        if period.end == fy.end and not math.isnan(value):
            return Outturn(period, float(value), how)
    return None


def year_end_target(
    indicator: Indicator, data: IndicatorData, year: int, calendar: FinancialCalendar
) -> float | None:
    """The target a year's outturn (or forecast) is rated against.

    An explicit ``year_end_targets`` entry (else the annual target) wins. For a summed count the
    year's target is the sum of its periods' targets (a monthly target of 0 MRSA cases is a year
    target of 0; of 10 falls, 120), unless a target is given for the year itself. Otherwise it
    is the target of the year, else of its Q4, else of its last month (see
    core.forecast.year_end_target_for).
    """
    explicit = indicator.year_end_target(year)
    if explicit is not None and not math.isnan(explicit):
        return float(explicit)
    target = data.get("target")
    if indicator.aggregation is Aggregation.SUM:
        return year_total(data.periods, target, year, calendar)
    targets = {p: float(v) for p, v in zip(data.periods, target, strict=True) if not math.isnan(v)}
    return year_end_target_for(targets, {}, year, calendar)


def forecast_figures(
    indicator: Indicator, data: IndicatorData, calendar: FinancialCalendar
) -> tuple[np.ndarray, bool]:
    """The figures a year-end forecast projects, one per period, and whether they are running
    totals (for which the run rate applies).

    ``sum``: each period's year-to-date total, so the run rate projects the year's total and the
    year's last month gives the outturn. ``ratio``: the year-to-date numerator over denominator,
    which ends the year at the outturn. ``last``: the figures themselves, running totals when
    ``forecast.cumulative`` says so.
    """
    how = indicator.aggregation
    if how is Aggregation.SUM:
        return running_totals(data.periods, data.get("actual"), calendar), True
    derive = indicator.derive
    if how is Aggregation.RATIO and derive is not None and derive.how == "ratio":
        num = running_totals(data.periods, data.get(derive.numerator), calendar)
        den = running_totals(data.periods, data.get(derive.denominator), calendar)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(den == 0, np.nan, num / den * derive.scale)
        return ratio, False
    cumulative = indicator.forecast is not None and indicator.forecast.cumulative
    return data.get("actual"), cumulative
