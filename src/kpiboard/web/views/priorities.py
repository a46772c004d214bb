"""The priorities page: the business plan's hierarchy (ambition > priority > objective) with, for
each priority, its indicators' ratings, its actions' RAG and its risks' scores, each linking to
where it is shown in full. Everyone signed in may read it.

Ratings come from the dashboard's rows for the reporting month (the same rule and cache the
dashboard uses); actions and risks are assessed as the business plan page and the report assess
them, so all three pages agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ...core.plan import ActionState, Priority, RiskState, assess, priority_tree
from ...core.rating import Rating
from ...report.model import RatingView
from .. import dashboard_cache
from .plan import RAG_TAG

#: The GOV.UK tag colour for each risk band colour (see core.risks and report.heat_map).
BAND_TAG = {
    "green": "govuk-tag--green",
    "yellow": "govuk-tag--yellow",
    "amber": "govuk-tag--orange",
    "red": "govuk-tag--red",
}


@dataclass
class IndicatorItem:
    code: str
    title: str
    rating: RatingView


@dataclass
class RiskItem:
    state: RiskState
    band: str  # the current score's band name
    tag: str  # its GOV.UK tag class


@dataclass
class PriorityItem:
    priority: Priority
    heading: int  # 2 for an ambition, 3 for a priority, 4 for an objective
    indicators: list[IndicatorItem] = field(default_factory=list)
    actions: list[tuple[ActionState, str]] = field(default_factory=list)  # with its tag class
    risks: list[RiskItem] = field(default_factory=list)


def _items(board, status) -> list[PriorityItem]:
    pack = board.pack
    ratings = {row.code: row.rating for row in board.rows + board.leads}
    matrix = pack.plan.matrix
    out = []
    for priority, depth in priority_tree(pack.plan):
        item = PriorityItem(priority, depth + 2)
        for code in priority.indicators:
            if code in pack.indicators and code in ratings:
                rating = Rating[ratings[code]]
                view = RatingView(rating.name, rating.words)
                item.indicators.append(IndicatorItem(code, pack.indicators[code].title, view))
        item.actions = [(a, RAG_TAG[a.rag.rag]) for a in status.actions
                        if priority.id in a.action.priorities]  # fmt: skip
        for r in status.risks:
            if priority.id in r.risk.priorities:
                band = matrix.band(r.current.value)
                item.risks.append(
                    RiskItem(r, band.name, BAND_TAG.get(band.code, "govuk-tag--grey"))
                )
        out.append(item)
    return out


@require_safe
def priorities(request):
    board = dashboard_cache.board(request)
    pack = board.pack
    context: dict = {"has_plan": bool(pack.plan.priorities), "as_at": pack.as_at}
    if pack.plan.priorities:
        status = assess(pack.plan, pack.as_at, board.analyses)
        context["items"] = _items(board, status)
    return render(request, "kpiboard/priorities.html", context)
