"""A risk's review for the reporting period: its current likelihood and impact on the
organisation's matrix, a note, and the date of the next review (offered: the one planned while
it is still to come, else the end of next month). Owners of the risk's section, analysts and
administrators may give one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ...core.periods import Period
from ...core.plan import next_review, risk_state
from ...core.plan_cycle import offered_next_review
from ...packs.plan import RISKS
from ..models import Section
from ..permissions import can_submit
from ..plan_tasks import kri_analyses
from ..plan_writes import (
    current_file,
    item_body,
    item_version,
    next_review_refusal,
    save_risk_review,
)
from ..store import generation
from .conflicts import CHANGED_ELSEWHERE
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
    next_review = forms.DateField(
        label="Next review date",
        help_text="Offered: the review already planned, or the end of next month. "
        "For example, 2014-01-31",
        error_messages={
            "required": "Enter the next review date",
            "invalid": "Enter the next review date as a date, for example 2014-01-31",
        },
    )
    reason = change_reason()
    base_version = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, matrix, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        self.fields["likelihood"].choices = list(enumerate(matrix.likelihood, 1))
        self.fields["impact"].choices = list(enumerate(matrix.impact, 1))

    def clean_next_review(self):
        """Not before the end of the month reviewed: the risk would be overdue at once."""
        day = self.cleaned_data["next_review"]
        problem = next_review_refusal(day, self.period)
        if problem:
            raise forms.ValidationError(problem)
        return day


def _saved_now(risk_id: str, month: Period) -> dict | None:
    """The risk's review as saved now, read after a save was refused because someone else
    changed the risk: shown beside what the user typed, so they can check it and save again."""
    made = generation()
    risk = next((r for r in made.pack.plan.risks if r.id == risk_id), None)
    state = risk and risk_state(risk, month, made.pack.plan.matrix, kri_analyses(made, month))
    if not state:
        return None
    return {"review": state.review, "score": made.pack.plan.matrix.describe(state.current),
            "review_date": state.review_date}  # fmt: skip


@require_http_methods(["GET", "POST"])
def risk_review(request, risk_id: str, period: str | None = None):
    plan_file = current_file(RISKS)  # first: the fingerprint is never newer than the values shown
    made = generation()
    pack = made.pack
    risk = next((r for r in pack.plan.risks if r.id == risk_id), None)
    if risk is None or plan_file is None or item_body(plan_file, "risks", risk_id) is None:
        raise Http404("No such risk")
    section = Section.objects.filter(code=risk.section).first()
    if section is None or not can_submit(request.user, section):
        raise PermissionDenied
    (month, (back, back_text)), matrix = plan_period(pack, period), pack.plan.matrix
    state = risk_state(risk, month, matrix, kri_analyses(made, month))
    score = state.current if state else risk.reviews[-1].score
    given = next((v for v in risk.reviews if v.period == month), None)
    planned = next_review(risk, month)
    offered = (given and given.next_review) or offered_next_review(planned, month)
    initial = {"likelihood": score.likelihood, "impact": score.impact,
               "next_review": offered.isoformat(),
               "base_version": item_version(item_body(plan_file, "risks", risk_id))}  # fmt: skip
    form = RiskReviewForm(request.POST or None, initial=initial, matrix=matrix, period=month)

    def save(d: dict) -> object:
        return save_risk_review(
            request.user, risk_id, month, likelihood=d["likelihood"], impact=d["impact"],
            note=d["note"].strip(), next_review=d["next_review"], base_version=d["base_version"],
            reason=d["reason"],
        )  # fmt: skip

    saved = f"Your review of {risk.title} for {month.display} was saved."
    done, status = post_plan_form(request, form, save, saved, back)
    if done is not None:
        return done
    saved_now = _saved_now(risk_id, month) if status == CHANGED_ELSEWHERE else None
    context = error_context(form) | {
        "saved_now": saved_now,
        "risk": risk, "state": state, "period": month, "form": form, "back": back,
        "back_text": back_text,
        "section_title": section.title,
        "current": matrix.describe(score),
        "likelihood_choices": getattr(form.fields["likelihood"], "choices", ()),
        "impact_choices": getattr(form.fields["impact"], "choices", ()),
    }  # fmt: skip
    return render(request, "kpiboard/risk_review.html", context, status=status)
