"""Recent changes: every revision of figures, commentary, sign-offs and definitions, newest first.

The records are append-only (see models.py), so this is the audit trail itself, not a log kept
beside it: it cannot miss a change or disagree with the data. Pack loads add thousands of
revisions at once and are left out unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import CharField, F, FloatField, Q, Value
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from ...core.periods import PeriodError
from ...report.model import fmt_value
from .. import store
from ..models import CommentaryText, Definition, Figure, Section, Signoff, SignoffState
from .indicator import PACK_LOAD, SERIES_LABELS

PER_PAGE = 50

#: What can be listed: filter value -> (label, model).
KINDS = {
    "figure": ("Figures", Figure),
    "commentary": ("Commentary", CommentaryText),
    "signoff": ("Sign-off", Signoff),
    "definition": ("Definitions", Definition),
}


class Row(NamedTuple):
    """The columns every kind of record is read into, so that one query (a UNION) pages them."""

    kind: str
    pk: int
    created: datetime
    author_id: int | None
    subject: str  # indicator code, or section code for a sign-off
    period: str  # canonical label; "" for a definition
    series: str
    value: float | None
    text: str  # commentary, or the sign-off state
    revision: int
    reason: str


@dataclass
class Entry:
    when: datetime
    who: str
    kind: str
    what: str
    url: str
    change: str
    reason: str


def _rows(kind: str, filters: Q):
    """One kind of revision as :class:`Row` columns."""
    text = CharField()
    blank = Value("", output_field=text)
    none = Value(None, output_field=FloatField())
    model = KINDS[kind][1]
    period = blank if model is Definition else F("period")
    columns = {
        Figure: (F("indicator__code"), F("series"), F("value"), blank),
        CommentaryText: (F("indicator__code"), blank, none, F("text")),
        Signoff: (F("section__code"), blank, none, F("state")),
        Definition: (F("indicator__code"), blank, none, blank),
    }[model]
    subject, series, value, body = columns
    return (
        model.objects.filter(filters)
        .annotate(
            c_kind=Value(kind, output_field=text),
            c_subject=subject,
            c_period=period,
            c_series=series,
            c_value=value,
            c_text=body,
        )
        .values_list(
            "c_kind",
            "pk",
            "created",
            "author_id",
            "c_subject",
            "c_period",
            "c_series",
            "c_value",
            "c_text",
            "revision",
            "reason",
        )
    )


@require_safe
def changes(request):
    pack = store.current(request)[1]
    get = request.GET
    kind = get.get("kind", "") if get.get("kind", "") in KINDS else ""
    sections = list(Section.objects.order_by("position", "title").values_list("code", "title"))
    section = get.get("section", "") if get.get("section", "") in dict(sections) else ""
    people = _people()
    person = get.get("person", "") if get.get("person", "") in dict(people) else ""
    with_loads = get.get("loads") == "1"

    base = Q()
    if not with_loads:
        base &= Q(author__isnull=False)
    if person:
        base &= Q(author_id=int(person))
    queries = []
    for name, (_, model) in KINDS.items():
        if kind and name != kind:
            continue
        filters = base
        if section:
            where = "section__code" if model is Signoff else "indicator__section__code"
            filters &= Q(**{where: section})
        queries.append(_rows(name, filters))
    union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    paginator = Paginator(union.order_by("-created", "-pk"), PER_PAGE)
    page = paginator.get_page(get.get("page"))  # not a number: the first; too far: the last
    found = [Row(*r) for r in page.object_list]
    entries = _entries(found, pack, dict(people), dict(sections))
    keep = {k: v for k, v in (("kind", kind), ("section", section), ("person", person)) if v}
    if with_loads:
        keep["loads"] = "1"
    return render(
        request,
        "kpiboard/changes.html",
        {
            "entries": entries,
            "page": page,
            "paginator": paginator,
            "kind": kind,
            "section": section,
            "person": person,
            "with_loads": with_loads,
            "kinds": [(k, label) for k, (label, _) in KINDS.items()],
            "sections": sections,
            "people": people,
            "query": urlencode(keep),
            "filtered": bool(keep),
        },
    )


def _people() -> list[tuple[str, str]]:
    """Everyone who can sign in, as filter choices: (id, "Full Name (username)")."""
    out = []
    for pk, username, first, last in (
        get_user_model()
        .objects.order_by("username")
        .values_list("pk", "username", "first_name", "last_name")
    ):
        full = f"{first} {last}".strip()
        out.append((str(pk), f"{full} ({username})" if full else username))
    return out


def _entries(rows: list[Row], pack, people: dict[str, str], sections: dict[str, str]):
    """Rows as the page shows them, each figure with the value it replaced."""
    previous = _previous_figures(rows)
    out = []
    for row in rows:
        who = people.get(str(row.author_id), PACK_LOAD) if row.author_id else PACK_LOAD
        display = _period_display(pack, row.period)
        ind = pack.indicators.get(row.subject) if row.kind != "signoff" else None
        if row.kind == "signoff":
            what = f"{sections.get(row.subject, row.subject)}, {display}"
            url = reverse("kpiboard:entry")
            change = f"Sign-off: {SignoffState(row.text).label.lower()}"
        elif row.kind == "definition":
            what, url = row.subject, reverse("kpiboard:indicator", args=[row.subject])
            change = f"Definition revision {row.revision}"
        else:
            what = f"{row.subject}, {display}"
            url = reverse("kpiboard:indicator_history", args=[row.subject])
            if row.kind == "figure":
                label = SERIES_LABELS.get(row.series, row.series.replace("_", " ").capitalize())
                what = f"{what}, {label}"
                new = _figure(ind, row.value, row.series)
                old = previous.get((row.subject, row.period, row.series, row.revision - 1))
                change = f"{old} → {new}" if old is not None else f"Set to {new}"
            else:
                change = Truncator(row.text).words(25) if row.text else "Commentary removed"
        out.append(Entry(row.created, who, KINDS[row.kind][0], what, url, change, row.reason))
    return out


def _previous_figures(rows: list[Row]) -> dict[tuple[str, str, str, int], str]:
    """The revisions the listed figures replaced, read in one query."""
    wanted = Q()
    for row in rows:
        if row.kind == "figure" and row.revision > 1:
            wanted |= Q(
                indicator__code=row.subject,
                period=row.period,
                series=row.series,
                revision=row.revision - 1,
            )
    if not wanted:
        return {}
    pack = store.current_pack()
    found = {}
    for code, period, series, revision, value in Figure.objects.filter(wanted).values_list(
        "indicator__code", "period", "series", "revision", "value"
    ):
        found[code, period, series, revision] = _figure(pack.indicators.get(code), value, series)
    return found


def _figure(ind, value: float | None, series: str) -> str:
    if value is None:
        return "withdrawn"
    return fmt_value(ind, value, series) if ind is not None else f"{value:g}"


def _period_display(pack, label: str) -> str:
    if not label:
        return ""
    try:
        return pack.calendar.parse(label).display
    except (PeriodError, ValueError):
        return label
