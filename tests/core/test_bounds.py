"""The bound on stored figures: finite, and within a generous range for the unit kind."""

from __future__ import annotations

import math

import pytest

from kpiboard.core.bounds import LIMIT, PERCENT_LIMIT, figure_problem, limit, number_problem
from kpiboard.core.units import Unit, UnitKind


@pytest.mark.parametrize("kind", list(UnitKind))
def test_every_unit_kind_has_a_bound(kind):
    assert limit(kind) == (PERCENT_LIMIT if kind is UnitKind.PERCENT else LIMIT)


@pytest.mark.parametrize("value", [0.0, 73.0, 180.0, 1000.0, -1000.0, 5e-324, -250.5])
def test_percentages_within_a_thousand_are_figures(value):
    assert figure_problem(value, Unit(UnitKind.PERCENT)) is None


@pytest.mark.parametrize("value", [1000.01, -1000.5, 1e308, -1e308])
def test_percentages_beyond_a_thousand_are_refused_and_say_so(value):
    message = figure_problem(value, Unit(UnitKind.PERCENT))
    assert message is not None
    assert "out of range: give a number from -1,000 to 1,000" in message
    assert "percentage" in message


@pytest.mark.parametrize("kind", [k for k in UnitKind if k is not UnitKind.PERCENT])
def test_other_units_reach_a_quadrillion(kind):
    unit = Unit(kind)
    assert figure_problem(1e15, unit) is None and figure_problem(-1e15, unit) is None
    assert figure_problem(1e15 * (1 + 1e-12), unit) is not None
    assert figure_problem(1e308, unit) == (
        "1e+308 is out of range: give a number from -1,000,000,000,000,000 to 1,000,000,000,000,000"
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_never_numbers(value):
    assert number_problem(value) is not None
    assert "is not a finite number" in (figure_problem(value, Unit(UnitKind.PERCENT)) or "")
