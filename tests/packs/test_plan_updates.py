"""Business plan updates from a spreadsheet: the Actions and Risks sheets of ``kpiboard export``,
filled in and brought back with ``kpiboard import``; an unedited sheet changes nothing, every
problem is named by sheet, row and column, and nothing is written unless all of it is good."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.core.actions import ActionStatus
from kpiboard.packs.loader import load_pack


@pytest.fixture
def pack(demo_pack_dir, tmp_path) -> Path:
    return shutil.copytree(demo_pack_dir, tmp_path / "pack")


def exported(pack: Path, tmp_path: Path) -> Path:
    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(main, ["export", str(pack), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def edit(book_path: Path, sheet: str, ident: str, **cells) -> None:
    book = openpyxl.load_workbook(book_path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == ident:
            for name, value in cells.items():
                row[header.index(name)].value = value
    book.save(book_path)


def run(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def test_an_unedited_actions_sheet_changes_nothing(pack, tmp_path):
    book = exported(pack, tmp_path)
    before = (pack / "plan" / "actions.yaml").read_bytes()
    result = run(str(book), "--pack", str(pack), "--sheet", "Actions")
    assert result.exit_code == 0, result.output
    assert "0 changed, 13 unchanged" in result.output and "Nothing to change." in result.output
    assert (pack / "plan" / "actions.yaml").read_bytes() == before


def test_an_actions_sheet_replaces_the_periods_update(pack, tmp_path):
    book = exported(pack, tmp_path)
    edit(book, "Actions", "ACT-TEL", status="at_risk", progress=50,
         update="Installations slowed while a new supplier was found.")  # fmt: skip
    result = run(str(book), "--pack", str(pack), "--sheet", "Actions")
    assert result.exit_code == 0, result.output
    assert "ACT-TEL 2013-09: update from row" in result.output
    assert "its comments are not kept" in result.output
    action = next(a for a in load_pack(pack).plan.actions if a.id == "ACT-TEL")
    latest = action.updates[-1]
    assert (latest.period.label, latest.status, latest.progress) == (
        "2013-09",
        ActionStatus.AT_RISK,
        50,
    )
    assert latest.text.startswith("Installations slowed")
    assert [u.period.label for u in action.updates] == ["2013-06", "2013-09"]  # replaced


def test_an_owners_rag_needs_a_reason_and_problems_name_the_cell(pack, tmp_path):
    book = exported(pack, tmp_path)
    edit(book, "Actions", "ACT-DP", overridden="TRUE", rag="purple", override_reason=None,
         progress=140, status="going well")  # fmt: skip
    before = (pack / "plan" / "actions.yaml").read_bytes()
    result = run(str(book), "--pack", str(pack), "--sheet", "Actions")
    assert result.exit_code == 1
    for words in ("status (column G): 'going well' is not one of",
                  "progress (column H): must be from 0 to 100, not 140",
                  "rag (column I): an overridden RAG must be one of: red, amber, green",
                  "override_reason (column L): give the reason"):  # fmt: skip
        assert words in result.output
    assert (pack / "plan" / "actions.yaml").read_bytes() == before


def test_a_risks_sheet_gives_the_periods_review(pack, tmp_path):
    book = exported(pack, tmp_path)
    edit(book, "Risks", "R-MARKET", current_likelihood=5, current_impact=5, review_period="2013-10")
    book_ = openpyxl.load_workbook(book)
    book_["Risks"].cell(row=1, column=book_["Risks"].max_column + 1, value="review_note")
    book_.save(book)
    result = run(str(book), "--pack", str(pack), "--sheet", "Risks")
    assert result.exit_code == 0, result.output
    risk = next(r for r in load_pack(pack).plan.risks if r.id == "R-MARKET")
    assert (risk.reviews[-1].period.label, risk.reviews[-1].score.value) == ("2013-10", 25)


def test_a_risk_score_off_the_matrix_is_refused(pack, tmp_path):
    book = exported(pack, tmp_path)
    edit(book, "Risks", "R-MARKET", current_likelihood=6)
    result = run(str(book), "--pack", str(pack), "--sheet", "Risks")
    assert result.exit_code == 1 and "current_likelihood (column K): must be from 1 to 5" in (
        result.output
    )


def test_an_unknown_action_is_named_with_its_row(pack, tmp_path):
    book = exported(pack, tmp_path)
    edit(book, "Actions", "ACT-TEL", action="ACT-NOPE")
    result = run(str(book), "--pack", str(pack), "--sheet", "Actions", "--dry-run")
    assert result.exit_code == 1
    assert (
        "plan.xlsx[Actions]:2: action (column A): the pack's plan/actions.yaml has no action"
        in (result.output)
    )


def test_an_unedited_risks_sheet_keeps_every_review_note(pack, tmp_path):
    book = exported(pack, tmp_path)
    before = (pack / "plan" / "risks.yaml").read_bytes()
    result = run(str(book), "--pack", str(pack), "--sheet", "Risks")
    assert result.exit_code == 0, result.output
    assert " 0 changed" in result.output
    assert (pack / "plan" / "risks.yaml").read_bytes() == before


def test_a_changed_row_whose_period_cell_names_an_earlier_update_is_refused(pack, tmp_path):
    manifest = pack / "kpiboard.yaml"
    manifest.write_text(manifest.read_text("utf-8").replace("as_at: 2013-09", "as_at: 2013-10"))
    book = exported(pack, tmp_path)  # ACT-TEL's update_period cell says 2013-09
    edit(book, "Actions", "ACT-TEL", status="at_risk")
    result = run(str(book), "--pack", str(pack), "--sheet", "Actions")
    assert result.exit_code == 1
    assert "would change the 2013-09 entry, before the pack's as-at period 2013-10" in (
        result.output
    )
    edit(book, "Actions", "ACT-TEL", update_period=None)  # blank: the as-at period
    result = run(str(book), "--pack", str(pack), "--sheet", "Actions")
    assert result.exit_code == 0, result.output
    action = next(a for a in load_pack(pack).plan.actions if a.id == "ACT-TEL")
    assert [u.period.label for u in action.updates] == ["2013-06", "2013-09", "2013-10"]
    assert action.updates[1].status is ActionStatus.ON_TRACK  # September's left as it was


def test_two_rows_for_one_action_and_period_are_refused(pack, tmp_path):
    book = exported(pack, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["Actions"]
    ws.append([c.value for c in ws[2]])
    wb.save(book)
    edit(book, "Actions", "ACT-TEL", progress=60)
    result = run(str(book), "--pack", str(pack), "--sheet", "Actions")
    assert result.exit_code == 1 and "is also given in row 2" in result.output


def _hosp(pack: Path):
    return next(r for r in load_pack(pack).plan.risks if r.id == "R-HOSP")


def test_a_risks_sheet_review_date_sets_the_reviews_next_review(pack, tmp_path):
    book = exported(pack, tmp_path)  # R-HOSP: reviewed 2013-09, the as-at month; due 2013-12-31
    edit(book, "Risks", "R-HOSP", review_date="2013-11-30", current_likelihood=5)
    result = run(str(book), "--pack", str(pack), "--sheet", "Risks")
    assert result.exit_code == 0, result.output
    assert "R-HOSP 2013-09: review from row" in result.output
    latest = _hosp(pack).reviews[-1]
    assert (latest.period.label, latest.score.likelihood) == ("2013-09", 5)
    assert latest.next_review is not None and latest.next_review.isoformat() == "2013-11-30"
    (tmp_path / "again").mkdir()
    again = exported(pack, tmp_path / "again")
    ws = openpyxl.load_workbook(again)["Risks"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "R-HOSP")
    assert str(row[header.index("review_date")].value)[:10] == "2013-11-30"


def test_a_risks_sheet_review_date_alone_changes_the_review(pack, tmp_path):
    book = exported(pack, tmp_path)
    edit(book, "Risks", "R-HOSP", review_date="2014-02-28")
    result = run(str(book), "--pack", str(pack), "--sheet", "Risks")
    assert result.exit_code == 0, result.output
    assert " 1 changed" in result.output
    latest = _hosp(pack).reviews[-1]
    assert latest.next_review is not None and latest.next_review.isoformat() == "2014-02-28"
    assert latest.note.startswith("Delays rose")  # the review's other fields are kept


def test_a_risks_sheet_review_date_before_the_month_reviewed_is_refused(pack, tmp_path):
    book = exported(pack, tmp_path)
    edit(book, "Risks", "R-HOSP", review_date="2013-09-15")
    edit(book, "Risks", "R-MARKET", review_date="next week")
    before = (pack / "plan" / "risks.yaml").read_bytes()
    result = run(str(book), "--pack", str(pack), "--sheet", "Risks")
    assert result.exit_code == 1
    assert (
        "plan.xlsx[Risks]:2: review_date (column W): must not be before the end of the period "
        "reviewed (30 September 2013)" in result.output
    )
    assert "review_date (column W): 'next week' is not a date" in result.output
    assert (pack / "plan" / "risks.yaml").read_bytes() == before


def test_an_unedited_risks_sheet_keeps_a_review_set_next_review(pack, tmp_path):
    risks = pack / "plan" / "risks.yaml"
    risks.write_text(risks.read_text("utf-8").replace(
        "ahead of winter.}", "ahead of winter., next_review: 2014-01-31}"))  # fmt: skip
    book = exported(pack, tmp_path)
    before = risks.read_bytes()
    result = run(str(book), "--pack", str(pack), "--sheet", "Risks")
    assert result.exit_code == 0, result.output
    assert " 0 changed" in result.output
    assert risks.read_bytes() == before
