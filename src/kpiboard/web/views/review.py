"""The approver's review of a section's month: every figure, rating, change from the period
before, commentary and explained gap, and changes made since approval; approve, or return with
a reason. The moves themselves are :func:`kpiboard.web.signoff.set_signoff`'s."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ..approval import changes_since_approval
from ..models import Section, SignoffState
from ..permissions import can_approve
from ..plan_tasks import month_plan_context
from ..signoff import set_signoff
from ..store import current_pack, generation
from ..submission import answers
from ..tasks import today
from ..urlperiods import period_slug
from ..writes import MAX_REASON, SignoffChanged, SignoffRefused, signoff_state, when, who
from .conflicts import CHANGED_ELSEWHERE, carry_base
from .grid import period_or_404 as month_or_404

#: The decisions an approver makes here, and the state each leads to.
DECISIONS = {"approve": SignoffState.APPROVED, "return": SignoffState.DRAFT}


class Decision(forms.Form):
    decision = forms.ChoiceField(choices=[(k, k) for k in DECISIONS])
    reason = forms.CharField(required=False, max_length=MAX_REASON)
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", "Enter a reason for returning the period")
        return data


@require_http_methods(["GET", "HEAD", "POST"])
def review(request, code: str, period: str):
    section = get_object_or_404(Section, code=code)
    if not can_approve(request.user, section):
        raise PermissionDenied
    calendar = current_pack().calendar
    month = month_or_404(period, calendar)
    state, row = signoff_state(section, month.label)  # first: the base is never newer than
    changed = changes_since_approval(section, month.label, calendar)  # what the page shows
    status = 200
    if request.method == "POST":
        form = Decision(request.POST)
        status = 400
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                set_signoff(
                    request.user, section.code, month.label, DECISIONS[decision],
                    form.cleaned_data["reason"], base_revision=form.cleaned_data["base_revision"],
                )  # fmt: skip
            except SignoffRefused as exc:
                for key, message in exc.errors.items():
                    form.add_error("reason" if key == "note" else None, message)
                if isinstance(exc, SignoffChanged):  # show the sign-off and changes saved now
                    status = CHANGED_ELSEWHERE
                    state, row = signoff_state(section, month.label)
                    changed = changes_since_approval(section, month.label, calendar)
                    carry_base(form, "base_revision", row.revision if row else 0)
            else:
                done = "approved" if decision == "approve" else "returned to its owners"
                messages.success(request, f"{section.title} for {month.display} {done}")
                return redirect("kpiboard:review", section.code, period_slug(month.label))
    else:
        form = Decision(initial={"base_revision": row.revision if row else 0})
    summary = [(f"id_{k}", v[0]) for k, v in form.errors.items() if k in form.fields]
    summary += [("decide", e) for e in form.non_field_errors()]
    context = {
        "section": section,
        "month": month,
        "slug": period_slug(month.label),
        "answers": answers(request.user, section, month, everyone=True),
        "state": state,
        "row": row,
        "by": f"{who(row.author)}, {when(row.created)}" if row else "",
        "changed": changed,
        "may_approve": state == SignoffState.SUBMITTED or (state == "approved" and changed),
        "may_return": state == SignoffState.SUBMITTED,
        "form": form,
        "summary": summary,
    } | month_plan_context(generation(), section.code, month, today())
    return render(request, "kpiboard/review.html", context, status=status)
