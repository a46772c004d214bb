"""The business plan's response shapes: priorities, actions and risks as the site assesses them
at its reporting month. As in :mod:`.schemas`, field names are also the CSV columns: add, never
rename. Lists in JSON become one cell in CSV, items joined by ``"; "``."""

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
    indicators: list[str]
    actions: list[str] = Field(description="Actions that deliver it")
    risks: list[str] = Field(description="Risks that threaten it")


class MilestoneOut(Schema):
    title: str
    due: date
    done: date | None


class ActionOut(Schema):
    code: str
    title: str
    section: str
    owner: str
    start: date
    due: date
    status: str = Field(
        description="not_started, on_track, at_risk, off_track, complete or cancelled"
    )
    progress: float = Field(description="Percentage complete, 0 to 100")
    rag: str = Field(description="RED, AMBER, GREEN, COMPLETE or NOT_RATED, as shown")
    computed_rag: str = Field(description="The RAG worked out from dates and progress")
    rag_reasons: list[str]
    override_reason: str = Field(description="The owner's reason when the RAG is overridden")
    expected_progress: float | None = Field(description="Straight-line progress expected by now")
    update_period: str | None = Field(description="The period of the latest progress update")
    update: str = Field(description="The latest progress update's text")
    milestones_done: int
    milestones_total: int
    milestones: list[MilestoneOut]
    priorities: list[str]
    indicators: list[str]
    risks: list[str]


class RiskOut(Schema):
    code: str
    title: str
    section: str
    owner: str
    cause: str
    event: str
    effect: str
    inherent_score: int
    current_score: int
    current_likelihood: int
    current_impact: int
    target_score: int
    band: str = Field(description="The current score's band on the organisation's matrix")
    within_appetite: bool
    trend: str = Field(description="rising, steady, falling or new")
    reviewed_period: str
    review_date: date
    review_overdue: bool
    flagged: bool = Field(description="A key risk indicator has triggered a review")
    flagged_by: list[str] = Field(description="The key risk indicators that triggered")
    controls: list[str]
    actions: list[str] = Field(description="Mitigating actions")
    priorities: list[str]


class PrioritiesPage(Page):
    items: list[PriorityOut]


class ActionsPage(Page):
    items: list[ActionOut]


class RisksPage(Page):
    items: list[RiskOut]
