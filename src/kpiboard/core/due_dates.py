"""The reporting calendar: when a period's figures, commentary, approval and committee fall due.

A rule such as "10 working days after the period ends" counts days after the period's last day,
skipping weekends and the bank holidays it is given (the caller supplies them, so this module
does no I/O and any country's holidays can be used). A section may override any rule, and may fix
a date outright for one period (a committee that meets on a set day). Quarterly and annual
indicators fall due only when their quarter or year ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from .periods import FinancialCalendar, Period, PeriodKind


class Milestone(StrEnum):
    """The dates a section's period works to, in the order they fall."""

    FIGURES = "figures_due"
    COMMENTARY = "commentary_due"
    APPROVAL = "approval_due"
    COMMITTEE = "committee"


MILESTONE_LABELS = {
    Milestone.FIGURES: "Figures due",
    Milestone.COMMENTARY: "Commentary due",
    Milestone.APPROVAL: "Approval due",
    Milestone.COMMITTEE: "Committee",
}

_OFFSET = re.compile(r"(\d{1,3})\s+(working\s+)?days?", re.IGNORECASE)


class CalendarError(ValueError):
    """A rule or date the reporting calendar cannot read."""


@dataclass(frozen=True)
class Offset:
    """A count of days: working days (weekends and bank holidays skipped) or calendar days."""

    days: int
    working: bool = True

    @classmethod
    def parse(cls, text: str) -> Offset:
        """Read ``10 working days``, ``1 working day`` or ``5 days``."""
        match = _OFFSET.fullmatch(" ".join(str(text).split()))
        if match is None:
            raise CalendarError(
                f"{text!r} is not a number of days (write e.g. '10 working days' or '5 days')"
            )
        return cls(int(match[1]), bool(match[2]))

    def __str__(self) -> str:
        unit = "working day" if self.working else "day"
        return f"{self.days} {unit}{'' if self.days == 1 else 's'}"

    def after(self, day: date, holidays: frozenset[date]) -> date:
        """The day this many (working) days after ``day``."""
        if not self.working:
            return day + timedelta(days=self.days)
        left = self.days
        while left > 0:
            day += timedelta(days=1)
            if is_working_day(day, holidays):
                left -= 1
        return day

    def before(self, day: date, holidays: frozenset[date]) -> date:
        """The day this many (working) days before ``day``."""
        if not self.working:
            return day - timedelta(days=self.days)
        left = self.days
        while left > 0:
            day -= timedelta(days=1)
            if is_working_day(day, holidays):
                left -= 1
        return day


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


#: The rules a pack gets when it says nothing: a common council timetable.
DEFAULT_OFFSETS = {
    Milestone.FIGURES: Offset(10),
    Milestone.COMMENTARY: Offset(15),
    Milestone.APPROVAL: Offset(20),
    Milestone.COMMITTEE: Offset(30),
}
DEFAULT_REMIND_BEFORE = Offset(3)
DEFAULT_ESCALATE_AFTER = Offset(5)


@dataclass(frozen=True)
class Rules:
    """When each milestone falls after a period ends, when reminders go, when lateness goes up
    to the approver, and dates fixed outright for particular periods (by canonical label)."""

    offsets: Mapping[Milestone, Offset] = field(default_factory=lambda: dict(DEFAULT_OFFSETS))
    remind_before: Offset = DEFAULT_REMIND_BEFORE
    escalate_after: Offset = DEFAULT_ESCALATE_AFTER
    fixed: Mapping[str, Mapping[Milestone, date]] = field(default_factory=dict)

    def overridden(
        self,
        offsets: Mapping[Milestone, Offset] | None = None,
        fixed: Mapping[str, Mapping[Milestone, date]] | None = None,
        **others: Offset,
    ) -> Rules:
        """These rules with a section's overrides on top."""
        return replace(
            self,
            offsets={**self.offsets, **(offsets or {})},
            fixed={
                label: {**self.fixed.get(label, {}), **(fixed or {}).get(label, {})}
                for label in {*self.fixed, *(fixed or {})}
            },
            **others,
        )


@dataclass(frozen=True)
class DueDates:
    period: Period
    dates: Mapping[Milestone, date]

    @property
    def figures(self) -> date:
        return self.dates[Milestone.FIGURES]

    @property
    def commentary(self) -> date:
        return self.dates[Milestone.COMMENTARY]

    @property
    def approval(self) -> date:
        return self.dates[Milestone.APPROVAL]

    @property
    def committee(self) -> date:
        return self.dates[Milestone.COMMITTEE]


def due_dates(period: Period, rules: Rules, holidays: frozenset[date]) -> DueDates:
    """The period's milestones: fixed dates where the rules fix them, else counted from its end."""
    fixed = rules.fixed.get(period.label, {})
    return DueDates(
        period,
        {m: fixed.get(m) or rules.offsets[m].after(period.end, holidays) for m in Milestone},
    )


@dataclass(frozen=True)
class ReportingCalendar:
    """The pack's rules, each section's overrides, and the first period collected on the
    calendar (earlier periods are history, not tasks)."""

    first_period: Period | None = None
    rules: Rules = Rules()
    sections: Mapping[str, Rules] = field(default_factory=dict)

    def rules_for(self, section: str) -> Rules:
        return self.sections.get(section, self.rules)


FREQUENCY_KINDS = {
    "month": PeriodKind.MONTH,
    "quarter": PeriodKind.QUARTER,
    "year": PeriodKind.YEAR,
}


def periods_ended(
    calendar: FinancialCalendar, frequency: str, first: Period, today: date, limit: int = 24
) -> list[Period]:
    """The periods of an indicator's ``frequency`` from the one containing ``first``'s start to
    the last that ended before ``today``, newest last (at most ``limit``). An irregular indicator
    has none: it falls due on no calendar."""
    kind = FREQUENCY_KINDS.get(frequency)
    if kind is None:
        return []
    found: list[Period] = []
    period = calendar.containing(kind, first.start)
    while period.end < today:
        found.append(period)
        period = calendar.containing(kind, period.end + timedelta(days=1))
    return found[-limit:]


class TaskStatus(StrEnum):
    """Where one task stands (the GOV.UK task list's statuses)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"


TASK_STATUS_LABELS = {
    TaskStatus.NOT_STARTED: "Not started",
    TaskStatus.IN_PROGRESS: "In progress",
    TaskStatus.COMPLETED: "Completed",
    TaskStatus.OVERDUE: "Overdue",
}


def task_status(started: bool, finished: bool, due: date, today: date) -> TaskStatus:
    """A task is completed when finished (entered and submitted, or approved); past its due
    date anything short of that is overdue; otherwise it is in progress once started."""
    if finished:
        return TaskStatus.COMPLETED
    if today > due:
        return TaskStatus.OVERDUE
    return TaskStatus.IN_PROGRESS if started else TaskStatus.NOT_STARTED


class ReminderKind(StrEnum):
    BEFORE_DUE = "before_due"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


REMINDER_LABELS = {
    ReminderKind.BEFORE_DUE: "Due soon",
    ReminderKind.DUE: "Due today",
    ReminderKind.OVERDUE: "Overdue",
    ReminderKind.ESCALATION: "Overdue: escalated to the approver",
}


def reminder_kinds(
    due: date, today: date, rules: Rules, holidays: frozenset[date]
) -> list[ReminderKind]:
    """The reminders an unfinished task calls for on ``today``: before its due date (within
    ``remind_before``), on it, after it, and once ``escalate_after`` has passed since it, an
    escalation to the approver as well as the overdue reminder."""
    if today == due:
        return [ReminderKind.DUE]
    if today > due:
        if today >= rules.escalate_after.after(due, holidays):
            return [ReminderKind.OVERDUE, ReminderKind.ESCALATION]
        return [ReminderKind.OVERDUE]
    if today >= rules.remind_before.before(due, holidays):
        return [ReminderKind.BEFORE_DUE]
    return []


def holiday_years(first: Period, today: date) -> Iterable[int]:
    """The calendar years whose bank holidays the calendar may need, from ``first`` to well
    beyond ``today`` (a committee can sit months after a year ends)."""
    return range(first.start.year, today.year + 3)
