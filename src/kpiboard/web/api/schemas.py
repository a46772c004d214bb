"""The API's request and response shapes (pydantic, through django-ninja): the published
contract. Column names here are also the CSV columns, so they are stable: add, never rename."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field

from ..writes import MAX_COMMENTARY, MAX_NOTE, MAX_REASON


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    return text


#: Text a client sends: never a NUL byte (PostgreSQL cannot store one).
Text = Annotated[str, AfterValidator(_no_nul)]


class ErrorItem(Schema):
    item: int | None = Field(None, description="The position of the item in `items`, from 0")
    field: str | None = Field(None, description="The field at fault (none: the whole item)")
    message: str


class ErrorOut(Schema):
    errors: list[ErrorItem]


class Page(Schema):
    count: int = Field(description="Items matching the filters, on every page")
    page: int
    page_size: int
    pages: int


class SectionOut(Schema):
    code: str
    title: str
    position: int
    indicators: int


class IndicatorOut(Schema):
    code: str
    title: str
    section: str
    number: str
    kind: str
    tags: list[str]
    unit: str
    polarity: str
    frequency: str
    rated: bool
    metadata: dict[str, str]


class IndicatorDetailOut(IndicatorOut):
    definition: dict[str, Any] = Field(description="The pack's indicator definition, as JSON")
    definition_revision: int


class PeriodOut(Schema):
    period: str
    period_label: str
    kind: str
    start: date
    end: date
    reporting: bool = Field(description="The site's reporting month")


class FigureOut(Schema):
    indicator: str
    section: str
    period: str
    series: str
    value: float
    unit: str
    note: str
    revision: int
    author: str
    recorded: datetime


class ResultOut(Schema):
    indicator: str
    title: str
    section: str
    period: str
    period_label: str
    period_start: str
    period_end: str
    actual: float | None
    target: float | None
    floor: float | None
    unit: str
    ci_lower: float | None
    ci_upper: float | None
    comparison: str | None
    rating: str
    computed_rating: str
    overridden: bool
    override_reason: str
    override_by: str
    direction: str
    spc_point: str | None
    variation: str | None
    assurance: str | None
    peer_group: str | None
    peer_rank: int | None
    peer_of: int | None
    peer_quartile: int | None
    forecast: float | None
    forecast_lower: float | None
    forecast_upper: float | None
    forecast_method: str | None
    forecast_rating: str | None
    forecast_year_end: str | None
    range_lower: float | None
    range_upper: float | None
    range_status: str


class PeerOut(Schema):
    indicator: str
    section: str
    period: str
    organisation: str
    value: float


class CommentaryOut(Schema):
    indicator: str
    section: str
    period: str
    text: str
    revision: int
    author: str
    recorded: datetime


class SignoffOut(Schema):
    section: str
    period: str
    state: str
    revision: int
    author: str
    recorded: datetime


class SectionsPage(Page):
    items: list[SectionOut]


class IndicatorsPage(Page):
    items: list[IndicatorOut]


class PeriodsPage(Page):
    items: list[PeriodOut]


class FiguresPage(Page):
    items: list[FigureOut]


class ResultsPage(Page):
    items: list[ResultOut]


class PeersPage(Page):
    items: list[PeerOut]


class CommentaryPage(Page):
    items: list[CommentaryOut]


class SignoffsPage(Page):
    items: list[SignoffOut]


# --- writes --------------------------------------------------------------------------------------

Code = Annotated[Text, Field(min_length=1, max_length=60)]
Label = Annotated[Text, Field(min_length=1, max_length=20)]


class FigureIn(Schema):
    indicator: Code
    period: Label = Field(description="A period label, e.g. 2013-09 or 2013/14 Q2")
    series: Annotated[Text, Field(min_length=1, max_length=60)] = "actual"
    value: float | None = Field(description="The figure; null withdraws it")
    note: Annotated[Text, Field(max_length=MAX_NOTE)] | None = None
    base_revision: int | None = Field(
        None,
        ge=0,
        description="The revision the client last read (0: none). If someone has changed the "
        "figure since, nothing is written (409). Left out: the current revision.",
    )


class CommentaryIn(Schema):
    indicator: Code
    period: Label
    text: Annotated[Text, Field(max_length=MAX_COMMENTARY)]
    base_revision: int | None = Field(None, ge=0)


Reason = Annotated[Text, Field(max_length=MAX_REASON)]


class FiguresWrite(Schema):
    items: list[FigureIn] = Field(min_length=1, max_length=1000)
    reason: Reason = Field(
        "", description="Why; needed to change a submitted figure or an approved period's"
    )


class CommentaryWrite(Schema):
    items: list[CommentaryIn] = Field(min_length=1, max_length=1000)
    reason: Reason = ""


class WriteItemOut(Schema):
    item: int
    indicator: str
    period: str
    changed: bool


class WriteOut(Schema):
    items: list[WriteItemOut]
    changed: int
    version: int
