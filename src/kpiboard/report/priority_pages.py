"""The report's priority pages: for each ambition and each priority under it, one page joining
the indicators that measure it, the actions that deliver it and the risks against it.

A committee reading the report section by section sees each service's indicators; these pages
turn the same facts round to the business plan's own hierarchy (ambition > priority > objective).
A priority's page covers its objectives too (they are listed on it, with what is tied to them);
an ambition's page shows what is tied to the ambition itself and links to its priorities. Rows
reuse what the section pages decided (an indicator's rating and figures from its page, an
action's RAG and a risk's score from :mod:`kpiboard.report.plan_pages`), so both agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..core.plan import PlanStatus, Priority, PriorityLevel, priority_tree
from .model import DirectionView, IndicatorPage, RatingView
from .plan_pages import ActionRow, RiskRow, action_row, day_text, risk_row


@dataclass
class PriorityIndicatorRow:
    number: str
    title: str
    anchor: str  # the indicator page's anchor in the report
    latest: str
    period: str
    target: str
    rating: RatingView
    direction: DirectionView


@dataclass
class PriorityLink:
    id: str
    title: str
    anchor: str  # "" for an objective (it has no page of its own)


@dataclass
class PriorityPageView:
    id: str
    anchor: str
    level: str  # "Ambition" or "Priority"
    title: str
    description: str
    parent: PriorityLink | None  # the ambition above a priority
    children: list[PriorityLink]  # an ambition's priorities, or a priority's objectives
    indicators: list[PriorityIndicatorRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    risks: list[RiskRow] = field(default_factory=list)
    indicators_caption: str = ""
    actions_caption: str = ""
    risks_caption: str = ""


def anchor_of(priority_id: str) -> str:
    return "pri-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in priority_id)


def _link(p: Priority) -> PriorityLink:
    return PriorityLink(
        p.id, p.title, "" if p.level is PriorityLevel.OBJECTIVE else anchor_of(p.id)
    )


def _indicator_row(page: IndicatorPage) -> PriorityIndicatorRow:
    return PriorityIndicatorRow(
        number=page.number, title=page.title, anchor=page.anchor, latest=page.latest_value,
        period=page.latest_period, target=page.target_value, rating=page.rating,
        direction=page.direction,
    )  # fmt: skip


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def priority_pages(
    status: PlanStatus, pages: dict[str, IndicatorPage], day: date
) -> list[PriorityPageView]:
    """A page for each ambition and priority, top down; ``pages``: the report's indicator pages
    by indicator id (an indicator not in the report is left out)."""
    plan = status.plan
    by_id = {p.id: p for p in plan.priorities}
    out = []
    for p, _depth in priority_tree(plan):
        if p.level is PriorityLevel.OBJECTIVE:
            continue
        below = [c for c in plan.priorities if c.parent == p.id]
        covered = {p.id} | {c.id for c in below if c.level is PriorityLevel.OBJECTIVE}
        codes = _unique([i for q in plan.priorities if q.id in covered for i in q.indicators])
        actions = [a for a in status.actions if covered & set(a.action.priorities)]
        risks = [r for r in status.risks if covered & set(r.risk.priorities)]
        parent = by_id.get(p.parent) if p.parent else None
        out.append(
            PriorityPageView(
                id=p.id, anchor=anchor_of(p.id), level=p.level.words, title=p.title,
                description=p.description, parent=_link(parent) if parent else None,
                children=[_link(c) for c in below],
                indicators=[_indicator_row(pages[c]) for c in codes if c in pages],
                actions=[action_row(a, day) for a in actions],
                risks=[risk_row(r, plan.matrix) for r in risks],
                indicators_caption=f"{p.title}: indicators",
                actions_caption=f"{p.title}: actions as at {day_text(day)}",
                risks_caption=f"{p.title}: risks",
            )
        )  # fmt: skip
    return out
