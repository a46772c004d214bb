"""Derived figures: per-period ratios, and rolling 12-month and year-to-date sums, means and ratios.

A rate such as "falls per 1,000 bed days" is two counts divided, period by period; computing it
here keeps the counts, which a year's figure needs (see core.outturn), and the rate consistent.
Many indicators are reported as "12 months to September" or "April to date" although the data
arrive month by month. Computing those figures here, instead of asking officers to type them,
keeps them consistent with the monthly series they come from.

Every function works on the last axis, so one call handles a single series (shape ``(t,)``) or a
grid of many series (shape ``(n, t)``). A figure that would rest on a missing month is NaN rather
than a silently smaller total: a rolling figure needs all ``window`` months and a year-to-date
figure needs every month of the financial year so far. A ratio over a zero denominator is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .periods import UK, FinancialCalendar, Period, PeriodKind

METHODS = ("period", "year_to_date", "rolling_12")
HOWS = ("sum", "mean", "ratio")
#: What each method can compute: a sum or mean of one series over one period is the series itself.
HOWS_FOR_METHOD = {"period": ("ratio",), "year_to_date": HOWS, "rolling_12": HOWS}


def how_problem(method: str, how: str) -> str | None:
    """Why ``how`` makes no sense with ``method`` (a message for the pack author), or None."""
    if method in HOWS_FOR_METHOD and how in HOWS and how not in HOWS_FOR_METHOD[method]:
        return (
            f"method: period computes a ratio of two series each period (how: ratio); "
            f"how: {how} of one series over one period is the series itself, so give those "
            f"figures as the actual"
        )
    return None


def _as_float(values: np.ndarray | Sequence[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 0:
        raise ValueError("values must have at least one axis (the months)")
    return arr


def _check_how(how: str) -> None:
    if how not in ("sum", "mean"):
        raise ValueError(f"how must be 'sum' or 'mean', not {how!r}")


def _check_window(window: int) -> None:
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(f"window must be a positive whole number of months, not {window!r}")


def _divide(numerator: np.ndarray, denominator: np.ndarray, scale: float) -> np.ndarray:
    """``scale * numerator / denominator``, NaN where the denominator is zero or missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator * scale
    out[denominator == 0] = np.nan
    return out


def _same_shape(numerator: np.ndarray, denominator: np.ndarray) -> None:
    if numerator.shape != denominator.shape:
        raise ValueError(
            f"numerator has shape {numerator.shape} but denominator has {denominator.shape}"
        )


def _rolling_sum(arr: np.ndarray, window: int) -> np.ndarray:
    # A NaN anywhere in the window makes the sum NaN, which is the "all months present" rule.
    out = np.full(arr.shape, np.nan)
    if arr.shape[-1] >= window:
        out[..., window - 1 :] = sliding_window_view(arr, window, axis=-1).sum(axis=-1)
    return out


def rolling(values: np.ndarray | Sequence[float], window: int = 12, how: str = "sum") -> np.ndarray:
    """Rolling ``window``-month sum or mean, aligned to the window's last month.

    NaN for the first ``window - 1`` months and wherever a month in the window is missing: a
    "12 months to" figure built on eleven months would understate a sum and mislead as a mean.
    """
    _check_how(how)
    _check_window(window)
    total = _rolling_sum(_as_float(values), window)
    return total / window if how == "mean" else total


def rolling_ratio(
    numerator: np.ndarray | Sequence[float],
    denominator: np.ndarray | Sequence[float],
    window: int = 12,
    scale: float = 1.0,
) -> np.ndarray:
    """``scale`` x (sum of numerators / sum of denominators) over a rolling window.

    Summing first and dividing once weights each month by its volume, which is how a rolling
    percentage is defined (a mean of monthly percentages would not be). NaN where either series
    misses a month in the window or the denominator sums to zero.
    """
    _check_window(window)
    num, den = _as_float(numerator), _as_float(denominator)
    _same_shape(num, den)
    return _divide(_rolling_sum(num, window), _rolling_sum(den, window), scale)


def period_ratio(
    numerator: np.ndarray | Sequence[float],
    denominator: np.ndarray | Sequence[float],
    scale: float = 1.0,
) -> np.ndarray:
    """``scale`` x numerator / denominator for each period on its own (falls per 1,000 bed days).

    NaN where either figure is missing or the denominator is zero. The periods need not be
    months: nothing is summed across them.
    """
    num, den = _as_float(numerator), _as_float(denominator)
    _same_shape(num, den)
    return _divide(num, den, scale)


def check_months(months: Sequence[Period], length: int | None = None) -> None:
    """Raise ValueError unless ``months`` are consecutive month periods (and ``length`` long).

    Derived figures count positions on the last axis as months, so a gap or a quarter in the list
    would silently shift every figure after it.
    """
    if length is not None and len(months) != length:
        raise ValueError(f"{len(months)} months given for {length} values on the last axis")
    for i, period in enumerate(months):
        if not isinstance(period, Period) or period.kind is not PeriodKind.MONTH:
            raise ValueError(f"months[{i}] is {period!s}, not a month")
        if i:
            before = months[i - 1]
            expected = before.start.year * 12 + before.start.month
            if period.start.year * 12 + period.start.month - 1 != expected:
                raise ValueError(
                    f"months must be consecutive: {period} follows {before} (months[{i}])"
                )


def _year_to_date_sum(
    arr: np.ndarray, months: Sequence[Period], calendar: FinancialCalendar
) -> tuple[np.ndarray, np.ndarray]:
    """Year-to-date sums and the number of months each covers."""
    check_months(months, arr.shape[-1])
    if not months:
        return np.full(arr.shape, np.nan), np.zeros(0)
    lead = (months[0].start.month - calendar.start_month) % 12
    t = arr.shape[-1]
    counts = (np.arange(lead, lead + t) % 12 + 1).astype(float)
    return cumulate_years(arr, lead, 12), counts


def cumulate_years(arr: np.ndarray, lead: int, per_year: int) -> np.ndarray:
    """Running totals that restart each year, over consecutive periods (``per_year`` a year).

    ``lead`` is how many periods of its year come before the first one. The front is padded with
    missing periods back to the year's start and the end to a whole year, then each year's row is
    cumulated: a cumulative sum stays NaN after a missing period, so a partial first year or a
    gap voids the rest of that year only. Shared by year-to-date months and year-end outturns.
    """
    t = arr.shape[-1]
    trail = -(lead + t) % per_year
    padded = np.full((*arr.shape[:-1], lead + t + trail), np.nan)
    padded[..., lead : lead + t] = arr
    years = padded.reshape(*arr.shape[:-1], -1, per_year)
    return np.cumsum(years, axis=-1).reshape(padded.shape)[..., lead : lead + t]


def year_to_date(
    values: np.ndarray | Sequence[float],
    months: Sequence[Period],
    how: str = "sum",
    calendar: FinancialCalendar = UK,
) -> np.ndarray:
    """Financial-year-to-date sum or mean, restarting at the calendar's first month each year.

    ``months`` are the consecutive months the last axis covers. A month whose year so far has a
    missing month (including months before the series starts) is NaN, so a part-year total is
    never printed as if it were the year to date.
    """
    _check_how(how)
    totals, counts = _year_to_date_sum(_as_float(values), months, calendar)
    return totals / counts if how == "mean" else totals


def year_to_date_ratio(
    numerator: np.ndarray | Sequence[float],
    denominator: np.ndarray | Sequence[float],
    months: Sequence[Period],
    scale: float = 1.0,
    calendar: FinancialCalendar = UK,
) -> np.ndarray:
    """``scale`` x (year-to-date numerator / year-to-date denominator); see :func:`year_to_date`."""
    num, den = _as_float(numerator), _as_float(denominator)
    _same_shape(num, den)
    num_total, _ = _year_to_date_sum(num, months, calendar)
    den_total, _ = _year_to_date_sum(den, months, calendar)
    return _divide(num_total, den_total, scale)


def derive(
    method: str,
    how: str,
    months: Sequence[Period],
    series: Mapping[str, np.ndarray],
    numerator: str | None = None,
    denominator: str | None = None,
    source: str | None = None,
    scale: float = 1.0,
    calendar: FinancialCalendar = UK,
) -> np.ndarray:
    """The figures an indicator's ``derive:`` block describes (see docs/pack-format.md).

    ``method`` is ``period``, ``rolling_12`` or ``year_to_date``; ``how`` ``sum`` or ``mean`` read
    the series named ``source``, ``ratio`` reads ``numerator`` and ``denominator`` (``period``
    takes only ``ratio``). The result is multiplied by ``scale`` (100 for a percentage). For
    ``period`` the last axis may be any periods, one figure each; otherwise ``months`` are the
    consecutive months it covers. Raises ValueError naming what is wrong.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if how not in HOWS:
        raise ValueError(f"how must be one of {', '.join(HOWS)}, not {how!r}")
    if message := how_problem(method, how):
        raise ValueError(message)

    def get(role: str, name: str | None) -> np.ndarray:
        if name is None:
            raise ValueError(f"how: {how} needs a {role} series")
        if name not in series:
            raise ValueError(f"{role} series {name!r} has no data")
        arr = _as_float(series[name])
        if method != "period":
            check_months(months, arr.shape[-1])
        elif len(months) != arr.shape[-1]:
            raise ValueError(f"{len(months)} periods given for {arr.shape[-1]} values")
        return arr

    if how == "ratio":
        if source is not None:
            raise ValueError("how: ratio takes numerator and denominator, not source")
        num, den = get("numerator", numerator), get("denominator", denominator)
        if method == "period":
            return period_ratio(num, den, scale)
        if method == "rolling_12":
            return rolling_ratio(num, den, 12, scale)
        return year_to_date_ratio(num, den, months, scale, calendar)
    if numerator is not None or denominator is not None:
        raise ValueError(f"how: {how} takes source, not numerator and denominator")
    values = get("source", source)
    if method == "rolling_12":
        result = rolling(values, 12, how)
    else:
        result = year_to_date(values, months, how, calendar)
    return result * scale if scale != 1.0 else result
