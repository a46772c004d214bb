"""The entry form's Django form (web/entry_form.py): what it reads from a POST."""

from __future__ import annotations

from kpiboard.core.indicators import Indicator
from kpiboard.core.units import Unit, UnitKind
from kpiboard.web.entry_form import EntryForm

PERCENT = Indicator("A1", "Reviews", unit=Unit(UnitKind.PERCENT, 1))


def form(data: dict) -> EntryForm:
    return EntryForm(data, indicator=PERCENT, series=["actual", "target"])


def test_entry_form_reads_figures_as_typed_and_empty_as_no_figure():
    f = form({"value-actual": " 74.5% ", "value-target": "", "base-actual": "3"})
    assert f.is_valid()
    assert f.values() == {"actual": 74.5, "target": None}
    assert f.bases() == {"actual": 3, "target": 0}
    assert f.typed("actual") == "74.5%"


def test_entry_form_names_the_input_of_a_figure_it_cannot_read():
    f = form({"value-actual": "seventy", "value-target": "80"})
    assert not f.is_valid()
    assert list(f.value_errors()) == ["value-actual"]
    assert "number" in f.value_errors()["value-actual"].lower()


def test_entry_form_counts_an_odd_base_revision_as_none():
    f = form({"value-actual": "1", "base-actual": "x", "base-target": "-4", "commentary_base": ""})
    assert f.is_valid()
    assert f.bases() == {"actual": 0, "target": 0}
    assert f.cleaned_data["commentary_base"] == 0


def test_entry_form_keeps_note_commentary_and_reason_as_sent():
    sent = {"note": " provisional ", "commentary": "Up.\n\n", "reason": " late ", "confirm": "yes"}
    f = form(sent)
    assert f.is_valid()
    assert [f.cleaned_data[k] for k in ("note", "commentary", "reason")] == [
        " provisional ",
        "Up.\n\n",
        " late ",
    ]
    assert f.cleaned_data["confirm"] is True
