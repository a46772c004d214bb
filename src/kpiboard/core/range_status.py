"""Where a lead indicator's latest figure stands against its expected range, with the words
the dashboard, indicator pages and reports show for it."""

from __future__ import annotations

from enum import StrEnum


class RangeStatus(StrEnum):
    """The value is the preposition a sentence uses: "is above the expected range"."""

    WITHIN = "within"
    ABOVE = "above"
    BELOW = "below"

    @property
    def label(self) -> str:
        """The words a tag or table cell shows: "Above expected range"."""
        return _LABELS[self]


_LABELS = {
    RangeStatus.WITHIN: "Within expected range",
    RangeStatus.ABOVE: "Above expected range",
    RangeStatus.BELOW: "Below expected range",
}
