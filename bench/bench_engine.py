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
from pathlib import Path

import numpy as np

try:
    import kpiboard  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kpiboard.core.indicators import Indicator, IndicatorData, SpcOptions
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import Polarity
from kpiboard.packs.model import Pack, Section

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


def best_of(pack: Pack, repeats: int) -> tuple[float, float, dict]:
    """Best wall-clock and processor seconds of ``repeats`` runs (the machine may be shared:
    processor time is what this process itself spent)."""
    best, best_cpu, analyses = float("inf"), float("inf"), {}
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        analyses = pack.analyse()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu, analyses


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
    icons = sum(1 for a in analyses.values() if a.spc is not None and a.spc.variation_icon)
    ratings = sum(1 for a in analyses.values() if a.result.latest is not None)
    print(f"Pack.analyse (rating, direction, SPC with icons): {seconds:.3f} s wall, "
          f"{cpu:.3f} s processor, best of {args.repeats}; {icons:,} variation icons, "
          f"{ratings:,} latest ratings")  # fmt: skip
    per = cpu / args.indicators * 100_000
    verdict = "meets" if per < GOAL_SECONDS else "misses"
    print(f"per 100,000 indicators: {per:.3f} s processor ({verdict} the goal of "
          f"{GOAL_SECONDS:.0f} s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
          "cores")  # fmt: skip
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")


if __name__ == "__main__":
    main()
