"""What every read endpoint shares: filters, pages, CSV and ETags."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterable, Sequence
from typing import Literal

from django.http import HttpResponse, HttpResponseNotModified
from ninja import Schema
from pydantic import Field

from ...core.periods import FinancialCalendar, Period, PeriodError
from ...packs.spreadsheet_safety import neutralise_formula
from ..models import Site
from .schemas import Text

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100


class ApiError(Exception):
    """A request refused with ``status`` and errors naming the item and field."""

    def __init__(self, status: int, errors: list[dict]):
        self.status = status
        self.errors = errors
        super().__init__(errors)


def bad_field(field: str, message: str) -> ApiError:
    return ApiError(400, [{"item": None, "field": field, "message": message}])


class Paging(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class Filters(Paging):
    section: Text | None = Field(None, max_length=60, description="A section code")
    tag: Text | None = Field(None, max_length=60)
    indicator: Text | None = Field(None, max_length=60, description="An indicator code")
    since: Text | None = Field(None, max_length=20, description="Periods ending on or after")
    until: Text | None = Field(None, max_length=20, description="Periods starting on or before")


class CsvPaging(Paging):
    format: Literal["json", "csv"] = Field(
        "json", description="csv: every matching row (no pages) as CSV"
    )


class CsvFilters(Filters, CsvPaging):
    pass


def period_window(
    calendar: FinancialCalendar, since: str | None, until: str | None
) -> tuple[Period | None, Period | None]:
    found = []
    for name, label in (("since", since), ("until", until)):
        try:
            found.append(calendar.parse(label) if label else None)
        except PeriodError as exc:
            raise bad_field(name, str(exc)) from None
    return found[0], found[1]


def in_window(period: Period, window: tuple[Period | None, Period | None]) -> bool:
    since, until = window
    return (since is None or period.end >= since.start) and (
        until is None or period.start <= until.end
    )


def page_of(rows: Sequence, paging: Paging) -> dict:
    count = len(rows)
    start = (paging.page - 1) * paging.page_size
    return {
        "count": count,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": max(1, math.ceil(count / paging.page_size)),
        "items": list(rows[start : start + paging.page_size]),
    }


def csv_response(rows: Iterable[dict], columns: Sequence[str], name: str) -> HttpResponse:
    """Every row as CSV under ``columns`` (the JSON field names, in the same order); text that a
    spreadsheet would run as a formula is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else neutralise_formula(row[c]) for c in columns])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def clean_number(value) -> float | None:
    """JSON has no NaN or infinity: a missing figure is null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def etag_for(request) -> str:
    """Every read answers from the data as at ``Site.version``, which every change bumps, so the
    version and the full address (filters, page, format) name the response."""
    version = Site.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    key = f"{version}|{request.get_full_path()}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def not_modified(request, etag: str) -> HttpResponse | None:
    wanted = request.headers.get("If-None-Match", "")
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    if etag in tags or "*" in tags:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    return None


def csv_or_page(request, response, filters: CsvPaging, rows: list[dict], columns, name):
    """Rows as CSV (all) or as a page of JSON, with the ETag on either."""
    etag = etag_for(request)
    if filters.format == "csv":
        answer = csv_response(rows, columns, name)
        answer["ETag"] = etag
        return answer
    response["ETag"] = etag
    return page_of(rows, filters)
