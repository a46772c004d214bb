"""England and Wales bank holidays, from the ``holidays`` package, for the reporting calendar.

The due-date rules in :mod:`kpiboard.core.due_dates` take holidays as a parameter; this is the
one place that says which ones this application uses.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date

import holidays


@functools.lru_cache(maxsize=32)
def _years(years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years))


def england_and_wales(years: Iterable[int]) -> frozenset[date]:
    """Bank holidays in England and Wales in ``years`` (substitute days included)."""
    return _years(tuple(sorted(set(years))))
