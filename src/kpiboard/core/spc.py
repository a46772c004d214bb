"""Statistical process control: XmR charts and icons as NHS England's "Making Data Count" has them.

An XmR chart asks whether the latest figures differ from the process that produced the earlier
ones, rather than from a target. Its centre line is the mean; its process limits are the mean
plus or minus 2.66 times the average moving range (the typical month-to-month change), which is
where nearly all figures of an unchanged process fall. Four patterns are "special cause"
variation: a point outside the limits, a trend, two of three points close to a limit, and a
shift. docs/spc.md explains the rules with worked examples.

Two implementations live here on purpose, as in :mod:`kpiboard.core.rating`: :func:`xmr` charts
one series in plain Python and is the reference; :func:`xmr_many` charts a whole (m, n) grid of
series at once with numpy. Both add up sums in time order and compare with the same expressions,
so a property test holds them exactly equal, limits included.

Comparisons with a computed line (the mean, a near-limit band, a limit) allow for floating-point
noise: a value within a billionth (:data:`REL_TOL`) of the chart's scale, the larger size of its
two limits, counts as exactly on the line. A flat series of 97.3 therefore sits on its mean,
although adding 97.3 up in binary does not give exactly 97.3 times the count.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from .indicators import SpcChart
from .rating import REL_TOL

#: Process limits: mean +/- 2.66 x MR-bar (3 sigma, with sigma estimated as MR-bar / 1.128).
LIMIT_FACTOR = 2.66
#: Edge of the near-limit band: two thirds of the way from the mean to a limit (about 2 sigma).
NEAR_FACTOR = 2 / 3 * LIMIT_FACTOR
#: Screening: moving ranges at or above 3.267 x MR-bar (the upper limit of a moving-range chart)
#: are left out of MR-bar, so one exceptional month does not widen the limits.
SCREEN_FACTOR = 3.267
#: Points in a trend (6 consecutive rising or falling steps).
TREND_POINTS = 7
SHIFT_LENGTHS = (6, 7, 8)
#: The fewest points a fixed baseline may have.
MIN_BASELINE = 12
#: Making Data Count advises at least 15 (ideally 20) points before acting on signals.
ADVISED_POINTS = 15

__all__ = [
    "ADVISED_POINTS",
    "LIMIT_FACTOR",
    "NEAR_FACTOR",
    "SCREEN_FACTOR",
    "AssuranceIcon",
    "Improvement",
    "PointType",
    "Signal",
    "VariationIcon",
    "XmrBatch",
    "XmrResult",
    "assurance_code",
    "describe_assurance",
    "describe_variation",
    "signal_code",
    "xmr",
    "xmr_many",
]


# --- enums and their int8 codes ----------------------------------------------------------------


class Improvement(StrEnum):
    """Which way is better: ``neutral`` for measures with no preferred direction (e.g. activity)."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"

    @property
    def code(self) -> int:
        return _IMPROVEMENT_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> Improvement:
        return _IMPROVEMENT_FROM_CODE[int(code)]


_IMPROVEMENT_CODE = {Improvement.INCREASE: 1, Improvement.DECREASE: -1, Improvement.NEUTRAL: 0}
_IMPROVEMENT_FROM_CODE = {v: k for k, v in _IMPROVEMENT_CODE.items()}


class PointType(StrEnum):
    """What one point of the chart is. Codes: -1 missing, 0 common cause, 1..4 special cause."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"
    MISSING = "missing"
    #: A figure on a chart whose icons are withheld (XmR unsuitable): no claim either way.
    NOT_ASSESSED = "not_assessed"

    @property
    def code(self) -> int:
        return _POINT_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> PointType:
        return _POINT_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _POINT_WORDS[self]


_POINT_CODE = {
    PointType.NOT_ASSESSED: -2,
    PointType.MISSING: -1,
    PointType.COMMON_CAUSE: 0,
    PointType.IMPROVEMENT: 1,
    PointType.CONCERN: 2,
    PointType.NEUTRAL_HIGH: 3,
    PointType.NEUTRAL_LOW: 4,
}
_POINT_FROM_CODE = {v: k for k, v in _POINT_CODE.items()}
_POINT_WORDS = {
    PointType.NOT_ASSESSED: "Not assessed",
    PointType.MISSING: "No data",
    PointType.COMMON_CAUSE: "Common cause",
    PointType.IMPROVEMENT: "Special cause: improvement",
    PointType.CONCERN: "Special cause: concern",
    PointType.NEUTRAL_HIGH: "Special cause: high",
    PointType.NEUTRAL_LOW: "Special cause: low",
}


class Signal(StrEnum):
    """The rule that labelled a point. Codes 1..4 in priority order; 0 is "no signal" (None)."""

    OUTSIDE_LIMITS = "outside_limits"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    SHIFT = "shift"

    @property
    def code(self) -> int:
        return _SIGNAL_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> Signal | None:
        return _SIGNAL_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _SIGNAL_WORDS[self]


_SIGNAL_CODE = {Signal.OUTSIDE_LIMITS: 1, Signal.TREND: 2, Signal.TWO_OF_THREE: 3, Signal.SHIFT: 4}
_SIGNAL_FROM_CODE: dict[int, Signal | None] = {0: None} | {v: k for k, v in _SIGNAL_CODE.items()}
_SIGNAL_WORDS = {
    Signal.OUTSIDE_LIMITS: "a point outside the process limits",
    Signal.TREND: "a trend of 7 points rising or falling",
    Signal.TWO_OF_THREE: "two of three points close to a process limit",
    Signal.SHIFT: "a run of points on one side of the mean",
}


def signal_code(signal: Signal | None) -> int:
    """The int8 code of a point's signal: 0 for none."""
    return 0 if signal is None else signal.code


class VariationIcon(StrEnum):
    """The variation icon, from the latest point: codes 0 (common cause) to 6."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"

    @property
    def code(self) -> int:
        return _VARIATION_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> VariationIcon:
        return _VARIATION_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _VARIATION_WORDS[self]


_VARIATION_CODE = {icon: code for code, icon in enumerate(VariationIcon)}
_VARIATION_FROM_CODE = {v: k for k, v in _VARIATION_CODE.items()}
_VARIATION_WORDS = {
    VariationIcon.COMMON_CAUSE: "Common cause variation: no significant change",
    VariationIcon.IMPROVEMENT_HIGH: "Special cause variation: improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "Special cause variation: improvement (low)",
    VariationIcon.CONCERN_HIGH: "Special cause variation: concern (high)",
    VariationIcon.CONCERN_LOW: "Special cause variation: concern (low)",
    VariationIcon.NEUTRAL_HIGH: "Special cause variation: neither improvement nor concern (high)",
    VariationIcon.NEUTRAL_LOW: "Special cause variation: neither improvement nor concern (low)",
}


class AssuranceIcon(StrEnum):
    """Will the process meet the target? Codes 1..3; 0 is "no icon" (None)."""

    PASS = "pass"
    FAIL = "fail"
    INCONSISTENT = "inconsistent"

    @property
    def code(self) -> int:
        return _ASSURANCE_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> AssuranceIcon | None:
        return _ASSURANCE_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _ASSURANCE_WORDS[self]


_ASSURANCE_CODE = {AssuranceIcon.PASS: 1, AssuranceIcon.FAIL: 2, AssuranceIcon.INCONSISTENT: 3}
_ASSURANCE_FROM_CODE: dict[int, AssuranceIcon | None] = {0: None} | {
    v: k for k, v in _ASSURANCE_CODE.items()
}
_ASSURANCE_WORDS = {
    AssuranceIcon.PASS: "Assurance: the target is consistently met",
    AssuranceIcon.FAIL: "Assurance: the target will not be met without change",
    AssuranceIcon.INCONSISTENT: "Assurance: the target may or may not be met",
}


def assurance_code(icon: AssuranceIcon | None) -> int:
    """The int8 code of an assurance icon: 0 for none."""
    return 0 if icon is None else icon.code


def describe_variation(icon: VariationIcon | str | None) -> str:
    """Plain-English label of a variation icon, for reports and screen readers; None is a
    withheld icon (the chart does not suit the figures; :attr:`XmrResult.withheld` says why)."""
    if icon is None:
        return "Variation: not assessed"
    return VariationIcon(icon).words


def describe_assurance(icon: AssuranceIcon | str | None, why: str = "") -> str:
    """Plain-English label of an assurance icon; None says why there is none: ``why`` when
    given (e.g. :attr:`XmrResult.assurance_note`), else no target or no preferred direction."""
    if icon is None:
        return f"Assurance: not assessed ({why or 'no target, or no preferred direction'})"
    return AssuranceIcon(icon).words


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class XmrResult:
    """One series charted: per-point arrays (length n) and the two icons.

    ``mean`` and the limits are those of each point's rebase ``group`` (NaN where a group has no
    limits); ``signal`` is the rule that labelled each point (None: no special cause).

    :func:`xmr` fills the fields up to ``dates``. The rest describe other charts of the same
    shape (:mod:`kpiboard.core.spc_rare`): ``chart`` is the kind (t and g charts plot the days
    between events, one point per event, and ``mean`` is their centre line); ``withheld`` says
    why the icons are withheld (``variation_icon`` is then None); ``assurance_note`` why there is
    no assurance icon when a target exists; ``open_interval`` the days since the latest event.
    """

    values: np.ndarray
    mean: np.ndarray
    lower_limit: np.ndarray
    upper_limit: np.ndarray
    near_lower: np.ndarray
    near_upper: np.ndarray
    point_type: tuple[PointType, ...]
    signal: tuple[Signal | None, ...]
    group: np.ndarray
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    warnings: tuple[str, ...]
    dates: Sequence[Any] | None = None
    chart: SpcChart = SpcChart.XMR
    withheld: str = ""
    assurance_note: str = ""
    open_interval: float | None = None


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


# --- validation shared by both paths -----------------------------------------------------------


def _improvement(value: object) -> Improvement:
    if isinstance(value, str) and value in Improvement.__members__.values():
        return Improvement(value)
    choices = ", ".join(repr(str(i)) for i in Improvement)
    raise ValueError(f"improvement must be one of {choices}, not {value!r}")


def _check_options(fix_after_n_points: int | None, shift_length: int) -> None:
    if shift_length not in SHIFT_LENGTHS:
        raise ValueError(f"shift_length must be 6, 7 or 8 points, not {shift_length!r}")
    if fix_after_n_points is None:
        return
    try:
        operator.index(fix_after_n_points)
    except TypeError:
        raise ValueError(
            f"fix_after_n_points must be a whole number of points, not {fix_after_n_points!r}"
        ) from None
    if fix_after_n_points < MIN_BASELINE:
        raise ValueError(
            f"fix_after_n_points must be at least {MIN_BASELINE} (limits fixed on fewer points "
            f"are unreliable), not {fix_after_n_points!r}"
        )


def _check_finite(values: np.ndarray) -> None:
    if np.isinf(values).any():
        raise ValueError("values must be finite numbers or missing (None/NaN), not infinite")


# --- the reference: one series in plain Python --------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    mean: float
    lower: float
    upper: float
    near_lower: float
    near_upper: float
    tol: float  # how close to a line counts as on it


def _mean(xs: list[float]) -> float:
    """Sum in time order (as the vectorised path does), then divide."""
    total = 0.0
    for x in xs:
        total += x
    return total / len(xs) if xs else math.nan


def _screened_out(moving_range: float, cut: float) -> bool:
    """Not strictly below 3.267 x MR-bar: dropped. Never zero: a flat series keeps its ranges."""
    return moving_range > 0 and moving_range >= cut - REL_TOL * cut


def _group_limits(y: list[float], fix: int | None, screen: bool) -> _Limits:
    baseline = y if fix is None else y[:fix]
    mean = _mean([v for v in baseline if not math.isnan(v)])
    ranges = [
        abs(b - a) for a, b in itertools.pairwise(baseline) if not (math.isnan(a) or math.isnan(b))
    ]
    mr_bar = _mean(ranges)
    if screen and ranges:
        cut = SCREEN_FACTOR * mr_bar
        mr_bar = _mean([r for r in ranges if not _screened_out(r, cut)])
    lower = mean - LIMIT_FACTOR * mr_bar
    upper = mean + LIMIT_FACTOR * mr_bar
    return _Limits(
        mean=mean,
        lower=lower,
        upper=upper,
        near_lower=mean - NEAR_FACTOR * mr_bar,
        near_upper=mean + NEAR_FACTOR * mr_bar,
        tol=REL_TOL * max(abs(lower), abs(upper)),
    )


def _side(v: float, lim: _Limits) -> int:
    """+1 above the mean, -1 below, 0 on it (or missing)."""
    if v > lim.mean + lim.tol:
        return 1
    if v < lim.mean - lim.tol:
        return -1
    return 0


def _close_side(v: float, lim: _Limits, mdc_2023: bool) -> int:
    """+1 / -1 beyond the near-limit band above / below (and inside the limits unless 2023)."""
    if v > lim.near_upper + lim.tol and (mdc_2023 or not v > lim.upper + lim.tol):
        return 1
    if v < lim.near_lower - lim.tol and (mdc_2023 or not v < lim.lower - lim.tol):
        return -1
    return 0


def _runs(continues: list[bool], length: int) -> list[bool]:
    """Points in a run of at least ``length``; ``continues[i]``: point i extends i-1's run."""
    n = len(continues)
    flagged = [False] * n
    first = 0
    for i in range(1, n + 1):
        if i < n and continues[i]:
            continue
        if i - first >= length:
            flagged[first:i] = [True] * (i - first)
        first = i
    return flagged


def _two_of_three(side: list[int], close: list[int]) -> list[bool]:
    flagged = [False] * len(side)
    for i in range(len(side) - 2):
        window = (i, i + 1, i + 2)
        s = side[i]
        if s != 0 and all(side[k] == s for k in window):
            near = [k for k in window if close[k] == s]
            if len(near) >= 2:
                for k in near:
                    flagged[k] = True
    return flagged


def _group_labels(
    y: list[float], lim: _Limits, shift_length: int, mdc_2023: bool
) -> list[tuple[Signal | None, bool]]:
    """(signal, high) per point of one group; high means above the mean, or a rising trend."""
    n = len(y)
    if math.isnan(lim.upper):
        return [(None, False)] * n
    side = [_side(v, lim) for v in y]
    close = [_close_side(v, lim, mdc_2023) for v in y]
    # Step i joins point i to i-1; NaN compares false, so a missing value breaks every run.
    rising = _runs([i > 0 and y[i] > y[i - 1] for i in range(n)], TREND_POINTS)
    falling = _runs([i > 0 and y[i] < y[i - 1] for i in range(n)], TREND_POINTS)
    two_of_three = _two_of_three(side, close)
    shift = _runs(
        [i > 0 and side[i] != 0 and side[i] == side[i - 1] for i in range(n)], shift_length
    )
    labels: list[tuple[Signal | None, bool]] = []
    for i, v in enumerate(y):
        if v > lim.upper + lim.tol or v < lim.lower - lim.tol:
            labels.append((Signal.OUTSIDE_LIMITS, side[i] > 0))
        elif rising[i] or falling[i]:
            # The turning point of two trends belongs to the one it ends.
            labels.append((Signal.TREND, rising[i] and (not falling[i] or y[i] > y[i - 1])))
        elif two_of_three[i]:
            labels.append((Signal.TWO_OF_THREE, side[i] > 0))
        elif shift[i]:
            labels.append((Signal.SHIFT, side[i] > 0))
        else:
            labels.append((None, False))
    return labels


def _point_type(signal: Signal | None, high: bool, improvement: Improvement) -> PointType:
    if signal is None:
        return PointType.COMMON_CAUSE
    if improvement is Improvement.NEUTRAL:
        return PointType.NEUTRAL_HIGH if high else PointType.NEUTRAL_LOW
    return (
        PointType.IMPROVEMENT
        if high == (improvement is Improvement.INCREASE)
        else PointType.CONCERN
    )


def _variation_icon(signal: Signal | None, high: bool, improvement: Improvement) -> VariationIcon:
    if signal is None:
        return VariationIcon.COMMON_CAUSE
    if improvement is Improvement.NEUTRAL:
        return VariationIcon.NEUTRAL_HIGH if high else VariationIcon.NEUTRAL_LOW
    if high == (improvement is Improvement.INCREASE):
        return VariationIcon.IMPROVEMENT_HIGH if high else VariationIcon.IMPROVEMENT_LOW
    return VariationIcon.CONCERN_HIGH if high else VariationIcon.CONCERN_LOW


def _assurance(
    target: float | None, lim: _Limits, improvement: Improvement
) -> AssuranceIcon | None:
    """Pass when the target lies beyond the worse limit: the process meets it every time."""
    if target is None or math.isnan(target) or improvement is Improvement.NEUTRAL:
        return None
    if math.isnan(lim.upper):
        return None
    below, above = target < lim.lower - lim.tol, target > lim.upper + lim.tol
    if improvement is Improvement.INCREASE:
        passes, fails = below, above
    else:
        passes, fails = above, below
    if passes:
        return AssuranceIcon.PASS
    return AssuranceIcon.FAIL if fails else AssuranceIcon.INCONSISTENT


def _group_starts(rebase_at: Iterable[int], n: int) -> list[int]:
    starts = [0]
    previous = -1
    for raw in rebase_at:
        try:
            index = operator.index(raw)
        except TypeError:
            raise ValueError(f"rebase_at must hold point indices, not {raw!r}") from None
        if not 0 <= index < n:
            raise ValueError(f"rebase_at index {index} is out of range for {n} points")
        if index <= previous:
            raise ValueError(f"rebase_at must be strictly increasing; {index} follows {previous}")
        previous = index
        if index > 0:
            starts.append(index)
    return starts


def xmr(
    values: Sequence[float | None] | np.ndarray,
    *,
    improvement: Improvement | str = "increase",
    target: float | None = None,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    rebase_at: Iterable[int] = (),
    dates: Sequence[Any] | None = None,
    shift_length: int = 7,
    mdc_2023: bool = False,
) -> XmrResult:
    """Chart one series (missing values as None or NaN stay in place and never signal).

    ``rebase_at``: indices of the points that start a new group of limits. ``fix_after_n_points``:
    limits from the first n points of each group (at least 12). ``mdc_2023``: points outside the
    limits also count towards two-of-three. ``target`` gives the assurance icon.
    """
    direction = _improvement(improvement)
    _check_options(fix_after_n_points, shift_length)
    y_array = np.array(values, dtype=float)
    if y_array.ndim != 1:
        raise ValueError(f"values must be one series (1-D), not shape {y_array.shape}")
    _check_finite(y_array)
    n = len(y_array)
    if dates is not None and len(dates) != n:
        raise ValueError(f"dates has {len(dates)} entries but there are {n} values")
    starts = _group_starts(rebase_at, n)
    y = y_array.tolist()

    blank = np.full(n, math.nan)
    mean, lower, upper, near_lower, near_upper = (blank.copy() for _ in range(5))
    group = np.zeros(n, dtype=np.int64)
    labels: list[tuple[Signal | None, bool]] = []
    warnings: list[str] = []
    latest = _Limits(*[math.nan] * 6)
    latest_count = 0
    for g, (lo, hi) in enumerate(zip(starts, [*starts[1:], n], strict=True)):
        segment = y[lo:hi]
        lim = _group_limits(segment, fix_after_n_points, screen_outliers)
        labels += _group_labels(segment, lim, shift_length, mdc_2023)
        mean[lo:hi], lower[lo:hi], upper[lo:hi] = lim.mean, lim.lower, lim.upper
        near_lower[lo:hi], near_upper[lo:hi] = lim.near_lower, lim.near_upper
        group[lo:hi] = g
        count = sum(1 for v in segment if not math.isnan(v))
        where = f"Group {g + 1} (from point {lo + 1})" if len(starts) > 1 else "The series"
        if count < 2:
            warnings.append(f"{where} has fewer than 2 values: no limits and no signals.")
        elif math.isnan(lim.upper):
            warnings.append(
                f"{where} has no two consecutive values in its baseline, so no moving range: "
                "no limits and no signals."
            )
        latest, latest_count = lim, count
    if latest_count < ADVISED_POINTS:
        since = " since the last rebase" if len(starts) > 1 else ""
        warnings.append(
            f"Only {latest_count} value{'' if latest_count == 1 else 's'}{since}, fewer than "
            f"{ADVISED_POINTS}: Making Data Count advises 15 to 20 points before relying on the "
            "limits."
        )

    point_type = tuple(
        PointType.MISSING if math.isnan(v) else _point_type(s, high, direction)
        for v, (s, high) in zip(y, labels, strict=True)
    )
    last = next((i for i in range(n - 1, -1, -1) if not math.isnan(y[i])), None)
    icon = VariationIcon.COMMON_CAUSE if last is None else _variation_icon(*labels[last], direction)
    for array in (y_array, mean, lower, upper, near_lower, near_upper, group):
        array.flags.writeable = False
    return XmrResult(
        values=y_array,
        mean=mean,
        lower_limit=lower,
        upper_limit=upper,
        near_lower=near_lower,
        near_upper=near_upper,
        point_type=point_type,
        signal=tuple(s for s, _ in labels),
        group=group,
        variation_icon=icon,
        assurance_icon=_assurance(target, latest, direction),
        warnings=tuple(warnings),
        dates=dates,
    )


# --- the vectorised path: (m, n) series at once -------------------------------------------------


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


class _Groups:
    """Walks the time points of (n, m) series, keeping each series' current group index.

    Groups are contiguous, so a series moves to its next group exactly where ``start`` is set;
    :meth:`switch` returns those series (usually none) so per-group state can follow them.
    """

    def __init__(self, start: np.ndarray):
        self.start = start
        m = start.shape[1]
        self.count = max(1, int(start.sum(axis=0).max(initial=1)))
        self.current = np.zeros(m, dtype=np.intp)
        self.columns = np.arange(m)

    def switch(self, j: int) -> np.ndarray:
        rows = np.flatnonzero(self.start[j]) if j else self.columns[:0]
        self.current[rows] += 1
        return rows


def _store(sums: np.ndarray, acc: np.ndarray, group: np.ndarray, rows: np.ndarray) -> None:
    """Move the running sums of ``rows`` (whose group has just ended) into ``sums``; restart."""
    sums[:, group[rows], rows] = acc[:, rows]
    acc[:, rows] = 0.0


def _baseline_sums(
    y: np.ndarray, valid: np.ndarray, start: np.ndarray, fix: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group, (4, groups, m): count and sum of the baseline values, count and sum of their
    moving ranges, each added in time order as :func:`_mean` does; also the (n, m) moving ranges
    and where they count (both ends in the same group's baseline)."""
    n, m = y.shape
    groups = _Groups(start)
    sums = np.zeros((4, groups.count, m))
    acc = np.zeros((4, m))
    ranges = np.zeros((n, m))
    has_range = np.zeros((n, m), dtype=bool)
    position = np.zeros(m, dtype=np.intp)
    previous = np.zeros(m, dtype=bool)
    for j in range(n):
        ended = groups.current.copy()
        rows = groups.switch(j)
        if rows.size:
            _store(sums, acc, ended, rows)
            position[rows] = 0
        base = valid[j] if fix is None else valid[j] & (position < fix)
        np.add(acc[0], 1.0, out=acc[0], where=base)
        np.add(acc[1], y[j], out=acc[1], where=base)
        if j:
            np.subtract(y[j], y[j - 1], out=ranges[j])
            np.abs(ranges[j], out=ranges[j])
            has = np.logical_and(base, previous, out=has_range[j])
            has &= ~start[j]
            np.add(acc[2], 1.0, out=acc[2], where=has)
            np.add(acc[3], ranges[j], out=acc[3], where=has)
        previous = base
        position += 1
    sums[:, groups.current, groups.columns] = acc
    return sums, ranges, has_range


def _screened_range_sums(
    ranges: np.ndarray, has_range: np.ndarray, start: np.ndarray, edge: np.ndarray
) -> np.ndarray:
    """Per group, (2, groups, m): count and sum of the moving ranges below ``edge`` (the cut
    less its tolerance, per group), or zero, in time order as in :func:`_screened_out`."""
    n, m = ranges.shape
    groups = _Groups(start)
    sums = np.zeros((2, groups.count, m))
    acc = np.zeros((2, m))
    edge_now = edge[0].copy()
    for j in range(n):
        ended = groups.current.copy()
        rows = groups.switch(j)
        if rows.size:
            _store(sums, acc, ended, rows)
            edge_now[rows] = edge[groups.current[rows], rows]
        if j:
            r = ranges[j]
            keep = has_range[j] & ~((r > 0) & (r >= edge_now))
            np.add(acc[0], 1.0, out=acc[0], where=keep)
            np.add(acc[1], r, out=acc[1], where=keep)
    sums[:, groups.current, groups.columns] = acc
    return sums


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
    """Vectorised :func:`xmr` for m series of n points (NaN = missing).

    ``improvement`` is one string for all or an (m,) array of codes (1 increase, -1 decrease,
    0 neutral); ``target`` an (m,) array (NaN: none); ``rebase_mask`` an (m, n) bool array, True
    at the first point of each new group. Loops run over time points and rule windows only.
    The (m, n) arrays returned are transposed views of time-major (n, m) arrays.
    """
    values = np.asarray(values_2d, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values_2d must be 2-D (series x points), not shape {values.shape}")
    m, n = values.shape
    codes = _improvement_codes(improvement, m)
    targets = np.full(m, np.nan) if target is None else np.asarray(target, dtype=float)
    if targets.shape != (m,):
        raise ValueError(f"target must be None or an array of {m} values, not {targets.shape}")
    _check_options(fix_after_n_points, shift_length)
    _check_finite(values)

    # Work in (n, m): one row per point in time, so each step of a loop over time is contiguous.
    y = np.ascontiguousarray(values.T)
    start = np.zeros((n, m), dtype=bool)
    if rebase_mask is not None:
        mask = np.asarray(rebase_mask, dtype=bool)
        if mask.shape != (m, n):
            raise ValueError(f"rebase_mask must have shape {(m, n)}, not {mask.shape}")
        start[:] = mask.T
    start[:1] = True
    valid = ~np.isnan(y)

    # Limits per group: (groups, m) arrays.
    with np.errstate(invalid="ignore", divide="ignore"):
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
    near_lower = mean - NEAR_FACTOR * mr_bar
    near_upper = mean + NEAR_FACTOR * mr_bar
    tol = REL_TOL * np.maximum(np.abs(lower), np.abs(upper))
    lines = np.stack([mean, lower, upper])
    # The lines each rule compares with, tolerance included, exactly as the reference adds them.
    edges = np.stack(
        [
            mean + tol,
            mean - tol,
            upper + tol,
            lower - tol,
            near_upper + tol,
            near_lower - tol,
        ]
    )

    # Per point: the lines of its group, and where it lies. NaN limits (or a NaN value) make
    # every comparison false, so such groups and points get no signals.
    per_point = np.empty((3, n, m))
    where = np.empty((6, n, m), dtype=bool)
    groups = _Groups(start)
    lines_now, edges_now = lines[:, 0].copy(), edges[:, 0].copy()
    latest_count = np.zeros(m, dtype=np.intp)  # values in the latest group
    for j in range(n):
        rows = groups.switch(j)
        if rows.size:
            lines_now[:, rows] = lines[:, groups.current[rows], rows]
            edges_now[:, rows] = edges[:, groups.current[rows], rows]
            latest_count[rows] = 0
        latest_count += valid[j]
        per_point[:, j] = lines_now
        np.greater(y[j], edges_now[0::2], out=where[0::2, j])
        np.less(y[j], edges_now[1::2], out=where[1::2, j])
    above, below, out_high, out_low, close_high, close_low = where
    if not mdc_2023:
        close_high &= ~out_high
        close_low &= ~out_low
    has_limits = ~np.isnan(per_point[2])

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
    high = np.where(signal == Signal.TREND.code, trend_high, above)

    direction = codes.astype(np.intp) + 1
    low_code, high_code = _POINT_TABLE[direction, 0], _POINT_TABLE[direction, 1]
    point_type = high.view(np.int8) * (high_code - low_code) + low_code
    point_type *= signal != 0  # common cause is code 0
    np.copyto(point_type, PointType.MISSING.code, where=~valid)

    columns = np.arange(m)
    if n:
        last = n - 1 - np.argmax(valid[::-1], axis=0)
        s_last, h_last = signal[last, columns], high[last, columns]
        icon = _ICON_TABLE[direction, h_last.view(np.int8)]
        icon[(s_last == 0) | ~valid.any(axis=0)] = VariationIcon.COMMON_CAUSE.code
        latest = groups.current  # the group of the last point
        lo, hi, t = lower[latest, columns], upper[latest, columns], tol[latest, columns]
        with np.errstate(invalid="ignore"):
            beneath, beyond = targets < lo - t, targets > hi + t
        passes = np.where(codes > 0, beneath, beyond)
        fails = np.where(codes > 0, beyond, beneath)
        assurance = np.where(
            passes, AssuranceIcon.PASS.code, np.where(fails, AssuranceIcon.FAIL.code, _INCONSISTENT)
        ).astype(np.int8)
        assurance[(codes == 0) | np.isnan(targets) | np.isnan(hi)] = assurance_code(None)
    else:
        icon = np.zeros(m, dtype=np.int8)
        assurance = np.zeros(m, dtype=np.int8)

    return XmrBatch(
        mean=per_point[0].T,
        lower_limit=per_point[1].T,
        upper_limit=per_point[2].T,
        point_type=point_type.T,
        signal=signal.T,
        variation_icon=icon,
        assurance_icon=assurance,
        short_baseline=latest_count < ADVISED_POINTS,
    )
