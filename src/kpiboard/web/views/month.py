"""The reporting month's page: which month the site reports, how it got there (every move, with
who and why), and for analysts and administrators a form to move it."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ...core.periods import Period, PeriodKind, month_range
from ...packs.model import Pack
from .. import store
from ..models import ReportingMonth
from ..month_moves import move_month
from ..people_forms import choice_field
from ..permissions import can_move_month
from ..reporting_month import month_of
from ..writes import MAX_REASON, ConcurrentEdit, Invalid, who
from .conflicts import CHANGED_ELSEWHERE, carry_base
from .indicator import PACK_LOAD

#: Moves of the reporting month the page lists, newest first.
HISTORY = 50


class MonthForm(forms.Form):
    period = forms.ChoiceField(
        error_messages={
            "required": "Select the month the site should report",
            "invalid_choice": "Select the month the site should report",
        }
    )
    reason = forms.CharField(
        max_length=MAX_REASON,
        error_messages={
            "required": "Enter the reason for moving the reporting month",
            "max_length": f"Reason must be {MAX_REASON} characters or fewer",
        },
    )
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, months: list[Period], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "period").choices = [(p.label, p.long_display) for p in months]


def month_choices(pack: Pack) -> list[Period]:
    """Months the site can report: from the first month with a figure to the month after the
    later of the reporting month and the latest figure, newest first."""
    calendar = pack.calendar
    months = [
        month_of(period, calendar)
        for data in pack.data.values()
        for period, value in zip(data.periods, data.values.get("actual", ()), strict=False)
        if value == value  # not NaN
    ]
    first = min(months, default=pack.as_at)
    last = max([*months, pack.as_at])
    after = calendar.containing(PeriodKind.MONTH, last.end + timedelta(days=1))
    return list(reversed(month_range(min(first, pack.as_at), after, calendar)))


@require_http_methods(["GET", "POST"])
def reporting_month(request):
    base = current_revision()  # first: the base is never newer than the month shown
    pack = store.current(request)[1]
    mover = can_move_month(request.user)
    months = month_choices(pack)
    status = 200
    if request.method == "POST":
        if not mover:
            raise PermissionDenied
        form = MonthForm(request.POST, months=months)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            given = data["base_revision"]
            try:
                moved = move_month(
                    request.user, data["period"], data["reason"],
                    base_revision=base if given is None else given,
                )  # fmt: skip
            except (Invalid, ConcurrentEdit) as exc:
                for field, message in exc.errors.items():
                    form.add_error(field or None, message)
                if isinstance(exc, ConcurrentEdit):
                    status = CHANGED_ELSEWHERE
                    carry_base(form, "base_revision", current_revision())
                    pack = store.current()[1]  # read after the base: never older than it
            else:
                shown = pack.calendar.parse(moved.period).long_display
                messages.success(request, f"The reporting month is now {shown}.")
                return redirect("kpiboard:reporting_month")
    else:
        form = MonthForm(initial={"period": pack.as_at.label, "base_revision": base}, months=months)
    errors = [(name, e[0]) for name, e in form.errors.items() if name != "__all__"]
    history = ReportingMonth.objects.select_related("author").order_by("-revision")[:HISTORY]
    return render(
        request,
        "kpiboard/reporting_month.html",
        {
            "current": pack.as_at,
            "form": form,
            "errors": errors,
            "form_error": form.non_field_errors()[0] if form.non_field_errors() else "",
            "can_move": mover,
            "months": months,
            "chosen": form["period"].value() or pack.as_at.label,
            "history": [
                (row, _display(pack, row.period), who(row.author) if row.author else PACK_LOAD)
                for row in history
            ],
        },
        status=status,
    )


def current_revision() -> int:
    """The reporting month's revision now (0 before any): the base its form carries."""
    current = ReportingMonth.objects.filter(is_current=True).first()
    return current.revision if current is not None else 0


def _display(pack: Pack, label: str) -> str:
    try:
        return pack.calendar.parse(label).long_display
    except ValueError:
        return label
