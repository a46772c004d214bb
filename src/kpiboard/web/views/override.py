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
from ..models import Indicator
from ..overrides import definition_revision, may_override, overridable_periods, set_override
from ..writes import ConcurrentEdit, Invalid
from .conflicts import CHANGED_ELSEWHERE, base_shown, posted_base

RATING_CHOICES = [(name, Rating[name].words) for name in OVERRIDE_RATINGS]
#: The choice that removes the period's override, leaving the rating kpiboard works out.
COMPUTED = "COMPUTED"


@require_http_methods(["GET", "POST"])
def override(request, code: str):
    if not may_override(request.user):
        raise PermissionDenied
    model = Indicator.objects.filter(code=code, archived=False).first()
    base = definition_revision(model) if model is not None else 0  # first: never newer
    board = dashboard_cache.board(request)  # than the values shown
    if model is None or code not in board.analyses:
        raise Http404("No such indicator")
    analysis = board.analyses[code]
    ind = analysis.indicator
    if not ind.rated:
        raise Http404("This indicator is not rated")
    results = overridable_periods(board.pack, code)
    latest = results[0].period.label if results else ""
    form = {
        "period": request.GET.get("period", latest),
        "rating": COMPUTED if request.GET.get("restore") else "",
        "reason": "",
    }
    errors: dict[str, str] = {}
    status = 200
    posted = ""
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in ("period", "rating", "reason")}
        if form["rating"] not in (*OVERRIDE_RATINGS, COMPUTED):
            errors["rating"] = "Choose the rating to show"
        posted = request.POST.get("base_revision", "")
        if not errors:
            rating = "" if form["rating"] == COMPUTED else form["rating"]
            try:
                set_override(
                    request.user, code, form["period"], rating, form["reason"],
                    base_revision=posted_base(posted),
                )  # fmt: skip
            except (Invalid, ConcurrentEdit) as exc:
                errors = exc.errors
                status = CHANGED_ELSEWHERE if isinstance(exc, ConcurrentEdit) else 400
            else:
                done = "overridden" if rating else "restored to the computed one"
                period = board.pack.calendar.parse(form["period"]).display
                messages.success(request, f"The rating of {code} for {period} was {done}.")
                return redirect("kpiboard:indicator", code=code)
        else:
            status = 400
    if "" in errors:  # about the form as a whole: the summary links to the message itself
        errors = {"form-error" if k == "" else k: v for k, v in errors.items()}
    return render(
        request,
        "kpiboard/override.html",
        {
            "ind": ind,
            "section_title": next(
                (s.title for s in board.pack.sections if s.id == ind.section), ind.section
            ),
            "results": results,
            "overridden": [r for r in results if r.override is not None],
            "form": form,
            "errors": errors,
            "form_error": errors.get("form-error"),
            "computed": COMPUTED,
            "rating_choices": RATING_CHOICES,
            "base_revision": base_shown(status, posted, base),
        },
        status=status,
    )
