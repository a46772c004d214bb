"""Year-end outturns and forecasts by aggregation (sum, last, ratio), worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpiboard.core.aggregate import derive
from kpiboard.core.analysis import analyse
from kpiboard.core.direction import Basis
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.forecast import ForecastMethod
from kpiboard.core.indicators import (
    Accumulation,
    Aggregation,
    Derivation,
    ForecastOptions,
    Indicator,
    IndicatorData,
)
from kpiboard.core.outturn import running_totals, year_total
from kpiboard.core.periods import UK, FinancialCalendar, month_range
from kpiboard.core.rating import Polarity, Rating
from kpiboard.core.units import Unit, UnitKind

P = UK.parse
NAN = math.nan
COUNT = Unit(UnitKind.COUNT)
YEAR_2013 = month_range(P("2013-04"), P("2014-03"))


def data(months, **series) -> IndicatorData:
    return IndicatorData(tuple(months), {k: np.array(v, float) for k, v in series.items()})


def mrsa(**fields) -> Indicator:
    return Indicator(
        "MRSA", "MRSA bacteraemia cases", unit=COUNT, polarity=Polarity.LOWER, **fields
    )


# --- defaults ---------------------------------------------------------------------------------

RATIO_PERIOD = Derivation("period", "ratio", numerator="falls", denominator="bed_days", scale=1000)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"unit": COUNT}, Aggregation.SUM),
        ({"unit": COUNT, "frequency": "quarter"}, Aggregation.SUM),
        ({"unit": COUNT, "frequency": "irregular"}, Aggregation.LAST),
        ({"unit": COUNT, "frequency": "year"}, Aggregation.LAST),
        ({"unit": Unit(UnitKind.PERCENT)}, Aggregation.LAST),
        ({"unit": Unit(UnitKind.RATE)}, Aggregation.LAST),
        ({"unit": COUNT, "forecast": ForecastOptions(cumulative=True)}, Aggregation.LAST),
        ({"unit": COUNT, "accumulation_declared": Accumulation.ROLLING_12}, Aggregation.LAST),
        ({"unit": COUNT, "derive": Derivation("year_to_date", "sum", "x")}, Aggregation.LAST),
        ({"unit": Unit(UnitKind.RATE), "derive": RATIO_PERIOD}, Aggregation.RATIO),
        ({"derive": Derivation("rolling_12", "ratio", numerator="a", denominator="b")}, "last"),
        ({"unit": COUNT, "aggregation_declared": Aggregation.LAST}, Aggregation.LAST),
    ],
)
def test_aggregation_default_follows_unit_accumulation_and_derive(fields, expected):
    assert Indicator("X", "X", **fields).aggregation == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, Basis.PREVIOUS),
        ({"forecast": ForecastOptions(cumulative=True)}, Basis.YEAR_AGO),
        ({"accumulation_declared": Accumulation.YEAR_TO_DATE}, Basis.YEAR_AGO),
        ({"derive": Derivation("year_to_date", "mean", "x")}, Basis.YEAR_AGO),
        ({"accumulation_declared": Accumulation.ROLLING_12}, Basis.PREVIOUS),
        (
            {
                "accumulation_declared": Accumulation.YEAR_TO_DATE,
                "direction_basis_declared": Basis.PREVIOUS,
            },
            Basis.PREVIOUS,
        ),
    ],
)
def test_direction_basis_default_is_year_ago_for_year_to_date_only(fields, expected):
    assert Indicator("X", "X", **fields).direction_basis is expected


# --- sum --------------------------------------------------------------------------------------


def one_case_in_november(march=0.0):
    cases = [0.0] * 12
    cases[7] = 1.0  # November 2013
    cases[11] = march
    return data(YEAR_2013, actual=cases, target=[0.0] * 12)


def test_mrsa_one_case_in_november_outturn_is_one_not_march_zero():
    result = evaluate_indicator(mrsa(), one_case_in_november())
    outturn = result.outturn(2013)
    assert (outturn.period, outturn.actual, outturn.aggregation) == (
        P("2013/14"),
        1.0,
        Aggregation.SUM,
    )


def test_mrsa_one_case_in_november_year_end_is_not_green_against_zero():
    result = evaluate_indicator(mrsa(), one_case_in_november(), as_at=P("2014-03"))
    forecast = analyse(result).forecast
    assert forecast.method is ForecastMethod.ACTUAL
    assert (forecast.value, forecast.target) == (1.0, 0.0)
    assert forecast.rating is Rating.RED  # no Amber band around a zero target


def test_last_aggregation_keeps_the_march_figure():
    result = evaluate_indicator(mrsa(aggregation_declared=Aggregation.LAST), one_case_in_november())
    assert (result.outturn(2013).period, result.outturn(2013).actual) == (P("2014-03"), 0.0)


def test_sum_missing_month_gives_no_outturn():
    figures = one_case_in_november()
    figures.values["actual"][4] = NAN  # no return for August
    assert evaluate_indicator(mrsa(), figures).outturn(2013) is None


def test_sum_year_figure_wins_over_months():
    months = [*YEAR_2013, P("2013/14")]
    figures = data(months, actual=[1.0] * 12 + [10.0])
    outturn = evaluate_indicator(mrsa(), figures).outturn(2013)
    assert (outturn.period, outturn.actual) == (P("2013/14"), 10.0)


def test_sum_quarterly_counts_add_four_quarters():
    quarters = [P(f"2012/13 Q{q}") for q in (1, 2, 3, 4)] + [P("2013/14 Q1")]
    figures = data(quarters, actual=[3, 4, 5, 6, 7])
    result = evaluate_indicator(mrsa(frequency="quarter"), figures)
    assert result.outturn(2012).actual == 18.0
    assert result.outturn(2013) is None  # three quarters to come


def test_running_totals_restart_each_year_and_stop_at_a_gap():
    months = month_range(P("2013-02"), P("2013-07"))
    totals = running_totals(months, [1, 2, 3, NAN, 5, 6], UK)
    # Feb, Mar: the year began before the data (NaN); April restarts; June is missing.
    assert np.array_equal(totals, [NAN, NAN, 3, NAN, NAN, NAN], equal_nan=True)


def test_year_total_july_calendar():
    july = FinancialCalendar(7)
    months = month_range(july.parse("2013-07"), july.parse("2014-06"), july)
    assert year_total(months, [2.0] * 12, 2013, july) == 24.0


def test_sum_forecast_is_the_run_rate_of_the_total():
    # Apr-Sep cases 2, 1, 0, 3, 1, 2: 9 in 6 months -> 18 for the year; target 1 a month -> 12.
    months = month_range(P("2013-04"), P("2013-09"))
    figures = IndicatorData.from_points(
        {
            "actual": dict(zip(months, [2.0, 1, 0, 3, 1, 2], strict=True)),
            "target": dict.fromkeys(YEAR_2013, 1.0),
        }
    )
    forecast = analyse(evaluate_indicator(mrsa(), figures, as_at=P("2013-09"))).forecast
    assert forecast.method is ForecastMethod.RUN_RATE
    assert (forecast.value, forecast.target) == (18.0, 12.0)
    assert forecast.rating is Rating.RED  # 18 is beyond the floor of 12 + 10%


def test_sum_target_year_end_explicit_wins():
    indicator = mrsa(year_end_targets=((2013, 3.0),))
    result = evaluate_indicator(indicator, one_case_in_november(), as_at=P("2014-03"))
    forecast = analyse(result).forecast
    assert forecast.target == 3.0
    assert forecast.rating is Rating.GREEN


# --- ratio ------------------------------------------------------------------------------------
# Falls per 1,000 bed days. April to February: 6 falls in 1,200 bed days each month (5.0);
# March: 18 falls in 1,800 bed days (10.0). The year: 84 falls in 15,000 bed days = 5.6, which is
# neither March's 10.0 nor the mean of the monthly rates (65 / 12 = 5.42).

FALLS = [6.0] * 11 + [18.0]
BED_DAYS = [1200.0] * 11 + [1800.0]


def falls_indicator(**fields) -> Indicator:
    return Indicator(
        "FALLS",
        "Falls per 1,000 bed days",
        unit=Unit(UnitKind.RATE, 1),
        polarity=Polarity.LOWER,
        derive=RATIO_PERIOD,
        **fields,
    )


def falls_data() -> IndicatorData:
    actual = derive(
        "period", "ratio", YEAR_2013, {"falls": FALLS, "bed_days": BED_DAYS}, "falls", "bed_days",
        scale=1000,
    )  # fmt: skip
    return data(YEAR_2013, actual=actual, falls=FALLS, bed_days=BED_DAYS, target=[6.0] * 12)


def test_period_ratio_is_each_months_falls_per_thousand_bed_days():
    assert list(falls_data().values["actual"]) == [5.0] * 11 + [10.0]


def test_ratio_outturn_is_the_years_falls_over_its_bed_days():
    outturn = evaluate_indicator(falls_indicator(), falls_data()).outturn(2013)
    assert (outturn.period, outturn.aggregation) == (P("2013/14"), Aggregation.RATIO)
    assert outturn.actual == pytest.approx(5.6)


def test_ratio_year_end_forecast_is_the_outturn_rated_against_the_march_target():
    result = evaluate_indicator(falls_indicator(), falls_data(), as_at=P("2014-03"))
    forecast = analyse(result).forecast
    assert forecast.method is ForecastMethod.ACTUAL
    assert forecast.value == pytest.approx(5.6)
    assert forecast.rating is Rating.GREEN  # 5.6 is below the target of 6.0; March alone is 10.0


def test_ratio_forecast_projects_the_year_to_date_ratio():
    # April 5.0, May 5.0 per 1,000: the year-to-date ratio is flat, so the line stays at 5.0.
    result = evaluate_indicator(falls_indicator(), falls_data(), as_at=P("2013-05"))
    forecast = analyse(result).forecast
    assert forecast.method is ForecastMethod.LINEAR
    assert forecast.value == pytest.approx(5.0)


def test_ratio_missing_denominator_month_gives_no_outturn():
    figures = falls_data()
    figures.values["bed_days"][3] = NAN
    assert evaluate_indicator(falls_indicator(), figures).outturn(2013) is None
