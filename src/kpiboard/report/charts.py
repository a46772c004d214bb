"""Line charts for indicator pages, written as self-contained SVG markup.

The same SVG goes into the HTML report and, as an image, into the typst PDF. typst renders SVG with
usvg, which handles shapes, paths and text but not stylesheets, so every element carries its
presentation as attributes: no classes, no ``<style>``, no scripts, no external resources.

Accessibility (WCAG 2.2 AA):

* the ``<svg>`` is ``role="img"`` labelled by its ``<title>`` and ``<desc>``;
* a marker's rating is shown by its shape as well as its colour (circle Green, diamond Amber,
  square Red, hollow circle unrated), and the legend keys the shapes;
* every line, marker and edge that carries information has at least 3:1 contrast with white and
  all text at least 4.5:1; the expected-range band's pale fill is backed by edge lines that do;
* each marker has a ``<title>`` ("Sep-13: 73% (Amber)") for pointer users.

Output is deterministic: the same chart gives the same string, so reports can be diffed. The
axes, scales and legend are the SPC chart's too (:mod:`kpiboard.report.chart_frame`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from kpiboard.core.periods import Period
from kpiboard.core.rating import Rating
from kpiboard.core.units import Unit
from kpiboard.report.chart_frame import (
    COLOURS,
    FONT_FAMILY,
    Frame,
    LegendItem,
    LineStyle,
    fmt_coord,
    lay_out,
    level_runs,
    path_d,
    rating_marker,
    split_at_gaps,
)
from kpiboard.report.chart_scales import (
    clean_values,
    in_order,
    nice_ticks,
    period_order,
)

__all__ = [
    "COLOURS",
    "FONT_FAMILY",
    "ChartLine",
    "LineChart",
    "nice_ticks",
    "render_line_chart",
]

COMPARATOR_COLOURS = ("#912b88", "#007c89", "#4c2c92")  # 7.2, 5.0, 10.1 :1
EXTRA_COLOURS = ("#8a6d00", "#0b7a75", "#7a4ea3")  # 4.9, 5.2, 6.1 :1

_STYLES = ("target", "comparator", "threshold", "extra")


@dataclass(frozen=True)
class ChartLine:
    label: str  # legend text, e.g. "Target", "Statistical neighbours"
    values: Sequence[float | None]  # aligned with the chart's periods; None = gap
    style: str  # "target" | "comparator" | "threshold" | "extra"


@dataclass(frozen=True)
class LineChart:
    chart_id: str  # unique in the page; sanitised before use in element ids
    title: str
    description: str  # a sentence summarising the chart for screen readers
    periods: Sequence[Period]
    actual: Sequence[float | None]
    ratings: Sequence[Rating | None]  # colour and shape of each actual marker; None = neutral
    unit: Unit
    lines: Sequence[ChartLine] = ()
    band: tuple[Sequence[float | None], Sequence[float | None]] | None = None  # (lower, upper)
    #: Each actual's confidence interval (lower, upper), drawn as error bars.
    interval: tuple[Sequence[float | None], Sequence[float | None]] | None = None
    interval_level: str = "95%"  # the interval's confidence level, for the legend and tips
    actual_label: str = "Actual"
    #: Periods that start a new line: the lines are not joined across the gap before them
    #: (year-to-date figures start again at the first period of each financial year).
    breaks: Sequence[Period] = ()
    width: int = 640
    height: int = 260


_MARKER_KIND = {Rating.GREEN: "green", Rating.AMBER: "amber", Rating.RED: "red"}
# Indexed by rating code: enum members hash through Python code, list indexing does not.
_KIND_BY_CODE = [_MARKER_KIND.get(r, "none") for r in map(Rating, range(max(Rating) + 1))]
_TIP_SUFFIX = [f" ({r.words})" for r in map(Rating, range(max(Rating) + 1))]

_ACTUAL_STYLE = LineStyle(COLOURS["actual"], 2.5, "", "round")
#: Error bars: thin, in the actual's colour (12.4:1), capped so a short bar still reads as one.
_INTERVAL_ATTRS = f'fill="none" stroke="{COLOURS["actual"]}" stroke-width="1.5"'
_INTERVAL_SWATCH = (
    f'<g transform="translate({{x}} {{top}})"><path d="M11 0v10M7 0h8M7 10h8" {_INTERVAL_ATTRS}/>'
    "</g>"
)


def _line_styles(lines: Sequence[ChartLine]) -> list[LineStyle]:
    styles: list[LineStyle] = []
    comparators = extras = 0
    for line in lines:
        if line.style == "target":
            styles.append(LineStyle(COLOURS["target"], 2, "8 4"))
        elif line.style == "comparator":
            colour = COMPARATOR_COLOURS[comparators % len(COMPARATOR_COLOURS)]
            comparators += 1
            styles.append(LineStyle(colour, 2.5, "0.5 4.5", "round"))
        elif line.style == "threshold":
            styles.append(LineStyle(COLOURS["threshold"], 1.25, "4 3"))
        else:
            colour = EXTRA_COLOURS[extras % len(EXTRA_COLOURS)]
            extras += 1
            styles.append(LineStyle(colour, 2, "10 3 2 3"))
    return styles


# --------------------------------------------------------------------------------------------
# The chart


def _check_lengths(chart: LineChart) -> None:
    n = len(chart.periods)
    if len(chart.actual) != n:
        raise ValueError(
            f"chart {chart.chart_id!r}: {len(chart.actual)} actual values, {n} periods"
        )
    if len(chart.ratings) not in (0, n):
        raise ValueError(f"chart {chart.chart_id!r}: {len(chart.ratings)} ratings, {n} periods")
    for line in chart.lines:
        if len(line.values) != n:
            raise ValueError(
                f"chart {chart.chart_id!r}: line {line.label!r} has {len(line.values)} values, "
                f"{n} periods"
            )
        if line.style not in _STYLES:
            raise ValueError(f"line {line.label!r}: style must be one of {', '.join(_STYLES)}")
    for name, pair in (("band", chart.band), ("interval", chart.interval)):
        if pair is not None and (len(pair[0]) != n or len(pair[1]) != n):
            raise ValueError(f"chart {chart.chart_id!r}: {name} values must match the {n} periods")


def _legend_items(
    chart: LineChart,
    actual: list[float | None],
    kinds: list[str],
    lines: list[tuple[ChartLine, list[float | None]]],
    styles: list[LineStyle],
    band: tuple[list[float | None], list[float | None]] | None,
    interval: tuple[list[float | None], list[float | None]] | None = None,
) -> list[LegendItem]:
    """What the legend keys: every series drawn, the expected range and the rating shapes."""
    items: list[LegendItem] = []
    if any(v is not None for v in actual):
        items.append(("swatch", _ACTUAL_STYLE.swatch(), chart.actual_label))
    for (line, vals), style in zip(lines, styles, strict=True):
        if any(v is not None for v in vals):
            items.append(("swatch", style.swatch(), line.label))
    if band is not None and any(
        a is not None and b is not None for a, b in zip(band[0], band[1], strict=True)
    ):
        band_swatch = (
            f'<rect x="{{x}}" y="{{top}}" width="22" height="10" fill="{COLOURS["band_fill"]}" '
            f'stroke="{COLOURS["band_edge"]}" stroke-width="1"/>'
        )
        items.append(("swatch", band_swatch, "Expected range"))
    if interval is not None and any(
        a is not None and b is not None for a, b in zip(interval[0], interval[1], strict=True)
    ):
        items.append(("swatch", _INTERVAL_SWATCH, f"{chart.interval_level} confidence interval"))
    kinds_shown = {k for v, k in zip(actual, kinds, strict=True) if v is not None}
    if kinds_shown & {"green", "amber", "red"}:
        key: tuple[str, ...] = ("rating", "green", "Green", "amber", "Amber", "red", "Red")
        if "none" in kinds_shown:
            key += ("none", "No rating")
        items.append(key)
    return items


def render_line_chart(chart: LineChart) -> str:
    """The chart as a standalone ``<svg>`` element (a string)."""
    _check_lengths(chart)
    unit = chart.unit
    order = period_order(chart.periods)
    periods = in_order(chart.periods, order)
    actual = clean_values(chart.actual, order)
    ratings = in_order(chart.ratings, order) if chart.ratings else [None] * len(periods)
    lines = [(line, clean_values(line.values, order)) for line in chart.lines]
    band = None
    if chart.band is not None:
        band = (clean_values(chart.band[0], order), clean_values(chart.band[1], order))

    plotted: list[float] = [v for v in actual if v is not None]
    for _, vals in lines:
        plotted.extend([v for v in vals if v is not None])
    if band is not None:
        plotted.extend([v for v in band[0] + band[1] if v is not None])
    interval = None
    if chart.interval is not None:
        interval = (clean_values(chart.interval[0], order), clean_values(chart.interval[1], order))
        plotted.extend([v for v in interval[0] + interval[1] if v is not None])
    kinds = ["none" if r is None else _KIND_BY_CODE[r] for r in ratings]
    breaks = set(chart.breaks)
    starts = frozenset(i for i, p in enumerate(periods) if p in breaks)
    styles = _line_styles([line for line, _ in lines])
    legend_items = _legend_items(chart, actual, kinds, lines, styles, band, interval)
    frame = lay_out(
        chart.chart_id, (int(chart.width), int(chart.height)), unit, periods, plotted, legend_items
    )
    cid, xs = frame.cid, frame.xs
    out = frame.begin(chart.title, chart.description)

    # expected-range band: a pale fill with edges, over runs where both bounds exist
    if band is not None:
        out.append(f'<g id="{cid}-band">')
        lower_y, upper_y = frame.y_strings(band[0]), frame.y_strings(band[1])
        triples = [
            None if a is None or b is None else (x, a, b)
            for x, a, b in zip(xs, lower_y, upper_y, strict=True)
        ]
        edge = f'fill="none" stroke="{COLOURS["band_edge"]}" stroke-width="1"'
        for run in split_at_gaps(triples, starts):
            if len(run) == 1:  # a lone period: a narrow bar so it is still visible
                x, a, b = run[0]
                run = [(x - 4, a, b), (x + 4, a, b)]
            upper = [(f"{x:.1f}", b) for x, _, b in run]
            lower = [(f"{x:.1f}", a) for x, a, _ in reversed(run)]
            polygon = " ".join([f"{x},{y}" for x, y in upper + lower])
            out.append(f'<polygon points="{polygon}" fill="{COLOURS["band_fill"]}"/>')
            out.append(f'<path d="{path_d(upper)}" {edge}/><path d="{path_d(lower)}" {edge}/>')
        out.append("</g>")

    # reference lines (thresholds first, so targets and comparators draw over them)
    drawn = sorted(range(len(lines)), key=lambda k: (lines[k][0].style != "threshold", k))
    for k in drawn:
        runs = level_runs(split_at_gaps(frame.points(lines[k][1]), starts))
        if not runs:
            continue
        attrs = styles[k].attrs()
        out.append(f'<g id="{cid}-line-{k + 1}">')
        out.extend([f'<path d="{path_d(run)}" {attrs}/>' for run in runs])
        out.append("</g>")

    radius = frame.marker_radius(2.5, 4.5, 0.3)
    if interval is not None:
        out += _error_bars(frame, interval, radius)

    # the actual series: line segments broken at gaps, then markers on top
    out.append(f'<g id="{cid}-actual">')
    actual_attrs = _ACTUAL_STYLE.attrs()
    for segment in split_at_gaps(frame.points(actual), starts):
        if len(segment) > 1:  # a lone point shows as its marker alone
            out.append(f'<path d="{path_d(segment)}" {actual_attrs}/>')
    for i, v in enumerate(actual):
        if v is None:
            continue
        rating = ratings[i]
        tip = f"{frame.x_labels[i]}: {unit.format(v)}"
        if rating is not None:
            tip += _TIP_SUFFIX[rating]
        if interval is not None and interval[0][i] is not None and interval[1][i] is not None:
            low, high = unit.format(interval[0][i]), unit.format(interval[1][i])
            tip += f"; {chart.interval_level} CI {low} to {high}"
        out.append(rating_marker(kinds[i], xs[i], frame.y(v), radius, escape(tip)))
    out.append("</g>")
    out += frame.end(has_data=any(v is not None for v in actual))
    return "".join(out)


def _error_bars(
    frame: Frame, interval: tuple[list[float | None], list[float | None]], radius: float
) -> list[str]:
    """A capped vertical bar from each period's lower to its upper limit, under the markers."""
    cap = max(3.0, radius)
    d = []
    for x, lo, hi in zip(frame.xs, interval[0], interval[1], strict=True):
        if lo is None or hi is None:
            continue
        top, bottom = frame.y(hi), frame.y(lo)
        left, width = fmt_coord(x - cap), fmt_coord(2 * cap)
        d.append(
            f"M{x:.1f} {top:.1f}V{bottom:.1f}M{left} {top:.1f}h{width}M{left} {bottom:.1f}h{width}"
        )
    if not d:
        return []
    return [f'<g id="{frame.cid}-interval"><path d="{"".join(d)}" {_INTERVAL_ATTRS}/></g>']
