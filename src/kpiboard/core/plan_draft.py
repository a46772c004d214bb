"""A factual progress summary of a section's business plan, drafted for an officer to edit.

Sentences state counts and names from the assessed plan (:func:`kpiboard.core.plan.assess`) and
nothing else: no judgement words beyond the RAG and the owner's own status.
"""

from __future__ import annotations

from .actions import ActionRag
from .plan import ActionState, PlanStatus, RiskState
from .risks import Trend

_ORDER = (ActionRag.COMPLETE, ActionRag.GREEN, ActionRag.AMBER, ActionRag.RED,
          ActionRag.NOT_RATED)  # fmt: skip
_COUNT_WORDS = {ActionRag.NOT_RATED: "cancelled"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _actions_text(actions: list[ActionState]) -> list[str]:
    counts = {rag: sum(a.rag.rag is rag for a in actions) for rag in _ORDER}
    parts = [f"{n} {_COUNT_WORDS.get(rag, rag.words)}" for rag, n in counts.items() if n]
    out = [f"{_plural(len(actions), 'action')}: {', '.join(parts)}."]
    for a in actions:
        if a.rag.rag is ActionRag.RED:
            out.append(f"{a.action.title} ({a.action.id}) is Red: {'. '.join(a.rag.reasons)}.")
    overridden = [a for a in actions if a.rag.overridden]
    for a in overridden:
        out.append(f"{a.action.title} ({a.action.id}) is shown {a.rag.rag.words} by its owner; "
                   f"the dates and progress give {a.rag.computed.words}.")  # fmt: skip
    return out


def _risks_text(risks: list[RiskState]) -> list[str]:
    outside = [r for r in risks if not r.within_appetite]
    out = [f"{_plural(len(risks), 'risk')} on the register, {len(outside)} outside appetite."]
    rising = [r.risk.id for r in risks if r.trend is Trend.RISING]
    if rising:
        out.append(f"Rising since the last review: {', '.join(rising)}.")
    for r in risks:
        if r.flagged:
            out.append(f"{r.risk.title} ({r.risk.id}) is flagged for review: "
                       f"{'; '.join(r.flags)}.")  # fmt: skip
    return out


def draft_plan_summary(status: PlanStatus, section: str) -> str:
    """The section's summary: its actions by RAG, then its risks; "" when it has neither."""
    actions, risks = status.actions_in(section), status.risks_in(section)
    lines = (_actions_text(actions) if actions else []) + (_risks_text(risks) if risks else [])
    return " ".join(lines)
