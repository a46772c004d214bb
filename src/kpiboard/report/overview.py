"""The organisation-wide summary page: every indicator on one page, and the icon matrix.

A board reads this page first: where each indicator stands (latest period, rating, direction,
SPC icons) and, in the Making Data Count summary matrix, how many indicators show each pair of
variation and assurance icons. The report prints it after the contents; the web dashboard shows
the same matrix (:func:`icon_matrix`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..core.analysis import Analysis
from ..core.direction import Direction
from ..core.rating import Rating
from ..core.spc import AssuranceIcon, VariationIcon
from ..core.summary import ASSURANCE_COLUMNS, count_icons, latest_icons
from .icons import ASSURANCE_LABELS, VARIATION_LABELS, assurance_icon_svg, variation_icon_svg
from .model import (
    IconMatrix,
    IconView,
    MatrixRow,
    OverviewRow,
    OverviewView,
    ReportModel,
    direction_view,
    rating_view,
)

TITLE = "Summary of all indicators"


def overview_rows(section_title: str, analyses: Sequence[Analysis]) -> list[OverviewRow]:
    """A section's rows of the summary page, in report order."""
    return [_row(a, section_title) for a in analyses]


def overview(model: ReportModel) -> OverviewView:
    """The summary page of the report's sections: their rows, and the matrix of their icons."""
    rows = [row for section in model.sections for row in section.overview]
    icons = [_codes(row) for row in rows]
    matrix = icon_matrix(icons, "ov")
    return OverviewView(
        title=TITLE,
        caption=f"Every indicator's latest position, {model.as_at}",
        rows=rows,
        matrix=matrix if matrix.total else None,
    )


def _codes(row: OverviewRow) -> tuple[str | None, str | None]:
    if row.variation is None:
        return None, None
    assurance = row.assurance.code if row.assurance is not None else "none"
    return row.variation.code, None if assurance == "none" else assurance


def _row(analysis: Analysis, section: str) -> OverviewRow:
    ind, latest = analysis.indicator, analysis.result.latest
    if not ind.rated:
        rating = rating_view(Rating.NOT_RATED)
    elif latest is None:
        rating = rating_view(Rating.NO_DATA)
    else:
        rating = rating_view(latest.rating, latest.computed if latest.overridden else None)
    variation, assurance = latest_icons(analysis)
    has_icons = variation is not None
    return OverviewRow(
        number=ind.number,
        title=ind.display_title,
        link=f"ind-{ind.id}",
        section=section,
        latest_period=latest.period.display if latest else "",
        rating=rating,
        direction=direction_view(latest.direction if latest else Direction.NOT_COMPARABLE),
        variation=_variation_view(variation, f"ov-var-{ind.id}") if variation is not None else None,
        assurance=_assurance_view(assurance, f"ov-ass-{ind.id}") if has_icons else None,
    )


def _variation_view(icon: VariationIcon | str, icon_id: str) -> IconView:
    """A variation icon with its short label (the one printed under icons in tables)."""
    code = VariationIcon(icon).value
    return IconView(code, VARIATION_LABELS[code], variation_icon_svg(code, icon_id=icon_id))


def _assurance_view(icon: AssuranceIcon | str | None, icon_id: str) -> IconView:
    """An assurance icon with its short label; "No target" without one."""
    code = AssuranceIcon(icon).value if icon else "none"
    return IconView(code, ASSURANCE_LABELS[code], assurance_icon_svg(code, icon_id=icon_id))


def icon_matrix(
    icons: Iterable[tuple[VariationIcon | str | None, AssuranceIcon | str | None]], id_prefix: str
) -> IconMatrix:
    """The Making Data Count summary matrix of indicators given by their (variation, assurance)
    icons (:func:`kpiboard.core.summary.latest_icons`): counted by variation icon (a row each)
    and assurance icon (a column each, then "no target"). ``id_prefix`` keeps the header icons'
    element ids unique on a page."""
    counts = count_icons(icons)
    columns = [
        _assurance_view(icon, f"{id_prefix}-mx-{icon or 'none'}") for icon in ASSURANCE_COLUMNS
    ]
    rows = [
        MatrixRow(
            icon=_variation_view(icon, f"{id_prefix}-mx-{icon}"),
            counts=[counts.count(icon, a) for a in ASSURANCE_COLUMNS],
            total=counts.row_total(icon),
        )
        for icon in VariationIcon
    ]
    without = counts.without
    note = (
        "Each indicator with an SPC chart is counted once, by the icons of its latest figure. "
        f"{ASSURANCE_LABELS['none']}: no assurance icon, as there is no target or no preferred "
        "direction."
    )
    if without == 1:
        note += " 1 indicator has no SPC chart and is not counted."
    elif without:
        note += f" {without} indicators have no SPC chart and are not counted."
    return IconMatrix(
        caption="Indicators by variation and assurance (the Making Data Count summary matrix)",
        columns=columns,
        rows=rows,
        totals=[counts.column_total(a) for a in ASSURANCE_COLUMNS],
        total=counts.total,
        without=without,
        note=note,
    )
