"""Plausibility checks on a typed figure, and reading numbers with commas and %."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.plausibility import (
    Concern,
    plausibility_warnings,
    read_entered_number,
    run_limits,
)
from kpiboard.core.units import UnitKind

STEADY = [72, 74, 73, 75, 71, 74, 73, 72, 76, 74, 73, 75]


def concerns(value, unit=UnitKind.PERCENT, history=STEADY) -> list[Concern]:
    return [w.concern for w in plausibility_warnings(value, unit, history)]


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("1,249", UnitKind.COUNT, 1249.0),
        ("12,345.5", UnitKind.COUNT, 12345.5),
        ("1,234,567", UnitKind.CURRENCY, 1234567.0),
        ("74%", UnitKind.PERCENT, 74.0),
        (" 74.5 % ", UnitKind.PERCENT, 74.5),
        ("-3", UnitKind.COUNT, -3.0),
        ("(2,068)", UnitKind.CURRENCY, -2068.0),
        (".5", UnitKind.RATIO, 0.5),
        ("1e3", UnitKind.COUNT, 1000.0),
        ("", UnitKind.COUNT, None),
    ],
)
def test_read_entered_number_accepts_commas_and_percent(text, unit, value):
    assert read_entered_number(text, unit) == value


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("1,24", UnitKind.COUNT, "commas only between thousands"),
        ("12,34,567", UnitKind.COUNT, "commas only between thousands"),
        ("74%", UnitKind.COUNT, "without the % sign"),
        ("seventy", UnitKind.COUNT, "Enter a number"),
        ("1e999", UnitKind.COUNT, "Enter a number"),
        ("nan", UnitKind.PERCENT, "Enter a number"),
        ("(-5)", UnitKind.CURRENCY, "Enter a number"),
        ("()", UnitKind.CURRENCY, "Enter a number"),
        ("7 4", UnitKind.COUNT, None),  # spaces are dropped: 74
    ],
)
def test_read_entered_number_refuses_what_it_cannot_read(text, unit, message):
    if message is None:
        assert read_entered_number(text, unit) == 74
        return
    with pytest.raises(ValueError, match=message):
        read_entered_number(text, unit)


@given(st.integers(min_value=0, max_value=10**12))
def test_read_entered_number_reads_any_whole_number_with_thousands_commas(n):
    assert read_entered_number(f"{n:,}", UnitKind.COUNT) == n
    assert read_entered_number(str(n), UnitKind.COUNT) == n


@given(st.floats(min_value=0, max_value=1000, allow_nan=False).map(lambda v: round(v, 2)))
def test_read_entered_number_reads_a_percentage_with_or_without_the_sign(v):
    assert read_entered_number(f"{v}%", UnitKind.PERCENT) == read_entered_number(
        str(v), UnitKind.PERCENT
    )


def test_a_percentage_over_100_is_warned():
    warnings = plausibility_warnings(740, UnitKind.PERCENT, STEADY)
    assert warnings[0].concern is Concern.OVER_100
    assert warnings[0].message == "is a percentage over 100"
    assert Concern.OUTSIDE_LIMITS in [w.concern for w in warnings]


def test_a_figure_in_the_run_is_not_warned():
    assert concerns(74) == []


def test_a_figure_outside_the_recent_run_is_warned_with_the_limits():
    warnings = plausibility_warnings(40, UnitKind.PERCENT, STEADY, show=lambda v: f"{v:.1f}")
    assert [w.concern for w in warnings] == [Concern.OUTSIDE_LIMITS]
    assert warnings[0].message.startswith("is outside the range the recent figures run in (")


def test_ten_times_the_last_figure_is_warned_without_a_run():
    assert concerns(12490, UnitKind.COUNT, [1249]) == [Concern.JUMP]
    assert concerns(124.9, UnitKind.COUNT, [1249]) == [Concern.JUMP]
    assert concerns(2000, UnitKind.COUNT, [1249]) == []


def test_negative_counts_and_percentages_are_warned():
    assert concerns(-1, UnitKind.COUNT, []) == [Concern.NEGATIVE]
    assert concerns(-1, UnitKind.PERCENT, []) == [Concern.NEGATIVE]
    assert concerns(-1, UnitKind.CURRENCY, []) == []  # a deficit is normal


def test_no_figure_is_not_warned():
    assert plausibility_warnings(None, UnitKind.PERCENT, STEADY) == []


def test_run_limits_need_enough_figures_with_variation():
    assert run_limits([1, 2, 3]) is None
    assert run_limits([5] * 12) is None
    limits = run_limits([math.nan, *STEADY])
    assert limits is not None and limits.lower < 71 and limits.upper > 76


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=6, max_size=40))
def test_every_figure_of_the_run_lies_within_its_limits_or_there_are_none(history):
    limits = run_limits(history)
    if limits is not None:
        recent = history[-24:]
        mean = sum(recent) / len(recent)
        assert limits.lower <= mean <= limits.upper


@given(
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.lists(st.floats(min_value=1, max_value=100), max_size=30),
)
def test_a_percentage_within_0_and_100_never_gets_a_range_warning(value, history):
    found = concerns(value, UnitKind.PERCENT, history)
    assert Concern.OVER_100 not in found and Concern.NEGATIVE not in found
