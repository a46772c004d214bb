import csv
import datetime as dt

import openpyxl
import pytest

from kpiboard.core.periods import UK
from kpiboard.packs.exporter import (
    RESULT_COLUMNS,
    SUMMARY_COLUMNS,
    export_results,
    export_wide,
    result_rows,
)
from kpiboard.packs.loader import load_pack


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def by_key(rows):
    return {(r["indicator"], r["period"]): r for r in rows}


def test_result_rows_columns_and_values(pack_dir):
    rows = result_rows(load_pack(pack_dir))
    assert all(tuple(r) == RESULT_COLUMNS for r in rows)
    found = by_key(rows)
    assert found["ASC01", "2013-09"] == {
        "indicator": "ASC01",
        "title": "Percentage of clients receiving a personal budget",
        "section": "asc",
        "period": "2013-09",
        "period_label": "Sep-13",
        "period_start": "2013-09-01",
        "period_end": "2013-09-30",
        "actual": 74.0,
        "target": 72.0,
        "floor": None,
        "unit": "%",
        "ci_lower": None,
        "ci_upper": None,
        "comparison": None,
        "rating": "GREEN",
        "computed_rating": "GREEN",
        "overridden": False,
        "override_reason": "",
        "override_by": "",
        "direction": "improved",
        "spc_point": None,
        "variation": None,
        "assurance": None,
        "peer_group": None,
        "peer_rank": None,
        "peer_of": None,
        "peer_quartile": None,
    }
    overridden = found["ASC01", "2013-08"]
    assert (overridden["rating"], overridden["computed_rating"]) == ("AMBER", "GREEN")
    assert overridden["overridden"] is True
    assert overridden["override_reason"] == "Figure under review"
    assert overridden["override_by"] == "Head of Performance"
    assert found["ASC02", "2013-08"]["rating"] == "AMBER"
    assert found["ASC02", "2013-08"]["direction"] == "worsened"
    assert found["ASC03", "2013-09"]["rating"] == "NOT_RATED"
    assert found["ASC02", "2013-06"]["direction"] == "not_comparable"


def test_result_rows_stop_at_the_as_at_period(pack_dir):
    pack = load_pack(pack_dir)
    assert ("ASC01", "2013-10") not in by_key(result_rows(pack))  # a target beyond as-at
    earlier = by_key(result_rows(pack, as_at="2013-07"))
    assert max(p for _, p in earlier) == "2013-07"
    assert by_key(result_rows(pack, as_at=UK.parse("2013-10")))["ASC01", "2013-10"]["rating"] == (
        "NO_DATA"
    )


def test_export_results_csv(pack_dir, tmp_path):
    out = tmp_path / "results.csv"
    export_results(load_pack(pack_dir), out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # so Excel reads it as UTF-8
    header, *rows = read_csv(out)
    assert header == list(RESULT_COLUMNS)
    assert len(rows) == 11
    row = dict(zip(header, rows[2], strict=True))
    assert (row["indicator"], row["period"], row["actual"], row["target"]) == (
        "ASC01",
        "2013-08",
        "73",
        "72",
    )
    assert (row["floor"], row["rating"], row["overridden"]) == ("", "AMBER", "true")
    assert dict(zip(header, rows[1], strict=True))["actual"] == "71.5"


def test_export_results_xlsx(pack_dir, tmp_path):
    out = tmp_path / "results.xlsx"
    export_results(load_pack(pack_dir), out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Results", "Summary"]
    ws = book["Results"]
    header = [c.value for c in ws[1]]
    assert header == list(RESULT_COLUMNS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["D"].width
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 11
    row = rows[1]
    assert (row["indicator"], row["period"], row["actual"], row["target"]) == (
        "ASC01",
        "2013-07",
        71.5,
        72,
    )
    assert isinstance(row["actual"], float)
    assert row["floor"] is None
    assert row["period_end"] == dt.datetime(2013, 7, 31)
    assert rows[2]["overridden"] is True
    assert rows[2]["rating"] == "AMBER"

    summary = book["Summary"]
    header = [c.value for c in summary[1]]
    assert header == list(SUMMARY_COLUMNS)
    lines = {r[0]: r for r in summary.iter_rows(min_row=2, values_only=True)}
    assert set(lines) == {"ASC01", "ASC02", "ASC03"}
    first = dict(zip(header, lines["ASC01"], strict=True))
    assert (first["latest_period"], first["actual"], first["target"]) == ("2013-09", 74, 72)
    assert (first["rating"], first["direction"]) == ("GREEN", "improved")
    assert dict(zip(header, lines["ASC03"], strict=True))["rating"] == "NOT_RATED"


def test_export_rejects_other_suffixes(pack_dir, tmp_path):
    pack = load_pack(pack_dir)
    with pytest.raises(ValueError, match=r"'results\.json'.*\.csv or \.xlsx"):
        export_results(pack, tmp_path / "results.json")
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        export_wide(pack, tmp_path / "data")
    assert not list(tmp_path.glob("results*"))


def test_export_wide_csv(pack_dir, tmp_path):
    out = tmp_path / "trend.csv"
    export_wide(load_pack(pack_dir), out)
    header, *rows = read_csv(out)
    assert header == ["indicator", "series", "2013-06", "2013-07", "2013-08", "2013-09", "2013-10"]
    assert rows[0] == ["ASC01", "actual", "70", "71.5", "73", "74", ""]
    assert [r[:2] for r in rows] == [
        ["ASC01", "actual"],
        ["ASC01", "target"],
        ["ASC01", "clients"],
        ["ASC02", "actual"],
        ["ASC02", "target"],
        ["ASC03", "actual"],
    ]


def test_export_wide_xlsx_keeps_labels_as_text_and_numbers_as_numbers(pack_dir, tmp_path):
    (pack_dir / "data/more.csv").write_text(
        "indicator,period,series,value\nASC01,2013/14 Q1,clients,10000\nASC01,2012/13,actual,24.9\n"
    )
    out = tmp_path / "trend.xlsx"
    export_wide(load_pack(pack_dir), out)
    ws = openpyxl.load_workbook(out)["Data"]
    header = [c.value for c in ws[1]]
    # Periods in time order; of two ending the same day the longer comes first.
    assert header[:5] == ["indicator", "series", "2012/13", "2013/14 Q1", "2013-06"]
    assert ws.freeze_panes == "C2"
    first = [c.value for c in ws[2]]
    assert first[:5] == ["ASC01", "actual", 24.9, None, 70]
