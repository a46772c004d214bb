"""The business plan's read endpoints: priorities, actions and risks as at the reporting month.

The rows are those of ``kpiboard export``'s Actions and Risks sheets
(:mod:`kpiboard.packs.plan_export`), from :func:`kpiboard.core.plan.assess`, the assessment the
plan page and the committee report show, worked out once per pack object (key risk indicators
need every indicator's analysis).
"""

from dataclasses import replace

from django.http import HttpResponse
from ninja import Query
from pydantic import Field

from ...core.actions import ActionRag
from ...core.plan import Action, PlanStatus, Risk, assess, priority_tree
from ...packs.model import Pack
from ...packs.plan_export import action_rows, risk_rows
from ...packs.plan_export import plan_status as assess_at
from .. import store
from .http import CsvPaging, bad_field, csv_or_page
from .plan_schemas import ActionOut, ActionsPage, PrioritiesPage, PriorityOut, RiskOut, RisksPage
from .reads import READ_ERRORS, _pack, conditional, csv_doc, router
from .rows import check_section
from .schemas import Text

#: The name of the plan's assessment among a data generation's facts.
PLAN_STATUS = "api plan status"
#: How a priority's codes are listed in one field, as the export's sheets list them.
ID_SEPARATOR = ", "


def plan_status(pack: Pack) -> PlanStatus:
    """The plan as assessed at the pack's reporting month."""
    # Key risk indicators need every indicator analysed; a site without a plan needs nothing.
    return assess_at(pack, pack.as_at) if pack.plan else assess(pack.plan, pack.as_at, {})


def _check_priority(pack: Pack, priority: str | None) -> None:
    if priority and priority not in {p.id for p in pack.plan.priorities}:
        raise bad_field("priority", f"There is no priority {priority!r}")


class PriorityFilters(CsvPaging):
    priority: Text | None = Field(None, max_length=60, description="A priority code")


class PlanFilters(PriorityFilters):
    section: Text | None = Field(None, max_length=60, description="A section code")


class ActionFilters(PlanFilters):
    rag: ActionRag | None = None


class RiskFilters(PlanFilters):
    flagged: bool | None = Field(None, description="Only risks a key risk indicator has flagged")


def _checked(request, filters: PlanFilters) -> tuple[Pack, PlanStatus]:
    """The site's pack and its plan's assessment, once the section and priority filters are
    known to name something (an unknown one is a 400 naming the filter)."""
    made = store.generation(request)
    check_section(made.pack, filters.section)
    _check_priority(made.pack, filters.priority)
    return made.pack, made.fact(PLAN_STATUS, lambda g: plan_status(g.pack))


def _wanted(item: Action | Risk, filters: PlanFilters) -> bool:
    return (not filters.section or item.section == filters.section) and (
        not filters.priority or filters.priority in item.priorities
    )


def _answer(request, response, filters: CsvPaging, found: list[dict], schema, name: str):
    return csv_or_page(request, response, filters, found, tuple(schema.model_fields), name)


@router.get(
    "/priorities",
    response={200: PrioritiesPage, **READ_ERRORS},
    openapi_extra=csv_doc("PrioritiesPage"),
)
@conditional
def priorities(request, response: HttpResponse, filters: Query[PriorityFilters]):
    """The plan's priorities, top of the hierarchy first, with what measures, delivers and
    threatens each."""
    pack = _pack(request)
    _check_priority(pack, filters.priority)
    plan = pack.plan
    found = [
        {
            "code": p.id,
            "title": p.title,
            "level": p.level.value,
            "parent": p.parent,
            "depth": depth,
            "indicators": ID_SEPARATOR.join(p.indicators),
            "actions": ID_SEPARATOR.join(a.id for a in plan.actions if p.id in a.priorities),
            "risks": ID_SEPARATOR.join(r.id for r in plan.risks if p.id in r.priorities),
        }
        for p, depth in priority_tree(plan)
        if not filters.priority or p.id == filters.priority
    ]
    return _answer(request, response, filters, found, PriorityOut, "priorities")


@router.get(
    "/actions", response={200: ActionsPage, **READ_ERRORS}, openapi_extra=csv_doc("ActionsPage")
)
@conditional
def actions(request, response: HttpResponse, filters: Query[ActionFilters]):
    """Every action as at the reporting month: status, progress, RAG (computed, and the
    owner's override with its reason), milestones and the latest progress update."""
    pack, status = _checked(request, filters)
    chosen = [
        state
        for state in status.actions
        if _wanted(state.action, filters) and (not filters.rag or state.rag.rag == filters.rag)
    ]
    found = action_rows(replace(status, actions=tuple(chosen)), pack.as_at)
    return _answer(request, response, filters, found, ActionOut, "actions")


@router.get("/risks", response={200: RisksPage, **READ_ERRORS}, openapi_extra=csv_doc("RisksPage"))
@conditional
def risks(request, response: HttpResponse, filters: Query[RiskFilters]):
    """The risk register as at the reporting month: scores on the organisation's matrix,
    appetite, trend, review and the key risk indicators that flag a risk for review."""
    _, status = _checked(request, filters)
    chosen = [
        state
        for state in status.risks
        if _wanted(state.risk, filters)
        and (filters.flagged is None or state.flagged == filters.flagged)
    ]
    found = risk_rows(replace(status, risks=tuple(chosen)))
    return _answer(request, response, filters, found, RiskOut, "risks")
