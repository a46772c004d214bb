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
import threading
from collections import OrderedDict
from collections.abc import Iterator
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

#: One update or review a plan revision gave or changed: (section, item id, period label, kind).
PlanEntry = tuple[str, str, str, PlanTaskKind]


def plan_entries_changed(before: dict, after: dict) -> Iterator[PlanEntry]:
    """Each update or review, of any section, that ``after`` (a plan file's body) gives
    differently from ``before`` (the revision it replaced). An item left as it was (nearly all,
    in a revision that gives one update) is passed over with one comparison."""
    for kind, (items, entries) in PLAN_ENTRIES.items():
        old_items = {i.get("id"): i for i in before.get(items) or []}
        for item in after.get(items) or []:
            old = old_items.get(item.get("id"))
            if old == item:
                continue
            given = {str(e.get("period")): e for e in (old or {}).get(entries) or []}
            for entry in item.get(entries) or []:
                label = str(entry.get("period"))
                if given.get(label) != entry:
                    yield str(item.get("section")), str(item.get("id")), label, kind


class _RevisionEntries:
    """What each plan revision changed (:func:`plan_entries_changed` against the revision before
    it), worked out once per process and kept by the row's identity.

    Revisions are never edited, so what one changed is true for good: a later write adds rows and
    changes no answer here, which a cache of the data's generation would throw away at each
    write (and a plan's bodies are big: decoding a month's revisions of a 300-action plan is
    most of a second). The key includes the row's creation time, so a row id that comes round
    again (a rolled-back insert on SQLite, a restored backup) is never taken for another row.

    Bounded by the entries held, summed over the revisions (a revision that changed none counts
    as one), the least recently used revisions going first: a revision's size varies from one
    entry (a form's save) to thousands (a whole file brought in: 300 actions of 6 updates is
    1,800 entries, about 270 KB), so a count of revisions would bound nothing. An entry holds a
    tuple and its strings, about 150 bytes: the default bound is some 15 MB."""

    def __init__(self, entries: int = 100_000) -> None:
        self.entries = entries
        self.held = 0  # entries held now, summed as the bound counts them
        self._found: OrderedDict[tuple, tuple[PlanEntry, ...]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def weight(found: tuple[PlanEntry, ...]) -> int:
        """What one revision's answer counts against the bound."""
        return max(1, len(found))

    @staticmethod
    def key(row: PlanFile) -> tuple:
        return (row.pk, row.name, row.revision, row.created)

    def of(self, rows: list[PlanFile]) -> dict[int, tuple[PlanEntry, ...]]:
        """Each row's entries by its id, reading the bodies of only the rows not seen before
        (and of the revisions they replaced): one query, however many."""
        with self._lock:
            known = {r.pk: self._found[k] for r in rows if (k := self.key(r)) in self._found}
            for row in rows:
                if row.pk in known:
                    self._found.move_to_end(self.key(row))
        missing = [r for r in rows if r.pk not in known]
        if not missing:
            return known
        wanted = Q(pk__in=[])
        for name in {r.name for r in missing}:
            numbers = {r.revision for r in missing if r.name == name}
            wanted |= Q(name=name, revision__in=sorted(numbers | {n - 1 for n in numbers}))
        bodies = {
            (name, revision): body
            for name, revision, body in PlanFile.objects.filter(wanted).values_list(
                "name", "revision", "body"
            )
        }
        made = {
            r.pk: tuple(plan_entries_changed(
                bodies.get((r.name, r.revision - 1)) or {}, bodies.get((r.name, r.revision)) or {}
            ))
            for r in missing
        }  # fmt: skip
        with self._lock:
            for row in missing:
                key = self.key(row)
                if key not in self._found:  # another request may have kept it meanwhile
                    self._found[key] = made[row.pk]
                    self.held += self.weight(made[row.pk])
            while self.held > self.entries and self._found:
                self.held -= self.weight(self._found.popitem(last=False)[1])
        return known | made

    def clear(self) -> None:
        """Forget every revision (tests start each from an empty memory)."""
        with self._lock:
            self._found.clear()
            self.held = 0

    def __len__(self) -> int:
        return len(self._found)


REVISION_ENTRIES = _RevisionEntries()


def _plan_changes(section: Section, approved: Period, since: datetime, calendar, who):
    """The section's plan updates and reviews of the approved period changed after ``since``:
    the revisions since then listed without their bodies, and what each changed (for every
    section: grouped here, in memory) from :data:`REVISION_ENTRIES`."""
    later = list(
        PlanFile.objects.filter(created__gt=since)
        .defer("body")
        .select_related("author")
        .order_by("name", "revision")
    )
    changed = REVISION_ENTRIES.of(later)
    out: list[ChangeSinceApproval] = []
    for row in later:
        for code, ident, label, kind in changed[row.pk]:
            if code != section.code:
                continue
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
