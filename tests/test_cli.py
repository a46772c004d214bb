"""The command line, through click's test runner: exit codes, messages and files written."""

from __future__ import annotations

import csv
import gc
import io
import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.cli import _json_lines, main
from kpiboard.packs.exporter import result_rows
from kpiboard.packs.loader import load_pack


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def pack_copy(demo_pack_dir, tmp_path):
    return shutil.copytree(demo_pack_dir, tmp_path / "pack")


def test_check_demo_pack_exits_0(runner, demo_pack_dir):
    result = runner.invoke(main, ["check", str(demo_pack_dir)])
    assert result.exit_code == 0, result.output
    assert "valid pack: 23 indicators in 2 sections, as at Sep-13" in result.output


def test_check_pack_with_mistakes_lists_all_exits_1(runner, pack_copy):
    (pack_copy / "data" / "actuals.csv").open("a").write(
        "ASC01,2013-13,actual,70\nNOPE,2013-09,actual,1\nASC01,2013-10,actual,x\n"
    )
    text = (pack_copy / "indicators" / "ASC03.yaml").read_text()
    (pack_copy / "indicators" / "ASC03.yaml").write_text(text.replace("polarity:", "polarty:"))
    result = runner.invoke(main, ["check", str(pack_copy)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "5 problems found."
    assert any(line.startswith("data/actuals.csv:") and "'2013-13'" in line for line in lines)
    assert any("unknown indicator 'NOPE'" in line for line in lines)
    assert any("'x' is not a number" in line for line in lines)
    assert any(line.startswith("indicators/ASC03.yaml:") and "polarty" in line for line in lines)
    assert any("polarity: required but missing" in line for line in lines)


def test_check_an_impossible_unquoted_date_names_its_file_and_line_exits_1(runner, pack_copy):
    risks = pack_copy / "plan" / "risks.yaml"
    text = risks.read_text(encoding="utf-8")
    old = "ahead of winter.}"  # the second review of the first risk, on line 24
    risks.write_text(text.replace(old, "ahead of winter., next_review: 2014-02-30}", 1))
    result = runner.invoke(main, ["check", str(pack_copy)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        "plan/risks.yaml:24: risks[0].reviews[1].next_review: '2014-02-30' is not a date "
        "(write it as 2013-09-30)",
        "1 problem found.",
    ]


def test_rate_json_has_documented_fields(runner, demo_pack_dir):
    result = runner.invoke(main, ["rate", str(demo_pack_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    asc06 = next(r for r in rows if r["indicator"] == "ASC06" and r["period"] == "2011-08")
    assert asc06["rating"] == "AMBER"
    assert asc06["overridden"] is True
    sep = next(r for r in rows if r["indicator"] == "ASC01" and r["period"] == "2013-09")
    assert sep["period_start"] == "2013-09-01"
    assert sep["period_end"] == "2013-09-30"
    assert sep["actual"] == 73
    assert sep["target"] == 80
    assert sep["direction"] == "worsened"
    ratings = {r["rating"] for r in rows}
    assert ratings <= {"GREEN", "AMBER", "RED", "NOT_RATED", "NO_DATA", "NO_TARGET"}
    assert {"NOT_RATED", "NO_TARGET"} <= ratings


def test_rate_json_writes_one_row_on_each_line(runner, demo_pack_dir):
    result = runner.invoke(main, ["rate", str(demo_pack_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    rows = [json.loads(line.removesuffix(",")) for line in lines[1:-1]]
    assert rows == json.loads(result.output)
    assert rows == result_rows(load_pack(demo_pack_dir))


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5])
def test_json_lines_pieces_make_one_valid_array_whatever_the_text(count):
    awkward = 'a "quoted" }, {"indicator": line\nbreak, and \u00e9'
    rows = [
        {"indicator": f"X{i}", "override_reason": awkward, "actual": i / 3} for i in range(count)
    ]
    text = "".join(_json_lines(rows, per_piece=2))
    assert json.loads(text) == rows
    assert text.endswith("\n") and len(text.splitlines()) == (count + 2 if count else 1)


ROW_TEXTS = st.tuples(st.text(), st.text(), st.none() | st.floats(allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(ROW_TEXTS, max_size=7), st.integers(1, 3))
def test_json_lines_puts_each_row_on_a_line_of_its_own_whatever_its_text(cells, per_piece):
    rows = [{"indicator": i, "reason": r, "actual": a} for i, r, a in cells]
    text = "".join(_json_lines(rows, per_piece=per_piece))
    assert json.loads(text) == rows
    assert text.count("\n") == (len(rows) + 2 if rows else 1)


@pytest.mark.parametrize("broken", [False, True])
def test_commands_leave_the_garbage_collector_as_they_found_it(runner, pack_copy, broken):
    if broken:
        (pack_copy / "kpiboard.yaml").write_text("format: [\n")
    result = runner.invoke(main, ["check", str(pack_copy)])
    assert result.exit_code == (1 if broken else 0), result.output
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_rate_csv_and_table(runner, demo_pack_dir):
    result = runner.invoke(
        main, ["rate", str(demo_pack_dir), "--format", "csv", "--indicator", "SCS02"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["rating"] for r in rows][:5] == ["AMBER", "AMBER", "AMBER", "RED", "RED"]
    table = runner.invoke(main, ["rate", str(demo_pack_dir), "--indicator", "ASC06"])
    assert "AMBER (override)" in table.output


def test_rate_unknown_indicator_is_usage_error(runner, demo_pack_dir):
    result = runner.invoke(main, ["rate", str(demo_pack_dir), "--indicator", "XX9"])
    assert result.exit_code == 2
    assert "unknown indicator(s): XX9" in result.output


def test_report_html_written(runner, demo_pack_dir, tmp_path):
    out = tmp_path / "r.html"
    result = runner.invoke(main, ["report", str(demo_pack_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "23 indicator pages" in result.output
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_report_subset_and_unknown_tag(runner, demo_pack_dir, tmp_path):
    out = tmp_path / "b.html"
    ok = runner.invoke(
        main, ["report", str(demo_pack_dir), "--out", str(out), "--subset", "bold-steps"]
    )
    assert ok.exit_code == 0, ok.output
    assert "Bold Steps monitoring report" in out.read_text()
    bad = runner.invoke(main, ["report", str(demo_pack_dir), "--out", str(out), "--tag", "nope"])
    assert bad.exit_code == 2
    assert "no indicator has tag(s) nope" in bad.output


def test_report_bad_as_at_is_usage_error(runner, demo_pack_dir, tmp_path):
    result = runner.invoke(
        main,
        ["report", str(demo_pack_dir), "--out", str(tmp_path / "x.html"), "--as-at", "Smarch-13"],
    )
    assert result.exit_code == 2
    assert "'Smarch' is not a month name" in result.output


def test_demo_writes_pack_and_refuses_non_empty_folder(runner, tmp_path):
    target = tmp_path / "demo"
    first = runner.invoke(main, ["demo", str(target)])
    assert first.exit_code == 0, first.output
    assert (target / "kpiboard.yaml").is_file()
    again = runner.invoke(main, ["demo", str(target)])
    assert again.exit_code == 1
    assert "is not empty" in again.output


def test_rate_json_carries_spc_point_and_peer_rank(runner, demo_pack_dir):
    rows = json.loads(runner.invoke(main, ["rate", str(demo_pack_dir), "--format", "json"]).output)
    scs01 = next(r for r in rows if r["indicator"] == "SCS01" and r["period"] == "2012/13")
    assert (scs01["peer_group"], scs01["peer_rank"], scs01["peer_of"]) == ("england", 13, 152)
    assert scs01["peer_quartile"] == 1
    asc01 = next(r for r in rows if r["indicator"] == "ASC01" and r["period"] == "2013-09")
    assert asc01["spc_point"] == "special_cause_improvement"


def test_rate_json_and_csv_carry_the_latest_spc_icons(runner, demo_pack_dir):
    rows = json.loads(runner.invoke(main, ["rate", str(demo_pack_dir), "--format", "json"]).output)
    asc01 = [r for r in rows if r["indicator"] == "ASC01"]
    assert {(r["variation"], r["assurance"]) for r in asc01} == {("improvement_high", "fail")}
    asc02 = next(r for r in rows if r["indicator"] == "ASC02")
    assert (asc02["variation"], asc02["assurance"]) == ("improvement_high", None)  # no target
    scs01 = next(r for r in rows if r["indicator"] == "SCS01")
    assert (scs01["spc_point"], scs01["variation"], scs01["assurance"]) == (None, None, None)
    out = runner.invoke(main, ["rate", str(demo_pack_dir), "--format", "csv"]).output
    table = list(csv.DictReader(io.StringIO(out)))
    last = [r for r in table if r["indicator"] == "ASC01"][-1]
    assert (last["spc_point"], last["variation"], last["assurance"]) == (
        "special_cause_improvement",
        "improvement_high",
        "fail",
    )
    scs01 = next(r for r in table if r["indicator"] == "SCS01")
    assert (scs01["spc_point"], scs01["variation"], scs01["assurance"]) == ("", "", "")


def test_export_csv_carries_the_spc_icons(runner, demo_pack_dir, tmp_path):
    out = tmp_path / "results.csv"
    assert runner.invoke(main, ["export", str(demo_pack_dir), "--out", str(out)]).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    asc09 = [r for r in table if r["indicator"] == "ASC09"]
    icons = {(r["variation"], r["assurance"]) for r in asc09}
    assert icons == {("improvement_low", "inconsistent")}
    assert {r["spc_point"] for r in asc09} >= {"common_cause"}


def test_import_dry_run_then_apply_and_bad_file_changes_nothing(runner, pack_copy, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("indicator,period,series,value\nASC01,2013-10,actual,75\n")
    dry = runner.invoke(main, ["import", str(good), "--pack", str(pack_copy), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "ASC01 2013-10 actual: new 75" in dry.output
    assert "Dry run: nothing written." in dry.output
    applied = runner.invoke(main, ["import", str(good), "--pack", str(pack_copy)])
    assert applied.exit_code == 0, applied.output
    rows = json.loads(
        runner.invoke(
            main,
            [
                "rate",
                str(pack_copy),
                "--format",
                "json",
                "--as-at",
                "2013-10",
                "--indicator",
                "ASC01",
            ],
        ).output
    )
    assert rows[-1]["period"] == "2013-10" and rows[-1]["actual"] == 75
    before = {p: p.read_bytes() for p in (pack_copy / "data").iterdir()}
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,period,series,value\nASC01,2013-11,actual,76\nASC01,2013-12,actual,x\n"
    )
    refused = runner.invoke(main, ["import", str(bad), "--pack", str(pack_copy)])
    assert refused.exit_code == 1
    assert "bad.csv:3: value: 'x' is not a number" in refused.output
    assert {p: p.read_bytes() for p in (pack_copy / "data").iterdir()} == before


def test_export_results_xlsx_and_wide_csv(runner, demo_pack_dir, tmp_path):
    xlsx = tmp_path / "results.xlsx"
    result = runner.invoke(main, ["export", str(demo_pack_dir), "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert xlsx.read_bytes()[:2] == b"PK"
    wide = tmp_path / "wide.csv"
    runner.invoke(main, ["export", str(demo_pack_dir), "--out", str(wide), "--layout", "wide"])
    assert wide.read_text(encoding="utf-8-sig").startswith("indicator,series,")
    bad = runner.invoke(main, ["export", str(demo_pack_dir), "--out", str(tmp_path / "x.txt")])
    assert bad.exit_code == 2
    assert "must end in .csv or .xlsx" in bad.output


def test_draft_text_and_json(runner, demo_pack_dir):
    text = runner.invoke(main, ["draft", str(demo_pack_dir), "--indicator", "ASC01"])
    assert text.exit_code == 0, text.output
    assert "73% in September 2013, down from 74% in August 2013." in text.output
    assert "check and edit before use" in text.output
    data = json.loads(runner.invoke(main, ["draft", str(demo_pack_dir), "--format", "json"]).output)
    assert len(data) == 23 and all(item["draft"] for item in data)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_manage_command_help_flag_shows_the_django_commands_help(runner, flag):
    result = runner.invoke(main, ["manage", "setrole", flag])
    assert result.exit_code == 0, result.output
    assert "usage: kpiboard manage setrole" in result.output
    assert "--section CODE" in result.output
    assert result.output == runner.invoke(main, ["manage", "help", "setrole"]).output


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_manage_help_flag_alone_shows_the_help_of_manage(runner, flag):
    result = runner.invoke(main, ["manage", flag], prog_name="kpiboard")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: kpiboard manage COMMAND [ARGUMENTS]...")
    assert "kpiboard manage COMMAND --help" in result.output
    assert "usage:" not in result.output  # not Django's
