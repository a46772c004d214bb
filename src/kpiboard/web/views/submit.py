"""Check your answers, then submit a section's month; and withdraw a submission (rules in
:mod:`kpiboard.web.submission`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..models import Section, SignoffState
from ..permissions import can_submit
from ..plan_tasks import month_plan_context
from ..signoff import set_signoff
from ..store import current_pack, generation
from ..submission import MISSING_TARGET, answers, submit_section
from ..tasks import today
from ..urlperiods import period_slug
from ..writes import MAX_NOTE, SignoffChanged, SignoffRefused, signoff_state, when, who
from .conflicts import CHANGED_ELSEWHERE, carry_base
from .grid import period_or_404 as month_or_404


class ExplainGaps(forms.Form):
    """An explanation box for each of the person's indicators with a gap."""

    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, gaps=(), **kwargs):
        super().__init__(*args, **kwargs)
        for answer in gaps:
            self.fields[f"gap-{answer.code}"] = forms.CharField(
                required=False, max_length=MAX_NOTE, initial=answer.explanation
            )


def _context(request, section, month, state, row, form, answers_list):
    return {
        "section": section,
        "month": month,
        "slug": period_slug(month.label),
        "answers": answers_list,
        "form": form,
        "state": state,
        "row": row,
        "by": f"{who(row.author)}, {when(row.created)}" if row else "",
        "gaps": [a for a in answers_list if a.missing],
        "no_target": [a.code for a in answers_list if MISSING_TARGET in a.missing],
        "summary": [(f"id_{k}", v[0]) for k, v in form.errors.items() if k != "__all__"],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def check_answers(request, code: str, period: str):
    """The person's answers for the section's month: figures, ratings, commentary and gaps,
    with a box to explain each gap; submitting saves the explanations and submits, or neither."""
    section = get_object_or_404(Section, code=code)
    if not can_submit(request.user, section):
        raise PermissionDenied
    month = month_or_404(period, current_pack().calendar)
    state, row = signoff_state(section, month.label)
    mine = [a for a in answers(request.user, section, month) if a.mine]
    gaps = [a for a in mine if a.missing]
    status = 200
    if request.method == "POST":
        form = ExplainGaps(request.POST, gaps=gaps)
        status = 400
        if form.is_valid():
            explanations = {a.code: form.cleaned_data.get(f"gap-{a.code}", "") for a in gaps}
            try:
                submit_section(
                    request.user, section, month, explanations,
                    form.cleaned_data["base_revision"],
                )  # fmt: skip
            except SignoffRefused as exc:
                if isinstance(exc, SignoffChanged):
                    status = CHANGED_ELSEWHERE
                    state, row, mine, form = _as_saved_now(request.user, section, month, form)
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(
                    request, f"{section.title} for {month.display} submitted for approval"
                )
                return redirect("kpiboard:entry")
    else:
        form = ExplainGaps(initial={"base_revision": row.revision if row else 0}, gaps=gaps)
    context = _context(request, section, month, state, row, form, mine)
    context |= month_plan_context(generation(), section.code, month, today())
    context["plan_editable"] = state == SignoffState.DRAFT
    context["non_field"] = form.non_field_errors()
    if context["non_field"]:
        context["summary"].insert(0, ("submit", context["non_field"][0]))
    return render(request, "kpiboard/check_answers.html", context, status=status)


def _as_saved_now(user, section, month, form: ExplainGaps):
    """After someone else moved the sign-off: its state and the person's answers as saved now
    (the state first, so the base carried is never newer than what is shown), and the form
    again with the explanations typed, carrying the sign-off revision now current."""
    state, row = signoff_state(section, month.label)
    mine = [a for a in answers(user, section, month) if a.mine]
    again = ExplainGaps(form.data, gaps=[a for a in mine if a.missing])
    carry_base(again, "base_revision", row.revision if row else 0)
    again.is_valid()  # checked already: the errors of the refusal are added to it
    return state, row, mine, again


@require_POST
def withdraw_submission(request, code: str, period: str):
    """An owner takes their section's submitted month back to draft, before it is approved."""
    section = get_object_or_404(Section, code=code)
    if not can_submit(request.user, section):
        raise PermissionDenied
    month = month_or_404(period, current_pack().calendar)
    try:
        set_signoff(
            request.user, section.code, month.label, SignoffState.DRAFT,
            "Withdrawn before approval", withdraw=True,
        )  # fmt: skip
    except SignoffRefused as exc:
        messages.error(request, next(iter(exc.errors.values())))
    else:
        messages.success(
            request, f"{section.title} for {month.display} was withdrawn: it is a draft again"
        )
    return redirect("kpiboard:check_answers", section.code, period_slug(month.label))
