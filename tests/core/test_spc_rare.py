"""Rare events: events placed from monthly counts, t- and g-charts worked by hand, XmR withheld
where it does not suit, and SPC of the series beneath a running total."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from kpiboard.core.analysis import analyse
from kpiboard.core.draft import draft_commentary
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import (
    Derivation,
    Indicator,
    IndicatorData,
    SeriesDef,
    SpcChart,
    SpcOptions,
)
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import Polarity
from kpiboard.core.spc import Improvement, PointType, Signal, VariationIcon, describe_assurance
from kpiboard.core.spc_rare import (
    NO_ASSURANCE,
    g_chart,
    interval_improvement,
    place_events,
    rare_event_chart,
    t_chart,
    xmr_unsuitable,
)
from kpiboard.core.units import Unit, UnitKind

NAN = math.nan
COUNT = Unit(UnitKind.COUNT)


def spans(first: str, n: int) -> list[tuple[date, date]]:
    months = month_range(UK.parse(first), UK.parse("2099-12"))[:n]
    return [(p.start, p.end) for p in months]


def approx(values):
    return pytest.approx(values, rel=1e-9, nan_ok=True)


# --- placing events ----------------------------------------------------------------------------


def test_events_spread_evenly_within_their_month_and_gaps_across_a_missing_month_are_unknown():
    # Apr-13 (30 days) 1 event; May, Jun 0; Jul (31 days) 2; Aug no figure; Sep (30 days) 1.
    events = place_events(spans("2013-04", 6), [1, 0, 0, 2, None, 1])
    # Days after 1 April: Apr's one event at 30 x 1/2 = 15. July starts at 30 + 31 + 30 = 91;
    # its two events at 91 + 31 x 1/4 = 98.75 and 91 + 31 x 3/4 = 114.25. September starts at
    # 91 + 31 + 31 = 153; its event at 153 + 15 = 168.
    assert events.times == (15.0, 98.75, 114.25, 168.0)
    assert events.dates == (
        date(2013, 4, 16),
        date(2013, 7, 8),
        date(2013, 7, 24),
        date(2013, 9, 16),
    )
    assert events.period_index == (0, 3, 3, 5)
    # Gaps: none before the first; 98.75 - 15 = 83.75; 114.25 - 98.75 = 15.5; unknown across Aug.
    assert events.gaps == approx((NAN, 83.75, 15.5, NAN))
    # Still open at the end: 183 days to 30 September, less 168.
    assert events.open_interval == 15.0


def test_no_events_and_a_trailing_missing_month_leave_no_open_interval():
    assert place_events(spans("2013-04", 3), [0, 0, 0]).open_interval is None
    assert place_events(spans("2013-04", 3), [1, 0, None]).open_interval is None
    assert place_events([], []).times == ()


@pytest.mark.parametrize("bad", [2.5, -1])
def test_counts_must_be_whole_and_not_negative(bad):
    with pytest.raises(ValueError, match=r"Jun-13 has (2\.5|-1)"):
        place_events(spans("2013-04", 3), [1, 0, bad], ["Apr-13", "May-13", "Jun-13"])


def test_the_gaps_improve_the_other_way_from_the_count():
    assert interval_improvement("decrease") is Improvement.INCREASE
    assert interval_improvement("increase") is Improvement.DECREASE
    assert interval_improvement("neutral") is Improvement.NEUTRAL


# --- the t-chart, by hand ----------------------------------------------------------------------


def test_t_chart_hand_worked_transform_xmr_and_back():
    # Gaps chosen so that y = t^(1/3.6) is 2, 3, 2, 3, ... (14 of them), then 7.
    ys = [2.0, 3.0] * 7 + [7.0]
    gaps = [y**3.6 for y in ys]  # 12.13, 52.20, ... days; the last 7^3.6 = 1103 days
    r = t_chart(gaps, improvement="increase")
    # In y: mean (7 x 5 + 7) / 15 = 2.8. Moving ranges: thirteen of 1 and one of |7 - 3| = 4;
    # MR-bar 17/14 = 1.214, and 4 >= 3.267 x 1.214 = 3.967 is screened out: MR-bar 13/13 = 1.
    # Limits in y: 2.8 -/+ 2.66 = 0.14 and 5.46; back in days: 0.14^3.6 and 5.46^3.6.
    assert r.chart is SpcChart.T
    assert r.mean[-1] == pytest.approx(2.8**3.6, rel=1e-12)
    assert r.lower_limit[-1] == pytest.approx(0.14**3.6, rel=1e-9)
    assert r.upper_limit[-1] == pytest.approx(5.46**3.6, rel=1e-12)
    assert r.values.tolist() == approx(gaps)
    # 7 > 5.46 in y: outside the limits, high; longer gaps are better here.
    assert {i: s for i, s in enumerate(r.signal) if s} == {14: Signal.OUTSIDE_LIMITS}
    assert r.point_type[14] is PointType.IMPROVEMENT
    assert r.variation_icon is VariationIcon.IMPROVEMENT_HIGH
    assert r.assurance_icon is None


def test_t_chart_lower_limit_below_zero_in_y_is_zero_days():
    # y alternates 1 and 3: mean 2, MR-bar 2, lower limit 2 - 5.32 < 0 -> 0 days.
    r = t_chart([1.0, 3.0**3.6] * 8)
    assert r.lower_limit[-1] == 0.0
    assert r.mean[-1] == pytest.approx(2.0**3.6)


def test_t_chart_needs_gaps_above_zero():
    with pytest.raises(ValueError, match="greater than zero"):
        t_chart([3.0, 0.0, 4.0])


# --- the g-chart, by hand ----------------------------------------------------------------------


def test_g_chart_hand_worked_mean_limits_and_median_centre():
    gaps = [10.0, 30.0] * 7 + [170.0]
    r = g_chart(gaps, improvement="increase")
    # g-bar = (7 x 40 + 170) / 15 = 450 / 15 = 30; sd = sqrt(30 x 31) = sqrt(930) = 30.50.
    # Upper limit 30 + 3 x 30.50 = 121.49; near band from 30 + 2 x 30.50 = 90.99; no lower limit.
    # Centre line: the median of seven 10s, seven 30s and 170 is the 8th value, 30.
    sd = math.sqrt(930)
    assert r.upper_limit[-1] == pytest.approx(30 + 3 * sd, rel=1e-12)
    assert r.near_upper[-1] == pytest.approx(30 + 2 * sd, rel=1e-12)
    assert r.lower_limit[-1] == 0.0
    assert r.mean[-1] == 30.0
    # 170 > 121.49: outside, an improvement (a long gap). The 30s sit on the median, which
    # breaks every run, so there is no shift.
    assert {i: s for i, s in enumerate(r.signal) if s} == {14: Signal.OUTSIDE_LIMITS}
    assert r.variation_icon is VariationIcon.IMPROVEMENT_HIGH
    assert r.chart is SpcChart.G


def test_g_chart_runs_are_judged_against_the_median_not_the_mean():
    # Seven gaps of 5, eight of 9, then one of 70: the mean, 177 / 16 = 11.06, is above every
    # gap but 70, so against the mean the first fifteen would be a shift; against the median
    # ((9 + 9) / 2 = 9) the 9s sit on the line and only the seven 5s below it form a run.
    gaps = [5.0] * 7 + [9.0] * 8 + [70.0]
    r = g_chart(gaps, improvement="increase")
    assert r.mean[-1] == 9.0
    assert [i for i, s in enumerate(r.signal) if s is Signal.SHIFT] == list(range(7))
    assert r.point_type[0] is PointType.CONCERN  # short gaps between harmful events


def test_g_chart_with_fewer_than_two_gaps_has_no_limits_and_warns():
    r = g_chart([12.0])
    assert math.isnan(r.upper_limit[0])
    assert r.variation_icon is VariationIcon.COMMON_CAUSE
    assert any("fewer than 2 known gaps" in w for w in r.warnings)


def test_rare_event_chart_plots_one_point_per_event_after_the_first():
    events = place_events(spans("2013-04", 6), [1, 0, 0, 2, None, 1])
    chart, index = rare_event_chart(SpcChart.G, events, improvement="decrease")
    assert chart.values.tolist() == approx([83.75, 15.5, NAN])
    assert index == (3, 3, 5)
    assert chart.dates == events.dates[1:]
    assert chart.point_type[2] is PointType.MISSING
    assert chart.assurance_note == NO_ASSURANCE
    assert chart.open_interval == 15.0


# --- XmR on a rare-event count -----------------------------------------------------------------


def test_xmr_unsuitable_on_a_mostly_zero_count_and_fine_on_an_ordinary_one():
    reason = xmr_unsuitable([0.0] * 10 + [1.0] + [0.0] * 5)
    # Sixteen figures, fifteen changes: only the two either side of the 1 are not 0.
    assert "13 of the 15 changes from one figure to the next are 0" in reason
    assert "only 2 distinct values" in reason
    assert "spc: {chart: t}" in reason and "spc: {chart: g}" in reason
    assert xmr_unsuitable([3.0, 5.0, 4.0, 6.0, 2.0, 5.0, 4.0]) == ""
    assert xmr_unsuitable([0.0, 0.0]) == ""  # too few to judge


def monthly(first: str, **series) -> IndicatorData:
    n = len(next(iter(series.values())))
    months = month_range(UK.parse(first), UK.parse("2099-12"))[:n]
    return IndicatorData(tuple(months), {k: np.array(v, float) for k, v in series.items()})


MRSA = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]


def test_a_mostly_zero_series_gets_no_contradictory_icons_and_a_consistent_draft():
    ind = Indicator(
        "M1", "MRSA bacteraemia", unit=COUNT, polarity=Polarity.LOWER,
        spc=SpcOptions("decrease"), forecast=None, draft_commentary=True,
    )  # fmt: skip
    data = monthly("2012-04", actual=MRSA, target=[0] * len(MRSA))
    analysis = analyse(evaluate_indicator(ind, data, as_at=UK.parse("2013-09")))
    spc = analysis.spc
    # Before: every 0 was "special cause improvement" and assurance "fail" beside a Green.
    assert spc.variation_icon is None and spc.assurance_icon is None
    assert set(spc.point_type) == {PointType.NOT_ASSESSED}
    assert "t-chart" in spc.withheld and "g-chart" in spc.withheld
    assert np.isnan(spc.upper_limit).all()
    text = draft_commentary(analysis)
    assert "No SPC judgement is drawn: an XmR chart does not suit these figures" in text
    assert "Special cause" not in text and "will not be met" not in text


def test_a_t_chart_of_the_same_series_judges_the_gaps_and_says_assurance_does_not_apply():
    ind = Indicator(
        "M1", "MRSA bacteraemia", unit=COUNT, polarity=Polarity.LOWER,
        spc=SpcOptions("decrease", chart=SpcChart.T), forecast=None,
    )  # fmt: skip
    data = monthly("2012-04", actual=MRSA, target=[0] * len(MRSA))
    analysis = analyse(evaluate_indicator(ind, data, as_at=UK.parse("2013-09")))
    spc = analysis.spc
    # Events mid-July 2012 (day 15.5 of 31 from 1 July) and mid-March 2013 (15.5 of 31):
    # 1 Jul 2012 + 15.5 = day 15.5; 1 Mar 2013 is 243 days after 1 Jul 2012: 258.5. Gap 243.
    assert spc.values.tolist() == [243.0]
    assert [p.label for p in analysis.spc_periods] == ["2013-03"]
    assert spc.assurance_icon is None and spc.assurance_note == NO_ASSURANCE
    # Still open: 1 Mar to 30 Sep 2013 is 214 days, less 15.5.
    assert spc.open_interval == 214 - 15.5
    text = draft_commentary(analysis)
    assert "No special cause variation in the time between events." in text
    assert f"The chart gives no assurance against the target: {NO_ASSURANCE}." in text
    assert "199 days have passed since the latest event." in text  # 198.5 rounds half up
    assert "(The chart rests on 1 gaps between events; 15 or more are advised.)" in text
    assert describe_assurance(None, NO_ASSURANCE).endswith(f"({NO_ASSURANCE})")


def test_counts_that_are_not_whole_withhold_a_t_chart_with_the_reason():
    ind = Indicator("M2", "Falls", unit=COUNT, spc=SpcOptions("decrease", chart=SpcChart.G))
    data = monthly("2013-04", actual=[1, 0, 2.5, 1])
    spc = analyse(evaluate_indicator(ind, data, as_at=UK.parse("2013-07"))).spc
    assert spc.variation_icon is None
    assert "Jun-13 has 2.5" in spc.withheld
    assert len(spc.values) == 0


# --- SPC of the series beneath a running total ---------------------------------------------------


def test_spc_on_charts_the_monthly_series_beneath_a_year_to_date_figure():
    ind = Indicator(
        "C1", "C. difficile cases (year to date)", unit=COUNT, polarity=Polarity.LOWER,
        series=(SeriesDef("monthly", "Cases in the month"),),
        derive=Derivation("year_to_date", "sum", source="monthly"),
        spc=SpcOptions("decrease", on="monthly"), forecast=None,
    )  # fmt: skip
    cases = [3, 5, 4, 6, 2, 5, 4, 3, 5, 4, 6, 3, 4, 5, 3, 4, 5, 2]
    ytd = list(np.cumsum(cases[:12])) + list(np.cumsum(cases[12:]))  # from each April
    data = monthly(
        "2012-04", actual=ytd, monthly=cases, target=[4 * (i % 12 + 1) for i in range(18)]
    )
    analysis = analyse(evaluate_indicator(ind, data, as_at=UK.parse("2013-09")))
    assert analysis.result.latest.actual == sum(cases[12:])  # the year to date
    spc = analysis.spc
    assert spc.values.tolist() == cases  # the months, not the running total
    assert spc.mean[-1] == pytest.approx(sum(cases) / 18)
    assert spc.assurance_icon is None
    assert "not the monthly series charted" in spc.assurance_note


def test_a_rare_event_chart_without_a_target_says_nothing_of_assurance():
    ind = Indicator("N1", "Never events", unit=COUNT, spc=SpcOptions("decrease", chart=SpcChart.G))
    data = monthly("2012-04", actual=MRSA)
    spc = analyse(evaluate_indicator(ind, data, as_at=UK.parse("2013-09"))).spc
    assert spc.assurance_icon is None and spc.assurance_note == ""
