import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.units import Negatives, Scale, Unit, UnitKind, fixed, plain

PERCENT = Unit(UnitKind.PERCENT)
COUNT = Unit(UnitKind.COUNT)
RATE = Unit(UnitKind.RATE)
CURRENCY = Unit(UnitKind.CURRENCY)


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        (PERCENT, 73.0, "73%"),
        (PERCENT, 73, "73%"),
        (PERCENT, 24.9, "24.9%"),
        (PERCENT, 24.94, "24.9%"),
        (PERCENT, 100.0, "100%"),
        (PERCENT, 0.0, "0%"),
        (COUNT, 1249, "1,249"),
        (COUNT, 1249.6, "1,250"),
        (COUNT, 0, "0"),
        (RATE, 5.84, "5.84"),
        (RATE, 5.8, "5.80"),
        (CURRENCY, 2100000, "£2,100,000"),
        (CURRENCY, -1500, "-£1,500"),
        (Unit(UnitKind.CURRENCY, symbol="€", decimals=2), 12.5, "€12.50"),
        (Unit(UnitKind.RATIO), 1.5, "1.50"),
        (Unit(UnitKind.DAYS), 12, "12.0"),
        (Unit(UnitKind.COUNT, decimals=1), 3.25, "3.3"),  # a tie rounds away from zero
        (Unit(UnitKind.PERCENT, decimals=0), 74.5, "75%"),
        (Unit(UnitKind.PERCENT, decimals=0), 73.5, "74%"),  # not to even
        (RATE, 2.675, "2.68"),  # the value as written, not its binary 2.67499...
        (CURRENCY, -2.5, "-£3"),
        (COUNT, -0.4, "0"),  # no "-0"
        (COUNT, 1234567.5, "1,234,568"),
    ],
)
def test_format_value_gives_report_text(unit, value, text):
    assert unit.format(value) == text


def test_format_percent_without_trim_keeps_decimal():
    assert PERCENT.format(73.0, trim=False) == "73.0%"


@pytest.mark.parametrize("value", [None, math.nan])
def test_format_missing_value_gives_empty(value):
    assert COUNT.format(value) == ""


def test_places_default_and_override_give_decimals():
    assert (RATE.places, Unit(UnitKind.RATE, decimals=3).places) == (2, 3)


@pytest.mark.parametrize(
    ("delta", "text"),
    [(2.0, "2 percentage points"), (1.0, "1 percentage point"), (-0.5, "0.5 percentage points")],
)
def test_format_difference_percent_gives_percentage_points(delta, text):
    assert PERCENT.format_difference(delta) == text


def test_format_difference_negative_currency_gives_absolute_amount():
    assert CURRENCY.format_difference(-1500) == "£1,500"


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 6))
def test_fixed_is_within_half_a_unit_of_the_value_as_written(value, places):
    text = fixed(value, places)
    assert len(text.partition(".")[2]) == places
    shown = Decimal(text.replace(",", ""))
    exact = Decimal(repr(value))
    assert abs(shown - exact) <= Decimal(1).scaleb(-places) / 2
    if abs(shown - exact) == Decimal(1).scaleb(-places) / 2:  # a tie went away from zero
        assert abs(shown) > abs(exact)


def test_fixed_infinity_and_nan_are_written_not_raised():
    assert (fixed(math.inf, 1), fixed(-math.inf, 0), fixed(math.nan, 2)) == ("inf", "-inf", "nan")


@pytest.mark.parametrize("value", [1e26, 1e30, -1.7e308, 1.7976931348623157e308])
def test_fixed_huge_values_are_written_in_full(value):
    text = fixed(value, 2)
    assert text.endswith(".00") and Decimal(text.replace(",", "")) == Decimal(repr(value))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_500_000.0, "1,500,000"),
        (1e16, "10,000,000,000,000,000"),
        (5e-05, "0.00005"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (-1234.25, "-1,234.25"),
        (math.inf, "inf"),
    ],
)
def test_plain_writes_every_digit_without_an_exponent(value, text):
    assert plain(value) == text


GBP_K = Unit(UnitKind.CURRENCY, scale=Scale.THOUSANDS)
GBP_K_BRACKETS = Unit(UnitKind.CURRENCY, scale=Scale.THOUSANDS, negatives=Negatives.BRACKETS)


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        (GBP_K, -2068, "-£2,068k"),  # a £2,068k deficit, never "-£2,068"
        (GBP_K, 2068, "£2,068k"),
        (GBP_K_BRACKETS, -2068, "(£2,068k)"),
        (GBP_K_BRACKETS, 2068, "£2,068k"),
        (GBP_K_BRACKETS, -0.4, "£0k"),  # rounds to nothing: no brackets round a zero
        (Unit(UnitKind.CURRENCY, 1, scale=Scale.MILLIONS), 2.07, "£2.1m"),
        (Unit(UnitKind.CURRENCY, 1, "€", scale=Scale.MILLIONS), -12.35, "-€12.4m"),
        (Unit(UnitKind.CURRENCY, symbol="$"), -1500, "-$1,500"),
        (Unit(UnitKind.COUNT, scale=Scale.THOUSANDS), 1249, "1,249k"),
        (Unit(UnitKind.COUNT, 1, scale=Scale.THOUSANDS), 12.44, "12.4k"),
        (Unit(UnitKind.COUNT, negatives=Negatives.BRACKETS), -1249, "(1,249)"),
        (Unit(UnitKind.PERCENT, negatives=Negatives.BRACKETS), -3.0, "(3%)"),
    ],
)
def test_format_scaled_and_bracketed_values_give_report_text(unit, value, text):
    assert unit.format(value) == text


def test_format_difference_keeps_the_scale_and_symbol():
    euro_k = Unit(
        UnitKind.CURRENCY, symbol="€", scale=Scale.THOUSANDS, negatives=Negatives.BRACKETS
    )
    assert (GBP_K.format_difference(-100), euro_k.format_difference(-168)) == ("£100k", "€168k")


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.sampled_from(list(UnitKind)),
    st.sampled_from(list(Scale)),
    st.integers(0, 4),
)
def test_brackets_differ_from_minus_only_in_the_sign(value, kind, scale, decimals):
    minus = Unit(kind, decimals, scale=scale)
    brackets = Unit(kind, decimals, scale=scale, negatives=Negatives.BRACKETS)
    text = minus.format(value)
    expected = f"({text[1:]})" if text.startswith("-") else text
    assert brackets.format(value) == expected


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        (PERCENT, 73.25, "73.25%"),
        (PERCENT, 73.0, "73%"),
        (GBP_K_BRACKETS, -2068.5, "(£2,068.5k)"),
        (RATE, 5.8, "5.80"),
        (COUNT, 1249, "1,249"),
    ],
)
def test_format_full_keeps_every_decimal_in_the_unit(unit, value, text):
    assert unit.format_full(value) == text


@pytest.mark.parametrize(
    ("unit", "label"),
    [
        (PERCENT, "%"),
        (CURRENCY, "£"),
        (GBP_K, "£k"),
        (COUNT, "count"),
        (Unit(UnitKind.COUNT, scale=Scale.MILLIONS), "millions"),
        (RATE, "rate"),
    ],
)
def test_label_names_what_raw_figures_are_in(unit, label):
    assert unit.label == label


def test_format_full_stops_a_computed_figure_at_six_decimals():
    assert Unit(UnitKind.RATE).format_full(105 / 19_479 * 1000) == "5.390420"
    assert Unit(UnitKind.PERCENT).format_full(73.25) == "73.25%"
