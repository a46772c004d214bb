"""Benchmark: full evaluation of 100,000 indicators x 60 months through ``Pack.analyse``.

Rating, direction of travel and an XmR chart with its icons for every indicator, through the
product's own entry point (the one the report, the CLI ``rate`` command and the web app call),
on a pack built in memory from core objects (no files). Deterministic random figures with mixed
polarities, SPC improvement directions, missing months and targets.

    PYTHONPATH=src .venv/bin/python bench/bench_engine.py [--indicators 100000]

Indicators have no year-end forecast (``forecast: None``): the goal is rating, direction and SPC;
forecasts are worked out per indicator that asks for one. Run it against an older checkout
(``PYTHONPATH=/path/to/old/src``) with fewer indicators for the figure before.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

try:
    import kpiboard  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kpiboard.core.analysis import analyse
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import Indicator, IndicatorData, SpcOptions
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import Polarity
from kpiboard.packs.model import Pack, Section

if TYPE_CHECKING:
    from kpiboard.core.analysis import Analysis

MONTHS = month_range(UK.parse("2020-04"), UK.parse("2025-03"))  # 60 months
GOAL_SECONDS = 1.0
SEED = 20261203
IMPROVEMENT = ("increase", "decrease", "neutral")


def build_pack(n: int) -> Pack:
    """``n`` monthly indicators on one 60-month grid, each with an XmR chart."""
    rng = np.random.default_rng(SEED)
    p = len(MONTHS)
    actual = rng.normal(100, 10, (n, p)).round(1)
    actual[rng.random((n, p)) < 0.03] = np.nan
    target = np.where(rng.random((n, p)) < 0.9, 100.0, np.nan)
    polarity = rng.integers(0, 3, n)
    polarities = (Polarity.HIGHER, Polarity.LOWER, Polarity.CLOSE)
    options = {name: SpcOptions(improvement=name) for name in IMPROVEMENT}
    indicators: dict[str, Indicator] = {}
    data: dict[str, IndicatorData] = {}
    for i in range(n):
        key = f"K{i:06d}"
        pol = int(polarity[i])
        indicators[key] = Indicator(
            id=key,
            title=f"Indicator {i}",
            section="all",
            polarity=polarities[pol],
            spc=options[IMPROVEMENT[pol]],
            forecast=None,
        )
        data[key] = IndicatorData(MONTHS, {"actual": actual[i], "target": target[i]})
    section = Section(id="all", title="All", indicator_ids=tuple(indicators))
    return Pack("Benchmark", MONTHS[-1], (section,), indicators, data)


def best_of(pack: Pack, repeats: int) -> tuple[float, float, Mapping[str, Analysis]]:
    """Best wall-clock and processor seconds of ``repeats`` runs (the machine may be shared:
    processor time is what this process itself spent)."""
    best, best_cpu = float("inf"), float("inf")
    analyses: Mapping[str, Analysis] = {}
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        analyses = pack.analyse()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu, analyses


SPC_ARRAYS = ("values", "mean", "lower_limit", "upper_limit", "near_lower", "near_upper")


def check_sample(pack: Pack, analyses: Mapping[str, Analysis], every: int) -> int:
    """Every ``every``-th indicator analysed alone (``evaluate_indicator`` then ``analyse``, the
    single-series path) must give what the batch gave: every period's rating and direction,
    the chart's lines, point labels and both icons. Returns how many were compared."""
    keys = list(pack.indicators)[::every]
    for key in keys:
        ind, batch = pack.indicators[key], analyses[key]
        alone = analyse(evaluate_indicator(ind, pack.data[key], as_at=pack.as_at))
        same = [(p.computed, p.direction) for p in batch.result.periods] == [
            (p.computed, p.direction) for p in alone.result.periods
        ]
        a, b = batch.spc, alone.spc
        if a is None or b is None:
            same = same and a is b
        else:
            same = same and all(
                np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in SPC_ARRAYS
            )
            same = same and (tuple(a.point_type), a.variation_icon, a.assurance_icon) == (
                tuple(b.point_type), b.variation_icon, b.assurance_icon)  # fmt: skip
        if not same:
            raise SystemExit(f"{key}: the batch and the single-series path disagree")
    return len(keys)


def read_everything(analyses: Mapping[str, Analysis]) -> tuple[float, int, int, int]:
    """Processor seconds to read every indicator's latest rating and direction and both icons
    (each indicator's objects are made on first read), with the counts of charts with a
    variation icon, of assurance icons (neutral charts and charts without a target have none)
    and of latest ratings."""
    cpu = time.process_time()
    charts = assured = ratings = 0
    for a in analyses.values():
        latest = a.result.latest
        if latest is not None:
            ratings += latest.rating is not None and latest.direction is not None
        if a.spc is not None and a.spc.variation_icon is not None:
            charts += 1
            assured += a.spc.assurance_icon is not None
    return time.process_time() - cpu, charts, assured, ratings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    pack = build_pack(args.indicators)
    print(f"built {args.indicators:,} indicators x {len(MONTHS)} months in "
          f"{time.perf_counter() - start:.1f} s (not timed below)")  # fmt: skip
    seconds, cpu, analyses = best_of(pack, args.repeats)
    print(f"Pack.analyse (rating, direction, SPC with icons): {seconds:.3f} s wall, "
          f"{cpu:.3f} s processor, best of {args.repeats}")  # fmt: skip
    read_cpu, charts, assured, ratings = read_everything(analyses)
    print(f"then reading every indicator's latest rating, direction and icons: {read_cpu:.3f} s "
          f"processor; {charts:,} charts with a variation icon, {assured:,} with an assurance "
          f"icon, {ratings:,} latest ratings")  # fmt: skip
    known = sum(1 for key in pack.indicators if not np.isnan(pack.data[key].get("actual")).all())
    if len(analyses) != args.indicators or charts != known or ratings != known:
        raise SystemExit(f"expected {args.indicators:,} analyses and {known:,} charts and "
                         f"ratings, got {len(analyses):,}, {charts:,} and {ratings:,}")  # fmt: skip
    compared = check_sample(pack, analyses, max(1, args.indicators // 200))
    print(f"checked: every count, and {compared} indicators equal to the single-series path")
    per = cpu / args.indicators * 100_000
    verdict = "meets" if per < GOAL_SECONDS else "misses"
    print(f"per 100,000 indicators: {per:.3f} s processor ({verdict} the goal of "
          f"{GOAL_SECONDS:.0f} s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
          "cores")  # fmt: skip
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")


if __name__ == "__main__":
    main()
