"""The command line, through click's test runner: exit codes, messages and files written."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from click.testing import CliRunner

from kpiboard.cli import main


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
