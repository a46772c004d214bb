"""The NHS trust demo: the same engine builds a trust's board report (issue 8's second demo).

The expected ratings are worked out by hand from the demo's figures and rules (see each case),
not read back from kpiboard: they are what a trust's performance team would write down.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.demo import DemoKind, pack_source, write_demo
from kpiboard.packs.loader import load_pack
from kpiboard.report import build_report

AS_AT = "2026-09"


@pytest.fixture(scope="module")
def nhs_dir(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("nhs") / "pack", kind=DemoKind.NHS_TRUST)


@pytest.fixture(scope="module")
def nhs_pack(nhs_dir):
    return load_pack(nhs_dir)


@pytest.fixture(scope="module")
def latest_rows(nhs_dir):
    result = CliRunner().invoke(main, ["rate", str(nhs_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    return {r["indicator"]: r for r in rows if r["period"] == AS_AT}


def test_demo_kind_nhs_trust_writes_a_valid_pack(nhs_dir):
    result = CliRunner().invoke(main, ["check", str(nhs_dir)])
    assert result.exit_code == 0, result.output
    assert "20 indicators in 4 sections, as at Sep-26" in result.output


def test_demo_is_the_same_every_time(nhs_dir, tmp_path):
    again = write_demo(tmp_path / "again", kind="nhs-trust")
    for path in sorted(p for p in nhs_dir.rglob("*") if p.is_file()):
        assert (again / path.relative_to(nhs_dir)).read_bytes() == path.read_bytes(), path


def test_pack_source_builds_the_trust_pack_once():
    assert pack_source("nhs-trust") == pack_source(DemoKind.NHS_TRUST)
    assert (pack_source("nhs-trust") / "indicators" / "AE01.yaml").exists()


@pytest.mark.parametrize(
    ("indicator", "rating"),
    [
        ("AE01", "RED"),  # 76.7% against 82%, amber 3 points: the floor is 79%
        ("RTT01", "RED"),  # 63.0% against 70%, amber 5 points: floor 65%
        ("CAN01", "GREEN"),  # 80.2% against 80%
        ("CAN02", "AMBER"),  # 72.0% against 75%, within 5 points
        ("DM01", "AMBER"),  # 6.2% against 5% (lower is better), within 2 points
        ("NE01", "GREEN"),  # no never event in September against a target of none
        ("CDI01", "GREEN"),  # 2+4+4+7+4+1 = 22 cases since April against a ceiling of 27
        ("FALLS01", "GREEN"),  # 105 falls / 19,479 bed days x 1,000 = 5.39 against 5.5
        ("HSMR01", "GREEN"),  # 92.3 (86.8 to 97.8): the whole interval is below 100
        ("WF01", "AMBER"),  # 4.70% against 4.5%, within 10% (4.95%)
        ("WF04", "GREEN"),  # 6.9% against 8%
        ("FIN01", "RED"),  # a £2,068k deficit against a £900k plan: 10% of £900k is £90k
        ("FIN02", "RED"),  # £8,522k against £9,000k: 5% band, floor £8,550k
        ("FIN03", "GREEN"),  # £1,207k against a cap of £1,250k
        ("FIN04", "GREEN"),  # £23.7m against a minimum of £20m
    ],
)
def test_september_ratings_match_hand_worked(latest_rows, indicator, rating):
    assert latest_rows[indicator]["rating"] == rating, latest_rows[indicator]


def test_quarterly_appraisal_is_rated_at_its_quarter(nhs_pack):
    result = nhs_pack.evaluate()["WF03"]
    assert result.latest.period.label == "2026/27 Q2"
    assert result.latest.rating.name == "GREEN"  # 90.1% against 90%


def test_falls_rate_is_derived_per_month(latest_rows):
    assert latest_rows["FALLS01"]["actual"] == pytest.approx(105 / 19_479 * 1000)


def test_year_to_date_figures_compare_with_the_same_month_last_year(nhs_pack):
    result = nhs_pack.evaluate()["FIN01"]
    september = result.at(nhs_pack.calendar.parse(AS_AT))
    # -£2,068k this September against -£1,223k a year earlier: worse, not "worse than August".
    assert september.direction.name == "WORSENED"


def test_demo_command_writes_the_trust_pack_and_its_reports(tmp_path):
    # docs/demos.md: kpiboard demo trust-pack --kind nhs-trust --report
    out = tmp_path / "trust-pack"
    result = CliRunner().invoke(main, ["demo", str(out), "--kind", "nhs-trust", "--report"])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").stat().st_size > 10_000
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


def test_rare_events_and_cumulative_counts_get_the_right_chart(nhs_pack):
    analyses = nhs_pack.analyse()
    assert analyses["NE01"].spc.chart.value == "t"
    assert analyses["MRSA01"].spc.chart.value == "g"
    # C. difficile is rated year to date; its chart is of the monthly cases beneath the total.
    cdi = analyses["CDI01"]
    assert nhs_pack.indicators["CDI01"].spc.on == "cases"
    assert len(cdi.spc.values) == 36 and max(cdi.spc.values) < 15


def test_mortality_ratio_is_rated_by_its_interval(nhs_pack):
    result = nhs_pack.evaluate()["HSMR01"]
    first, last = result.periods[0], result.latest
    assert first.comparison.name == "WORSE" and first.rating.name == "RED"  # 103.4 to 114.4
    assert last.comparison.name == "BETTER" and last.rating.name == "GREEN"  # 86.8 to 97.8


def test_finance_prints_thousands_and_millions(nhs_pack):
    assert nhs_pack.indicators["FIN01"].unit.format(-2068) == "-£2,068k"
    assert nhs_pack.indicators["FIN04"].unit.format(23.7) == "£23.7m"


def test_key_to_ratings_explains_rating_by_benchmark(nhs_pack, demo_pack):
    from kpiboard.core.significance import KEY_NOTE
    from kpiboard.report import build_report
    from kpiboard.report.html import render_html

    assert KEY_NOTE in render_html(build_report(nhs_pack))
    assert build_report(demo_pack).key_notes == []  # the council rates everything by target


def test_key_to_ratings_says_year_to_date_arrows_compare_with_a_year_ago(nhs_pack):
    from kpiboard.core.direction import YEAR_AGO_KEY_NOTE
    from kpiboard.report import build_report

    assert YEAR_AGO_KEY_NOTE in build_report(nhs_pack).key_notes


def test_board_assurance_framework_has_owned_scored_controlled_risks(nhs_pack):
    plan = nhs_pack.plan
    assert [r.id for r in plan.risks] == [f"BAF-0{n}" for n in range(1, 9)]
    assert all(r.owner and r.controls and r.kris and r.priorities for r in plan.risks)
    assert (plan.matrix.appetite, plan.matrix.impact[-1]) == (12, "Catastrophic")
    levels = [p.level.value for p in plan.priorities]
    assert (levels.count("ambition"), levels.count("priority"), levels.count("objective")) == (
        3,
        7,
        1,
    )
    measured = {c for p in plan.priorities for c in p.indicators}
    assert measured == set(nhs_pack.indicators)  # every indicator measures some objective


def test_trust_report_prints_heat_map_register_and_priority_pages(nhs_pack):
    model = build_report(nhs_pack)
    plans = {s.id: s.plan for s in model.sections}
    access = plans["access"]
    # BAF-01 is 4 x 4 (16, Extreme), AE01 Red at 76.7% triggers its key risk indicator.
    rows = {r.label: r.counts for r in access.heat_map.rows}
    assert rows["4 Likely"] == [0, 0, 0, 1, 0]
    first = access.risks[0]
    assert (first.current, first.appetite, first.flags) == (
        "16 Extreme (likelihood 4 Likely, impact 4 Major)",
        "Outside appetite (12)",
        ["AE01 rated Red"],
    )
    wellbeing = next(r for r in plans["workforce"].risks if r.id == "BAF-06")
    assert wellbeing.flags == ["WF01 rated Amber", "review was due 2026-09-15"]
    harm = next(r for r in plans["quality"].risks if r.id == "BAF-03")
    assert harm.appetite == "Outside appetite (6)"  # its own, lower appetite for harm
    waits = next(p for p in model.priorities if p.id == "SO1-2")
    assert [c.title for c in waits.children] == [
        "Diagnose or rule out cancer within 28 days of referral"
    ]
    assert [r.id for r in waits.risks] == ["BAF-02"]
    assert "CAN01" in [i.anchor.removeprefix("ind-") for i in waits.indicators]
