"""Saving an owner's progress update on a business plan action, as a new revision of the plan's
actions file: all or nothing, refused if someone else saved the file since the form was shown,
locked once the section's period is approved, and checked as a whole pack before it is kept."""

from __future__ import annotations

import copy

from django.db import transaction

from ..core.actions import ActionStatus
from ..core.periods import Period
from ..packs.loader import build_pack
from ..packs.plan import ACTIONS, OVERRIDE_RAGS
from ..packs.problems import PackError
from ..packs.yamlsource import wrap
from .models import PlanFile, Section
from .permissions import can_edit_approved
from .store import _plain, _supersede, bump_version, source_from_db
from .writes import ConcurrentEdit, Invalid, Locked, approved_lock, locked_message

CHANGED_ELSEWHERE = (
    "Someone else changed the plan's actions since you opened this page; your update was not "
    "saved. Check the action and save again"
)


def current_actions() -> PlanFile | None:
    return PlanFile.objects.filter(name=ACTIONS, is_current=True).first()


def action_body(plan_file: PlanFile, action_id: str) -> dict | None:
    return next((a for a in plan_file.body.get("actions", []) if a.get("id") == action_id), None)


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
    rag: str = "", rag_reason: str = "", base_revision: int, reason: str = "",
) -> PlanFile:  # fmt: skip
    """The period's update of the action (replacing one already given for the period)."""
    current = PlanFile.objects.select_for_update().filter(name=ACTIONS, is_current=True).first()
    if current is None or current.revision != base_revision:
        raise ConcurrentEdit([], CHANGED_ELSEWHERE)
    body = copy.deepcopy(current.body)
    action = next((a for a in body.get("actions", []) if a.get("id") == action_id), None)
    if action is None:
        raise Invalid({"": f"There is no action {action_id}"})
    if rag and rag not in OVERRIDE_RAGS:
        raise Invalid({"rag": "Choose Red, Amber or Green, or no override"})
    section = Section.objects.get(code=action["section"])
    lock = approved_lock(section.pk, period)
    if lock is not None and not can_edit_approved(user):
        raise Locked({"": locked_message(lock)})
    if lock is not None and not reason.strip():
        raise Invalid({"reason": "Give a reason for changing an approved period"})
    by = user.get_full_name() or user.get_username()
    updates = [u for u in action.get("updates", []) if u.get("period") != period.label]
    updates.append(_entry(period, status, progress, text, rag, rag_reason, by))
    action["updates"] = sorted(updates, key=lambda u: str(u.get("period")))
    _check(body)
    _supersede(current)
    saved = PlanFile.objects.create(
        name=ACTIONS, body=_plain(body), revision=current.revision + 1, author=user,
        reason=reason.strip() or f"Progress update on {action_id} for {period.label}",
    )  # fmt: skip
    bump_version()
    return saved


def _check(body: dict) -> None:
    """Refuse a body that would not make a valid pack (its problems, in words)."""
    source = source_from_db()
    source.plan[ACTIONS] = wrap(body)
    try:
        build_pack(source)
    except PackError as exc:
        raise Invalid({"": "; ".join(p.message for p in exc.problems)}) from None
