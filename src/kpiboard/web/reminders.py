"""Email reminders: before a task's due date, on it, once it is overdue, and (after the
section's ``escalate_after``) to the section's approvers as an escalation. Tasks are an
indicator's figures and commentary (to its owners) and the business plan's action updates and
risk reviews (to the section's owners, :mod:`kpiboard.web.plan_tasks`).

Each reminder sent is recorded (:class:`~kpiboard.web.models.SentReminder`, unique per person,
indicator or plan item, period and kind) in the same transaction as the email goes, so running
``kpiboard remind`` twice sends once, and a failed email is tried again next run. One email per
person per run lists all their reminders.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from ..core.due_dates import REMINDER_LABELS, ReminderKind, reminder_kinds
from .generation import Generation
from .models import Indicator, SentReminder, SignoffState
from .plan_tasks import PlanTask, build_plan_tasks, owners_by_section
from .tasks import (
    Task,
    approvers_by_section,
    build_tasks,
    holidays_for,
    owners_by_indicator,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Reminder:
    user: User
    task: Task | PlanTask
    kind: ReminderKind
    due: date

    @property
    def address(self) -> str:
        return self.user.email

    def as_json(self) -> dict:
        """The reminder as data: a plan task's has ``indicator`` null and says which task."""
        task = self.task
        found = {
            "recipient": self.address,
            "username": self.user.get_username(),
            "indicator": None,
            "period": task.period.label,
            "kind": self.kind.value,
            "due": self.due.isoformat(),
            "section": task.section,
        }
        if isinstance(task, PlanTask):
            found |= {"plan_task": task.kind.value, "item": task.item}
        else:
            found["indicator"] = task.indicator.id
        return found

    @property
    def line(self) -> str:
        """The reminder as one line of an email or of ``--format text``."""
        if isinstance(self.task, PlanTask):
            words = REMINDER_LABELS[self.kind]
            return f"{self.task.line}: due {self.due.day} {self.due:%B %Y} ({words})"
        part = "figures" if self.due == self.task.due.figures else "commentary"
        return (
            f"{self.task.indicator.id} {self.task.indicator.display_title}, "
            f"{self.task.period.long_display}: {part} due {self.due.day} {self.due:%B %Y} "
            f"({REMINDER_LABELS[self.kind]})"
        )


def plan(made: Generation, on: date) -> list[Reminder]:
    """The reminders due on ``on`` that have not been sent: for each unfinished task, to its
    owners, and when escalated to its section's approvers, from the generation ``made`` of the
    data. People without an email address are left out (there is nowhere to send to)."""
    pack = made.pack
    tasks = [t for t in build_tasks(pack, on) if t.signoff != SignoffState.APPROVED]
    if not tasks:
        return []
    holidays = holidays_for(pack.reporting_calendar, on)
    owners, approvers = owners_by_indicator(), approvers_by_section()
    sent = set(SentReminder.objects.values_list("user_id", "indicator__code", "period", "kind"))
    found = []
    for task in tasks:
        due = task.outstanding_due
        if due is None:
            continue
        rules = pack.reporting_calendar.rules_for(task.section)
        for kind in reminder_kinds(due, on, rules, holidays):
            people = (
                approvers[task.section]
                if kind is ReminderKind.ESCALATION
                else owners[task.indicator.id]
            )
            for person in people:
                key = (person.pk, task.indicator.id, task.period.label, kind.value)
                if person.is_active and person.email and key not in sent:
                    found.append(Reminder(person, task, kind, due))
    return found + _plan_reminders(made, on)


def _plan_reminders(made: Generation, on: date) -> list[Reminder]:
    """The business plan's reminders due on ``on``: for each action update or risk review not
    given in a month not yet approved, to the section's owners, escalated as figures are."""
    pack = made.pack
    tasks = [t for t in build_plan_tasks(made, on) if not t.done and not t.given]
    tasks = [t for t in tasks if t.signoff != SignoffState.APPROVED]
    if not tasks:
        return []
    holidays = holidays_for(pack.reporting_calendar, on)
    owners, approvers = owners_by_section(), approvers_by_section()
    sent = set(
        SentReminder.objects.filter(indicator__isnull=True).values_list(
            "user_id", "plan_task", "plan_item", "period", "kind"
        )
    )
    found = []
    for task in tasks:
        rules = pack.reporting_calendar.rules_for(task.section)
        for kind in reminder_kinds(task.due, on, rules, holidays):
            escalated = kind is ReminderKind.ESCALATION
            for person in (approvers if escalated else owners)[task.section]:
                key = (person.pk, task.kind.value, task.item, task.period.label, kind.value)
                if person.is_active and person.email and key not in sent:
                    found.append(Reminder(person, task, kind, task.due))
    return found


def _subject(reminders: list[Reminder]) -> str:
    late = sum(r.kind in (ReminderKind.OVERDUE, ReminderKind.ESCALATION) for r in reminders)
    count = len(reminders)
    what = f"{count} reminder{'s' if count != 1 else ''}"
    return f"{what} about performance figures" + (f" ({late} overdue)" if late else "")


def _body(reminders: list[Reminder]) -> str:
    plan = any(isinstance(r.task, PlanTask) for r in reminders)
    what = "figures, commentary and business plan updates" if plan else "figures and commentary"
    lines = [f"These {what} need your attention:", ""]
    for reminder in reminders:
        lines.append(f"- {reminder.line}")
        if reminder.kind is ReminderKind.ESCALATION:
            lines.append("  You approve this section: the owner has been reminded too.")
        lines.append(f"  {settings.SITE_URL}{reminder.task.url}")
    lines += [
        "",
        f"Your tasks: {settings.SITE_URL}/",
        f"What we sent you: {settings.SITE_URL}/messages/",
    ]
    return "\n".join(lines) + "\n"


def _record(reminders: list[Reminder], subject: str) -> list[Reminder]:
    """Record the reminders (inside the caller's transaction); ones another run has just
    recorded are dropped, so they are not sent twice."""
    codes = {r.task.indicator.id for r in reminders if isinstance(r.task, Task)}
    ids = dict(Indicator.objects.filter(code__in=codes).values_list("code", "pk"))
    kept = []
    for r in reminders:
        task = r.task
        about = (
            {"plan_task": task.kind.value, "plan_item": task.item}
            if isinstance(task, PlanTask)
            else {"indicator_id": ids[task.indicator.id]}
        )
        try:
            with transaction.atomic():
                SentReminder.objects.create(
                    user=r.user, address=r.address, period=task.period.label, kind=r.kind.value,
                    due=r.due, subject=subject, **about,
                )  # fmt: skip
        except IntegrityError:
            continue
        kept.append(r)
    return kept


def send(reminders: list[Reminder]) -> tuple[list[Reminder], list[str]]:
    """Send one email per person; returns the reminders sent and a line per email that failed
    (its reminders are not recorded, so the next run tries again)."""
    by_person: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_person[reminder.user.pk].append(reminder)
    sent, failures = [], []
    for items in by_person.values():
        subject = _subject(items)
        try:
            with transaction.atomic():
                kept = _record(items, subject)
                if kept:
                    send_mail(subject, _body(kept), settings.DEFAULT_FROM_EMAIL, [items[0].address])
        except Exception as exc:  # any mail failure: report it, try the rest
            failures.append(f"{items[0].address}: not sent ({exc.__class__.__name__}: {exc})")
            continue
        sent += kept
    done = {id(r) for r in sent}
    return [r for r in reminders if id(r) in done], failures  # in the order planned
