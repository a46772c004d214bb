"""The SPC chart of an indicator's page: what is drawn, and the words that go with it.

An XmR chart plots the figures by period. A t- or g-chart plots events: one point per event,
at its estimated date on the time axis (labelled with the month that counted it), at the number
of days since the event before it. The chart's ``<desc>`` and the caption say which, in words,
so that the picture is never the only place the result is given.
"""

from __future__ import annotations

import math

from ..core.analysis import Analysis
from ..core.indicators import SpcChart as ChartKind
from ..core.spc import XmrResult, describe_variation
from ..core.units import Unit, UnitKind
from .spc_chart import SpcChart

DAYS = Unit(UnitKind.DAYS, 0)

_XMR_EXPLANATION = (
    "Points inside the process limits vary by chance (common cause). Coloured points show "
    "special cause variation: a change unlikely to be chance."
)
_WITHHELD_EXPLANATION = (
    "The figures and their mean are shown without process limits or special cause markers: "
    "an XmR chart does not suit them (see the note below)."
)
_PLACING = (
    "Each point is one event, placed at its estimated date (the events counted in a month are "
    "spread evenly across it) at the number of days since the event before. Higher points are "
    "longer gaps between events"
)
_RARE_EXPLANATION = {
    ChartKind.T: (
        " (the t-chart's centre line and limits come from an XmR chart of the gaps raised to "
        "the power 1/3.6, turned back into days)."
    ),
    ChartKind.G: (
        " (the g-chart's centre line is the median gap; its upper limit is the mean gap plus "
        "three standard deviations of a geometric distribution; it has no lower limit)."
    ),
}
_RARE_NAME = {ChartKind.T: "t-chart", ChartKind.G: "g-chart"}


def _none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def days(value: float) -> str:
    """A number of days as a sentence has it: "1 day", "84 days"."""
    text = DAYS.format(value)
    return f"{text} {'day' if text == '1' else 'days'}"


def spc_chart_for(analysis: Analysis, chart_id: str) -> tuple[SpcChart, str]:
    """The page's SPC chart and the caption explaining how to read it."""
    spc = analysis.spc
    assert spc is not None
    if spc.chart is ChartKind.XMR:
        return _xmr_chart(analysis, spc, chart_id)
    return _rare_chart(analysis, spc, chart_id)


def _what(analysis: Analysis) -> str:
    """The series charted, when it is not the indicator's figure (``spc: {on: ...}``)."""
    ind = analysis.indicator
    on = ind.spc.on if ind.spc is not None else ""
    if not on:
        return ""
    series = ind.series_def(on)
    return f" of {series.label if series is not None else on}"


def _xmr_chart(analysis: Analysis, spc: XmrResult, chart_id: str) -> tuple[SpcChart, str]:
    ind = analysis.indicator
    periods = list(analysis.spc_periods)
    values = [_none(v) for v in spc.values]
    target = None
    latest = analysis.result.latest
    if ind.rated and latest is not None and latest.target is not None and not ind.spc.on:
        target = [analysis.result.series_value("target", p) for p in periods]
    shown = [v for v in values if v is not None]
    mean = _none(spc.mean[-1]) if len(spc.mean) else None
    has_limits = mean is not None and not math.isnan(spc.lower_limit[-1])
    description = (
        f"XmR chart{_what(analysis)} of {len(shown)} points from {periods[0].display} to "
        f"{periods[-1].display}"
        + (f", with an average of {ind.unit.format(mean)}" if mean is not None else "")
        + (
            f" and process limits from {ind.unit.format(_none(spc.lower_limit[-1]))} to "
            f"{ind.unit.format(_none(spc.upper_limit[-1]))}"
            if has_limits
            else ""
        )
        + ". "
        + (describe_variation(spc.variation_icon) if not spc.withheld else "Icons withheld")
        + "."
    )
    chart = SpcChart(
        chart_id=chart_id,
        title=f"{ind.display_title}: statistical process control chart{_what(analysis)}",
        description=description,
        periods=periods,
        values=values,
        mean=[_none(v) for v in spc.mean],
        lower_limit=[_none(v) for v in spc.lower_limit],
        upper_limit=[_none(v) for v in spc.upper_limit],
        point_types=[t.value for t in spc.point_type],
        unit=ind.unit,
        target=target,
        groups=[int(g) for g in spc.group],
    )
    return chart, _WITHHELD_EXPLANATION if spc.withheld else _XMR_EXPLANATION


def _since_latest(analysis: Analysis, spc: XmrResult) -> str:
    """The interval still open: days since the latest event, beside the latest upper limit."""
    if spc.open_interval is None or not analysis.spc_periods:
        return ""
    as_at = analysis.result.as_at
    end = f", to the end of {as_at.display}" if as_at is not None else ""
    text = (
        f" {days(spc.open_interval)} have passed since the latest event "
        f"({analysis.spc_periods[-1].display}){end}"
    )
    upper = _none(spc.upper_limit[-1])
    if upper is not None and spc.open_interval > upper:
        text += f", already more than the upper limit of {days(upper)}"
    return text + "."


def _rare_chart(analysis: Analysis, spc: XmrResult, chart_id: str) -> tuple[SpcChart, str]:
    ind = analysis.indicator
    name = _RARE_NAME[spc.chart]
    event_periods = list(analysis.spc_periods)
    values = [_none(v) for v in spc.values]
    known = [v for v in values if v is not None]
    tips = [
        f"Event {i + 2} ({p.display}): "
        + (f"{days(v)} since the event before" if v is not None else "gap unknown")
        for i, (p, v) in enumerate(zip(event_periods, values, strict=True))
    ]
    if known:
        centre, upper = _none(spc.mean[-1]), _none(spc.upper_limit[-1])
        description = (
            f"{name[0].upper()}{name[1:]}{_what(analysis)} of the days between events: "
            f"{len(known)} gaps, for events from {event_periods[0].display} to "
            f"{event_periods[-1].display}"
            + (f"; centre line {days(centre)}" if centre is not None else "")
            + (f", upper limit {days(upper)}" if upper is not None else "")
            + ". "
            + describe_variation(spc.variation_icon)
            + "."
        )
    else:
        description = f"{name[0].upper()}{name[1:]}{_what(analysis)}: too few events to chart."
    description += _since_latest(analysis, spc)
    calendar = analysis.result.calendar
    chart = SpcChart(
        chart_id=chart_id,
        title=f"{ind.display_title}: {name} of the days between events{_what(analysis)}",
        description=description,
        periods=[calendar.day(d) for d in spc.dates or ()],
        values=values,
        mean=[_none(v) for v in spc.mean],
        lower_limit=[_none(v) for v in spc.lower_limit],
        upper_limit=[_none(v) for v in spc.upper_limit],
        point_types=[t.value for t in spc.point_type],
        unit=DAYS,
        groups=[int(g) for g in spc.group],
        x_labels=[p.display for p in event_periods],
        tips=tips,
        centre_label="Median" if spc.chart is ChartKind.G else "Centre line",
        data_label="Days since the event before",
    )
    explanation = _PLACING + _RARE_EXPLANATION[spc.chart] + _since_latest(analysis, spc)
    return chart, explanation
