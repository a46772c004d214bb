"""A section's tables: the summary, variation and assurance, and lead indicators."""

from __future__ import annotations

from ..core.analysis import Analysis
from ..core.indicators import IndicatorKind
from ..core.periods import Period
from ..core.rating import Rating
from ..core.summary_columns import tag_of
from ..packs.model import Pack, Section
from .model import (
    LeadRow,
    LeadTable,
    SummaryTable,
    VariationRow,
    VariationTable,
    fmt_value,
    month_year,
    rating_view,
)
from .pages import assurance_icon, variation_icon
from .summary_columns import SUMMARY_COLUMNS, Row, Years, tag_column


def summary_table(
    pack: Pack, section: Section, analyses: list[Analysis], as_at: Period
) -> SummaryTable:
    """The section's summary table: one row per indicator other than lead indicators, with the
    columns the manifest names (see :mod:`.summary_columns`)."""
    year = pack.calendar.year_of(as_at.end)
    years = Years(pack.calendar.year_label(year), pack.calendar.year_label(year - 1))
    chosen = [
        SUMMARY_COLUMNS[key]
        if (tag := tag_of(key)) is None
        else tag_column(key, pack.tag_label(tag))
        for key in section.summary_columns
    ]
    rows = [
        [column.cell(Row(analysis, year)) for column in chosen]
        for analysis in analyses
        if analysis.indicator.kind is not IndicatorKind.LEAD
    ]
    columns = [column.column(years) for column in chosen]
    caption = section.summary_caption or f"{section.title}: summary of indicators"
    return SummaryTable(f"{caption}, {month_year(as_at)}", columns, rows)


def variation_table(section: Section, analyses: list[Analysis]) -> VariationTable | None:
    """The one-page "variation and assurance" summary of the section's SPC indicators."""
    rows = []
    for analysis in analyses:
        ind = analysis.indicator
        if analysis.spc is None or ind.spc is None:
            continue
        latest = analysis.result.latest
        if latest is None:
            continue
        rows.append(
            VariationRow(
                title=ind.title,
                link=f"ind-{ind.id}",
                latest=f"{fmt_value(ind, latest.actual)} ({latest.period.display})",
                target=fmt_value(ind, latest.target),
                variation=variation_icon(analysis, f"vt-var-{ind.id}"),
                assurance=assurance_icon(analysis, f"vt-ass-{ind.id}"),
                rating=rating_view(latest.rating, latest.computed if latest.overridden else None)
                if ind.rated
                else rating_view(Rating.NOT_RATED),
            )
        )
    if not rows:
        return None
    return VariationTable(f"{section.title}: variation and assurance", rows)


def lead_table(section: Section, analyses: list[Analysis]) -> LeadTable | None:
    rows = []
    for analysis in analyses:
        ind = analysis.indicator
        if ind.kind is not IndicatorKind.LEAD:
            continue
        latest = analysis.result.latest
        lo, hi = analysis.range_lower, analysis.range_upper
        expected = ""
        if lo is not None and hi is not None:
            expected = f"{ind.unit.format(lo)} to {ind.unit.format(hi)}"
        elif hi is not None:
            expected = f"up to {ind.unit.format(hi)}"
        elif lo is not None:
            expected = f"at least {ind.unit.format(lo)}"
        rows.append(
            LeadRow(
                title=ind.display_title,
                link=f"ind-{ind.id}",
                latest=fmt_value(ind, latest.actual) if latest else "",
                period=latest.period.display if latest else "",
                expected=expected,
                status=analysis.range_status or "",
                status_label=analysis.range_status.label if analysis.range_status else "",
            )
        )
    if not rows:
        return None
    return LeadTable(f"{section.title}: lead indicators against their expected range", rows)
