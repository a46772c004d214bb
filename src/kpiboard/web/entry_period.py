"""Which period is being collected, and which indicators fall due in it.

The bulk entry grid, check-your-answers, the review page and the spreadsheet template all work on
one reporting month. :func:`collecting_month` is the one place that says which month that is, so
a site-wide reporting month (moved on when a section is approved) can replace it here alone.
"""

from __future__ import annotations

from datetime import timedelta

from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import FinancialCalendar, Period, PeriodKind

FREQUENCY_KINDS = {
    "month": PeriodKind.MONTH,
    "quarter": PeriodKind.QUARTER,
    "year": PeriodKind.YEAR,
}


def collecting_month(pack) -> Period:
    """The month being collected now: the month after the site's as-at period, as the list of
    what is waiting offers next (the site shows September 2013, so October is being entered)."""
    return pack.calendar.containing(PeriodKind.MONTH, pack.as_at.end + timedelta(days=1))


def due_period(calendar: FinancialCalendar, ind: CoreIndicator, month: Period) -> Period | None:
    """The period of ``ind`` that falls due with ``month``: the month itself for a monthly
    indicator, the quarter or year that ends with it for a quarterly or annual one, else None
    (irregular indicators are entered one at a time from their own page). ``month`` may be a
    quarter or year too (a section signed off by quarter): then the period of ``ind`` that ends
    with it."""
    kind = FREQUENCY_KINDS.get(ind.frequency)
    if kind is None:
        return None
    period = calendar.containing(kind, month.end)
    return period if period.end == month.end else None


def month_of(calendar: FinancialCalendar, period: Period) -> Period:
    """The month a period falls due with: its last month."""
    return calendar.containing(PeriodKind.MONTH, period.end)
