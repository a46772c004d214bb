"""Confidence intervals and the ``benchmark:`` key: loading and every validation message."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpiboard.core.rating import Rating
from kpiboard.core.significance import Comparison
from kpiboard.packs.exporter import result_rows
from kpiboard.packs.loader import check_pack, load_pack
from tests.packs.test_loader import MANIFEST, write

HSMR = """\
id: H1
section: asc
title: Hospital standardised mortality ratio
unit: ratio
decimals: 1
polarity: lower_is_better
series:
  england: {label: England, role: comparator}
  peers: {label: Peer trusts, role: extra}
benchmark:
  series: england
  level: 95
  rate: true
"""

DATA = """\
indicator,period,series,value
H1,2013-08,actual,112.0
H1,2013-08,ci_lower,105.0
H1,2013-08,ci_upper,119.0
H1,2013-08,england,100
H1,2013-09,actual,99.0
H1,2013-09,ci_lower,93.5
H1,2013-09,ci_upper,104.8
H1,2013-09,england,100
"""


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    write(tmp_path, "kpiboard.yaml", MANIFEST)
    write(tmp_path, "indicators/H1.yaml", HSMR)
    write(tmp_path, "data/h1.csv", DATA)
    return tmp_path


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_pack(root)]


def test_benchmark_pack_loads_and_rates_by_comparison(pack_dir):
    pack = load_pack(pack_dir)
    options = pack.indicators["H1"].benchmark
    assert (options.series, options.level, options.rate) == ("england", 95.0, True)
    result = pack.evaluate()["H1"]
    assert [(r.comparison, r.rating) for r in result.periods] == [
        (Comparison.WORSE, Rating.RED),
        (Comparison.SIMILAR, Rating.AMBER),
    ]


def test_interval_needs_both_limits(pack_dir):
    write(pack_dir, "data/more.csv", "indicator,period,series,value\nH1,2013-07,ci_upper,110\n")
    assert problems(pack_dir) == [
        "data/more.csv:2: series: 2013-07 has ci_upper but no ci_lower: give both or neither"
    ]


def test_interval_limits_in_order_and_around_the_actual(pack_dir):
    write(
        pack_dir,
        "data/h1.csv",
        DATA.replace("H1,2013-08,ci_lower,105.0", "H1,2013-08,ci_lower,120").replace(
            "H1,2013-09,ci_upper,104.8", "H1,2013-09,ci_upper,98.9"
        ),
    )
    assert problems(pack_dir) == [
        "data/h1.csv:3: value: 2013-08: ci_lower 120 is above ci_upper 119",
        "data/h1.csv:7: value: 2013-09: the actual 99 is outside its confidence interval "
        "93.5 to 98.9",
    ]


def test_actual_on_a_limit_is_inside(pack_dir):
    write(pack_dir, "data/h1.csv", DATA.replace("ci_upper,104.8", "ci_upper,99"))
    assert problems(pack_dir) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("series: england", "series: scotland"),
            "indicators/H1.yaml:11: benchmark.series: 'scotland' is not declared under series:",
        ),
        (
            ("series: england", "series: peers"),
            "indicators/H1.yaml:11: benchmark.series: 'peers' must be a comparator series "
            "(role: comparator)",
        ),
        (
            ("level: 95", "level: 90"),
            "indicators/H1.yaml:12: benchmark.level: 90 is not one of: 95, 99.8",
        ),
        (
            ("polarity: lower_is_better", "polarity: close_to_target"),
            "indicators/H1.yaml:13: benchmark.rate: a close-to-target indicator has no better "
            "side: the comparison says only higher, lower or similar, so it cannot rate (use "
            "rate: false)",
        ),
        (
            ("level: 95", "levle: 95"),
            "indicators/H1.yaml:12: benchmark.levle: unknown key (did you mean 'level'?)",
        ),
    ],
)
def test_benchmark_key_problems(pack_dir, change, expected):
    write(pack_dir, "indicators/H1.yaml", HSMR.replace(*change))
    assert problems(pack_dir) == [expected]


def test_rules_do_not_apply_when_rated_by_benchmark(pack_dir):
    write(pack_dir, "indicators/H1.yaml", HSMR + "rules:\n  - amber: 5%\n")
    assert problems(pack_dir) == [
        "indicators/H1.yaml:14: rules: rating rules do not apply: benchmark.rate rates by the "
        "comparison"
    ]


def test_not_rated_indicator_cannot_rate_by_benchmark(pack_dir):
    write(pack_dir, "indicators/H1.yaml", HSMR + "rated: false\n")
    assert problems(pack_dir) == [
        "indicators/H1.yaml:13: benchmark.rate: a not-rated indicator cannot be rated by its "
        "benchmark"
    ]


HSMR_BASE_KEYS = ("id:", "section:", "title:", "unit:", "decimals:", "polarity:")


def test_docs_example_loads_and_rates(tmp_path):
    """The ``benchmark:`` example in docs/pack-format.md, dropped into an indicator."""
    docs = (Path(__file__).parents[2] / "docs" / "pack-format.md").read_text(encoding="utf-8")
    section = docs.split("### Confidence intervals and comparison with a benchmark", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    base = "\n".join(line for line in HSMR.splitlines() if line.startswith(HSMR_BASE_KEYS))
    write(tmp_path, "kpiboard.yaml", MANIFEST)
    write(tmp_path, "indicators/H1.yaml", base + "\n" + example)
    write(tmp_path, "data/h1.csv", DATA)
    result = load_pack(tmp_path).evaluate()["H1"]
    assert [r.rating for r in result.periods] == [Rating.RED, Rating.AMBER]


def test_results_export_carries_interval_and_comparison(pack_dir):
    rows = result_rows(load_pack(pack_dir))
    assert [(r["ci_lower"], r["ci_upper"], r["comparison"], r["rating"]) for r in rows] == [
        (105.0, 119.0, "worse", "RED"),
        (93.5, 104.8, "similar", "AMBER"),
    ]
