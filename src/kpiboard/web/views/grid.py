"""The bulk entry grid for a month: every indicator a person enters, on one page (rules in
:mod:`kpiboard.web.grid`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ...core.periods import PeriodError, PeriodKind
from ..grid import GridRefused, ReasonForm, check_plausibility, grid_rows, make_formset, save_grid
from ..models import Section
from ..permissions import editable_indicators
from ..reporting_month import collecting_month
from ..store import current_pack
from ..urlperiods import period_from_slug, period_slug


def period_or_404(slug: str, calendar):
    """The period a URL names, or 404."""
    try:
        return period_from_slug(slug, calendar)
    except PeriodError:
        raise Http404("No such period") from None


def month_or_404(slug: str, calendar):
    """The month a URL names, or 404 (the grid and its template are for a month)."""
    period = period_or_404(slug, calendar)
    if period.kind is not PeriodKind.MONTH:
        raise Http404("Not a month")
    return period


@require_http_methods(["GET", "HEAD"])
def grid_now(request):
    """The grid for the month being collected now."""
    if not editable_indicators(request.user).exists():
        raise PermissionDenied
    month = collecting_month(current_pack())
    return redirect("kpiboard:entry_grid", period_slug(month.label))


def _summary(formset, reason_form) -> list[tuple[str, str]]:
    out = [("grid-form", error) for error in formset.non_form_errors()]
    for form in formset.forms:
        for name, errors in form.errors.items():
            field = form["figure" if name == "__all__" else name]
            out.append((field.id_for_label, f"{form.row.indicator.id}: {errors[0]}"))
        if form.warnings and not form.cleaned_data.get("confirm"):
            out.append((form["confirm"].id_for_label, f"{form.row.indicator.id}: check the figure"))
    out += [(reason_form["reason"].id_for_label, e[0]) for e in reason_form.errors.values()]
    return out


@require_http_methods(["GET", "HEAD", "POST"])
def entry_grid(request, period: str):
    """GET: the grid. POST: check, warn, then save every row or none."""
    if not editable_indicators(request.user).exists():
        raise PermissionDenied
    pack = current_pack()
    month = month_or_404(period, pack.calendar)
    rows = grid_rows(request.user, month)
    status = 200
    if request.method == "POST":
        formset = make_formset(rows, request.POST)
        reason_form = ReasonForm(request.POST)
        valid = formset.is_valid() and reason_form.is_valid()
        if valid and check_plausibility(formset):
            try:
                saved = save_grid(request.user, formset, reason_form.cleaned_data["reason"].strip())
            except GridRefused as exc:
                for i, errors in exc.rows.items():
                    for name, message in errors.items():
                        target = reason_form if name == "reason" else formset.forms[i]
                        target.add_error(name if name in target.fields else None, message)
            else:
                messages.success(request, _saved_message(saved, month))
                return _after_save(request, month)
        status = 400
    else:
        formset = make_formset(rows)
        reason_form = ReasonForm()
    sections = {r.model.section_id for r in rows}
    context = {
        "month": month,
        "slug": period_slug(month.label),
        "formset": formset,
        "reason_form": reason_form,
        "summary": _summary(formset, reason_form) if request.method == "POST" else [],
        "sections": Section.objects.filter(pk__in=sections),
        "warned": any(f.warnings for f in formset.forms),
    }
    return render(request, "kpiboard/entry_grid.html", context, status=status)


def _saved_message(saved: int, month) -> str:
    if saved == 0:
        return f"Nothing was changed for {month.display}"
    return f"Saved {saved} indicator{'s' if saved != 1 else ''} for {month.display}"


def _after_save(request, month):
    """Back to the list of what is waiting, or on to check the answers of a section."""
    section = request.POST.get("check", "")
    if section and Section.objects.filter(code=section).exists():
        return redirect("kpiboard:check_answers", section, period_slug(month.label))
    return redirect("kpiboard:entry")
