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

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from .indicators import SpcChart
from .spc import (
    ADVISED_POINTS,
    REL_TOL,
    Improvement,
    PointType,
    XmrResult,
    _check_options,
    _group_labels,
    _group_starts,
    _improvement,
    _Limits,
    _mean,
    _point_type,
    _variation_icon,
    xmr,
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


def _g_limits(baseline: list[float]) -> _Limits:
    known = [v for v in baseline if not math.isnan(v)]
    if len(known) < 2:
        return _Limits(*[math.nan] * 6)
    g_bar = _mean(known)
    sd = math.sqrt(g_bar * (g_bar + 1))
    upper = g_bar + G_SIGMAS * sd
    return _Limits(
        mean=float(np.median(known)),  # the centre line: see the module docstring
        lower=0.0,
        upper=upper,
        near_lower=-math.inf,
        near_upper=g_bar + G_NEAR_SIGMAS * sd,
        tol=REL_TOL * upper,
    )


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
    are XmR's, judged against these lines. ``improvement``: the better direction of the gaps.
    """
    direction = _improvement(improvement)
    _check_options(fix_after_n_points, shift_length)
    g = _checked(gaps, positive=False)
    n = len(g)
    if dates is not None and len(dates) != n:
        raise ValueError(f"dates has {len(dates)} entries but there are {n} gaps")
    starts = _group_starts(rebase_at, n)
    values = g.tolist()
    lines = np.full((5, n), math.nan)
    group = np.zeros(n, dtype=np.int64)
    labels = []
    for k, (lo, hi) in enumerate(zip(starts, [*starts[1:], n], strict=True)):
        segment = values[lo:hi]
        fix = fix_after_n_points
        lim = _g_limits(segment if fix is None else segment[:fix])
        labels += _group_labels(segment, lim, shift_length, mdc_2023)
        lines[:, lo:hi] = np.array(
            [[lim.mean], [lim.lower], [lim.upper], [math.nan], [lim.near_upper]]
        )
        group[lo:hi] = k
    point_type = tuple(
        PointType.MISSING if math.isnan(v) else _point_type(s, high, direction)
        for v, (s, high) in zip(values, labels, strict=True)
    )
    last = next((i for i in range(n - 1, -1, -1) if not math.isnan(values[i])), None)
    icon = _variation_icon(None, False, direction)
    if last is not None:
        icon = _variation_icon(*labels[last], direction)
    for array in (g, lines, group):
        array.flags.writeable = False
    return XmrResult(
        values=g,
        mean=lines[0],
        lower_limit=lines[1],
        upper_limit=lines[2],
        near_lower=lines[3],
        near_upper=lines[4],
        point_type=point_type,
        signal=tuple(s for s, _ in labels),
        group=group,
        variation_icon=icon,
        assurance_icon=None,
        warnings=_warnings(values, starts),
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


def xmr_unsuitable(values: Sequence[float]) -> str:
    """Why an XmR chart of ``values`` would mislead, or "" when it suits them.

    It does not suit when more than half of the moving ranges are zero, or when the figures
    take no more than two distinct values: MR-bar then shrinks towards zero, the limits close
    in on the mean and ordinary figures look like special causes. Needs 3 values or more.
    """
    known = [v for v in values if not math.isnan(v)]
    ranges = [
        abs(b - a) for a, b in itertools.pairwise(values) if not (math.isnan(a) or math.isnan(b))
    ]
    if len(known) < 3 or not ranges:
        return ""
    zeros = sum(1 for r in ranges if r == 0)
    distinct = len(set(known))
    reasons = []
    if zeros > ZERO_RANGE_SHARE * len(ranges):
        reasons.append(f"{zeros} of the {len(ranges)} changes from one figure to the next are 0")
    if distinct <= FEW_VALUES:
        reasons.append(f"the {len(known)} figures take only {distinct} distinct values")
    if not reasons:
        return ""
    return (
        "SPC icons withheld: an XmR chart does not suit these figures ("
        + " and ".join(reasons)
        + "), so its limits close in on the mean and ordinary figures would look like special "
        "causes. For a count of rare events, chart the time between events instead: "
        "spc: {chart: t} (a t-chart) or spc: {chart: g} (a g-chart)."
    )
