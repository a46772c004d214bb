"""Tasks: for each indicator and period on the reporting calendar, where its figures and
commentary stand against their due dates.

Statuses come from what is in the database (figures, commentary, sign-off), never from a
separate "done" flag, so they cannot disagree with the data. A task is completed when its part is
entered and the section's period is submitted or approved; see
:func:`kpiboard.core.due_dates.task_status`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..core.due_dates import (
    TASK_STATUS_LABELS,
    DueDates,
    ReportingCalendar,
    Rules,
    TaskStatus,
    due_dates,
    holiday_years,
    periods_ended,
    task_status,
)
from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import Period, PeriodError
from ..packs.model import Pack
from .bank_holidays import england_and_wales
from .models import CommentaryText, Figure, Profile, Role, Signoff, SignoffState
from .urlperiods import period_slug
from .writes import covers


def today() -> date:
    """The date the calendar works to: ``KPIBOARD_TODAY`` when set (a demo or training site
    fixed in its own year), else today in the site's time zone."""
    fixed = getattr(settings, "KPIBOARD_TODAY", None)
    return fixed or timezone.localdate()


def holidays_for(calendar: ReportingCalendar, on: date) -> frozenset[date]:
    if calendar.first_period is None:
        return frozenset()
    return england_and_wales(holiday_years(calendar.first_period, on))


def required_series(ind: CoreIndicator) -> tuple[str, ...]:
    """The series a period needs for its figures to be in: a derived indicator's inputs, else
    the actual."""
    if ind.derive is not None:
        inputs = tuple(s for s in ind.derive.inputs if s)
        if inputs:
            return inputs
    return ("actual",)


#: How each status shows in a task list: GOV.UK shows "Completed" as plain text, the rest as tags.
STATUS_TAGS = {
    TaskStatus.NOT_STARTED: "govuk-tag--blue",
    TaskStatus.IN_PROGRESS: "govuk-tag--light-blue",
    TaskStatus.OVERDUE: "govuk-tag--red",
    TaskStatus.COMPLETED: "",
}


@dataclass(frozen=True)
class TaskPart:
    """One line of a task list: an indicator's figures, or its commentary, for a period."""

    name: str
    status: TaskStatus
    due: date
    url: str

    @property
    def label(self) -> str:
        return TASK_STATUS_LABELS[self.status]

    @property
    def tag(self) -> str:
        return STATUS_TAGS[self.status]


@dataclass(frozen=True)
class Task:
    indicator: CoreIndicator
    section: str  # the section's code
    section_title: str
    period: Period
    due: DueDates
    figures: TaskStatus
    commentary: TaskStatus
    signoff: str  # the section's period: draft, submitted or approved

    @property
    def done(self) -> bool:
        return self.figures is TaskStatus.COMPLETED and self.commentary is TaskStatus.COMPLETED

    @property
    def late(self) -> bool:
        return TaskStatus.OVERDUE in (self.figures, self.commentary)

    @property
    def url(self) -> str:
        return reverse(
            "kpiboard:entry_form", args=[self.indicator.id, period_slug(self.period.label)]
        )

    @property
    def parts(self) -> list[TaskPart]:
        return [
            TaskPart("Figures", self.figures, self.due.figures, self.url + "#entry-form"),
            TaskPart("Commentary", self.commentary, self.due.commentary, self.url + "#commentary"),
        ]

    @property
    def outstanding_due(self) -> date | None:
        """The due date of the first part not yet completed (figures before commentary)."""
        if self.figures is not TaskStatus.COMPLETED:
            return self.due.figures
        if self.commentary is not TaskStatus.COMPLETED:
            return self.due.commentary
        return None


@dataclass
class _Facts:
    """What the database holds for the periods in question, read in three queries."""

    figures: set[tuple[str, str, str]]
    commentary: set[tuple[str, str]]
    signoffs: dict[str, list[tuple[Period, str]]]

    def state(self, section: str, period: Period) -> str:
        states = {state for p, state in self.signoffs.get(section, ()) if covers(p, period)}
        for state in (SignoffState.APPROVED, SignoffState.SUBMITTED):
            if state.value in states:
                return state.value
        return SignoffState.DRAFT.value


def signoff_facts(pack: Pack) -> _Facts:
    """The sections' sign-offs alone (the business plan's tasks need no figures)."""
    return _facts(pack, [], set())


def _facts(pack: Pack, codes: list[str], labels: set[str]) -> _Facts:
    figures = set(
        Figure.objects.filter(
            is_current=True, value__isnull=False, indicator__code__in=codes, period__in=labels
        ).values_list("indicator__code", "period", "series")
    )
    commentary = {
        (code, period)
        for code, period, text in CommentaryText.objects.filter(
            is_current=True, indicator__code__in=codes, period__in=labels
        ).values_list("indicator__code", "period", "text")
        if text.strip()
    }
    signoffs: dict[str, list[tuple[Period, str]]] = defaultdict(list)
    for section, label, state in Signoff.objects.filter(is_current=True).values_list(
        "section__code", "period", "state"
    ):
        try:
            signoffs[section].append((pack.calendar.parse(label), state))
        except PeriodError:  # pragma: no cover - labels are canonical when written
            continue
    return _Facts(figures, commentary, signoffs)


def build_tasks(pack: Pack, on: date, codes: set[str] | None = None) -> list[Task]:
    """Every task on the calendar for periods ended before ``on`` (for the indicators in
    ``codes``, or all), by section, indicator and period."""
    calendar = pack.reporting_calendar
    if calendar.first_period is None:
        return []
    holidays = holidays_for(calendar, on)
    planned: list[tuple[str, CoreIndicator, Period, Rules]] = []
    for section in pack.sections:
        rules = calendar.rules_for(section.id)
        for ind in pack.indicators_of(section):
            if codes is not None and ind.id not in codes:
                continue
            for period in periods_ended(pack.calendar, ind.frequency, calendar.first_period, on):
                planned.append((section.id, ind, period, rules))
    facts = _facts(pack, [p[1].id for p in planned], {p[2].label for p in planned})
    titles = {s.id: s.title for s in pack.sections}
    tasks = []
    dates: dict[tuple[str, str], DueDates] = {}  # per section and period, not per indicator
    for section_id, ind, period, rules in planned:
        due = dates.get((section_id, period.label))
        if due is None:
            due = dates[section_id, period.label] = due_dates(period, rules, holidays)
        state = facts.state(section_id, period)
        approved = state == SignoffState.APPROVED
        sent_on = state != SignoffState.DRAFT
        entered = [(ind.id, period.label, s) in facts.figures for s in required_series(ind)]
        written = (ind.id, period.label) in facts.commentary
        figures = task_status(any(entered), approved or (all(entered) and sent_on), due.figures, on)
        commentary = task_status(written, approved or (written and sent_on), due.commentary, on)
        tasks.append(
            Task(ind, section_id, titles[section_id], period, due, figures, commentary, state)
        )
    return tasks


def owned_codes(user) -> set[str] | None:
    """The indicators whose tasks are ``user``'s: an owner's own (by indicator or section);
    None (every indicator) for analysts and administrators; nobody else has tasks."""
    from .permissions import FULL, editable_indicators, role_of

    role = role_of(user)
    if role in FULL:
        return None
    if role is not Role.OWNER:
        return set()
    return set(editable_indicators(user).values_list("code", flat=True))


def owners_by_indicator() -> dict[str, list]:
    """Each indicator's owners (people with the owner role, by indicator or section)."""
    found: dict[str, list] = defaultdict(list)
    profiles = Profile.objects.filter(role=Role.OWNER).select_related("user")
    for profile in profiles.prefetch_related("indicators", "sections__indicators"):
        codes = {i.code for i in profile.indicators.all()}
        codes |= {i.code for s in profile.sections.all() for i in s.indicators.all()}
        for code in sorted(codes):
            found[code].append(profile.user)
    return found


def people_by_section(role: Role) -> dict[str, list]:
    """Each section's people of ``role`` given the whole section, by section code."""
    found: dict[str, list] = defaultdict(list)
    profiles = Profile.objects.filter(role=role).select_related("user")
    for profile in profiles.prefetch_related("sections"):
        for section in profile.sections.all():
            found[section.code].append(profile.user)
    return found


def approvers_by_section() -> dict[str, list]:
    return people_by_section(Role.APPROVER)
