"""The SPC chart of a page for a t-chart and a withheld XmR chart: what is drawn and said."""

from __future__ import annotations

import numpy as np

from kpiboard.core.analysis import analyse
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import Indicator, IndicatorData, SpcChart, SpcOptions
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import Polarity
from kpiboard.core.units import Unit, UnitKind
from kpiboard.report.spc_chart import render_spc_chart
from kpiboard.report.spc_text import days, spc_chart_for
from tests.report.svg_checks import NS, legend_texts, parse

COUNTS = [0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0]  # Apr-13 to Mar-14
RARE = [0] * 10 + [1, 0]


def analysis(chart: SpcChart, counts=COUNTS):
    ind = Indicator(
        "M1", "MRSA", unit=Unit(UnitKind.COUNT), polarity=Polarity.LOWER,
        spc=SpcOptions("decrease", chart=chart), forecast=None,
    )  # fmt: skip
    months = tuple(month_range(UK.parse("2013-04"), UK.parse("2014-03")))
    data = IndicatorData(
        months, {"actual": np.array(counts, float), "target": np.zeros(len(counts))}
    )
    return analyse(evaluate_indicator(ind, data, as_at=UK.parse("2014-03")))


def test_a_t_chart_plots_each_event_at_its_date_labelled_by_its_month():
    chart, explanation = spc_chart_for(analysis(SpcChart.T), "spc-m1")
    # Events: mid-May (15.5 days into its 31), July's two at 31 x 1/4 = 7.75 and 31 x 3/4 =
    # 23.25 days in (the 8th and 24th), mid-December (the 16th). The points are the three
    # events after the first. Still open at the end: 31 - 15.5 + 31 + 28 + 31 = 105.5 days.
    assert [p.display for p in chart.periods] == ["8 Jul 13", "24 Jul 13", "16 Dec 13"]
    assert chart.x_labels == ["Jul-13", "Jul-13", "Dec-13"]
    assert chart.values[1] == 15.5  # 31 x 3/4 - 31 x 1/4
    assert chart.tips[1] == "Event 3 (Jul-13): 16 days since the event before"
    assert chart.title == "MRSA: t-chart of the days between events"
    assert chart.description.startswith("T-chart of the days between events: 3 gaps, for events")
    assert "106 days have passed since the latest event (Dec-13), to the end of Mar-14." in (
        chart.description
    )
    assert "Each point is one event" in explanation
    svg = render_spc_chart(chart)
    root = parse(svg)
    assert root.find(f"{NS}title").text == chart.title
    assert "Days since the event before" in legend_texts(root)
    assert "Centre line" in legend_texts(root)
    assert "Event 3 (Jul-13): 16 days since the event before" in svg


def test_a_withheld_xmr_chart_has_no_limits_and_its_points_no_classification():
    chart, explanation = spc_chart_for(analysis(SpcChart.XMR, RARE), "spc-m1")
    assert set(chart.point_types) == {"not_assessed"}
    assert chart.upper_limit == [None] * len(RARE)
    assert chart.description.endswith("Icons withheld.")
    assert "without process limits or special cause markers" in explanation
    texts = legend_texts(parse(render_spc_chart(chart)))
    assert "Process limits" not in texts and "Common cause" not in texts


def test_days_read_as_a_sentence_has_them():
    assert (days(1), days(15.5), days(0.4)) == ("1 day", "16 days", "0 days")
