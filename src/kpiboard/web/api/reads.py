"""The read endpoints. Each is a thin view: filters are checked by the schema, rows come from
:mod:`.rows`, and :func:`conditional` answers 304 when the client's ETag is still current."""

from __future__ import annotations

import functools
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router
from pydantic import Field

from .. import store
from ..models import Definition
from . import rows
from .http import (
    ApiError,
    CsvFilters,
    Filters,
    Paging,
    csv_or_page,
    etag_for,
    not_modified,
    page_of,
)
from .schemas import (
    CommentaryPage,
    ErrorOut,
    FigureOut,
    FiguresPage,
    IndicatorDetailOut,
    IndicatorsPage,
    PeerOut,
    PeersPage,
    PeriodOut,
    PeriodsPage,
    ResultOut,
    ResultsPage,
    SectionsPage,
    SignoffsPage,
    Text,
)

router = Router()

#: Responses every read may give besides 200.
READ_ERRORS = {304: None, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut}


def csv_doc(schema) -> dict:
    """The OpenAPI description of an endpoint that also answers ``?format=csv``."""
    return {
        "responses": {
            200: {
                "description": "A page of JSON, or with format=csv every row as CSV",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    }


def conditional(view):
    """Answer 304 Not Modified, without doing the work, when If-None-Match names the current
    ETag; otherwise put the ETag on the answer."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        etag = etag_for(request)
        cached = not_modified(request, etag)
        if cached is not None:
            return cached
        answer = view(request, *args, **kwargs)
        if isinstance(answer, HttpResponse):
            answer["ETag"] = etag
        else:
            kwargs["response"]["ETag"] = etag
        return answer

    return wrapped


def _pack(request):
    return store.current(request)[1]


@router.get("/sections", response={200: SectionsPage, **READ_ERRORS})
@conditional
def sections(request, response: HttpResponse, paging: Query[Paging]):
    """Every section, in the pack's order, with how many indicators it holds."""
    pack = _pack(request)
    found = [
        {"code": s.id, "title": s.title, "position": i, "indicators": len(s.indicator_ids)}
        for i, s in enumerate(pack.sections)
    ]
    return page_of(found, paging)


def _indicator(pack, code: str) -> dict:
    ind = pack.indicators[code]
    return {
        "code": code,
        "title": ind.title,
        "section": ind.section,
        "number": ind.number,
        "kind": ind.kind.value,
        "tags": list(ind.tags),
        "unit": ind.unit.label,
        "polarity": ind.polarity.value,
        "frequency": ind.frequency,
        "rated": ind.rated,
        "metadata": dict(ind.metadata),
    }


@router.get("/indicators", response={200: IndicatorsPage, **READ_ERRORS})
@conditional
def indicators(request, response: HttpResponse, filters: Query[Filters]):
    """Indicators with their metadata; ``since`` and ``until`` do not apply."""
    pack = _pack(request)
    codes = rows.chosen_indicators(pack, filters.section, filters.tag, filters.indicator)
    return page_of([_indicator(pack, c) for c in codes], filters)


@router.get(
    "/indicators/{code}",
    response={200: IndicatorDetailOut, 304: None, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut},
)
@conditional
def indicator(request, response: HttpResponse, code: str):
    """One indicator, with its whole definition as the pack holds it."""
    pack = _pack(request)
    if code not in pack.indicators:
        raise ApiError(404, [{"item": None, "field": "code", "message": f"No indicator {code!r}"}])
    definition = Definition.objects.filter(indicator__code=code, is_current=True).first()
    return {
        **_indicator(pack, code),
        "definition": definition.body if definition else {},
        "definition_revision": definition.revision if definition else 0,
    }


@router.get("/periods", response={200: PeriodsPage, **READ_ERRORS})
@conditional
def periods(request, response: HttpResponse, paging: Query[Paging]):
    """The periods that have figures, oldest first, and which is the reporting month."""
    pack = _pack(request)
    seen = {p for data in pack.data.values() for p in data.periods}
    seen.add(pack.as_at)
    found = [
        PeriodOut(
            period=p.label,
            period_label=p.display,
            kind=p.kind.value,
            start=p.start,
            end=p.end,
            reporting=p == pack.as_at,
        ).dict()
        for p in sorted(seen, key=lambda p: (p.start, p.end))
    ]
    return page_of(found, paging)


class FigureFilters(CsvFilters):
    series: Text | None = Field(None, max_length=60, description="One series, e.g. actual")


FIGURE_COLUMNS = tuple(FigureOut.model_fields)


@router.get(
    "/figures", response={200: FiguresPage, **READ_ERRORS}, openapi_extra=csv_doc("FiguresPage")
)
@conditional
def figures(request, response: HttpResponse, filters: Query[FigureFilters]):
    """Every current figure of every series (actual, targets, comparators, extras)."""
    found = rows.figures(_pack(request), filters, filters.series)
    return csv_or_page(request, response, filters, found, FIGURE_COLUMNS, "figures")


RATINGS = Literal["GREEN", "AMBER", "RED", "NOT_RATED", "NO_TARGET", "NO_DATA"]


class ResultFilters(CsvFilters):
    rating: RATINGS | None = None


@router.get(
    "/results", response={200: ResultsPage, **READ_ERRORS}, openapi_extra=csv_doc("ResultsPage")
)
@conditional
def results(request, response: HttpResponse, filters: Query[ResultFilters]):
    """Every indicator and period up to the reporting month: rating (and the computed one
    under an override), direction, SPC point type and icons, forecast, expected range and
    peer rank."""
    found = rows.results(request, filters, filters.rating)
    return csv_or_page(request, response, filters, found, tuple(ResultOut.model_fields), "results")


@router.get("/peers", response={200: PeersPage, **READ_ERRORS}, openapi_extra=csv_doc("PeersPage"))
@conditional
def peers(request, response: HttpResponse, filters: Query[CsvFilters]):
    """Other organisations' figures, as ranked in the results."""
    found = rows.peers(_pack(request), filters)
    columns = tuple(PeerOut.model_fields)
    return csv_or_page(request, response, filters, found, columns, "peers")


@router.get("/commentary", response={200: CommentaryPage, **READ_ERRORS})
@conditional
def commentary(request, response: HttpResponse, filters: Query[Filters]):
    """The current commentary of each indicator and period."""
    return page_of(rows.commentary(_pack(request), filters), filters)


class SignoffFilters(Paging):
    section: Text | None = Field(None, max_length=60)
    since: Text | None = Field(None, max_length=20)
    until: Text | None = Field(None, max_length=20)


@router.get("/signoffs", response={200: SignoffsPage, **READ_ERRORS})
@conditional
def signoffs(request, response: HttpResponse, filters: Query[SignoffFilters]):
    """Where each section's periods stand: draft, submitted or approved."""
    found = rows.signoffs(_pack(request), filters.section, filters.since, filters.until)
    return page_of(found, filters)
