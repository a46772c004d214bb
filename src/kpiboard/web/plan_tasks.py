"""The business plan's tasks in the monthly cycle: each section's live actions need a progress
update for every reporting month, and its risks a review in any month they are flagged (review
date passed, or a key risk indicator triggered). Which ones is :mod:`kpiboard.core.plan_cycle`.

A task falls due on the section's commentary date for the month, is reminded about like figures,
and, like a figure, is completed when it is given and the section's month is submitted (or once
the month is approved). Statuses are read from the plan's current revision and the sign-offs,
never from a "done" flag, so they cannot disagree with the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from django.urls import reverse

from ..core.analysis import Analysis
from ..core.due_dates import TASK_STATUS_LABELS, DueDates, TaskStatus, due_dates, periods_ended
from ..core.due_dates import task_status as status_of
from ..core.periods import Period, PeriodKind
from ..core.plan import Action, Risk, risk_state
from ..core.plan_cycle import (
    PLAN_DUE,
    PlanTaskKind,
    due_for_review,
    has_review,
    has_update,
    needs_update,
)
from ..packs.model import Pack
from .generation import Generation
from .models import Profile, Role, SignoffState
from .tasks import STATUS_TAGS, holidays_for, people_by_section, signoff_facts
from .urlperiods import period_slug

#: Each kind's form, by URL name (the period's own form, as the task list links to it).
FORM_URLS = {
    PlanTaskKind.ACTION_UPDATE: "kpiboard:action_update_for",
    PlanTaskKind.RISK_REVIEW: "kpiboard:risk_review_for",
}


@dataclass(frozen=True)
class PlanTask:
    """One action's update, or one risk's review, for one section's month."""

    kind: PlanTaskKind
    item: str  # the action's or risk's id
    title: str
    section: str  # the section's code
    section_title: str
    period: Period
    dates: DueDates
    status: TaskStatus
    given: bool  # the update or review of the month is in (submitted or not)
    signoff: str  # the section's month: draft, submitted or approved
    why: str = ""  # a risk's flags: "SCS02 rated Amber; review was due 2013-09-15"

    @property
    def due(self) -> date:
        return self.dates.dates[PLAN_DUE]

    @property
    def done(self) -> bool:
        return self.status is TaskStatus.COMPLETED

    @property
    def late(self) -> bool:
        return self.status is TaskStatus.OVERDUE

    @property
    def label(self) -> str:
        return TASK_STATUS_LABELS[self.status]

    @property
    def tag(self) -> str:
        return STATUS_TAGS[self.status]

    @property
    def name(self) -> str:
        return f"{self.kind.words}: {self.item} {self.title}"

    @property
    def url(self) -> str:
        return reverse(FORM_URLS[self.kind], args=[self.item, period_slug(self.period.label)])

    @property
    def line(self) -> str:
        """The task as one line of a reminder."""
        return f"{self.name}, {self.period.long_display}"


#: The generation's fact holding the key risk indicators' analyses, by month label.
KRI_ANALYSES = "key risk indicators' analyses by month"


def kri_analyses(made: Generation, period: Period) -> Mapping[str, Analysis]:
    """The key risk indicators' analyses as at ``period`` (only theirs: the rest of the pack is
    not needed to flag a risk), worked out once per generation of the data and month, and let go
    with the generation when the data changes."""
    by_month: dict[str, Mapping[str, Analysis]] = made.fact(KRI_ANALYSES, lambda _: {})
    found = by_month.get(period.label)
    if found is None:
        pack = made.pack
        ids = {k.indicator for r in pack.plan.risks for k in r.kris} & set(pack.indicators)
        some = replace(pack, indicators={i: pack.indicators[i] for i in ids})
        found = by_month.setdefault(period.label, some.analyse(period) if ids else {})
    return found


def plan_months(pack: Pack, on: date) -> list[Period]:
    """The months on the reporting calendar that ended before ``on``: plan work is monthly
    whatever the section's indicators' frequencies."""
    first = pack.reporting_calendar.first_period
    if not pack.plan or first is None:
        return []
    return periods_ended(pack.calendar, "month", first, on)


def build_plan_tasks(
    made: Generation,
    on: date,
    sections: set[str] | None = None,
    months: list[Period] | None = None,
) -> list[PlanTask]:
    """The plan's tasks for ``months`` (by default every month ended before ``on``), for the
    sections in ``sections`` (or all), by month, section, then actions before risks, from the
    generation ``made`` of the data (its pack, and the key risk indicators' analyses it keeps)."""
    pack = made.pack
    months = plan_months(pack, on) if months is None else months
    if not pack.plan or not months:
        return []
    calendar = pack.reporting_calendar
    holidays = holidays_for(calendar, on) if calendar.first_period else frozenset()
    facts = signoff_facts(pack)
    out: list[PlanTask] = []
    for period in months:
        for section in pack.sections:
            if sections is not None and section.id not in sections:
                continue
            dates = due_dates(period, calendar.rules_for(section.id), holidays)
            state = facts.state(section.id, period)
            maker = _Maker(section.id, section.title, period, dates, state, on)
            actions = [a for a in pack.plan.actions if a.section == section.id]
            out += [
                maker.action(a) for a in actions if needs_update(a, period) or has_update(a, period)
            ]
            risks = [r for r in pack.plan.risks if r.section == section.id]
            if risks:
                analyses = kri_analyses(made, period)
                out += [t for r in risks if (t := maker.risk(r, pack, analyses)) is not None]
    return out


@dataclass(frozen=True)
class _Maker:
    """Makes a section's month's tasks, each with the month's dates and sign-off state."""

    section: str
    section_title: str
    period: Period
    dates: DueDates
    signoff: str
    on: date

    def _task(self, kind: PlanTaskKind, item, given: bool, why: str = "") -> PlanTask:
        approved = self.signoff == SignoffState.APPROVED
        sent = self.signoff != SignoffState.DRAFT
        status = status_of(given, approved or (given and sent), self.dates.dates[PLAN_DUE], self.on)
        return PlanTask(
            kind, item.id, item.title, self.section, self.section_title, self.period, self.dates,
            status, given, self.signoff, why,
        )  # fmt: skip

    def action(self, action: Action) -> PlanTask:
        return self._task(PlanTaskKind.ACTION_UPDATE, action, has_update(action, self.period))

    def risk(self, risk: Risk, pack: Pack, analyses: Mapping[str, Analysis]) -> PlanTask | None:
        state = risk_state(risk, self.period, pack.plan.matrix, analyses)
        reviewed = has_review(risk, self.period)
        if not (due_for_review(state) or reviewed):
            return None
        why = "; ".join(state.flags) if state is not None else ""
        return self._task(PlanTaskKind.RISK_REVIEW, risk, reviewed, why)


def month_tasks(made: Generation, section: str, month: Period, on: date) -> list[PlanTask]:
    """One section's plan tasks for one month, whether or not the month has ended (check your
    answers shows them before the month's submission)."""
    if month.kind is not PeriodKind.MONTH:
        return []
    return build_plan_tasks(made, on, {section}, [month])


def month_plan_context(made: Generation, section: str, month: Period, on: date) -> dict:
    """What ``includes/plan_updates.html`` shows: the month's plan tasks, and how many are not
    given yet (for check your answers and the approver's review)."""
    tasks = month_tasks(made, section, month, on)
    return {"plan": tasks, "plan_missing": sum(not t.given for t in tasks)}


def plan_sections(user) -> set[str]:
    """The sections whose plan tasks are ``user``'s: those they own as a whole. An owner of
    single indicators enters those indicators; the section's plan is its section owners'."""
    from .permissions import role_of

    if role_of(user) is not Role.OWNER:
        return set()
    profile = Profile.objects.filter(user=user).first()
    return set(profile.sections.values_list("code", flat=True)) if profile else set()


def owners_by_section() -> dict[str, list]:
    """Each section's owners (people with the owner role given the whole section)."""
    return people_by_section(Role.OWNER)
