import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.rating import (
    DEFAULT_RULE,
    Band,
    Polarity,
    Rating,
    RuleVersion,
    rate,
    rate_array,
    resolve_rule_arrays,
    rule_for_year,
)
from kpiboard.core.units import Negatives, Scale, Unit, UnitKind

HIGHER, LOWER, CLOSE = Polarity.HIGHER, Polarity.LOWER, Polarity.CLOSE
NO_AMBER = RuleVersion(amber=None)
ABSOLUTE = RuleVersion(amber=Band(2.5, relative=False))


# --- directional boundaries, exactly as the key says ------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (85.0, Rating.GREEN),
        (80.0, Rating.GREEN),  # meeting the target exactly
        (79.99, Rating.AMBER),
        (72.0, Rating.AMBER),  # exactly on the floor (target minus 10%)
        (80 * (1 - 0.1), Rating.AMBER),
        (71.99, Rating.RED),
        (0.0, Rating.RED),
    ],
)
def test_rate_higher_ten_percent_band_boundaries_follow_key(actual, expected):
    assert rate(actual, 80.0, HIGHER) is expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (5.0, Rating.GREEN),
        (6.0, Rating.GREEN),
        (6.3, Rating.AMBER),
        (6.6, Rating.AMBER),  # 6 * 1.1 is 6.6000000000000005 in binary: still on the floor
        (6 * 1.1, Rating.AMBER),
        (6.61, Rating.RED),
    ],
)
def test_rate_lower_target_6_ten_percent_band_boundaries_follow_key(actual, expected):
    assert rate(actual, 6.0, LOWER) is expected


@pytest.mark.parametrize(
    ("target", "band"),
    [(0.7, 0.1), (5.4, 0.1), (33.3, 0.05), (66.2, 0.15), (0.1, 0.2), (1234.56, 0.1)],
)
def test_rate_actual_built_exactly_on_floor_gives_amber(target, band):
    rule = RuleVersion(amber=Band(band))
    assert rate(target * (1 - band), target, HIGHER, rule) is Rating.AMBER
    assert rate(target * (1 + band), target, LOWER, rule) is Rating.AMBER
    assert rate(round(target * (1 - band), 4), target, HIGHER, rule) is Rating.AMBER
    assert rate(round(target * (1 + band), 4), target, LOWER, rule) is Rating.AMBER


@pytest.mark.parametrize(
    ("actual", "expected"), [(50.0, Rating.GREEN), (47.5, Rating.AMBER), (47.4, Rating.RED)]
)
def test_rate_higher_absolute_band_boundaries_follow_key(actual, expected):
    assert rate(actual, 50.0, HIGHER, ABSOLUTE) is expected


def test_rate_negative_target_relative_band_uses_size_of_target():
    assert rate(-11.0, -10.0, HIGHER) is Rating.AMBER
    assert rate(-11.1, -10.0, HIGHER) is Rating.RED


@pytest.mark.parametrize(
    ("actual", "polarity", "expected"),
    [
        (-540.0, HIGHER, Rating.AMBER),  # a £500k deficit target: the floor is -£550k
        (-550.0, HIGHER, Rating.AMBER),
        (-551.0, HIGHER, Rating.RED),
        (-460.0, LOWER, Rating.AMBER),  # lower is better: the floor is -£450k
        (-450.0, LOWER, Rating.AMBER),
        (-449.0, LOWER, Rating.RED),
    ],
)
def test_rate_negative_target_band_is_a_share_of_its_size_both_ways(actual, polarity, expected):
    assert rate(actual, -500.0, polarity) is expected
    arrays = resolve_rule_arrays(np.array([-500.0]), [DEFAULT_RULE])
    code = rate_array(np.array([actual]), np.array([-500.0]), np.array([polarity.code]), arrays)
    assert Rating(code[0]) is expected


@given(
    st.floats(-1e9, 1e9, allow_nan=False).filter(
        lambda t: abs(t) >= 1e-9
    ),  # no subnormal underflow
    st.floats(0.01, 0.9),
    st.sampled_from([HIGHER, LOWER]),
)
def test_floor_from_a_share_is_never_on_the_better_side_of_the_target(target, share, polarity):
    floor = RuleVersion(amber=Band(share)).floor_for(target, polarity)
    assert (floor < target) if polarity is HIGHER else (floor > target)
    assert math.isclose(abs(floor - target), share * abs(target))


def test_rate_zero_target_relative_band_gives_no_amber():
    assert rate(0.0, 0.0, HIGHER) is Rating.GREEN
    assert rate(-0.01, 0.0, HIGHER) is Rating.RED


# --- explicit floor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(7.0, Rating.GREEN), (7.5, Rating.AMBER), (8.0, Rating.AMBER), (8.1, Rating.RED)],
)
def test_rate_lower_explicit_floor_8_boundaries_follow_key(actual, expected):
    assert rate(actual, 7.0, LOWER, RuleVersion(floor=8.0)) is expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(90.0, Rating.GREEN), (60.0, Rating.AMBER), (59.9, Rating.RED)],
)
def test_rate_higher_explicit_floor_replaces_band(actual, expected):
    assert rate(actual, 90.0, HIGHER, RuleVersion(floor=60.0)) is expected


def test_rate_explicit_floor_without_amber_band_gives_amber():
    assert rate(8.0, 7.0, LOWER, RuleVersion(amber=None, floor=8.0)) is Rating.AMBER


def test_rate_floor_on_wrong_side_of_target_gives_red_when_behind():
    assert rate(79.0, 80.0, HIGHER, RuleVersion(floor=85.0)) is Rating.RED


# --- no amber ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(80.0, Rating.GREEN), (81.0, Rating.GREEN), (79.99, Rating.RED), (72.0, Rating.RED)],
)
def test_rate_higher_no_amber_behind_target_gives_red(actual, expected):
    assert rate(actual, 80.0, HIGHER, NO_AMBER) is expected


def test_rate_lower_no_amber_behind_target_gives_red():
    assert rate(6.01, 6.0, LOWER, NO_AMBER) is Rating.RED


# --- close to target --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (100.0, Rating.GREEN),
        (105.0, Rating.GREEN),
        (95.0, Rating.GREEN),
        (105.1, Rating.AMBER),
        (94.9, Rating.AMBER),
        (115.0, Rating.AMBER),
        (85.0, Rating.AMBER),
        (115.1, Rating.RED),
        (84.9, Rating.RED),
    ],
)
def test_rate_close_default_bands_are_two_sided(actual, expected):
    assert rate(actual, 100.0, CLOSE) is expected


def test_rate_close_float_boundary_gives_green():
    assert rate(6.3, 6.0, CLOSE) is Rating.GREEN
    assert rate(5.7, 6.0, CLOSE) is Rating.GREEN
    assert rate(6.9, 6.0, CLOSE) is Rating.AMBER


def test_rate_close_no_amber_beyond_green_gives_red():
    assert rate(106.0, 100.0, CLOSE, NO_AMBER) is Rating.RED
    assert rate(95.0, 100.0, CLOSE, NO_AMBER) is Rating.GREEN


def test_rate_close_absolute_bands_give_amounts():
    rule = RuleVersion(green=Band(1, relative=False), close_amber=Band(3, relative=False))
    assert [rate(a, 10.0, CLOSE, rule) for a in (11.0, 7.0, 13.1)] == [
        Rating.GREEN,
        Rating.AMBER,
        Rating.RED,
    ]


def test_rate_close_ignores_floor():
    assert rate(112.0, 100.0, CLOSE, floor=101.0) is Rating.AMBER


# --- states that are not colours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "rated", "expected"),
    [
        (None, None, False, Rating.NOT_RATED),
        (math.nan, 5.0, False, Rating.NOT_RATED),
        (5.0, 5.0, False, Rating.NOT_RATED),
        (None, None, True, Rating.NO_DATA),
        (math.nan, math.nan, True, Rating.NO_DATA),
        (None, 5.0, True, Rating.NO_DATA),
        (5.0, None, True, Rating.NO_TARGET),
        (5.0, math.nan, True, Rating.NO_TARGET),
    ],
)
def test_rate_missing_or_unrated_follows_precedence(actual, target, rated, expected):
    assert rate(actual, target, HIGHER, rated=rated) is expected


def test_rating_is_colour_only_for_red_amber_green():
    assert [r for r in Rating if r.is_colour] == [Rating.RED, Rating.AMBER, Rating.GREEN]


def test_rating_words_gives_key_text():
    assert [r.words for r in Rating] == [
        "No data",
        "No target",
        "Not rated",
        "Red",
        "Amber",
        "Green",
    ]


# --- rule by financial year -------------------------------------------------------------------


FIRST = RuleVersion(amber=Band(0.1))
SECOND = RuleVersion(from_year=2013, amber=None)
THIRD = RuleVersion(from_year=2015, floor=1.0)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2010, FIRST), (2012, FIRST), (2013, SECOND), (2014, SECOND), (2015, THIRD), (2030, THIRD)],
)
def test_rule_for_year_picks_latest_rule_in_force(year, expected):
    assert rule_for_year((FIRST, SECOND, THIRD), year) is expected


def test_rule_for_year_no_rules_gives_default():
    assert rule_for_year((), 2013) is DEFAULT_RULE


def test_rule_for_year_before_first_dated_rule_gives_first():
    assert rule_for_year((SECOND, THIRD), 2010) is SECOND


def test_rate_rule_changes_between_years_changes_colour():
    rules = (FIRST, SECOND)
    colours = [rate(75.0, 80.0, HIGHER, rule_for_year(rules, y)) for y in (2012, 2013)]
    assert colours == [Rating.AMBER, Rating.RED]


# --- per-period floor -------------------------------------------------------------------------


def test_rate_period_floor_wins_over_rule_floor():
    rule = RuleVersion(floor=8.0)
    assert rate(8.5, 7.0, LOWER, rule) is Rating.RED
    assert rate(8.5, 7.0, LOWER, rule, floor=9.0) is Rating.AMBER


def test_rate_period_floor_wins_over_band():
    assert rate(50.0, 80.0, HIGHER, floor=50.0) is Rating.AMBER
    assert rate(75.0, 80.0, HIGHER, floor=78.0) is Rating.RED


def test_rate_period_floor_wins_over_no_amber():
    assert rate(79.0, 80.0, HIGHER, NO_AMBER, floor=78.0) is Rating.AMBER


def test_rate_period_floor_nan_falls_back_to_rule():
    assert rate(75.0, 80.0, HIGHER, floor=math.nan) is Rating.AMBER


# --- describing rules -------------------------------------------------------------------------


def test_band_width_relative_and_absolute():
    assert (Band(0.1).width(-50.0), Band(2.5, relative=False).width(50.0)) == (5.0, 2.5)


def test_band_describe_gives_words():
    assert Band(0.1).describe() == "10% of the target"
    assert Band(2.5, relative=False).describe(lambda v: f"{v:g} days") == "2.5 days"
    assert Band(1_500_000, relative=False).describe() == "1,500,000"  # no "1.5e+06"


def test_rule_describe_writes_floor_and_bands_in_the_unit():
    percent = Unit(UnitKind.PERCENT, decimals=1)
    floor = RuleVersion(floor=8.0).describe(LOWER, percent.format, percent.format_difference)
    assert floor == "Amber up to a floor of 8%; Red beyond the floor"  # lower is better
    band = RuleVersion(amber=Band(3.0, relative=False))
    assert band.describe(HIGHER, percent.format, percent.format_difference) == (
        "Amber within 3 percentage points; Red beyond"
    )


def test_rule_describe_writes_thousands_of_pounds():
    gbp_k = Unit(UnitKind.CURRENCY, scale=Scale.THOUSANDS, negatives=Negatives.BRACKETS)
    words = (gbp_k.format, gbp_k.format_difference)
    band = RuleVersion(amber=Band(100.0, relative=False)).describe(HIGHER, *words)
    floor = RuleVersion(floor=-2500.0).describe(HIGHER, *words)
    assert band == "Amber within £100k; Red beyond"
    assert floor == "Amber down to a floor of (£2,500k); Red beyond the floor"


@pytest.mark.parametrize(
    ("rule", "polarity", "text"),
    [
        (DEFAULT_RULE, HIGHER, "Amber within 10% of the target; Red beyond"),
        (NO_AMBER, LOWER, "No Amber band: Red as soon as the target is missed"),
        (RuleVersion(floor=8.0), LOWER, "Amber up to a floor of 8; Red beyond the floor"),
        (RuleVersion(floor=60.0), HIGHER, "Amber down to a floor of 60; Red beyond the floor"),
        (
            DEFAULT_RULE,
            CLOSE,
            "Green within 5% of the target either side; Amber within 15% of the target; Red beyond",
        ),
        (
            NO_AMBER,
            CLOSE,
            "Green within 5% of the target either side; Red beyond it (no Amber band)",
        ),
    ],
)
def test_rule_describe_gives_key_wording(rule, polarity, text):
    assert rule.describe(polarity) == text


def test_polarity_code_and_words():
    assert [(p.code, p.words) for p in Polarity] == [
        (1, "Higher is better"),
        (-1, "Lower is better"),
        (0, "As close to target as possible"),
    ]


# --- vectorised ------------------------------------------------------------------------------


def test_rate_array_known_cells_give_same_as_key():
    actual = np.array([80.0, 72.0, 71.9, np.nan, 5.0, 6.6])
    target = np.array([80.0, 80.0, 80.0, 80.0, np.nan, 6.0])
    polarity = np.array([1, 1, 1, 1, 1, -1])
    rules = resolve_rule_arrays(target, [DEFAULT_RULE] * 6)
    assert rate_array(actual, target, polarity, rules).tolist() == [
        Rating.GREEN,
        Rating.AMBER,
        Rating.RED,
        Rating.NO_DATA,
        Rating.NO_TARGET,
        Rating.AMBER,
    ]


def test_rate_array_not_rated_wins_over_no_data():
    rules = resolve_rule_arrays(np.array([1.0, 1.0]), [DEFAULT_RULE] * 2)
    out = rate_array(np.array([np.nan, 1.0]), np.array([1.0, 1.0]), 1, rules, rated=False)
    assert out.tolist() == [Rating.NOT_RATED, Rating.NOT_RATED]
    assert out.dtype == np.int8


def test_resolve_rule_arrays_period_floor_wins_over_rule_floor():
    target = np.array([7.0, 7.0, np.nan])
    rules = resolve_rule_arrays(target, [RuleVersion(floor=8.0)] * 3, np.array([9.0, np.nan, 9.0]))
    assert rules.floor.tolist() == [9.0, 8.0, 9.0]
    assert np.isnan(rules.green_width[2])


def test_floor_for_band_explicit_and_none():
    from kpiboard.core.rating import Band, Polarity, RuleVersion

    assert RuleVersion().floor_for(80, Polarity.HIGHER) == 72
    assert RuleVersion().floor_for(130, Polarity.LOWER) == 143
    assert RuleVersion(floor=8.0).floor_for(6, Polarity.LOWER) == 8.0
    assert RuleVersion(amber=None).floor_for(90, Polarity.HIGHER) is None
    assert RuleVersion(amber=Band(3, relative=False)).floor_for(9, Polarity.LOWER) == 12
    assert RuleVersion().floor_for(10, Polarity.CLOSE) is None
