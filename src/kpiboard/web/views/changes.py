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
from ..change_cursor import BadCursor, Cursor, of_row, parse
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


#: The page counts changes up to this many: past it, it says "more than" and, on a page further
#: back, "older than the newest" rather than a position, since counting a million revisions
#: exactly costs more than the page. Every change is reachable all the same, page by page.
COUNTED = 10_000

#: The parameters a link to a page further back (``before``) or nearer the top (``after``)
#: carries a cursor in: the changes just older, or just newer, than the one it names.
OLDER, NEWER = "before", "after"


def _read(listed: list[tuple[str, Q]], cursor: Cursor | None, older: bool, limit: int):
    """Up to ``limit`` rows next to ``cursor`` (from the newest without one), newest first when
    reading ``older``, oldest first when reading newer ones.

    Each kind's query is limited to the rows the page could need and walks its index on
    ``created`` from the cursor's time; the few lists are merged here. Ordering a UNION of every
    kind first would sort every revision in the site, a million on a large one, for fifty rows,
    and an offset would read past every newer one."""
    order = ("-created", "-pk") if older else ("created", "pk")
    rows: list[Row] = []
    for kind, filters in listed:
        query = _rows(kind, filters)
        if cursor is not None:
            query = query.filter(cursor.older(kind) if older else cursor.newer(kind))
        rows.extend(Row(*r) for r in query.order_by(*order)[:limit])
    rows.sort(key=lambda r: (r.created, r.kind, r.pk), reverse=older)  # as Cursor orders
    return rows[:limit]


def _count(listed: list[tuple[str, Q]], newer_than: Cursor | None = None) -> int:
    """The listed changes (those newer than ``newer_than`` if given), each kind counted no
    further than :data:`COUNTED` + 1 rows (a ``LIMIT`` inside the count), all in one query: it
    costs the same at a thousand revisions or a million, and a round trip per kind cost more
    than the counting."""
    parts: list[str] = []
    params: list[Any] = []
    # In order of time, away from the page, so that each count walks the index on ``created``:
    # unordered, PostgreSQL may read the table from its oldest rows to find the newest.
    order = "created" if newer_than is not None else "-created"
    for kind, filters in listed:
        if newer_than is not None:
            filters &= newer_than.newer(kind)
        query = KINDS[kind][1].objects.filter(filters).order_by(order).values("pk")
        query = query[: COUNTED + 1]
        try:
            sql, args = query.query.sql_with_params()
        except EmptyResultSet:  # a filter nothing can match
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(args)
    if not parts:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(parts), params)
        return int(cursor.fetchone()[0])


@dataclass
class Window:
    """One page of changes, newest first, and what the page says of where it is."""

    rows: list[Row]
    newer: str  # link to the newer page ("" when this is the newest)
    older: str  # link to the older page ("" when there is none)
    above: int  # how many listed changes are newer than the page's first (up to COUNTED + 1)
    total: int  # how many are listed (up to COUNTED + 1 a kind); 0 on a page past COUNTED

    @property
    def deep(self) -> bool:
        """Past the newest :data:`COUNTED`: the page says "older than", not a position."""
        return self.above >= COUNTED

    @property
    def status(self) -> dict[str, Any]:
        """Changes from/to, of how many and page of pages (as far as they were counted)."""
        more = self.total > COUNTED
        return {
            "start": f"{self.above + 1:,}",
            "end": f"{self.above + len(self.rows):,}",
            "total": f"more than {COUNTED:,}" if more else f"{self.total:,}",
            "number": self.above // PER_PAGE + 1,
            "pages": 0 if more else -(-self.total // PER_PAGE),
        }


def _window(listed: list[tuple[str, Q]], cursor: Cursor | None, older: bool, keep) -> Window:
    """The page a link asks for: the newest, or the changes just older or newer than a cursor.

    A page of newer changes with fewer than a page's worth above it is the newest page instead
    (it starts at the top, as the first page always does)."""
    if cursor is not None and not older:
        got = _read(listed, cursor, older=False, limit=PER_PAGE + 1)
        if len(got) <= PER_PAGE:
            cursor = None
        rows, has_older = got[:PER_PAGE][::-1], True
    if cursor is None or older:
        got = _read(listed, cursor, older=True, limit=PER_PAGE + 1)
        rows, has_older = got[:PER_PAGE], len(got) > PER_PAGE
    above = _count(listed, _place(rows[0])) if cursor is not None and rows else 0
    total = _count(listed) if above < COUNTED else 0

    def link(name: str = "", row: Row | None = None) -> str:
        return "?" + urlencode(keep | ({name: _place(row).text} if row else {}))

    newer = ""  # the newest page has none; an empty page past the oldest links to the newest
    if cursor is not None:
        newer = link(NEWER, rows[0]) if rows and above > PER_PAGE else link()
    return Window(rows, newer, link(OLDER, rows[-1]) if has_older else "", above, total)


def _place(row: Row) -> Cursor:
    """A listed row's cursor: where a link starting from it takes up the list."""
    return of_row(row.kind, row.pk, row.created)


def _listed(kind: str, section: str, base: Q) -> list[tuple[str, Q]]:
    """The kinds the filters list, each with the filter on its rows."""
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
    return listed


def _cursor(get) -> tuple[Cursor | None, bool, str]:
    """The cursor a link carries, whether it asks for older changes, and what is wrong with it
    ("" when nothing is: a page without a cursor is the newest)."""
    given = [(name, get[name]) for name in (OLDER, NEWER) if name in get]
    if not given:
        return None, True, ""
    if len(given) > 1:
        return None, True, f"it has both {OLDER!r} and {NEWER!r}"
    name, text = given[0]
    try:
        return parse(text, KINDS), name == OLDER, ""
    except BadCursor as error:
        return None, True, str(error)


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
    keep = {k: v for k, v in (("kind", kind), ("section", section), ("person", person)) if v}
    if with_loads:
        keep["loads"] = "1"
    cursor, older, wrong = _cursor(get)
    listed = _listed(kind, section, base) or [("narrative", Q(pk__in=[]))]  # none in a section
    window = _window(listed, cursor, older, keep)
    errors = []
    if wrong:
        message = f"This link to a page of changes is not valid (bad cursor: {wrong})."
        errors.append(("changes-status", f"{message} The newest changes are shown instead."))
    return render(
        request,
        "kpiboard/changes.html",
        {
            "entries": _entries(window.rows, pack, dict(people), dict(sections)),
            "window": window,
            "status": window.status,
            "counted": f"{COUNTED:,}",
            "errors": errors,
            "kind": kind,
            "section": section,
            "person": person,
            "with_loads": with_loads,
            "kinds": [(k, label) for k, (label, _) in KINDS.items()],
            "sections": sections,
            "people": people,
            "filtered": bool(keep),
        },
        status=400 if wrong else 200,
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
