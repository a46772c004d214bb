"""The team view: who is late, by section and owner (figures, commentary and the business plan's
updates and reviews), and where each period's sign-off stands against its approval date.
Analysts and administrators see every section, approvers their own; owners have their task list
instead, viewers neither."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ...core.due_dates import TaskStatus
from ...core.periods import Period
from ..models import Profile, Role, SignoffState
from ..permissions import FULL, role_of
from ..plan_tasks import PlanTask, build_plan_tasks, owners_by_section
from ..reporting_month import collecting_month
from ..store import generation
from ..tasks import (
    Task,
    approvers_by_section,
    build_tasks,
    owners_by_indicator,
    today,
)
from ..writes import who


@dataclass
class OwnerRow:
    name: str
    email: str
    open: int = 0
    overdue: int = 0
    late: list[str] = field(default_factory=list)  # "ASC01 (Oct-13)"


@dataclass
class SignoffRow:
    period: Period
    state: str
    approval_due: date
    late: bool


@dataclass
class SectionTeam:
    code: str
    title: str
    approvers: list[str]
    owners: list[OwnerRow]
    signoffs: list[SignoffRow]

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.owners)


NOBODY = "No owner"


def _owner_rows(
    tasks: list[Task], owners: dict[str, list], plan: list[PlanTask], section_owners: list
) -> list[OwnerRow]:
    """A row per owner: their indicators' tasks, and the section's plan tasks for each owner of
    the whole section (counted as on their task lists)."""
    rows: dict[str, OwnerRow] = {}

    def row_of(person) -> OwnerRow:
        key = person.get_username() if person else ""
        made = OwnerRow(who(person) if person else NOBODY, person.email if person else "")
        return rows.setdefault(key, made)

    for task in tasks:
        for person in owners.get(task.indicator.id) or [None]:
            row = row_of(person)
            # Counted as on the owner's task list: figures and commentary are a task each.
            row.open += sum(p.status is not TaskStatus.COMPLETED for p in task.parts)
            row.overdue += sum(p.status is TaskStatus.OVERDUE for p in task.parts)
            if task.late:
                row.late.append(f"{task.indicator.id} ({task.period.display})")
    for item in plan:
        for person in section_owners or [None]:
            row = row_of(person)
            row.open += not item.done
            row.overdue += item.late
            if item.late:
                row.late.append(f"{item.item} ({item.period.display})")
    return sorted(rows.values(), key=lambda r: (-r.overdue, -r.open, r.name))


def _signoff_rows(tasks: list[Task], on: date) -> list[SignoffRow]:
    seen: dict[str, SignoffRow] = {}
    for task in tasks:
        if task.period.label not in seen:
            late = on > task.due.approval and task.signoff != SignoffState.APPROVED
            seen[task.period.label] = SignoffRow(task.period, task.signoff, task.due.approval, late)
    rows = sorted(seen.values(), key=lambda r: r.period.sort_key, reverse=True)
    # The latest period, and any earlier one still waiting for approval.
    return [r for i, r in enumerate(rows) if i == 0 or r.state != SignoffState.APPROVED][:6]


def _sections_for(user) -> set[str] | None:
    role = role_of(user)
    if role in FULL:
        return None
    if role is Role.APPROVER:
        return set(Profile.objects.get(user=user).sections.values_list("code", flat=True))
    raise PermissionDenied("The team view is for analysts and approvers")


@require_safe
def team(request):
    visible = _sections_for(request.user)
    on = today()
    made = generation(request)
    pack = made.pack
    tasks = build_tasks(pack, on)
    owners, approvers = owners_by_indicator(), approvers_by_section()
    by_section: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_section[task.section].append(task)
    plan: dict[str, list[PlanTask]] = defaultdict(list)
    for item in build_plan_tasks(made, on, visible):
        plan[item.section].append(item)
    section_owners = owners_by_section()
    sections = [
        SectionTeam(
            s.id,
            s.title,
            [who(p) for p in approvers.get(s.id, [])],
            _owner_rows(by_section[s.id], owners, plan[s.id], section_owners.get(s.id, [])),
            _signoff_rows(by_section[s.id], on),
        )
        for s in pack.sections
        if (visible is None or s.id in visible) and (by_section[s.id] or plan[s.id])
    ]
    return render(
        request,
        "kpiboard/team.html",
        {
            "sections": sections,
            "collecting": collecting_month(pack),
            "today": on,
            "overdue": sum(s.overdue for s in sections),
        },
    )
