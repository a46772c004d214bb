"""Statistical process control: XmR charts and icons as NHS England's "Making Data Count" has them.

An XmR chart asks whether the latest figures differ from the process that produced the earlier
ones, rather than from a target. Its centre line is the mean; its process limits are the mean
plus or minus 2.66 times the average moving range (the typical month-to-month change), which is
where nearly all figures of an unchanged process fall. Four patterns are "special cause"
variation: a point outside the limits, a trend, two of three points close to a limit, and a
shift. docs/spc.md explains the rules with worked examples.

The rules are written once, in :mod:`.spc_batch`, which charts a whole (m, n) grid of series at
once with numpy (:func:`xmr_many`); :func:`xmr` is one row of it, returned with the enums, the
near-limit lines and the warnings a report needs for one chart. The vocabulary (enums, codes,
constants) is in :mod:`.spc_codes`; every name is importable from here.

Comparisons with a computed line (the mean, a near-limit band, a limit) allow for floating-point
noise: a value within a billionth (:data:`REL_TOL`) of the chart's scale, the larger size of its
two limits, counts as exactly on the line. A flat series of 97.3 therefore sits on its mean,
although adding 97.3 up in binary does not give exactly 97.3 times the count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .indicators import SpcChart
from .lazy import view
from .rating import REL_TOL
from .spc_batch import XmrBatch, xmr_many
from .spc_codes import (
    ADVISED_POINTS,
    LIMIT_FACTOR,
    MIN_BASELINE,
    NEAR_FACTOR,
    SCREEN_FACTOR,
    SHIFT_LENGTHS,
    TREND_POINTS,
    AssuranceIcon,
    Improvement,
    PointType,
    Signal,
    VariationIcon,
    _check_finite,
    _check_options,
    _group_starts,
    _improvement,
    assurance_code,
    describe_assurance,
    describe_variation,
    signal_code,
)

__all__ = [
    "ADVISED_POINTS",
    "LIMIT_FACTOR",
    "MIN_BASELINE",
    "NEAR_FACTOR",
    "REL_TOL",
    "SCREEN_FACTOR",
    "SHIFT_LENGTHS",
    "TREND_POINTS",
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
    point_type: Sequence[PointType]  # a tuple, or made on first read (core.lazy)
    signal: Sequence[Signal | None]
    group: np.ndarray
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    warnings: Sequence[str]
    dates: Sequence[Any] | None = None
    chart: SpcChart = SpcChart.XMR
    withheld: str = ""
    assurance_note: str = ""
    open_interval: float | None = None


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
    y = np.array(values, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"values must be one series (1-D), not shape {y.shape}")
    _check_finite(y)
    n = len(y)
    if dates is not None and len(dates) != n:
        raise ValueError(f"dates has {len(dates)} entries but there are {n} values")
    starts = _group_starts(rebase_at, n)
    mask = np.zeros((1, n), dtype=bool)
    if n:
        mask[0, starts] = True
    batch = xmr_many(
        y[None, :],
        improvement=direction.value,
        target=np.array([math.nan if target is None else target]),
        screen_outliers=screen_outliers,
        fix_after_n_points=fix_after_n_points,
        rebase_mask=mask,
        shift_length=shift_length,
        mdc_2023=mdc_2023,
    )
    return chart_rows(y[None, :], batch, starts, dates, eager=True)[0]


class ChartRows:
    """The arrays of one :func:`xmr_many` batch, read-only: :meth:`chart` makes row ``i`` as an
    :class:`XmrRow`, which reads its arrays and labels from here when they are asked for.
    ``starts`` (where each rebase group starts) and ``dates`` are shared by every row."""

    def __init__(
        self, y: np.ndarray, batch: XmrBatch, starts: list[int], dates: Sequence[Any] | None
    ):
        self.arrays = {
            "values": np.asarray(y, dtype=float),  # the caller's own copy, made read-only
            "mean": batch.mean.view(),
            "lower_limit": batch.lower_limit.view(),
            "upper_limit": batch.upper_limit.view(),
            "near_lower": batch.near_lower.view(),
            "near_upper": batch.near_upper.view(),
            "group": batch.group.view(),
        }
        for array in self.arrays.values():
            array.flags.writeable = False
        self.batch = batch
        self.starts = starts
        self.dates = dates
        self.icons: tuple[list[int], list[int]] | None = None  # both icons' codes, once read

    def __len__(self) -> int:
        return len(self.arrays["values"])

    def field(self, name: str, i: int) -> Any:
        array = self.arrays.get(name)
        if array is not None:
            return array[i]
        if name == "point_type":
            return tuple(map(PointType.from_code, self.batch.point_type[i].tolist()))
        if name == "signal":
            return tuple(map(Signal.from_code, self.batch.signal[i].tolist()))
        if name == "warnings":
            values, upper = self.arrays["values"][i], self.arrays["upper_limit"][i]
            return xmr_warnings(values, self.starts, upper)
        raise AttributeError(name)

    def chart(self, i: int) -> XmrResult:
        """Row ``i`` with only its icons made; the rest is read from the batch when asked."""
        if self.icons is None:
            self.icons = self.batch.variation_icon.tolist(), self.batch.assurance_icon.tolist()
        return view(
            XmrRow,
            _rows=self,
            _row=i,
            variation_icon=VariationIcon.from_code(self.icons[0][i]),
            assurance_icon=AssuranceIcon.from_code(self.icons[1][i]),
            dates=self.dates,
            chart=SpcChart.XMR,
            withheld="",
            assurance_note="",
            open_interval=None,
        )


class XmrRow(XmrResult):
    """One row of a batch as an :class:`XmrResult`, made with only its icons: the arrays, point
    labels and warnings are read from the batch the first time they are asked for, then kept.
    Charting 100,000 series then costs the arithmetic, not seventeen fields per series."""

    def __getattr__(self, name: str) -> Any:  # only for fields not yet read
        rows = self.__dict__.get("_rows")
        if rows is None or name.startswith("_"):
            raise AttributeError(name)
        value = self.__dict__[name] = rows.field(name, self.__dict__["_row"])
        return value


def chart_rows(
    y: np.ndarray,
    batch: XmrBatch,
    starts: list[int],
    dates: Sequence[Any] | None,
    *,
    eager: bool = False,
) -> list[XmrResult]:
    """Each row of an :func:`xmr_many` batch as an :class:`XmrResult`: an :class:`XmrRow` that
    reads the batch when asked, or (``eager``) a plain result with every field made now."""
    rows = ChartRows(y, batch, starts, dates)
    charts = [rows.chart(i) for i in range(len(rows))]
    return [replace(chart) for chart in charts] if eager else charts


def xmr_warnings(y: np.ndarray, starts: list[int], upper: np.ndarray) -> tuple[str, ...]:
    """What a reader should know before trusting a chart: groups with no limits (too few values,
    or no two consecutive ones), and fewer than 15 values since the last rebase."""
    n = len(y)
    warnings: list[str] = []
    latest_count = 0
    for g, (lo, hi) in enumerate(zip(starts, [*starts[1:], n], strict=True)):
        count = int(np.count_nonzero(~np.isnan(y[lo:hi])))
        where = f"Group {g + 1} (from point {lo + 1})" if len(starts) > 1 else "The series"
        if count < 2:
            warnings.append(f"{where} has fewer than 2 values: no limits and no signals.")
        elif math.isnan(upper[lo]):
            warnings.append(
                f"{where} has no two consecutive values in its baseline, so no moving range: "
                "no limits and no signals."
            )
        latest_count = count
    if latest_count < ADVISED_POINTS:
        since = " since the last rebase" if len(starts) > 1 else ""
        warnings.append(
            f"Only {latest_count} value{'' if latest_count == 1 else 's'}{since}, fewer than "
            f"{ADVISED_POINTS}: Making Data Count advises 15 to 20 points before relying on the "
            "limits."
        )
    return tuple(warnings)
