"""Benchmark: rating and direction of travel for 100,000 indicators x 24 months.

Compares the scalar reference path (``rate`` + ``direction`` per cell, as
``evaluate_indicator`` does) with the vectorised path (``evaluate_batch``), on deterministic random
data with mixed polarities, missing figures and targets, per-period floors and rules that change
between financial years.

    .venv/bin/python bench/bench_rating.py

The scalar path is timed on a 2,000-indicator sample and scaled linearly to 100,000 (it is a plain
loop over independent cells, so its time is linear in the number of cells).
"""

from __future__ import annotations

import math
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

try:
    import kpiboard  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kpiboard.core.direction import Direction, direction
from kpiboard.core.evaluate import BatchResult, evaluate_batch
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import (
    Band,
    Polarity,
    Rating,
    RuleArrays,
    RuleVersion,
    rate,
    resolve_rule_arrays,
    rule_for_year,
)

N_INDICATORS = 100_000
N_SAMPLE = 2_000
REPEATS = 3
SEED = 20130930
GOAL_SECONDS = 1.0
MONTHS = month_range(UK.parse("2012-04"), UK.parse("2014-03"))  # two financial years
YEARS = np.array([UK.year_of(m.start) for m in MONTHS])
POLARITY_OF_CODE = {p.code: p for p in Polarity}


class Rules:
    """Up to two rule versions per indicator as columns (slot 0 from the start, slot 1 from a year).

    NaN means "not set"; ``from_year`` of slot 1 is +inf where an indicator has only one version.
    """

    def __init__(self, rng: np.random.Generator, n: int, base: np.ndarray, sign: np.ndarray):
        kind = rng.integers(0, 6, n)
        shape = (2, n)
        self.from_year = np.full(shape, np.inf)
        self.from_year[0] = -np.inf
        self.amber = np.full(shape, 0.10)  # band value; NaN = amber: none
        self.amber_relative = np.ones(shape, bool)
        self.floor = np.full(shape, np.nan)
        self.green = np.full(shape, 0.05)
        self.close_amber = np.full(shape, 0.15)
        # 1: no amber band at all
        self.amber[:, kind == 1] = np.nan
        # 2: an absolute amber band, in the indicator's unit
        absolute = kind == 2
        self.amber[:, absolute] = rng.choice([0.5, 1.0, 2.5, 5.0], absolute.sum())
        self.amber_relative[:, absolute] = False
        # 3: an explicit floor 15% behind the target
        floored = kind == 3
        self.floor[:, floored] = np.round(base[floored] * (1 - 0.15 * sign[floored]), 1)
        # 4: 10% band, then no amber from 2013/14
        changed = kind == 4
        self.from_year[1, changed] = 2013
        self.amber[1, changed] = np.nan
        # 5: 15% band, then a 5% band from 2013/14, with tighter close-to-target bands
        tighter = kind == 5
        self.from_year[1, tighter] = 2013
        self.amber[0, tighter] = 0.15
        self.amber[1, tighter] = 0.05
        self.green[:, tighter] = 0.025
        self.close_amber[:, tighter] = 0.10

    def versions(self, i: int) -> tuple[RuleVersion, ...]:
        """The :class:`RuleVersion` objects of indicator ``i``, for the scalar path."""
        out = []
        for k in range(2):
            if math.isinf(self.from_year[k, i]) and k > 0:
                break
            amber = self.amber[k, i]
            out.append(
                RuleVersion(
                    from_year=None if k == 0 else int(self.from_year[k, i]),
                    amber=None
                    if math.isnan(amber)
                    else Band(float(amber), bool(self.amber_relative[k, i])),
                    floor=None if math.isnan(self.floor[k, i]) else float(self.floor[k, i]),
                    green=Band(float(self.green[k, i])),
                    close_amber=Band(float(self.close_amber[k, i])),
                )
            )
        return tuple(out)


def make_data(n: int) -> dict:
    rng = np.random.default_rng(SEED)
    p = len(MONTHS)
    polarity = rng.choice([1, -1, 0], n, p=[0.5, 0.35, 0.15]).astype(np.int8)
    sign = np.where(polarity < 0, -1.0, 1.0)
    base = np.round(rng.uniform(1.0, 100.0, n), 1)
    target = np.repeat(base[:, None], p, axis=1)
    target[:, 12:] = np.round(base * (1 + rng.uniform(-0.05, 0.05, n)), 1)[:, None]
    actual = np.round(target * (1 + rng.normal(0.0, 0.12, (n, p))), 1)
    on_target = rng.random((n, p)) < 0.05
    actual[on_target] = target[on_target]
    on_band = rng.random((n, p)) < 0.05  # exactly on a 10% floor: the Amber edge
    actual[on_band] = (target * (1 - 0.1 * sign[:, None]))[on_band]
    actual[rng.random((n, p)) < 0.05] = np.nan
    target[rng.random((n, p)) < 0.03] = np.nan
    floor = np.full((n, p), np.nan)
    with_floor = rng.random(n) < 0.10
    floor[with_floor] = np.round(target[with_floor] * (1 - 0.1 * sign[with_floor, None]), 1)
    floor[rng.random((n, p)) < 0.2] = np.nan
    rated = rng.random(n) >= 0.02
    rules = Rules(rng, n, base, sign)
    sample = np.sort(rng.choice(n, N_SAMPLE, replace=False))
    return {
        "polarity": polarity,
        "actual": actual,
        "target": target,
        "floor": floor,
        "rated": rated,
        "rules": rules,
        "sample": sample,
    }


def setup_rule_arrays(rules: Rules, target: np.ndarray, floor: np.ndarray) -> RuleArrays:
    """Vectorised equivalent of ``resolve_rule_arrays`` with ``rule_for_year`` for every cell."""
    slot = YEARS[None, :] >= rules.from_year[1][:, None]  # True: slot 1 is in force

    def pick(param: np.ndarray) -> np.ndarray:
        return np.where(slot, param[1][:, None], param[0][:, None])

    blank = np.isnan(target)  # as resolve_rule_arrays: no target, no widths
    size = np.abs(target)
    amber = pick(rules.amber)  # NaN: no amber band
    amber_width = np.where(blank, np.nan, np.where(pick(rules.amber_relative), amber * size, amber))
    close_amber_width = np.where(np.isnan(amber), np.nan, pick(rules.close_amber) * size)
    green_width = pick(rules.green) * size
    floor = np.where(np.isnan(floor) & ~blank, pick(rules.floor), floor)
    return RuleArrays(amber_width, floor, green_width, close_amber_width)


def scalar_path(
    data: dict, rows: np.ndarray, rule_versions: list[tuple[RuleVersion, ...]]
) -> tuple[list[list[int]], list[list[int]]]:
    """``rate`` and ``direction`` cell by cell, in plain Python, as ``evaluate_indicator`` does.

    ``rule_versions[k]`` are the rules of indicator ``rows[k]``, built beforehand (an Indicator
    carries them), so only choosing the rule for the year, rating and direction are timed.
    """
    years = YEARS.tolist()
    not_comparable = Direction.NOT_COMPARABLE
    ratings, directions = [], []
    for i, versions in zip(rows.tolist(), rule_versions, strict=True):
        polarity = POLARITY_OF_CODE[int(data["polarity"][i])]
        rated = bool(data["rated"][i])
        actual = data["actual"][i].tolist()
        target = data["target"][i].tolist()
        floor = data["floor"][i].tolist()
        row_ratings, row_directions = [], []
        for j, year in enumerate(years):
            rule = rule_for_year(versions, year)
            row_ratings.append(
                rate(actual[j], target[j], polarity, rule, rated=rated, floor=floor[j])
            )
            travel = (
                direction(actual[j], actual[j - 1], polarity, target[j], target[j - 1])
                if j
                else not_comparable
            )
            row_directions.append(travel.code)
        ratings.append(row_ratings)
        directions.append(row_directions)
    return ratings, directions


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def check_equal(data: dict, arrays: RuleArrays, batch: BatchResult, scalar: tuple) -> None:
    """The vectorised setup and evaluation agree with the scalar reference on the sample."""
    sample = data["sample"]
    rules: Rules = data["rules"]
    for row, i in enumerate(sample.tolist()):
        versions = rules.versions(i)
        reference = resolve_rule_arrays(
            data["target"][i],
            [rule_for_year(versions, y) for y in YEARS.tolist()],
            data["floor"][i],
        )
        for name in RuleArrays.__dataclass_fields__:
            mine, theirs = getattr(arrays, name)[i], getattr(reference, name)
            assert np.array_equal(mine, theirs, equal_nan=True), (i, name, mine, theirs)
        assert batch.ratings[i].tolist() == [int(r) for r in scalar[0][row]], i
        assert batch.directions[i].tolist() == scalar[1][row], i


def main() -> int:
    data = make_data(N_INDICATORS)
    p = len(MONTHS)
    sample = data["sample"]

    rule_versions = [data["rules"].versions(i) for i in sample.tolist()]
    scalar_s, scalar = best_of(REPEATS, lambda: scalar_path(data, sample, rule_versions))
    setup_s, arrays = best_of(
        REPEATS, lambda: setup_rule_arrays(data["rules"], data["target"], data["floor"])
    )
    batch_s, batch = best_of(
        REPEATS,
        lambda: evaluate_batch(
            data["actual"], data["target"], data["polarity"], arrays, data["rated"]
        ),
    )
    check_equal(data, arrays, batch, scalar)

    factor = N_INDICATORS / N_SAMPLE
    baseline = scalar_s * factor
    vector_s = setup_s + batch_s
    rows = [
        ("scalar rate + direction (measured)", N_SAMPLE, scalar_s),
        (f"scalar rate + direction (x{factor:g}, scaled)", N_INDICATORS, baseline),
        ("vectorised rule-array setup", N_INDICATORS, setup_s),
        ("vectorised evaluate_batch", N_INDICATORS, batch_s),
        ("vectorised total (setup + batch)", N_INDICATORS, vector_s),
    ]

    print(f"kpiboard rating benchmark: Python {platform.python_version()}, numpy {np.__version__}")
    print(f"{N_INDICATORS:,} indicators x {p} months, best of {REPEATS}, seed {SEED}")
    print(
        f"scalar path timed on a {N_SAMPLE:,}-indicator sample and scaled linearly to "
        f"{N_INDICATORS:,}"
    )
    print()
    header = (
        f"{'path':<42} {'indicators':>10} {'periods':>7} {'seconds':>9} {'cells/s':>12} "
        f"{'speed-up':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, n, seconds in rows:
        cells = n * p
        print(
            f"{name:<42} {n:>10,} {p:>7} {seconds:>9.3f} {cells / seconds:>12,.0f} "
            f"{baseline * n / N_INDICATORS / seconds:>8.1f}x"
        )
    print()
    counts = np.bincount(batch.ratings.ravel(), minlength=len(Rating)) / batch.ratings.size
    print("ratings: " + ", ".join(f"{r.words} {counts[r]:.1%}" for r in Rating))
    print(f"vectorised result equals scalar result on the {N_SAMPLE:,}-indicator sample: yes")
    verdict = "PASS" if vector_s < GOAL_SECONDS else "FAIL"
    print(f"goal: vectorised under {GOAL_SECONDS:g} s: {vector_s:.3f} s {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
