"""Confidence intervals in the report: error bars, their text alternative, the trend table's
"95% CI" and comparison rows, the rating rule's wording and the ``benchmark`` summary column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpiboard.core.rating import Rating
from kpiboard.core.units import Unit, UnitKind
from kpiboard.packs.loader import load_pack
from kpiboard.report import build_report
from kpiboard.report.charts import LineChart, render_line_chart
from kpiboard.report.html import render_html
from tests.packs.test_loader import write
from tests.packs.test_significance import DATA, HSMR
from tests.report import svg_checks
from tests.report.svg_checks import NS, group, legend_texts, months, parse

RATIO = Unit(UnitKind.RATIO, 1)

MANIFEST = """\
format: 1
title: Trust report
as_at: 2013-09
sections:
  - id: asc
    title: Mortality
    summary:
      columns: [title, current, rating, benchmark]
"""


def hsmr_chart(interval) -> LineChart:
    return LineChart(
        chart_id="chart-ind-H1",
        title="HSMR",
        description="HSMR by month.",
        periods=months(2013, 7, 3),
        actual=[104.0, 112.0, 93.0],
        ratings=[Rating.AMBER, Rating.RED, Rating.GREEN],
        unit=RATIO,
        interval=interval,
    )


def bar_segments(root) -> list[tuple[float, float, float]]:
    """(x, top, bottom) of each error bar's vertical stroke."""
    path = group(root, "-interval").find(f"{NS}path")
    return [
        (float(x), float(top), float(bottom))
        for x, top, bottom in re.findall(r"M([\d.]+) ([\d.]+)V([\d.]+)", path.get("d"))
    ]


def test_error_bars_span_each_interval_with_legend_and_tips():
    svg = render_line_chart(hsmr_chart(([97.0, 105.0, None], [111.0, 119.0, None])))
    root = parse(svg)
    bars = bar_segments(root)
    assert len(bars) == 2  # the third period has no interval
    (x1, top1, bottom1), (x2, top2, bottom2) = bars
    assert x1 < x2 and top1 < bottom1 and top2 < top1  # 119 is drawn above 111
    assert bottom1 - top1 == pytest.approx(bottom2 - top2, abs=0.2)  # both 14 wide
    assert "95% confidence interval" in legend_texts(root)
    tips = [t.text for t in group(root, "-actual").iter(f"{NS}title")]
    assert tips[1] == "Aug-13: 112.0 (Red); 95% CI 105.0 to 119.0"
    assert tips[2] == "Sep-13: 93.0 (Green)"
    svg_checks.assert_self_contained(svg)


def test_no_interval_no_error_bars_or_legend_entry():
    root = parse(render_line_chart(hsmr_chart(None)))
    assert svg_checks.find_group(root, "-interval") is None
    assert not any("confidence" in (t or "") for t in legend_texts(root))


def test_interval_widens_the_y_axis_to_fit():
    root = parse(render_line_chart(hsmr_chart(([70.0, 105.0, 90.0], [111.0, 140.0, 96.0]))))
    ticks = [float(t.text) for t in group(root, "-y-axis").iter(f"{NS}text")]
    assert min(ticks) <= 70 and max(ticks) >= 140


@pytest.fixture
def report(tmp_path: Path):
    write(tmp_path, "kpiboard.yaml", MANIFEST)
    write(tmp_path, "indicators/H1.yaml", HSMR)
    write(tmp_path, "data/h1.csv", DATA)
    return build_report(load_pack(tmp_path))


def test_page_chart_text_alternative_names_the_interval(report):
    page = report.pages[0]
    assert page.chart_description.endswith(
        "Error bars show each figure's 95% confidence interval; for Sep-13 it is 93.5 to 104.8, "
        "similar to England. The figures are in the table below."
    )
    assert 'id="chart-ind-H1-interval"' in page.chart_svg
    assert "against a target" not in page.chart_description


def test_trend_table_has_ci_and_comparison_rows_and_no_empty_target(report):
    rows = {row.label: row.cells for row in report.pages[0].trend.rows}
    assert rows["95% CI"] == ["105.0–119.0", "93.5–104.8"]
    assert rows["Compared with England"] == ["Worse", "Similar"]
    assert "Target" not in rows
    assert [r.words for r in report.pages[0].trend.ratings] == ["Red", "Amber"]


def test_rating_rule_explains_the_method(report):
    notes = dict(report.pages[0].notes)
    assert notes["Rating rule"].startswith(
        "Compared with England: significantly better (lower) or worse (higher) where the whole "
        "95% confidence interval lies above or below the England value"
    )


def test_benchmark_summary_column_in_words_and_colour(report):
    table = report.sections[0].summary
    assert [c.heading for c in table.columns][-1] == "Compared with benchmark"
    cell = table.rows[0][-1]
    assert (cell.rating.code, cell.rating.words) == ("AMBER", "Similar to England")
    html = render_html(report)
    assert '<span class="rating rating-amber">Similar to England</span>' in html
