"""docs/pack-format.md lists the summary columns the report registry has, in its words.

The registry (kpiboard.report.summary_columns) holds each column's meaning beside its heading and
cell; these tests keep the docs table and the dashboard's list of columns the same as it.
"""

from __future__ import annotations

import re
from pathlib import Path

from kpiboard.core.summary_columns import TAG_PREFIX, SummaryColumnKey
from kpiboard.report.summary_columns import DASHBOARD_COLUMNS, SUMMARY_COLUMNS, TAG_MEANING

DOC = Path(__file__).resolve().parents[1] / "docs" / "pack-format.md"


def docs_table() -> dict[str, str]:
    """The "Summary table columns" table of the docs: column key to what it shows."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("Summary table columns:", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines()[2:]:
        key, meaning = (cell.strip() for cell in line.strip().strip("|").split("|", 1))
        rows[key.strip("`")] = meaning
    return rows


def test_docs_summary_table_lists_exactly_the_registrys_columns_in_its_order():
    keys = list(docs_table())
    assert f"{TAG_PREFIX}NAME" in keys
    assert [k for k in keys if k != f"{TAG_PREFIX}NAME"] == list(SUMMARY_COLUMNS)
    assert set(SUMMARY_COLUMNS) == set(SummaryColumnKey)


def test_docs_summary_table_gives_each_columns_meaning_from_the_registry():
    rows = docs_table()
    wrong = [
        f"{key}: docs say {rows[key]!r}, the registry {column.meaning!r}"
        for key, column in SUMMARY_COLUMNS.items()
        if rows.get(key) != column.meaning
    ]
    if rows.get(f"{TAG_PREFIX}NAME") != TAG_MEANING:
        wrong.append(f"{TAG_PREFIX}NAME: docs say {rows.get(f'{TAG_PREFIX}NAME')!r}")
    assert not wrong, "\n".join(wrong)


def test_docs_name_the_dashboards_columns_in_order():
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    found = re.search(r"The web dashboard's tables use the same columns \(([^)]*)\)", text)
    assert found is not None
    assert [c.strip(" `") for c in found.group(1).split(",")] == list(DASHBOARD_COLUMNS)
