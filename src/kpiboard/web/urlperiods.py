"""Periods in URLs: a canonical label as one path segment, and back.

``/`` and spaces cannot stand in a path segment, so ``2013/14 Q2`` is written ``2013~14_Q2``;
``~`` keeps the financial year ``2011/12`` (``2011~12``) apart from the month ``2011-12``.
"""

from __future__ import annotations

from ..core.periods import FinancialCalendar, Period


def period_slug(label: str) -> str:
    return label.replace("/", "~").replace(" ", "_")


def period_from_slug(slug: str, calendar: FinancialCalendar) -> Period:
    """The period a slug names; raises ``PeriodError`` for one that names none."""
    return calendar.parse(slug.replace("~", "/").replace("_", " "))
