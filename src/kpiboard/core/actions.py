"""Business plan actions: status as the owner reports it, and a RAG worked out from the dates.

An action is rated as at a day (the end of the report's as-at period), so that a report of
September says what was known at the end of September. The rule, in order:

1. A cancelled action is not rated.
2. A complete action (status complete, or 100% done) is rated Complete.
3. An action past its due date and not complete is Red.
4. Otherwise the action is compared with straight-line progress: an action due to run from its
   start to its due date should be ``elapsed / duration`` of the way through. If it is behind by
   more than ``red_after`` percentage points it is Red; by more than ``amber_after``, Amber.
5. A milestone past its due date and not done makes the action at least Amber.
6. The owner's own status counts too: "at risk" makes it at least Amber, "off track" Red.
7. Otherwise Green.

An owner may override the computed RAG, giving a reason; both are kept and shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"
    CANCELLED = "cancelled"

    @property
    def words(self) -> str:
        return _STATUS_WORDS[self]


_STATUS_WORDS = {
    ActionStatus.NOT_STARTED: "Not started",
    ActionStatus.ON_TRACK: "On track",
    ActionStatus.AT_RISK: "At risk",
    ActionStatus.OFF_TRACK: "Off track",
    ActionStatus.COMPLETE: "Complete",
    ActionStatus.CANCELLED: "Cancelled",
}


def default_progress(status: str) -> float:
    """The percentage complete an update implies when it gives none: 100 once the action is
    complete, otherwise 0."""
    return 100.0 if status == ActionStatus.COMPLETE else 0.0


class ActionRag(StrEnum):
    """An action's RAG; the values are the CSS and report codes (as :class:`Rating` names)."""

    RED = "RED"
    AMBER = "AMBER"
    GREEN = "GREEN"
    COMPLETE = "COMPLETE"
    NOT_RATED = "NOT_RATED"

    @property
    def words(self) -> str:
        return _RAG_WORDS[self]

    @property
    def severity(self) -> int:
        """Higher is worse, for "at least Amber" comparisons."""
        return _SEVERITY[self]


_RAG_WORDS = {
    ActionRag.RED: "Red",
    ActionRag.AMBER: "Amber",
    ActionRag.GREEN: "Green",
    ActionRag.COMPLETE: "Complete",
    ActionRag.NOT_RATED: "Not rated",
}
_SEVERITY = {
    ActionRag.NOT_RATED: 0,
    ActionRag.COMPLETE: 1,
    ActionRag.GREEN: 2,
    ActionRag.AMBER: 3,
    ActionRag.RED: 4,
}
#: The RAG an owner's own status sets at the least.
_STATUS_FLOOR = {ActionStatus.AT_RISK: ActionRag.AMBER, ActionStatus.OFF_TRACK: ActionRag.RED}


@dataclass(frozen=True)
class RagTolerance:
    """How far behind straight-line progress (percentage points) turns an action Amber or Red."""

    amber_after: float = 10.0
    red_after: float = 25.0

    def __post_init__(self) -> None:
        if not 0 <= self.amber_after <= self.red_after <= 100:
            raise ValueError("tolerances must satisfy 0 <= amber_after <= red_after <= 100")


@dataclass(frozen=True)
class Milestone:
    title: str
    due: date
    done: date | None = None  # the day it was achieved

    def done_by(self, day: date) -> bool:
        return self.done is not None and self.done <= day

    def overdue_at(self, day: date) -> bool:
        return self.due < day and not self.done_by(day)


@dataclass(frozen=True)
class RagOverride:
    rag: ActionRag
    reason: str
    by: str = ""


@dataclass(frozen=True)
class RagResult:
    rag: ActionRag  # what is shown: the override's, if any
    computed: ActionRag
    reasons: tuple[str, ...]  # why the computed RAG is what it is, in plain words
    expected: float | None  # straight-line expected progress (%), None when not applicable
    override: RagOverride | None = None

    @property
    def overridden(self) -> bool:
        return self.override is not None and self.override.rag is not self.computed


def expected_progress(start: date, due: date, day: date) -> float:
    """Percentage of the work a straight line from ``start`` (0%) to ``due`` (100%) expects by
    ``day``, clamped to 0 to 100. A one-day action is all expected on its due date."""
    if day >= due:
        return 100.0
    if day <= start:
        return 0.0
    return 100.0 * (day - start).days / (due - start).days


def _worst(a: ActionRag, b: ActionRag) -> ActionRag:
    return a if a.severity >= b.severity else b


def compute_rag(
    *,
    status: ActionStatus,
    progress: float,
    start: date,
    due: date,
    day: date,
    milestones: tuple[Milestone, ...] = (),
    tolerance: RagTolerance = RagTolerance(),
    override: RagOverride | None = None,
) -> RagResult:
    """The action's RAG as at ``day`` by the rule in the module docstring."""
    if status is ActionStatus.CANCELLED:
        rag = RagResult(ActionRag.NOT_RATED, ActionRag.NOT_RATED, ("Cancelled",), None)
    elif status is ActionStatus.COMPLETE or progress >= 100:
        rag = RagResult(ActionRag.COMPLETE, ActionRag.COMPLETE, ("Complete",), None)
    elif day > due:
        reason = f"Past its due date ({due.isoformat()}) and not complete"
        rag = RagResult(ActionRag.RED, ActionRag.RED, (reason,), 100.0)
    else:
        rag = _in_progress(status, progress, start, due, day, milestones, tolerance)
    if override is not None:
        return RagResult(override.rag, rag.computed, rag.reasons, rag.expected, override)
    return rag


def _in_progress(
    status: ActionStatus, progress: float, start: date, due: date, day: date,
    milestones: tuple[Milestone, ...], tolerance: RagTolerance,
) -> RagResult:  # fmt: skip
    expected = expected_progress(start, due, day)
    behind = expected - progress
    rag, reasons = ActionRag.GREEN, []
    if behind > tolerance.red_after:
        rag = ActionRag.RED
    elif behind > tolerance.amber_after:
        rag = ActionRag.AMBER
    if rag is not ActionRag.GREEN:
        reasons.append(f"{progress:g}% done against {expected:.0f}% expected by now")
    late = [m for m in milestones if m.overdue_at(day)]
    if late:
        rag = _worst(rag, ActionRag.AMBER)
        names = ", ".join(m.title for m in late)
        reasons.append(f"Milestone{'s' if len(late) > 1 else ''} overdue: {names}")
    floor = _STATUS_FLOOR.get(status)
    if floor is not None:
        rag = _worst(rag, floor)
        reasons.append(f"The owner reports it {status.words.lower()}")
    if not reasons:
        reasons.append(f"{progress:g}% done against {expected:.0f}% expected by now")
    return RagResult(rag, rag, tuple(reasons), expected)
