"""Statistical process control (XmR) charts in the NHS England "Making Data Count" style.

Like :mod:`kpiboard.report.charts` the chart is a self-contained SVG that goes into the HTML
report and, as an image, into the typst PDF (usvg): presentation attributes only, no classes,
``<style>``, scripts or external resources, and the same input always gives the same string.

What is drawn, back to front:

* the process limits (mean ± 2.66 × mean moving range) as thin dashed grey lines and the mean as
  a solid dark line, each drawn separately for every rebase group so that a rebase leaves a visible
  gap, with a dotted vertical marker labelled "Rebased" between the groups;
* the target, when there is one, as a dashed red line (the MDC convention);
* the data as a grey line, broken at missing values and at rebases;
* a marker per value whose colour *and* shape give its SPC classification: a small grey circle for
  common cause, a larger blue circle for special cause improvement, an orange square for concern,
  and a purple triangle (pointing up for high, down for low) for neutral special cause.

The same drawing serves t- and g-charts (see :mod:`kpiboard.report.spc_text`): one point per
event at its date, ``x_labels`` naming the month that counted it, ``tips`` saying the gap in
days, and legend entries for the centre line and the data that say what they are. Points of a
chart whose icons are withheld (``not_assessed``) are plain grey dots with no legend entry.

Accessibility (WCAG 2.2 AA): the ``<svg>`` is ``role="img"`` labelled by its ``<title>`` and
``<desc>``; every marker has a ``<title>`` ("Sep-13: 73% — special cause (improvement)"); the
legend keys every line and marker shape; every information-bearing colour has at least 3:1
contrast with white and text at least 4.5:1. MDC's own colours are not all usable: its orange
(#fab428) has only 1.8:1 on white, so concern is a darker orange (#b35c00, 4.7:1), and its light
blue and purple are replaced by NHS blue (#005eb8, 6.4:1) and a deep purple (#6f3e8f, 7.6:1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from kpiboard.core.periods import Period
from kpiboard.core.units import Unit
from kpiboard.report.chart_frame import (
    LegendItem,
    LineStyle,
    lay_out,
    level_runs,
    path_d,
    split_at_gaps,
)
from kpiboard.report.chart_scales import (
    clean_values,
    in_order,
    period_order,
    text_width,
)

_INF = math.inf

__all__ = ["POINT_TYPES", "SPC_COLOURS", "SpcChart", "render_spc_chart"]

#: The classifications a point can carry, as produced by the SPC rules.
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
    "missing",
    "not_assessed",
)

#: Colours of the SPC charts and icons, with their contrast on white. MDC's orange #fab428 (1.8:1)
#: and light blue fail 3:1, so darker equivalents stand in for them.
SPC_COLOURS = {
    "improvement": "#005eb8",  # NHS blue, 6.4:1
    "concern": "#b35c00",  # dark orange, 4.7:1 (MDC #fab428 is 1.8:1)
    "neutral": "#6f3e8f",  # purple, 7.6:1
    "common": "#6f777b",  # grey, 4.6:1
    "data": "#768692",  # NHS mid grey, 3.8:1
    "mean": "#0b0c0c",  # 19.6:1
    "limit": "#6f777b",  # 4.6:1
    "target": "#d4351c",  # red, 4.9:1 (MDC draws the target in red)
    "rebase": "#505a5f",  # 7.1:1
}

# point type -> (marker kind, words for the marker's title)
_POINT_KIND = {
    "common_cause": ("common", "common cause"),
    "special_cause_improvement": ("improvement", "special cause (improvement)"),
    "special_cause_concern": ("concern", "special cause (concern)"),
    "special_cause_neutral_high": ("neutral_high", "special cause (neutral, high)"),
    "special_cause_neutral_low": ("neutral_low", "special cause (neutral, low)"),
    "missing": ("common", ""),
    "not_assessed": ("plain", ""),  # icons withheld: a plain grey dot, and no legend entry
}
_MARKER_LEGEND = (
    ("common", "Common cause"),
    ("improvement", "Improvement"),
    ("concern", "Concern"),
    ("neutral_high", "Neutral (high)"),
    ("neutral_low", "Neutral (low)"),
)

_DATA_STYLE = LineStyle(SPC_COLOURS["data"], 1.75, "", "round")
_MEAN_STYLE = LineStyle(SPC_COLOURS["mean"], 1.5, "")
_LIMIT_STYLE = LineStyle(SPC_COLOURS["limit"], 1.25, "5 3")
_TARGET_STYLE = LineStyle(SPC_COLOURS["target"], 2, "9 4")
_REBASE_FONT = 10


@dataclass(frozen=True)
class SpcChart:
    chart_id: str  # unique in the page; sanitised before use in element ids
    title: str
    description: str  # a sentence summarising the chart for screen readers
    periods: Sequence[Period]
    values: Sequence[float | None]
    mean: Sequence[float | None]  # per point (changes at rebases)
    lower_limit: Sequence[float | None]
    upper_limit: Sequence[float | None]
    point_types: Sequence[str]  # one of POINT_TYPES per point
    unit: Unit
    target: Sequence[float | None] | None = None
    groups: Sequence[int] | None = None  # rebase group per point; lines break between groups
    #: Per point: its x-axis label (default: the period's) and what its marker's title says
    #: before the classification (default: "label: value"). t- and g-charts plot events.
    x_labels: Sequence[str] | None = None
    tips: Sequence[str] | None = None
    centre_label: str = "Mean"  # the centre line's legend entry (a g-chart's is the median)
    data_label: str = "Data"  # the data line's legend entry (says the unit where it is not shown)
    width: int = 640
    height: int = 260


# --------------------------------------------------------------------------------------------
# Markers


def _spc_marker(kind: str, x: float, y: float, r: float, title: str = "") -> str:
    """A point marker: ``common`` small circle, ``improvement`` circle, ``concern`` square,
    ``neutral_high`` / ``neutral_low`` triangle pointing up / down. ``title`` must be escaped."""
    inner = f"<title>{title}</title>" if title else ""
    if kind in ("common", "plain"):
        colour = SPC_COLOURS["common"]
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r * 0.62:.1f}" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="0.75">{inner}</circle>'
        )
    if kind == "improvement":
        colour = SPC_COLOURS["improvement"]
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1">{inner}</circle>'
        )
    if kind == "concern":
        s = r * 0.9
        return (
            f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" '
            f'fill="{SPC_COLOURS["concern"]}" stroke="#ffffff" stroke-width="1">{inner}</rect>'
        )
    # neutral: an equilateral triangle centred on the point, apex up for high, down for low
    up = kind == "neutral_high"
    apex, base, half = r * 1.35, r * 0.68, r * 1.17
    sign = -1 if up else 1
    d = (
        f"M{x:.1f} {y + sign * apex:.1f}L{x + half:.1f} {y - sign * base:.1f}"
        f"L{x - half:.1f} {y - sign * base:.1f}Z"
    )
    return (
        f'<path d="{d}" fill="{SPC_COLOURS["neutral"]}" stroke="#ffffff" stroke-width="1">'
        f"{inner}</path>"
    )


# --------------------------------------------------------------------------------------------
# The chart


def _check(chart: SpcChart) -> None:
    n = len(chart.periods)
    named = {
        "values": chart.values,
        "mean": chart.mean,
        "lower_limit": chart.lower_limit,
        "upper_limit": chart.upper_limit,
        "target": chart.target,
        "groups": chart.groups,
        "x_labels": chart.x_labels,
        "tips": chart.tips,
    }
    for name, seq in named.items():
        if seq is not None and len(seq) != n:
            raise ValueError(f"chart {chart.chart_id!r}: {len(seq)} {name}, {n} periods")
    if len(chart.point_types) not in (0, n):
        raise ValueError(
            f"chart {chart.chart_id!r}: {len(chart.point_types)} point types, {n} periods"
        )
    for kind in chart.point_types:
        if kind not in _POINT_KIND:
            raise ValueError(
                f"chart {chart.chart_id!r}: unknown point type {kind!r}; "
                f"expected one of {', '.join(POINT_TYPES)}"
            )


def _split(points: list[tuple[str, str] | None], groups: list[int]) -> list[list[tuple[str, str]]]:
    """Runs of consecutive points, broken at missing points and where the group changes."""
    broken: list[tuple[str, str] | None] = []
    for i, point in enumerate(points):
        if i and groups[i] != groups[i - 1]:
            broken.append(None)
        broken.append(point)
    return split_at_gaps(broken)


def render_spc_chart(chart: SpcChart) -> str:
    """The SPC chart as a standalone ``<svg>`` element (a string)."""
    _check(chart)
    unit = chart.unit
    n = len(chart.periods)
    order = period_order(chart.periods)
    periods = in_order(chart.periods, order)
    values = clean_values(chart.values, order)
    mean = clean_values(chart.mean, order)
    lower = clean_values(chart.lower_limit, order)
    upper = clean_values(chart.upper_limit, order)
    target: list[float | None] = (
        clean_values(chart.target, order) if chart.target is not None else [None] * n
    )
    groups = in_order(chart.groups, order) if chart.groups is not None else [0] * n
    types = in_order(chart.point_types, order) if chart.point_types else ["common_cause"] * n
    x_labels = in_order(chart.x_labels, order) if chart.x_labels is not None else None
    tips = in_order(chart.tips, order) if chart.tips is not None else None

    # ---- which lines and markers appear, for the legend
    kinds = [_POINT_KIND[t][0] for t in types]
    has_data = any(v is not None for v in values)
    has_mean = any(v is not None for v in mean)
    has_limits = any(v is not None for v in lower + upper)
    has_target = any(v is not None for v in target)
    shown = {k for v, k in zip(values, kinds, strict=True) if v is not None}
    rebases = [i for i in range(1, n) if groups[i] != groups[i - 1]]

    items: list[LegendItem] = []
    if has_data:
        items.append(("swatch", _DATA_STYLE.swatch(), chart.data_label))
    if has_mean:
        items.append(("swatch", _MEAN_STYLE.swatch(), chart.centre_label))
    if has_limits:
        items.append(("swatch", _LIMIT_STYLE.swatch(), "Process limits"))
    if has_target:
        items.append(("swatch", _TARGET_STYLE.swatch(), "Target"))
    for kind, label in _MARKER_LEGEND:
        if kind in shown:
            marker = _spc_marker(kind, 15, 0, 4.5)  # beside its label, not mid-swatch
            items.append(("swatch", f'<g transform="translate({{x}} {{y}})">{marker}</g>', label))

    # ---- y scale from everything plotted: data, mean, limits and target
    plotted = [v for seq in (values, mean, lower, upper, target) for v in seq if v is not None]
    frame = lay_out(
        chart.chart_id, (int(chart.width), int(chart.height)), unit, periods, plotted, items,
        space_above=_REBASE_FONT + 4 if rebases else 0.0,  # the "Rebased" labels go above the plot
        x_labels=x_labels,
    )  # fmt: skip
    cid, xs = frame.cid, frame.xs
    plot_top, plot_bottom = frame.plot_top, frame.plot_bottom
    out = frame.begin(chart.title, chart.description)

    # rebase markers: a dotted vertical line midway between the groups, labelled above the plot
    if rebases:
        out.append(f'<g id="{cid}-rebases">')
        label_w = text_width("Rebased", _REBASE_FONT)
        last_label = -_INF
        for i in rebases:
            x = (xs[i - 1] + xs[i]) / 2
            out.append(
                f'<path d="M{x:.1f} {plot_top - 2:.1f}V{plot_bottom:.1f}" fill="none" '
                f'stroke="{SPC_COLOURS["rebase"]}" stroke-width="1" stroke-dasharray="1.5 2.5"/>'
            )
            text_x = min(max(x, frame.plot_left + label_w / 2), frame.width - label_w / 2 - 2)
            if text_x - last_label < label_w + 6:  # too close to the last label: line only
                continue
            last_label = text_x
            out.append(
                f'<text x="{text_x:.1f}" y="{plot_top - 5:.1f}" font-size="{_REBASE_FONT}" '
                f'text-anchor="middle" fill="{SPC_COLOURS["rebase"]}">Rebased</text>'
            )
        out.append("</g>")

    # process limits, then the mean over them: one path per run within each rebase group
    for name, series, style in (
        ("limits", (lower, upper), _LIMIT_STYLE),
        ("mean", (mean,), _MEAN_STYLE),
    ):
        runs = [run for vals in series for run in level_runs(_split(frame.points(vals), groups))]
        if runs:
            attrs = style.attrs()
            out.append(f'<g id="{cid}-{name}">')
            out.extend([f'<path d="{path_d(run)}" {attrs}/>' for run in runs])
            out.append("</g>")

    # the target: independent of the rebase groups, broken only where it is missing
    if has_target:
        attrs = _TARGET_STYLE.attrs()
        out.append(f'<g id="{cid}-target">')
        for run in level_runs(split_at_gaps(frame.points(target))):
            out.append(f'<path d="{path_d(run)}" {attrs}/>')
        out.append("</g>")

    # the data: a line broken at gaps and rebases, then the markers on top
    out.append(f'<g id="{cid}-data">')
    data_attrs = _DATA_STYLE.attrs()
    for run in _split(frame.points(values), groups):
        if len(run) > 1:  # a lone point shows as its marker alone
            out.append(f'<path d="{path_d(run)}" {data_attrs}/>')
    radius = frame.marker_radius(3.5, 5.0, 0.35)
    for i, v in enumerate(values):
        if v is None:
            continue
        words = _POINT_KIND[types[i]][1]
        lead = tips[i] if tips is not None else f"{frame.x_labels[i]}: {unit.format(v)}"
        tip = lead + (f" — {words}" if words else "")
        out.append(_spc_marker(kinds[i], xs[i], frame.y(v), radius, escape(tip)))
    out.append("</g>")
    out += frame.end(has_data)
    return "".join(out)
