import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.core.aggregate import (
    check_months,
    derive,
    rolling,
    rolling_ratio,
    year_to_date,
    year_to_date_ratio,
)
from kpiboard.core.periods import UK, FinancialCalendar, month_range

NAN = np.nan
P = UK.parse


def months(first, last):
    return month_range(P(first), P(last))


def assert_same(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, equal_nan=True)


# --- rolling ----------------------------------------------------------------------------------


def test_rolling_sum_window_3_gives_nan_then_sums():
    assert_same(rolling([1, 2, 3, 4, 5], 3), [NAN, NAN, 6, 9, 12])


def test_rolling_mean_window_3_gives_means():
    assert_same(rolling([1, 2, 3, 4, 5], 3, "mean"), [NAN, NAN, 2, 3, 4])


def test_rolling_default_window_12_first_eleven_nan():
    out = rolling(np.ones(14))
    assert np.isnan(out[:11]).all()
    assert_same(out[11:], [12, 12, 12])


def test_rolling_missing_month_voids_every_window_containing_it():
    assert_same(rolling([1, 2, NAN, 4, 5, 6], 3), [NAN, NAN, NAN, NAN, NAN, 15])


def test_rolling_series_shorter_than_window_gives_all_nan():
    assert np.isnan(rolling([1.0, 2.0], 3)).all()


def test_rolling_2d_works_row_by_row():
    grid = np.array([[1, 2, 3, 4], [10, 20, NAN, 40]], float)
    assert_same(rolling(grid, 2), [[NAN, 3, 5, 7], [NAN, 30, NAN, NAN]])


def test_rolling_window_1_gives_values():
    assert_same(rolling([1, NAN, 3], 1), [1, NAN, 3])


@pytest.mark.parametrize("window", [0, -1, 2.5, True])
def test_rolling_bad_window_raises(window):
    with pytest.raises(ValueError, match="window"):
        rolling([1.0, 2.0], window)


def test_rolling_bad_how_raises():
    with pytest.raises(ValueError, match="how"):
        rolling([1.0, 2.0], 2, "median")


def test_rolling_scalar_input_raises():
    with pytest.raises(ValueError, match="at least one axis"):
        rolling(3.0, 1)


# --- rolling ratio ----------------------------------------------------------------------------


def test_rolling_ratio_sums_then_divides():
    # (1 + 3) / (2 + 2) and (3 + 1) / (2 + 8): volumes weight the months.
    assert_same(rolling_ratio([1, 3, 1], [2, 2, 8], 2, 100), [NAN, 100, 40])


def test_rolling_ratio_zero_denominator_gives_nan():
    assert_same(rolling_ratio([0, 0, 1], [0, 0, 1], 2), [NAN, NAN, 1])


def test_rolling_ratio_missing_numerator_or_denominator_gives_nan():
    assert_same(rolling_ratio([1, NAN, 1, 1], [1, 1, 1, NAN], 2), [NAN, NAN, NAN, NAN])


def test_rolling_ratio_2d_gives_row_ratios():
    num = np.array([[1, 1, 1], [2, 2, 2]], float)
    den = np.array([[2, 2, 2], [4, 0, 4]], float)
    assert_same(rolling_ratio(num, den, 2), [[NAN, 0.5, 0.5], [NAN, 1, 1]])


def test_rolling_ratio_shape_mismatch_raises():
    with pytest.raises(ValueError, match="shape"):
        rolling_ratio([1, 2, 3], [1, 2], 2)


# --- year to date -----------------------------------------------------------------------------


def test_year_to_date_sum_resets_in_april():
    covered = months("2013-02", "2013-06")
    # Feb and Mar 2013 belong to 2012/13, whose earlier months are not in the data.
    assert_same(year_to_date([5, 5, 1, 2, 3], covered), [NAN, NAN, 1, 3, 6])


def test_year_to_date_sum_full_year_then_reset():
    covered = months("2013-04", "2014-05")
    out = year_to_date(np.arange(1.0, 15.0), covered)
    assert out[11] == sum(range(1, 13))  # March 2014: the whole year
    assert_same(out[12:], [13, 27])  # April restarts


def test_year_to_date_mean_divides_by_months_so_far():
    assert_same(year_to_date([2, 4, 6], months("2013-04", "2013-06"), "mean"), [2, 3, 4])


def test_year_to_date_missing_month_voids_rest_of_that_year_only():
    covered = months("2014-02", "2014-05")
    assert_same(year_to_date([1, NAN, 1, 1], covered), [NAN, NAN, 1, 2])
    covered = months("2013-04", "2013-07")
    assert_same(year_to_date([1, NAN, 1, 1], covered), [1, NAN, NAN, NAN])


def test_year_to_date_january_calendar_resets_in_january():
    jan = FinancialCalendar(1)
    covered = months("2013-11", "2014-02")
    out = year_to_date([1, 1, 1, 1], covered, calendar=jan)
    assert_same(out, [NAN, NAN, 1, 2])


def test_year_to_date_july_calendar_resets_in_july():
    jul = FinancialCalendar(7)
    covered = months("2013-07", "2013-09")
    assert_same(year_to_date([1, 1, 1], covered, calendar=jul), [1, 2, 3])


def test_year_to_date_2d_gives_each_row():
    covered = months("2013-03", "2013-05")
    grid = np.array([[9, 1, 1], [9, 2, NAN]], float)
    assert_same(year_to_date(grid, covered), [[NAN, 1, 2], [NAN, 2, NAN]])


def test_year_to_date_empty_gives_empty():
    assert year_to_date(np.zeros(0), []).shape == (0,)


def test_year_to_date_ratio_cumulates_both_then_divides():
    covered = months("2013-04", "2013-06")
    out = year_to_date_ratio([1, 3, 0], [2, 2, 4], covered, scale=100)
    assert_same(out, [50, 100, 50])


def test_year_to_date_ratio_zero_denominator_gives_nan():
    covered = months("2013-04", "2013-05")
    assert_same(year_to_date_ratio([0, 1], [0, 2], covered), [NAN, 0.5])


def test_year_to_date_ratio_shape_mismatch_raises():
    with pytest.raises(ValueError, match="shape"):
        year_to_date_ratio([1, 2], [1], months("2013-04", "2013-05"))


# --- month checks -----------------------------------------------------------------------------


def test_year_to_date_gap_in_months_raises_naming_months():
    covered = [P("2013-04"), P("2013-06")]
    with pytest.raises(ValueError, match="consecutive: 2013-06 follows 2013-04"):
        year_to_date([1, 1], covered)


def test_year_to_date_quarter_in_months_raises():
    with pytest.raises(ValueError, match=r"months\[1\] is 2013/14 Q1, not a month"):
        year_to_date([1, 1], [P("2013-03"), P("2013/14 Q1")])


def test_year_to_date_months_wrong_length_raises():
    with pytest.raises(ValueError, match="2 months given for 3 values"):
        year_to_date([1, 1, 1], months("2013-04", "2013-05"))


def test_year_to_date_months_out_of_order_raises():
    with pytest.raises(ValueError, match="consecutive"):
        year_to_date([1, 1], [P("2013-05"), P("2013-04")])


def test_check_months_across_year_end_passes():
    check_months(months("2013-11", "2014-02"), 4)


# --- derive -----------------------------------------------------------------------------------


COVERED = months("2013-04", "2014-06")
SERIES = {
    "seen": np.arange(1.0, 16.0),
    "all": np.full(15, 10.0),
}


def test_derive_rolling_12_ratio_gives_percentage():
    out = derive("rolling_12", "ratio", COVERED, SERIES, "seen", "all", scale=100)
    assert_same(out, rolling_ratio(SERIES["seen"], SERIES["all"], 12, 100))
    assert out[11] == pytest.approx(78 / 120 * 100)


def test_derive_year_to_date_ratio_matches_function():
    out = derive("year_to_date", "ratio", COVERED, SERIES, numerator="seen", denominator="all")
    assert_same(out, year_to_date_ratio(SERIES["seen"], SERIES["all"], COVERED))


@pytest.mark.parametrize("how", ["sum", "mean"])
def test_derive_rolling_12_sum_or_mean_reads_source(how):
    out = derive("rolling_12", how, COVERED, SERIES, source="seen")
    assert_same(out, rolling(SERIES["seen"], 12, how))


@pytest.mark.parametrize("how", ["sum", "mean"])
def test_derive_year_to_date_sum_or_mean_reads_source(how):
    out = derive("year_to_date", how, COVERED, SERIES, source="seen")
    assert_same(out, year_to_date(SERIES["seen"], COVERED, how))


def test_derive_scale_applies_to_sum():
    out = derive("year_to_date", "sum", COVERED, SERIES, source="all", scale=0.5)
    assert out[2] == 15.0


def test_derive_calendar_passed_to_year_to_date():
    out = derive(
        "year_to_date", "sum", COVERED, SERIES, source="all", calendar=FinancialCalendar(7)
    )
    assert np.isnan(out[2]) and out[3] == 10.0  # July 2013 starts the year


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "rolling_6", "how": "sum", "source": "seen"}, "method must be one of"),
        ({"method": "rolling_12", "how": "median", "source": "seen"}, "how must be one of"),
        ({"method": "rolling_12", "how": "sum"}, "needs a source series"),
        ({"method": "rolling_12", "how": "ratio", "numerator": "seen"}, "needs a denominator"),
        ({"method": "rolling_12", "how": "sum", "source": "nope"}, "'nope' has no data"),
        (
            {"method": "year_to_date", "how": "ratio", "source": "seen"},
            "takes numerator and denominator, not source",
        ),
        (
            {"method": "year_to_date", "how": "mean", "source": "seen", "numerator": "all"},
            "takes source",
        ),
    ],
)
def test_derive_bad_block_raises_naming_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        derive(months=COVERED, series=SERIES, **kwargs)


@pytest.mark.parametrize("how", ["sum", "mean"])
def test_derive_period_sum_or_mean_raises_saying_give_the_actual(how):
    with pytest.raises(ValueError, match=f"how: {how} of one series over one period is the series"):
        derive("period", how, COVERED, SERIES, source="seen")


def test_derive_period_ratio_divides_each_period_any_kind():
    quarters = [P("2013/14 Q1"), P("2013/14 Q2"), P("2013/14 Q3")]
    falls = {"falls": np.array([12.0, 9.0, 4.0]), "bed_days": np.array([2000.0, 0.0, NAN])}
    out = derive("period", "ratio", quarters, falls, "falls", "bed_days", scale=1000)
    assert_same(out, np.array([6.0, NAN, NAN]))  # no rate over zero or missing bed days


def test_derive_rolling_non_consecutive_months_raises():
    gappy = [*COVERED[:5], *COVERED[6:], P("2014-07")]
    with pytest.raises(ValueError, match="consecutive"):
        derive("rolling_12", "sum", gappy, SERIES, source="seen")


# --- against a plain loop ---------------------------------------------------------------------

values_or_gaps = st.lists(
    st.one_of(st.just(NAN), st.floats(-1e3, 1e3), st.integers(0, 50).map(float)),
    min_size=0,
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(values_or_gaps, st.integers(1, 6), st.integers(2011, 2014), st.integers(1, 12))
def test_rolling_and_year_to_date_random_series_equal_plain_loop(values, window, year, month):
    # Three years from the start always covers the 30 values at most.
    covered = month_range(UK.month(year, month), UK.month(year + 3, 12))[: len(values)]
    assert len(covered) == len(values)
    expected_rolling, expected_ytd = [], []
    for t in range(len(values)):
        span = values[t - window + 1 : t + 1] if t >= window - 1 else [NAN]
        expected_rolling.append(sum(span) if not np.isnan(span).any() else NAN)
        year_start = next(
            s for s in range(t, -2, -1) if s < 0 or covered[s].start.month == UK.start_month
        )
        so_far = values[year_start : t + 1] if year_start >= 0 else [NAN]
        expected_ytd.append(sum(so_far) if not np.isnan(so_far).any() else NAN)
    np.testing.assert_allclose(rolling(values, window), expected_rolling, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(
        year_to_date(values, covered), expected_ytd, atol=1e-9, equal_nan=True
    )
