"""The business plan in a publication: an actions table and a risks table, as assessed at each
part's approved period (:func:`kpiboard.core.plan.assess`, as the committee report shows them).

Only what the published pack holds goes out: a file pack as its author left it, or the web's
plan files as they stood when the sections' periods were approved. An override's author is
left out, as a rating override's is (personal data); owners are posts ("Head of
Commissioning"), as the committee report prints them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.plan import assess
from .parts import Part

#: The separator of a list written into one cell (an action's priorities, a risk's controls).
LIST_SEPARATOR = "; "

ACTION_FIELDS = (
    ("action", "string", "The action's id"),
    ("section", "string", "The id of the section it belongs to"),
    ("title", "string", "What the action will do"),
    ("owner", "string", "The post responsible"),
    ("start", "date", "The day work starts"),
    ("due", "date", "The day it is due to be complete"),
    ("as_at", "string", "The period it is assessed at (canonical label)"),
    ("status", "string", "not_started, on_track, at_risk, off_track, complete or cancelled"),
    ("progress", "number", "Percentage complete, 0 to 100"),
    ("rag", "string", "RED, AMBER, GREEN, COMPLETE or NOT_RATED, as reported"),
    ("computed_rag", "string", "The RAG worked out from dates, progress and milestones"),
    ("rag_reasons", "string", "Why the computed RAG is what it is"),
    ("override_reason", "string", "Why the owner reported another RAG, when they did"),
    ("update", "string", "The latest progress update"),
    ("milestones_done", "integer", "Milestones achieved"),
    ("milestones_total", "integer", "Milestones in all"),
    ("next_milestone", "string", "The next milestone not yet achieved"),
    ("next_milestone_due", "date", "When it is due"),
    ("priorities", "string", "The priorities it delivers (ids)"),
    ("indicators", "string", "The indicators it should move (ids)"),
)
RISK_FIELDS = (
    ("risk", "string", "The risk's id"),
    ("section", "string", "The id of the section it belongs to"),
    ("title", "string", "The risk in a few words"),
    ("owner", "string", "The post responsible"),
    ("cause", "string", "What could cause it"),
    ("event", "string", "What could happen"),
    ("effect", "string", "What it would lead to"),
    ("as_at", "string", "The period it is assessed at (canonical label)"),
    ("inherent_score", "integer", "Likelihood x impact before controls"),
    ("current_score", "integer", "Likelihood x impact at the latest review"),
    ("current_likelihood", "integer", "Likelihood at the latest review"),
    ("current_impact", "integer", "Impact at the latest review"),
    ("target_score", "integer", "The score the controls and actions aim for"),
    ("band", "string", "The current score's band on the organisation's matrix"),
    ("within_appetite", "boolean", "Whether the current score is within the appetite"),
    ("trend", "string", "rising, steady, falling or new, since the review before"),
    ("reviewed", "string", "The period of the latest review (canonical label)"),
    ("flagged_by", "string", "Key risk indicators that flag the risk for review (ids)"),
    ("controls", "string", "Controls in place"),
    ("actions", "string", "Mitigating actions (ids)"),
)


def _joined(items: Sequence[str]) -> str:
    return LIST_SEPARATOR.join(items)


def action_rows(parts: Sequence[Part]) -> list[dict]:
    rows = []
    for part in parts:
        plan = part.pack.plan
        if not plan.actions:
            continue
        status = assess(plan, part.as_at, {})  # an action's RAG needs no indicator
        for state in status.actions:
            action = state.action
            if action.section not in part.section_ids:
                continue
            ahead = [m for m in action.milestones if not m.done_by(part.as_at.end)]
            rows.append({
                "action": action.id, "section": action.section, "title": action.title,
                "owner": action.owner, "start": action.start.isoformat(),
                "due": action.due.isoformat(), "as_at": part.as_at.label,
                "status": state.status.value, "progress": state.progress,
                "rag": state.rag.rag.value, "computed_rag": state.rag.computed.value,
                "rag_reasons": _joined(state.rag.reasons),
                "override_reason": state.rag.override.reason if state.rag.override else "",
                "update": state.update.text if state.update else "",
                "milestones_done": len(action.milestones) - len(ahead),
                "milestones_total": len(action.milestones),
                "next_milestone": ahead[0].title if ahead else "",
                "next_milestone_due": ahead[0].due.isoformat() if ahead else None,
                "priorities": _joined(action.priorities),
                "indicators": _joined(action.indicators),
            })  # fmt: skip
    return rows


def risk_rows(parts: Sequence[Part]) -> list[dict]:
    rows = []
    for part in parts:
        plan = part.pack.plan
        if not plan.risks:
            continue
        status = assess(plan, part.as_at, part.pack.analyse(part.as_at))
        for state in status.risks:
            risk, current = state.risk, state.current
            if risk.section not in part.section_ids:
                continue
            rows.append({
                "risk": risk.id, "section": risk.section, "title": risk.title,
                "owner": risk.owner, "cause": risk.cause, "event": risk.event,
                "effect": risk.effect, "as_at": part.as_at.label,
                "inherent_score": risk.inherent.value, "current_score": current.value,
                "current_likelihood": current.likelihood, "current_impact": current.impact,
                "target_score": risk.target.value,
                "band": plan.matrix.band(current.value).name,
                "within_appetite": state.within_appetite, "trend": state.trend.value,
                "reviewed": state.review.period.label,
                "flagged_by": _joined([k.kri.indicator for k in state.kris if k.triggered]),
                "controls": _joined(risk.controls), "actions": _joined(risk.actions),
            })  # fmt: skip
    return rows
