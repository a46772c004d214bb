"""The summary column registry: one entry per column key, and the table it makes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kpiboard.core.summary_columns import (
    DEFAULT_SUMMARY_COLUMNS,
    SummaryColumnKey,
    is_summary_column,
    tag_of,
)
from kpiboard.report.summary_columns import DASHBOARD_COLUMNS, SUMMARY_COLUMNS
from kpiboard.report.tables import summary_table

K = SummaryColumnKey


def test_registry_has_one_column_for_each_key():
    assert list(SUMMARY_COLUMNS) == list(SummaryColumnKey)
    assert all(column.key == key for key, column in SUMMARY_COLUMNS.items())
    assert set(DEFAULT_SUMMARY_COLUMNS) <= set(SUMMARY_COLUMNS)
    assert set(DASHBOARD_COLUMNS) <= set(SUMMARY_COLUMNS)


@pytest.mark.parametrize(
    ("key", "known", "tag"),
    [
        ("rating", True, None),
        ("tag:qpr", True, "qpr"),
        ("colour", False, None),
        ("tag", False, None),
    ],
)
def test_is_summary_column_and_tag_of(key, known, tag):
    assert is_summary_column(key) is known
    assert tag_of(key) == tag


@pytest.fixture(scope="module")
def every_column(demo_pack):
    """The demo's Adult Social Care summary with every column and a tag column."""
    section = replace(
        demo_pack.section("asc"), summary_columns=(*SummaryColumnKey, "tag:bold-steps")
    )
    analyses = demo_pack.analyse()
    chosen = [analyses[i] for i in section.indicator_ids]
    return summary_table(demo_pack, section, chosen, demo_pack.as_at)


def test_summary_table_headings_name_the_years_and_the_tags_label(every_column, demo_pack):
    headings = {c.key: c.heading for c in every_column.columns}
    assert headings[K.OUTTURN] == "Outturn 2012/13"
    assert headings[K.TARGET] == "Target 2013/14"
    assert headings["tag:bold-steps"] == demo_pack.tag_label("bold-steps")
    assert headings[K.BENCHMARK] == "Compared with benchmark"


def test_summary_table_columns_carry_the_registrys_width_and_numeric_flag(every_column):
    by_key = {c.key: c for c in every_column.columns}
    assert [k for k, c in by_key.items() if c.numeric] == [K.OUTTURN, K.TARGET, K.CURRENT]
    assert [k for k, c in by_key.items() if c.heads_row] == [K.TITLE]
    assert by_key[K.TITLE].width == "fill"
    assert by_key[K.LATEST_PERIOD].width == "auto"
    assert by_key["tag:bold-steps"].width == 11
    assert by_key[K.VARIATION].width == 22


def test_summary_table_has_one_cell_per_column_and_the_tag_in_words(every_column, demo_pack):
    tag_at = [c.key for c in every_column.columns].index("tag:bold-steps")
    title_at = [c.key for c in every_column.columns].index(K.TITLE)
    assert all(len(row) == len(every_column.columns) for row in every_column.rows)
    tagged = {i.title for i in demo_pack.indicators.values() if "bold-steps" in i.tags}
    for row in every_column.rows:
        assert row[tag_at].text == ("Yes" if row[title_at].text in tagged else "No")
        assert row[title_at].link.startswith("ind-")
