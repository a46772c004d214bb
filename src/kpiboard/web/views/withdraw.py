"""Withdrawing a figure entered for the wrong period: a new revision with no value and the
person's reason, never a delete (the figure stays in the history, and Recent changes shows it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ...core.periods import PeriodError
from ...report.model import fmt_value
from ..models import Figure, Indicator
from ..permissions import can_edit
from ..store import current_pack
from ..urlperiods import period_from_slug
from ..writes import MAX_REASON, WriteError, editable_series, save_period_entry


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_REASON,
        error_messages={"required": "Enter why the figure is being withdrawn"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw_figure(request, code: str, period: str):
    model = get_object_or_404(Indicator.objects.select_related("section"), code=code)
    if not can_edit(request.user, model):
        raise PermissionDenied
    pack = current_pack()
    ind = pack.indicators.get(code)
    try:
        the_period = period_from_slug(period, pack.calendar)
    except PeriodError:
        raise Http404("No such period") from None
    if ind is None:
        raise Http404("No such indicator")
    mine = set(editable_series(ind, request.user))
    figures = [
        f
        for f in Figure.objects.filter(indicator=model, period=the_period.label, is_current=True)
        if f.value is not None and f.series in mine
    ]
    status = 200
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and figures:
        if form.is_valid():
            try:
                save_period_entry(
                    request.user, code, the_period.label, {f.series: None for f in figures},
                    {f.series: f.revision for f in figures}, None, 0,
                    form.cleaned_data["reason"],
                )  # fmt: skip
            except WriteError as exc:
                form.add_error(None, "; ".join(exc.errors.values()))
            else:
                messages.success(
                    request, f"Withdrew {code}'s figures for {the_period.display}: the history "
                    "keeps them"
                )  # fmt: skip
                return redirect("kpiboard:indicator", code)
        status = 400
    context = {
        "ind": ind,
        "period": the_period,
        "figures": [(f.series.capitalize(), fmt_value(ind, f.value, f.series)) for f in figures],
        "form": form,
        "summary": [("id_reason", e) for e in form.errors.get("reason", [])]
        + [("withdraw", e) for e in form.non_field_errors()],
    }
    return render(request, "kpiboard/withdraw_figure.html", context, status=status)
