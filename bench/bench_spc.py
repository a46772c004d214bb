"""Benchmark: XmR charts (all rules and icons) for 100,000 series x 60 months.

Compares the vectorised path (``xmr_many`` on every series at once) with the plain reference
(``xmr`` called series by series) and with the PyPI package ``abspc``
(``calculate_control_limits`` + ``detect_special_causes``, one pandas DataFrame per series), on
deterministic random data: mixed improvement directions, targets, about 3% missing values, and
injected shifts, trends, outliers and rebases.

    .venv/bin/python bench/bench_spc.py

The two per-series paths are timed on a 1,000-series sample and scaled linearly to 100,000 (each
series is independent, so their time is linear in the number of series). ``abspc`` is optional:
``.venv/bin/pip install abspc``; without it its rows are skipped. It is not a kpiboard dependency.
"""

from __future__ import annotations

import math
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

try:
    import kpiboard  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kpiboard.core.spc import (
    AssuranceIcon,
    Improvement,
    Signal,
    VariationIcon,
    XmrBatch,
    XmrResult,
    assurance_code,
    signal_code,
    xmr,
    xmr_many,
)

N_SERIES = 100_000
N_POINTS = 60
N_SAMPLE = 1_000
REPEATS = 3
SEED = 20240401
GOAL_SECONDS = 1.0


def make_data(m: int, n: int) -> dict:
    """Monthly figures around a level, with the patterns the rules look for injected."""
    rng = np.random.default_rng(SEED)
    codes = rng.choice([1, -1, 0], m, p=[0.45, 0.4, 0.15]).astype(np.int8)
    level = rng.uniform(10.0, 100.0, m)
    sd = level * rng.uniform(0.02, 0.08, m)
    values = level[:, None] + sd[:, None] * rng.normal(0.0, 1.0, (m, n))
    cols = np.arange(n)[None, :]
    # Shifts: 15% of series step by 1.5 sd for 8 to 15 months.
    shifted = rng.random(m) < 0.15
    begin = rng.integers(0, n - 15, m)[:, None]
    length = rng.integers(8, 16, m)[:, None]
    step = (rng.choice([-1.5, 1.5], m) * sd)[:, None]
    values += np.where(shifted[:, None] & (cols >= begin) & (cols < begin + length), step, 0.0)
    # Trends: 10% of series rise or fall steadily for 7 to 9 months.
    trending = rng.random(m) < 0.10
    begin = rng.integers(0, n - 9, m)[:, None]
    length = rng.integers(7, 10, m)[:, None]
    inside = trending[:, None] & (cols >= begin) & (cols < begin + length)
    slope = (rng.choice([-0.6, 0.6], m) * sd)[:, None]
    values = np.where(inside, level[:, None] + slope * (cols - begin), values)
    # Outliers: 3% of series have one month 5 sd out.
    outlier = rng.random(m) < 0.03
    at = rng.integers(0, n, m)
    values[outlier, at[outlier]] += rng.choice([-5.0, 5.0], outlier.sum()) * sd[outlier]
    # Rebases: 10% of series change level and are rebased between months 24 and 48.
    rebase = np.zeros((m, n), dtype=bool)
    rebased = np.flatnonzero(rng.random(m) < 0.10)
    at = rng.integers(24, 49, rebased.size)
    rebase[rebased, at] = True
    values += np.where(np.cumsum(rebase, axis=1) > 0, (0.3 * level)[:, None], 0.0)
    values = np.round(values, 1)
    values[rng.random((m, n)) < 0.03] = np.nan
    target = np.round(level + sd * rng.normal(0.0, 2.5, m), 1)
    target[rng.random(m) < 0.10] = np.nan
    sample = np.sort(rng.choice(m, N_SAMPLE, replace=False))
    return {"values": values, "codes": codes, "target": target, "rebase": rebase, "sample": sample}


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def loop_path(data: dict) -> list[XmrResult]:
    """``xmr`` series by series, in plain Python: what a report builds for each indicator."""
    out = []
    for i in data["sample"].tolist():
        target = float(data["target"][i])
        out.append(
            xmr(
                data["values"][i],
                improvement=Improvement.from_code(data["codes"][i]),
                target=None if math.isnan(target) else target,
                rebase_at=np.flatnonzero(data["rebase"][i]).tolist(),
            )
        )
    return out


def abspc_path(data: dict) -> Callable[[], object] | str:
    """A callable timing ``abspc`` on the sample, or why it cannot run."""
    try:
        import pandas as pd
        from abspc import calculate_control_limits, detect_special_causes
    except ImportError as exc:
        return f"abspc not installed ({exc.name}); `.venv/bin/pip install abspc` to compare"
    frames = [pd.DataFrame({"value": data["values"][i]}) for i in data["sample"].tolist()]

    def run() -> list:
        with warnings.catch_warnings():  # its NaN handling warns on every gap
            warnings.simplefilter("ignore", RuntimeWarning)
            return [detect_special_causes(calculate_control_limits(f, "XmR")) for f in frames]

    try:
        run_once = detect_special_causes(calculate_control_limits(frames[0], "XmR"))
        assert "special_cause" in run_once.columns
    except Exception as exc:  # a changed API: say so rather than fail
        return f"abspc API differs from the one this bench was written for: {exc!r}"
    return run


def check_equal(batch: XmrBatch, loop: list[XmrResult], sample: np.ndarray) -> None:
    """The vectorised batch equals the reference on every sampled series, field by field."""
    for i, one in zip(sample.tolist(), loop, strict=True):
        for name in ("mean", "lower_limit", "upper_limit"):
            assert np.array_equal(getattr(batch, name)[i], getattr(one, name), equal_nan=True)
        assert batch.point_type[i].tolist() == [p.code for p in one.point_type], i
        assert batch.signal[i].tolist() == [signal_code(s) for s in one.signal], i
        assert batch.variation_icon[i] == one.variation_icon.code, i
        assert batch.assurance_icon[i] == assurance_code(one.assurance_icon), i
        assert bool(batch.short_baseline[i]) == any("fewer than 15" in w for w in one.warnings)


def main() -> int:
    data = make_data(N_SERIES, N_POINTS)
    sample = data["sample"]

    many_s, batch = best_of(
        REPEATS,
        lambda: xmr_many(
            data["values"],
            improvement=data["codes"],
            target=data["target"],
            rebase_mask=data["rebase"],
        ),
    )
    loop_s, loop = best_of(REPEATS, lambda: loop_path(data))
    check_equal(batch, loop, sample)
    runner = abspc_path(data)
    abspc_s = best_of(REPEATS, runner)[0] if callable(runner) else None

    factor = N_SERIES / N_SAMPLE
    per_series_loop = loop_s / N_SAMPLE
    rows = [
        ("xmr, per-series loop (measured)", N_SAMPLE, loop_s),
        (f"xmr, per-series loop (x{factor:g}, scaled)", N_SERIES, loop_s * factor),
    ]
    if abspc_s is not None:
        rows += [
            ("abspc, per-series (measured)", N_SAMPLE, abspc_s),
            (f"abspc, per-series (x{factor:g}, scaled)", N_SERIES, abspc_s * factor),
        ]
    rows.append(("xmr_many, vectorised", N_SERIES, many_s))

    print(f"kpiboard SPC benchmark: Python {platform.python_version()}, numpy {np.__version__}")
    print(
        f"{N_SERIES:,} series x {N_POINTS} points, best of {REPEATS}, seed {SEED}; all rules, "
        "screening, rebases, both icons"
    )
    print(
        f"per-series paths timed on a {N_SAMPLE:,}-series sample and scaled linearly to "
        f"{N_SERIES:,}"
    )
    if abspc_s is None:
        print(f"abspc row skipped: {runner}")
    else:
        import abspc

        print(
            f"abspc {abspc.__version__}: calculate_control_limits + detect_special_causes only "
            "(its own rules: shift of 8, trend of 6, no screening, no rebase, no icons)"
        )
    print()
    header = (
        f"{'path':<38} {'series':>8} {'points':>6} {'seconds':>9} {'series/s':>11} {'speed-up':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, n, seconds in rows:
        print(
            f"{name:<38} {n:>8,} {N_POINTS:>6} {seconds:>9.3f} {n / seconds:>11,.0f} "
            f"{per_series_loop * n / seconds:>8.1f}x"
        )
    print()
    signals = np.bincount(batch.signal.ravel(), minlength=5) / batch.signal.size
    print(
        "points by signal: none "
        + f"{signals[0]:.1%}, "
        + ", ".join(f"{s} {signals[s.code]:.2%}" for s in Signal)
    )
    icons = np.bincount(batch.variation_icon, minlength=len(VariationIcon)) / N_SERIES
    print("variation icons: " + ", ".join(f"{v} {icons[v.code]:.1%}" for v in VariationIcon))
    assurance = np.bincount(batch.assurance_icon, minlength=4) / N_SERIES
    print(
        "assurance icons: none "
        + f"{assurance[0]:.1%}, "
        + ", ".join(f"{a} {assurance[a.code]:.1%}" for a in AssuranceIcon)
    )
    print(f"xmr_many equals xmr on the {N_SAMPLE:,}-series sample: yes")
    verdict = "PASS" if many_s < GOAL_SECONDS else "FAIL"
    print(
        f"goal: xmr_many under {GOAL_SECONDS:g} s for {N_SERIES:,} series: {many_s:.3f} s {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
