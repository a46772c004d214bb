"""The business plan's read endpoints: priorities, actions and risks as at the reporting month.

The rows come from :func:`kpiboard.core.plan.assess`, the same assessment the plan page and the
committee report show (computed RAG, override, risk band, appetite, key risk indicator
triggers), worked out once per pack object. Key risk indicators need the indicators' analyses,
so risks are assessed against the analysed pack.
"""

import threading
from typing import Literal

from django.http import HttpResponse
from ninja import Query
from pydantic import Field

from ...core.plan import ActionState, PlanStatus, RiskState, assess, priority_tree
from ...packs.model import Pack
from .http import CsvPaging, bad_field, csv_or_page
from .plan_schemas import ActionOut, ActionsPage, PrioritiesPage, PriorityOut, RiskOut, RisksPage
from .reads import READ_ERRORS, _pack, conditional, csv_doc, router
from .schemas import Text

_lock = threading.Lock()
_status: dict[str, object] = {}

#: How lists are written in one CSV cell.
CSV_LIST_SEPARATOR = "; "


def plan_status(pack: Pack) -> PlanStatus:
    """The plan as assessed at the pack's reporting month (cached for this pack object)."""
    with _lock:
        if _status.get("pack") is pack:
            return _status["status"]  # type: ignore[return-value]
    status = assess(pack.plan, pack.as_at, pack.analyse(pack.as_at))
    with _lock:
        _status.update(pack=pack, status=status)
    return status


def _action_row(state: ActionState) -> dict:
    action, rag, update = state.action, state.rag, state.update
    return {
        "code": action.id,
        "title": action.title,
        "section": action.section,
        "owner": action.owner,
        "start": action.start,
        "due": action.due,
        "status": state.status.value,
        "progress": state.progress,
        "rag": rag.rag.value,
        "computed_rag": rag.computed.value,
        "rag_reasons": list(rag.reasons),
        "override_reason": rag.override.reason if rag.override else "",
        "expected_progress": rag.expected,
        "update_period": update.period.label if update else None,
        "update": update.text if update else "",
        "milestones_done": sum(1 for m in action.milestones if m.done is not None),
        "milestones_total": len(action.milestones),
        "milestones": [{"title": m.title, "due": m.due, "done": m.done} for m in action.milestones],
        "priorities": list(action.priorities),
        "indicators": list(action.indicators),
        "risks": list(action.risks),
    }


def _risk_row(state: RiskState, pack: Pack) -> dict:
    risk, current, matrix = state.risk, state.current, pack.plan.matrix
    return {
        "code": risk.id,
        "title": risk.title,
        "section": risk.section,
        "owner": risk.owner,
        "cause": risk.cause,
        "event": risk.event,
        "effect": risk.effect,
        "inherent_score": risk.inherent.value,
        "current_score": current.value,
        "current_likelihood": current.likelihood,
        "current_impact": current.impact,
        "target_score": risk.target.value,
        "band": matrix.band(current.value).name,
        "within_appetite": state.within_appetite,
        "trend": state.trend.value,
        "reviewed_period": state.review.period.label,
        "review_date": risk.review_date,
        "review_overdue": state.review_overdue,
        "flagged": any(k.triggered for k in state.kris),
        "flagged_by": [k.kri.indicator for k in state.kris if k.triggered],
        "controls": list(risk.controls),
        "actions": list(risk.actions),
        "priorities": list(risk.priorities),
    }


def _check_section(pack: Pack, section: str | None) -> None:
    if section and section not in {s.id for s in pack.sections}:
        raise bad_field("section", f"There is no section {section!r}")


def _check_priority(pack: Pack, priority: str | None) -> None:
    if priority and priority not in {p.id for p in pack.plan.priorities}:
        raise bad_field("priority", f"There is no priority {priority!r}")


def _flat(rows: list[dict]) -> list[dict]:
    """Rows for CSV: lists joined into one cell, milestones counted rather than nested."""
    return [
        {
            k: CSV_LIST_SEPARATOR.join(str(v) for v in value) if isinstance(value, list) else value
            for k, value in row.items()
            if k != "milestones"
        }
        for row in rows
    ]


class PlanFilters(CsvPaging):
    section: Text | None = Field(None, max_length=60, description="A section code")
    priority: Text | None = Field(None, max_length=60, description="A priority code")


class ActionFilters(PlanFilters):
    rag: Literal["RED", "AMBER", "GREEN", "COMPLETE", "NOT_RATED"] | None = None


class RiskFilters(PlanFilters):
    flagged: bool | None = Field(None, description="Only risks a key risk indicator has flagged")


def _answer(request, response, filters: PlanFilters, found: list[dict], schema, name: str):
    columns = tuple(c for c in schema.model_fields if c != "milestones")
    if filters.format == "csv":
        found = _flat(found)
    return csv_or_page(request, response, filters, found, columns, name)


@router.get(
    "/priorities",
    response={200: PrioritiesPage, **READ_ERRORS},
    openapi_extra=csv_doc("PrioritiesPage"),
)
@conditional
def priorities(request, response: HttpResponse, filters: Query[PlanFilters]):
    """The plan's priorities, top of the hierarchy first, with what measures, delivers and
    threatens each."""
    pack = _pack(request)
    _check_section(pack, filters.section)
    _check_priority(pack, filters.priority)
    plan = pack.plan
    found = [
        {
            "code": p.id,
            "title": p.title,
            "level": p.level.value,
            "parent": p.parent,
            "depth": depth,
            "indicators": list(p.indicators),
            "actions": [a.id for a in plan.actions if p.id in a.priorities],
            "risks": [r.id for r in plan.risks if p.id in r.priorities],
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
    pack = _pack(request)
    _check_section(pack, filters.section)
    _check_priority(pack, filters.priority)
    found = [
        _action_row(state)
        for state in (plan_status(pack).actions if pack.plan else ())
        if (not filters.section or state.action.section == filters.section)
        and (not filters.priority or filters.priority in state.action.priorities)
        and (not filters.rag or state.rag.rag.value == filters.rag)
    ]
    return _answer(request, response, filters, found, ActionOut, "actions")


@router.get("/risks", response={200: RisksPage, **READ_ERRORS}, openapi_extra=csv_doc("RisksPage"))
@conditional
def risks(request, response: HttpResponse, filters: Query[RiskFilters]):
    """The risk register as at the reporting month: scores on the organisation's matrix,
    appetite, trend, review and the key risk indicators that flag a risk for review."""
    pack = _pack(request)
    _check_section(pack, filters.section)
    _check_priority(pack, filters.priority)
    found = [
        row
        for state in (plan_status(pack).risks if pack.plan else ())
        if (not filters.section or state.risk.section == filters.section)
        and (not filters.priority or filters.priority in state.risk.priorities)
        for row in [_risk_row(state, pack)]
        if filters.flagged is None or row["flagged"] == filters.flagged
    ]
    return _answer(request, response, filters, found, RiskOut, "risks")
