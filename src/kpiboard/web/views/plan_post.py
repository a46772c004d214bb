"""The POST half shared by the business plan's update forms (an action's progress, a risk's
review): validate, save through the plan's write path, and either go back to the plan page or
show the form again with every refusal on its field."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from ...core.periods import Period, PeriodError, PeriodKind
from ..reporting_month import collecting_month
from ..tasks import today
from ..urlperiods import period_from_slug
from ..writes import ConcurrentEdit, Invalid, Locked
from .conflicts import CHANGED_ELSEWHERE, carry_base


def change_reason() -> forms.CharField:
    """The reason every plan form asks for, needed to change an approved month."""
    return forms.CharField(
        max_length=500,
        required=False,
        label="Reason for the change (needed once the period is approved)",
    )


def post_plan_form(
    request: HttpRequest, form: forms.Form, save: Callable[[dict], object], saved: str,
    back: str = "kpiboard:plan",
) -> tuple[HttpResponse | None, int]:  # fmt: skip
    """(the redirect after a save, or None to show the form; the status to show it with).
    ``save`` gets the cleaned data; ``saved`` is the message shown on the page gone back to
    (``back``, a URL name: the plan page, or the task list the month's form was opened from)."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        save(form.cleaned_data)
    except (Invalid, Locked, ConcurrentEdit) as exc:
        for key, message in exc.errors.items():
            form.add_error(key or None, message)
        if isinstance(exc, ConcurrentEdit):
            _carry_current_version(form, exc.current_version)
            return None, CHANGED_ELSEWHERE
        return None, 400
    messages.success(request, saved)
    return redirect(back), 200


def _carry_current_version(form: forms.Form, version: str) -> None:
    """After "changed elsewhere", the form shown again carries the fingerprint of the item as
    it is saved now (see :mod:`.conflicts`); the view then shows what is saved now, read after
    the refusal (never older than the fingerprint)."""
    if version:
        carry_base(form, "base_version", version)


def error_context(form: forms.Form) -> dict:
    """The errors as the templates show them: by field, the form's own under "form_error"."""
    errors = {k if k != "__all__" else "form-error": v[0] for k, v in form.errors.items()}
    return {"errors": errors, "form_error": errors.get("form-error", "")}


#: Where a plan form goes back to: (URL name, link words), for the reporting month's form
#: (opened from the plan page) and a month's own (opened from the task list).
BACK_TO_PLAN = ("kpiboard:plan", "Back to the business plan")
BACK_TO_TASKS = ("kpiboard:home", "Back to your tasks")


def plan_period(pack, slug: str | None) -> tuple[Period, tuple[str, str]]:
    """The month a plan form is for, and where it goes back to: the reporting month without
    ``slug``; else the month it names, which must be the one being collected, an earlier one,
    or one that has ended (404 otherwise: there is no such task)."""
    if slug is None:
        return pack.as_at, BACK_TO_PLAN
    try:
        period = period_from_slug(slug, pack.calendar)
    except (PeriodError, ValueError):
        raise Http404("No such month") from None
    ended = period.end < today()  # on the task list, as every month ended is
    if period.kind is not PeriodKind.MONTH or (period > collecting_month(pack) and not ended):
        raise Http404("No such month")
    return period, BACK_TO_TASKS
