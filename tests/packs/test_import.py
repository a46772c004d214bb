import datetime as dt
import os
import re

import pytest
import xlsxwriter

from kpiboard.core.periods import UK
from kpiboard.packs import importer
from kpiboard.packs.exporter import export_wide
from kpiboard.packs.importer import apply_import, cell_text, plan_import, read_table
from kpiboard.packs.loader import load_pack
from kpiboard.packs.problems import PackError

P = UK.parse


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def write_xlsx(path, rows, sheet="Sheet1"):
    """Cells as given: datetime values become Excel dates (as a typed 'Sep-13' does)."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    month = book.add_format({"num_format": "mmm-yy"})
    for i, cells in enumerate(rows):
        for j, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                ws.write_datetime(i, j, value, month)
            elif isinstance(value, str):
                ws.write_string(i, j, value)
            else:
                ws.write_number(i, j, value)
    book.close()
    return path


def value(pack_dir, indicator, period, series="actual"):
    data = load_pack(pack_dir).data[indicator]
    i = data.index_of(P(period))
    return None if i is None else float(data.get(series)[i])


def problems_of(excinfo):
    return [str(p) for p in excinfo.value.problems]


# --- reading tables ------------------------------------------------------------------------------


def test_cell_text_keeps_numbers_exact_and_turns_month_dates_into_periods():
    assert cell_text(73.0) == "73"
    assert cell_text(24.9) == "24.9"
    assert cell_text(0.1 + 0.2) == "0.30000000000000004"
    assert cell_text(None) == ""
    assert cell_text(dt.date(2013, 9, 1), period=True) == "2013-09"
    assert cell_text(dt.datetime(2013, 9, 1), period=True) == "2013-09"
    assert cell_text(dt.date(2013, 9, 30), period=True) == "2013-09-30"
    assert cell_text(dt.date(2013, 9, 1)) == "2013-09-01"


def test_read_table_xlsx(tmp_path):
    path = write_xlsx(
        tmp_path / "sheet.xlsx",
        [
            ["indicator", "series", dt.datetime(2013, 9, 1), dt.datetime(2013, 9, 15), "Oct-13"],
            ["ASC01", "actual", 24.9, 73, None],
        ],
    )
    rows, label = read_table(path)
    assert label == "sheet.xlsx"
    assert rows[0] == ["indicator", "series", "2013-09", "2013-09-15", "Oct-13"]
    assert rows[1] == ["ASC01", "actual", "24.9", "73", ""]


def test_read_table_csv_with_bom_and_named_sheet(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_bytes("\ufeffindicator,period,series,value\nASC01,Sep-13,actual,74\n".encode())
    rows, label = read_table(path)
    assert (rows[0][0], label) == ("indicator", "figures.csv")
    book = write_xlsx(tmp_path / "book.xlsx", [["x"]], sheet="Data")
    assert read_table(book, sheet="Data")[1] == "book.xlsx[Data]"
    with pytest.raises(PackError, match="no sheet 'Nope'"):
        read_table(book, sheet="Nope")


def test_unreadable_files_are_problems(tmp_path):
    with pytest.raises(PackError, match=r"cannot import \.txt"):
        read_table(write(tmp_path / "a.txt", "x"))
    with pytest.raises(PackError, match="not a readable spreadsheet"):
        read_table(write(tmp_path / "a.xlsx", "not a zip"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("indicator\n£".encode("cp1252"))
    with pytest.raises(PackError, match="CSV UTF-8"):
        read_table(latin)


# --- planning ------------------------------------------------------------------------------------


def test_long_csv_preview(pack_dir, tmp_path):
    source = write(
        tmp_path / "import.csv",
        "indicator,period,series,value\n"
        "ASC01,2013-09,actual,75\n"  # changed
        "ASC01,Oct-13,actual,72\n"  # new
        "ASC02,2013-09,actual,9.0\n"  # unchanged
        "ASC02,2013-10,actual,\n",  # no figure given
    )
    plan = plan_import(pack_dir, source)
    assert (plan.layout, plan.new, plan.changed, plan.unchanged) == ("long", 1, 1, 1)
    assert plan.describe().splitlines() == [
        "import.csv (long layout): 1 new, 1 changed, 1 unchanged",
        "ASC01 2013-09 actual: 74 -> 75",
        "ASC01 2013-10 actual: new 72",
    ]
    assert plan.files == ["data/actuals.csv", "data/imported.csv"]


def test_wide_csv_with_spreadsheet_period_labels(pack_dir, tmp_path):
    source = write(
        tmp_path / "trend.csv",
        "Indicator,Series,Aug-13,Sep-13,Oct-13\n"
        "ASC01,actual,73,74,76\n"
        "ASC01,target,72,72.5,\n"
        "ASC02,actual,,,8\n",
    )
    plan = plan_import(pack_dir, source)
    assert plan.layout == "wide"
    assert (plan.new, plan.changed, plan.unchanged) == (2, 1, 3)
    assert "ASC01 2013-09 target: 72 -> 72.5" in plan.describe()
    assert "ASC02 2013-10 actual: new 8" in plan.describe()


def test_xlsx_wide_with_date_header(pack_dir, tmp_path):
    source = write_xlsx(
        tmp_path / "sheet.xlsx",
        [
            ["indicator", "series", dt.datetime(2013, 9, 1), "2013-10"],
            ["ASC01", "actual", 74, 24.9],
            ["ASC01", "clients", 11541, 11600],
        ],
    )
    plan = plan_import(pack_dir, source)
    assert (plan.new, plan.changed, plan.unchanged) == (2, 0, 2)
    apply_import(plan)
    assert value(pack_dir, "ASC01", "2013-10") == 24.9
    assert "ASC01,2013-10,actual,24.9\n" in (pack_dir / "data/imported.csv").read_text()


def test_xlsx_long_layout(pack_dir, tmp_path):
    source = write_xlsx(
        tmp_path / "long.xlsx",
        [
            [],
            ["indicator", "period", "series", "value", "note"],
            ["ASC02", dt.datetime(2013, 10, 1), "actual", 8, "Early figure"],
            ["ASC02", "2013/14 Q2", "actual", "lots", None],
        ],
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, source)
    assert problems_of(excinfo) == ["long.xlsx:4: column D: 'lots' is not a number"]


def test_wide_header_that_is_not_a_period_names_the_cell(pack_dir, tmp_path):
    source = write_xlsx(
        tmp_path / "sheet.xlsx",
        [["indicator", "series", "Sep-13", "Foo"], ["ASC01", "actual", 74, 1]],
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, source)
    [problem] = problems_of(excinfo)
    assert problem.startswith("sheet.xlsx:1: column D: 'Foo' is not a period label")


def test_every_problem_is_reported_at_once(pack_dir, tmp_path, snapshot):
    before = snapshot(pack_dir)
    source = write(
        tmp_path / "import.csv",
        "indicator,period,series,value\n"
        "ASC01,2013-10,actual,72\n"
        "ASC99,2013-10,actual,1\n"  # unknown indicator
        "ASC01,2013-13,actual,1\n"  # bad period
        "ASC03,2013-10,target,5\n"  # target on a not-rated indicator
        "ASC01,2013-10,actual,73\n"  # duplicate
        "ASC02,2013-10,actual,12%\n"  # not a number
        "ASC02,2013-10,admissions,3\n",  # undeclared series
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, source)
    assert problems_of(excinfo) == [
        "import.csv:3: indicator: unknown indicator 'ASC99'",
        "import.csv:4: period: '2013-13': month must be 01-12",
        "import.csv:5: series: ASC03 is a not-rated indicator: it has no target",
        "import.csv:6: duplicate row: ASC01 2013-10 actual is already at line 2",
        "import.csv:7: value: '12%' is not a number: write percentages without %, e.g. 12",
        "import.csv:8: series: 'admissions' is not a series of ASC02 "
        "(use actual, target, floor, lower, upper, ci_lower, ci_upper)",
    ]
    assert snapshot(pack_dir) == before


def test_three_mistakes_give_three_problems(pack_dir, tmp_path):
    source = write(
        tmp_path / "import.csv",
        "indicator,period,series,value\n"
        "asc01,2013-10,actual,1\n"
        "ASC01,2013-10,actual,1,000\n"
        "ASC02,Smarch-13,actual,1\n",
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, source)
    problems = problems_of(excinfo)
    assert len(problems) == 3
    assert problems[0] == "import.csv:2: indicator: unknown indicator 'asc01' (did you mean ASC01?)"
    assert problems[1].startswith("import.csv:3: ")
    assert problems[2].startswith("import.csv:4: period: 'Smarch-13'")


def test_header_problems(pack_dir, tmp_path):
    for text, expected in [
        ("", "empty"),
        ("a,b,c\n1,2,3\n", "expected the long layout"),
        ("indicator,period,series,value,colour\n", "unknown column(s) colour"),
        ("indicator,series\nASC01,actual\n", "no period columns"),
    ]:
        source = write(tmp_path / "import.csv", text)
        with pytest.raises(PackError, match=re.escape(expected)):
            plan_import(pack_dir, source)


def test_an_invalid_pack_is_reported_before_the_file(pack_dir, tmp_path):
    write(pack_dir / "data/broken.csv", "indicator,period,series,value\nASC01,2013-09,actual,1\n")
    source = write(tmp_path / "import.csv", "indicator,period,series,value\n")
    with pytest.raises(PackError, match=r"data/broken.csv:2: duplicate row"):
        plan_import(pack_dir, source)


def test_import_that_breaks_a_derived_indicator_is_refused(pack_dir, tmp_path, snapshot):
    write(
        pack_dir / "indicators/ASC04.yaml",
        "id: ASC04\nsection: asc\ntitle: Admissions, rolling 12 months\nunit: count\n"
        "polarity: lower_is_better\nrated: false\n"
        "series:\n  admissions: {label: Admissions, role: extra}\n"
        "derive: {method: rolling_12, how: sum, source: admissions}\n",
    )
    before = snapshot(pack_dir)
    source = write(
        tmp_path / "import.csv", "indicator,period,series,value\nASC04,2013/14 Q2,admissions,5\n"
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, source)
    assert problems_of(excinfo) == [
        "indicators/ASC04.yaml: derive: source series must be monthly figures "
        "(after importing import.csv)"
    ]
    assert snapshot(pack_dir) == before


# --- applying ------------------------------------------------------------------------------------


def test_apply_updates_in_place_and_appends_new_rows(pack_dir, tmp_path):
    source = write(
        tmp_path / "import.csv",
        "indicator,period,series,value,note\n"
        "ASC01,Sep-13,actual,75,\n"
        "ASC01,2013-08,actual,,Revised by the NHS\n"
        "ASC02,2013-10,actual,8,\n"
        "ASC02,2013-06,target,11,\n",
    )
    extra_before = (pack_dir / "data/extra.csv").read_bytes()
    plan = plan_import(pack_dir, source)
    assert (plan.new, plan.changed, plan.unchanged) == (1, 3, 0)
    assert apply_import(plan) == ["data/actuals.csv", "data/imported.csv", "data/targets.csv"]

    actuals = (pack_dir / "data/actuals.csv").read_text().splitlines()
    assert actuals[3] == "ASC01,2013-08,actual,73,Revised by the NHS"  # note changed, value kept
    assert actuals[4] == "ASC01,2013-09,actual,75,"  # the file's own period label is kept
    assert actuals[1:3] == ["ASC01,2013-06,actual,70,", "ASC01,2013-07,actual,71.5,"]
    assert len(actuals) == 12
    targets = (pack_dir / "data/targets.csv").read_text().splitlines()
    assert targets[6] == "ASC02,2013-06,target,11"
    assert (pack_dir / "data/imported.csv").read_text() == (
        "indicator,period,series,value\nASC02,2013-10,actual,8\n"
    )
    assert (pack_dir / "data/extra.csv").read_bytes() == extra_before

    pack = load_pack(pack_dir)
    assert pack.data_notes[("ASC01", P("2013-08"))] == "Revised by the NHS"
    assert value(pack_dir, "ASC01", "2013-09") == 75
    assert value(pack_dir, "ASC02", "2013-10") == 8

    # Importing the same file again changes nothing.
    again = plan_import(pack_dir, source)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 4)
    assert apply_import(again) == []


def test_apply_appends_to_an_existing_imported_file_and_keeps_line_endings(pack_dir, tmp_path):
    targets = pack_dir / "data/targets.csv"
    targets.write_bytes(targets.read_bytes().replace(b"\n", b"\r\n"))
    imported = pack_dir / "data/imported.csv"
    imported.write_bytes(b"\xef\xbb\xbfindicator,period,series,value\nASC01,2013-11,target,73")
    source = write(
        tmp_path / "import.csv",
        "indicator,period,series,value,note\n"
        "ASC01,2013-10,target,72.5,\n"
        "ASC01,2013-12,target,74,Stretch target\n",
    )
    apply_import(plan_import(pack_dir, source))
    assert b"ASC01,2013-10,target,72.5\r\n" in targets.read_bytes()
    assert targets.read_bytes().count(b"\r\n") == targets.read_bytes().count(b"\n") == 10
    assert imported.read_bytes() == (
        b"\xef\xbb\xbfindicator,period,series,value,note\n"
        b"ASC01,2013-11,target,73\n"
        b"ASC01,2013-12,target,74,Stretch target\n"
    )
    assert value(pack_dir, "ASC01", "2013-12", "target") == 74


def test_empty_cells_never_delete_figures(pack_dir, tmp_path):
    source = write(
        tmp_path / "trend.csv", "indicator,series,2013-08,2013-09\nASC01,actual,,\nASC02,actual,,\n"
    )
    plan = plan_import(pack_dir, source)
    assert (plan.new, plan.changed, plan.unchanged) == (0, 0, 0)
    assert not plan.has_changes
    assert "no changes" in plan.describe()
    assert value(pack_dir, "ASC01", "2013-09") == 74


def test_a_bad_row_changes_nothing(pack_dir, tmp_path, snapshot):
    before = snapshot(pack_dir)
    source = write(
        tmp_path / "import.csv",
        "indicator,period,series,value\nASC01,2013-10,actual,72\nASC01,2013-11,actual,n/a\n",
    )
    with pytest.raises(PackError) as excinfo:
        plan_import(pack_dir, source)
    assert problems_of(excinfo) == ["import.csv:3: value: 'n/a' is not a number"]
    assert snapshot(pack_dir) == before


def test_apply_refuses_when_the_data_changed_since_the_plan(pack_dir, tmp_path, snapshot):
    source = write(
        tmp_path / "import.csv", "indicator,period,series,value\nASC01,2013-10,actual,1\n"
    )
    plan = plan_import(pack_dir, source)
    write(pack_dir / "data/extra.csv", "indicator,period,series,value\n")
    before = snapshot(pack_dir)
    with pytest.raises(PackError, match=r"data/extra\.csv: changed since the import was planned"):
        apply_import(plan)
    assert snapshot(pack_dir) == before


def test_apply_validates_the_resulting_pack_before_writing(pack_dir, tmp_path, snapshot):
    source = write(
        tmp_path / "import.csv", "indicator,period,series,value\nASC01,2013-10,actual,1\n"
    )
    plan = plan_import(pack_dir, source)
    # The indicator register changes after planning: the import would leave an invalid pack.
    (pack_dir / "indicators/ASC01.yaml").write_text(
        (pack_dir / "indicators/ASC01.yaml").read_text().replace("rated: true", "")
        + "derive: {method: rolling_12, how: sum, source: clients}\n"
    )
    before = snapshot(pack_dir)
    with pytest.raises(PackError, match="actual is derived"):
        apply_import(plan)
    assert snapshot(pack_dir) == before


def test_a_failed_move_puts_back_the_files_already_moved(pack_dir, tmp_path, snapshot, monkeypatch):
    source = write(
        tmp_path / "import.csv",
        "indicator,period,series,value\n"
        "ASC01,2013-09,actual,75\n"
        "ASC01,2013-09,target,73\n"
        "ASC01,2013-10,actual,1\n",
    )
    plan = plan_import(pack_dir, source)
    before = snapshot(pack_dir)
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(importer.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        apply_import(plan)
    monkeypatch.setattr(importer.os, "replace", real_replace)
    assert snapshot(pack_dir) == before
    assert not list(pack_dir.rglob("*.tmp"))


# --- round trip ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_wide_then_import_changes_nothing(pack_dir, tmp_path, suffix):
    write(pack_dir / "data/more.csv", "indicator,period,series,value\nASC01,2012/13,actual,24.9\n")
    out = tmp_path / f"trend{suffix}"
    export_wide(load_pack(pack_dir), out)
    plan = plan_import(pack_dir, out)
    assert plan.layout == "wide"
    assert (plan.new, plan.changed) == (0, 0)
    assert plan.unchanged == 23  # every figure in the pack
    assert plan.describe().endswith("no changes")
