"""Hostile and mistaken import files: refused with one clear message before anything is read
whole, or each mistake named by row and column, never a crash or a silently changed figure."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tracemalloc
import zipfile

import pytest

from kpiboard.packs import workbook_check
from kpiboard.packs.datafiles import parse_number
from kpiboard.packs.importer import plan_import, read_table
from kpiboard.packs.problems import PackError
from tests.hostile_files import (
    add_part,
    declare_size,
    number_cell,
    ods_number,
    ods_text,
    one_cell_at,
    shared_string_bomb,
    sheet_xml,
    text_cell,
    write_ods,
    write_xlsx,
)
from tests.packs.test_import import write_xlsx as write_real_xlsx

TOO_LARGE = "kpiboard reads sheets of at most 100,000 rows, 1,000 columns and 2,000,000 cells"


def problems_of(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


@pytest.fixture
def reader_never_called(monkeypatch):
    """Fail the test if the spreadsheet reader is reached: the check must refuse first."""
    import python_calamine

    def refuse(*_args, **_kwargs):
        raise AssertionError("the spreadsheet reader was reached")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)


@pytest.mark.parametrize(
    ("ref", "extent"),
    [
        ("XFD1048576", "1,048,576 rows and 16,384 columns"),
        ("XFD10000", "10,000 rows and 16,384 columns"),
        ("A100001", "100,001 rows and 1 column"),
        ("ALM1", "1 row and 1,001 columns"),
        ("ALL2001", "2,001 rows and 1,000 columns"),  # each within its limit, too many cells
    ],
)
def test_a_sheet_reaching_too_far_is_refused_before_reading(
    tmp_path, reader_never_called, ref, extent
):
    path = one_cell_at(tmp_path / "far.xlsx", ref)
    assert path.stat().st_size < 2000
    with pytest.raises(PackError) as excinfo:
        read_table(path)
    (problem,) = problems_of(excinfo)
    assert problem.startswith(f"far.xlsx: the sheet reaches cell {ref} ({extent} from A1)")
    assert TOO_LARGE in problem


def test_a_sheet_within_the_limits_is_read(tmp_path):
    rows, _ = read_table(one_cell_at(tmp_path / "near.xlsx", "ALL2000"))
    assert len(rows) == 2000 and len(rows[-1]) == 1000 and rows[-1][-1] == "1"


def test_the_cells_are_checked_not_only_the_declared_dimension(tmp_path, reader_never_called):
    rows = f'<row r="1">{number_cell("A1")}</row><row r="100000"/><row><c><v>1</v></c></row>'
    sheet = sheet_xml(rows, dimension="A1")  # the dimension claims one cell
    with pytest.raises(PackError, match=r"the sheet reaches cell A100001 \(100,001 rows and 1 "):
        read_table(write_xlsx(tmp_path / "lies.xlsx", sheet))


def test_cells_without_references_are_counted_in_place(tmp_path, reader_never_called):
    cells = "<c><v>1</v></c>" * 1001
    with pytest.raises(PackError, match="1 row and 1,001 columns"):
        read_table(write_xlsx(tmp_path / "wide.xlsx", sheet_xml(f"<row>{cells}</row>")))


def test_a_shared_string_bomb_is_refused_without_unpacking_it(
    tmp_path, reader_never_called, monkeypatch
):
    """The limit on the unpacked size is set well below the bomb, and the refusal comes before
    a chunk more than the limit is unpacked: memory stays at a chunk, not the string."""
    monkeypatch.setattr(workbook_check, "MAX_UNCOMPRESSED_BYTES", 2 * 2**20)
    path = shared_string_bomb(tmp_path / "bomb.xlsx", mebibytes=64)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(PackError) as excinfo:
            read_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems_of(excinfo) == [
        "bomb.xlsx: the workbook unpacks to more than 2 MB; kpiboard reads smaller workbooks: "
        "copy the figures into a new one"
    ]
    assert peak < 2**20


def test_a_bomb_is_refused_by_its_packing_ratio_at_the_default_limits(
    tmp_path, reader_never_called
):
    path = shared_string_bomb(tmp_path / "bomb.xlsx", mebibytes=64)
    with pytest.raises(PackError) as excinfo:
        read_table(path)
    assert problems_of(excinfo) == [
        "bomb.xlsx: part xl/sharedStrings.xml unpacks to more than 100 times its packed size: "
        "kpiboard does not read such a workbook"
    ]


def test_the_unpacked_size_a_zip_declares_is_not_trusted(tmp_path, reader_never_called):
    path = shared_string_bomb(tmp_path / "liar.xlsx", mebibytes=64)
    declare_size(path, "xl/sharedStrings.xml", 10)
    assert zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml").file_size == 10
    with pytest.raises(PackError, match=r"sharedStrings\.xml unpacks to more than 100 times"):
        read_table(path)


def test_a_part_packed_too_tightly_is_refused(tmp_path, reader_never_called):
    path = one_cell_at(tmp_path / "dense.xlsx", "A1")
    add_part(path, "xl/media/blank.bin", (b"\0" * 2**20 for _ in range(3)))
    with pytest.raises(PackError) as excinfo:
        read_table(path)
    assert problems_of(excinfo) == [
        "dense.xlsx: part xl/media/blank.bin unpacks to more than 100 times its packed size: "
        "kpiboard does not read such a workbook"
    ]


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr("kpiboard.packs.tables.MAX_FILE_BYTES", 2**20)
    path = tmp_path / "big.csv"
    path.write_text("indicator,period,series,value\n" + "ASC01,2013-09,actual,1\n" * 70_000)
    with pytest.raises(PackError) as excinfo:
        read_table(path)
    assert problems_of(excinfo) == [
        "big.csv: is 1.5 MB; kpiboard imports files of at most 1 MB: split it into smaller files"
    ]


def test_a_document_type_is_refused(tmp_path, reader_never_called):
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    sheet = sheet_xml(f'<row r="1">{text_cell("A1", "&b;")}</row>', prolog=laughs)
    with pytest.raises(PackError, match=r"part xl/worksheets/sheet1\.xml declares a document type"):
        read_table(write_xlsx(tmp_path / "laughs.xlsx", sheet))


@pytest.mark.parametrize("suffix", [".xls", ".xlsb", ".xlsm"])
def test_workbook_kinds_not_offered_are_refused_by_suffix(tmp_path, suffix):
    path = one_cell_at(tmp_path / f"book{suffix}", "A1")
    with pytest.raises(PackError) as excinfo:
        read_table(path)
    assert problems_of(excinfo) == [
        f"book{suffix}: cannot import {suffix}: use .csv, .xlsx or .ods"
    ]


def test_a_file_that_is_not_a_zip_is_refused_by_its_first_bytes(tmp_path, reader_never_called):
    path = tmp_path / "old.xlsx"
    path.write_bytes(workbook_check.OLE_MAGIC + b"\0" * 500)
    with pytest.raises(PackError) as excinfo:
        read_table(path)
    assert problems_of(excinfo) == [
        "old.xlsx: not a readable spreadsheet: it is not an .xlsx workbook (it looks like an old "
        ".xls workbook); save it from the spreadsheet program as .xlsx or as CSV UTF-8"
    ]


def test_an_ods_with_repeated_figures_reaching_too_far_is_refused(tmp_path, reader_never_called):
    repeated = '<table:table-row table:number-rows-repeated="3000">'
    rows = f"{repeated}{ods_number('1', 1000)}</table:table-row>"
    with pytest.raises(PackError, match=r"reaches cell ALL3000 \(3,000 rows and 1,000 columns"):
        read_table(write_ods(tmp_path / "repeat.ods", rows))


def test_an_ods_with_trailing_empty_rows_and_columns_is_read(tmp_path):
    empty = '<table:table-cell table:number-columns-repeated="16383"/>'
    rows = (
        f"<table:table-row>{ods_text('x')}{ods_number('2')}{empty}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="1048575">{empty}</table:table-row>'
    )
    rows_read, _ = read_table(write_ods(tmp_path / "saved.ods", rows))
    assert rows_read == [["x", "2"]]


def test_the_extent_checked_is_the_sheet_imported(tmp_path):
    """A second, larger sheet does not stop an import of the first."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["x"])
    book.create_sheet("Raw")["ALM1"] = 1
    book.save(tmp_path / "two.xlsx")
    assert read_table(tmp_path / "two.xlsx")[0] == [["x"]]
    with pytest.raises(PackError, match=r"two.xlsx: the sheet reaches cell ALM1"):
        read_table(tmp_path / "two.xlsx", sheet="Raw")


def test_the_cli_refuses_a_far_cell_in_one_line_without_a_traceback(pack_dir, tmp_path):
    """Run apart, under a memory cap, so a reader that still allocated would abort only it."""
    path = one_cell_at(tmp_path / "far.xlsx", "XFD1048576")
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2**31, 2**31)); "
        "from kpiboard.cli import main; sys.argv = ['kpiboard'] + sys.argv[1:]; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "import", str(path), "--pack", str(pack_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("far.xlsx: the sheet reaches cell XFD1048576")
    assert lines[1:] == ["1 problem found."]
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr


# --- numbers, formulas and dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1_000", "leave out the underscores"),
        ("(1_000)", "leave out the underscores"),
        ("١٢", "write it with the digits 0-9"),  # Arabic-Indic
        ("１２", "write it with the digits 0-9"),  # full width
        ("۱۲٫۵", "write it with the digits 0-9"),  # Persian with a decimal separator
    ],
)
def test_numbers_other_than_plain_digits_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_number(text)


def test_plain_numbers_still_read():
    assert parse_number(" 1000 ") == 1000.0
    assert parse_number("(2068)") == -2068.0
    assert parse_number("1.5e3") == 1500.0


def test_numbers_in_an_import_are_named_by_row(pack_dir, tmp_path):
    path = tmp_path / "n.csv"
    path.write_text(
        "indicator,period,series,value\nASC01,2013-10,actual,1_000\nASC02,2013-10,actual,١٢\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, path)
    assert problems_of(excinfo) == [
        "n.csv:2: value: '1_000' is not a number: leave out the underscores",
        "n.csv:3: value: '١٢' is not a number: write it with the digits 0-9",
    ]


def test_a_formula_without_a_saved_result_is_reported_not_dropped(pack_dir, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["indicator", "series", "Oct-13", "Nov-13"])
    book.active.append(["ASC01", "actual", 75, "=C2+1"])
    book.save(tmp_path / "formula.xlsx")
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, tmp_path / "formula.xlsx")
    assert problems_of(excinfo) == [
        "formula.xlsx:2: column D: a formula with no saved result, so no figure: open the file "
        "in the spreadsheet program and save it, or paste the figures as values"
    ]


def test_a_formula_with_a_saved_result_is_read(pack_dir, tmp_path):
    cells = (
        f'<row r="1">{text_cell("A1", "indicator")}{text_cell("B1", "series")}'
        f'{text_cell("C1", "Oct-13")}</row><row r="2">{text_cell("A2", "ASC01")}'
        f'{text_cell("B2", "actual")}<c r="C2"><f>74+1</f><v>75</v></c></row>'
    )
    plan = plan_import(pack_dir, write_xlsx(tmp_path / "saved.xlsx", sheet_xml(cells)))
    assert [(c.indicator, c.period, c.new) for c in plan.changes] == [("ASC01", "2013-10", 75.0)]


def test_a_date_on_a_monthly_indicator_names_the_month_it_falls_in(pack_dir, tmp_path):
    source = write_real_xlsx(
        tmp_path / "dates.xlsx",
        [
            ["indicator", "period", "series", "value"],
            ["ASC01", dt.datetime(2013, 10, 15), "actual", 75],
            ["ASC02", dt.datetime(2013, 11, 1), "actual", 9],  # a month, as typed 'Nov-13'
        ],
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, source)
    assert problems_of(excinfo) == [
        "dates.xlsx:2: column B: 2013-10-15 is a day, but ASC01 has monthly figures: the date "
        "falls in 2013-10 (Oct-13); write that period instead"
    ]


def test_a_day_heading_a_wide_column_is_named_for_each_monthly_row(pack_dir, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("indicator,series,2013-10-15\nASC01,actual,75\n", encoding="utf-8")
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, path)
    assert problems_of(excinfo) == [
        "wide.csv:2: column C: 2013-10-15 is a day, but ASC01 has monthly figures: the date "
        "falls in 2013-10 (Oct-13); write that period instead"
    ]
