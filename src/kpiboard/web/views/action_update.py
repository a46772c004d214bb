"""An action's progress update for the reporting period: status, percentage complete, what
happened, and the owner's own RAG with a reason. Owners of the action's section, analysts and
administrators may give one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ...core.actions import ActionStatus
from ...core.periods import Period
from ...core.plan import action_state
from ...packs.plan import OVERRIDE_RAGS
from ..models import Section
from ..permissions import can_submit
from ..plan_writes import action_body, current_actions, item_version, save_action_update
from ..store import current_pack
from .conflicts import CHANGED_ELSEWHERE
from .plan_post import change_reason, error_context, plan_period, post_plan_form

STATUS_CHOICES = [(s.value, s.words) for s in ActionStatus]
RAG_CHOICES = [("", "No override: use the computed RAG")] + [
    (key, rag.words) for key, rag in OVERRIDE_RAGS.items()
]


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        choices=STATUS_CHOICES,
        error_messages={
            "required": "Choose the action's status",
            "invalid_choice": "Choose the action's status",
        },
    )
    progress = forms.IntegerField(
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter the percentage complete, from 0 to 100",
            "invalid": "Enter the percentage complete as a whole number, from 0 to 100",
            "min_value": "Enter a percentage from 0 to 100",
            "max_value": "Enter a percentage from 0 to 100",
        },
    )
    text = forms.CharField(
        max_length=2000, error_messages={"required": "Say what has happened this period"}
    )
    rag = forms.ChoiceField(choices=RAG_CHOICES, required=False)
    rag_reason = forms.CharField(max_length=500, required=False, label="Reason for your RAG")
    reason = change_reason()
    base_version = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("rag") and not (data.get("rag_reason") or "").strip():
            self.add_error("rag_reason", "Give the reason for setting the RAG yourself")
        return data


def _initial(state, base: str) -> dict:
    update = state.update
    if update is None:
        return {"status": ActionStatus.NOT_STARTED.value, "progress": 0, "base_version": base}
    override = update.override
    return {
        "status": update.status.value, "progress": int(update.progress), "text": update.text,
        "rag": override.rag.value.lower() if override else "",
        "rag_reason": override.reason if override else "", "base_version": base,
    }  # fmt: skip


def _saved_now(action_id: str, month: Period) -> dict:
    """The action's update as saved now, read after a save was refused because someone else
    changed the action: shown beside what the user typed, so they can check it and save again."""
    pack = current_pack()
    action = next((a for a in pack.plan.actions if a.id == action_id), None)
    if action is None:
        return {"update": None}
    state = action_state(action, month, pack.plan.tolerance)
    override = state.update.override if state.update else None
    return {"update": state.update, "rag": override.rag.words if override else ""}


@require_http_methods(["GET", "POST"])
def action_update(request, action_id: str, period: str | None = None):
    plan_file = current_actions()  # first: the fingerprint is never newer than the values shown
    pack = current_pack()
    action = next((a for a in pack.plan.actions if a.id == action_id), None)
    if action is None or plan_file is None or action_body(plan_file, action_id) is None:
        raise Http404("No such action")
    section = Section.objects.filter(code=action.section).first()
    if section is None or not can_submit(request.user, section):
        raise PermissionDenied
    month, (back, back_text) = plan_period(pack, period)
    state = action_state(action, month, pack.plan.tolerance)
    base = item_version(action_body(plan_file, action_id))
    form = ActionUpdateForm(request.POST or None, initial=_initial(state, base))

    def save(d: dict) -> object:
        return save_action_update(
            request.user, action_id, month, status=ActionStatus(d["status"]),
            progress=d["progress"], text=d["text"].strip(), rag=d["rag"],
            rag_reason=d["rag_reason"].strip(), base_version=d["base_version"],
            reason=d["reason"],
        )  # fmt: skip

    saved = f"Your update on {action.title} for {month.display} was saved."
    done, status = post_plan_form(request, form, save, saved, back)
    if done is not None:
        return done
    saved_now = _saved_now(action_id, month) if status == CHANGED_ELSEWHERE else None
    context = error_context(form) | {
        "saved_now": saved_now,
        "action": action, "period": month, "form": form, "back": back, "back_text": back_text,
        "section_title": section.title,
        "status_choices": STATUS_CHOICES, "rag_choices": RAG_CHOICES,
        "computed": state.rag.computed,
    }  # fmt: skip
    return render(request, "kpiboard/action_update.html", context, status=status)
