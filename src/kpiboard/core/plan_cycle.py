"""The business plan in the monthly cycle: which actions need a progress update for a reporting
period, and which risks are due for review in it.

A section's owners give, each month beside the figures, a progress update on every live action
and a review of every risk that asks for one. These rules say which; the web app turns them into
tasks with the section's due dates, reminders and sign-off (:mod:`kpiboard.web.plan_tasks`).
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from enum import StrEnum

from .actions import ActionStatus
from .due_dates import Milestone
from .periods import Period
from .plan import Action, Risk, RiskState

#: The statuses that end an action's updates: a finished or cancelled action needs no more.
CLOSED = frozenset({ActionStatus.COMPLETE, ActionStatus.CANCELLED})

#: The section's date an update or review falls due on: with the commentary, which it is like.
PLAN_DUE = Milestone.COMMENTARY


class PlanTaskKind(StrEnum):
    """The two kinds of plan work in the cycle."""

    ACTION_UPDATE = "action_update"
    RISK_REVIEW = "risk_review"

    @property
    def words(self) -> str:
        return _WORDS[self]


_WORDS = {PlanTaskKind.ACTION_UPDATE: "Progress update", PlanTaskKind.RISK_REVIEW: "Risk review"}


def needs_update(action: Action, period: Period) -> bool:
    """Whether ``action`` needs a progress update for ``period``: from the period it starts in,
    until an update of an earlier period says it is complete or cancelled."""
    if action.start > period.end:
        return False
    earlier = [u for u in action.updates if u.period.end < period.start]
    return not (earlier and earlier[-1].status in CLOSED)


def has_update(action: Action, period: Period) -> bool:
    """Whether the action's owners have given the update of ``period`` itself."""
    return any(u.period == period for u in action.updates)


def due_for_review(state: RiskState | None) -> bool:
    """Whether a risk needs a review in the period ``state`` was worked out for: it is on the
    register by then and flagged (its review date passed, or a key risk indicator triggered)."""
    return state is not None and state.flagged


def has_review(risk: Risk, period: Period) -> bool:
    """Whether the risk has been reviewed for ``period`` itself."""
    return any(r.period == period for r in risk.reviews)


def offered_next_review(scheduled: date, period: Period) -> date:
    """The next review date a review of ``period`` offers by default: the one already
    ``scheduled`` while it is still to come at the end of the period (a review a key risk
    indicator asked for early keeps the planned one), else the last day of the month after the
    period's, as plan work is monthly. The model has no review frequency of its own."""
    if scheduled >= period.end:
        return scheduled
    following = period.end + timedelta(days=1)
    return following.replace(day=monthrange(following.year, following.month)[1])


def next_review_problem(next_review: date, period: Period) -> str:
    """What is wrong with ``next_review`` as the date a review of ``period`` sets, or "": it may
    not be before the end of the period reviewed (the risk would be overdue at once)."""
    if next_review < period.end:
        day = period.end
        return f"must not be before the end of the period reviewed ({day.day} {day:%B %Y})"
    return ""
