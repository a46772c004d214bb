import math
import statistics
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.core.forecast import (
    T80_TABLE,
    Z80,
    ForecastMethod,
    forecast_year_end,
    months_elapsed,
    t_quantile_80,
    year_end_target_for,
)
from kpiboard.core.periods import UK, FinancialCalendar, month_range
from kpiboard.core.rating import Band, Polarity, Rating, RuleVersion

HIGHER, LOWER, CLOSE = Polarity.HIGHER, Polarity.LOWER, Polarity.CLOSE
P = UK.parse


def months(first, last):
    return month_range(P(first), P(last))


def forecast(periods, values, as_at=None, **kw):
    kw.setdefault("year_end_target", None)
    kw.setdefault("polarity", HIGHER)
    as_at = periods[-1] if as_at is None else as_at
    return forecast_year_end(periods, values, calendar=UK, as_at=as_at, **kw)


def pct(v):
    return f"{v:.0f}%"


# --- the t table ----------------------------------------------------------------------------


def t_cdf(t, df):
    """Student's t distribution function by numerical integration of its density."""
    x = np.linspace(0.0, t, 200_001)
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    density = np.exp(log_c) * (1 + x**2 / df) ** (-(df + 1) / 2)
    return 0.5 + float(np.sum((density[1:] + density[:-1]) / 2 * np.diff(x)))


@pytest.mark.parametrize("df", range(1, 31))
def test_t_table_values_are_the_90th_percentile(df):
    assert t_cdf(T80_TABLE[df - 1], df) == pytest.approx(0.90, abs=2e-4)


@pytest.mark.parametrize(
    ("df", "t"),
    [(1, 3.078), (2, 1.886), (5, 1.476), (10, 1.372), (30, 1.310), (31, Z80), (500, Z80)],
)
def test_t_quantile_80(df, t):
    assert t_quantile_80(df) == t


def test_normal_quantile_beyond_the_table():
    assert 0.5 * (1 + math.erf(Z80 / math.sqrt(2))) == pytest.approx(0.90, abs=1e-5)


def test_t_quantile_needs_a_degree_of_freedom():
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile_80(0)


# --- time axis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "elapsed"),
    [
        (date(2013, 4, 30), 1.0),
        (date(2013, 4, 15), 0.5),
        (date(2013, 6, 30), 3.0),
        (date(2013, 9, 30), 6.0),
        (date(2014, 2, 28), 11.0),
        (date(2014, 3, 31), 12.0),
    ],
)
def test_months_elapsed(day, elapsed):
    assert months_elapsed(day, date(2013, 4, 1)) == elapsed


# --- linear ---------------------------------------------------------------------------------


def test_linear_perfect_line_projects_exactly_with_a_degenerate_range():
    f = forecast(months("2013-04", "2013-09"), [50, 51, 52, 53, 54, 55])  # +1 a month
    assert f.method is ForecastMethod.LINEAR
    assert f.value == pytest.approx(61.0)  # month 12: 49 + 12
    assert f.lower == f.upper == f.value
    assert f.points_used == 6
    assert "exactly on a line" in f.note


def test_linear_known_small_dataset_by_hand():
    # x = 1, 2, 3, 4 (Apr-Jul), y = 2, 4, 5, 8.
    # mean x 2.5, mean y 4.75, Sxx = 2.25 + 0.25 + 0.25 + 2.25 = 5,
    # Sxy = 4.125 + 0.375 + 0.125 + 4.875 = 9.5: slope 1.9, intercept 4.75 - 1.9 * 2.5 = 0.
    # Fitted 1.9, 3.8, 5.7, 7.6; residuals 0.1, 0.2, -0.7, 0.4; SSR = 0.70 on 2 df.
    f = forecast(months("2013-04", "2013-07"), [2, 4, 5, 8])
    assert f.value == pytest.approx(1.9 * 12)
    half = 1.886 * math.sqrt(0.70 / 2) * math.sqrt(1 + 1 / 4 + (12 - 2.5) ** 2 / 5)
    assert half == pytest.approx(4.902, abs=1e-3)
    assert f.lower == pytest.approx(22.8 - half)
    assert f.upper == pytest.approx(22.8 + half)
    assert f.note == (
        "Linear trend over 4 months of 2013/14 (to Jul-13); "
        "the 80% range allows for how far the figures scatter about the line."
    )


def test_linear_matches_numpy_polyfit():
    values = [71.2, 69.8, 70.5, 72.9, 73.1, 72.4, 74.0]
    f = forecast(months("2013-04", "2013-10"), values)
    slope, intercept = np.polyfit(np.arange(1, 8), values, 1)
    assert f.value == pytest.approx(intercept + slope * 12)


def test_linear_two_points_has_no_range():
    f = forecast(months("2013-04", "2013-05"), [10, 12])
    assert f.value == pytest.approx(10 + 2 * 11)
    assert math.isnan(f.lower) and math.isnan(f.upper)
    assert not f.has_range
    assert "no range" in f.note
    assert f.describe(str) == "Forecast year-end 32.0; no year-end target"


def test_linear_first_month_is_too_few_points():
    assert forecast(months("2013-04", "2013-04"), [70]) is None


def test_linear_quarters():
    quarters = [UK.quarter(2013, q) for q in (1, 2, 3)]
    f = forecast(quarters, [70, 72, 74])  # months 3, 6, 9: 2 points a quarter
    assert f.value == pytest.approx(76.0)
    assert f.lower == f.upper == f.value
    assert f.note.startswith("Linear trend over 3 quarters of 2013/14 (to Dec 13)")


def test_linear_quarters_with_scatter_by_hand():
    # x = 3, 6, 9; y = 10, 14, 15: slope 5/6 a month, intercept 13 - 5 = 8; residuals -0.5, 1, -0.5.
    quarters = [UK.quarter(2013, q) for q in (1, 2, 3)]
    f = forecast(quarters, [10, 14, 15])
    assert f.value == pytest.approx(8 + 10)
    half = 3.078 * math.sqrt(1.5 / 1) * math.sqrt(1 + 1 / 3 + (12 - 6) ** 2 / 18)
    assert (f.lower, f.upper) == (pytest.approx(18 - half), pytest.approx(18 + half))


def test_linear_explicit_for_a_cumulative_series():
    f = forecast(months("2013-04", "2013-06"), [10, 20, 30], method="linear", cumulative=True)
    assert f.method is ForecastMethod.LINEAR
    assert f.value == pytest.approx(120.0)


# --- run rate -------------------------------------------------------------------------------


def test_run_rate_by_hand():
    ytd = [10, 25, 30, 42, 50, 61]  # additions 10, 15, 5, 12, 8, 11
    f = forecast(months("2013-04", "2013-09"), ytd, cumulative=True)
    assert f.method is ForecastMethod.RUN_RATE
    assert f.value == pytest.approx(61 * 12 / 6)
    s = statistics.stdev([10, 15, 5, 12, 8, 11])
    half = 1.476 * s * math.sqrt(6 + 6**2 / 6)  # 6 months left; rate known from 6 months
    assert (f.lower, f.upper) == (pytest.approx(122 - half), pytest.approx(122 + half))
    assert f.note == (
        "Run rate: the 2013/14 count to Sep-13 (6 months) scaled up to 12 months; "
        "the 80% range allows for how much the monthly additions vary."
    )


def test_run_rate_steady_additions_give_a_single_value():
    f = forecast(months("2013-04", "2013-08"), [7, 14, 21, 28, 35], cumulative=True)
    assert f.value == pytest.approx(84.0)
    assert f.lower == pytest.approx(84.0) and f.upper == pytest.approx(84.0)


def test_run_rate_missing_month_spreads_the_addition_over_the_gap():
    # Jun missing: the Jul figure adds 20 over two months, the same 10 a month as before.
    periods = [P("2013-04"), P("2013-05"), P("2013-07")]
    f = forecast(periods, [10, 20, 40], cumulative=True)
    assert f.value == pytest.approx(40 * 12 / 4)
    assert f.lower == pytest.approx(120.0) and f.upper == pytest.approx(120.0)
    assert "(4 months)" in f.note and f.points_used == 3


def test_run_rate_quarters_by_hand():
    quarters = [UK.quarter(2013, 1), UK.quarter(2013, 2)]
    f = forecast(quarters, [30, 66], cumulative=True)  # additions 30, 36 a quarter
    assert f.value == pytest.approx(66 * 12 / 6)
    monthly_variance = statistics.variance([30, 36]) / 3  # a quarter is three months
    half = 3.078 * math.sqrt(monthly_variance * (6 + 6**2 / 6))
    assert (f.lower, f.upper) == (pytest.approx(132 - half), pytest.approx(132 + half))
    assert "quarterly additions" in f.note


def test_run_rate_first_month_projects_without_a_range():
    f = forecast(months("2013-04", "2013-04"), [9], cumulative=True)
    assert f.value == pytest.approx(108.0)
    assert math.isnan(f.lower) and math.isnan(f.upper)
    assert "(1 month)" in f.note and "no range" in f.note


def test_run_rate_needs_a_cumulative_series():
    with pytest.raises(ValueError, match="cumulative"):
        forecast(months("2013-04", "2013-06"), [1, 2, 3], method="run_rate")


# --- which figures are used -----------------------------------------------------------------


def test_only_the_as_at_year_up_to_as_at_is_used():
    periods = months("2012-10", "2013-12")
    values = [100.0] * 6 + [50, 51, 52, 53, 54, 55] + [0.0, 0.0, 0.0]
    f = forecast(periods, values, as_at=P("2013-09"))
    assert (f.points_used, f.year, f.through) == (6, 2013, P("2013-09"))
    assert f.value == pytest.approx(61.0)
    assert f.year_end == UK.year(2013)


def test_missing_values_are_skipped():
    f = forecast(months("2013-04", "2013-07"), [50, None, math.nan, 53])
    assert f.points_used == 2
    assert f.value == pytest.approx(61.0)


def test_figures_of_another_kind_are_left_out():
    periods = [*months("2013-04", "2013-09"), UK.quarter(2013, 1), UK.quarter(2013, 2)]
    values = [50, 51, 52, 53, 54, 55, 999, 999]
    f = forecast(periods, values, as_at=P("2013-09"))
    assert f.points_used == 6 and f.value == pytest.approx(61.0)


def test_as_at_a_quarter_uses_the_months_within_it():
    f = forecast(months("2013-04", "2014-03"), list(range(50, 62)), as_at=UK.quarter(2013, 2))
    assert (f.points_used, f.through) == (6, P("2013-09"))


def test_no_figures_in_the_year_gives_none():
    assert forecast(months("2012-04", "2013-03"), [1.0] * 12, as_at=P("2013-05")) is None


def test_complete_year_returns_the_outturn():
    values = [60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 78]
    f = forecast(months("2013-04", "2014-03"), values, year_end_target=80)
    assert f.method is ForecastMethod.ACTUAL and f.is_actual
    assert f.value == f.lower == f.upper == 78
    assert (f.points_used, f.rating) == (1, Rating.AMBER)
    assert f.note == "2013/14 is complete: the Mar-14 figure is the outturn."
    assert f.describe(pct) == "Year-end outturn 78% against a target of 80%: AMBER"


def test_complete_year_for_a_year_period():
    f = forecast([UK.year(2012), UK.year(2013)], [5.0, 6.0], year_end_target=6.0)
    assert (f.method, f.value, f.year, f.rating) == ("actual", 6.0, 2013, Rating.GREEN)


def test_year_end_as_at_with_march_missing_still_forecasts():
    periods = months("2013-04", "2014-02")
    f = forecast(periods, list(range(50, 61)), as_at=P("2014-03"))
    assert f.method is ForecastMethod.LINEAR
    assert f.value == pytest.approx(61.0)


def test_daily_figures_sit_on_the_month_axis():
    days = [UK.day(date(2013, 4, 15)), UK.day(date(2013, 4, 30)), UK.day(date(2013, 5, 31))]
    f = forecast(days, [0.5, 1.0, 2.0])  # months elapsed 0.5, 1 and 2: y = x
    assert f.value == pytest.approx(12.0)
    assert f.note.startswith("Linear trend over 3 days of 2013/14 (to 31 May 13)")
    f = forecast(days, [0.5, 1.0, 2.0], cumulative=True)  # half a unit every half month
    assert (f.value, f.lower, f.upper) == (pytest.approx(12.0),) * 3
    assert "(2 months)" in f.note


def test_calendar_year_organisation():
    cal = FinancialCalendar(1)
    periods = month_range(P("2014-01"), P("2014-03"), cal)
    f = forecast_year_end(
        periods, [1, 2, 3], calendar=cal, as_at=periods[-1], year_end_target=None, polarity=HIGHER
    )
    assert f.value == pytest.approx(12.0)
    assert f.year_end.label == "2014"


def test_bad_arguments():
    ms = months("2013-04", "2013-06")
    with pytest.raises(ValueError, match="result"):
        forecast(ms, [1, 2, 3], method="actual")
    with pytest.raises(ValueError, match="bogus"):
        forecast(ms, [1, 2, 3], method="bogus")
    with pytest.raises(ValueError, match="3 periods but 2 values"):
        forecast(ms, [1, 2])
    with pytest.raises(ValueError, match="same period"):
        forecast([ms[0], ms[1], ms[1]], [1, 2, 3])


# --- rating the forecast --------------------------------------------------------------------

LINE = (months("2013-04", "2013-09"), [50, 51, 52, 53, 54, 55])  # forecast 61


@pytest.mark.parametrize(
    ("polarity", "target", "rating"),
    [
        (HIGHER, 60, Rating.GREEN),
        (HIGHER, 61, Rating.GREEN),
        (HIGHER, 65, Rating.AMBER),  # floor 58.5
        (HIGHER, 80, Rating.RED),
        (LOWER, 61, Rating.GREEN),
        (LOWER, 56, Rating.AMBER),  # floor 61.6
        (LOWER, 50, Rating.RED),
        (CLOSE, 62, Rating.GREEN),  # within 5%
        (CLOSE, 70, Rating.AMBER),  # 9 away, within 15% (10.5)
        (CLOSE, 80, Rating.RED),
        (HIGHER, None, Rating.NO_TARGET),
        (HIGHER, math.nan, Rating.NO_TARGET),
    ],
)
def test_forecast_rating_by_polarity(polarity, target, rating):
    f = forecast(*LINE, polarity=polarity, year_end_target=target)
    assert f.rating is rating


def test_forecast_rating_uses_the_rule():
    f = forecast(*LINE, year_end_target=65, rule=RuleVersion(amber=None))
    assert f.rating is Rating.RED
    f = forecast(*LINE, year_end_target=65, rule=RuleVersion(amber=Band(5, relative=False)))
    assert f.rating is Rating.AMBER


def test_describe_with_range_and_target():
    f = forecast(*LINE, year_end_target=80)
    f = replace(f, value=71.0, lower=66.0, upper=74.0, rating=Rating.RED)
    assert f.describe(pct) == "Forecast year-end 71% (range 66%–74%) against a target of 80%: RED"


def test_describe_degenerate_range_is_not_printed():
    f = forecast(*LINE, year_end_target=60)
    assert f.describe(pct) == "Forecast year-end 61% against a target of 60%: GREEN"
    narrow = replace(f, lower=60.9, upper=61.1)
    assert narrow.describe(pct) == f.describe(pct)  # 61%–61% would say nothing
    assert "(range 60.9–61.1)" in narrow.describe(lambda v: f"{v:.1f}")


# --- ranges always contain the forecast -----------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=11),
    cumulative=st.booleans(),
)
def test_range_contains_the_forecast(values, cumulative):
    periods = months("2013-04", "2014-02")[: len(values)]
    if cumulative:
        values = list(np.cumsum(np.abs(values)))
    f = forecast(periods, values, cumulative=cumulative)
    if f is None:
        assert not cumulative and len(values) == 1
        return
    assert f.points_used == len(values)
    if f.has_range:
        assert f.lower <= f.value <= f.upper
    else:
        assert len(values) == (1 if cumulative else 2)


# --- year_end_target_for --------------------------------------------------------------------


def test_explicit_year_end_target_wins():
    targets = {UK.year(2013): 70.0, P("2014-03"): 72.0}
    assert year_end_target_for(targets, {2013: 75.0}, 2013, UK) == 75.0


def test_explicit_target_for_another_year_is_ignored():
    assert year_end_target_for({P("2014-03"): 72.0}, {2012: 75.0}, 2013, UK) == 72.0


def test_missing_explicit_target_falls_through():
    assert year_end_target_for({P("2014-03"): 72.0}, {2013: math.nan}, 2013, UK) == 72.0


def test_year_target_before_quarter_before_month():
    year, q4, march = UK.year(2013), UK.quarter(2013, 4), P("2014-03")
    assert year_end_target_for({march: 1.0, q4: 2.0, year: 3.0}, {}, 2013, UK) == 3.0
    assert year_end_target_for({march: 1.0, q4: 2.0}, {}, 2013, UK) == 2.0
    assert year_end_target_for({march: 1.0}, {}, 2013, UK) == 1.0
    assert year_end_target_for({march: math.nan, q4: None}, {}, 2013, UK) is None


def test_targets_not_ending_on_the_year_end_do_not_count():
    targets = {P("2014-02"): 5.0, UK.quarter(2013, 3): 6.0, P("2013-03"): 7.0, UK.year(2012): 8.0}
    assert year_end_target_for(targets, {}, 2013, UK) is None


def test_year_end_target_for_a_calendar_year():
    cal = FinancialCalendar(1)
    assert year_end_target_for({cal.month(2014, 12): 9.0}, {}, 2014, cal) == 9.0
