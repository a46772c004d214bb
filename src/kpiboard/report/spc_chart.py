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

Accessibility (WCAG 2.2 AA): the ``<svg>`` is ``role="img"`` labelled by its ``<title>`` and
``<desc>``; every marker has a ``<title>`` ("Sep-13: 73% — special cause (improvement)"); the
legend keys every line and marker shape; every information-bearing colour has at least 3:1
contrast with white and text at least 4.5:1. MDC's own colours are not all usable: its orange
(#fab428) has only 1.8:1 on white, so concern is a darker orange (#b35c00, 4.7:1), and its light
blue and purple are replaced by NHS blue (#005eb8, 6.4:1) and a deep purple (#6f3e8f, 7.6:1).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TypeVar

from kpiboard.core.periods import Period
from kpiboard.core.units import Unit, UnitKind
from kpiboard.report.charts import (
    _TICK_FONT,
    _X_PAD,
    COLOURS,
    FONT_FAMILY,
    _axis_labels,
    _clean,
    _f,
    _label_indices,
    _legend,
    _LegendItem,
    _LineStyle,
    _path_d,
    _runs,
    _sanitise_id,
    _value_range,
    nice_ticks,
    text_width,
)

_V = TypeVar("_V")
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
}
_MARKER_LEGEND = (
    ("common", "Common cause"),
    ("improvement", "Improvement"),
    ("concern", "Concern"),
    ("neutral_high", "Neutral (high)"),
    ("neutral_low", "Neutral (low)"),
)

_DATA_STYLE = _LineStyle(SPC_COLOURS["data"], 1.75, "", "round")
_MEAN_STYLE = _LineStyle(SPC_COLOURS["mean"], 1.5, "")
_LIMIT_STYLE = _LineStyle(SPC_COLOURS["limit"], 1.25, "5 3")
_TARGET_STYLE = _LineStyle(SPC_COLOURS["target"], 2, "9 4")
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
    width: int = 640
    height: int = 260


# --------------------------------------------------------------------------------------------
# Markers


def _spc_marker(kind: str, x: float, y: float, r: float, title: str = "") -> str:
    """A point marker: ``common`` small circle, ``improvement`` circle, ``concern`` square,
    ``neutral_high`` / ``neutral_low`` triangle pointing up / down. ``title`` must be escaped."""
    inner = f"<title>{title}</title>" if title else ""
    if kind == "common":
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
    return _runs(broken)


def _level_runs(runs: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """Reference-line runs with a lone point widened to a short level stroke so it shows."""
    out = []
    for run in runs:
        if len(run) == 1:
            x = float(run[0][0])
            run = [(_f(x - 9), run[0][1]), (_f(x + 9), run[0][1])]
        out.append(run)
    return out


def render_spc_chart(chart: SpcChart) -> str:
    """The SPC chart as a standalone ``<svg>`` element (a string)."""
    _check(chart)
    cid = _sanitise_id(chart.chart_id)
    width, height = int(chart.width), int(chart.height)
    unit = chart.unit
    n = len(chart.periods)
    keys = [p.sort_key for p in chart.periods]
    order = None if keys == sorted(keys) else sorted(range(n), key=keys.__getitem__)

    def ordered(seq: Sequence[_V]) -> list[_V]:
        return list(seq) if order is None else [seq[i] for i in order]

    periods = ordered(chart.periods)
    values = _clean(chart.values, order)
    mean = _clean(chart.mean, order)
    lower = _clean(chart.lower_limit, order)
    upper = _clean(chart.upper_limit, order)
    target = _clean(chart.target, order) if chart.target is not None else [None] * n
    groups = ordered(chart.groups) if chart.groups is not None else [0] * n
    types = ordered(chart.point_types) if chart.point_types else ["common_cause"] * n

    # ---- y scale from everything plotted: data, mean, limits and target
    plotted = [v for seq in (values, mean, lower, upper, target) for v in seq if v is not None]
    has_data = any(v is not None for v in values)
    if plotted:
        lo, hi = _value_range(plotted, unit)
    else:
        lo, hi = (0.0, 100.0) if unit.kind is UnitKind.PERCENT else (0.0, 10.0)
    tick_count = max(3, min(7, int(max(60, height - 80) // 45) + 1))
    ticks, decimals = nice_ticks(lo, hi, tick_count, max_decimals=unit.places)
    tick_labels = _axis_labels(unit, tuple(ticks), decimals)
    y_lo, y_hi = ticks[0], ticks[-1]

    # ---- horizontal layout: room for the y labels on the left, the last x label on the right
    plot_left = math.ceil(16 + max(text_width(t, _TICK_FONT) for t in tick_labels))
    x_labels = [p.display for p in periods]
    x_label_w = [text_width(t, _TICK_FONT) for t in x_labels]
    last_half = x_label_w[-1] / 2 if x_labels else 0
    plot_right = width - max(12, math.ceil(last_half - _X_PAD + 6))

    # ---- which lines and markers appear, for the legend
    kinds = [_POINT_KIND[t][0] for t in types]
    has_mean = any(v is not None for v in mean)
    has_limits = any(v is not None for v in lower + upper)
    has_target = any(v is not None for v in target)
    shown = {k for v, k in zip(values, kinds, strict=True) if v is not None}
    rebases = [i for i in range(1, n) if groups[i] != groups[i - 1]]

    items: list[_LegendItem] = []
    swatch = '<path d="M{{x}} {{y}}H{{x2}}" {attrs}/>'
    if has_data:
        items.append(("swatch", swatch.format(attrs=_DATA_STYLE.attrs()), "Data"))
    if has_mean:
        items.append(("swatch", swatch.format(attrs=_MEAN_STYLE.attrs()), "Mean"))
    if has_limits:
        items.append(("swatch", swatch.format(attrs=_LIMIT_STYLE.attrs()), "Process limits"))
    if has_target:
        items.append(("swatch", swatch.format(attrs=_TARGET_STYLE.attrs()), "Target"))
    for kind, label in _MARKER_LEGEND:
        if kind in shown:
            marker = _spc_marker(kind, 15, 0, 4.5)  # beside its label, not mid-swatch
            items.append(("swatch", f'<g transform="translate({{x}} {{y}})">{marker}</g>', label))
    legend, legend_bottom = _legend(tuple(items), plot_left, width - 8, 6.0)
    plot_top = (legend_bottom + 10) if legend else 14.0
    if rebases:
        plot_top += _REBASE_FONT + 4  # the "Rebased" labels sit above the plot
    plot_bottom = max(plot_top + 20.0, height - 26.0)
    plot_h = plot_bottom - plot_top

    # ---- x scale: each period's end date on a real time axis
    days = [p.end.toordinal() for p in periods]
    inner_left, inner_right = plot_left + _X_PAD, plot_right - _X_PAD
    if days and days[-1] > days[0]:
        d0, x_scale = days[0], (inner_right - inner_left) / (days[-1] - days[0])
        xs = [inner_left + (d - d0) * x_scale for d in days]
    else:
        xs = [(plot_left + plot_right) / 2] * n
    x_str = [f"{x:.1f}" for x in xs]
    y_scale = plot_h / (y_hi - y_lo)

    def y_of(v: float) -> float:
        return plot_bottom - (v - y_lo) * y_scale

    def points(vals: list[float | None]) -> list[tuple[str, str] | None]:
        return [
            None if v is None else (x, f"{y_of(v):.1f}") for x, v in zip(x_str, vals, strict=True)
        ]

    # ---- assemble
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'font-family="{FONT_FAMILY}" id="{cid}">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]

    # gridlines and y labels
    out.append(f'<g id="{cid}-y-axis">')
    right_s = _f(plot_right)
    grid = []
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        if tick != y_lo:
            grid.append(f"M{plot_left} {y:.1f}H{right_s}")
        out.append(
            f'<text x="{plot_left - 8}" y="{y + 4:.1f}" font-size="{_TICK_FONT}" '
            f'text-anchor="end" fill="{COLOURS["muted_text"]}">{label}</text>'
        )
    out.append(f'<path d="{"".join(grid)}" stroke="{COLOURS["grid"]}" stroke-width="1"/></g>')

    # x axis: baseline, a tick at every period, labels thinned to fit
    out.append(f'<g id="{cid}-x-axis">')
    base_y = _f(plot_bottom)
    ticks_d = "".join([f"M{x} {base_y}v4" for x in x_str])
    out.append(
        f'<path d="M{plot_left} {base_y}H{right_s}{ticks_d}" stroke="{COLOURS["axis"]}" '
        'stroke-width="1"/>'
    )
    label_y = _f(plot_bottom + 17)
    for i in _label_indices(xs, x_label_w):
        half = x_label_w[i] / 2
        x = min(max(xs[i], half + 2), width - half - 2)
        out.append(
            f'<text x="{x:.1f}" y="{label_y}" font-size="{_TICK_FONT}" text-anchor="middle" '
            f'fill="{COLOURS["muted_text"]}">{escape(x_labels[i])}</text>'
        )
    out.append("</g>")

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
            text_x = min(max(x, plot_left + label_w / 2), width - label_w / 2 - 2)
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
        runs = [run for vals in series for run in _level_runs(_split(points(vals), groups))]
        if runs:
            attrs = style.attrs()
            out.append(f'<g id="{cid}-{name}">')
            out.extend([f'<path d="{_path_d(run)}" {attrs}/>' for run in runs])
            out.append("</g>")

    # the target: independent of the rebase groups, broken only where it is missing
    if has_target:
        attrs = _TARGET_STYLE.attrs()
        out.append(f'<g id="{cid}-target">')
        for run in _level_runs(_runs(points(target))):
            out.append(f'<path d="{_path_d(run)}" {attrs}/>')
        out.append("</g>")

    # the data: a line broken at gaps and rebases, then the markers on top
    out.append(f'<g id="{cid}-data">')
    data_attrs = _DATA_STYLE.attrs()
    for run in _split(points(values), groups):
        if len(run) > 1:  # a lone point shows as its marker alone
            out.append(f'<path d="{_path_d(run)}" {data_attrs}/>')
    spacing = sorted(b - a for a, b in itertools.pairwise(xs) if b > a)
    radius = min(5.0, max(3.5, spacing[len(spacing) // 2] * 0.35)) if spacing else 5.0
    for i, v in enumerate(values):
        if v is None:
            continue
        words = _POINT_KIND[types[i]][1]
        tip = f"{x_labels[i]}: {unit.format(v)}" + (f" — {words}" if words else "")
        out.append(_spc_marker(kinds[i], xs[i], y_of(v), radius, escape(tip)))
    out.append("</g>")

    if not has_data:
        cx, cy = (plot_left + plot_right) / 2, plot_top + plot_h / 2
        out.append(
            f'<text x="{cx:.1f}" y="{cy + 5:.1f}" font-size="14" text-anchor="middle" '
            f'fill="{COLOURS["muted_text"]}">No data</text>'
        )

    out.append(f'<g id="{cid}-legend">')
    out.append(legend)
    out.append("</g></svg>")
    return "".join(out)
