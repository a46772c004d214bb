"""The SPC rules, applied to many series at once with numpy: the one implementation.

:func:`xmr_many` charts an (m, n) grid of series: limits per rebase group from the mean and the
(screened) average moving range, then :func:`label_many` judges every point against its group's
lines. Charts with other limits (the g-chart of :mod:`.spc_rare`) hand their own lines to
:func:`label_many`, so every chart follows the same four rules; :func:`.spc.xmr` is one row of
:func:`xmr_many`. Loops run over time points and rule windows only, never over series.

Comparisons with a computed line allow for floating-point noise: a value within a billionth
(:data:`REL_TOL`) of the chart's scale, the larger size of its two limits, is on the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .rating import REL_TOL
from .spc_codes import (
    ADVISED_POINTS,
    LIMIT_FACTOR,
    NEAR_FACTOR,
    SCREEN_FACTOR,
    TREND_POINTS,
    AssuranceIcon,
    Improvement,
    PointType,
    Signal,
    VariationIcon,
    _check_finite,
    _check_options,
    _improvement,
    _point_type,
    _variation_icon,
    assurance_code,
)


@dataclass(frozen=True, eq=False)
class XmrBatch:
    """Many series charted at once: (m, n) arrays per point, (m,) arrays per series.

    The labels are int8 codes (``code`` and ``from_code`` on each enum map them both ways):

    * ``point_type``: -1 missing, 0 common cause, 1 improvement, 2 concern, 3 neutral high,
      4 neutral low;
    * ``signal``: 0 none, 1 outside the limits, 2 trend, 3 two of three, 4 shift;
    * ``variation_icon``: 0 common cause, 1 improvement high, 2 improvement low, 3 concern high,
      4 concern low, 5 neutral high, 6 neutral low;
    * ``assurance_icon``: 0 none, 1 pass, 2 fail, 3 inconsistent.

    ``short_baseline``: fewer than 15 values in the latest group (:func:`xmr` warns).
    """

    mean: np.ndarray
    lower_limit: np.ndarray
    upper_limit: np.ndarray
    point_type: np.ndarray
    signal: np.ndarray
    variation_icon: np.ndarray
    assurance_icon: np.ndarray
    short_baseline: np.ndarray
    near_lower: np.ndarray
    near_upper: np.ndarray
    group: np.ndarray  # (m, n) the rebase group of each point, from 0


# --- the kernel ---


def _lookup(label: Any) -> np.ndarray:
    """Codes of ``label(high, improvement)`` as a table indexed by [improvement code + 1, high]."""
    return np.array(
        [
            [label(high, Improvement.from_code(d)).code for high in (False, True)]
            for d in (-1, 0, 1)
        ],
        dtype=np.int8,
    )


# Special-cause point types and variation icons, derived from the reference functions.
_POINT_TABLE = _lookup(lambda high, imp: _point_type(Signal.SHIFT, high, imp))
_ICON_TABLE = _lookup(lambda high, imp: _variation_icon(Signal.SHIFT, high, imp))
_INCONSISTENT = AssuranceIcon.INCONSISTENT.code


def _group_of(start: np.ndarray) -> tuple[np.ndarray, int]:
    """The rebase group of each point of (n, m) time-major series (groups are contiguous and
    ``start`` marks the first point of each), and how many groups the longest-split series has.

    Row by row: numpy's running sum down the slow axis of a C-ordered array is many times
    slower than sixty row additions."""
    n, m = start.shape
    group = np.zeros((n, m), dtype=np.intp)
    if n < 2 or not start[1:].any():
        return group, 1
    for j in range(1, n):
        np.add(group[j - 1], start[j], out=group[j])
    return group, int(group[-1].max(initial=0)) + 1


def _time_sum(values: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Per series, the sum of ``values`` where ``where``, added one time point after another
    (numpy's ``sum`` may add pairwise, which rounds differently), so a series sums the same
    alone or in a batch of any size."""
    chosen = np.where(where, values, 0.0)  # x + 0.0 is x: the same sums as skipping them
    total = np.zeros(values.shape[1:])
    for row in chosen:
        np.add(total, row, out=total)
    return total


def _group_sums(
    group: np.ndarray, count: int, pairs: list[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """(2 * len(pairs), groups, m): for each (where, values) pair, the count of points where
    ``where`` holds and the time-ordered sum of their values, group by group."""
    m = group.shape[1]
    sums = np.zeros((2 * len(pairs), count, m))
    for g in range(count):
        in_group = None if count == 1 else group == g
        for k, (where, values) in enumerate(pairs):
            chosen = where if in_group is None else where & in_group
            sums[2 * k, g] = np.count_nonzero(chosen, axis=0)
            sums[2 * k + 1, g] = _time_sum(values, chosen)
    return sums


def _baseline_sums(
    y: np.ndarray, valid: np.ndarray, start: np.ndarray, fix: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group, (4, groups, m): count and sum of the baseline values, count and sum of their
    moving ranges, each added in time order; also the (n, m) moving ranges and where they count
    (both ends in the same group's baseline)."""
    n, m = y.shape
    group, count = _group_of(start)
    base = valid
    if fix is not None:  # the first ``fix`` points of each group
        at = np.arange(n).reshape(-1, 1)
        first = np.maximum.accumulate(np.where(start, at, 0), axis=0)
        base = valid & (at - first < fix)
    ranges = np.zeros((n, m))
    has_range = np.zeros((n, m), dtype=bool)
    if n > 1:
        np.subtract(y[1:], y[:-1], out=ranges[1:])
        np.abs(ranges[1:], out=ranges[1:])
        np.logical_and(base[1:], base[:-1], out=has_range[1:])
        has_range[1:] &= ~start[1:]
    sums = _group_sums(group, count, [(base, y), (has_range, ranges)])
    return sums, ranges, has_range


def _screened_range_sums(
    ranges: np.ndarray, has_range: np.ndarray, start: np.ndarray, edge: np.ndarray
) -> np.ndarray:
    """Per group, (2, groups, m): count and sum of the moving ranges below ``edge`` (the cut
    less its tolerance, per group), or zero, in time order."""
    group, count = _group_of(start)
    edges = edge[:1] if count == 1 else edge[group, np.arange(ranges.shape[1])]
    keep = has_range & ~((ranges > 0) & (ranges >= edges))
    return _group_sums(group, count, [(keep, ranges)])


def _in_runs(continues: np.ndarray, length: int) -> np.ndarray:
    """Vectorised :func:`_runs` over axis 0: a point is flagged when a window of ``length``
    consecutive points, each continuing the one before, contains it."""
    n = continues.shape[0]
    flagged = np.zeros_like(continues)
    links = length - 1
    if n < length:
        return flagged
    window = continues[1 : n - links + 1].copy()  # window from point s: links s+1 .. s+links
    for t in range(2, links + 1):
        window &= continues[t : n - links + t]
    for t in range(length):
        flagged[t : n - links + t] |= window
    return flagged


def _two_of_three_many(same: np.ndarray, close: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Vectorised :func:`_two_of_three` for one side: ``same`` is "on this side of the mean"."""
    flagged = np.zeros_like(close)
    if close.shape[0] < 3:
        return flagged
    c0, c1, c2 = close[:-2], close[1:-1], close[2:]
    window = same[:-2] & same[1:-1] & same[2:] & ~start[1:-1] & ~start[2:]
    window &= (c0 & c1) | (c0 & c2) | (c1 & c2)
    flagged[:-2] |= window
    flagged[1:-1] |= window
    flagged[2:] |= window
    return flagged & close


def _improvement_codes(improvement: object, m: int) -> np.ndarray:
    if isinstance(improvement, str):
        return np.full(m, _improvement(improvement).code, dtype=np.int8)
    codes = np.asarray(improvement)
    if codes.shape != (m,):
        raise ValueError(f"improvement must be a string or {m} codes, not shape {codes.shape}")
    if not np.isin(codes, (-1, 0, 1)).all():
        raise ValueError("improvement codes must be 1 (increase), -1 (decrease) or 0 (neutral)")
    return codes.astype(np.int8)


@dataclass(frozen=True, eq=False)
class Labels:
    """:func:`label_many`'s verdict on (n, m) time-major points, with the lines it judged by.

    ``lines`` is (5, n, m): mean, lower, upper, near lower and near upper of each point's group;
    ``group`` (n, m) the group index of each point; ``latest_count`` (m,) the values in each
    series' last group; ``high`` (n, m) whether a special-cause point is on the high side.
    """

    signal: np.ndarray
    high: np.ndarray
    point_type: np.ndarray
    variation_icon: np.ndarray
    assurance_icon: np.ndarray
    lines: np.ndarray
    group: np.ndarray
    latest_count: np.ndarray


def label_many(
    y: np.ndarray,
    start: np.ndarray,
    lines: np.ndarray,
    tol: np.ndarray,
    *,
    codes: np.ndarray,
    targets: np.ndarray,
    shift_length: int,
    mdc_2023: bool,
) -> Labels:
    """Judge (n, m) time-major values ``y`` against their group's ``lines`` (5, groups, m: mean,
    lower, upper, near lower, near upper; NaN upper = no limits, so no signals) within ``tol``
    (groups, m). ``start`` (n, m) marks the first point of each group; ``codes`` are the series'
    improvement codes and ``targets`` their targets (NaN: none) for the assurance icon."""
    n, m = y.shape
    valid = ~np.isnan(y)
    mean, lower, upper, near_lower, near_upper = lines
    # The lines each rule compares with, tolerance included, exactly as the reference adds them.
    edges = np.stack(
        [mean + tol, mean - tol, upper + tol, lower - tol, near_upper + tol, near_lower - tol]
    )
    # Per point: the lines of its group, and where it lies. NaN limits (or a NaN value) make
    # every comparison false, so such groups and points get no signals.
    group, count = _group_of(start)
    if count == 1:  # no rebase in the batch: every point has its series' one set of lines
        per_point = np.broadcast_to(lines[:, :1], (5, n, m))
        edges_now = edges[:, :1]
        latest_count = np.count_nonzero(valid, axis=0)
    else:
        columns = np.arange(m)
        per_point = lines[:, group, columns]
        edges_now = edges[:, group, columns]
        latest_count = np.count_nonzero(valid & (group == group[-1]), axis=0)
    where = np.empty((6, n, m), dtype=bool)
    np.greater(y, edges_now[0::2], out=where[0::2])
    np.less(y, edges_now[1::2], out=where[1::2])
    signal, high = _signals(y, start, where, ~np.isnan(per_point[2]), shift_length, mdc_2023)

    direction = codes.astype(np.intp) + 1
    low_code, high_code = _POINT_TABLE[direction, 0], _POINT_TABLE[direction, 1]
    point_type = high.view(np.int8) * (high_code - low_code) + low_code
    point_type *= signal != 0  # common cause is code 0
    np.copyto(point_type, PointType.MISSING.code, where=~valid)
    last_group = group[-1] if n else np.zeros(m, dtype=np.intp)
    icon, assurance = _icons(signal, high, valid, direction, last_group, lines, tol, codes,
                             targets)  # fmt: skip
    return Labels(signal, high, point_type, icon, assurance, per_point, group, latest_count)


def _signals(
    y: np.ndarray,
    start: np.ndarray,
    where: np.ndarray,
    has_limits: np.ndarray,
    shift_length: int,
    mdc_2023: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """(signal codes, high) per point: outside the limits, trend, two of three, shift, in that
    order of precedence; ``where`` holds the six comparisons with the group's lines."""
    n, m = y.shape
    above, below, out_high, out_low, close_high, close_low = where
    if not mdc_2023:
        close_high &= ~out_high
        close_low &= ~out_low
    linked = ~start[1:] & has_limits[1:]
    up = np.zeros((n, m), dtype=bool)
    down = np.zeros((n, m), dtype=bool)
    np.greater(y[1:], y[:-1], out=up[1:])
    np.less(y[1:], y[:-1], out=down[1:])
    up[1:] &= linked
    down[1:] &= linked
    rising, falling = _in_runs(up, TREND_POINTS), _in_runs(down, TREND_POINTS)

    same_side = np.zeros((n, m), dtype=bool)
    same_side[1:] = ((above[1:] & above[:-1]) | (below[1:] & below[:-1])) & ~start[1:]
    shift = _in_runs(same_side, shift_length)
    two_of_three = _two_of_three_many(above, close_high, start)
    two_of_three |= _two_of_three_many(below, close_low, start)

    signal = np.zeros((n, m), dtype=np.int8)
    np.copyto(signal, Signal.SHIFT.code, where=shift)
    np.copyto(signal, Signal.TWO_OF_THREE.code, where=two_of_three)
    np.copyto(signal, Signal.TREND.code, where=rising | falling)
    np.copyto(signal, Signal.OUTSIDE_LIMITS.code, where=out_high | out_low)
    trend_high = rising & (~falling | up)  # the turning point of two trends: the one it ends
    return signal, np.where(signal == Signal.TREND.code, trend_high, above)


def _icons(
    signal: np.ndarray,
    high: np.ndarray,
    valid: np.ndarray,
    direction: np.ndarray,
    latest: np.ndarray,
    lines: np.ndarray,
    tol: np.ndarray,
    codes: np.ndarray,
    targets: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each series' variation icon (its last value's label) and assurance icon (where its
    target lies against the latest group's limits: beyond the worse one passes every time)."""
    n, m = signal.shape
    if not n:
        return np.zeros(m, dtype=np.int8), np.zeros(m, dtype=np.int8)
    columns = np.arange(m)
    last = n - 1 - np.argmax(valid[::-1], axis=0)
    s_last, h_last = signal[last, columns], high[last, columns]
    icon = _ICON_TABLE[direction, h_last.view(np.int8)]
    icon[(s_last == 0) | ~valid.any(axis=0)] = VariationIcon.COMMON_CAUSE.code
    lo, hi, t = lines[1][latest, columns], lines[2][latest, columns], tol[latest, columns]
    with np.errstate(invalid="ignore"):
        beneath, beyond = targets < lo - t, targets > hi + t
    passes = np.where(codes > 0, beneath, beyond)
    fails = np.where(codes > 0, beyond, beneath)
    assurance = np.where(
        passes, AssuranceIcon.PASS.code, np.where(fails, AssuranceIcon.FAIL.code, _INCONSISTENT)
    ).astype(np.int8)
    assurance[(codes == 0) | np.isnan(targets) | np.isnan(hi)] = assurance_code(None)
    return icon, assurance


def time_major(values: np.ndarray, rebase_mask: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """(y, start): (m, n) values as contiguous (n, m) rows, and where each group starts."""
    m, n = values.shape
    y = np.ascontiguousarray(values.T)
    start = np.zeros((n, m), dtype=bool)
    if rebase_mask is not None:
        mask = np.asarray(rebase_mask, dtype=bool)
        if mask.shape != (m, n):
            raise ValueError(f"rebase_mask must have shape {(m, n)}, not {mask.shape}")
        start[:] = mask.T
    start[:1] = True
    return y, start


def xmr_lines(
    y: np.ndarray, start: np.ndarray, fix_after_n_points: int | None, screen_outliers: bool
) -> tuple[np.ndarray, np.ndarray]:
    """XmR's lines per group, (5, groups, m), and their tolerance (groups, m): the mean of the
    baseline and mean +/- 2.66 (limits) and 1.77 (near band) average moving ranges."""
    valid = ~np.isnan(y)
    # Figures near the float limit (bounded in storage, not in what came before) may overflow
    # to infinity in a difference: that gives wide limits, never an error.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        sums, ranges, has_range = _baseline_sums(y, valid, start, fix_after_n_points)
        count, total, r_count, r_total = sums
        mean = total / count
        mr_bar = r_total / r_count
        if screen_outliers:
            cut = SCREEN_FACTOR * mr_bar
            r_count, r_total = _screened_range_sums(ranges, has_range, start, cut - REL_TOL * cut)
            mr_bar = r_total / r_count
    lower = mean - LIMIT_FACTOR * mr_bar
    upper = mean + LIMIT_FACTOR * mr_bar
    lines = np.stack([mean, lower, upper, mean - NEAR_FACTOR * mr_bar, mean + NEAR_FACTOR * mr_bar])
    return lines, REL_TOL * np.maximum(np.abs(lower), np.abs(upper))


def xmr_many(
    values_2d: np.ndarray | Sequence[Sequence[float | None]],
    *,
    improvement: str | np.ndarray,
    target: np.ndarray | None = None,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    rebase_mask: np.ndarray | None = None,
    shift_length: int = 7,
    mdc_2023: bool = False,
) -> XmrBatch:
    """XmR charts of m series of n points (NaN = missing).

    ``improvement`` is one string for all or an (m,) array of codes (1 increase, -1 decrease,
    0 neutral); ``target`` an (m,) array (NaN: none); ``rebase_mask`` an (m, n) bool array, True
    at the first point of each new group. The (m, n) arrays returned are transposed views of
    time-major (n, m) arrays.
    """
    values = np.asarray(values_2d, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values_2d must be 2-D (series x points), not shape {values.shape}")
    m = values.shape[0]
    codes = _improvement_codes(improvement, m)
    targets = np.full(m, np.nan) if target is None else np.asarray(target, dtype=float)
    if targets.shape != (m,):
        raise ValueError(f"target must be None or an array of {m} values, not {targets.shape}")
    _check_options(fix_after_n_points, shift_length)
    _check_finite(values)
    y, start = time_major(values, rebase_mask)
    lines, tol = xmr_lines(y, start, fix_after_n_points, screen_outliers)
    labels = label_many(
        y, start, lines, tol, codes=codes, targets=targets, shift_length=shift_length,
        mdc_2023=mdc_2023,
    )  # fmt: skip
    mean, lower, upper, near_lower, near_upper = labels.lines
    return XmrBatch(
        mean=mean.T,
        lower_limit=lower.T,
        upper_limit=upper.T,
        point_type=labels.point_type.T,
        signal=labels.signal.T,
        variation_icon=labels.variation_icon,
        assurance_icon=labels.assurance_icon,
        short_baseline=labels.latest_count < ADVISED_POINTS,
        near_lower=near_lower.T,
        near_upper=near_upper.T,
        group=labels.group.T,
    )
