import math

import pytest

from kpiboard.core.units import Unit, UnitKind

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
        (Unit(UnitKind.COUNT, decimals=1), 3.25, "3.2"),
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
