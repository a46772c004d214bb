"""The POST half shared by the business plan's update forms (an action's progress, a risk's
review): validate, save through the plan's write path, and either go back to the plan page or
show the form again with every refusal on its field."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ..writes import ConcurrentEdit, Invalid, Locked


def post_plan_form(
    request: HttpRequest, form: forms.Form, save: Callable[[dict], object], saved: str
) -> tuple[HttpResponse | None, int]:
    """(the redirect after a save, or None to show the form; the status to show it with).
    ``save`` gets the cleaned data; ``saved`` is the message shown on the plan page."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        save(form.cleaned_data)
    except (Invalid, Locked, ConcurrentEdit) as exc:
        for key, message in exc.errors.items():
            form.add_error(key or None, message)
        return None, 409 if isinstance(exc, ConcurrentEdit) else 400
    messages.success(request, saved)
    return redirect("kpiboard:plan"), 200


def error_context(form: forms.Form) -> dict:
    """The errors as the templates show them: by field, the form's own under "form_error"."""
    errors = {k if k != "__all__" else "form-error": v[0] for k, v in form.errors.items()}
    return {"errors": errors, "form_error": errors.get("form-error", "")}
