"""Recent changes: every revision of figures, commentary, sign-offs, definitions, narrative, the
reporting month, gap explanations and business plan files, newest first.

The records are append-only (see models.py), so this is the audit trail itself, not a log kept
beside it: it cannot miss a change or disagree with the data. Pack loads add thousands of
revisions at once and are left out unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import CharField, Exists, F, FloatField, OuterRef, Q, Value
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from ...report.markdown import to_html
from .. import store
from ..models import (
    CommentaryText,
    Definition,
    Figure,
    GapExplanation,
    Indicator,
    MonthMove,
    Narrative,
    PlanFile,
    ReportingMonth,
    Section,
    Signoff,
    SignoffState,
)
from ..writes import who
from .indicator import PACK_LOAD, figure_text, period_display, series_label

PER_PAGE = 50

#: What can be listed: filter value -> (label, model).
KINDS = {
    "figure": ("Figures", Figure),
    "commentary": ("Commentary", CommentaryText),
    "signoff": ("Sign-off", Signoff),
    "definition": ("Definitions", Definition),
    "narrative": ("Narrative", Narrative),
    "month": ("Reporting month", ReportingMonth),
    "gap": ("Gap explanations", GapExplanation),
    "plan": ("Business plan", PlanFile),
}


class Row(NamedTuple):
    """The columns every kind of record is read into, so that one query (a UNION) pages them."""

    kind: str
    pk: int
    created: datetime
    author_id: int | None
    subject: str  # indicator code; section code for a sign-off; a narrative's name
    period: str  # canonical label; "" for a definition or narrative
    series: str
    value: float | None
    text: str  # commentary or narrative, or the sign-off state
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
    text: CharField[str, str] = CharField()
    blank = Value("", output_field=text)
    none = Value(None, output_field=FloatField())
    model = KINDS[kind][1]
    subject, period, series, value, body = {
        Figure: (F("indicator__code"), F("period"), F("series"), F("value"), blank),
        CommentaryText: (F("indicator__code"), F("period"), blank, none, F("text")),
        Signoff: (F("section__code"), F("period"), blank, none, F("state")),
        Definition: (F("indicator__code"), blank, blank, none, blank),
        Narrative: (F("name"), blank, blank, none, F("text")),
        ReportingMonth: (blank, F("period"), blank, none, F("move")),
        GapExplanation: (F("indicator__code"), F("period"), blank, none, F("text")),
        PlanFile: (F("name"), blank, blank, none, blank),
    }[model]
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


#: The page counts changes up to this many and pages through them; past it, it says "more
#: than" and asks for a filter: counting a million revisions exactly costs more than the page.
COUNTED = 10_000


class Newest:
    """The newest revisions of several kinds, as one list the paginator slices.

    A page is read with each kind's query limited to the rows the page could need (its own
    newest ``stop`` rows, read backwards along the index on ``created``), and the few lists are
    merged here. Ordering a UNION of every kind first would sort every revision in the site, a
    million on a large one, for fifty rows.

    The count is each kind's count added up, each counted no further than :data:`COUNTED` + 1
    rows (a ``LIMIT`` inside the count), so it costs the same at a thousand revisions or a
    million. When it passes :data:`COUNTED`, ``more`` is true and the count given to the
    paginator is :data:`COUNTED`: the newest that many are paged, older ones through a filter.
    """

    def __init__(self, kinds: list[tuple[str, Q]]) -> None:
        """``kinds``: each kind listed (a key of :data:`KINDS`) with the filter on its rows."""
        self.queries = [_rows(kind, filters) for kind, filters in kinds]
        self.counted = [KINDS[kind][1].objects.filter(filters) for kind, filters in kinds]
        self.more = False

    def count(self) -> int:
        """Each kind's rows counted up to :data:`COUNTED` + 1, all in one query (a round trip
        per kind cost more than the counting)."""
        parts: list[str] = []
        params: list[Any] = []
        for q in self.counted:
            try:
                sql, args = q.order_by().values("pk")[: COUNTED + 1].query.sql_with_params()
            except EmptyResultSet:  # a filter nothing can match
                continue
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
            params.extend(args)
        found = 0
        if parts:
            with connection.cursor() as cursor:
                cursor.execute("SELECT " + " + ".join(parts), params)
                found = cursor.fetchone()[0]
        self.more = found > COUNTED
        return min(found, COUNTED)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        rows = [r for q in self.queries for r in q.order_by("-created", "-pk")[:stop]]
        rows.sort(key=lambda r: (r[2], r[1]), reverse=True)  # created, then pk: newest first
        return rows[start:stop]


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
    listed = []
    for name, (_, model) in KINDS.items():
        if kind and name != kind:
            continue
        filters = base
        if section:
            if model in (Narrative, ReportingMonth, PlanFile):
                continue  # the report's words and the site's month: not any one section's
            where = "section__code" if model is Signoff else "indicator__section__code"
            filters &= Q(**{where: section})
        listed.append((name, filters))
    if not listed:
        listed.append(("narrative", Q(pk__in=[])))  # narratives of a section: none
    paginator = Paginator(Newest(listed), PER_PAGE)
    page = paginator.get_page(get.get("page"))  # not a number: the first; too far: the last
    found = [Row(*r) for r in page.object_list]
    more = paginator.object_list.more
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
            "total": f"more than {COUNTED:,}" if more else f"{paginator.count:,}",
            "counted": f"{COUNTED:,}",
            "more": more,
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
    """The people who have changed something, as filter choices: (id, name as shown).

    Asked person by person (does any revision of any kind name them as its author?), each
    answer one look-up in the index on the author, rather than listing the distinct authors of
    every revision: a site has tens or hundreds of people and may have millions of revisions.
    Whoever changed something is listed, whatever their role is now.
    """
    wrote = Q()
    for _, model in KINDS.values():
        wrote |= Q(Exists(model.objects.filter(author=OuterRef("pk"))))
    people = get_user_model().objects.filter(wrote)
    return sorted(((str(p.pk), who(p)) for p in people), key=lambda item: item[1].lower())


def _entries(rows: list[Row], pack, people: dict[str, str], sections: dict[str, str]):
    """Rows as the page shows them: what changed, linked where it can be seen, and how."""
    previous = _previous_figures(rows)
    out = []
    for row in rows:
        who_ = people.get(str(row.author_id), PACK_LOAD) if row.author_id else PACK_LOAD
        display = period_display(pack, row.period)
        ind = (
            pack.indicators.get(row.subject)
            if row.kind not in ("signoff", "narrative", "plan")
            else None
        )
        url = ""
        if row.kind == "signoff":
            what = f"{sections.get(row.subject, row.subject)}, {display}"
            change = f"Sign-off: {SignoffState(row.text).label.lower()}"
        elif row.kind == "month":
            what = KINDS["month"][0]
            url = reverse("kpiboard:reporting_month")
            change = f"{MonthMove(row.text).label}: {period_display(pack, row.period)}"
        elif row.kind == "narrative":
            what = f"Report text: {row.subject}"
            words = strip_tags(to_html(row.text)) if row.text else ""  # no Markdown marks
            change = Truncator(words).words(25) if words else "Text removed"
        elif row.kind == "plan":  # the reason says which update or review it was
            what = f"{KINDS['plan'][0]}: {row.subject}"
            url = reverse("kpiboard:plan")
            change = f"Revision {row.revision}"
        elif row.kind == "definition":
            what = row.subject
            url = reverse("kpiboard:indicator", args=[row.subject]) if ind else ""
            change = f"Definition revision {row.revision}"
        else:
            what = f"{row.subject}, {display}"
            url = reverse("kpiboard:indicator_history", args=[row.subject]) if ind else ""
            if row.kind == "figure":
                what = f"{what}, {series_label(ind, row.series)}"
                new = figure_text(ind, row.value, row.series)
                before = previous.get((row.subject, row.period, row.series, row.revision - 1))
                if row.revision > 1:
                    change = f"{figure_text(ind, before, row.series)} → {new}"
                else:
                    change = f"Set to {new}"
            elif row.kind == "gap":
                words = Truncator(row.text).words(25)
                change = f"Gap explained: {words}" if row.text else "Gap explanation removed"
            else:
                change = Truncator(row.text).words(25) if row.text else "Commentary removed"
        out.append(Entry(row.created, who_, KINDS[row.kind][0], what, url, change, row.reason))
    return out


def _previous_figures(rows: list[Row]) -> dict[tuple[str, str, str, int], float | None]:
    """The values the page's figures replaced, in one query on the revision index (after paging:
    worked out for every revision in the site, it would cost more than the page itself).

    Written as SQL with one bracket of four parameters per figure: the ORM's fifty ``Q`` objects
    took longer to build than the rest of the page's queries together."""
    wanted = [r for r in rows if r.kind == "figure" and r.revision > 1]
    if not wanted:
        return {}
    ids = dict(
        Indicator.objects.filter(code__in={r.subject for r in wanted}).values_list("code", "pk")
    )
    keys = [
        (ids[r.subject], r.period, r.series, r.revision - 1) for r in wanted if r.subject in ids
    ]
    if not keys:  # pragma: no cover - a figure's indicator is never deleted
        return {}
    codes = {pk: code for code, pk in ids.items()}
    quote = connection.ops.quote_name
    columns = {f.name: quote(f.column) for f in Figure._meta.concrete_fields}
    key = [columns[name] for name in ("indicator", "period", "series", "revision")]
    match = "(" + " AND ".join(f"{column} = %s" for column in key) + ")"
    sql = (
        f"SELECT {', '.join(key)}, {columns['value']} FROM {quote(Figure._meta.db_table)}"
        f" WHERE {' OR '.join([match] * len(keys))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [part for wanted_key in keys for part in wanted_key])
        return {(codes[i], p, s, r): value for i, p, s, r, value in cursor.fetchall()}
