"""Saving an owner's progress update on a business plan action, as a new revision of the plan's
actions file: all or nothing, refused if someone else changed that action (or risk) since the
form was shown, locked once the section's period is approved, and checked as a whole pack before
it is kept.

The check is of the one action or risk edited (:func:`item_version`), not of the whole file:
owners of different sections save their own actions at the same time without a false "changed
elsewhere", each save applied to the file as it then stands, under a lock on its current row.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date

from django.db import transaction

from ..core.actions import ActionStatus
from ..core.periods import Period
from ..core.plan_cycle import next_review_problem
from ..packs.loader import build_pack
from ..packs.plan import ACTIONS, OVERRIDE_RAGS, RISKS
from ..packs.problems import PackError
from ..packs.yamlsource import wrap
from .approval import notify_changed_after_approval
from .models import PlanFile, Section, Signoff
from .permissions import can_edit_approved
from .store import bump_version, plain_json, source_from_db
from .writes import (
    ConcurrentEdit,
    Invalid,
    Locked,
    approved_lock,
    locked_message,
    site_calendar,
)

#: How often a save reads the file's current row again after waiting on another's lock (each
#: time it found that save's retired row): more writers than this at one moment are refused.
LOCK_TRIES = 5


def changed_elsewhere(ident: str) -> str:
    """The refusal of a save whose action or risk someone else changed meanwhile."""
    return (
        f"Someone else changed {ident} since you opened this page; your change was not saved. "
        "Check it and save again"
    )


def next_review_refusal(next_review: date, period: Period) -> str:
    """What is wrong with ``next_review`` set by a review of ``period``, in the form's words
    (naming the field), or ""."""
    problem = next_review_problem(next_review, period)
    return f"The next review date {problem}" if problem else ""


def current_file(name: str) -> PlanFile | None:
    return PlanFile.objects.filter(name=name, is_current=True).first()


def current_actions() -> PlanFile | None:
    return current_file(ACTIONS)


def item_body(plan_file: PlanFile, key: str, ident: str) -> dict | None:
    """The action or risk (``key``: "actions" or "risks") with id ``ident`` in the file."""
    return next((a for a in plan_file.body.get(key, []) if a.get("id") == ident), None)


def action_body(plan_file: PlanFile, action_id: str) -> dict | None:
    return item_body(plan_file, "actions", action_id)


def item_version(item: dict | None) -> str:
    """A fingerprint of one action or risk as the plan file holds it (key order aside): the
    form carries it, and a save is refused when the item no longer has it."""
    text = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _locked_item(name: str, key: str, ident: str, base_version: str) -> tuple[PlanFile, dict, dict]:
    """(the file's current row, locked for this transaction; a copy of its body; the item in
    that copy), refused when the item is not as the form showed it.

    On PostgreSQL a second writer waits on the lock; once the first commits, the row it waited
    for is no longer current and its statement finds nothing, so the current row is read again
    (a new statement sees the new row). On SQLite writers are serialised by the database."""
    current = None
    for _ in range(LOCK_TRIES):
        current = PlanFile.objects.select_for_update().filter(name=name, is_current=True).first()
        if current is not None:
            break
    if current is None:
        raise ConcurrentEdit([], changed_elsewhere(ident))
    body = copy.deepcopy(current.body)
    item = next((i for i in body.get(key, []) if i.get("id") == ident), None)
    if item is None:
        raise Invalid({"": f"There is no {key[:-1]} {ident}"})
    if (version := item_version(item)) != base_version:
        raise ConcurrentEdit([], changed_elsewhere(ident), current_version=version)
    return current, body, item


def _locked(user, section_code: str, period: Period, reason: str) -> Signoff | None:
    """Refuse a change to an approved period, unless an analyst gives a reason; the approval
    that locks it (whose approvers are told of the change), if any."""
    section = Section.objects.get(code=section_code)
    lock = approved_lock(section.pk, period)
    if lock is not None and not can_edit_approved(user):
        raise Locked({"": locked_message(lock)})
    if lock is not None and not reason.strip():
        raise Invalid({"reason": "Give a reason for changing an approved period"})
    return lock


def _tell_approvers(lock: Signoff | None, user, what: str) -> None:
    """An approved period changed (by an analyst, with a reason): its approvers are emailed, and
    its review page marks it changed since approval (``approval.changes_since_approval``)."""
    if lock is not None:
        notify_changed_after_approval(lock, user, what, site_calendar())


def _store(name: str, current: PlanFile, body: dict, user, reason: str) -> PlanFile:
    _check(name, body)
    saved = PlanFile.objects.append(
        current, name=name, body=plain_json(body), author=user, reason=reason
    )
    bump_version()
    return saved


def _entry(period: Period, status: ActionStatus, progress: int, text: str, rag: str,
           reason: str, by: str) -> dict:  # fmt: skip
    entry: dict = {"period": period.label, "status": status.value, "progress": progress}
    if text:
        entry["text"] = text
    if rag:
        entry["override"] = {"rag": rag, "reason": reason, "by": by}
    return entry


@transaction.atomic
def save_action_update(
    user, action_id: str, period: Period, *, status: ActionStatus, progress: int, text: str,
    rag: str = "", rag_reason: str = "", base_version: str, reason: str = "",
) -> PlanFile:  # fmt: skip
    """The period's update of the action (replacing one already given for the period);
    ``base_version`` is the action's :func:`item_version` as the form showed it."""
    current, body, action = _locked_item(ACTIONS, "actions", action_id, base_version)
    if rag and rag not in OVERRIDE_RAGS:
        raise Invalid({"rag": "Choose Red, Amber or Green, or no override"})
    lock = _locked(user, action["section"], period, reason)
    by = user.get_full_name() or user.get_username()
    updates = [u for u in action.get("updates", []) if u.get("period") != period.label]
    updates.append(_entry(period, status, progress, text, rag, rag_reason, by))
    action["updates"] = sorted(updates, key=lambda u: str(u.get("period")))
    why = reason.strip() or f"Progress update on {action_id} for {period.label}"
    saved = _store(ACTIONS, current, body, user, why)
    _tell_approvers(lock, user, f"the progress update on {action_id} for {period.display}")
    return saved


@transaction.atomic
def save_risk_review(
    user, risk_id: str, period: Period, *, likelihood: int, impact: int, note: str,
    next_review: date | None = None, base_version: str, reason: str = "",
) -> PlanFile:  # fmt: skip
    """The period's review of the risk's current score (replacing one already given), with the
    date of the next review it sets (None: the one already planned stands)."""
    if next_review is not None and (problem := next_review_refusal(next_review, period)):
        raise Invalid({"next_review": problem})
    current, body, risk = _locked_item(RISKS, "risks", risk_id, base_version)
    lock = _locked(user, risk["section"], period, reason)
    entry: dict = {"period": period.label, "likelihood": likelihood, "impact": impact}
    if note:
        entry["note"] = note
    if next_review is not None:
        entry["next_review"] = next_review.isoformat()
    reviews = [v for v in risk.get("reviews", []) if v.get("period") != period.label]
    risk["reviews"] = sorted([*reviews, entry], key=lambda v: str(v.get("period")))
    why = reason.strip() or f"Risk review of {risk_id} for {period.label}"
    saved = _store(RISKS, current, body, user, why)
    _tell_approvers(lock, user, f"the review of {risk_id} for {period.display}")
    return saved


def _check(name: str, body: dict) -> None:
    """Refuse a body that would not make a valid pack (its problems, in words)."""
    source = source_from_db()
    source.plan[name] = wrap(body)
    try:
        build_pack(source)
    except PackError as exc:
        raise Invalid({"": "; ".join(p.message for p in exc.problems)}) from None
