"""The home page. An indicator owner's is their task list (GOV.UK task list pattern): for each
period on the reporting calendar, their indicators' figures and commentary, and their sections'
business plan updates and risk reviews, with their status and due dates, and "all done" when
everything is. Everyone else starts on the dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ...core.due_dates import MILESTONE_LABELS, DueDates, Milestone, TaskStatus
from ...core.periods import Period
from ..models import Role
from ..permissions import role_of
from ..plan_tasks import PlanTask, build_plan_tasks, plan_sections
from ..reporting_month import collecting_month
from ..store import generation
from ..tasks import Task, TaskPart, build_tasks, owned_codes, today
from .dashboard import dashboard


@dataclass
class PeriodGroup:
    period: Period
    due: DueDates
    tasks: list[Task] = field(default_factory=list)
    plan: list[PlanTask] = field(default_factory=list)  # the business plan's, for the month

    @property
    def done(self) -> bool:
        return all(t.done for t in self.tasks) and all(t.done for t in self.plan)

    @property
    def late(self) -> int:
        return sum(t.late for t in self.tasks) + sum(t.late for t in self.plan)

    @property
    def milestones(self) -> list[tuple[str, object]]:
        """The section-wide dates (shown once per period): the first section's, since an
        owner's sections may differ only by their overrides, which the tasks' hints show."""
        return [(MILESTONE_LABELS[m], self.due.dates[m]) for m in Milestone]


def group_by_period(tasks: list[Task], plan: Sequence[PlanTask] = ()) -> list[PeriodGroup]:
    """Periods with something left to do first (oldest first: the most overdue at the top),
    then the finished ones, newest first."""
    groups: dict[str, PeriodGroup] = {}
    for task in tasks:
        groups.setdefault(task.period.label, PeriodGroup(task.period, task.due)).tasks.append(task)
    for item in plan:
        groups.setdefault(item.period.label, PeriodGroup(item.period, item.dates)).plan.append(item)
    open_ = sorted((g for g in groups.values() if not g.done), key=lambda g: g.period.sort_key)
    done = sorted(
        (g for g in groups.values() if g.done), key=lambda g: g.period.sort_key, reverse=True
    )
    return open_ + done


@require_safe
def home(request):
    """An owner's task list; the dashboard for everyone else."""
    if role_of(request.user) is not Role.OWNER:
        return dashboard(request)
    on = today()
    made = generation(request)
    pack = made.pack
    tasks = build_tasks(pack, on, owned_codes(request.user))
    plan = build_plan_tasks(made, on, plan_sections(request.user))
    groups = group_by_period(tasks, plan)
    parts: list[TaskPart | PlanTask] = [part for task in tasks for part in task.parts]
    parts += plan
    return render(
        request,
        "kpiboard/tasks.html",
        {
            "groups": [g for g in groups if not g.done],
            "finished": [g for g in groups if g.done],
            "collecting": collecting_month(pack),
            "today": on,
            "late": sum(p.status is TaskStatus.OVERDUE for p in parts),
            "open": sum(p.status is not TaskStatus.COMPLETED for p in parts),
            "has_tasks": bool(tasks or plan),
        },
    )
