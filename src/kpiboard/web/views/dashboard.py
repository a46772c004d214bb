"""The dashboard: every section's indicators with their ratings, filtered by GET parameters.

The rows come ready-made from :mod:`kpiboard.web.dashboard_cache` (once per data version); a
request only reads who owns what (one query, whatever the number of indicators), and the page's
heading, month picker and body are rendered once per data version, address, month shown, page,
filters and owners (kept in the data's generation, :mod:`kpiboard.web.generation`).
The month is the site's reporting month unless the reader picks an earlier one (``?period=``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from ...core.plan import priority_tree
from ...core.rating import Rating
from ...core.spc import VariationIcon
from ...report.icons import ASSURANCE_LABELS, VARIATION_LABELS
from .. import dashboard_cache, store
from ..models import Indicator, Profile, Role, Section
from ..permissions import can_move_month
from ..plain_sql import PlainQuery
from ..reporting_month import PERIOD_PARAM, PeriodChoice

RATING_CHOICES = [(r.name, r.words) for r in dashboard_cache.RATING_ORDER]
VARIATION_CHOICES = [(i.value, VARIATION_LABELS[i.value]) for i in VariationIcon]
ASSURANCE_CHOICES = [(code, ASSURANCE_LABELS[code]) for code in ASSURANCE_LABELS]


@dataclass
class Filters:
    section: str = ""
    tag: str = ""
    rating: str = ""
    owner: str = ""
    q: str = ""
    variation: str = ""
    assurance: str = ""
    priority: str = ""

    @property
    def active(self) -> bool:
        return any(vars(self).values())


def _owners() -> tuple[list[tuple[str, str]], dict[str, set[str]], dict[str, set[str]]]:
    """People with the owner role who own something: choices, and what each owns directly
    (indicator codes) and through a section (section codes). Every dashboard request asks,
    since who owns what can change without the data changing: one plain query."""
    direct: dict[str, set[str]] = {}
    by_section: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for user_id, username, first, last, code, is_indicator in _OWNED.all([Role.OWNER.value] * 2):
        key = str(user_id)
        full = f"{first} {last}".strip()
        names[key] = f"{full} ({username})" if full else username
        (direct if is_indicator else by_section).setdefault(key, set()).add(code)
    choices = sorted(names.items(), key=lambda item: item[1].lower())
    return choices, direct, by_section


#: Each owner's indicators (1) and sections (0): person, username, names, code.
_OWNED = PlainQuery(
    "SELECT u.{person__id}, u.{person__username}, u.{person__first_name}, u.{person__last_name},"
    " i.{indicator__code}, 1 FROM {owns} o"
    " JOIN {profile} p ON p.{profile__id} = o.{owns__profile_id}"
    " JOIN {person} u ON u.{person__id} = p.{profile__user_id}"
    " JOIN {indicator} i ON i.{indicator__id} = o.{owns__indicator_id} WHERE p.{profile__role} = %s"
    " UNION ALL SELECT u.{person__id}, u.{person__username}, u.{person__first_name},"
    " u.{person__last_name}, s.{section__code}, 0 FROM {covers} c"
    " JOIN {profile} p ON p.{profile__id} = c.{covers__profile_id}"
    " JOIN {person} u ON u.{person__id} = p.{profile__user_id}"
    " JOIN {section} s ON s.{section__id} = c.{covers__section_id} WHERE p.{profile__role} = %s",
    owns=Profile.indicators.through,
    covers=Profile.sections.through,
    profile=Profile,
    person=get_user_model(),
    indicator=Indicator,
    section=Section,
)


def _counts(rows) -> str:
    """ "3 Green, 2 Amber, 1 Red, 1 not rated" for the rows shown."""
    tally: dict[str, int] = {}
    for row in rows:
        tally[row.rating] = tally.get(row.rating, 0) + 1
    parts = []
    for rating in dashboard_cache.RATING_ORDER:
        n = tally.get(rating.name, 0)
        if n:
            words = rating.words if rating.is_colour else rating.words.lower()
            parts.append(f"{n} {words}")
    return ", ".join(parts)


def priority_choices(pack) -> list[tuple[str, str]]:
    """The plan's priorities top down, each named with its level ("Objective: ..."); choosing
    one keeps the indicators measuring it or anything under it."""
    return [(p.id, f"{p.level.words}: {p.title}") for p, _ in priority_tree(pack.plan)]


def _choice(get, name: str, choices: list[tuple[str, str]]) -> str:
    value = get.get(name, "")
    return value if any(value == code for code, _ in choices) else ""


@require_safe
def dashboard(request):
    made = store.generation(request)
    choice = PeriodChoice(made, request.GET.get(PERIOD_PARAM))
    board = dashboard_cache.board(request, choice.period)
    owner_choices, direct, by_section = _owners()
    filters = _filters(request.GET, board, {k for k, _ in owner_choices})
    owned_codes = direct.get(filters.owner, set())
    owned_sections = by_section.get(filters.owner, set())
    keep = _keeper(filters, owned_codes, owned_sections)
    number = _page_number(request.GET.get("page"))
    kept = [(name, value) for name, value in vars(filters).items() if value]
    mover = can_move_month(request.user)

    def body() -> str:
        context = _body_context(board, filters, keep, owner_choices, number) | {
            "organisation": board.pack.organisation or "kpiboard",
            "choice": choice,
            "action": request.path,
            "picker_keeps": kept,
            "current_url": _query_url(request.path, kept),
            "can_move_month": mover,
        }
        return render_to_string("kpiboard/dashboard_body.html", context)

    if choice.error:  # the message echoes what was asked: not worth keeping
        html = body()
    else:  # what the body depends on besides the data: the address, the filters, the page,
        # whether the reader may move the month, and the owners (who owns what can change
        # without a data change, so it is part of the key)
        html = made.page(
            (
                "dashboard", request.path, choice.period.label, number, mover,
                tuple(vars(filters).values()), tuple(owner_choices),
                tuple(sorted(owned_codes)), tuple(sorted(owned_sections)),
            ),
            body,
        )  # fmt: skip
    return render(
        request,
        "kpiboard/dashboard.html",
        {"filters": filters, "board": board, "choice": choice, "body": html},
        status=400 if choice.error else 200,
    )


def _filters(get, board, owner_ids: set[str]) -> Filters:
    """The filters asked for, each dropped unless it is one the page offers."""
    section_ids = {s.id for s in board.sections}
    tag_ids = {t for t, _ in board.tags}
    return Filters(
        section=get.get("section", "") if get.get("section", "") in section_ids else "",
        tag=get.get("tag", "") if get.get("tag", "") in tag_ids else "",
        rating=get.get("rating", "") if get.get("rating", "") in Rating.__members__ else "",
        owner=get.get("owner", "") if get.get("owner", "") in owner_ids else "",
        q=get.get("q", "").strip()[:200],
        variation=_choice(get, "variation", VARIATION_CHOICES),
        assurance=_choice(get, "assurance", ASSURANCE_CHOICES),
        priority=_choice(get, "priority", priority_choices(board.pack)),
    )


def _keeper(filters: Filters, owned_codes: set[str], owned_sections: set[str]):
    """Whether a dashboard row passes the filters."""
    words = filters.q.lower().split()

    def keep(row) -> bool:
        if filters.section and row.section != filters.section:
            return False
        if filters.tag and filters.tag not in row.tags:
            return False
        if filters.rating and row.rating != filters.rating:
            return False
        if filters.owner and row.code not in owned_codes and row.section not in owned_sections:
            return False
        if filters.variation and row.variation != filters.variation:
            return False
        if filters.assurance and row.assurance != filters.assurance:
            return False
        if filters.priority and filters.priority not in row.priorities:
            return False
        return all(w in row.search for w in words)

    return keep


def _pages(filters: Filters, board, number: int, pages: int) -> dict:
    """The dashboard's pages: the one shown, and a link to each keeping the filters."""
    query = [(name, value) for name, value in vars(filters).items() if value]
    if board.period != board.pack.as_at:
        query.append((PERIOD_PARAM, board.period.label))

    def url(n: int) -> str:
        return "?" + urlencode([*query, ("page", str(n))])

    return {
        "number": number,
        "count": pages,
        "first": (number - 1) * PAGE_SIZE + 1,
        "links": [
            {"number": n, "url": url(n), "current": n == number} for n in range(1, pages + 1)
        ],
        "previous": url(number - 1) if number > 1 else "",
        "next": url(number + 1) if number < pages else "",
    }


def _query_url(path: str, query: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


#: Indicators on one page of the dashboard. A large site (thousands of indicators) would
#: otherwise send megabytes of table a browser struggles to lay out; sections continue across
#: pages, and the section filter shows one section's indicators on their own.
PAGE_SIZE = 100


def _page_number(given: str | None) -> int:
    """The page asked for: 1 unless a whole number 1 or more (too far: the last, see below)."""
    return int(given) if given and given.isdigit() and int(given) > 0 else 1


def _body_context(board, filters: Filters, keep, owner_choices, number: int = 1) -> dict:
    rows = [r for r in board.rows if keep(r)]
    leads = [r for r in board.leads if keep(r)]
    by_section = []  # (section, its rows, its lead rows): the order the page lists them in
    for info in board.sections:
        shown = [r for r in rows if r.section == info.id]
        shown_leads = [r for r in leads if r.section == info.id]
        if shown or shown_leads:
            by_section.append((info, shown, shown_leads))
    pages = max(1, -(-(len(rows) + len(leads)) // PAGE_SIZE))
    number = min(number, pages)
    start, stop = (number - 1) * PAGE_SIZE, number * PAGE_SIZE
    sections, position = [], 0
    for info, shown, shown_leads in by_section:
        here = shown[max(0, start - position) : max(0, stop - position)]
        position += len(shown)
        here_leads = shown_leads[max(0, start - position) : max(0, stop - position)]
        position += len(shown_leads)
        if here or here_leads:
            sections.append(
                {"info": info, "rows": here, "leads": here_leads, "counts": _counts(shown)}
            )
    tally = Counter(row.rating for row in rows)
    totals = [
        {"code": r.name, "words": r.words, "count": tally[r.name]}
        for r in dashboard_cache.RATING_ORDER
    ]
    return {
        "board": board,
        "period_query": "" if board.period == board.pack.as_at else board.period.label,
        "filters": filters,
        "sections": sections,
        "shown": len(rows) + len(leads),
        "pages": _pages(filters, board, number, pages),
        "total": len(board.rows) + len(board.leads),
        "totals": [t for t in totals if t["count"] or t["code"] in ("GREEN", "AMBER", "RED")],
        "section_choices": [(s.id, s.title) for s in board.sections],
        "tag_choices": board.tags,
        "rating_choices": RATING_CHOICES,
        "variation_choices": VARIATION_CHOICES,
        "assurance_choices": ASSURANCE_CHOICES,
        "owner_choices": owner_choices,
        "priority_choices": priority_choices(board.pack),
        "rating_key": [
            (code, Rating[code].words, meaning) for code, meaning in board.pack.rating_key.items()
        ],
    }
