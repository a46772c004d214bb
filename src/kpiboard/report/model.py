"""The report model: everything a committee report shows, decided once for every output format.

Renderers (HTML, PDF) only lay this out; no rating, formatting or selection happens in templates.
The model is plain data (dataclasses of strings, numbers and lists) so that it can also be handed
to typst as JSON.
"""

from __future__ import annotations

import calendar as _calendar
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from ..core.direction import Direction
from ..core.evaluate import IndicatorResult
from ..core.indicators import Indicator, IndicatorKind
from ..core.periods import Period
from ..core.rating import Rating
from ..packs.model import DEFAULT_DIRECTION_KEY, Pack, Section
from .charts import ChartLine, LineChart, render_line_chart

TREND_PERIODS = 13
ARROWS = {
    Direction.IMPROVED: "▲",
    Direction.WORSENED: "▼",
    Direction.NO_CHANGE: "►",
    Direction.NOT_COMPARABLE: "–",
}


@dataclass
class RatingView:
    code: str  # GREEN, AMBER, RED, NOT_RATED, NO_DATA, NO_TARGET
    words: str
    overridden: bool = False
    computed: str = ""  # the computed rating's words, when overridden


@dataclass
class DirectionView:
    code: str
    words: str
    arrow: str


@dataclass
class Cell:
    text: str = ""
    rating: RatingView | None = None
    direction: DirectionView | None = None
    link: str = ""  # anchor of the indicator page
    numeric: bool = False


@dataclass
class Column:
    key: str
    heading: str
    numeric: bool = False


@dataclass
class SummaryTable:
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]


@dataclass
class TrendRow:
    label: str
    cells: list[str]
    kind: str = "value"  # actual, target, comparator, extra, threshold


@dataclass
class TrendTable:
    caption: str
    periods: list[str]  # display labels
    rows: list[TrendRow]
    ratings: list[RatingView] | None  # None for not-rated indicators


@dataclass
class Commentary:
    period: str
    markdown: str
    draft: bool = False


@dataclass
class IndicatorPage:
    id: str
    anchor: str
    number: str
    title: str
    heading: str
    section: str
    kind: str
    rating: RatingView
    direction: DirectionView
    latest_period: str
    latest_value: str
    target_value: str
    metadata: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    chart_svg: str
    chart_title: str
    chart_description: str
    trend: TrendTable
    overrides: list[str]
    footnotes: list[str]
    commentary: Commentary | None
    illustrative: str = ""
    range_status: str = ""  # lead indicators: within, above or below the expected range


@dataclass
class NarrativeView:
    title: str
    markdown: str


@dataclass
class SectionView:
    id: str
    title: str
    metadata: list[tuple[str, str]]
    summary: SummaryTable
    narrative: list[NarrativeView]
    pages: list[IndicatorPage]
    lead_pages: list[IndicatorPage]


@dataclass
class KeyEntry:
    code: str
    words: str
    meaning: str
    arrow: str = ""


@dataclass
class ReportModel:
    title: str
    subtitle: str
    organisation: str
    as_at: str
    generated: str
    subset: str
    rating_key: list[KeyEntry]
    direction_key: list[KeyEntry]
    sections: list[SectionView] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def pages(self) -> list[IndicatorPage]:
        return [p for s in self.sections for p in s.pages + s.lead_pages]


def rating_view(rating: Rating, computed: Rating | None = None) -> RatingView:
    """``computed`` is given only for an overridden rating: the one the rule produced."""
    return RatingView(
        code=rating.name,
        words=rating.words,
        overridden=computed is not None,
        computed=computed.words if computed is not None else "",
    )


def direction_view(direction: Direction) -> DirectionView:
    return DirectionView(direction.value, direction.words, ARROWS[direction])


def _month_year(period: Period) -> str:
    return f"{_calendar.month_name[period.end.month]} {period.end.year}"


def _fmt(indicator: Indicator, value: float | None, series: str = "actual") -> str:
    unit = indicator.unit
    definition = indicator.series_def(series)
    if definition is not None and definition.unit is not None:
        unit = definition.unit
    return "" if value is None else unit.format(value)


def _trend_slice(result: IndicatorResult, count: int = TREND_PERIODS) -> list[int]:
    """Indices of the periods a page shows: the last ``count`` up to the as-at period, then the
    rest of the as-at financial year (empty future columns keep the year's targets in view)."""
    periods = [r.period for r in result.periods]
    as_at = result.as_at
    if as_at is None:
        return list(range(max(0, len(periods) - count), len(periods)))
    past = [i for i, p in enumerate(periods) if p.end <= as_at.end]
    year_end = result.calendar.year(result.calendar.year_of(as_at.end)).end
    future = [i for i, p in enumerate(periods) if as_at.end < p.end <= year_end]
    return past[-count:] + future


def _range_status(result: IndicatorResult) -> str:
    latest = result.latest
    if latest is None:
        return ""
    lower = result.series_value("lower", latest.period)
    upper = result.series_value("upper", latest.period)
    value = latest.actual
    if value is None or (lower is None and upper is None):
        return ""
    if upper is not None and value > upper:
        return "above"
    if lower is not None and value < lower:
        return "below"
    return "within"


def _auto_notes(pack: Pack, result: IndicatorResult) -> list[tuple[str, str]]:
    ind = result.indicator
    notes = list(ind.notes)
    if not ind.rated:
        reason = ind.not_rated_reason
        if not reason and ind.kind is IndicatorKind.LEAD:
            reason = "an activity measure shown against its expected range"
        notes.append(("Rating", f"Not rated: {reason}" if reason else "Not rated"))
    else:
        notes.append(("Tolerance", ind.polarity.words))
        rules = ind.rules
        if len(rules) == 1:
            notes.append(("Rating rule", rules[0].describe(ind.polarity)))
        else:
            for rule in rules:
                start = (
                    "From the start"
                    if rule.from_year is None
                    else f"From {pack.calendar.year_label(rule.from_year)}"
                )
                notes.append((f"Rating rule ({start.lower()})", rule.describe(ind.polarity)))
    for year, value in ind.year_end_targets:
        label = "Year-end ambition" if not ind.rated else "Year-end target"
        notes.append((f"{label} {pack.calendar.year_label(year)}", ind.unit.format(value)))
    if ind.tags:
        notes.append(("Programmes", ", ".join(pack.tag_label(t) for t in ind.tags)))
    return notes


def _chart(result: IndicatorResult, idx: list[int], page_anchor: str) -> tuple[str, str, str]:
    ind = result.indicator
    periods = [result.periods[i].period for i in idx]
    actual = [result.periods[i].actual for i in idx]
    ratings = [
        result.periods[i].rating if result.periods[i].rating.is_colour else None for i in idx
    ]
    lines = []
    if ind.rated and any(result.periods[i].target is not None for i in idx):
        lines.append(ChartLine("Target", [result.periods[i].target for i in idx], "target"))
    for comp in ind.comparators:
        values = [_nan_none(result.data.get(comp.name)[result.data.index_of(p)]) for p in periods]
        if any(v is not None for v in values):
            lines.append(ChartLine(comp.label, values, "comparator"))
    band = None
    if result.data.has("lower") or result.data.has("upper"):
        lower = [_nan_none(result.data.get("lower")[result.data.index_of(p)]) for p in periods]
        upper = [_nan_none(result.data.get("upper")[result.data.index_of(p)]) for p in periods]
        band = (lower, upper)
    title = ind.display_title
    shown = [(p, v) for p, v in zip(periods, actual, strict=True) if v is not None]
    if shown:
        first, last = shown[0], shown[-1]
        desc = (
            f"Line chart of {title} from {first[0].display} to {last[0].display}: "
            f"{_fmt(ind, first[1])} at the start, {_fmt(ind, last[1])} at the latest point"
        )
        latest_target = next(
            (
                result.periods[i].target
                for i in reversed(idx)
                if result.periods[i].actual is not None
            ),
            None,
        )
        if latest_target is not None and ind.rated:
            desc += f", against a target of {_fmt(ind, latest_target)}"
        desc += ". The figures are in the table below."
    else:
        desc = f"Line chart of {title}: no figures yet."
    chart = LineChart(
        chart_id=f"chart-{page_anchor}",
        title=title,
        description=desc,
        periods=periods,
        actual=actual,
        ratings=ratings,
        unit=ind.unit,
        lines=lines,
        band=band,
    )
    return render_line_chart(chart), title, desc


def _nan_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _computed_words(result: IndicatorResult, period: Period) -> str:
    at = result.at(period)
    return at.computed.words if at else "rating"


def indicator_page(pack: Pack, result: IndicatorResult) -> IndicatorPage:
    ind = result.indicator
    anchor = f"ind-{ind.id}"
    idx = _trend_slice(result)
    view = [result.periods[i] for i in idx]
    latest = result.latest

    rows = [TrendRow("Actual", [_fmt(ind, r.actual) for r in view], "actual")]
    if ind.rated:
        rows.append(TrendRow("Target", [_fmt(ind, r.target) for r in view], "target"))
    if result.data.has("floor"):
        rows.append(TrendRow("Floor", [_fmt(ind, r.floor) for r in view], "target"))
    for name, label in (("lower", "Lower threshold"), ("upper", "Upper threshold")):
        if result.data.has(name):
            rows.append(
                TrendRow(
                    label,
                    [_fmt(ind, result.series_value(name, r.period)) for r in view],
                    "threshold",
                )
            )
    for definition in ind.comparators + ind.extras:
        values = [result.series_value(definition.name, r.period) for r in view]
        if any(v is not None for v in values):
            rows.append(
                TrendRow(
                    definition.label,
                    [_fmt(ind, v, definition.name) for v in values],
                    definition.role.value,
                )
            )
    ratings = None
    if ind.rated:
        ratings = [rating_view(r.rating, r.computed if r.overridden else None) for r in view]
    overrides = [
        f"{o.period.display}: rated {o.rating.words} by {o.by}, replacing the computed "
        f"{_computed_words(result, o.period)}. Reason: {o.reason}"
        for o in ind.overrides
    ]
    footnotes = [
        f"{r.period.display}: {pack.data_notes[(ind.id, r.period)]}"
        for r in view
        if (ind.id, r.period) in pack.data_notes
    ]
    commentary = pack.commentary_for(ind.id, result.as_at)
    chart_svg, chart_title, chart_description = _chart(result, idx, anchor)
    if latest is None:
        rating = rating_view(Rating.NO_DATA if ind.rated else Rating.NOT_RATED)
        direction = direction_view(Direction.NOT_COMPARABLE)
    else:
        rating = rating_view(latest.rating, latest.computed if latest.overridden else None)
        direction = direction_view(latest.direction)
    heading = f"{ind.number}. {ind.title}" if ind.number else ind.title
    return IndicatorPage(
        id=ind.id,
        anchor=anchor,
        number=ind.number,
        title=ind.title,
        heading=heading,
        section=ind.section,
        kind=ind.kind.value,
        rating=rating,
        direction=direction,
        latest_period=latest.period.display if latest else "",
        latest_value=_fmt(ind, latest.actual) if latest else "",
        target_value=_fmt(ind, latest.target) if latest else "",
        metadata=list(ind.metadata),
        notes=_auto_notes(pack, result),
        chart_svg=chart_svg,
        chart_title=chart_title,
        chart_description=chart_description,
        trend=TrendTable(
            f"{ind.display_title}: figures by period",
            [r.period.display for r in view],
            rows,
            ratings,
        ),
        overrides=overrides,
        footnotes=footnotes,
        commentary=Commentary(commentary.period.display, commentary.text) if commentary else None,
        illustrative=ind.illustrative,
        range_status=_range_status(result) if ind.kind is IndicatorKind.LEAD else "",
    )


def _summary(
    pack: Pack, section: Section, results: dict[str, IndicatorResult], indicators: list[Indicator]
) -> SummaryTable:
    year = pack.calendar.year_of(pack.as_at.end)
    this_year, last_year = pack.calendar.year_label(year), pack.calendar.year_label(year - 1)
    headings = {
        "number": ("No.", False),
        "title": ("Indicator", False),
        "outturn": (f"Outturn {last_year}", True),
        "target": (f"Target {this_year}", True),
        "current": ("Current position", True),
        "data_period": ("Data period", False),
        "rating": ("Rating", False),
        "previous_rating": ("Previous rating", False),
        "direction": ("Direction of travel", False),
    }
    columns = []
    for key in section.summary_columns:
        if key.startswith("tag:"):
            columns.append(Column(key, pack.tag_label(key[4:])))
        else:
            heading, numeric = headings[key]
            columns.append(Column(key, heading, numeric))
    rows = []
    for ind in indicators:
        if ind.kind is IndicatorKind.LEAD:
            continue
        result = results[ind.id]
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
                cells.append(Cell(_fmt(ind, out.actual) if out else "", numeric=True))
            elif key == "target":
                target = (
                    latest.target
                    if latest and latest.target is not None
                    else ind.year_end_target(year)
                )
                cells.append(Cell(_fmt(ind, target), numeric=True))
            elif key == "current":
                cells.append(Cell(_fmt(ind, latest.actual) if latest else "", numeric=True))
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
                    cells.append(
                        Cell(
                            rating=rating_view(
                                point.rating, point.computed if point.overridden else None
                            )
                        )
                    )
            elif key == "direction":
                cells.append(
                    Cell(
                        direction=direction_view(
                            latest.direction if latest else Direction.NOT_COMPARABLE
                        )
                    )
                )
        rows.append(cells)
    caption = (
        section.summary_caption
        or f"{section.title}: summary of indicators, {_month_year(pack.as_at)}"
    )
    return SummaryTable(caption, columns, rows)


def build_report(
    pack: Pack,
    *,
    tags: tuple[str, ...] = (),
    as_at: Period | None = None,
    subset_title: str = "",
    today: date | None = None,
    progress: Callable[[int], object] | None = None,
) -> ReportModel:
    """The report for ``pack`` (only indicators carrying one of ``tags``, when given).

    ``progress`` is called with 1 after each indicator page, for progress bars.
    """
    when = as_at or pack.as_at
    results = pack.evaluate(when)
    model = ReportModel(
        title=pack.title,
        subtitle=pack.subtitle,
        organisation=pack.organisation,
        as_at=_month_year(when),
        generated=(today or date.today()).isoformat(),
        subset=subset_title,
        rating_key=[
            KeyEntry(code, Rating[code].words, text) for code, text in pack.rating_key.items()
        ],
        direction_key=[
            KeyEntry(code, Direction(code).words, text, ARROWS[Direction(code)])
            for code, text in DEFAULT_DIRECTION_KEY.items()
        ],
    )
    for section in pack.sections:
        indicators = pack.indicators_of(section, tags)
        if not indicators:
            continue
        pages = []
        for ind in indicators:
            pages.append(indicator_page(pack, results[ind.id]))
            if progress is not None:
                progress(1)
        model.sections.append(
            SectionView(
                id=section.id,
                title=section.title,
                metadata=list(section.metadata),
                summary=_summary(pack, section, results, indicators),
                narrative=[]
                if tags
                else [NarrativeView(n.title, n.markdown) for n in section.narrative],
                pages=[p for p in pages if p.kind != IndicatorKind.LEAD.value],
                lead_pages=[p for p in pages if p.kind == IndicatorKind.LEAD.value],
            )
        )
    return model
