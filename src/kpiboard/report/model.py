"""The report model: everything a committee report shows, decided once for every output format.

Renderers (HTML, PDF) only lay this out; no rating, formatting or selection happens in templates.
The model is plain data (dataclasses of strings, numbers and lists) so that it can also be handed
to typst as JSON. ``pages.py`` and ``tables.py`` fill it in; ``build.py`` puts a report together.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from ..core.direction import Direction
from ..core.indicators import Indicator
from ..core.periods import Period
from ..core.rating import Rating

if TYPE_CHECKING:
    from .plan_pages import PlanSectionView
    from .priority_pages import PriorityPageView

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
class IconView:
    """An SPC icon: its code, a plain-English label (always printed) and its SVG."""

    code: str
    label: str
    svg: str


@dataclass
class Cell:
    text: str = ""
    rating: RatingView | None = None
    direction: DirectionView | None = None
    icon: IconView | None = None
    link: str = ""  # anchor of the indicator page
    numeric: bool = False


@dataclass
class Column:
    """A summary table column (see summary_columns): ``width`` is millimetres, "fill" or
    "auto"; ``heads_row`` marks the column whose cell names the row."""

    key: str
    heading: str
    numeric: bool = False
    width: float | str = "auto"
    heads_row: bool = False


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
    range_status: str = ""  # lead indicators: a RangeStatus value ("" when none), for styling
    range_label: str = ""  # its words, RangeStatus.label: "Above expected range"
    range_text: str = (
        ""  # e.g. "The latest figure (104, Sep-13) is above the expected range (50 to 100)."
    )
    spc: SpcView | None = None
    forecast: ForecastView | None = None
    peers: list[PeerView] = field(default_factory=list)
    peers_heading: str = "Comparison with peers"
    draft: Commentary | None = None


@dataclass
class SpcView:
    svg: str
    title: str
    description: str
    variation: IconView
    assurance: IconView
    explanation: str  # what the chart shows, in a sentence or two
    warnings: list[str]


@dataclass
class ForecastView:
    text: str  # "Forecast year-end 71% (range 66%–74%) against a target of 80%"
    rating: RatingView
    note: str  # how it was worked out


@dataclass
class PeerView:
    label: str  # the peer group
    period: str
    text: str  # "13th of 152 (top quartile); peer mean 75.5%, median 76%; ..."
    rank: int
    of: int
    quartile: int
    illustrative: str = ""


@dataclass
class VariationRow:
    title: str
    link: str
    latest: str
    target: str
    variation: IconView
    assurance: IconView
    rating: RatingView


@dataclass
class VariationTable:
    caption: str
    rows: list[VariationRow]


@dataclass
class LeadRow:
    title: str
    link: str
    latest: str
    period: str
    expected: str  # "50 to 100"
    status: str  # a RangeStatus value or "", for styling
    status_label: str = ""  # its words, RangeStatus.label: "Above expected range"


@dataclass
class LeadTable:
    caption: str
    rows: list[LeadRow]


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
    variation: VariationTable | None = None
    leads: LeadTable | None = None
    overview: list[OverviewRow] = field(default_factory=list)  # its rows of the summary page
    plan: PlanSectionView | None = None  # its business plan actions and risks


@dataclass
class OverviewRow:
    """One indicator on the organisation-wide summary page."""

    number: str
    title: str
    link: str
    section: str  # the section's title
    latest_period: str
    rating: RatingView
    direction: DirectionView
    variation: IconView | None  # None: no SPC chart
    assurance: IconView | None


@dataclass
class MatrixRow:
    icon: IconView  # the variation icon, with its short label
    counts: list[int]  # one per column of the matrix
    total: int


@dataclass
class IconMatrix:
    """Indicators counted by variation icon (rows) and assurance icon (columns)."""

    caption: str
    columns: list[IconView]  # the assurance icons, then "not assessed"
    rows: list[MatrixRow]
    totals: list[int]  # per column
    total: int
    without: int  # indicators with no SPC icons, not in the grid
    note: str  # what the grid counts, in words


@dataclass
class OverviewView:
    title: str
    caption: str
    rows: list[OverviewRow]
    matrix: IconMatrix | None  # None when no indicator has SPC icons


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
    summary_page: bool = True  # print the organisation-wide summary after the contents
    key_notes: list[str] = field(default_factory=list)  # lines under the key to ratings
    priorities: list[PriorityPageView] = field(default_factory=list)  # one page per priority

    def to_dict(self) -> dict:
        data = asdict(self)
        overview = self.overview
        data["overview"] = asdict(overview) if overview is not None else None
        data["priorities"] = [asdict(p) for p in self.priority_pages]
        return data

    @property
    def priority_pages(self) -> list[PriorityPageView]:
        """The priority pages, linking only to indicator pages the report has: one trimmed to
        some sections (a section's report on the web) still lists every indicator of a
        priority, but a link to a page left out would lead nowhere (and typst refuses it)."""
        anchors = {p.anchor for p in self.pages}
        return [
            replace(page, indicators=[
                i if i.anchor in anchors else replace(i, anchor="") for i in page.indicators
            ])
            for page in self.priorities
        ]  # fmt: skip

    @property
    def overview(self) -> OverviewView | None:
        """The summary page of the sections the report has (worked out from them, so that a
        report trimmed to some sections summarises just those)."""
        from .overview import overview

        return overview(self) if self.summary_page and self.sections else None

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


def month_year(period: Period) -> str:
    return f"{_calendar.month_name[period.end.month]} {period.end.year}"


def fmt_value(indicator: Indicator, value: float | None, series: str = "actual") -> str:
    """A value of one of the indicator's series, in that series' unit."""
    unit = indicator.unit
    definition = indicator.series_def(series)
    if definition is not None and definition.unit is not None:
        unit = definition.unit
    return "" if value is None else unit.format(value)
