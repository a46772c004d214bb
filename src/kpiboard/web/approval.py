"""Figures changed after a section's period was approved: what changed, and telling the approvers.

An approved period is locked, but analysts may still change it (with a reason) and imports may
too. Such a change leaves the approval standing over figures the approver never saw, so the
period is marked "changed since approval" (on the review page, until it is approved again) and
the section's approvers are sent an email. The changes are worked out from the revisions
themselves, never stored twice: any figure or commentary revision of a covered period made after
the approving sign-off, and any business plan revision since then that gave or changed one of the
section's action updates or risk reviews of a covered period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from ..core.periods import FinancialCalendar, Period, PeriodError
from ..core.plan_cycle import PlanTaskKind
from .models import CommentaryText, Figure, PlanFile, Profile, Role, Section, Signoff, SignoffState
from .urlperiods import period_slug

log = logging.getLogger(__name__)


def _covers(approved: Period, period: Period) -> bool:
    return approved.start <= period.end <= approved.end  # as writes.covers


@dataclass(frozen=True)
class ChangeSinceApproval:
    indicator: str
    period: str  # the figure's period, for display
    what: str  # "Actual: 81" or "Commentary"
    author: str
    at: datetime
    reason: str


def _approval(section: Section, period_label: str) -> Signoff | None:
    return Signoff.objects.filter(
        section=section, period=period_label, is_current=True, state=SignoffState.APPROVED
    ).first()


def changes_since_approval(
    section: Section, period_label: str, calendar: FinancialCalendar
) -> list[ChangeSinceApproval]:
    """Every figure and commentary revision of the section's approved period made after the
    approval, oldest first; empty when the period is not approved or nothing changed."""
    from .writes import who  # writes imports this module

    row = _approval(section, period_label)
    if row is None:
        return []
    approved = calendar.parse(period_label)
    out: list[ChangeSinceApproval] = []
    later = {"indicator__section": section, "created__gt": row.created}
    for fig in Figure.objects.filter(**later).select_related("indicator", "author"):
        period = _parse(calendar, fig.period)
        if period is not None and _covers(approved, period):
            value = "withdrawn" if fig.value is None else f"{fig.value:g}"
            what = f"{fig.series.replace('_', ' ').capitalize()}: {value}"
            out.append(_change(fig, period, what, who))
    for text in CommentaryText.objects.filter(**later).select_related("indicator", "author"):
        period = _parse(calendar, text.period)
        if period is not None and _covers(approved, period):
            out.append(_change(text, period, "Commentary", who))
    out += _plan_changes(section, approved, row.created, calendar, who)
    return sorted(out, key=lambda c: c.at)


#: Where a plan file keeps each kind of task's entries: (items, their entries) by kind.
PLAN_ENTRIES = {
    PlanTaskKind.ACTION_UPDATE: ("actions", "updates"),
    PlanTaskKind.RISK_REVIEW: ("risks", "reviews"),
}


def plan_entries_changed(before: dict, after: dict, section: str):
    """(item id, period label, kind) for each of the section's updates or reviews that ``after``
    (a plan file's body) gives differently from ``before`` (the revision it replaced)."""
    for kind, (items, entries) in PLAN_ENTRIES.items():
        old = {
            i.get("id"): {str(e.get("period")): e for e in i.get(entries) or []}
            for i in before.get(items) or []
        }
        for item in after.get(items) or []:
            if item.get("section") != section:
                continue
            for entry in item.get(entries) or []:
                label = str(entry.get("period"))
                if old.get(item.get("id"), {}).get(label) != entry:
                    yield str(item.get("id")), label, kind


def _plan_changes(section: Section, approved: Period, since: datetime, calendar, who):
    """The section's plan updates and reviews of the approved period changed after ``since``:
    each later revision compared with the one it replaced (two queries, however many)."""
    later = list(
        PlanFile.objects.filter(created__gt=since)
        .select_related("author")
        .order_by("name", "revision")
    )
    first: dict[str, int] = {}
    for row in later:
        first.setdefault(row.name, row.revision)
    replaced = Q(pk__in=[])
    for name, revision in first.items():
        replaced |= Q(name=name, revision=revision - 1)
    bodies = {
        (name, revision): body
        for name, revision, body in PlanFile.objects.filter(replaced).values_list(
            "name", "revision", "body"
        )
    }
    bodies.update(((row.name, row.revision), row.body) for row in later)
    out: list[ChangeSinceApproval] = []
    for row in later:
        before = bodies.get((row.name, row.revision - 1)) or {}
        for ident, label, kind in plan_entries_changed(before, row.body, section.code):
            period = _parse(calendar, label)
            if period is not None and _covers(approved, period):
                out.append(ChangeSinceApproval(
                    ident, period.display, kind.words, who(row.author), row.created, row.reason
                ))  # fmt: skip
    return out


def _change(row, period: Period, what: str, who) -> ChangeSinceApproval:
    return ChangeSinceApproval(
        row.indicator.code, period.display, what, who(row.author), row.created, row.reason
    )


def _parse(calendar: FinancialCalendar, label: str) -> Period | None:
    try:
        return calendar.parse(label)
    except PeriodError:  # pragma: no cover - labels are canonical when written
        return None


def approvers(section: Section) -> list:
    """The people who approve ``section`` (approvers given the section)."""
    profiles = Profile.objects.filter(role=Role.APPROVER, sections=section).select_related("user")
    return [p.user for p in profiles if p.user.is_active]


def notify_changed_after_approval(lock: Signoff, changer, what: str, calendar) -> None:
    """Email the section's approvers, once the change is committed, that ``what`` (e.g. "ASC01's
    actual for October 2013") was changed after they approved the period. A mail server that
    fails is logged: the change itself stands, and the review page shows it anyway."""
    from .writes import who

    section = lock.section
    display = calendar.parse(lock.period).display
    path = reverse("kpiboard:review", args=[section.code, period_slug(lock.period)])
    recipients = [u.email for u in approvers(section) if u.email]
    if not recipients:
        return
    subject = f"{section.title} for {display} was changed after approval"
    body = (
        f"{who(changer)} changed {what} after {section.title} for {display} was approved.\n\n"
        f"The period is marked as changed since approval until it is approved again. "
        f"Review the changes: {path}\n"
    )

    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # the change is saved; the review page still shows it
            log.exception("could not email the approvers of %s about a change", section.code)

    transaction.on_commit(send)
