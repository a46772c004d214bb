"""``kpiboard export PACK --out x.xlsx`` adds an Actions sheet and a Risks sheet, a row each."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import openpyxl
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.packs.plan_export import ACTION_COLUMNS, RISK_COLUMNS


def sheet_rows(ws) -> list[dict]:
    header, *rows = ws.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_export_xlsx_has_actions_and_risks_sheets(demo_pack_dir, tmp_path):
    out = tmp_path / "results.xlsx"
    result = CliRunner().invoke(main, ["export", str(demo_pack_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Results", "Summary", "Actions", "Risks"]
    actions = sheet_rows(book["Actions"])
    assert list(actions[0]) == list(ACTION_COLUMNS) and len(actions) == 13
    care = next(a for a in actions if a["action"] == "ACT-CARE")
    assert (care["rag"], care["computed_rag"], care["overridden"]) == ("GREEN", "AMBER", True)
    assert care["due"] == dt.datetime(2014, 6, 30)
    assert (care["milestones"], care["milestones_done"], care["milestones_overdue"]) == (2, 1, 0)
    risks = sheet_rows(book["Risks"])
    assert list(risks[0]) == list(RISK_COLUMNS) and len(risks) == 8
    work = next(r for r in risks if r["risk"] == "R-WORK")
    assert (work["current_score"], work["band"], work["within_appetite"]) == (
        20,
        "Very high",
        False,
    )
    assert (work["trend"], work["flagged"], work["flags"]) == ("rising", True, "SCS02 rated Red")


def test_export_xlsx_without_a_plan_has_no_plan_sheets(pack_dir, tmp_path):
    out = tmp_path / "results.xlsx"
    CliRunner().invoke(main, ["export", str(pack_dir), "--out", str(out)])
    assert openpyxl.load_workbook(out).sheetnames == ["Results", "Summary"]


def test_export_as_at_an_earlier_period_reads_earlier_updates(demo_pack_dir, tmp_path):
    out = tmp_path / "june.xlsx"
    args = ["export", str(demo_pack_dir), "--as-at", "2013-06", "--out", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    actions = {a["action"]: a for a in sheet_rows(openpyxl.load_workbook(out)["Actions"])}
    assert (actions["ACT-DP"]["status"], actions["ACT-DP"]["progress"]) == ("at_risk", 15)
    assert actions["ACT-DTOC"]["update_period"] is None  # no update yet in June


def test_export_as_at_before_a_risks_first_review_leaves_it_out(demo_pack_dir, tmp_path):
    out = tmp_path / "june.xlsx"
    args = ["export", str(demo_pack_dir), "--as-at", "2013-06", "--out", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    risks = {r["risk"]: r for r in sheet_rows(openpyxl.load_workbook(out)["Risks"])}
    assert "R-DEMAND" not in risks  # first reviewed in September
    assert (risks["R-HOSP"]["current_score"], risks["R-HOSP"]["trend"]) == (12, "new")


def test_draft_plan_summarises_each_section(demo_pack_dir):
    result = CliRunner().invoke(main, ["draft", str(demo_pack_dir), "--plan", "--format", "json"])
    assert result.exit_code == 0, result.output
    drafts = json.loads(result.output)
    assert [d["section"] for d in drafts] == ["asc", "scs"]
    assert drafts[1]["draft"].startswith(
        "6 actions: 1 Complete, 1 Green, 1 Amber, 2 Red, 1 cancelled. "
    )
    assert (
        "Not enough permanent social workers (R-WORK) is flagged for review: SCS02 rated Red."
        in (drafts[1]["draft"])
    )


def test_draft_plan_of_a_pack_without_a_plan_says_so(pack_dir):
    result = CliRunner().invoke(main, ["draft", str(pack_dir), "--plan"])
    assert result.exit_code == 2
    assert "this pack has no business plan" in result.output


def test_export_review_date_is_the_next_review_the_latest_review_set(demo_pack_dir, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(demo_pack_dir, pack)
    risks = pack / "plan" / "risks.yaml"
    text = risks.read_text("utf-8")
    given = "{period: 2013-09, likelihood: 4, impact: 5, note: Fewer"
    assert given in text
    dated = given.replace("impact: 5,", "impact: 5, next_review: 2014-02-28,")
    risks.write_text(text.replace(given, dated), "utf-8")
    for as_at, expected in (("2013-09", dt.datetime(2014, 2, 28)), ("2013-06", None)):
        out = tmp_path / f"{as_at}.xlsx"
        args = ["export", str(pack), "--as-at", as_at, "--out", str(out)]
        assert CliRunner().invoke(main, args).exit_code == 0
        rows = {r["risk"]: r for r in sheet_rows(openpyxl.load_workbook(out)["Risks"])}
        # June's review set no date: the register's own (31 December 2013) stands then
        assert rows["R-WORK"]["review_date"] == (expected or dt.datetime(2013, 12, 31))
