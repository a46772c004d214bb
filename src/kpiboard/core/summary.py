"""The organisation-wide summary: how many indicators show each pair of SPC icons.

Making Data Count asks boards to read, before any single chart, a grid of the indicators by their
variation icon (has anything changed?) and assurance icon (will the target be met?). A stable
process that fails its target and a special cause concern call for different actions, so the grid
says where attention is needed across the whole organisation. The report and the web dashboard
both print it from :func:`count_icons`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .analysis import Analysis
from .spc import AssuranceIcon, VariationIcon

#: The grid's columns, in the order printed: each assurance icon, then "not assessed" (None).
ASSURANCE_COLUMNS: tuple[AssuranceIcon | None, ...] = (*AssuranceIcon, None)


@dataclass(frozen=True)
class IconCounts:
    """Indicators counted by (variation icon, assurance icon); ``without`` have no icons."""

    counts: dict[tuple[VariationIcon, AssuranceIcon | None], int] = field(default_factory=dict)
    without: int = 0

    def count(self, variation: VariationIcon, assurance: AssuranceIcon | None) -> int:
        return self.counts.get((variation, assurance), 0)

    def row_total(self, variation: VariationIcon) -> int:
        return sum(n for (v, _), n in self.counts.items() if v is variation)

    def column_total(self, assurance: AssuranceIcon | None) -> int:
        return sum(n for (_, a), n in self.counts.items() if a is assurance)

    @property
    def total(self) -> int:
        """Indicators with a variation icon (those in the grid)."""
        return sum(self.counts.values())


def latest_icons(analysis: Analysis) -> tuple[VariationIcon | None, AssuranceIcon | None]:
    """The indicator's latest variation and assurance icons; (None, None) without an SPC chart
    (or when its icons are not given)."""
    spc = analysis.spc
    if spc is None:
        return None, None
    return getattr(spc, "variation_icon", None), getattr(spc, "assurance_icon", None)


def count_icons(
    icons: Iterable[tuple[VariationIcon | str | None, AssuranceIcon | str | None]],
) -> IconCounts:
    """The summary grid of indicators given by their (variation, assurance) icons, as
    :func:`latest_icons` gives them: one count per pair of icons."""
    counts: dict[tuple[VariationIcon, AssuranceIcon | None], int] = {}
    without = 0
    for variation, assurance in icons:
        if variation is None:
            without += 1
            continue
        key = (VariationIcon(variation), None if assurance is None else AssuranceIcon(assurance))
        counts[key] = counts.get(key, 0) + 1
    return IconCounts(counts, without)
