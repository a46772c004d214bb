"""XmR charts: hand-worked examples for every rule and option, and xmr_many == xmr.

Most series are built on a background that alternates 9 and 13 (or 13 and 9): every moving range
is 4, the points straddle the mean, so the background alone never signals and the expected mean
and MR-bar can be added up by hand in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiboard.core.spc import (
    AssuranceIcon,
    Improvement,
    PointType,
    Signal,
    VariationIcon,
    XmrBatch,
    assurance_code,
    describe_assurance,
    describe_variation,
    signal_code,
    xmr,
    xmr_many,
)

NAN = math.nan
BG = [9, 13]  # background: ranges of 4, mean 11
GB = [13, 9]


def signals(result) -> dict[int, Signal]:
    return {i: s for i, s in enumerate(result.signal) if s is not None}


def limits(result, i: int = -1) -> tuple[float, float, float]:
    return result.lower_limit[i], result.mean[i], result.upper_limit[i]


def approx(*values: float):
    return pytest.approx(values, rel=1e-12, abs=1e-12)


# --- limits ------------------------------------------------------------------------------------


def test_limits_are_mean_plus_minus_2_66_mr_bar():
    r = xmr([10, 12] * 6)  # mean 11, eleven ranges of 2: MR-bar 2
    assert limits(r) == approx(11 - 2.66 * 2, 11, 11 + 2.66 * 2)
    assert (r.near_lower[0], r.near_upper[0]) == approx(11 - 2 / 3 * 2.66 * 2, 11 + 2 / 3 * 5.32)
    assert r.point_type == (PointType.COMMON_CAUSE,) * 12
    assert r.signal == (None,) * 12
    assert r.variation_icon is VariationIcon.COMMON_CAUSE
    assert r.group.tolist() == [0] * 12
    assert r.dates is None


def test_limits_hand_worked_with_an_outlier_screened_from_mr_bar():
    values = BG * 7 + [35]
    r = xmr(values)
    mean = (7 * 22 + 35) / 15  # 12.6
    # Ranges: 13 of 4 and one of 22. MR-bar 74/14 = 5.29; 22 >= 3.267 x 5.29 = 17.3: dropped.
    mr_bar = 13 * 4 / 13
    assert limits(r) == approx(mean - 2.66 * mr_bar, mean, mean + 2.66 * mr_bar)
    assert signals(r) == {14: Signal.OUTSIDE_LIMITS}
    assert r.point_type[14] is PointType.IMPROVEMENT
    assert r.variation_icon is VariationIcon.IMPROVEMENT_HIGH
    assert r.warnings == ()


def test_without_screening_the_jump_stays_in_mr_bar_and_the_mean_is_unchanged():
    values = BG * 7 + [35]
    screened, unscreened = xmr(values), xmr(values, screen_outliers=False)
    mr_bar = (13 * 4 + 22) / 14
    mean = (7 * 22 + 35) / 15
    assert limits(unscreened) == approx(mean - 2.66 * mr_bar, mean, mean + 2.66 * mr_bar)
    assert unscreened.mean[0] == screened.mean[0]
    assert signals(unscreened) == {14: Signal.OUTSIDE_LIMITS}  # 35 > 12.6 + 14.06


def test_a_range_exactly_3_267_mr_bar_is_dropped_not_strictly_below():
    # Ranges: eight of 748, one of 749 and one of 3267: they add up to 10000, MR-bar 1000, and
    # 3267 is exactly 3.267 x 1000, so it is not strictly below the cut: dropped.
    values = [0, 748] * 4 + [0, 749, 749 + 3267]
    assert 3.267 * 1000.0 == 3267.0
    r = xmr(values)
    assert r.upper_limit[0] - r.mean[0] == pytest.approx(2.66 * (8 * 748 + 749) / 9)


def test_a_range_just_below_the_cut_is_kept():
    values = [0, 748] * 4 + [0, 749, 749 + 3266]  # MR-bar 999.9, cut 3266.67: 3266 kept
    r = xmr(values)
    assert r.upper_limit[0] - r.mean[0] == pytest.approx(2.66 * 999.9)


def test_a_flat_series_keeps_its_zero_ranges_and_sits_on_its_mean():
    r = xmr([97.3] * 20)  # adding 97.3 in binary is not exact: the tolerance keeps it on the mean
    assert r.lower_limit[0] == pytest.approx(97.3) and r.upper_limit[0] == pytest.approx(97.3)
    assert r.signal == (None,) * 20
    # With no variation the limits sit on the mean: any change at all is outside them.
    r = xmr([97.3] * 20 + [98.0], fix_after_n_points=20)
    assert signals(r) == {20: Signal.OUTSIDE_LIMITS}
    # Unfixed, MR-bar 0.7/20 screens the 0.7 out and the mean moves to 97.33: all are outside.
    assert set(signals(xmr([97.3] * 20 + [98.0]))) == set(range(21))


# --- outside the limits ------------------------------------------------------------------------


def test_a_point_exactly_on_a_limit_is_not_outside():
    # [8, 14] * 6: mean 11, MR-bar 6, upper limit 26.96. A point there would move the mean, so
    # the limits are fixed on the first 12 points.
    on_limit = [8, 14] * 6 + [11 + 2.66 * 6]
    assert xmr(on_limit, fix_after_n_points=12).signal[12] is None
    above = [8, 14] * 6 + [11 + 2.66 * 6 + 0.01]
    assert xmr(above, fix_after_n_points=12).signal[12] is Signal.OUTSIDE_LIMITS


def test_low_outlier_is_concern_when_higher_is_better_and_improvement_when_lower_is():
    values = [8, 14] * 6 + [-10]
    up = xmr(values, fix_after_n_points=12)
    down = xmr(values, improvement="decrease", fix_after_n_points=12)
    neutral = xmr(values, improvement="neutral", fix_after_n_points=12)
    assert signals(up) == {12: Signal.OUTSIDE_LIMITS}  # -10 < 11 - 15.96
    assert up.point_type[12] is PointType.CONCERN
    assert up.variation_icon is VariationIcon.CONCERN_LOW
    assert down.point_type[12] is PointType.IMPROVEMENT
    assert down.variation_icon is VariationIcon.IMPROVEMENT_LOW
    assert neutral.point_type[12] is PointType.NEUTRAL_LOW
    assert neutral.variation_icon is VariationIcon.NEUTRAL_LOW


def test_high_outlier_with_decrease_is_concern_high():
    r = xmr(BG * 7 + [35], improvement="decrease")
    assert r.point_type[14] is PointType.CONCERN
    assert r.variation_icon is VariationIcon.CONCERN_HIGH
    r = xmr(BG * 7 + [35], improvement="neutral")
    assert r.point_type[14] is PointType.NEUTRAL_HIGH
    assert r.variation_icon is VariationIcon.NEUTRAL_HIGH


# --- trends --------------------------------------------------------------------------------------

RISING_7 = [10, 10.5, 11, 11.5, 12, 12.5, 13]


def test_seven_rising_points_are_a_trend():
    values = BG * 4 + RISING_7 + BG * 2
    r = xmr(values)
    # Mean 212.5/19 = 11.18, MR-bar (7*4 + 3 + 6*0.5 + 4 + 3*4)/18 = 2.78: everything inside the
    # limits and the near band, and no run longer than 4 on one side.
    assert r.mean[0] == pytest.approx(212.5 / 19)
    assert r.upper_limit[0] - r.mean[0] == pytest.approx(2.66 * 50 / 18)
    assert signals(r) == dict.fromkeys(range(8, 15), Signal.TREND)
    assert {r.point_type[i] for i in range(8, 15)} == {PointType.IMPROVEMENT}
    assert r.variation_icon is VariationIcon.COMMON_CAUSE  # the last point is not in it


def test_six_rising_points_are_not_a_trend():
    values = BG * 4 + RISING_7[1:] + BG * 2
    assert signals(xmr(values)) == {}


def test_equal_values_break_a_trend():
    values = BG * 4 + [10, 10.5, 11, 11, 11.5, 12, 12.5, 13] + BG * 2  # 8 points, one tie
    assert signals(xmr(values)) == {}


def test_a_trend_below_the_mean_is_still_high_and_its_direction_decides():
    values = BG * 5 + RISING_7  # the trend ends the series
    up = xmr(values)
    assert signals(up) == dict.fromkeys(range(10, 17), Signal.TREND)
    assert up.values[10] < up.mean[10]  # 10 is below the mean of 11.21, yet rising = high
    assert up.point_type[10] is PointType.IMPROVEMENT
    assert up.variation_icon is VariationIcon.IMPROVEMENT_HIGH
    down = xmr(values, improvement="decrease")
    assert down.point_type[10] is PointType.CONCERN
    assert down.variation_icon is VariationIcon.CONCERN_HIGH
    falling = xmr(GB * 5 + RISING_7[::-1], improvement="decrease")
    assert signals(falling) == dict.fromkeys(range(10, 17), Signal.TREND)
    assert falling.variation_icon is VariationIcon.IMPROVEMENT_LOW


def test_the_turning_point_of_two_trends_belongs_to_the_one_it_ends():
    peak = [10, 10.5, 11, 11.5, 12, 12.5, 13, 12.5, 12, 11.5, 11, 10.5, 10]
    r = xmr(BG * 4 + peak + GB * 2, improvement="neutral")
    assert signals(r) == dict.fromkeys(range(8, 21), Signal.TREND)
    assert r.point_type[8:14] == (PointType.NEUTRAL_HIGH,) * 6
    assert r.point_type[14] is PointType.NEUTRAL_HIGH  # the peak ends the rising trend
    assert r.point_type[15:21] == (PointType.NEUTRAL_LOW,) * 6


def test_a_missing_value_breaks_a_trend():
    values = BG * 4 + [10, 10.5, 11, NAN, 11.5, 12, 12.5, 13] + BG * 2
    r = xmr(values)
    assert signals(r) == {}
    assert r.point_type[11] is PointType.MISSING


# --- two of three ------------------------------------------------------------------------------


def test_two_of_three_close_to_the_upper_limit():
    values = BG * 8 + [21.5, 13, 21.5] + BG * 2
    r = xmr(values)
    # Mean (8*22 + 56 + 2*22)/23 = 12 exactly; ranges 15 of 4, 8.5, 8.5, 8.5, 12.5 and 3 of 4
    # add up to 110 over 22: MR-bar 5. Near band from 20.87, upper limit 25.3.
    assert limits(r) == approx(12 - 2.66 * 5, 12, 12 + 2.66 * 5)
    assert r.near_upper[0] == pytest.approx(12 + 2 / 3 * 2.66 * 5)
    assert signals(r) == {16: Signal.TWO_OF_THREE, 18: Signal.TWO_OF_THREE}  # not the 13
    assert r.point_type[16] is PointType.IMPROVEMENT


def test_two_of_three_needs_all_three_on_the_same_side():
    values = BG * 8 + [21.5, 9, 21.5] + BG * 2  # 9 is below the mean of 11.83
    r = xmr(values)
    assert r.near_upper[0] < 21.5 < r.upper_limit[0]  # both close, but split by the mean
    assert signals(r) == {}


def test_one_close_point_is_not_two_of_three():
    values = BG * 8 + [21.5, 13, 13] + BG * 2
    assert signals(xmr(values)) == {}


def test_mdc_2023_lets_a_point_outside_the_limits_count_towards_two_of_three():
    values = BG * 8 + [30, 13, 24] + BG * 2
    # Mean 287/23 = 12.48; ranges 15 of 4, 17, 17, 11, 15, 3 of 4 = 132 over 22: MR-bar 6.
    # Upper limit 28.44 (30 is outside), near band from 23.12 (24 is close).
    mean = 287 / 23
    before, after = xmr(values), xmr(values, mdc_2023=True)
    assert limits(before) == approx(mean - 2.66 * 6, mean, mean + 2.66 * 6)
    assert signals(before) == {16: Signal.OUTSIDE_LIMITS}
    assert signals(after) == {16: Signal.OUTSIDE_LIMITS, 18: Signal.TWO_OF_THREE}


# --- shifts ------------------------------------------------------------------------------------

RUN = [12, 12.5] * 4  # above the mean of the GB background, never near a limit


@pytest.mark.parametrize(
    ("run_length", "shift_length", "flagged"),
    [
        (6, 7, False),
        (7, 7, True),
        (5, 6, False),
        (6, 6, True),
        (7, 8, False),
        (8, 8, True),
    ],
)
def test_shift_boundaries(run_length, shift_length, flagged):
    values = GB * 6 + RUN[:run_length] + [9, 13]  # a 9 before and after the run
    r = xmr(values, shift_length=shift_length)
    expected = dict.fromkeys(range(12, 12 + run_length), Signal.SHIFT) if flagged else {}
    assert signals(r) == expected


def test_shift_is_default_7_and_its_side_decides():
    r = xmr(GB * 6 + RUN[:7] + [9, 13], improvement="decrease")
    assert r.point_type[12] is PointType.CONCERN  # above the mean, lower is better


def test_a_point_exactly_on_the_mean_breaks_a_shift():
    background = [13, 9, 10, 9, 13, 9, 10, 9, 13, 9, 13, 9]
    values = [*background, 12, 12, 12, 11, 12, 12, 12, 9, 13]
    r = xmr(values)
    assert r.mean[0] == 11.0  # (126 + 83 + 22) / 21, exactly
    assert signals(r) == {}


def test_a_missing_value_breaks_a_shift():
    values = GB * 6 + [12, 12.5, 12, NAN, 12.5, 12, 12.5] + [9, 13]
    r = xmr(values)
    assert signals(r) == {}
    assert r.point_type[15] is PointType.MISSING and r.signal[15] is None


def test_priority_outside_beats_shift():
    values = GB * 6 + [12, 12.5, 12, 40, 12.5, 12, 12.5] + [9, 13]
    r = xmr(values, fix_after_n_points=12)  # limits 11 +/- 10.64 from the background
    assert signals(r) == {
        12: Signal.SHIFT,
        13: Signal.SHIFT,
        14: Signal.SHIFT,
        15: Signal.OUTSIDE_LIMITS,
        16: Signal.SHIFT,
        17: Signal.SHIFT,
        18: Signal.SHIFT,
    }


# --- assurance ---------------------------------------------------------------------------------

LOWER, UPPER = 11 - 2.66 * 2, 11 + 2.66 * 2  # of [10, 12] * 8: mean 11, MR-bar 2


@pytest.mark.parametrize(
    ("improvement", "target", "icon"),
    [
        ("increase", 5.0, AssuranceIcon.PASS),  # below the lower limit: always met
        ("increase", 17.0, AssuranceIcon.FAIL),  # above the upper limit: never met
        ("increase", 11.0, AssuranceIcon.INCONSISTENT),
        ("increase", LOWER, AssuranceIcon.INCONSISTENT),  # exactly on a limit
        ("increase", 5.68, AssuranceIcon.INCONSISTENT),  # the same, as typed
        ("increase", UPPER, AssuranceIcon.INCONSISTENT),
        ("increase", 16.32, AssuranceIcon.INCONSISTENT),
        ("decrease", 17.0, AssuranceIcon.PASS),
        ("decrease", 5.0, AssuranceIcon.FAIL),
        ("decrease", UPPER, AssuranceIcon.INCONSISTENT),
        ("neutral", 5.0, None),
        ("increase", None, None),
        ("increase", NAN, None),
    ],
)
def test_assurance(improvement, target, icon):
    assert xmr([10, 12] * 8, improvement=improvement, target=target).assurance_icon is icon


def test_assurance_uses_the_latest_group():
    values = [10, 12] * 8 + [30, 32] * 8  # group 2: mean 31, limits 25.68 to 36.32
    assert xmr(values, target=20.0, rebase_at=[16]).assurance_icon is AssuranceIcon.PASS
    assert xmr(values, target=20.0).assurance_icon is AssuranceIcon.INCONSISTENT


# --- fixed baseline, rebasing ------------------------------------------------------------------


def test_fix_after_n_points_takes_the_limits_from_the_first_12_only():
    values = [10, 12] * 6 + [30, 30, 30]
    r = xmr(values, fix_after_n_points=12)
    assert limits(r) == approx(11 - 5.32, 11, 11 + 5.32)  # as if the 30s were not there
    assert signals(r) == dict.fromkeys(range(12, 15), Signal.OUTSIDE_LIMITS)
    unfixed = xmr(values)
    assert unfixed.mean[0] == pytest.approx(222 / 15)


def test_fix_after_n_points_longer_than_the_series_uses_all_of_it():
    assert limits(xmr([10, 12] * 5, fix_after_n_points=20)) == approx(5.68, 11, 16.32)


@pytest.mark.parametrize("n", [0, 1, 11, -5])
def test_fix_after_fewer_than_12_points_raises(n):
    with pytest.raises(ValueError, match="at least 12"):
        xmr([10, 12] * 8, fix_after_n_points=n)


def test_rebase_gives_each_group_its_own_limits():
    values = [10, 12] * 6 + [20, 24] * 6
    r = xmr(values, rebase_at=[12])
    assert r.group.tolist() == [0] * 12 + [1] * 12
    assert limits(r, 0) == approx(11 - 2.66 * 2, 11, 11 + 2.66 * 2)
    assert limits(r, 12) == approx(22 - 2.66 * 4, 22, 22 + 2.66 * 4)
    assert signals(r) == {}
    # Without the rebase, 12 points below a mean of 16.5 and 12 above are two shifts (the 10s
    # are also close to the lower limit: two of three).
    assert Signal.SHIFT in signals(xmr(values)).values()


def test_a_shift_does_not_cross_a_rebase():
    values = GB * 4 + [12] * 4 + [12] * 4 + GB * 4  # 8 twelves either side of a rebase at 12
    assert signals(xmr(values, rebase_at=[12])) == {}
    assert set(signals(xmr(values)).values()) == {Signal.SHIFT}


def test_a_trend_does_not_cross_a_rebase():
    values = BG * 4 + RISING_7 + BG * 2
    r = xmr(values, rebase_at=[11])  # splits the trend 3 + 4
    assert Signal.TREND not in signals(r).values()


def test_fix_after_n_points_applies_to_each_group():
    values = [10, 12] * 6 + [30] + [20, 24] * 6 + [50]
    r = xmr(values, rebase_at=[13], fix_after_n_points=12)
    assert limits(r, 0) == approx(11 - 5.32, 11, 11 + 5.32)
    assert limits(r, 13) == approx(22 - 2.66 * 4, 22, 22 + 2.66 * 4)
    assert signals(r) == {12: Signal.OUTSIDE_LIMITS, 25: Signal.OUTSIDE_LIMITS}


# --- missing values and small series -----------------------------------------------------------


def test_a_range_next_to_a_missing_value_is_missing():
    values = [10, NAN, 20, 22, 20, 22, 20, 22]
    r = xmr(values)
    # Mean of the 7 values: 136/7. Ranges: 10-NaN and NaN-20 are missing; five of 2 remain.
    mean = 136 / 7
    assert limits(r) == approx(mean - 2.66 * 2, mean, mean + 2.66 * 2)
    assert r.point_type[1] is PointType.MISSING
    assert r.signal[1] is None
    assert r.values[1] != r.values[1]


def test_none_counts_as_missing():
    assert xmr([10, None, 12, 10]).point_type[1] is PointType.MISSING


def test_the_variation_icon_comes_from_the_latest_value_not_a_trailing_gap():
    r = xmr(BG * 7 + [35, NAN, None])
    assert r.point_type[-2:] == (PointType.MISSING, PointType.MISSING)
    assert r.variation_icon is VariationIcon.IMPROVEMENT_HIGH


def test_fewer_than_15_points_computes_anyway_with_a_warning():
    r = xmr([10, 12] * 7)
    assert limits(r) == approx(5.68, 11, 16.32)
    assert len(r.warnings) == 1 and "fewer than 15" in r.warnings[0]
    assert "Only 14 values" in r.warnings[0]
    assert xmr([10, 12] * 7 + [NAN]).warnings == r.warnings  # 15 points but 14 values
    assert xmr([10, 12] * 7 + [NAN, 11]).warnings == ()


def test_the_15_point_warning_counts_the_latest_group():
    values = [10, 12] * 10 + [20, 24] * 5
    assert xmr(values).warnings == ()
    assert "Only 10 values" in xmr(values, rebase_at=[20]).warnings[0]


def test_a_group_with_fewer_than_2_values_has_no_limits():
    r = xmr([10, 12] * 8 + [30, NAN], rebase_at=[16])
    assert math.isnan(r.lower_limit[-1]) and math.isnan(r.upper_limit[-1])
    assert r.mean[-1] == 30
    assert r.point_type[-2:] == (PointType.COMMON_CAUSE, PointType.MISSING)
    assert any("Group 2 (from point 17) has fewer than 2 values" in w for w in r.warnings)
    assert r.variation_icon is VariationIcon.COMMON_CAUSE
    assert xmr([10, 12] * 8 + [30, NAN], rebase_at=[16], target=5).assurance_icon is None


def test_alternating_gaps_leave_no_moving_range():
    r = xmr([10, NAN, 12, NAN, 11, NAN])
    assert r.mean[0] == 11 and math.isnan(r.upper_limit[0])
    assert any("no two consecutive values" in w for w in r.warnings)
    assert r.signal == (None,) * 6


def test_empty_and_all_missing_series():
    for values in ([], [NAN, NAN]):
        r = xmr(values, target=3.0)
        assert r.variation_icon is VariationIcon.COMMON_CAUSE
        assert r.assurance_icon is None
        assert any("fewer than 2" in w for w in r.warnings)


def test_dates_are_returned_as_given():
    dates = [f"2024-{m:02d}" for m in range(1, 13)]
    assert xmr([10, 12] * 6, dates=dates).dates is dates


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"improvement": "up"}, "improvement must be one of"),
        ({"rebase_at": [16]}, "out of range"),
        ({"rebase_at": [-1]}, "out of range"),
        ({"rebase_at": [8, 4]}, "strictly increasing"),
        ({"rebase_at": [4, 4]}, "strictly increasing"),
        ({"rebase_at": [2.5]}, "indices"),
        ({"dates": ["2024-01"]}, "dates has 1 entries"),
        ({"shift_length": 5}, "shift_length"),
        ({"shift_length": 9}, "shift_length"),
        ({"fix_after_n_points": 6}, "at least 12"),
        ({"fix_after_n_points": 12.5}, "whole number"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        xmr([10, 12] * 8, **kwargs)


def test_rebase_at_zero_is_harmless():
    assert xmr([10, 12] * 8, rebase_at=[0]).group.tolist() == [0] * 16


def test_bad_values_raise():
    with pytest.raises(ValueError, match="1-D"):
        xmr([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="infinite"):
        xmr([1, math.inf, 3])


def test_xmr_many_validates_shapes_and_codes():
    v = np.zeros((2, 5))
    with pytest.raises(ValueError, match="2-D"):
        xmr_many(np.zeros(5), improvement="increase")
    with pytest.raises(ValueError, match="improvement codes"):
        xmr_many(v, improvement=np.array([1, 2]))
    with pytest.raises(ValueError, match="2 codes"):
        xmr_many(v, improvement=np.array([1, 0, -1]))
    with pytest.raises(ValueError, match="improvement must be one of"):
        xmr_many(v, improvement="better")
    with pytest.raises(ValueError, match="target"):
        xmr_many(v, improvement="increase", target=np.zeros(3))
    with pytest.raises(ValueError, match="rebase_mask"):
        xmr_many(v, improvement="increase", rebase_mask=np.zeros((2, 4), bool))
    with pytest.raises(ValueError, match="at least 12"):
        xmr_many(v, improvement="increase", fix_after_n_points=3)
    with pytest.raises(ValueError, match="shift_length"):
        xmr_many(v, improvement="increase", shift_length=10)


# --- words and codes ---------------------------------------------------------------------------


def test_describe_icons_in_plain_english():
    assert describe_variation(VariationIcon.IMPROVEMENT_HIGH) == (
        "Special cause variation: improvement (high)"
    )
    assert describe_variation("common_cause") == "Common cause variation: no significant change"
    assert describe_variation(VariationIcon.CONCERN_LOW) == "Special cause variation: concern (low)"
    assert describe_assurance(AssuranceIcon.PASS) == "Assurance: the target is consistently met"
    assert describe_assurance("fail") == "Assurance: the target will not be met without change"
    assert describe_assurance(AssuranceIcon.INCONSISTENT) == (
        "Assurance: the target may or may not be met"
    )
    assert describe_assurance(None).startswith("Assurance: not assessed")
    assert all(describe_variation(icon) for icon in VariationIcon)


def test_codes_round_trip():
    for enum in (PointType, VariationIcon, Improvement):
        for member in enum:
            assert enum.from_code(member.code) is member
    assert [p.code for p in PointType] == [0, 1, 2, 3, 4, -1, -2]
    assert [v.code for v in VariationIcon] == [0, 1, 2, 3, 4, 5, 6]
    assert [Improvement(i).code for i in ("increase", "decrease", "neutral")] == [1, -1, 0]
    assert Signal.from_code(0) is None and signal_code(None) == 0
    assert [signal_code(s) for s in Signal] == [1, 2, 3, 4]
    assert AssuranceIcon.from_code(0) is None and assurance_code(None) == 0
    assert [assurance_code(a) for a in AssuranceIcon] == [1, 2, 3]
    for code in range(5):
        assert signal_code(Signal.from_code(code)) == code
    for code in range(4):
        assert assurance_code(AssuranceIcon.from_code(code)) == code


# --- the vectorised path -----------------------------------------------------------------------


def test_xmr_many_on_the_hand_worked_series():
    series = [BG * 7 + [35], BG * 4 + RISING_7 + BG * 2, BG * 8 + [21.5, 13, 21.5] + BG * 2]
    n = max(map(len, series))
    grid = np.full((3, n), np.nan)
    for i, s in enumerate(series):
        grid[i, : len(s)] = s
    batch = xmr_many(grid, improvement=np.array([1, -1, 0]), target=np.array([0.0, 30.0, 5.0]))
    assert isinstance(batch, XmrBatch)
    assert batch.mean.shape == batch.point_type.shape == (3, n)
    assert batch.point_type.dtype == batch.variation_icon.dtype == np.int8
    assert batch.mean[0, 0] == pytest.approx(12.6)
    assert batch.signal[0, 14] == Signal.OUTSIDE_LIMITS.code
    assert batch.point_type[0, 15] == PointType.MISSING.code
    assert VariationIcon.from_code(batch.variation_icon[0]) is VariationIcon.IMPROVEMENT_HIGH
    assert set(batch.point_type[1, 8:15].tolist()) == {PointType.CONCERN.code}
    assert set(batch.point_type[2, [16, 18]].tolist()) == {PointType.NEUTRAL_HIGH.code}
    assurance = [AssuranceIcon.from_code(c) for c in batch.assurance_icon]
    assert assurance == [AssuranceIcon.PASS, AssuranceIcon.PASS, None]
    assert batch.short_baseline.tolist() == [False, False, False]


def test_xmr_many_with_no_points():
    batch = xmr_many(np.zeros((3, 0)), improvement="increase")
    assert batch.mean.shape == (3, 0)
    assert batch.variation_icon.tolist() == [0, 0, 0]
    assert batch.short_baseline.all()


def _compare(values, codes, targets, mask, **options):
    batch = xmr_many(values, improvement=codes, target=targets, rebase_mask=mask, **options)
    for i in range(values.shape[0]):
        one = xmr(
            values[i],
            improvement=Improvement.from_code(codes[i]),
            target=None if math.isnan(targets[i]) else float(targets[i]),
            rebase_at=np.flatnonzero(mask[i]).tolist(),
            **options,
        )
        for name in ("mean", "lower_limit", "upper_limit"):
            mine, theirs = getattr(batch, name)[i], getattr(one, name)
            assert np.array_equal(mine, theirs, equal_nan=True), (i, name, mine, theirs)
        assert batch.point_type[i].tolist() == [p.code for p in one.point_type], i
        assert batch.signal[i].tolist() == [signal_code(s) for s in one.signal], i
        assert VariationIcon.from_code(batch.variation_icon[i]) is one.variation_icon, i
        assert AssuranceIcon.from_code(batch.assurance_icon[i]) is one.assurance_icon, i
        assert bool(batch.short_baseline[i]) == any("fewer than 15" in w for w in one.warnings)


def _series(draw, n: int) -> list[float]:
    """Ties, gaps, runs, trends and the odd jump: the shapes the rules look for."""
    kind = draw(st.sampled_from(["ties", "walk", "trend", "level"]))
    if kind == "ties":
        return draw(st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0]), min_size=n, max_size=n))
    if kind == "walk":
        steps = draw(st.lists(st.sampled_from([-1.5, -1, 0, 0.5, 1, 2, 9]), min_size=n, max_size=n))
        return np.cumsum(steps).tolist()
    if kind == "trend":
        steps = draw(st.lists(st.sampled_from([-1.0, 0.1, 0.2, 0.3]), min_size=n, max_size=n))
        return (np.cumsum(steps) * draw(st.sampled_from([1, -1]))).tolist()
    level = draw(st.floats(-1e3, 1e3, allow_nan=False))
    noise = draw(
        st.lists(st.floats(-5, 5, allow_nan=False, allow_subnormal=False), min_size=n, max_size=n)
    )
    return [level + e for e in noise]


@st.composite
def grids(draw):
    m = draw(st.integers(1, 5))
    n = draw(st.integers(0, 40))
    values = np.array([_series(draw, n) for _ in range(m)], dtype=float).reshape(m, n)
    gap_rate = draw(st.sampled_from([0, 1, 3]))  # in tenths
    gaps = draw(st.lists(st.integers(0, 9), min_size=m * n, max_size=m * n))
    values[np.array(gaps, dtype=int).reshape(m, n) < gap_rate] = np.nan
    mask = np.zeros((m, n), dtype=bool)
    if n:
        for i in range(m):
            mask[i, draw(st.lists(st.integers(0, n - 1), max_size=3))] = True
    codes = np.array(draw(st.lists(st.sampled_from([1, -1, 0]), min_size=m, max_size=m)))
    targets = np.array(
        draw(
            st.lists(
                st.sampled_from([NAN, 0.0, 1.0, 3.0, -20.0, 50.0]) | st.floats(-100, 100),
                min_size=m,
                max_size=m,
            )
        )
    )
    return values, codes, targets, mask


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=grids(),
    screen=st.booleans(),
    fix=st.sampled_from([None, 12, 15]),
    shift_length=st.sampled_from([6, 7, 8]),
    mdc_2023=st.booleans(),
)
def test_xmr_many_equals_xmr_series_by_series(data, screen, fix, shift_length, mdc_2023):
    values, codes, targets, mask = data
    _compare(
        values,
        codes,
        targets,
        mask,
        screen_outliers=screen,
        fix_after_n_points=fix,
        shift_length=shift_length,
        mdc_2023=mdc_2023,
    )


def test_xmr_many_equals_xmr_on_a_seeded_grid_with_every_rule():
    rng = np.random.default_rng(7)
    m, n = 300, 36
    values = np.round(rng.normal(50, 4, (m, n)), 1)
    values[:60, 10:17] = 50 + np.arange(7)[None, :] * 0.7  # trends
    values[60:120, 20:28] += 6  # shifts
    values[120:150, 30] += 25  # outliers
    values[rng.random((m, n)) < 0.04] = np.nan
    mask = np.zeros((m, n), dtype=bool)
    mask[150:200, 18] = True
    codes = rng.choice([1, -1, 0], m)
    targets = np.where(rng.random(m) < 0.2, np.nan, np.round(rng.normal(50, 8, m)))
    for mdc_2023 in (False, True):
        _compare(values, codes, targets, mask, mdc_2023=mdc_2023, fix_after_n_points=None)
    batch = xmr_many(values, improvement=codes, rebase_mask=mask)
    assert set(np.unique(batch.signal).tolist()) == {0, 1, 2, 3, 4}
