"""Drafted commentary: deterministic sentences from the results, checked word for word."""

from __future__ import annotations

import numpy as np

from kpiboard.core.analysis import analyse
from kpiboard.core.direction import Direction
from kpiboard.core.draft import draft_commentary, when
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import (
    Accumulation,
    Indicator,
    IndicatorData,
    IndicatorKind,
    SpcOptions,
)
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import Polarity
from kpiboard.core.units import Unit, UnitKind

PERCENT = Unit(UnitKind.PERCENT, 0)


def monthly(first: str, actual, target=None, **extra) -> IndicatorData:
    months = month_range(UK.parse(first), UK.parse("2099-12"))[: len(actual)]
    values = {"actual": np.array(actual, float)}
    if target is not None:
        values["target"] = np.array(target, float)
    values.update({k: np.array(v, float) for k, v in extra.items()})
    return IndicatorData(tuple(months), values)


def draft(indicator: Indicator, data: IndicatorData, as_at: str) -> str:
    result = evaluate_indicator(indicator, data, as_at=UK.parse(as_at))
    return draft_commentary(analyse(result))


def test_when_reads_each_period_kind():
    assert when(UK.parse("2013-09")) == "September 2013"
    assert when(UK.parse("2013/14 Q1")) == "the quarter to June 2013"
    assert when(UK.parse("2012/13")) == "2012/13"
    assert when(UK.parse("2013-09-30")) == "30 September 2013"


def test_draft_amber_behind_target_two_months_matches_issue_example():
    ind = Indicator("A1", "Personal budgets", unit=PERCENT, forecast=None)
    data = monthly("2013-07", [78, 74, 73], [75, 78, 80])
    assert draft(ind, data, "2013-09") == (
        "73% in September 2013, down from 74% in August 2013. "
        "7 percentage points below the 80% target (Amber), within the floor of 72%. "
        "It has been behind target for 2 months running."
    )


def test_draft_lower_is_better_red_beyond_floor_fell_behind_this_month():
    ind = Indicator("A2", "Admissions", unit=Unit(UnitKind.COUNT), polarity=Polarity.LOWER)
    data = monthly("2013-03", [120, 152], [130, 130])
    assert draft(ind, data, "2013-04") == (
        "152 in April 2013, up from 120 in March 2013. "
        "22 above the 130 target (Red), beyond the floor of 143. "
        "It fell behind target this month."
    )


def test_draft_green_streak_and_no_previous():
    ind = Indicator("A3", "Telecare", unit=Unit(UnitKind.COUNT))
    first = draft(ind, monthly("2013-09", [2276], [1750]), "2013-09")
    assert (
        first
        == "2,276 in September 2013, the first figure reported. 526 above the 1,750 target (Green)."
    )
    streak = draft(ind, monthly("2013-07", [2051, 2130, 2130], [1600, 1675, 1750]), "2013-09")
    assert streak.startswith("2,130 in September 2013, unchanged from August 2013.")
    assert streak.endswith("It has met the target for 3 months running.")


def test_draft_close_to_target_says_distance():
    ind = Indicator("A4", "Repeat plans", unit=Unit(UnitKind.PERCENT, 1), polarity=Polarity.CLOSE)
    text = draft(ind, monthly("2013-08", [10.9, 9.7], [10, 10]), "2013-09")
    assert "0.3 percentage points from the 10% target (Green)." in text


def test_draft_not_rated_and_lead_indicator_range():
    not_rated = Indicator("A5", "Direct payments", unit=PERCENT, rated=False)
    assert draft(not_rated, monthly("2013-09", [25]), "2013-09").endswith(
        "This indicator is not rated against a target."
    )
    lead = Indicator(
        "L1", "Referrals", kind=IndicatorKind.LEAD, unit=Unit(UnitKind.COUNT), rated=False
    )
    data = monthly("2013-08", [99, 104], lower=[50, 50], upper=[100, 100])
    assert draft(lead, data, "2013-09").endswith("This is above the expected range (50 to 100).")


def test_draft_spc_common_cause_and_assurance_pass():
    ind = Indicator(
        "A6", "Settled accommodation", unit=PERCENT, spc=SpcOptions("increase"), forecast=None
    )
    values = [85, 84, 86, 85, 84, 86, 85, 84, 86, 85, 84, 86, 85, 84, 86, 85]
    data = monthly("2012-06", values, [75] * len(values))
    text = draft(ind, data, "2013-09")
    assert "No special cause variation: the change is within normal variation." in text
    assert "On current variation the target will be met consistently." in text
    assert "15 or more are advised" not in text


def test_draft_spc_short_series_says_so():
    ind = Indicator("A7", "Short", unit=PERCENT, spc=SpcOptions("increase"), forecast=None)
    data = monthly("2013-01", [70, 71, 70, 72, 71], [60] * 5)
    assert draft(ind, data, "2013-05").endswith(
        "(The chart rests on 5 points; 15 or more are advised.)"
    )


def test_draft_forecast_sentence_for_year_end_target():
    ind = Indicator("A8", "Contacts resolved", unit=PERCENT, year_end_targets=((2013, 35.0),))
    data = monthly("2013-04", [25, 26, 27, 28, 29, 30], [25] * 6)
    text = draft(ind, data, "2013-09")
    assert "At this rate the year-end target of 35% will be met (forecast 36%)." in text


def test_draft_no_figure_is_empty():
    ind = Indicator("A9", "Nothing yet", unit=PERCENT)
    assert draft(ind, monthly("2013-09", [np.nan], [80]), "2013-09") == ""


def test_draft_year_to_date_compares_with_the_same_month_last_year_as_the_arrow_does():
    # Cases so far this year (lower is better): 12 by September 2012, 6 by September 2013.
    ind = Indicator(
        "A5",
        "MRSA cases, year to date",
        unit=Unit(UnitKind.COUNT),
        polarity=Polarity.LOWER,
        accumulation_declared=Accumulation.YEAR_TO_DATE,
        forecast=None,
    )
    data = monthly("2012-04", [2.0 * m for m in range(1, 13)] + [1.0 * m for m in range(1, 7)])
    result = evaluate_indicator(ind, data, as_at=UK.parse("2013-09"))
    assert result.latest.direction is Direction.IMPROVED
    assert draft_commentary(analyse(result)) == (
        "6 in September 2013, down from 12 in September 2012, a year earlier."
    )


def test_draft_year_to_date_without_last_years_figure_says_so():
    ind = Indicator("A6", "Cases", accumulation_declared=Accumulation.YEAR_TO_DATE)
    text = draft(ind, monthly("2013-04", [1, 2, 3]), "2013-06")
    assert text == "3 in June 2013; there is no figure for June 2012 to compare it with."
