"""A business plan: priorities, the actions that deliver them and the risks that could stop them.

Plain data read from a pack's ``plan/`` files (:mod:`kpiboard.packs.plan`), and :func:`assess`,
which works out as at a day what a report shows: each action's status, progress and RAG from its
latest update, and each risk's current score, trend and whether it is flagged for review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from .actions import (
    ActionStatus,
    Milestone,
    RagOverride,
    RagResult,
    RagTolerance,
    compute_rag,
)
from .kri import KeyRiskIndicator, KriResult, check_kri
from .periods import Period
from .risks import RiskMatrix, Score, Trend, trend

if TYPE_CHECKING:
    from .analysis import Analysis


class PriorityLevel(StrEnum):
    """The hierarchy, top first; a priority's level is its depth."""

    AMBITION = "ambition"
    PRIORITY = "priority"
    OBJECTIVE = "objective"

    @property
    def words(self) -> str:
        return self.value.capitalize()


LEVELS = tuple(PriorityLevel)


@dataclass(frozen=True)
class Priority:
    id: str
    title: str
    parent: str | None = None
    description: str = ""
    indicators: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    level: PriorityLevel = PriorityLevel.AMBITION


@dataclass(frozen=True)
class ActionUpdate:
    period: Period
    status: ActionStatus
    progress: float  # percentage complete, 0 to 100
    text: str = ""
    override: RagOverride | None = None  # the owner's RAG for this period, with a reason


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    section: str
    owner: str
    start: date
    due: date
    description: str = ""
    milestones: tuple[Milestone, ...] = ()
    updates: tuple[ActionUpdate, ...] = ()  # in period order
    priorities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskReview:
    period: Period
    score: Score  # the current score as reviewed
    note: str = ""
    next_review: date | None = None  # the date the reviewer set for the next review, if any


@dataclass(frozen=True)
class Risk:
    id: str
    title: str
    section: str
    owner: str
    cause: str
    event: str
    effect: str
    inherent: Score
    target: Score
    reviews: tuple[RiskReview, ...]  # in period order; at least one
    #: The register's next review date. A review's ``next_review`` (earlier or later: it may
    #: not be before the end of the month reviewed) wins from that review's month on.
    review_date: date
    controls: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # mitigating actions
    priorities: tuple[str, ...] = ()
    kris: tuple[KeyRiskIndicator, ...] = ()
    appetite: int | None = None  # this risk's own appetite, else the matrix's


@dataclass(frozen=True)
class Plan:
    priorities: tuple[Priority, ...] = ()
    actions: tuple[Action, ...] = ()
    risks: tuple[Risk, ...] = ()
    matrix: RiskMatrix = field(default_factory=RiskMatrix)
    tolerance: RagTolerance = field(default_factory=RagTolerance)

    def __bool__(self) -> bool:
        return bool(self.priorities or self.actions or self.risks)


def priority_tree(plan: Plan) -> list[tuple[Priority, int]]:
    """Every priority with its depth, each followed by those under it (file order among
    siblings), for pages that show the hierarchy top down."""
    children: dict[str | None, list[Priority]] = {}
    for p in plan.priorities:
        children.setdefault(p.parent, []).append(p)
    out: list[tuple[Priority, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for p in children.get(parent, []):
            out.append((p, depth))
            walk(p.id, depth + 1)

    walk(None, 0)
    return out


def indicator_priorities(plan: Plan) -> dict[str, frozenset[str]]:
    """Each indicator that measures a priority, with the ids of the priorities it measures and
    of those above them (an indicator of an objective measures its priority and ambition too)."""
    parents = {p.id: p.parent for p in plan.priorities}
    found: dict[str, set[str]] = {}
    for p in plan.priorities:
        chain: list[str] = []
        at: str | None = p.id
        while at is not None and at not in chain:
            chain.append(at)
            at = parents.get(at)
        for code in p.indicators:
            found.setdefault(code, set()).update(chain)
    return {code: frozenset(ids) for code, ids in found.items()}


@dataclass(frozen=True)
class ActionState:
    action: Action
    status: ActionStatus
    progress: float
    rag: RagResult
    update: ActionUpdate | None  # the latest update at or before the as-at period


@dataclass(frozen=True)
class RiskState:
    risk: Risk
    current: Score
    trend: Trend
    review: RiskReview
    within_appetite: bool
    kris: tuple[KriResult, ...]
    review_overdue: bool
    review_date: date  # the next review as at the period (:func:`next_review`)

    @property
    def flagged(self) -> bool:
        """Whether the risk needs a review: a key risk indicator has triggered, or its review
        date has passed."""
        return self.review_overdue or any(k.triggered for k in self.kris)

    @property
    def flags(self) -> tuple[str, ...]:
        out = [f"{k.kri.indicator} {' and '.join(k.reasons)}" for k in self.kris if k.triggered]
        if self.review_overdue:
            out.append(f"review was due {self.review_date.isoformat()}")
        return tuple(out)


#: An update or a review: anything dated by its ``period``.
_Dated = TypeVar("_Dated", "ActionUpdate", "RiskReview")


def _latest(items: tuple[_Dated, ...], as_at: Period) -> tuple[_Dated | None, _Dated | None]:
    """The latest item (with a ``period``) at or before ``as_at``, and the one before it."""
    upto = [u for u in items if u.period.end <= as_at.end]
    return (upto[-1] if upto else None, upto[-2] if len(upto) > 1 else None)


def action_state(action: Action, as_at: Period, tolerance: RagTolerance) -> ActionState:
    update, _ = _latest(action.updates, as_at)
    status = update.status if update else ActionStatus.NOT_STARTED
    progress = update.progress if update else 0.0
    override = update.override if update else None
    rag = compute_rag(
        status=status, progress=progress, start=action.start, due=action.due, day=as_at.end,
        milestones=action.milestones, tolerance=tolerance, override=override,
    )  # fmt: skip
    return ActionState(action, status, progress, rag, update)


def next_review(risk: Risk, as_at: Period) -> date:
    """The risk's next review date as at ``as_at``: the one set by its latest review (at or before
    ``as_at``) that set one, else the register's ``review_date``. Kept with each review, so an
    earlier month's question (was the review due then?) keeps its answer."""
    dates = [v.next_review for v in risk.reviews if v.period.end <= as_at.end and v.next_review]
    return dates[-1] if dates else risk.review_date


def risk_state(
    risk: Risk, as_at: Period, matrix: RiskMatrix, analyses: Mapping[str, Analysis]
) -> RiskState | None:
    """The risk as at ``as_at``; None when its first review is later (not yet on the register)."""
    review, previous = _latest(risk.reviews, as_at)
    if review is None:
        return None
    current = review.score
    kris = tuple(check_kri(k, analyses[k.indicator]) for k in risk.kris if k.indicator in analyses)
    due = next_review(risk, as_at)
    return RiskState(
        risk=risk,
        current=current,
        trend=trend(current, previous.score if previous else None),
        review=review,
        within_appetite=matrix.within_appetite(current.value, risk.appetite),
        kris=kris,
        review_overdue=due < as_at.end,
        review_date=due,
    )


@dataclass(frozen=True)
class PlanStatus:
    plan: Plan
    actions: tuple[ActionState, ...]
    risks: tuple[RiskState, ...]

    def actions_in(self, section: str) -> list[ActionState]:
        return [a for a in self.actions if a.action.section == section]

    def risks_in(self, section: str) -> list[RiskState]:
        return [r for r in self.risks if r.risk.section == section]


def assess(plan: Plan, as_at: Period, analyses: Mapping[str, Analysis]) -> PlanStatus:
    """Every action of ``plan``, and every risk reviewed by then, as at the end of ``as_at``."""
    return PlanStatus(
        plan,
        tuple(action_state(a, as_at, plan.tolerance) for a in plan.actions),
        tuple(s for r in plan.risks if (s := risk_state(r, as_at, plan.matrix, analyses))),
    )
