"""Annual targets profiled to months and quarters (core.targets), worked by hand."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import (
    Accumulation,
    Aggregation,
    AnnualTarget,
    Indicator,
    IndicatorData,
    TargetProfile,
)
from kpiboard.core.periods import UK, FinancialCalendar, month_range
from kpiboard.core.rating import Rating
from kpiboard.core.targets import (
    default_profile,
    profile_problem,
    profiled_targets,
    shares,
    target_at,
    weights_problem,
    with_profiled_targets,
)
from kpiboard.core.units import Unit, UnitKind

P = UK.parse
FLAT, CUMULATIVE, SEASONAL = TargetProfile.FLAT, TargetProfile.CUMULATIVE, TargetProfile.SEASONAL
YEAR = month_range(P("2013-04"), P("2014-03"))
QUARTERS = [P(f"2013/14 Q{q}") for q in range(1, 5)]
WEIGHTS = (1, 1, 1, 2, 2, 2, 3, 3, 3, 1, 0, 1)  # total 20


def percent(*annual: AnnualTarget) -> Indicator:
    return Indicator("P1", "A percentage", unit=Unit(UnitKind.PERCENT), annual_targets=annual)


def count(*annual: AnnualTarget, frequency: str = "month") -> Indicator:
    """A monthly count of events: aggregation sum."""
    return Indicator(
        "C1", "A count", unit=Unit(UnitKind.COUNT), frequency=frequency, annual_targets=annual
    )


def running(*annual: AnnualTarget) -> Indicator:
    """A year-to-date count: aggregation last."""
    return Indicator(
        "Y1", "So far", unit=Unit(UnitKind.COUNT), annual_targets=annual,
        accumulation_declared=Accumulation.YEAR_TO_DATE,
    )  # fmt: skip


def assert_close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


# --- the arithmetic ------------------------------------------------------------------------------


def test_flat_gives_every_month_the_annual_figure():
    ind = percent(AnnualTarget(2013, 85, FLAT))
    assert_close(profiled_targets(ind, YEAR, UK), [85] * 12)


def test_cumulative_on_a_summed_count_gives_each_month_a_twelfth():
    ind = count(AnnualTarget(2013, 1200, CUMULATIVE))
    assert ind.aggregation is Aggregation.SUM
    assert_close(profiled_targets(ind, YEAR, UK), [100] * 12)


def test_cumulative_on_a_running_total_gives_month_k_k_twelfths():
    ind = running(AnnualTarget(2013, 1200, CUMULATIVE))
    assert ind.aggregation is Aggregation.LAST
    assert_close(profiled_targets(ind, YEAR, UK), [100 * k for k in range(1, 13)])


def test_seasonal_on_a_summed_count_gives_each_month_its_weights_share():
    ind = count(AnnualTarget(2013, 200, SEASONAL, WEIGHTS))
    assert_close(profiled_targets(ind, YEAR, UK), [10, 10, 10, 20, 20, 20, 30, 30, 30, 10, 0, 10])


def test_seasonal_on_a_running_total_adds_the_shares_up_to_the_annual_target():
    ind = running(AnnualTarget(2013, 200, SEASONAL, WEIGHTS))
    want = [10, 20, 30, 50, 70, 90, 120, 150, 180, 190, 190, 200]
    assert_close(profiled_targets(ind, YEAR, UK), want)


def test_quarters_of_a_summed_count_get_a_quarter_or_their_months_weights():
    cumulative = count(AnnualTarget(2013, 1200, CUMULATIVE), frequency="quarter")
    assert_close(profiled_targets(cumulative, QUARTERS, UK), [300] * 4)
    seasonal = count(AnnualTarget(2013, 200, SEASONAL, WEIGHTS), frequency="quarter")
    assert_close(profiled_targets(seasonal, QUARTERS, UK), [30, 60, 90, 20])


def test_quarters_of_a_running_total_reach_the_annual_target_at_q4():
    ind = running(AnnualTarget(2013, 1200, CUMULATIVE))
    assert_close(profiled_targets(ind, QUARTERS, UK), [300, 600, 900, 1200])


def test_the_year_itself_gets_the_annual_target_whatever_the_profile():
    ind = count(AnnualTarget(2013, 1200, CUMULATIVE))
    assert_close(profiled_targets(ind, [P("2013/14")], UK), [1200])


def test_periods_of_a_year_without_an_annual_target_get_none():
    ind = percent(AnnualTarget(2013, 85, FLAT))
    assert_close(
        profiled_targets(ind, [P("2014-04"), P("2013-03"), P("2013-09-30")], UK), [np.nan] * 3
    )


def test_months_follow_the_financial_calendar():
    """With a January year, January is month 1: the running total's January is 1/12."""
    cal = FinancialCalendar(1)
    ind = running(AnnualTarget(2013, 120, CUMULATIVE))
    assert_close(
        profiled_targets(ind, [cal.parse("2013-01"), cal.parse("2013-12")], cal), [10, 120]
    )


def test_shares_of_a_running_total_end_exactly_at_one():
    assert shares(SEASONAL, Aggregation.LAST, 12, (3, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))[-1] == 1.0


@settings(max_examples=200, deadline=None)
@given(
    annual=st.floats(-1e9, 1e9, allow_nan=False),
    weights=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=12, max_size=12).filter(any),
    profile=st.sampled_from([CUMULATIVE, SEASONAL]),
    quarterly=st.booleans(),
)
def test_profiled_periods_of_a_summed_count_add_back_to_the_annual_target(
    annual, weights, profile, quarterly
):
    ind = count(AnnualTarget(2013, annual, profile, tuple(weights)))
    periods = QUARTERS if quarterly else YEAR
    total = float(np.sum(profiled_targets(ind, periods, UK)))
    assert math.isclose(total, annual, rel_tol=1e-9, abs_tol=1e-6)


# --- which profile suits which figures ---------------------------------------------------------


def test_flat_is_refused_for_a_count_that_adds_up():
    assert "aggregation: sum" in profile_problem(FLAT, Aggregation.SUM, Accumulation.PERIOD)


@pytest.mark.parametrize("profile", [CUMULATIVE, SEASONAL])
def test_spreading_profiles_are_refused_for_ratios_and_rolling_figures(profile):
    assert "ratio is a level" in profile_problem(profile, Aggregation.RATIO, Accumulation.PERIOD)
    rolling = profile_problem(profile, Aggregation.LAST, Accumulation.ROLLING_12)
    assert "rolling 12-month" in rolling


def test_every_profile_suits_a_running_total():
    for profile in TargetProfile:
        assert profile_problem(profile, Aggregation.LAST, Accumulation.YEAR_TO_DATE) is None


def test_default_profile_builds_up_totals_and_holds_levels():
    assert default_profile(Aggregation.SUM, Accumulation.PERIOD) is CUMULATIVE
    assert default_profile(Aggregation.LAST, Accumulation.YEAR_TO_DATE) is CUMULATIVE
    assert default_profile(Aggregation.LAST, Accumulation.PERIOD) is FLAT


@pytest.mark.parametrize(
    ("weights", "words"),
    [
        ([1] * 11, "must be 12 numbers"),
        ([1] * 11 + [-1], "weight 12 must not be negative"),
        ([0] * 12, "must not all be 0"),
        ([1] * 11 + ["x"], "weight 12 must be a number"),
        ([1] * 11 + [float("inf")], "weight 12 must be a number"),
        ([1] * 11 + [True], "weight 12 must be a number"),
    ],
)
def test_weights_problem_names_what_is_wrong(weights, words):
    assert words in weights_problem(weights)


def test_weights_problem_accepts_twelve_non_negative_numbers():
    assert weights_problem(list(WEIGHTS)) is None


# --- in the data, and against explicit targets --------------------------------------------------


def data(**series: dict[str, float]) -> IndicatorData:
    return IndicatorData.from_points(
        {name: {P(k): v for k, v in values.items()} for name, values in series.items()}
    )


def test_an_explicit_target_wins_over_the_profiled_one():
    ind = percent(AnnualTarget(2013, 85, FLAT))
    filled = with_profiled_targets(
        ind, data(actual={"2013-09": 80, "2013-10": 84}, target={"2013-09": 82}), UK
    )
    assert_close(filled.get("target"), [82, 85])
    assert filled.profiled == (P("2013-10"),)


def test_a_new_month_is_rated_against_its_profiled_target():
    ind = percent(AnnualTarget(2013, 85, FLAT))
    filled = with_profiled_targets(ind, data(actual={"2013-10": 85}), UK)
    result = evaluate_indicator(ind, filled, calendar=UK)
    assert result.periods[0].target == 85
    assert result.periods[0].computed is Rating.GREEN


def test_without_an_annual_target_a_new_month_has_no_target():
    ind = percent()
    filled = with_profiled_targets(ind, data(actual={"2013-10": 85}), UK)
    assert evaluate_indicator(ind, filled, calendar=UK).periods[0].computed is Rating.NO_TARGET


def test_target_at_says_where_the_target_comes_from():
    annual = AnnualTarget(2013, 1200, CUMULATIVE)
    ind = running(annual)
    filled = with_profiled_targets(ind, data(actual={"2013-05": 150}, target={"2013-04": 90}), UK)
    assert target_at(ind, filled, P("2013-04"), UK).value == 90
    assert not target_at(ind, filled, P("2013-04"), UK).profiled
    may = target_at(ind, filled, P("2013-05"), UK)
    assert (may.value, may.annual) == (200, annual)
    june = target_at(ind, filled, P("2013-06"), UK)  # no figures at all yet
    assert (june.value, june.annual) == (300, annual)
    assert target_at(ind, filled, P("2014-04"), UK).value is None


def test_the_annual_target_is_the_year_end_target_unless_one_is_given():
    ind = percent(AnnualTarget(2013, 85, FLAT))
    assert ind.year_end_target(2013) == 85
    assert ind.year_end_target(2014) is None
