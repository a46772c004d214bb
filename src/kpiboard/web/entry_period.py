"""Which indicators fall due with a month.

The bulk entry grid, check-your-answers, the review page and the spreadsheet template all work on
one month. Which month is being collected now is said once, by
:func:`kpiboard.web.reporting_month.collecting_month` (the month after the reporting month).
"""

from __future__ import annotations

from ..core.due_dates import FREQUENCY_KINDS
from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import FinancialCalendar, Period


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
