"""A risk's review for the reporting period: its current likelihood and impact on the
organisation's matrix, and a note. Owners of the risk's section, analysts and administrators
may give one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ...core.plan import risk_state
from ...packs.plan import RISKS
from ..models import Section
from ..permissions import can_submit
from ..plan_tasks import kri_analyses
from ..plan_writes import current_file, item_body, save_risk_review
from ..store import generation
from .plan_post import change_reason, error_context, plan_period, post_plan_form


class RiskReviewForm(forms.Form):
    likelihood = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": "Choose the likelihood",
            "invalid_choice": "Choose the likelihood",
        },
    )
    impact = forms.TypedChoiceField(
        coerce=int,
        error_messages={"required": "Choose the impact", "invalid_choice": "Choose the impact"},
    )
    note = forms.CharField(max_length=2000, required=False)
    reason = change_reason()
    base_revision = forms.IntegerField(widget=forms.HiddenInput)  # fmt: skip

    def __init__(self, *args, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"].choices = list(enumerate(matrix.likelihood, 1))
        self.fields["impact"].choices = list(enumerate(matrix.impact, 1))


@require_http_methods(["GET", "POST"])
def risk_review(request, risk_id: str, period: str | None = None):
    made = generation()
    pack = made.pack
    risk = next((r for r in pack.plan.risks if r.id == risk_id), None)
    plan_file = current_file(RISKS)
    if risk is None or plan_file is None or item_body(plan_file, "risks", risk_id) is None:
        raise Http404("No such risk")
    section = Section.objects.filter(code=risk.section).first()
    if section is None or not can_submit(request.user, section):
        raise PermissionDenied
    (month, (back, back_text)), matrix = plan_period(pack, period), pack.plan.matrix
    state = risk_state(risk, month, matrix, kri_analyses(made, month))
    score = state.current if state else risk.reviews[-1].score
    initial = {"likelihood": score.likelihood, "impact": score.impact,
               "base_revision": plan_file.revision}  # fmt: skip
    form = RiskReviewForm(request.POST or None, initial=initial, matrix=matrix)

    def save(d: dict) -> object:
        return save_risk_review(
            request.user, risk_id, month, likelihood=d["likelihood"], impact=d["impact"],
            note=d["note"].strip(), base_revision=d["base_revision"], reason=d["reason"],
        )  # fmt: skip

    saved = f"Your review of {risk.title} for {month.display} was saved."
    done, status = post_plan_form(request, form, save, saved, back)
    if done is not None:
        return done
    context = error_context(form) | {
        "risk": risk, "state": state, "period": month, "form": form, "back": back,
        "back_text": back_text,
        "section_title": section.title,
        "current": matrix.describe(score),
        "likelihood_choices": getattr(form.fields["likelihood"], "choices", ()),
        "impact_choices": getattr(form.fields["impact"], "choices", ()),
    }  # fmt: skip
    return render(request, "kpiboard/risk_review.html", context, status=status)
