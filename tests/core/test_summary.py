"""The organisation-wide summary grid: indicators counted by their pair of SPC icons."""

from __future__ import annotations

from types import SimpleNamespace

from kpiboard.core.analysis import Analysis
from kpiboard.core.spc import AssuranceIcon, VariationIcon
from kpiboard.core.summary import ASSURANCE_COLUMNS, count_icons, latest_icons

V, A = VariationIcon, AssuranceIcon


def test_count_icons_counts_each_pair_rows_columns_and_those_without():
    counts = count_icons(
        [
            (V.COMMON_CAUSE, A.FAIL),
            (V.COMMON_CAUSE, A.FAIL),
            ("common_cause", "pass"),  # codes are read as the enums
            (V.CONCERN_LOW, None),
            (None, None),  # no SPC chart
            (None, A.PASS),  # no variation icon: not in the grid
        ]
    )
    assert counts.count(V.COMMON_CAUSE, A.FAIL) == 2
    assert counts.count(V.COMMON_CAUSE, A.PASS) == 1
    assert counts.count(V.CONCERN_LOW, None) == 1
    assert counts.count(V.IMPROVEMENT_HIGH, A.PASS) == 0
    assert counts.row_total(V.COMMON_CAUSE) == 3
    assert [counts.column_total(a) for a in ASSURANCE_COLUMNS] == [1, 2, 0, 1]
    assert (counts.total, counts.without) == (4, 2)


def test_assurance_columns_end_with_no_icon():
    assert ASSURANCE_COLUMNS == (A.PASS, A.FAIL, A.INCONSISTENT, None)


def test_latest_icons_reads_the_analysis_spc():
    spc = SimpleNamespace(variation_icon=V.IMPROVEMENT_HIGH, assurance_icon=None)
    assert latest_icons(Analysis(result=None, spc=spc)) == (V.IMPROVEMENT_HIGH, None)
    assert latest_icons(Analysis(result=None)) == (None, None)
