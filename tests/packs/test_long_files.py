"""Long data files read a column at a time give what reading them row by row gives.

A plain long CSV file is read by :func:`read_long_csv` in a few C calls, and its figure rows are
checked and built as arrays by :func:`assemble`. These tests hold both to the row-by-row rules:
the same rows, the same problems at the same lines, the same series.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiboard.core.bounds import figure_problem, limit
from kpiboard.core.indicators import Indicator, IndicatorData, SeriesDef
from kpiboard.core.periods import UK, PeriodError
from kpiboard.core.rating import Polarity
from kpiboard.core.targets import with_profiled_targets
from kpiboard.core.units import Unit, UnitKind
from kpiboard.packs import datafiles
from kpiboard.packs.assembly import assemble
from kpiboard.packs.datafiles import Row, read_long_csv, series_problem
from kpiboard.packs.problems import Problems

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDS = ["A1", "B2", "NOPE", " A1 ", ""]
LABELS = ["2013-09", "Sep-13", "2013-10", "2013/14 Q2", "2013-13", "", " 2013-10 "]
SERIES = ["actual", "target", "floor", "clients", "forecast", ""]
VALUES = ["", "0", "-3", "74.2", "1.5e-3", "+.5", "1e20", "-2000", "5e2", " 7 ", "1e999",
          "1_000", "(3)", "nan", "1.2.3", "-", "5%", "1,000", "٣"]  # fmt: skip
NOTES = ["", "revised", "a, b", 'said "no"', "two\nlines", "  padded  "]


def _text(header: list[str], rows: list[list[str]], trailing_blank: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue() + ("\n" if trailing_blank else "")


@st.composite
def long_files(draw, plain: bool = False) -> str:
    """A long CSV file; with ``plain``, one the column reading takes whole."""
    with_note = draw(st.booleans())
    header = ["Indicator", "period", "series", "value"] + (["note"] if with_note else [])
    cells = [
        st.sampled_from(IDS[:3] if plain else IDS),
        st.sampled_from(LABELS[:5] if plain else LABELS),
        st.sampled_from(SERIES[:5] if plain else SERIES),
        st.sampled_from(VALUES[:10] if plain else VALUES),
    ]
    if with_note:
        cells.append(st.sampled_from(NOTES[:4] if plain else NOTES))
    row = st.tuples(*cells).map(list)
    if not plain:
        row = row | st.sampled_from([[], ["A1"], ["A1", "2013-09", "actual", "1", "x", "y"]])
    rows = draw(st.lists(row, max_size=25))
    return _text(header, rows, draw(st.booleans()))


def _columns(text: str) -> list[str]:
    return [h.strip().lower() for h in next(csv.reader(io.StringIO(text)))]


@SETTINGS
@given(long_files())
def test_read_long_csv_gives_the_rows_and_problems_of_reading_row_by_row(text):
    fast, slow = Problems(), Problems()
    rows = read_long_csv("data/f.csv", text, fast)
    assert rows == datafiles._rows_one_by_one("data/f.csv", text, _columns(text), slow)
    assert fast.items == slow.items
    assert all(type(row) is Row for row in rows)


@SETTINGS
@given(long_files(plain=True), st.booleans())
def test_read_long_csv_reads_a_plain_file_a_column_at_a_time(text, windows):
    text = text.replace("\n", "\r\n") if windows else text
    reader = csv.reader(io.StringIO(text))
    next(reader)
    cells = datafiles._by_column(text, reader, len(_columns(text)))
    assert cells is not None
    records = list(csv.reader(io.StringIO(text)))[1:]
    while records and not records[-1]:
        records.pop()
    assert list(map(list, cells)) == [list(c) for c in zip(*records, strict=True)] or not records
    plain = datafiles._plain_rows("data/f.csv", cells, _columns(text), 2)
    assert plain is not None
    assert plain == datafiles._rows_one_by_one("data/f.csv", text, _columns(text), Problems())


def test_read_long_csv_names_each_bad_row_by_line_and_keeps_the_rest():
    text = "indicator,period,series,value\nA1,2013-09,actual,1\nA1,2013-10,actual,1_000\n\n"
    text += "A1,2013-11,actual,(4)\nA1,2013-12,actual,5%\n"
    problems = Problems()
    rows = read_long_csv("data/f.csv", text, problems)
    assert [(r.period, r.value, r.line) for r in rows] == [
        ("2013-09", 1.0, 2),
        ("2013-11", -4.0, 5),
    ]
    assert [str(p) for p in problems.items] == [
        "data/f.csv:3: value: '1_000' is not a number: leave out the underscores",
        "data/f.csv:6: value: '5%' is not a number: write percentages without %, e.g. 5",
    ]


def test_read_long_csv_counts_lines_of_a_cell_that_spans_two():
    text = 'indicator,period,series,value,note\nA1,2013-09,actual,1,"two\nlines"\nA1,2013-09,x,\n'
    rows = read_long_csv("data/f.csv", text, Problems())
    assert [(r.series, r.note, r.line) for r in rows] == [
        ("actual", "two\nlines", 3),  # a record is numbered by its last line, as csv counts
        ("x", "", 4),
    ]


# The register the assembled rows are checked against: a percentage, a count with an extra
# series in pounds, and a not-rated indicator (no target or floor).
REGISTER = {
    "A1": Indicator(id="A1", title="A", unit=Unit(UnitKind.PERCENT), polarity=Polarity.HIGHER),
    "B2": Indicator(
        id="B2",
        title="B",
        unit=Unit(UnitKind.COUNT),
        polarity=Polarity.LOWER,
        series=(SeriesDef(name="clients", label="Clients", unit=Unit(UnitKind.CURRENCY)),),
    ),
    "C3": Indicator(id="C3", title="C", unit=Unit(UnitKind.COUNT), rated=False),
}

FIGURES = [None, 0.0, 5.0, -7.5, 74.2, 999.0, 1500.0, 2e15, -1e16, math.nan]


def _reference(rows, indicators, bounded):
    """The rules of assemble, one row at a time: each row is refused at its first problem."""
    problems, first, notes = Problems(), {}, {}
    points = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        indicator = indicators.get(row.indicator)
        if indicator is None:
            problems.report(row.file, row.line, "indicator", f"unknown indicator {row.indicator!r}")
            continue
        try:
            period = UK.parse(row.period)
        except PeriodError as exc:
            problems.report(row.file, row.line, "period", str(exc))
            continue
        if message := series_problem(indicator, row.series):
            problems.report(row.file, row.line, "series", message)
            continue
        unit = indicator.unit_of(row.series)
        beyond = bounded and row.value is not None and not abs(row.value) <= limit(unit.kind)
        if beyond and (message := figure_problem(row.value, unit)):
            problems.report(row.file, row.line, "value", message)
            continue
        key = (row.indicator, period, row.series)
        if key in first:
            was = first[key]
            problems.report(
                row.file, row.line, "",
                f"duplicate row: {row.indicator} {period.label} {row.series} is already at "
                f"{was.file}:{was.line}",
            )  # fmt: skip
            continue
        first[key] = row
        if row.note:
            notes[(row.indicator, period)] = row.note
        if row.value is not None:
            points[row.indicator][row.series][period] = row.value
    data = {}
    for ind_id, indicator in indicators.items():
        series = dict(points.get(ind_id, {}))
        found = IndicatorData.from_points(series) if series else IndicatorData((), {})
        data[ind_id] = with_profiled_targets(indicator, found, UK)
    return data, notes, problems


def _same_data(got: IndicatorData, want: IndicatorData) -> bool:
    return (
        got.periods == want.periods
        and list(got.values) == list(want.values)
        and all(np.array_equal(got.values[k], want.values[k], equal_nan=True) for k in want.values)
        and got.profiled == want.profiled
    )


rows_strategy = st.lists(
    st.builds(
        Row,
        st.sampled_from(["A1", "B2", "C3", "NOPE"]),
        st.sampled_from(["2013-09", "Sep-13", "2013-10", "2013/14 Q2", "2013/14", "2013-13"]),
        st.sampled_from(["actual", "target", "floor", "clients", "forecast"]),
        st.sampled_from(FIGURES),
        st.sampled_from(["", "", "", "revised", "checked"]),
        st.sampled_from(["data/a.csv", "data/b.csv"]),
        st.integers(1, 500),
    ),
    max_size=40,
)


@SETTINGS
@given(rows_strategy, st.booleans())
def test_assemble_checks_and_builds_as_row_by_row_rules_do(rows, bounded):
    problems = Problems()
    data, notes = assemble(rows, REGISTER, UK, problems, bounded=bounded)
    want_data, want_notes, want_problems = _reference(rows, REGISTER, bounded)
    assert sorted(problems.items) == sorted(want_problems.items)
    assert notes == want_notes
    assert list(data) == list(want_data)
    assert all(_same_data(data[k], want_data[k]) for k in want_data)


def test_assemble_shares_one_period_tuple_between_indicators_on_the_same_periods():
    cells = [("A1", "2013-09"), ("B2", "Sep-13"), ("A1", "2013-10"), ("B2", "2013-10")]
    rows = [
        Row(ind, label, "actual", 1.0, "", "data/a.csv", n) for n, (ind, label) in enumerate(cells)
    ]
    data, _ = assemble(rows, REGISTER, UK, Problems())
    assert [p.label for p in data["A1"].periods] == ["2013-09", "2013-10"]
    assert data["A1"].periods is data["B2"].periods
    assert data["C3"] == IndicatorData((), {})


@pytest.mark.parametrize("bounded", [True, False])
def test_assemble_of_no_rows_gives_every_indicator_empty_data(bounded):
    data, notes = assemble([], REGISTER, UK, Problems(), bounded=bounded)
    assert data == {k: IndicatorData((), {}) for k in REGISTER} and notes == {}
