"""One indicator's page of the report: header, chart, trend table, notes, SPC, peers, forecast."""

from __future__ import annotations

import itertools
import math

from ..core.analysis import Analysis
from ..core.direction import Direction
from ..core.draft import draft_commentary
from ..core.evaluate import IndicatorResult
from ..core.indicators import Accumulation, IndicatorKind
from ..core.periods import FinancialCalendar, Period
from ..core.rating import Rating
from ..core.significance import Comparison, against, describe_method, level_text
from ..core.spc import describe_assurance, describe_variation
from ..packs.model import Pack
from .charts import ChartLine, LineChart, render_line_chart
from .icons import assurance_icon_svg, variation_icon_svg
from .model import (
    Commentary,
    ForecastView,
    IconView,
    IndicatorPage,
    PeerView,
    SpcView,
    TrendRow,
    TrendTable,
    direction_view,
    fmt_value,
    rating_view,
)
from .spc_chart import render_spc_chart
from .spc_text import spc_chart_for

TREND_PERIODS = 13
YTD = Accumulation.YEAR_TO_DATE


def _trend_slice(result: IndicatorResult, count: int = TREND_PERIODS) -> list[int]:
    """Indices of the periods a page shows: the last ``count`` up to the as-at period, then the
    rest of the as-at financial year (empty future columns keep the year's targets in view)."""
    periods = [r.period for r in result.periods]
    as_at = result.as_at
    if as_at is None:
        return list(range(max(0, len(periods) - count), len(periods)))
    past = [i for i, p in enumerate(periods) if p.end <= as_at.end]
    year_end = result.calendar.year(result.calendar.year_of(as_at.end)).end
    future = [i for i, p in enumerate(periods) if as_at.end < p.end <= year_end]
    return past[-count:] + future


def _auto_notes(pack: Pack, result: IndicatorResult) -> list[tuple[str, str]]:
    ind = result.indicator
    notes = list(ind.notes)
    if ind.rated_by_benchmark:
        assert ind.benchmark is not None
        notes.append(("Tolerance", ind.polarity.words))
        method = describe_method(ind.benchmark, ind.benchmark_label, ind.polarity)
        notes.append(("Rating rule", method))
    elif not ind.rated:
        reason = ind.not_rated_reason
        if not reason and ind.kind is IndicatorKind.LEAD:
            reason = "an activity measure shown against its expected range"
        notes.append(("Rating", f"Not rated: {reason}" if reason else "Not rated"))
    else:
        notes.append(("Tolerance", ind.polarity.words))
        rules = ind.rules
        in_unit = (ind.unit.format, ind.unit.format_difference)
        if len(rules) == 1:
            notes.append(("Rating rule", rules[0].describe(ind.polarity, *in_unit)))
        else:
            for rule in rules:
                start = (
                    "From the start"
                    if rule.from_year is None
                    else f"From {pack.calendar.year_label(rule.from_year)}"
                )
                notes.append(
                    (f"Rating rule ({start.lower()})", rule.describe(ind.polarity, *in_unit))
                )
    if ind.benchmark is not None and not ind.rated_by_benchmark:
        method = describe_method(ind.benchmark, ind.benchmark_label, ind.polarity)
        notes.append(("Benchmark comparison", method))
    for year, value in ind.year_end_targets:
        label = "Year-end ambition" if not ind.rated else "Year-end target"
        notes.append((f"{label} {pack.calendar.year_label(year)}", ind.unit.format(value)))
    for annual in ind.annual_targets:
        notes.append(
            (
                f"Annual target {pack.calendar.year_label(annual.year)}",
                f"{ind.unit.format(annual.value)}, profiled to the months ({annual.profile.words})",
            )
        )
    if ind.tags:
        notes.append(("Programmes", ", ".join(pack.tag_label(t) for t in ind.tags)))
    return notes


def _chart(analysis: Analysis, idx: list[int], page_anchor: str) -> tuple[str, str, str]:
    result = analysis.result
    ind = result.indicator
    periods = [result.periods[i].period for i in idx]
    actual = [result.periods[i].actual for i in idx]
    ratings = [
        result.periods[i].rating if result.periods[i].rating.is_colour else None for i in idx
    ]
    lines = []
    if ind.rated and any(result.periods[i].target is not None for i in idx):
        lines.append(ChartLine("Target", [result.periods[i].target for i in idx], "target"))
    for comp in ind.comparators:
        values = [result.series_value(comp.name, p) for p in periods]
        if any(v is not None for v in values):
            lines.append(ChartLine(comp.label, values, "comparator"))
    band = None
    if ind.expected_range == "spc" and analysis.spc is not None:
        limits = _spc_limits_by_period(analysis)
        band = (
            [limits.get(p, (None, None))[0] for p in periods],
            [limits.get(p, (None, None))[1] for p in periods],
        )
    elif result.data.has("lower") or result.data.has("upper"):
        lower = [result.series_value("lower", p) for p in periods]
        upper = [result.series_value("upper", p) for p in periods]
        band = (lower, upper)
    interval = _interval(result, periods)
    title = ind.display_title
    breaks = _year_starts(periods, result.calendar) if ind.accumulation is YTD else []
    shown = [(p, v) for p, v in zip(periods, actual, strict=True) if v is not None]
    if shown:
        first, last = shown[0], shown[-1]
        desc = (
            f"Line chart of {title} from {first[0].display} to {last[0].display}: "
            f"{fmt_value(ind, first[1])} at the start, "
            f"{fmt_value(ind, last[1])} at the latest point"
        )
        latest_target = next(
            (
                result.periods[i].target
                for i in reversed(idx)
                if result.periods[i].actual is not None
            ),
            None,
        )
        if latest_target is not None and ind.rated and not ind.rated_by_benchmark:
            desc += f", against a target of {fmt_value(ind, latest_target)}"
        desc += "." + _interval_sentence(result, idx, interval)
        if breaks:
            desc += " Year-to-date figures: the lines break where each financial year starts."
        desc += " The figures are in the table below."
    else:
        desc = f"Line chart of {title}: no figures yet."
    chart = LineChart(
        chart_id=f"chart-{page_anchor}",
        title=title,
        description=desc,
        periods=periods,
        actual=actual,
        ratings=ratings,
        unit=ind.unit,
        lines=lines,
        band=band,
        interval=interval,
        interval_level=_level(ind),
        breaks=breaks,
    )
    return render_line_chart(chart), title, desc


def _level(ind) -> str:
    return level_text(ind.benchmark.level if ind.benchmark is not None else 95.0)


def _interval(
    result: IndicatorResult, periods: list[Period]
) -> tuple[list[float | None], list[float | None]] | None:
    """The actual's confidence interval over the chart's periods, when the data give one."""
    if not result.data.has("ci_lower"):
        return None
    return (
        [result.series_value("ci_lower", p) for p in periods],
        [result.series_value("ci_upper", p) for p in periods],
    )


def _interval_sentence(
    result: IndicatorResult,
    idx: list[int],
    interval: tuple[list[float | None], list[float | None]] | None,
) -> str:
    """The chart's error bars and the latest comparison, for its text alternative."""
    if interval is None:
        return ""
    ind = result.indicator
    text = f" Error bars show each figure's {_level(ind)} confidence interval"
    shown = [
        (k, i)
        for k, i in enumerate(idx)
        if interval[0][k] is not None and interval[1][k] is not None
    ]
    if shown:
        k, i = shown[-1]
        period = result.periods[i]
        text += (
            f"; for {period.period.display} it is {fmt_value(ind, interval[0][k])} to "
            f"{fmt_value(ind, interval[1][k])}"
        )
        if ind.benchmark is not None:
            words = against(period.comparison, ind.benchmark_label)
            text += f", {words[0].lower()}{words[1:]}"
    return text + "."


def _interval_rows(result: IndicatorResult, view: list) -> list[TrendRow]:
    """The "95% CI" row under the actual, and the benchmark comparison's row."""
    ind = result.indicator
    rows = []
    if result.data.has("ci_lower"):
        cells = []
        for r in view:
            lo = result.series_value("ci_lower", r.period)
            hi = result.series_value("ci_upper", r.period)
            both = lo is not None and hi is not None
            cells.append(f"{fmt_value(ind, lo)}–{fmt_value(ind, hi)}" if both else "")
        rows.append(TrendRow(f"{_level(ind)} CI", cells, "interval"))
    if ind.benchmark is not None:
        words = [
            "" if r.comparison is Comparison.NOT_COMPARED else r.comparison.words for r in view
        ]
        if any(words):
            rows.append(TrendRow(f"Compared with {ind.benchmark_label}", words, "comparison"))
    return rows


def _year_starts(periods: list[Period], calendar: FinancialCalendar) -> list[Period]:
    """The periods that open a financial year after an earlier shown period of another year:
    where a year-to-date series starts again, so its line must not join the two years."""
    ordered = sorted(periods)
    return [
        p
        for before, p in itertools.pairwise(ordered)
        if calendar.year_of(p.end) != calendar.year_of(before.end)
    ]


def _nan_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _computed_words(result: IndicatorResult, period: Period) -> str:
    at = result.at(period)
    return at.computed.words if at else "rating"


def _plural(noun: str) -> str:
    """The regular English plural of a noun phrase's last word ("NHS trust" -> "NHS trusts",
    "local authority" -> "local authorities")."""
    if noun[-1:] == "y" and noun[-2:-1].lower() not in tuple("aeiou"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def comparison_heading(pack: Pack) -> str:
    """The heading over an indicator's peer positions: "Comparison with other councils" when
    the manifest names the organisation's type, else a wording that fits any organisation."""
    kind = pack.organisation_type
    return f"Comparison with other {_plural(kind)}" if kind else "Comparison with peers"


def indicator_page(pack: Pack, analysis: Analysis) -> IndicatorPage:
    result = analysis.result
    ind = result.indicator
    anchor = f"ind-{ind.id}"
    idx = _trend_slice(result)
    view = [result.periods[i] for i in idx]
    latest = result.latest

    rows = [TrendRow("Actual", [fmt_value(ind, r.actual) for r in view], "actual")]
    if ind.rated and (not ind.rated_by_benchmark or result.data.has("target")):
        rows.append(TrendRow("Target", [fmt_value(ind, r.target) for r in view], "target"))
    if result.data.has("floor"):
        rows.append(TrendRow("Floor", [fmt_value(ind, r.floor) for r in view], "target"))
    for name, label in (("lower", "Lower threshold"), ("upper", "Upper threshold")):
        if result.data.has(name):
            rows.append(
                TrendRow(
                    label,
                    [fmt_value(ind, result.series_value(name, r.period)) for r in view],
                    "threshold",
                )
            )
    rows += _interval_rows(result, view)
    for definition in ind.comparators + ind.extras:
        values = [result.series_value(definition.name, r.period) for r in view]
        if any(v is not None for v in values):
            rows.append(
                TrendRow(
                    definition.label,
                    [fmt_value(ind, v, definition.name) for v in values],
                    definition.role.value,
                )
            )
    ratings = None
    if ind.rated:
        ratings = [rating_view(r.rating, r.computed if r.overridden else None) for r in view]
    overrides = [
        f"{o.period.display}: rated {o.rating.words} by {o.by}, replacing the computed "
        f"{_computed_words(result, o.period)}. Reason: {o.reason}"
        for o in ind.overrides
    ]
    footnotes = [
        f"{r.period.display}: {pack.data_notes[(ind.id, r.period)]}"
        for r in view
        if (ind.id, r.period) in pack.data_notes
    ]
    commentary = pack.commentary_for(ind.id, result.as_at)
    chart_svg, chart_title, chart_description = _chart(analysis, idx, anchor)
    if latest is None:
        rating = rating_view(Rating.NO_DATA if ind.rated else Rating.NOT_RATED)
        direction = direction_view(Direction.NOT_COMPARABLE)
    else:
        rating = rating_view(latest.rating, latest.computed if latest.overridden else None)
        direction = direction_view(latest.direction)
    heading = f"{ind.number}. {ind.title}" if ind.number else ind.title
    return IndicatorPage(
        id=ind.id,
        anchor=anchor,
        number=ind.number,
        title=ind.title,
        heading=heading,
        section=ind.section,
        kind=ind.kind.value,
        rating=rating,
        direction=direction,
        latest_period=latest.period.display if latest else "",
        latest_value=fmt_value(ind, latest.actual) if latest else "",
        target_value=fmt_value(ind, latest.target) if latest else "",
        metadata=list(ind.metadata),
        notes=_auto_notes(pack, result),
        chart_svg=chart_svg,
        chart_title=chart_title,
        chart_description=chart_description,
        trend=TrendTable(
            f"{ind.display_title}: figures by period",
            [r.period.display for r in view],
            rows,
            ratings,
        ),
        overrides=overrides,
        footnotes=footnotes,
        commentary=Commentary(commentary.period.display, commentary.text) if commentary else None,
        illustrative=ind.illustrative,
        range_status=analysis.range_status or "",
        range_label=analysis.range_status.label if analysis.range_status else "",
        range_text=_range_text(analysis),
        spc=_spc_view(analysis, anchor),
        forecast=_forecast_view(analysis),
        peers=_peer_views(analysis),
        peers_heading=comparison_heading(pack),
        draft=_draft(analysis),
    )


def _spc_limits_by_period(analysis: Analysis) -> dict[Period, tuple[float | None, float | None]]:
    spc = analysis.spc
    assert spc is not None
    return {
        p: (_nan_none(spc.lower_limit[i]), _nan_none(spc.upper_limit[i]))
        for i, p in enumerate(analysis.spc_periods)
    }


def variation_icon(analysis: Analysis, icon_id: str) -> IconView:
    assert analysis.spc is not None
    icon = analysis.spc.variation_icon
    code = icon.value if icon is not None else "none"
    return IconView(code, describe_variation(icon), variation_icon_svg(code, icon_id=icon_id))


def assurance_icon(analysis: Analysis, icon_id: str) -> IconView:
    assert analysis.spc is not None
    spc = analysis.spc
    icon = spc.assurance_icon
    why = spc.assurance_note
    if spc.withheld:
        why = "the icons are withheld: see the note under the chart"
    code = icon.value if icon is not None else ("not_applicable" if why else "none")
    return IconView(code, describe_assurance(icon, why), assurance_icon_svg(code, icon_id=icon_id))


def _spc_view(analysis: Analysis, anchor: str) -> SpcView | None:
    spc = analysis.spc
    ind = analysis.indicator
    if spc is None or ind.spc is None:
        return None
    chart, explanation = spc_chart_for(analysis, f"spc-{anchor}")
    notes = [spc.withheld] if spc.withheld else []
    return SpcView(
        svg=render_spc_chart(chart),
        title=chart.title,
        description=chart.description,
        variation=variation_icon(analysis, f"var-{anchor}"),
        assurance=assurance_icon(analysis, f"ass-{anchor}"),
        explanation=explanation,
        warnings=notes + list(spc.warnings),
    )


def _forecast_view(analysis: Analysis) -> ForecastView | None:
    forecast = analysis.forecast
    if forecast is None:
        return None
    unit = analysis.indicator.unit
    text = forecast.describe(unit.format)
    suffix = f": {forecast.rating.name}"
    if text.endswith(suffix):  # the view shows the rating as a badge beside the text
        text = text[: -len(suffix)]
    return ForecastView(
        text=text,
        rating=rating_view(forecast.rating),
        note=forecast.note,
    )


def _peer_views(analysis: Analysis) -> list[PeerView]:
    unit = analysis.indicator.unit
    return [
        PeerView(
            label=c.label,
            period=c.period.display,
            text=c.position.describe(unit.format, unit.format_difference),
            rank=c.position.rank,
            of=c.position.of,
            quartile=c.position.quartile,
            illustrative=c.illustrative,
        )
        for c in analysis.peers
    ]


def _draft(analysis: Analysis) -> Commentary | None:
    if not analysis.indicator.draft_commentary:
        return None
    text = draft_commentary(analysis)
    latest = analysis.result.latest
    if not text or latest is None:
        return None
    return Commentary(latest.period.display, text, draft=True)


def _range_text(analysis: Analysis) -> str:
    if not analysis.range_status:
        return ""
    latest = analysis.result.latest
    assert latest is not None
    unit = analysis.indicator.unit
    lo, hi = analysis.range_lower, analysis.range_upper
    span = ""
    if lo is not None and hi is not None:
        span = f" ({unit.format(lo)} to {unit.format(hi)})"
    source = " set by SPC process limits" if analysis.indicator.expected_range == "spc" else ""
    return (
        f"The latest figure ({unit.format(latest.actual)}, {latest.period.display}) is "
        f"{analysis.range_status} the expected range{span}{source}."
    )
