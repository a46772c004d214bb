"""Pack validation: every mistake reported at once, with file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kpiboard.core.forecast import ForecastMethod
from kpiboard.core.indicators import SpcChart
from kpiboard.core.rating import Rating
from kpiboard.core.spc import Improvement
from kpiboard.packs.loader import check_pack, load_pack
from kpiboard.packs.problems import PackError

MANIFEST = """\
format: 1
title: Test report
as_at: 2013-09
sections:
  - id: asc
    title: Adult Social Care
    summary:
      columns: [number, title, current, rating, direction]
"""

INDICATOR = """\
id: {id}
section: asc
number: "{number}"
title: Indicator {id}
unit: percent
polarity: higher_is_better
"""


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    write(tmp_path, "kpiboard.yaml", MANIFEST)
    write(tmp_path, "indicators/A1.yaml", INDICATOR.format(id="A1", number=1))
    write(tmp_path, "indicators/A2.yaml", INDICATOR.format(id="A2", number=2))
    write(
        tmp_path,
        "data/figures.csv",
        "indicator,period,series,value\nA1,2013-08,actual,70\nA1,2013-08,target,75\n"
        "A1,2013-09,actual,76\nA1,2013-09,target,75\nA2,2013-09,actual,10\n",
    )
    write(tmp_path, "commentary/A1.md", "## 2013-09\n\nBack above target.\n")
    return tmp_path


def problem_lines(root: Path) -> list[str]:
    return [str(p) for p in check_pack(root)]


def test_load_pack_valid_pack_loads(pack_dir):
    pack = load_pack(pack_dir)
    assert list(pack.indicators) == ["A1", "A2"]
    results = pack.evaluate()
    assert results["A1"].latest.rating is Rating.GREEN
    assert results["A1"].previous.rating is Rating.AMBER
    assert pack.commentary_for("A1").text == "Back above target."


def test_check_pack_valid_pack_no_problems(pack_dir):
    assert check_pack(pack_dir) == []


def test_check_pack_several_mistakes_all_reported_with_file_and_line(pack_dir):
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2) + "polarityy: x\nrated: maybe\n",
    )
    write(
        pack_dir,
        "data/more.csv",
        "indicator,period,series,value\n"
        "A9,2013-09,actual,1\n"  # unknown indicator
        "A1,Foo-13,actual,1\n"  # bad period
        "A1,2013-09,actual,77\n"  # duplicate of figures.csv:4
        "A1,2013-07,actual,seventy\n"  # not a number
        "A1,2013-07,clients,5\n",  # undeclared series
    )
    lines = problem_lines(pack_dir)
    assert "indicators/A2.yaml:7: polarityy: unknown key (did you mean 'polarity'?)" in lines
    assert "indicators/A2.yaml:8: rated: must be true or false, not 'maybe'" in lines
    assert "data/more.csv:2: indicator: unknown indicator 'A9'" in lines
    assert any(line.startswith("data/more.csv:3: period: 'Foo-13'") for line in lines)
    assert any(
        line.startswith("data/more.csv:4: duplicate row: A1 2013-09 actual")
        and "data/figures.csv:4" in line
        for line in lines
    )
    assert "data/more.csv:5: value: 'seventy' is not a number" in lines
    assert any(line.startswith("data/more.csv:6: series: 'clients'") for line in lines)
    assert len(lines) == 7


def test_check_pack_target_on_not_rated_indicator_reported(pack_dir):
    write(pack_dir, "indicators/A2.yaml", INDICATOR.format(id="A2", number=2) + "rated: false\n")
    write(pack_dir, "data/t.csv", "indicator,period,series,value\nA2,2013-09,target,12\n")
    assert problem_lines(pack_dir) == [
        "data/t.csv:2: series: A2 is a not-rated indicator: it has no target"
    ]


def test_check_pack_bad_yaml_reports_line(pack_dir):
    write(pack_dir, "indicators/A2.yaml", "id: A2\ntitle: [unclosed\n")
    (line,) = problem_lines(pack_dir)
    assert line.startswith("indicators/A2.yaml:") and "not valid YAML" in line


def test_check_pack_id_must_match_file_name(pack_dir):
    write(pack_dir, "indicators/A2.yaml", INDICATOR.format(id="B7", number=2))
    assert "indicators/A2.yaml:1: id: 'B7' does not match the file name A2.yaml" in problem_lines(
        pack_dir
    )


def test_check_pack_unknown_section_and_summary_column(pack_dir):
    write(pack_dir, "indicators/A2.yaml", INDICATOR.format(id="A2", number=2).replace("asc", "xyz"))
    write(pack_dir, "kpiboard.yaml", MANIFEST.replace("rating, direction", "rating, colour"))
    lines = problem_lines(pack_dir)
    assert any(
        line.startswith("indicators/A2.yaml:2: section: unknown section 'xyz'") for line in lines
    )
    assert any("sections[0].summary.columns: unknown column 'colour'" in line for line in lines)


def test_check_pack_rules_validated(pack_dir):
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2)
        + "rules:\n  - amber: ten\n  - amber: 5%\n  - from: 2013/14\n    floor: 3\n    amber: 2\n",
    )
    lines = problem_lines(pack_dir)
    assert any(
        line.startswith("indicators/A2.yaml:8: rules[0].amber: 'ten' is not a band")
        for line in lines
    )
    assert (
        "indicators/A2.yaml:9: rules[1].from: "
        "every rule after the first needs the financial year it starts" in lines
    )
    assert (
        "indicators/A2.yaml:11: rules[2].floor: give either an amber band or a floor, not both"
        in lines
    )


def test_check_pack_override_needs_reason_and_by(pack_dir):
    write(
        pack_dir,
        "indicators/A1.yaml",
        INDICATOR.format(id="A1", number=1) + "overrides:\n  - period: 2013-09\n    rating: RED\n",
    )
    lines = problem_lines(pack_dir)
    assert "indicators/A1.yaml:8: overrides[0].reason: required but missing" in lines
    assert "indicators/A1.yaml:8: overrides[0].by: required but missing" in lines


def test_check_pack_commentary_problems(pack_dir):
    write(pack_dir, "commentary/A1.md", "Stray text\n## 2013-13\nx\n## 2013-09\na\n## 2013-09\nb\n")
    write(pack_dir, "commentary/ZZ.md", "## 2013-09\nx\n")
    lines = problem_lines(pack_dir)
    assert (
        "commentary/A1.md:1: text before the first '## period' heading belongs to no period"
        in lines
    )
    assert "commentary/A1.md:2: heading: '2013-13': month must be 01-12" in lines
    assert "commentary/A1.md:6: heading: 2013-09 already has commentary at line 4" in lines
    assert "commentary/ZZ.md: no indicator 'ZZ' for this commentary" in lines


def test_check_pack_bad_csv_header_reported(pack_dir):
    write(pack_dir, "data/bad.csv", "indicator,when,series,value\nA1,2013-09,actual,1\n")
    (line,) = problem_lines(pack_dir)
    assert line.startswith(
        "data/bad.csv:1: header: missing column(s) period; unknown column(s) when"
    )


def test_check_pack_percent_sign_gets_hint(pack_dir):
    write(pack_dir, "data/bad.csv", "indicator,period,series,value\nA1,2013-07,actual,73%\n")
    assert problem_lines(pack_dir) == [
        "data/bad.csv:2: value: '73%' is not a number: write percentages without %, e.g. 73"
    ]


def test_load_pack_missing_manifest_raises_pack_error(tmp_path):
    with pytest.raises(PackError, match="not a pack"):
        load_pack(tmp_path)


def test_load_pack_derived_rolling_ratio(pack_dir):
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2)
        + "series:\n  seen: {label: Seen in time}\n  all: {label: All seen}\n"
        + "derive: {method: rolling_12, how: ratio, numerator: seen, denominator: all,"
        + " scale: 100}\n",
    )
    rows = ["indicator,period,series,value"]
    for month in range(1, 13):
        rows.append(f"A2,2013-{month:02d},seen,{month}")
        rows.append(f"A2,2013-{month:02d},all,10")
    write(pack_dir, "data/figures.csv", "\n".join(rows) + "\n")
    data = load_pack(pack_dir).data["A2"]
    actual = data.get("actual")
    assert sum(~(actual != actual)) == 1  # only December 2013 has a full 12 months
    assert actual[-1] == pytest.approx(78 / 120 * 100)


def test_load_pack_derived_indicator_rejects_actual_rows(pack_dir):
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2)
        + "series:\n  monthly: {label: Monthly}\n"
        + "derive: {method: year_to_date, how: sum, source: monthly}\n",
    )
    lines = problem_lines(pack_dir)
    assert lines == ["data/figures.csv:6: series: A2's actual is derived; give its source series"]


def test_load_pack_spc_forecast_and_draft_options(pack_dir):
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2)
        + "series: {monthly: {label: In the month}}\n"
        + "spc: {baseline: 12, rebase: [2013-04], shift_length: 6, on: monthly}\n"
        + "forecast: {method: run_rate, cumulative: true}\ndraft_commentary: true\n",
    )
    ind = load_pack(pack_dir).indicators["A2"]
    assert ind.spc.improvement is Improvement.INCREASE  # from higher_is_better
    assert (ind.spc.baseline, ind.spc.shift_length) == (12, 6)
    assert [p.label for p in ind.spc.rebase] == ["2013-04"]
    assert (ind.spc.chart, ind.spc.on) == (SpcChart.XMR, "monthly")
    assert (ind.forecast.method, ind.forecast.cumulative) == (ForecastMethod.RUN_RATE, True)
    assert ind.forecast.method is ForecastMethod.RUN_RATE
    assert ind.draft_commentary is True
    write(pack_dir, "indicators/A2.yaml", INDICATOR.format(id="A2", number=2) + "spc: true\n")
    assert load_pack(pack_dir).indicators["A2"].spc.improvement is Improvement.INCREASE


def test_check_pack_bad_spc_options_reported(pack_dir):
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2)
        + "spc: {baseline: 5, shift_length: 9, improvement: up}\n",
    )
    lines = problem_lines(pack_dir)
    assert any("spc.baseline: must be a whole number from 12" in line for line in lines)
    assert any("spc.shift_length: must be a whole number from 6 to 8" in line for line in lines)
    assert any("spc.improvement: 'up' is not one of" in line for line in lines)


def test_check_pack_refuses_spc_on_a_running_total_and_points_to_the_series_beneath(pack_dir):
    derived = (
        "series: {monthly: {label: In the month}}\n"
        "derive: {method: year_to_date, how: sum, source: monthly}\n"
    )
    write(pack_dir, "indicators/A1.yaml", INDICATOR.format(id="A1", number=1) + "spc: true\n")
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2) + derived + "spc: {improvement: decrease}\n",
    )
    write(
        pack_dir,
        "indicators/A3.yaml",
        INDICATOR.format(id="A3", number=3)
        + "forecast: {cumulative: true}\nspc: {on: quarterly}\n",
    )
    write(
        pack_dir,
        "indicators/A4.yaml",
        INDICATOR.format(id="A4", number=4) + derived + "spc: {on: monthly}\n",
    )
    write(pack_dir, "data/figures.csv", "indicator,period,series,value\n")
    assert problem_lines(pack_dir) == [
        "indicators/A2.yaml:9: spc: SPC cannot chart a year-to-date (cumulative) figure: each "
        "figure repeats the periods before it, so the points are not independent and the limits "
        "mean nothing. Chart the per-period series beneath it instead, with spc: {on: monthly} "
        "(a series declared under series:)",
        "indicators/A3.yaml:8: spc: SPC cannot chart a year-to-date (cumulative) figure: each "
        "figure repeats the periods before it, so the points are not independent and the limits "
        "mean nothing. Chart the per-period series beneath it instead, with spc: {on: SERIES} "
        "(a series declared under series:)",
        "indicators/A3.yaml:8: spc.on: 'quarterly' is not declared under series: (SPC charts a "
        "declared series)",
    ]


def test_check_pack_rare_event_charts_need_counts_and_no_expected_range(pack_dir):
    write(pack_dir, "indicators/A1.yaml", INDICATOR.format(id="A1", number=1) + "spc: {chart: t}\n")
    write(
        pack_dir,
        "indicators/A2.yaml",
        INDICATOR.format(id="A2", number=2).replace("percent", "count")
        + "kind: lead\nexpected_range: spc\nspc: {chart: g}\n",
    )
    write(pack_dir, "data/figures.csv", "indicator,period,series,value\n")
    assert problem_lines(pack_dir) == [
        "indicators/A1.yaml:7: spc.chart: a t-chart counts events: the figures it charts must be "
        "counts (unit: count), not percent",
        "indicators/A2.yaml:8: expected_range: an expected range from SPC limits needs an XmR "
        "chart, not a g-chart (which charts the days between events)",
    ]
    write(
        pack_dir,
        "indicators/A1.yaml",
        INDICATOR.format(id="A1", number=1).replace("percent", "count")
        + "spc: {chart: g, improvement: decrease}\n",
    )
    write(pack_dir, "indicators/A2.yaml", INDICATOR.format(id="A2", number=2))
    assert problem_lines(pack_dir) == []
    assert load_pack(pack_dir).indicators["A1"].spc.chart is SpcChart.G


def test_load_pack_peers_and_groups(pack_dir):
    manifest = MANIFEST + (
        "organisation_code: US\npeer_groups:\n  all: {label: All councils}\n"
        "  near: {label: Neighbours, members: [B, C]}\n"
    )
    write(pack_dir, "kpiboard.yaml", manifest)
    write(
        pack_dir,
        "indicators/A1.yaml",
        INDICATOR.format(id="A1", number=1) + "peer_groups: [all, near]\n",
    )
    write(
        pack_dir,
        "peers/p.csv",
        "indicator,period,organisation,value\nA1,2013-09,B,80\nA1,2013-09,C,70\nA1,2013-09,D,90\n",
    )
    analysis = load_pack(pack_dir).analyse()["A1"]
    ranks = {c.group: (c.position.rank, c.position.of) for c in analysis.peers}
    assert ranks == {"all": (3, 4), "near": (2, 3)}  # own 76: behind 90 and 80, ahead of 70


def test_check_pack_peer_problems_reported(pack_dir):
    write(pack_dir, "kpiboard.yaml", MANIFEST + "peer_groups:\n  all: {label: All}\n")
    write(
        pack_dir,
        "indicators/A1.yaml",
        INDICATOR.format(id="A1", number=1) + "peer_groups: [nope]\n",
    )
    write(
        pack_dir,
        "peers/p.csv",
        "indicator,period,organisation,value\nZZ,2013-09,B,80\nA1,2013-09,B,x\nA1,2013-09,B,1\n"
        "A1,2013-09,B,2\n",
    )
    lines = problem_lines(pack_dir)
    assert any("organisation_code: required with peer_groups" in line for line in lines)
    assert any("peer_groups: unknown peer group 'nope'" in line for line in lines)
    assert "peers/p.csv:2: indicator: unknown indicator 'ZZ'" in lines
    assert "peers/p.csv:3: value: 'x' is not a number" in lines
    assert any(line.startswith("peers/p.csv:5: duplicate row") for line in lines)


def test_load_pack_organisation_type_and_summary_page(pack_dir):
    pack = load_pack(pack_dir)
    assert (pack.organisation_type, pack.summary_page) == ("", True)  # the defaults
    write(pack_dir, "kpiboard.yaml", MANIFEST + "organisation_type: NHS trust\nsummary_page: no\n")
    pack = load_pack(pack_dir)
    assert (pack.organisation_type, pack.summary_page) == ("NHS trust", False)


def test_check_pack_bad_organisation_type_and_summary_page(pack_dir):
    write(pack_dir, "kpiboard.yaml", MANIFEST + "organisation_type: [trust]\nsummary_page: 1\n")
    lines = problem_lines(pack_dir)
    assert any("organisation_type: must be text" in line for line in lines)
    assert any("summary_page: must be true or false, not 1" in line for line in lines)
