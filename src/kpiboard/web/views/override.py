"""Overriding an indicator's rating for a period, or restoring the computed one (analysts)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ...core.rating import Rating
from ...packs.definitions import OVERRIDE_RATINGS
from .. import dashboard_cache
from ..models import Definition, Indicator
from ..overrides import may_override, set_override
from ..writes import ConcurrentEdit, Invalid

RATING_CHOICES = [(name, Rating[name].words) for name in OVERRIDE_RATINGS]


@require_http_methods(["GET", "POST"])
def override(request, code: str):
    if not may_override(request.user):
        raise PermissionDenied
    model = Indicator.objects.filter(code=code, archived=False).first()
    board = dashboard_cache.board(request)
    if model is None or code not in board.analyses:
        raise Http404("No such indicator")
    analysis = board.analyses[code]
    ind = analysis.indicator
    if not ind.rated:
        raise Http404("This indicator is not rated")
    # Periods with a figure up to the reporting period, latest first: what a rating exists for.
    results = [
        r
        for r in reversed(analysis.result.periods)
        if r.actual is not None and r.period.end <= board.pack.as_at.end
    ]
    form = {"period": results[0].period.label if results else "", "rating": "", "reason": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        remove = request.POST.get("action") == "remove"
        form = {
            "period": request.POST.get("period", ""),
            "rating": "" if remove else request.POST.get("rating", ""),
            "reason": request.POST.get("reason", ""),
        }
        if not remove and form["rating"] not in OVERRIDE_RATINGS:
            errors["rating"] = "Choose the rating to show"
        try:
            base = int(request.POST.get("base_revision", ""))
        except ValueError:
            base = -1
        if not errors:
            try:
                set_override(
                    request.user, code, form["period"], form["rating"], form["reason"],
                    base_revision=base,
                )  # fmt: skip
            except (Invalid, ConcurrentEdit) as exc:
                errors = exc.errors
                status = 409 if isinstance(exc, ConcurrentEdit) else 400
            else:
                done = "restored to the computed one" if remove else "overridden"
                period = board.pack.calendar.parse(form["period"]).display
                messages.success(request, f"The rating of {code} for {period} was {done}.")
                return redirect("kpiboard:indicator", code=code)
        else:
            status = 400
    current = Definition.objects.only("revision").get(indicator=model, is_current=True)
    return render(
        request,
        "kpiboard/override.html",
        {
            "ind": ind,
            "results": results,
            "overridden": [r for r in results if r.override is not None],
            "form": form,
            "errors": errors,
            "form_error": errors.get(""),
            "rating_choices": RATING_CHOICES,
            "base_revision": current.revision,
        },
        status=status,
    )
