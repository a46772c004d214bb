"""The business plan's response shapes: priorities, actions and risks as the site assesses them
at its reporting month. As in :mod:`.schemas`, field names are also the CSV columns: add, never
rename. Actions and risks have the columns of ``kpiboard export``'s Actions and Risks sheets."""

from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import Field

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


class ActionOut(Schema):
    """The columns of the Actions sheet of ``kpiboard export`` (packs/plan_export.py)."""

    action: str
    title: str
    section: str
    owner: str
    start: date
    due: date
    status: str = Field(
        description="not_started, on_track, at_risk, off_track, complete or cancelled"
    )
    progress: float = Field(description="Percentage complete, 0 to 100")
    rag: str = Field(description="RED, AMBER, GREEN, COMPLETE or NOT_RATED, as reported")
    computed_rag: str = Field(description="The RAG worked out from dates and progress")
    overridden: bool = Field(description="Whether the owner reported another RAG")
    override_reason: str
    rag_reasons: str = Field(description="Why the computed RAG is what it is")
    milestones: int
    milestones_done: int
    milestones_overdue: int
    update_period: str = Field(description="The period of the latest progress update")
    update: str = Field(description="The latest progress update")
    priorities: str = Field(description="Codes, comma-separated")
    indicators: str = Field(description="Codes, comma-separated")
    risks: str = Field(description="Codes, comma-separated")


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
    band: str = Field(description="The current score's band on the organisation's matrix")
    target_likelihood: int
    target_impact: int
    target_score: int
    appetite: int = Field(description="The highest score accepted for this risk")
    within_appetite: bool
    trend: str = Field(description="rising, steady, falling or new")
    review_period: str
    review_date: date
    flagged: bool = Field(description="A key risk indicator has flagged it for review")
    flags: str = Field(description="Why it is flagged")
    controls: str
    actions: str = Field(description="Mitigating actions (codes, comma-separated)")
    priorities: str = Field(description="Codes, comma-separated")
    key_risk_indicators: str = Field(description="Indicator codes, comma-separated")


class PrioritiesPage(Page):
    items: list[PriorityOut]


class ActionsPage(Page):
    items: list[ActionOut]


class RisksPage(Page):
    items: list[RiskOut]
