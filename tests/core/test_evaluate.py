import dataclasses
import math

import numpy as np
import pytest

from kpiboard.core.direction import Basis, Direction
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import (
    Accumulation,
    Indicator,
    IndicatorData,
    Override,
    SeriesDef,
    SeriesRole,
)
from kpiboard.core.periods import UK, FinancialCalendar
from kpiboard.core.rating import Band, Polarity, Rating, RuleVersion
from kpiboard.core.significance import BenchmarkOptions, Comparison
from kpiboard.core.units import Unit, UnitKind

P = UK.parse
NAN = math.nan


def make(actual, target=None, floor=None, **fields):
    """An indicator and its data from ``{label: value}`` dicts."""
    points = {"actual": {P(k): v for k, v in actual.items()}}
    if target is not None:
        points["target"] = {P(k): v for k, v in target.items()}
    if floor is not None:
        points["floor"] = {P(k): v for k, v in floor.items()}
    return Indicator(id="T01", title="Test", **fields), IndicatorData.from_points(points)


MONTHS = ("2013-06", "2013-07", "2013-08", "2013-09", "2013-10")


def monthly(values, target=80.0, **fields):
    actual = dict(zip(MONTHS, values, strict=True))
    return make(actual, dict.fromkeys(MONTHS, target), **fields)


# --- latest and previous ----------------------------------------------------------------------


def test_latest_without_as_at_gives_last_figure():
    result = evaluate_indicator(*monthly([70, 75, 80, 85, 90]))
    assert result.latest.period == P("2013-10")


def test_latest_respects_as_at_ignoring_later_figures():
    result = evaluate_indicator(*monthly([70, 75, 80, 85, 90]), as_at=P("2013-09"))
    assert (result.latest.period, result.latest.actual) == (P("2013-09"), 85.0)


def test_latest_skips_periods_without_figure():
    result = evaluate_indicator(*monthly([70, 75, 80, NAN, NAN]))
    assert result.latest.period == P("2013-08")


def test_latest_no_figures_gives_none():
    result = evaluate_indicator(*monthly([NAN] * 5))
    assert result.latest is None
    assert result.previous is None


def test_latest_as_at_before_all_figures_gives_none():
    assert evaluate_indicator(*monthly([70] * 5), as_at=P("2013-05")).latest is None


def test_latest_as_at_quarter_includes_its_last_month():
    result = evaluate_indicator(*monthly([70, 75, 80, 85, 90]), as_at=P("2013/14 Q2"))
    assert result.latest.period == P("2013-09")


def test_previous_gives_figure_before_latest_skipping_gaps():
    result = evaluate_indicator(*monthly([70, 75, NAN, 85, 90]), as_at=P("2013-09"))
    assert result.previous.period == P("2013-07")


def test_previous_single_figure_gives_none():
    assert evaluate_indicator(*monthly([NAN, NAN, NAN, NAN, 90])).previous is None


# --- outturn ----------------------------------------------------------------------------------
# A percentage's year is its last figure; sums and ratios are in test_outturn.py.


def percent(actual, **fields):
    return make(actual, unit=Unit(UnitKind.PERCENT), **fields)


def test_outturn_year_and_quarter_ending_same_day_gives_year():
    result = evaluate_indicator(*percent({"2012/13 Q4": 60.0, "2012/13": 65.0, "2013-03": 61.0}))
    outturn = result.outturn(2012)
    assert (outturn.period, outturn.actual) == (P("2012/13"), 65.0)


def test_outturn_without_year_figure_gives_last_point_of_year():
    result = evaluate_indicator(
        *percent({"2012/13 Q3": 58.0, "2012/13 Q4": 60.0, "2013/14 Q1": 62.0})
    )
    assert result.outturn(2012).period == P("2012/13 Q4")


def test_outturn_year_figure_missing_gives_quarter():
    result = evaluate_indicator(*percent({"2012/13 Q4": 60.0, "2012/13": NAN}))
    assert result.outturn(2012).period == P("2012/13 Q4")


def test_outturn_no_point_at_year_end_gives_none():
    assert evaluate_indicator(*percent({"2012/13 Q3": 58.0})).outturn(2012) is None


def test_outturn_july_calendar_uses_june_year_end():
    jul = FinancialCalendar(7)
    indicator, data = percent({"2013-06": 10.0, "2013-03": 9.0})
    result = evaluate_indicator(indicator, data, calendar=jul)
    assert result.outturn(2012).period == P("2013-06")


# --- ratings through the indicator ------------------------------------------------------------


def test_evaluate_ratings_follow_rule_and_missing_states():
    indicator, data = make(
        {"2013-06": 80.0, "2013-07": 72.0, "2013-08": 71.0, "2013-09": NAN, "2013-10": 70.0},
        {"2013-06": 80.0, "2013-07": 80.0, "2013-08": 80.0, "2013-09": 80.0},
    )
    result = evaluate_indicator(indicator, data)
    assert [r.rating for r in result.periods] == [
        Rating.GREEN,
        Rating.AMBER,
        Rating.RED,
        Rating.NO_DATA,
        Rating.NO_TARGET,
    ]


def test_evaluate_rule_chosen_by_financial_year_of_period():
    rules = (RuleVersion(amber=Band(0.1)), RuleVersion(from_year=2013, amber=None))
    indicator, data = make({"2013-03": 75.0, "2013-04": 75.0}, {"2013-03": 80.0, "2013-04": 80.0})
    indicator = Indicator(id="T01", title="Test", rules=rules)
    result = evaluate_indicator(indicator, data)
    assert [r.rating for r in result.periods] == [Rating.AMBER, Rating.RED]
    assert [r.rule for r in result.periods] == list(rules)


def test_evaluate_rule_year_follows_calendar_start_month():
    rules = (RuleVersion(amber=Band(0.1)), RuleVersion(from_year=2013, amber=None))
    indicator, data = make({"2013-04": 75.0, "2013-07": 75.0}, {"2013-04": 80.0, "2013-07": 80.0})
    indicator = Indicator(id="T01", title="Test", rules=rules)
    result = evaluate_indicator(indicator, data, calendar=FinancialCalendar(7))
    assert [r.rating for r in result.periods] == [Rating.AMBER, Rating.RED]


def test_evaluate_period_floor_wins_over_rule():
    indicator, data = make(
        {"2013-06": 8.5, "2013-07": 8.5},
        {"2013-06": 7.0, "2013-07": 7.0},
        floor={"2013-06": 9.0},
        polarity=Polarity.LOWER,
        rules=(RuleVersion(floor=8.0),),
    )
    result = evaluate_indicator(indicator, data)
    assert [(r.floor, r.rating) for r in result.periods] == [
        (9.0, Rating.AMBER),
        (None, Rating.RED),
    ]


def test_evaluate_not_rated_indicator_gives_not_rated_everywhere():
    result = evaluate_indicator(*monthly([70, NAN, 80, 85, 90], rated=False))
    assert {r.rating for r in result.periods} == {Rating.NOT_RATED}


# --- overrides --------------------------------------------------------------------------------


def test_override_replaces_rating_and_is_flagged():
    override = Override(P("2013-07"), Rating.AMBER, "Figure under review", "Head of Performance")
    result = evaluate_indicator(*monthly([70, 60, 80, 85, 90], overrides=(override,)))
    overridden = result.at(P("2013-07"))
    assert (overridden.computed, overridden.rating, overridden.overridden) == (
        Rating.RED,
        Rating.AMBER,
        True,
    )
    assert overridden.override.reason == "Figure under review"


def test_override_other_periods_not_flagged():
    override = Override(P("2013-07"), Rating.AMBER, "x", "y")
    result = evaluate_indicator(*monthly([70, 60, 80, 85, 90], overrides=(override,)))
    assert [r.overridden for r in result.periods] == [False, True, False, False, False]
    assert result.at(P("2013-06")).rating == result.at(P("2013-06")).computed


# --- direction of travel ----------------------------------------------------------------------


def test_direction_previous_basis_compares_with_period_before():
    result = evaluate_indicator(*monthly([70, 75, 75, 74, NAN]))
    assert [r.direction for r in result.periods] == [
        Direction.NOT_COMPARABLE,
        Direction.IMPROVED,
        Direction.NO_CHANGE,
        Direction.WORSENED,
        Direction.NOT_COMPARABLE,
    ]


def test_direction_previous_basis_gap_gives_not_comparable():
    result = evaluate_indicator(*monthly([70, NAN, 75, 76, 77]))
    assert result.at(P("2013-08")).direction is Direction.NOT_COMPARABLE


def test_direction_lower_polarity_falling_gives_improved():
    result = evaluate_indicator(*monthly([7, 6, 6, 6, 6], polarity=Polarity.LOWER))
    assert result.at(P("2013-07")).direction is Direction.IMPROVED


def test_direction_year_ago_basis_compares_with_same_period_last_year():
    indicator, data = make(
        {"2012-08": 80.0, "2012-09": 70.0, "2013-08": 75.0, "2013-09": 75.0},
        direction_basis_declared=Basis.YEAR_AGO,
    )
    result = evaluate_indicator(indicator, data)
    assert [r.direction for r in result.periods] == [
        Direction.NOT_COMPARABLE,
        Direction.NOT_COMPARABLE,
        Direction.WORSENED,
        Direction.IMPROVED,
    ]


def test_direction_year_ago_basis_quarter_compares_with_quarter():
    indicator, data = make(
        {"2012/13 Q2": 50.0, "2013-09": 10.0, "2013/14 Q2": 55.0},
        direction_basis_declared=Basis.YEAR_AGO,
    )
    result = evaluate_indicator(indicator, data)
    assert result.at(P("2013/14 Q2")).direction is Direction.IMPROVED


def test_direction_close_uses_each_periods_target():
    indicator, data = make(
        {"2013-06": 100.0, "2013-07": 100.0},
        {"2013-06": 110.0, "2013-07": 101.0},
        polarity=Polarity.CLOSE,
    )
    assert evaluate_indicator(indicator, data).periods[1].direction is Direction.IMPROVED


# --- access helpers ---------------------------------------------------------------------------


def test_at_unknown_period_gives_none():
    assert evaluate_indicator(*monthly([70] * 5)).at(P("2014-01")) is None


def test_series_value_gives_float_or_none():
    result = evaluate_indicator(*monthly([70, NAN, 80, 85, 90]))
    assert result.series_value("actual", P("2013-06")) == 70.0
    assert result.series_value("actual", P("2013-07")) is None
    assert result.series_value("target", P("2014-01")) is None
    assert result.series_value("missing", P("2013-06")) is None


def test_indicator_data_wrong_length_raises():
    with pytest.raises(ValueError, match="series 'actual'"):
        IndicatorData((P("2013-06"),), {"actual": np.array([1.0, 2.0])})


def test_indicator_data_from_points_sorts_union_of_periods():
    data = IndicatorData.from_points({"actual": {P("2013-07"): 1.0}, "target": {P("2013-06"): 2.0}})
    assert data.periods == (P("2013-06"), P("2013-07"))
    assert np.isnan(data.get("actual")[0])
    assert (data.has("target"), data.has("floor")) == (True, False)


def test_reported_is_every_period_with_a_figure_up_to_as_at_latest_first():
    ind, data = make({"2013-07": 1.0, "2013-08": NAN, "2013-09": 3.0, "2013-10": 4.0})
    result = evaluate_indicator(ind, data, calendar=UK, as_at=P("2013-09"))
    assert [r.period.label for r in result.reported] == ["2013-09", "2013-07"]
    assert result.latest is result.reported[0]


# --- rating by benchmark comparison -----------------------------------------------------------


def _hsmr(rate: bool, **fields):
    """An HSMR-like ratio (lower is better) against England = 100, four months."""
    months = ("2013-06", "2013-07", "2013-08", "2013-09")
    series = {
        "actual": [104.0, 112.0, 93.0, 99.0],
        "ci_lower": [97.0, 105.0, 88.0, NAN],  # Sep: no interval
        "ci_upper": [111.0, 119.0, 98.0, NAN],
        "england": [100.0, 100.0, 100.0, 100.0],
        "target": [95.0, 95.0, 95.0, 95.0],
    }
    points = {
        name: {P(m): v for m, v in zip(months, values, strict=True) if not math.isnan(v)}
        for name, values in series.items()
    }
    indicator = Indicator(
        id="HSMR",
        title="HSMR",
        polarity=Polarity.LOWER,
        series=(SeriesDef("england", "England", SeriesRole.COMPARATOR),),
        benchmark=BenchmarkOptions("england", 95.0, rate=rate),
        **fields,
    )
    return indicator, IndicatorData.from_points(points)


def test_rated_by_benchmark_comparison_not_target():
    result = evaluate_indicator(*_hsmr(rate=True))
    assert [r.comparison for r in result.periods] == [
        Comparison.SIMILAR,
        Comparison.WORSE,
        Comparison.BETTER,
        Comparison.NOT_COMPARED,
    ]
    # similar Amber, worse Red, better Green; a figure without an interval is No data
    assert [r.rating for r in result.periods] == [
        Rating.AMBER,
        Rating.RED,
        Rating.GREEN,
        Rating.NO_DATA,
    ]


def test_rated_by_benchmark_override_still_wins():
    override = Override(P("2013-07"), Rating.AMBER, "Coding review", "Medical Director")
    result = evaluate_indicator(*_hsmr(rate=True, overrides=(override,)))
    july = result.at(P("2013-07"))
    assert july.computed is Rating.RED and july.rating is Rating.AMBER


def test_benchmark_shown_only_keeps_target_rating():
    result = evaluate_indicator(*_hsmr(rate=False))
    assert result.at(P("2013-08")).comparison is Comparison.BETTER
    # against the target of 95 (Amber within 10%): 104 Amber, 112 Red, 93 Green, 99 Amber
    assert [r.rating for r in result.periods] == [
        Rating.AMBER,
        Rating.RED,
        Rating.GREEN,
        Rating.AMBER,
    ]


# --- direction on year-to-date figures ----------------------------------------------------------
# Year-to-date counts of cases (lower is better): 2 a month in 2012/13 (2, 4, ... 24), then a
# better year, 1 a month (1, 2, ... 6 by September), or a worse one, 3 a month.


def year_to_date_cases(per_month_2013):
    months = [f"2012-{m:02d}" for m in range(4, 13)] + ["2013-01", "2013-02", "2013-03"]
    actual = {m: 2.0 * (i + 1) for i, m in enumerate(months)}
    actual.update({f"2013-{m:02d}": per_month_2013 * (m - 3) for m in range(4, 10)})
    return make(
        actual,
        polarity=Polarity.LOWER,
        accumulation_declared=Accumulation.YEAR_TO_DATE,
    )


def test_direction_year_to_date_better_year_improves_every_month():
    result = evaluate_indicator(*year_to_date_cases(1.0))
    this_year = [r for r in result.periods if r.period >= P("2013-04")]
    # Against the month before, May to September "worsened" (the total grows) every month.
    assert [r.direction for r in this_year] == [Direction.IMPROVED] * 6
    assert [r.compared_with for r in this_year][-1] == P("2012-09")


def test_direction_year_to_date_worse_april_is_not_improved_by_the_reset():
    result = evaluate_indicator(*year_to_date_cases(3.0))
    # 3 in April 2013 against 2 in April 2012, not against 24 in March 2013.
    assert result.at(P("2013-04")).direction is Direction.WORSENED
    assert result.at(P("2013-04")).compared_with == P("2012-04")


def test_direction_year_to_date_declared_previous_basis_still_wins():
    indicator, data = year_to_date_cases(1.0)
    indicator = dataclasses.replace(indicator, direction_basis_declared=Basis.PREVIOUS)
    result = evaluate_indicator(indicator, data)
    assert result.at(P("2013-04")).direction is Direction.IMPROVED  # 1 after 24 in March
    assert result.at(P("2013-05")).direction is Direction.WORSENED
