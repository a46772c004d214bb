"""Setting an indicator's annual target for a financial year, and how it is profiled to the
year's months (analysts and administrators). The rules are in :mod:`kpiboard.web.targets` and
:mod:`kpiboard.core.targets`; this view reads the form and shows the page."""

from __future__ import annotations

import calendar as month_names
import contextlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ...core.bounds import figure_problem
from ...core.indicators import Indicator as CoreIndicator
from ...core.indicators import TargetProfile
from ...core.periods import PeriodError
from ...core.targets import MONTHS, default_profile, profile_problem
from ...packs.datafiles import parse_number
from ...packs.model import Pack
from ...report.model import fmt_value
from .. import dashboard_cache
from ..models import Indicator
from ..overrides import definition_revision
from ..targets import may_set_targets, set_annual_target
from ..writes import MAX_REASON, ConcurrentEdit, Invalid
from .conflicts import CHANGED_ELSEWHERE, base_shown, posted_base

NUMBER_ERROR = "Enter the annual target as a number, like 85 or 1200"
WEIGHT_ERROR = "Enter each weight as a number, like 8 or 10.5"
WEIGHT_FIELDS = [f"weight_{i}" for i in range(1, MONTHS + 1)]


def _number(text: str, message: str) -> float:
    try:
        value = parse_number(text)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)[0].upper() + str(exc)[1:]) from None
    if value is None:
        raise forms.ValidationError(message)
    return value


class AnnualTargetForm(forms.Form):
    """The year, the target, its profile, the seasonal weights and the reason."""

    year = forms.ChoiceField(error_messages={"required": "Choose a financial year"})
    target = forms.CharField(
        required=False, max_length=40, error_messages={"max_length": NUMBER_ERROR}
    )
    profile = forms.ChoiceField(error_messages={"required": "Choose how to profile the target"})
    reason = forms.CharField(required=False, max_length=MAX_REASON)

    def __init__(
        self, *args, ind: CoreIndicator, years: list[tuple[str, str]], start_month: int, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.ind, self.start_month = ind, start_month
        year, profile = self.fields["year"], self.fields["profile"]
        assert isinstance(year, forms.ChoiceField) and isinstance(profile, forms.ChoiceField)
        year.choices = years
        year.error_messages["invalid_choice"] = "Choose a financial year"
        profile.choices = [(p.value, p.words) for p in allowed_profiles(ind)]
        profile.error_messages["invalid_choice"] = "Choose one of the profiles"
        self.fields["reason"].error_messages["max_length"] = (
            f"Reason must be {MAX_REASON} characters or fewer"
        )
        for name in WEIGHT_FIELDS:
            self.fields[name] = forms.CharField(
                required=False, max_length=40, error_messages={"max_length": WEIGHT_ERROR}
            )

    def clean_target(self) -> float:
        value = _number(self.cleaned_data.get("target", ""), NUMBER_ERROR)
        problem = figure_problem(value, self.ind.unit)
        if problem:
            raise forms.ValidationError(problem[0].upper() + problem[1:])
        return value

    def clean_reason(self) -> str:
        reason = self.cleaned_data.get("reason", "").strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for the target, for the record")
        return reason

    def clean(self):
        data = super().clean()
        if data.get("profile") != TargetProfile.SEASONAL.value:
            data["weights"] = None
            return data
        weights = []
        for i, name in enumerate(WEIGHT_FIELDS):
            try:
                value = _number(data.get(name, ""), f"Enter a weight for {month_label(self, i)}")
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                continue
            if value < 0:
                self.add_error(name, f"The weight for {month_label(self, i)} must not be negative")
            weights.append(value)
        if len(weights) == MONTHS and not any(weights):
            self.add_error(WEIGHT_FIELDS[0], "Give at least one month a weight above 0")
        data["weights"] = weights
        return data


def month_label(form: AnnualTargetForm, i: int) -> str:
    return month_names.month_name[(form.start_month - 1 + i) % MONTHS + 1]


def allowed_profiles(ind: CoreIndicator) -> list[TargetProfile]:
    """The profiles that suit the indicator's figures (see core.targets)."""
    return [
        p for p in TargetProfile if profile_problem(p, ind.aggregation, ind.accumulation) is None
    ]


def year_choices(pack: Pack, ind: CoreIndicator) -> list[tuple[str, str]]:
    """This financial year and the next, the years with figures, and those with a target."""
    cal = pack.calendar
    now = cal.year_of(pack.as_at.start)
    years = {now, now + 1, *(a.year for a in ind.annual_targets)}
    years |= {cal.year_of(p.start) for p in pack.data[ind.id].periods if p.start.year >= now - 5}
    return [(cal.year_label(y), cal.year_label(y)) for y in sorted(years)]


def _initial(pack: Pack, ind: CoreIndicator, year: str) -> dict:
    cal = pack.calendar
    chosen = cal.year_of(pack.as_at.start) + 1  # next year's target is the one usually set
    with contextlib.suppress(PeriodError):  # a year in the address that is not one: next year
        chosen = cal.year_of(cal.parse(year).start) if year else chosen
    annual = ind.annual_target(chosen)
    profile = annual.profile if annual else default_profile(ind.aggregation, ind.accumulation)
    initial = {"year": cal.year_label(chosen), "profile": profile.value}
    if annual is not None:
        initial["target"] = f"{annual.value:g}"
        for name, weight in zip(WEIGHT_FIELDS, annual.weights, strict=False):
            initial[name] = f"{weight:g}"
    return initial


def _errors(form: AnnualTargetForm) -> dict[str, str]:
    """Each field's first message, keyed by the id of the input it belongs to."""
    ids = {name: name.replace("_", "-") for name in form.fields}
    return {ids.get(k, "form-error"): str(v[0]) for k, v in form.errors.items()}


@require_http_methods(["GET", "POST"])
def annual_targets(request, code: str):
    if not may_set_targets(request.user):
        raise PermissionDenied
    model = Indicator.objects.filter(code=code, archived=False).first()
    base = definition_revision(model) if model is not None else 0  # first: never newer
    board = dashboard_cache.board(request)  # than the values shown
    if model is None or code not in board.analyses:
        raise Http404("No such indicator")
    pack = board.pack
    ind = pack.indicators[code]
    if not ind.needs_target:
        raise Http404("This indicator is not rated against targets")
    years = year_choices(pack, ind)
    start_month = pack.calendar.start_month
    status = 200
    errors: dict[str, str] = {}
    posted = request.POST.get("base_revision", "")
    if request.method == "POST":
        form = AnnualTargetForm(request.POST, ind=ind, years=years, start_month=start_month)
        if form.is_valid():
            data = form.cleaned_data
            try:
                set_annual_target(
                    request.user, code, data["year"], data["target"],
                    TargetProfile(data["profile"]), data["weights"], data["reason"],
                    base_revision=posted_base(posted),
                )  # fmt: skip
            except (Invalid, ConcurrentEdit) as exc:
                errors = {"form-error" if k == "" else k: v for k, v in exc.errors.items()}
                status = CHANGED_ELSEWHERE if isinstance(exc, ConcurrentEdit) else 400
            else:
                shown = fmt_value(ind, data["target"])
                done = f"The annual target of {code} for {data['year']} is {shown}."
                messages.success(request, done)
                return redirect("kpiboard:annual_targets", code=code)
        else:
            errors = _errors(form)
            status = 400
    else:
        initial = _initial(pack, ind, request.GET.get("year", ""))
        form = AnnualTargetForm(initial=initial, ind=ind, years=years, start_month=start_month)
    months = [
        {
            "id": name.replace("_", "-"),
            "name": name,
            "label": month_label(form, i),
            "value": form[name].value() or "",
            "error": errors.get(name.replace("_", "-"), ""),
        }
        for i, name in enumerate(WEIGHT_FIELDS)
    ]
    return render(
        request,
        "kpiboard/annual_targets.html",
        {
            "ind": ind,
            "section_title": next((s.title for s in pack.sections if s.id == ind.section), ""),
            "in_force": [
                (pack.calendar.year_label(a.year), fmt_value(ind, a.value), a.profile.words)
                for a in ind.annual_targets
            ],
            "change_url": reverse("kpiboard:annual_targets", args=[code]),
            "year_end": [
                (pack.calendar.year_label(y), fmt_value(ind, v)) for y, v in ind.year_end_targets
            ],
            "form": form,
            "months": months,
            "weights_error": any(m["error"] for m in months),
            "errors": errors,
            "form_error": errors.get("form-error"),
            "base_revision": base_shown(status, posted, base),
        },
        status=status,
    )
