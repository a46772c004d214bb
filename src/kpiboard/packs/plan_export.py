"""The business plan as spreadsheet rows: one per action and one per risk, as at a period, for
the Actions and Risks sheets of ``kpiboard export PACK --out x.xlsx``."""

from __future__ import annotations

from ..core.periods import Period
from ..core.plan import PlanStatus, assess
from .model import Pack

ACTION_COLUMNS = (
    "action", "title", "section", "owner", "start", "due", "status", "progress", "rag",
    "computed_rag", "overridden", "override_reason", "rag_reasons", "milestones",
    "milestones_done", "milestones_overdue", "update_period", "update", "priorities",
    "indicators", "risks",
)  # fmt: skip
RISK_COLUMNS = (
    "risk", "title", "section", "owner", "cause", "event", "effect", "inherent_likelihood",
    "inherent_impact", "inherent_score", "current_likelihood", "current_impact", "current_score",
    "band", "target_likelihood", "target_impact", "target_score", "appetite", "within_appetite",
    "trend", "review_period", "review_note", "review_date", "flagged", "flags", "controls",
    "actions", "priorities", "key_risk_indicators",
)  # fmt: skip
#: What the columns mean where the name does not say it plainly: the one wording the open
#: data's Data Package and the API's schema use.
COLUMN_MEANINGS = {
    "status": "not_started, on_track, at_risk, off_track, complete or cancelled",
    "progress": "Percentage complete, 0 to 100",
    "rag": "RED, AMBER, GREEN, COMPLETE or NOT_RATED, as reported",
    "computed_rag": "The RAG worked out from dates, progress and milestones",
    "overridden": "Whether the owner reported another RAG, with the reason beside it",
    "rag_reasons": "Why the computed RAG is what it is",
    "update_period": "The period of the latest progress update",
    "update": "The latest progress update",
    "band": "The current score's band on the organisation's matrix",
    "appetite": "The highest score accepted for this risk",
    "trend": "rising, steady, falling or new, since the review before",
    "review_period": "The period of the latest review",
    "review_note": "What the latest review says",
    "review_date": "The next review date: the one the latest review set, else the register's",
    "flagged": "Whether a key risk indicator, or a review date passed, flags it for review",
    "flags": "Why it is flagged",
    "priorities": "Priority codes, comma-separated",
    "indicators": "Indicator codes, comma-separated",
    "risks": "Risk codes, comma-separated",
    "actions": "Action codes, comma-separated",
    "key_risk_indicators": "Indicator codes, comma-separated",
}


def plan_status(pack: Pack, as_at: Period) -> PlanStatus:
    return assess(pack.plan, as_at, pack.analyse(as_at))


def action_rows(status: PlanStatus, as_at: Period) -> list[dict]:
    day = as_at.end
    rows = []
    for state in status.actions:
        a, rag, update = state.action, state.rag, state.update
        rows.append({
            "action": a.id, "title": a.title, "section": a.section, "owner": a.owner,
            "start": a.start.isoformat(), "due": a.due.isoformat(), "status": state.status.value,
            "progress": state.progress, "rag": rag.rag.value, "computed_rag": rag.computed.value,
            "overridden": rag.overridden,
            "override_reason": rag.override.reason if rag.overridden and rag.override else "",
            "rag_reasons": ". ".join(rag.reasons), "milestones": len(a.milestones),
            "milestones_done": sum(m.done_by(day) for m in a.milestones),
            "milestones_overdue": sum(m.overdue_at(day) for m in a.milestones),
            "update_period": update.period.label if update else "",
            "update": update.text if update else "", "priorities": ", ".join(a.priorities),
            "indicators": ", ".join(a.indicators), "risks": ", ".join(a.risks),
        })  # fmt: skip
    return rows


def risk_rows(status: PlanStatus) -> list[dict]:
    matrix = status.plan.matrix
    rows = []
    for state in status.risks:
        r = state.risk
        scores = {"inherent": r.inherent, "current": state.current, "target": r.target}
        row = {
            "risk": r.id, "title": r.title, "section": r.section, "owner": r.owner,
            "cause": r.cause, "event": r.event, "effect": r.effect,
            "band": matrix.band(state.current.value).name,
            "appetite": r.appetite if r.appetite is not None else matrix.appetite,
            "within_appetite": state.within_appetite, "trend": state.trend.value,
            "review_period": state.review.period.label, "review_note": state.review.note,
            "review_date": state.review_date.isoformat(),
            "flagged": state.flagged, "flags": "; ".join(state.flags),
            "controls": "; ".join(r.controls), "actions": ", ".join(r.actions),
            "priorities": ", ".join(r.priorities),
            "key_risk_indicators": ", ".join(k.indicator for k in r.kris),
        }  # fmt: skip
        for name, score in scores.items():
            row |= {f"{name}_likelihood": score.likelihood, f"{name}_impact": score.impact,
                    f"{name}_score": score.value}  # fmt: skip
        rows.append(row)
    return rows
