"""A section's tables: the summary, variation and assurance, and lead indicators."""

from __future__ import annotations

from ..core.analysis import Analysis
from ..core.direction import Direction
from ..core.evaluate import PeriodResult
from ..core.indicators import Indicator, IndicatorKind
from ..core.periods import Period
from ..core.rating import Rating
from ..core.significance import Comparison, against
from ..packs.model import Pack, Section
from .model import (
    Cell,
    Column,
    LeadRow,
    LeadTable,
    RatingView,
    SummaryTable,
    VariationRow,
    VariationTable,
    direction_view,
    fmt_value,
    month_year,
    rating_view,
)
from .pages import assurance_icon, variation_icon


def _point_rating(point) -> Cell:
    return Cell(rating=rating_view(point.rating, point.computed if point.overridden else None))


def benchmark_cell(ind: Indicator, latest: PeriodResult | None) -> Cell:
    """The latest figure against the benchmark, in words ("Better than England") with the
    comparison's colour (green, amber, red; neutral for higher, lower or not compared)."""
    if ind.benchmark is None:
        return Cell("–")
    comparison = latest.comparison if latest is not None else Comparison.NOT_COMPARED
    code = comparison.rating.name
    return Cell(rating=RatingView(code, against(comparison, ind.benchmark_label)))


def summary_table(
    pack: Pack, section: Section, analyses: list[Analysis], as_at: Period
) -> SummaryTable:
    year = pack.calendar.year_of(as_at.end)
    this_year, last_year = pack.calendar.year_label(year), pack.calendar.year_label(year - 1)
    headings = {
        "number": ("No.", False),
        "title": ("Indicator", False),
        "outturn": (f"Outturn {last_year}", True),
        "target": (f"Target {this_year}", True),
        "current": ("Current position", True),
        "latest_period": ("Latest period", False),
        "data_period": ("Data period", False),
        "rating": ("Rating", False),
        "previous_rating": ("Previous rating", False),
        "direction": ("Direction of travel", False),
        "forecast": ("Forecast year-end rating", False),
        "variation": ("Variation", False),
        "assurance": ("Assurance", False),
        "benchmark": ("Compared with benchmark", False),
    }
    columns = []
    for key in section.summary_columns:
        if key.startswith("tag:"):
            columns.append(Column(key, pack.tag_label(key[4:])))
        else:
            heading, numeric = headings[key]
            columns.append(Column(key, heading, numeric))
    rows = []
    for analysis in analyses:
        ind, result = analysis.indicator, analysis.result
        if ind.kind is IndicatorKind.LEAD:
            continue
        latest, previous = result.latest, result.previous
        anchor = f"ind-{ind.id}"
        cells = []
        for column in columns:
            key = column.key
            if key.startswith("tag:"):
                cells.append(Cell("Yes" if key[4:] in ind.tags else "No"))
            elif key == "number":
                cells.append(Cell(ind.number))
            elif key == "title":
                cells.append(Cell(ind.title, link=anchor))
            elif key == "outturn":
                out = result.outturn(year - 1)
                cells.append(Cell(fmt_value(ind, out.actual) if out else "", numeric=True))
            elif key == "target":
                target = latest.target if latest and latest.target is not None else None
                if target is None:
                    target = ind.year_end_target(year)
                cells.append(Cell(fmt_value(ind, target), numeric=True))
            elif key == "current":
                cells.append(Cell(fmt_value(ind, latest.actual) if latest else "", numeric=True))
            elif key == "latest_period":
                cells.append(Cell(latest.period.display if latest else ""))
            elif key == "data_period":
                cells.append(Cell(ind.data_period))
            elif key in ("rating", "previous_rating"):
                point = latest if key == "rating" else previous
                if not ind.rated:
                    cells.append(
                        Cell(
                            "Not rated: see the indicator page",
                            link=anchor,
                            rating=rating_view(Rating.NOT_RATED),
                        )
                    )
                elif point is None:
                    cells.append(Cell(rating=rating_view(Rating.NO_DATA)))
                else:
                    cells.append(_point_rating(point))
            elif key == "direction":
                travel = latest.direction if latest else Direction.NOT_COMPARABLE
                cells.append(Cell(direction=direction_view(travel)))
            elif key == "forecast":
                forecast = analysis.forecast
                cells.append(Cell(rating=rating_view(forecast.rating)) if forecast else Cell("–"))
            elif key == "benchmark":
                cells.append(benchmark_cell(ind, latest))
            elif key in ("variation", "assurance"):
                if analysis.spc is None:
                    cells.append(Cell("–"))
                else:
                    make = variation_icon if key == "variation" else assurance_icon
                    cells.append(Cell(icon=make(analysis, f"sum-{key}-{ind.id}")))
        rows.append(cells)
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
