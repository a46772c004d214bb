"""The business plan's response shapes: priorities, actions and risks as the site assesses them
at its reporting month. As in :mod:`.schemas`, field names are also the CSV columns: add, never
rename. Actions and risks have the columns of ``kpiboard export``'s Actions and Risks sheets."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema
from pydantic import Field

from ...packs.plan_export import COLUMN_MEANINGS
from .schemas import Page


class PriorityOut(Schema):
    code: str
    title: str
    level: str = Field(description="ambition, priority or objective")
    parent: str | None
    depth: int = Field(description="0 for the top of the hierarchy")
    indicators: str = Field(description="Indicators that measure it (codes, comma-separated)")
    actions: str = Field(description="Actions that deliver it (codes, comma-separated)")
    risks: str = Field(description="Risks that threaten it (codes, comma-separated)")


def _field(name: str) -> Any:
    """The column's meaning (packs.plan_export.COLUMN_MEANINGS) as its description."""
    meaning = COLUMN_MEANINGS.get(name)
    return Field(description=meaning) if meaning else Field()


class ActionOut(Schema):
    """The columns of the Actions sheet of ``kpiboard export`` (packs/plan_export.py)."""

    action: str
    title: str
    section: str
    owner: str
    start: date
    due: date
    status: str = _field("status")
    progress: float = _field("progress")
    rag: str = _field("rag")
    computed_rag: str = _field("computed_rag")
    overridden: bool = _field("overridden")
    override_reason: str
    rag_reasons: str = _field("rag_reasons")
    milestones: int
    milestones_done: int
    milestones_overdue: int
    update_period: str = _field("update_period")
    update: str = _field("update")
    priorities: str = _field("priorities")
    indicators: str = _field("indicators")
    risks: str = _field("risks")


class RiskOut(Schema):
    """The columns of the Risks sheet of ``kpiboard export`` (packs/plan_export.py)."""

    risk: str
    title: str
    section: str
    owner: str
    cause: str
    event: str
    effect: str
    inherent_likelihood: int
    inherent_impact: int
    inherent_score: int
    current_likelihood: int
    current_impact: int
    current_score: int
    band: str = _field("band")
    target_likelihood: int
    target_impact: int
    target_score: int
    appetite: int = _field("appetite")
    within_appetite: bool
    trend: str = _field("trend")
    review_period: str = _field("review_period")
    review_note: str = _field("review_note")
    review_date: date = _field("review_date")
    flagged: bool = _field("flagged")
    flags: str = _field("flags")
    controls: str
    actions: str = _field("actions")
    priorities: str = _field("priorities")
    key_risk_indicators: str = _field("key_risk_indicators")


class PrioritiesPage(Page):
    items: list[PriorityOut]


class ActionsPage(Page):
    items: list[ActionOut]


class RisksPage(Page):
    items: list[RiskOut]
