"""The keys of a report section's summary table columns.

A pack's manifest names the columns each section's summary table shows (``summary.columns``);
the report, the web dashboard and the manifest check all speak of them by these keys, so the
list lives here once. What each column shows and how it is drawn is in
:mod:`kpiboard.report.summary_columns`.
"""

from __future__ import annotations

from enum import StrEnum


class SummaryColumnKey(StrEnum):
    """A summary table column, as written in ``kpiboard.yaml``."""

    NUMBER = "number"
    TITLE = "title"
    OUTTURN = "outturn"
    TARGET = "target"
    CURRENT = "current"
    LATEST_PERIOD = "latest_period"
    DATA_PERIOD = "data_period"
    RATING = "rating"
    PREVIOUS_RATING = "previous_rating"
    DIRECTION = "direction"
    FORECAST = "forecast"
    VARIATION = "variation"
    ASSURANCE = "assurance"
    BENCHMARK = "benchmark"


_KEYS = frozenset(SummaryColumnKey)

#: A column ``tag:NAME`` says whether each indicator carries tag NAME.
TAG_PREFIX = "tag:"

#: The columns of a section whose manifest entry has no ``summary``.
DEFAULT_SUMMARY_COLUMNS: tuple[SummaryColumnKey, ...] = (
    SummaryColumnKey.NUMBER,
    SummaryColumnKey.TITLE,
    SummaryColumnKey.CURRENT,
    SummaryColumnKey.TARGET,
    SummaryColumnKey.RATING,
    SummaryColumnKey.DIRECTION,
)


def tag_of(key: str) -> str | None:
    """The tag a ``tag:NAME`` column key names, or None for any other key."""
    return key[len(TAG_PREFIX) :] if key.startswith(TAG_PREFIX) else None


def is_summary_column(key: str) -> bool:
    """Whether a manifest may name ``key`` as a summary column."""
    return key in _KEYS or tag_of(key) is not None
