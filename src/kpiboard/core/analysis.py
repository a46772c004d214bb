"""Everything known about one indicator beyond its RAG ratings: SPC, peers, forecast, range.

Reports, drafted commentary, the command line and the web pages all read an :class:`Analysis`,
so each of these is worked out once, here, by the same rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from .benchmark import PeerPosition, peer_position
from .evaluate import IndicatorResult
from .forecast import Forecast, forecast_year_end
from .indicators import Indicator, IndicatorKind, SpcChart, SpcOptions
from .outturn import forecast_figures, year_end_target
from .periods import Period
from .range_status import RangeStatus
from .spc import Improvement, PointType, XmrResult, xmr
from .spc_rare import place_events, rare_event_chart


@dataclass(frozen=True)
class PeerComparison:
    group: str  # peer group id
    label: str
    period: Period
    position: PeerPosition
    illustrative: str = ""


@dataclass(frozen=True)
class Analysis:
    result: IndicatorResult
    spc: XmrResult | None = None
    spc_periods: tuple[Period, ...] = ()
    peers: tuple[PeerComparison, ...] = ()
    forecast: Forecast | None = None
    range_status: RangeStatus | None = None  # lead indicators (None: no range to compare)
    range_lower: float | None = None
    range_upper: float | None = None

    @property
    def indicator(self):
        return self.result.indicator


def _up_to_as_at(result: IndicatorResult) -> list[int]:
    """Indices of the periods by the as-at period (read from the data: no period result is made)."""
    as_at = result.as_at
    periods = result.data.periods
    return [i for i, p in enumerate(periods) if as_at is None or p.end <= as_at.end]


def _spc_series(result: IndicatorResult, options: SpcOptions) -> list[tuple[Period, float]]:
    """The figures SPC charts (the actual, or the ``on`` series), up to the as-at period.

    Leading periods with no figure (targets set before data existed) are not in the process.
    """
    series: list[tuple[Period, float]] = []
    figures = result.data.get(options.on or "actual").tolist()
    for i in _up_to_as_at(result):
        if math.isnan(figures[i]) and not series:
            continue
        series.append((result.data.periods[i], figures[i]))
    return series


def _rebase_at(periods: tuple[Period, ...], rebase: tuple[Period, ...]) -> tuple[int, ...]:
    """The index of the first point of each rebase group (a rebase period or the next)."""
    found = {next((j for j, p in enumerate(periods) if p >= r), 0) for r in rebase}
    return tuple(sorted(found - {0}))


def _latest_group(values: np.ndarray, rebase: tuple[int, ...]) -> list[float]:
    return values[rebase[-1] if rebase else 0 :].tolist()


def _withheld(chart: XmrResult, reason: str) -> XmrResult:
    """The chart with its icons and limits withdrawn and its points left unjudged."""
    blank = np.full(len(chart.values), math.nan)
    blank.flags.writeable = False
    return replace(
        chart,
        lower_limit=blank,
        upper_limit=blank,
        near_lower=blank,
        near_upper=blank,
        point_type=tuple(
            PointType.MISSING if math.isnan(v) else PointType.NOT_ASSESSED for v in chart.values
        ),
        signal=(None,) * len(chart.values),
        variation_icon=None,
        assurance_icon=None,
        withheld=reason,
    )


def spc_options(ind: Indicator) -> SpcOptions | None:
    """The chart an indicator asks for; a neutral XmR chart when its expected range is SPC's."""
    if ind.spc is None and ind.expected_range == "spc":
        return SpcOptions(improvement=Improvement.NEUTRAL)
    return ind.spc


def run_spc(result: IndicatorResult, options: SpcOptions) -> tuple[XmrResult, tuple[Period, ...]]:
    """The chart ``options`` ask for, of the indicator's figures up to the as-at period, and the
    period of each point (for a t- or g-chart, the period that counted the point's event).

    An XmR chart is a batch of one (:func:`.analyse_many.chart_xmr`)."""
    if options.chart is SpcChart.XMR:
        from .analyse_many import chart_xmr

        return chart_xmr(result, options)
    series = _spc_series(result, options)
    periods = tuple(p for p, _ in series)
    values = np.array([v for _, v in series], dtype=float)
    return _run_rare(result, options, periods, values)


def on_series_note(series: str) -> str:
    """Why a chart of another series has no assurance icon."""
    return f"the target is for the figure itself, not the {series} series charted"


def _run_rare(
    result: IndicatorResult, options: SpcOptions, periods: tuple[Period, ...], values: np.ndarray
) -> tuple[XmrResult, tuple[Period, ...]]:
    """A t- or g-chart of the events counted in ``values``; bad counts withhold it, with why."""
    try:
        events = place_events(
            [(p.start, p.end) for p in periods], values.tolist(), [p.display for p in periods]
        )
    except ValueError as exc:
        empty = xmr([])
        return replace(empty, chart=options.chart, variation_icon=None, withheld=str(exc)), ()
    chart, index = rare_event_chart(
        options.chart,
        events,
        improvement=options.improvement,
        rebase=[p.start for p in options.rebase],
        fix_after_n_points=options.baseline,
        shift_length=options.shift_length,
        mdc_2023=options.mdc_2023,
    )
    latest = result.latest
    if not (result.indicator.rated and latest is not None and latest.target is not None):
        chart = replace(chart, assurance_note="")  # no target: nothing to compare
    return chart, tuple(periods[i] for i in index)


def _range(
    result: IndicatorResult, spc: XmrResult | None
) -> tuple[RangeStatus | None, float | None, float | None]:
    latest = result.latest
    if latest is None or latest.actual is None:
        return None, None, None
    lower: float | None
    upper: float | None
    if result.indicator.expected_range == "spc":
        if spc is None or not len(spc.values) or spc.chart is not SpcChart.XMR:
            return None, None, None
        low, high = float(spc.lower_limit[-1]), float(spc.upper_limit[-1])
        lower = None if math.isnan(low) else low
        upper = None if math.isnan(high) else high
    else:
        lower = result.series_value("lower", latest.period)
        upper = result.series_value("upper", latest.period)
    if lower is None and upper is None:
        return None, None, None
    if upper is not None and latest.actual > upper:
        return RangeStatus.ABOVE, lower, upper
    if lower is not None and latest.actual < lower:
        return RangeStatus.BELOW, lower, upper
    return RangeStatus.WITHIN, lower, upper


def _peer_comparisons(
    result: IndicatorResult,
    peer_values: Mapping[Period, Mapping[str, Mapping[str, float]]],
    labels: Mapping[str, tuple[str, str]],
    own_code: str,
) -> tuple[PeerComparison, ...]:
    """Positions in each group at the latest period that has both an own figure and peers."""
    ind = result.indicator
    out: list[PeerComparison] = []
    for period in sorted(peer_values, reverse=True):
        if result.as_at is not None and period.end > result.as_at.end:
            continue
        groups = peer_values[period]
        for group in ind.peer_groups:
            if group not in groups or any(c.group == group for c in out):
                continue
            values = groups[group]
            own = values.get(own_code)
            if own is None:
                own = result.series_value("actual", period)
            if own is None:
                continue
            position = peer_position(own, values, ind.polarity, own_code=own_code)
            if position is not None:
                label, illustrative = labels.get(group, (group, ""))
                out.append(PeerComparison(group, label, period, position, illustrative))
    order = {g: i for i, g in enumerate(ind.peer_groups)}
    return tuple(sorted(out, key=lambda c: order[c.group]))


def _forecast(result: IndicatorResult) -> Forecast | None:
    """The year-end forecast of the figure the outturn will be (see core.outturn): a summed
    count's year-to-date total by run rate, a ratio's year-to-date ratio, else the figures."""
    ind = result.indicator
    options = ind.forecast
    if options is None or not ind.rated or ind.kind is IndicatorKind.LEAD or result.as_at is None:
        return None
    if ind.rated_by_benchmark:  # rated by an interval, which a forecast does not have
        return None
    cal = result.calendar
    year = cal.year_of(result.as_at.end)
    target = year_end_target(ind, result.data, year, cal)
    if target is None:
        return None
    figures, cumulative = forecast_figures(ind, result.data, cal)
    idx = _up_to_as_at(result)
    latest = result.latest
    rule = latest.rule if latest is not None else ind.rules[-1]
    return forecast_year_end(
        [result.data.periods[i] for i in idx],
        figures[idx],
        calendar=cal,
        as_at=result.as_at,
        method=options.method,
        cumulative=cumulative,
        year_end_target=target,
        polarity=ind.polarity,
        rule=rule,
    )


def analyse(
    result: IndicatorResult,
    *,
    peer_values: Mapping[Period, Mapping[str, Mapping[str, float]]] | None = None,
    peer_labels: Mapping[str, tuple[str, str]] | None = None,
    own_code: str = "",
) -> Analysis:
    """One indicator's analysis: :func:`.analyse_many.analyse_many` of one.

    ``peer_values`` maps period -> peer group id -> organisation -> value, already filtered
    to each group's members; ``peer_labels`` maps group id -> (label, illustrative notice)."""
    from .analyse_many import analyse_many
    from .engine import rows_of

    key = result.indicator.id
    return analyse_many(
        {key: result},
        {key: rows_of(result)},
        peer_values={key: peer_values} if peer_values else None,
        peer_labels=peer_labels,
        own_code=own_code,
    )[key]
