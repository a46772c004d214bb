"""The business plan page: priorities top down with the indicators that measure them, the
actions that deliver them and the risks against them, then each section's actions and risk
register as the report has them. Everyone signed in may read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ...core.actions import ActionRag
from ...core.plan import ActionState, Priority, RiskState, assess, priority_tree
from ...report.plan_pages import ActionRow, PlanSectionView, plan_section
from ..models import Section
from ..permissions import can_submit
from ..store import current_pack

#: The GOV.UK tag colour for each action RAG.
RAG_TAG = {
    ActionRag.RED: "govuk-tag--red",
    ActionRag.AMBER: "govuk-tag--orange",
    ActionRag.GREEN: "govuk-tag--green",
    ActionRag.COMPLETE: "govuk-tag--blue",
    ActionRag.NOT_RATED: "govuk-tag--grey",
}


@dataclass
class PriorityNode:
    priority: Priority
    heading: int  # 2 for an ambition, 3 for a priority, 4 for an objective
    indicators: list[tuple[str, str]]  # (code, title) of those in the pack
    actions: list[tuple[ActionState, str]] = field(default_factory=list)  # with its tag class
    risks: list[RiskState] = field(default_factory=list)


@dataclass
class SectionPlan:
    id: str
    title: str
    view: PlanSectionView
    actions: list[tuple[ActionRow, str]]  # the view's action rows, each with its tag class
    may_update: bool = False  # whether the reader may give its actions' updates


def _nodes(pack, status) -> list[PriorityNode]:
    nodes = []
    for priority, depth in priority_tree(pack.plan):
        node = PriorityNode(
            priority, depth + 2,
            [(c, pack.indicators[c].title) for c in priority.indicators if c in pack.indicators],
        )  # fmt: skip
        node.actions = [(a, RAG_TAG[a.rag.rag]) for a in status.actions
                        if priority.id in a.action.priorities]  # fmt: skip
        node.risks = [r for r in status.risks if priority.id in r.risk.priorities]
        nodes.append(node)
    return nodes


@require_safe
def plan(request):
    pack = current_pack()
    context: dict = {"has_plan": bool(pack.plan), "as_at": pack.as_at}
    if pack.plan:
        status = assess(pack.plan, pack.as_at, pack.analyse())
        context["priorities"] = _nodes(pack, status)
        sections = []
        for s in pack.sections:
            view = plan_section(status, s.id, s.title, pack.as_at.end)
            if view is not None:
                tags = [RAG_TAG[a.rag.rag] for a in status.actions_in(s.id)]
                rows = list(zip(view.actions, tags, strict=True))
                model = Section.objects.filter(code=s.id).first()
                may = model is not None and can_submit(request.user, model)
                sections.append(SectionPlan(s.id, s.title, view, rows, may))
        context["sections"] = sections
    return render(request, "kpiboard/plan.html", context)
