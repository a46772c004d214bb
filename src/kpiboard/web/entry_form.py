"""The entry form for one indicator and period as a Django form: a figure (and the revision it
was rendered from) for each series the person may enter, the note, the commentary and its
revision, a reason, and the tick that confirms a figure the plausibility checks questioned.

The form reads and parses what was typed; the rules on lengths, locks, reasons and concurrent
saves stay in :func:`kpiboard.web.writes.save_period_entry`, which names the field it refuses.
"""

from __future__ import annotations

from typing import Any

from django import forms

from ..core.indicators import Indicator as CoreIndicator
from ..core.plausibility import read_entered_number
from ..core.units import UnitKind


def value_name(series: str) -> str:
    """The input's name and id for a series' figure (the error summary links to it)."""
    return f"value-{series}"


def base_name(series: str) -> str:
    return f"base-{series}"


class RevisionField(forms.Field):
    """The revision a value was rendered from, in a hidden input. Anything but a whole number
    counts as 0 (no revision): an odd value then shows as someone else's change, never a crash."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> int:
        try:
            return max(0, int(value or 0))
        except (TypeError, ValueError):
            return 0


class FigureField(forms.CharField):
    """A figure as typed (thousands commas, a % sign, brackets for a negative); empty is no
    figure (None)."""

    def __init__(self, kind: UnitKind, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.kind = kind

    def clean(self, value: Any) -> float | None:
        text = super().clean(value)
        try:
            return read_entered_number(text, self.kind)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class EntryForm(forms.Form):
    """One figure per series in ``series`` (with its base revision), the note, commentary and
    reason as typed (kept unstripped: the write path cleans them), and the confirmation tick."""

    note = forms.CharField(required=False, strip=False)
    commentary = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    commentary_base = RevisionField()
    reason = forms.CharField(required=False, strip=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, indicator: CoreIndicator, series: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.series = series
        for name in series:
            self.fields[value_name(name)] = FigureField(indicator.unit_of(name).kind)
            self.fields[base_name(name)] = RevisionField()

    def typed(self, series: str) -> str:
        """What was typed for ``series``, stripped, to show again in the box."""
        return str(self[value_name(series)].value() or "").strip()

    def values(self) -> dict[str, float | None]:
        """The figures read (after :meth:`is_valid`, when it was)."""
        return {name: self.cleaned_data[value_name(name)] for name in self.series}

    def bases(self) -> dict[str, int]:
        """The base revision of every series (these fields never refuse a value)."""
        return {name: self.cleaned_data[base_name(name)] for name in self.series}

    def value_errors(self) -> dict[str, str]:
        """(input id -> message) for the figures that could not be read."""
        return {
            value_name(name): str(self.errors[value_name(name)][0])
            for name in self.series
            if value_name(name) in self.errors
        }
