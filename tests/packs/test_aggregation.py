"""Pack keys accumulation, aggregation and derive method period: reading, checks and docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kpiboard.core.direction import Basis
from kpiboard.core.indicators import Accumulation, Aggregation
from kpiboard.packs.loader import check_pack, load_pack
from tests.packs.test_loader import write

DOCS = Path(__file__).resolve().parents[2] / "docs"

MANIFEST = """\
format: 1
title: Test report
as_at: 2014-03
sections:
  - id: acute
    title: Acute care
"""

FALLS = """\
id: FALLS
section: acute
title: Inpatient falls per 1,000 occupied bed days
unit: rate
decimals: 1
polarity: lower_is_better
frequency: quarter
series:
  falls: {label: Falls, unit: count}
  bed_days: {label: Occupied bed days, unit: count}
derive: {method: period, how: ratio, numerator: falls, denominator: bed_days, scale: 1000}
"""

# Quarterly falls and bed days, 2013/14: 12/2,000 = 6.0, 9/1,800 = 5.0, 20/2,500 = 8.0 and
# 7/1,700 = 4.1 per 1,000; the year is 48 falls in 8,000 bed days = 6.0 per 1,000.
FALLS_DATA = """\
indicator,period,series,value
FALLS,2013/14 Q1,falls,12
FALLS,2013/14 Q1,bed_days,2000
FALLS,2013/14 Q2,falls,9
FALLS,2013/14 Q2,bed_days,1800
FALLS,2013/14 Q3,falls,20
FALLS,2013/14 Q3,bed_days,2500
FALLS,2013/14 Q4,falls,7
FALLS,2013/14 Q4,bed_days,1700
"""

COUNT = """\
id: C1
section: acute
title: A count
unit: count
polarity: lower_is_better
"""


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    write(tmp_path, "kpiboard.yaml", MANIFEST)
    write(tmp_path, "indicators/FALLS.yaml", FALLS)
    write(tmp_path, "data/falls.csv", FALLS_DATA)
    return tmp_path


def test_derive_period_ratio_from_quarterly_sources(pack_dir):
    pack = load_pack(pack_dir)
    ind = pack.indicators["FALLS"]
    assert (ind.accumulation, ind.aggregation) == (Accumulation.PERIOD, Aggregation.RATIO)
    actual = pack.data["FALLS"].get("actual")
    assert list(actual) == pytest.approx([6.0, 5.0, 8.0, 7 / 1.7])
    outturn = pack.evaluate()["FALLS"].outturn(2013)
    assert (outturn.period.label, outturn.actual) == ("2013/14", pytest.approx(6.0))


def test_accumulation_aggregation_and_direction_basis_keys_are_read(pack_dir):
    write(
        pack_dir,
        "indicators/C1.yaml",
        COUNT + "accumulation: year_to_date\naggregation: last\n",
    )
    write(pack_dir, "indicators/C2.yaml", COUNT.replace("C1", "C2") + "direction_basis: previous\n")
    pack = load_pack(pack_dir)
    c1, c2 = pack.indicators["C1"], pack.indicators["C2"]
    assert (c1.accumulation, c1.aggregation, c1.direction_basis) == (
        Accumulation.YEAR_TO_DATE,
        Aggregation.LAST,
        Basis.YEAR_AGO,
    )
    assert (c2.aggregation, c2.direction_basis) == (Aggregation.SUM, Basis.PREVIOUS)


def test_contradictory_keys_are_all_reported_with_line_and_reason(pack_dir):
    write(
        pack_dir,
        "indicators/C1.yaml",
        COUNT
        + "series:\n  a: {label: A}\n  b: {label: B}\n"
        + "derive: {method: period, how: sum, source: a, numerator: b}\n",
    )
    write(
        pack_dir,
        "indicators/C2.yaml",
        COUNT.replace("C1", "C2") + "accumulation: year_to_date\naggregation: sum\n",
    )
    write(pack_dir, "indicators/C3.yaml", COUNT.replace("C1", "C3") + "aggregation: ratio\n")
    write(
        pack_dir,
        "indicators/C4.yaml",
        COUNT.replace("C1", "C4")
        + "series:\n  a: {label: A}\n"
        + "derive: {method: year_to_date, how: sum, source: a, scale: 0}\n"
        + "accumulation: rolling_12\n",
    )
    write(
        pack_dir,
        "indicators/C5.yaml",
        COUNT.replace("C1", "C5").replace("unit: count", "unit: percent")
        + "aggregation: average\nforecast: {method: run_rate}\n",
    )
    write(
        pack_dir,
        "indicators/C6.yaml",
        COUNT.replace("C1", "C6") + "frequency: irregular\naggregation: sum\n",
    )
    lines = [str(p) for p in check_pack(pack_dir)]
    assert lines == [
        "indicators/C1.yaml:9: derive.how: method: period computes a ratio of two series each "
        "period (how: ratio); how: sum of one series over one period is the series itself, so "
        "give those figures as the actual",
        "indicators/C1.yaml:9: derive.numerator: not used when how is sum (give source)",
        "indicators/C2.yaml:7: aggregation: year_to_date figures are already totals; adding them "
        "up would count months twice: use last",
        "indicators/C3.yaml:6: aggregation: ratio divides the year's numerator by its "
        "denominator: it needs derive: {how: ratio, numerator: ..., denominator: ...}",
        "indicators/C4.yaml:8: derive.scale: must not be 0 (every figure would be 0)",
        "indicators/C4.yaml:9: accumulation: the figures are derived with method: year_to_date, "
        "so they are year_to_date figures; remove accumulation or make it year_to_date",
        "indicators/C5.yaml:6: aggregation: 'average' is not one of: sum, last, ratio",
        "indicators/C5.yaml:7: forecast.method: run_rate scales up a count so far: it needs "
        "running totals (cumulative: true) or monthly counts that add up (aggregation: sum)",
        "indicators/C6.yaml:7: aggregation: sum adds up monthly or quarterly figures (frequency "
        "month or quarter)",
    ]


# --- docs examples ----------------------------------------------------------------------------


def _yaml_blocks(doc: str, heading: str) -> list[str]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return re.findall(r"```yaml\n(.*?)```", text[start : end if end > 0 else None], re.S)


def _months_csv(ind_id: str, series: list[str]) -> str:
    rows = ["indicator,period,series,value"]
    for i in range(36):
        period = f"{2011 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}"
        rows += [f"{ind_id},{period},{name},{100 + i % 7}" for name in series]
        rows.append(f"{ind_id},{period},target,100")
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("doc", "heading", "count"),
    [
        ("pack-format.md", "### What a figure covers", 1),
        ("pack-format.md", "### Derived actuals", 3),
        ("rating.md", "### Cumulative figures", 1),
    ],
)
def test_docs_fragments_load_on_a_monthly_indicator(tmp_path, doc, heading, count):
    blocks = _yaml_blocks(doc, heading)
    assert len(blocks) == count
    for n, block in enumerate(blocks):
        root = tmp_path / str(n)
        fragment = yaml.safe_load(block)
        indicator = {
            "id": "D1",
            "section": "acute",
            "title": "Docs example",
            "unit": "count",
            "polarity": "lower_is_better",
            "frequency": "month",
            **fragment,
        }
        write(root, "kpiboard.yaml", MANIFEST)
        write(root, "indicators/D1.yaml", yaml.safe_dump(indicator))
        sources = list(fragment.get("series", {})) or ["actual"]
        if "derive" not in fragment:
            sources = ["actual"]
        write(root, "data/d1.csv", _months_csv("D1", sources))
        pack = load_pack(root)
        assert pack.evaluate()["D1"].latest is not None
