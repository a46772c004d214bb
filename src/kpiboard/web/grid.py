"""The bulk entry grid: one row per indicator a person enters for the month (figure, note,
commentary), checked for plausibility, saved all or nothing.

Each row is a Django form in a formset. A row's figure is read as people type it (thousands
commas, a trailing %: :func:`kpiboard.core.plausibility.read_entered_number`) and checked against
the indicator's recent figures; a figure that looks wrong is not saved until the owner ticks
"this figure is right" beside the warning. Saving writes each changed row with
:func:`kpiboard.web.writes.save_period_entry` inside one outer transaction: when any row is
refused, every row is rolled back and each refusal is shown against its row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django import forms
from django.db import transaction

from ..core.bounds import figure_problem
from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import Period
from ..core.plausibility import plausibility_warnings, read_entered_number
from ..report.model import fmt_value
from .entry_period import due_period
from .models import CommentaryText, Figure, Indicator
from .permissions import can_edit_approved, editable_indicators
from .store import current_pack
from .urlperiods import period_slug
from .writes import (
    MAX_COMMENTARY,
    MAX_NOTE,
    MAX_REASON,
    Locks,
    WriteError,
    plain_number,
    save_period_entry,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class GridIndicator:
    """What a row shows besides its inputs."""

    indicator: CoreIndicator
    model: Indicator
    period: Period
    last: str  # the last figure before the period, e.g. "73.0% (Sep-13)"
    locked: bool

    @property
    def slug(self) -> str:
        return period_slug(self.period.label)


class GridRow(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    commentary_base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    figure = forms.CharField(required=False, max_length=40)
    note = forms.CharField(required=False, max_length=MAX_NOTE)
    commentary = forms.CharField(
        required=False, max_length=MAX_COMMENTARY, widget=forms.Textarea, strip=False
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, row: GridIndicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        self.warnings: list[str] = []

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.row is None or code != self.row.indicator.id:
            raise forms.ValidationError(STALE)
        return code

    def clean_figure(self) -> float | None:
        text = self.cleaned_data.get("figure", "")
        if self.row is None:
            raise forms.ValidationError(STALE)
        try:
            return read_entered_number(text, self.row.indicator.unit.kind)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=MAX_REASON)


#: The grid's field for each key a refused save names (the figure for the form as a whole).
FIELDS = {"": "figure", "actual": "figure", "commentary": "commentary", "note": "note"}

#: Said when the rows sent are not the rows of the page (the indicators changed meanwhile).
STALE = "The list of indicators has changed since the page was opened: reload it and enter again"


def _history(pack, ind: CoreIndicator, period: Period, series: str = "actual") -> list[float]:
    data = pack.data.get(ind.id)
    if data is None:
        return []
    values = data.get(series)
    return [float(v) for p, v in zip(data.periods, values, strict=True) if p.end < period.start]


def figure_warnings(
    pack, ind: CoreIndicator, period: Period, value: float | None, series: str = "actual"
) -> list[str]:
    """Why ``value`` for ``series`` of ``ind`` in ``period`` looks wrong, as sentences starting
    with the figure ("740% is a percentage over 100"); empty when it looks plausible."""
    unit = ind.unit_of(series)
    if value is None or figure_problem(value, unit):
        return []  # nothing to check, or refused outright when saved (beyond the bound)
    found = plausibility_warnings(
        value, unit.kind, _history(pack, ind, period, series), lambda v: unit.format(v)
    )
    return [f"{unit.format(value)} {w.message}" for w in found]


def _last_text(pack, ind: CoreIndicator, period: Period) -> str:
    data = pack.data.get(ind.id)
    if data is None:
        return ""
    values = data.get("actual")
    for p, v in reversed(list(zip(data.periods, values, strict=True))):
        if p.end < period.start and not math.isnan(v):
            return f"{fmt_value(ind, float(v))} ({p.display})"
    return ""


def grid_rows(user, month: Period) -> list[GridIndicator]:
    """The indicators ``user`` enters whose figure falls due with ``month``, in report order.
    Derived indicators are left out (their inputs are entered on their own form)."""
    pack = current_pack()
    models = {m.code: m for m in editable_indicators(user)}
    locks = Locks(pack.calendar)
    may_edit_approved = can_edit_approved(user)
    out = []
    for section in pack.sections:
        for code in section.indicator_ids:
            ind, model = pack.indicators.get(code), models.get(code)
            if ind is None or model is None or ind.derive is not None:
                continue
            period = due_period(pack.calendar, ind, month)
            if period is None:
                continue
            locked = locks.lock(model.section_id, period) is not None and not may_edit_approved
            out.append(GridIndicator(ind, model, period, _last_text(pack, ind, period), locked))
    return out


def initial(rows: list[GridIndicator]) -> list[dict]:
    """Each row's saved figure, note and commentary, with the revisions they are."""
    out = []
    for row in rows:
        fig = Figure.objects.filter(
            indicator=row.model, period=row.period.label, series="actual", is_current=True
        ).first()
        text = CommentaryText.objects.filter(
            indicator=row.model, period=row.period.label, is_current=True
        ).first()
        out.append(
            {
                "code": row.indicator.id,
                "base": fig.revision if fig else 0,
                "commentary_base": text.revision if text else 0,
                "figure": plain_number(fig.value) if fig else "",
                "note": fig.note if fig else "",
                "commentary": text.text if text else "",
            }
        )
    return out


class GridRows(forms.BaseFormSet):
    """The grid's rows; any mismatch with the page's rows says to reload, in plain words."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        **forms.BaseFormSet.default_error_messages,
        "missing_management_form": STALE,
        "too_many_forms": STALE,
        "too_few_forms": STALE,
    }


def make_formset(rows: list[GridIndicator], data=None) -> forms.BaseFormSet:
    """One form per row; a POST must send exactly those rows, in that order."""
    n = len(rows)
    formset_class = forms.formset_factory(
        GridRow, formset=GridRows, extra=0, max_num=n, absolute_max=n, validate_max=True
    )
    formset = formset_class(data, initial=initial(rows), prefix="row", form_kwargs={"row": None})
    for form, row in zip(formset.forms, rows, strict=False):
        form.row = row
    return formset


def check_plausibility(formset: forms.BaseFormSet) -> bool:
    """Attach plausibility warnings to each valid row whose new figure looks wrong; True when
    every warned row has been confirmed."""
    pack = current_pack()
    all_confirmed = True
    for form in formset.forms:
        value = form.cleaned_data.get("figure")
        if value is None or not form.has_changed() or "figure" not in form.changed_data:
            continue
        form.warnings = figure_warnings(pack, form.row.indicator, form.row.period, value)
        if form.warnings and not form.cleaned_data.get("confirm"):
            all_confirmed = False
    return all_confirmed


def save_grid(user, formset: forms.BaseFormSet, reason: str) -> int:
    """Save every changed row, all or nothing; the number of rows saved. Raises
    :class:`GridRefused` with each refused row's errors (nothing is saved then)."""
    refused: dict[int, dict[str, str]] = {}
    saved = 0
    with transaction.atomic():
        for i, form in enumerate(formset.forms):
            if not form.has_changed() or form.row.locked:
                continue
            data = form.cleaned_data
            try:
                result = save_period_entry(
                    user, form.row.indicator.id, form.row.period.label,
                    {"actual": data["figure"]}, {"actual": data["base"]},
                    data["commentary"], data["commentary_base"], reason, note=data["note"],
                )  # fmt: skip
            except WriteError as exc:  # invalid, locked, or changed by someone else meanwhile
                refused[i] = {FIELDS.get(k, k): v for k, v in exc.errors.items()}
            else:
                saved += 0 if result.nothing_changed else 1
        if refused:
            transaction.set_rollback(True)
    if refused:
        raise GridRefused(refused)
    return saved


class GridRefused(Exception):
    """Rows the save refused: row index -> field -> message."""

    def __init__(self, rows: dict[int, dict[str, str]]):
        self.rows = rows
        super().__init__(f"{len(rows)} rows refused")
