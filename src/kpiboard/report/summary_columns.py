"""Every column a section's summary table can show, in one registry.

Each :class:`SummaryColumn` holds all there is to know about one column: its heading, whether it
holds figures, how wide the PDF prints it, the cell it gives each indicator, and what it shows in
words (the meaning docs/pack-format.md lists, checked by a test). The report's summary tables,
the web dashboard's and the manifest check all read this one list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..core.analysis import Analysis
from ..core.direction import Direction
from ..core.evaluate import PeriodResult
from ..core.indicators import Indicator
from ..core.rating import Rating
from ..core.significance import Comparison, against
from ..core.summary_columns import TAG_PREFIX, SummaryColumnKey, tag_of
from .model import Cell, Column, RatingView, direction_view, fmt_value, rating_view
from .pages import assurance_icon, variation_icon

K = SummaryColumnKey

#: A column's printed width: millimetres, "fill" (what the other columns leave) or "auto" (as
#: wide as its content).
Width = float | Literal["fill", "auto"]


@dataclass(frozen=True)
class Years:
    """The financial years a summary table's headings name ("2013/14" and "2012/13")."""

    this_year: str
    last_year: str


@dataclass(frozen=True)
class Row:
    """What a column's cell is made from: one indicator's analysis in the report's year."""

    analysis: Analysis
    year: int

    @property
    def indicator(self) -> Indicator:
        return self.analysis.indicator

    @property
    def latest(self) -> PeriodResult | None:
        return self.analysis.result.latest

    @property
    def anchor(self) -> str:
        """The id of the indicator's page in the report, which some cells link to."""
        return f"ind-{self.indicator.id}"


@dataclass(frozen=True)
class SummaryColumn:
    key: str
    heading: str | Callable[[Years], str]
    meaning: str
    cell: Callable[[Row], Cell]
    numeric: bool = False
    width: Width = "auto"

    def column(self, years: Years) -> Column:
        """The column as the report model carries it to the templates."""
        heading = self.heading if isinstance(self.heading, str) else self.heading(years)
        return Column(self.key, heading, self.numeric, self.width, self.key == K.TITLE)


def _outturn(row: Row) -> Cell:
    out = row.analysis.result.outturn(row.year - 1)
    return Cell(fmt_value(row.indicator, out.actual) if out else "", numeric=True)


def _target(row: Row) -> Cell:
    latest = row.latest
    target = latest.target if latest and latest.target is not None else None
    if target is None:
        target = row.indicator.year_end_target(row.year)
    return Cell(fmt_value(row.indicator, target), numeric=True)


def _current(row: Row) -> Cell:
    return Cell(fmt_value(row.indicator, row.latest.actual) if row.latest else "", numeric=True)


def _rating_of(point: Callable[[Row], PeriodResult | None]) -> Callable[[Row], Cell]:
    """A rating cell for the period ``point`` picks; an unrated indicator's cell links to its
    page, which says why it is not rated."""

    def cell(row: Row) -> Cell:
        if not row.indicator.rated:
            view = rating_view(Rating.NOT_RATED)
            return Cell("Not rated: see the indicator page", link=row.anchor, rating=view)
        result = point(row)
        if result is None:
            return Cell(rating=rating_view(Rating.NO_DATA))
        computed = result.computed if result.overridden else None
        return Cell(rating=rating_view(result.rating, computed))

    return cell


def _direction(row: Row) -> Cell:
    travel = row.latest.direction if row.latest else Direction.NOT_COMPARABLE
    return Cell(direction=direction_view(travel))


def _forecast(row: Row) -> Cell:
    forecast = row.analysis.forecast
    return Cell(rating=rating_view(forecast.rating)) if forecast else Cell("–")


def _icon(key: SummaryColumnKey) -> Callable[[Row], Cell]:
    make = variation_icon if key is K.VARIATION else assurance_icon

    def cell(row: Row) -> Cell:
        if row.analysis.spc is None:
            return Cell("–")
        return Cell(icon=make(row.analysis, f"sum-{key}-{row.indicator.id}"))

    return cell


def _benchmark(row: Row) -> Cell:
    """The latest figure against the benchmark, in words ("Better than England") with the
    comparison's colour (green, amber, red; neutral for higher, lower or not compared)."""
    ind = row.indicator
    if ind.benchmark is None:
        return Cell("–")
    latest = row.latest
    comparison = latest.comparison if latest is not None else Comparison.NOT_COMPARED
    return Cell(rating=RatingView(comparison.rating.name, against(comparison, ind.benchmark_label)))


_COLUMNS = (
    SummaryColumn(
        K.NUMBER, "No.", "the indicator's number", lambda r: Cell(r.indicator.number), width=7
    ),
    SummaryColumn(
        K.TITLE,
        "Indicator",
        "its title, linked to its page",
        lambda r: Cell(r.indicator.title, link=r.anchor),
        width="fill",
    ),
    SummaryColumn(
        K.OUTTURN,
        lambda y: f"Outturn {y.last_year}",
        "last financial year's outturn, made by the indicator's `aggregation`",
        _outturn,
        numeric=True,
        width=15,
    ),
    SummaryColumn(
        K.TARGET,
        lambda y: f"Target {y.this_year}",
        "the target for the latest period (or the year-end target)",
        _target,
        numeric=True,
        width=15,
    ),
    SummaryColumn(
        K.CURRENT, "Current position", "the latest figure", _current, numeric=True, width=15
    ),
    SummaryColumn(
        K.LATEST_PERIOD,
        "Latest period",
        "the period of the latest figure (Sep-13, 2013/14 Q2): shows a lag",
        lambda r: Cell(r.latest.period.display if r.latest else ""),
    ),
    SummaryColumn(
        K.DATA_PERIOD,
        "Data period",
        "the indicator's `data_period` (12M, Month, Quarterly, Cumulative...)",
        lambda r: Cell(r.indicator.data_period),
        width=16,
    ),
    SummaryColumn(
        K.RATING,
        "Rating",
        "the latest rating, in words and colour",
        _rating_of(lambda r: r.latest),
        width=17,
    ),
    SummaryColumn(
        K.PREVIOUS_RATING,
        "Previous rating",
        "the rating of the period before the latest",
        _rating_of(lambda r: r.analysis.result.previous),
        width=17,
    ),
    SummaryColumn(
        K.DIRECTION,
        "Direction of travel",
        "direction of travel, as an arrow and in words",
        _direction,
        width=21,
    ),
    SummaryColumn(
        K.FORECAST,
        "Forecast year-end rating",
        "the forecast year-end rating (see below)",
        _forecast,
        width=17,
    ),
    SummaryColumn(
        K.VARIATION,
        "Variation",
        "the SPC variation icon and its label (indicators with `spc`)",
        _icon(K.VARIATION),
        width=22,
    ),
    SummaryColumn(
        K.ASSURANCE,
        "Assurance",
        "the SPC assurance icon and its label (indicators with `spc`)",
        _icon(K.ASSURANCE),
        width=22,
    ),
    SummaryColumn(
        K.BENCHMARK,
        "Compared with benchmark",
        'the latest figure against its benchmark, in words and colour: "Better than England", '
        '"Similar to England", "Worse than England" ("Higher"/"Lower" for close-to-target; '
        '"Not compared" without an interval); "–" for indicators without `benchmark`',
        _benchmark,
    ),
)

#: The summary columns by key, in the order the docs list them.
SUMMARY_COLUMNS: dict[str, SummaryColumn] = {c.key: c for c in _COLUMNS}

#: The meaning of a ``tag:NAME`` column, whose heading is the tag's label.
TAG_MEANING = '"Yes" where the indicator carries tag NAME (heading: the tag\'s label)'

#: The columns of the web dashboard's tables.
DASHBOARD_COLUMNS: tuple[SummaryColumnKey, ...] = (
    K.TITLE,
    K.CURRENT,
    K.LATEST_PERIOD,
    K.TARGET,
    K.RATING,
    K.DIRECTION,
    K.VARIATION,
    K.ASSURANCE,
    K.FORECAST,
)


def tag_column(key: str, label: str) -> SummaryColumn:
    """The ``tag:NAME`` column headed ``label``."""
    tag = tag_of(key)
    assert tag is not None, f"{key!r} does not start {TAG_PREFIX!r}"
    return SummaryColumn(
        key,
        label,
        TAG_MEANING,
        lambda r: Cell("Yes" if tag in r.indicator.tags else "No"),
        width=11,
    )
