"""Rare events: t-charts and g-charts of the days between events, and when XmR does not suit.

A count that is 0 in most months (MRSA bacteraemia, never events) defeats an XmR chart: most
month-to-month changes are zero, so the average moving range is tiny, the limits close in on the
mean and every ordinary zero month looks like special cause. The charts made for rare events
look at the *time between* events instead: a long gap between harmful events is good news, a
run of short gaps is a warning.

* **t-chart** (Nelson 1994; Provost & Murray; qicharts2 ``qic.t``): the days between events are
  skewed, so each gap t is transformed to y = t^(1/3.6), which is roughly symmetric; an XmR
  chart of y (the rules of :mod:`kpiboard.core.spc`, unchanged) gives the signals, and its
  centre line and limits are transformed back (^3.6) to days for the picture. A lower limit
  below zero becomes 0.
* **g-chart** (Benneyan 2001; qicharts2 ``qic.g``): the gaps follow a geometric distribution;
  with g-bar their mean, the upper limit is g-bar + 3·sqrt(g-bar·(g-bar + 1)) and there is no
  lower limit (0). The centre line is the median of the gaps, as qicharts2 draws it: the
  distribution is so skewed that about 63% of gaps fall below the mean, so a run of seven below
  the mean would be common by chance, while each gap is equally likely to fall either side of
  the median. The near-limit band for the two-of-three rule starts 2 standard deviations above
  g-bar (two thirds of the way to the limit, as in XmR).

kpiboard holds monthly (or quarterly) counts, not event dates, so :func:`place_events` spreads
each period's events evenly across it: the k events of a period of D days fall D·(j − ½)/k days
after its start (j = 1..k), so one event sits mid-month and no two share a moment. The gaps
are therefore estimates, in days, not necessarily whole. A gap that spans a period with no
figure is unknown and stays missing. The interval still open at the end (days since the latest
event) is reported but is not a point: it has not ended.

``improvement`` of these charts is the direction of the gaps: for a harmful event (fewer is
better) it is ``increase``; :func:`interval_improvement` turns the indicator's direction round.
docs/spc.md works the arithmetic through by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from .indicators import SpcChart
from .rating import REL_TOL
from .spc import XmrResult, xmr
from .spc_batch import label_many, time_major
from .spc_codes import (
    ADVISED_POINTS,
    Improvement,
    PointType,
    Signal,
    VariationIcon,
    _check_options,
    _group_starts,
    _improvement,
)

#: The t-chart's power transformation: y = t ** (1 / T_POWER) (Nelson's 3.6).
T_POWER = 3.6
#: g-chart limits: g-bar + 3 standard deviations; the near-limit band starts at 2.
G_SIGMAS = 3.0
G_NEAR_SIGMAS = 2.0
#: XmR is unsuitable when more than this share of the moving ranges are zero...
ZERO_RANGE_SHARE = 0.5
#: ... or the figures take no more than this many distinct values.
FEW_VALUES = 2

#: Why a rare-event chart has no assurance icon.
NO_ASSURANCE = "a target for the count per period cannot be compared with the days between events"

__all__ = [
    "NO_ASSURANCE",
    "T_POWER",
    "Events",
    "g_chart",
    "interval_improvement",
    "place_events",
    "rare_event_chart",
    "t_chart",
    "xmr_unsuitable",
]


# --- from counts per period to events ----------------------------------------------------------


@dataclass(frozen=True)
class Events:
    """Events placed within their periods. One entry per event, in time order; ``gaps[i]`` is
    the days from event i-1 to event i (NaN for the first event, and where a period with no
    figure lies between)."""

    times: tuple[float, ...]  # days after the first period's start
    dates: tuple[date, ...]  # the day each estimated time falls on
    period_index: tuple[int, ...]  # which period counted the event
    gaps: tuple[float, ...]
    open_interval: float | None  # days from the latest event to the end of the last period


def _whole_count(value: float, label: str) -> int:
    if value < 0 or value != math.floor(value):
        raise ValueError(
            f"t- and g-charts need counts of events (whole numbers, 0 or more); "
            f"{label} has {value:g}"
        )
    return int(value)


def place_events(
    spans: Sequence[tuple[date, date]],
    counts: Sequence[float | None],
    labels: Sequence[str] | None = None,
) -> Events:
    """Spread each period's count of events evenly across it (see the module docstring).

    ``spans`` are the periods' first and last days, in order; a count of None or NaN is a
    period with no figure. Periods that do not follow on from each other leave a gap too.
    Raises ValueError for a count that is negative or not whole (``labels`` name the periods).
    """
    if len(spans) != len(counts):
        raise ValueError(f"{len(spans)} periods but {len(counts)} counts")
    times: list[float] = []
    dates: list[date] = []
    index: list[int] = []
    gaps: list[float] = []
    origin = spans[0][0] if spans else date.min
    unknown = False  # a period with no figure since the latest event
    for i, ((start, end), raw) in enumerate(zip(spans, counts, strict=True)):
        if i and start != spans[i - 1][1] + timedelta(days=1):
            unknown = True
        if raw is None or math.isnan(raw):
            unknown = True
            continue
        label = labels[i] if labels is not None else f"period {i + 1}"
        count = _whole_count(float(raw), label)
        days = (end - start).days + 1
        offset = (start - origin).days
        for j in range(1, count + 1):
            t = offset + days * (j - 0.5) / count
            gaps.append(math.nan if not times or unknown else t - times[-1])
            unknown = False
            times.append(t)
            dates.append(origin + timedelta(days=math.floor(t)))
            index.append(i)
    open_interval = None
    if times and not unknown:
        open_interval = (spans[-1][1] - origin).days + 1 - times[-1]
    return Events(tuple(times), tuple(dates), tuple(index), tuple(gaps), open_interval)


def interval_improvement(improvement: Improvement | str) -> Improvement:
    """The better direction of the gaps between events: the count's, turned round."""
    direction = _improvement(improvement)
    if direction is Improvement.NEUTRAL:
        return direction
    return Improvement.INCREASE if direction is Improvement.DECREASE else Improvement.DECREASE


# --- the two charts ----------------------------------------------------------------------------


def _warnings(values: list[float], starts: list[int]) -> tuple[str, ...]:
    """The XmR warnings, worded for gaps between events."""
    out = []
    ends = [*starts[1:], len(values)]
    count = 0
    for g, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
        count = sum(1 for v in values[lo:hi] if not math.isnan(v))
        where = f"Group {g + 1} (from point {lo + 1})" if len(starts) > 1 else "The chart"
        if count < 2:
            out.append(f"{where} has fewer than 2 known gaps between events: no limits.")
    if count < ADVISED_POINTS:
        since = " since the last rebase" if len(starts) > 1 else ""
        out.append(
            f"Only {count} known gap{'' if count == 1 else 's'} between events{since}, fewer "
            f"than {ADVISED_POINTS}: the limits are a rough guide until there are 15 to 20."
        )
    return tuple(out)


def _checked(gaps: Sequence[float | None], positive: bool) -> np.ndarray:
    values = np.array([math.nan if v is None else v for v in gaps], dtype=float)
    if values.ndim != 1 or np.isinf(values).any():
        raise ValueError("gaps must be one series of finite numbers or missing values")
    known = values[~np.isnan(values)]
    if positive and (known <= 0).any():
        raise ValueError("times between events must be greater than zero for a t-chart")
    if (known < 0).any():
        raise ValueError("gaps between events cannot be negative")
    return values


def _back(values: np.ndarray) -> np.ndarray:
    """Transformed lines back to days; below zero (no lower limit) becomes 0."""
    with np.errstate(invalid="ignore"):
        out = np.where(values < 0, 0.0, values) ** T_POWER
    out.flags.writeable = False
    return out


def t_chart(
    gaps: Sequence[float | None],
    *,
    improvement: Improvement | str = "increase",
    rebase_at: Iterable[int] = (),
    fix_after_n_points: int | None = None,
    shift_length: int = 7,
    mdc_2023: bool = False,
    dates: Sequence[date] | None = None,
) -> XmrResult:
    """The t-chart of ``gaps`` (time between events, all > 0; None/NaN missing).

    The signals are XmR's on y = t^(1/3.6); the returned lines are in the gaps' own units.
    ``improvement`` is the better direction of the gaps.
    """
    t = _checked(gaps, positive=True)
    y = t ** (1 / T_POWER)
    chart = xmr(
        y,
        improvement=improvement,
        rebase_at=rebase_at,
        fix_after_n_points=fix_after_n_points,
        shift_length=shift_length,
        mdc_2023=mdc_2023,
        dates=dates,
    )
    t.flags.writeable = False
    return replace(
        chart,
        values=t,
        mean=_back(chart.mean),
        lower_limit=_back(chart.lower_limit),
        upper_limit=_back(chart.upper_limit),
        near_lower=_back(chart.near_lower),
        near_upper=_back(chart.near_upper),
        warnings=_warnings(t.tolist(), _group_starts(rebase_at, len(t))),
        chart=SpcChart.T,
    )


def _g_lines(g: np.ndarray, starts: list[int], fix: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The g-chart's lines per group, as :func:`.spc_batch.label_many` takes them (5, groups, 1):
    the median as centre line, 0 as lower limit, g-bar + 3 and + 2 standard deviations as the
    upper limit and the edge of the near band (none below); and their tolerance."""
    lines = np.full((5, len(starts), 1), math.nan)
    tol = np.full((len(starts), 1), math.nan)
    for k, (lo, hi) in enumerate(zip(starts, [*starts[1:], len(g)], strict=True)):
        baseline = g[lo:hi] if fix is None else g[lo:hi][:fix]
        known = baseline[~np.isnan(baseline)]
        if len(known) < 2:
            continue
        total = 0.0
        for value in known.tolist():  # in time order, one at a time, as the XmR sums are added
            total += value
        g_bar = total / len(known)
        sd = math.sqrt(g_bar * (g_bar + 1))
        upper = g_bar + G_SIGMAS * sd
        near = g_bar + G_NEAR_SIGMAS * sd
        lines[:, k, 0] = (float(np.median(known)), 0.0, upper, -math.inf, near)
        tol[k, 0] = REL_TOL * upper
    return lines, tol


def g_chart(
    gaps: Sequence[float | None],
    *,
    improvement: Improvement | str = "increase",
    rebase_at: Iterable[int] = (),
    fix_after_n_points: int | None = None,
    shift_length: int = 7,
    mdc_2023: bool = False,
    dates: Sequence[date] | None = None,
) -> XmrResult:
    """The g-chart of ``gaps`` (opportunities or days between events, >= 0; None/NaN missing).

    ``mean`` is the centre line (the median); the limits come from the mean g-bar. The rules
    are XmR's (:func:`.spc_batch.label_many`), judged against these lines. ``improvement``: the
    better direction of the gaps.
    """
    direction = _improvement(improvement)
    _check_options(fix_after_n_points, shift_length)
    g = _checked(gaps, positive=False)
    n = len(g)
    if dates is not None and len(dates) != n:
        raise ValueError(f"dates has {len(dates)} entries but there are {n} gaps")
    starts = _group_starts(rebase_at, n)
    mask = np.zeros((1, n), dtype=bool)
    if n:
        mask[0, starts] = True
    y, start = time_major(g[None, :], mask)
    lines, tol = _g_lines(g, starts, fix_after_n_points)
    labels = label_many(
        y, start, lines, tol, codes=np.array([direction.code]), targets=np.array([math.nan]),
        shift_length=shift_length, mdc_2023=mdc_2023,
    )  # fmt: skip
    drawn = np.array(labels.lines[:, :, 0])
    drawn[3] = math.nan  # no near band below the centre line to draw
    group = np.array(labels.group[:, 0], dtype=np.int64)
    for array in (g, drawn, group):
        array.flags.writeable = False
    return XmrResult(
        values=g,
        mean=drawn[0],
        lower_limit=drawn[1],
        upper_limit=drawn[2],
        near_lower=drawn[3],
        near_upper=drawn[4],
        point_type=tuple(PointType.from_code(c) for c in labels.point_type[:, 0].tolist()),
        signal=tuple(Signal.from_code(c) for c in labels.signal[:, 0].tolist()),
        group=group,
        variation_icon=VariationIcon.from_code(int(labels.variation_icon[0])),
        assurance_icon=None,
        warnings=_warnings(g.tolist(), starts),
        dates=dates,
        chart=SpcChart.G,
    )


def rare_event_chart(
    kind: SpcChart,
    events: Events,
    *,
    improvement: Improvement | str,
    rebase: Sequence[date] = (),
    fix_after_n_points: int | None = None,
    shift_length: int = 7,
    mdc_2023: bool = False,
) -> tuple[XmrResult, tuple[int, ...]]:
    """The t- or g-chart of ``events``, one point per event after the first (the gap that
    ends with it), and the period index of each point.

    ``improvement`` is the direction of the *counts* (the indicator's); the gaps' is the
    reverse. A point starts a new group when its event falls on or after a ``rebase`` date.
    """
    if kind is SpcChart.XMR:
        raise ValueError("rare_event_chart draws t- and g-charts; use xmr for an XmR chart")
    dates = events.dates[1:]
    rebase_at = sorted({next((i for i, d in enumerate(dates) if d >= r), 0) for r in rebase} - {0})
    draw = t_chart if kind is SpcChart.T else g_chart
    chart = draw(
        list(events.gaps[1:]),
        improvement=interval_improvement(improvement),
        rebase_at=rebase_at,
        fix_after_n_points=fix_after_n_points,
        shift_length=shift_length,
        mdc_2023=mdc_2023,
        dates=dates,
    )
    chart = replace(chart, assurance_note=NO_ASSURANCE, open_interval=events.open_interval)
    return chart, events.period_index[1:]


# --- when XmR does not suit ---------------------------------------------------------------------


def unsuitable_many(values: np.ndarray) -> np.ndarray:
    """Rows of an (m, n) grid an XmR chart does not suit (see :func:`xmr_unsuitable`): bool (m,).

    The one test: more than half of the moving ranges zero, or no more than two distinct
    figures, among rows with 3 figures or more and at least one moving range.
    """
    known, ranges, zeros, distinct = _suitability_counts(values)
    enough = (known >= 3) & (ranges > 0)
    return enough & ((zeros > ZERO_RANGE_SHARE * ranges) | (distinct <= FEW_VALUES))


def _suitability_counts(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per row: figures, moving ranges, zero moving ranges and distinct figures."""
    valid = ~np.isnan(values)
    pairs = valid[:, 1:] & valid[:, :-1]
    with np.errstate(invalid="ignore", over="ignore"):
        zero = pairs & (values[:, 1:] == values[:, :-1])
    ordered = np.sort(values, axis=1)  # NaN last
    new = ~np.isnan(ordered[:, 1:]) & (ordered[:, 1:] != ordered[:, :-1])
    known = valid.sum(axis=1)
    distinct = np.where(known > 0, 1 + new.sum(axis=1), 0)
    return known, pairs.sum(axis=1), zero.sum(axis=1), distinct


def xmr_unsuitable(values: Sequence[float]) -> str:
    """Why an XmR chart of ``values`` would mislead, or "" when it suits them.

    It does not suit when more than half of the moving ranges are zero, or when the figures
    take no more than two distinct values: MR-bar then shrinks towards zero, the limits close
    in on the mean and ordinary figures look like special causes. Needs 3 values or more.
    """
    row = np.array(values, dtype=float).reshape(1, -1)
    if not unsuitable_many(row)[0]:
        return ""
    known, ranges, zeros, distinct = (int(c[0]) for c in _suitability_counts(row))
    reasons = []
    if zeros > ZERO_RANGE_SHARE * ranges:
        reasons.append(f"{zeros} of the {ranges} changes from one figure to the next are 0")
    if distinct <= FEW_VALUES:
        reasons.append(f"the {known} figures take only {distinct} distinct values")
    return (
        "SPC icons withheld: an XmR chart does not suit these figures ("
        + " and ".join(reasons)
        + "), so its limits close in on the mean and ordinary figures would look like special "
        "causes. For a count of rare events, chart the time between events instead: "
        "spc: {chart: t} (a t-chart) or spc: {chart: g} (a g-chart)."
    )
