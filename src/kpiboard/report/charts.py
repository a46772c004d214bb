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

Output is deterministic: the same chart gives the same string, so reports can be diffed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from html import escape
from typing import TypeVar

from kpiboard.core.periods import Period
from kpiboard.core.rating import Rating
from kpiboard.core.units import Unit, UnitKind

_T = TypeVar("_T")
_INF = math.inf

__all__ = ["COLOURS", "ChartLine", "LineChart", "nice_ticks", "render_line_chart"]

FONT_FAMILY = "Arial, Helvetica, 'Liberation Sans', sans-serif"

#: Every colour the charts draw with. Information-bearing ones have >= 3:1 contrast on white
#: (text >= 4.5:1); ``grid`` and ``band_fill`` are decoration and deliberately pale.
COLOURS = {
    "actual": "#1d3557",  # 12.4:1
    "green": "#00703c",  # 6.2:1
    "amber": "#b35c00",  # 4.7:1
    "red": "#d4351c",  # 4.9:1
    "target": "#0b0c0c",  # 19.6:1
    "threshold": "#6f777b",  # 4.6:1
    "band_edge": "#5694ca",  # 3.2:1
    "band_fill": "#d9e7f4",
    "text": "#0b0c0c",
    "muted_text": "#505a5f",  # 7.1:1
    "axis": "#505a5f",
    "grid": "#e3e6e8",
}
COMPARATOR_COLOURS = ("#912b88", "#007c89", "#4c2c92")  # 7.2, 5.0, 10.1 :1
EXTRA_COLOURS = ("#8a6d00", "#0b7a75", "#7a4ea3")  # 4.9, 5.2, 6.1 :1

_STYLES = ("target", "comparator", "threshold", "extra")

_TICK_FONT = 11
_LEGEND_FONT = 12
_X_PAD = 14  # pixels between the plot edge and the first/last period
_LEGEND_ROW = 18

# Advance widths of Arial (and the metric-compatible Liberation Sans) in 1/1000 em, used to lay
# out legends and thin axis labels without a font engine.
_ARIAL_WIDTHS: dict[str, int] = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333,
    ")": 333, "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278,
    "<": 584, "=": 584, ">": 584, "?": 556, "@": 1015, "[": 278, "]": 278, "_": 556, "£": 556,
    "€": 556, "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722,
    "I": 278, "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778,
    "R": 722, "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222,
    "j": 222, "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333,
    "s": 500, "t": 278, "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
}  # fmt: skip
for _digit in "0123456789":
    _ARIAL_WIDTHS[_digit] = 556


@lru_cache(maxsize=4096)
def text_width(text: str, size: float) -> float:
    """Estimated rendered width of ``text`` in Arial at ``size`` pixels."""
    return sum(_ARIAL_WIDTHS.get(ch, 600) for ch in text) * size / 1000


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
    actual_label: str = "Actual"
    width: int = 640
    height: int = 260


# --------------------------------------------------------------------------------------------
# Scales


def _clean(values: Sequence[float | None], order: list[int] | None) -> list[float | None]:
    """Values in drawing order; NaN and infinities count as missing (NaN fails both tests)."""
    if order is not None:
        values = [values[i] for i in order]
    return [v if v is not None and -_INF < v < _INF else None for v in values]


def _decimals(step: float) -> int:
    for d in range(10):
        scaled = step * 10**d
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return d
    return 10


def nice_ticks(
    lo: float, hi: float, count: int = 5, max_decimals: int = 6
) -> tuple[list[float], int]:
    """Evenly spaced round tick values covering ``[lo, hi]`` and how many decimals they need.

    Steps are 1, 2, 2.5 or 5 times a power of ten, about ``count`` ticks, and never finer than
    ``max_decimals`` decimal places (a count axis does not get a tick at 2.5). The first tick is
    at or below ``lo`` and the last at or above ``hi``.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("tick range must be finite")
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        half = abs(lo) * 0.05 or 0.5
        lo, hi = lo - half, hi + half
    raw = (hi - lo) / max(1, count - 1)
    top = math.floor(math.log10(raw)) + 1
    exponent = top - 2
    best: tuple[float, float, int, int] | None = None  # (score, step, first, last)
    fallback: tuple[float, int, int] | None = None  # the finest step that is allowed at all
    while exponent <= top or fallback is None:
        base = 10.0**exponent
        exponent += 1
        for multiple in (1, 2, 2.5, 5):
            step = multiple * base
            if _decimals(step) > max_decimals or step < raw / 3:
                continue
            first = math.floor(lo / step + 1e-9)
            last = math.ceil(hi / step - 1e-9)
            n = last - first + 1
            if n > count + 2:
                continue
            if fallback is None:
                fallback = (step, first, last)
            if n < 3 and step > raw * 1.5:
                continue
            # Prefer axes the data fill, with about ``count`` ticks, on 1-2-5 steps over 2.5.
            coverage = (hi - lo) / ((last - first) * step)
            score = coverage - 0.1 * abs(n - count) - (0.1 if multiple == 2.5 else 0)
            if best is None or score > best[0] + 1e-12:
                best = (score, step, first, last)
    if best is not None:
        _, step, first, last = best
    else:
        assert fallback is not None
        step, first, last = fallback
    decimals = _decimals(step)
    return [round(i * step, decimals) + 0.0 for i in range(first, last + 1)], decimals


def _value_range(values: list[float], unit: Unit) -> tuple[float, float]:
    """The span the y axis must show: the data, padded, reaching zero only when near it."""
    data_lo, data_hi = lo, hi = min(values), max(values)
    if hi == lo:  # one value, or all equal: centre it in a band a fifth of its size
        half = abs(hi) * 0.1 or 0.5
        lo, hi = lo - half, hi + half
        if data_lo >= 0:
            lo = max(lo, 0.0)
    # Reach zero when the data sit in the lowest quarter above it (or the mirror for negatives).
    if 0 < lo < 0.25 * hi:
        lo = 0.0
    elif 0 > hi > 0.25 * lo:
        hi = 0.0
    pad = (hi - lo) * 0.06
    new_lo, new_hi = lo - pad, hi + pad
    if data_lo >= 0:  # never show negatives the data do not have
        new_lo = max(new_lo, 0.0)
    elif data_hi <= 0:
        new_hi = min(new_hi, 0.0)
    if unit.kind is UnitKind.PERCENT and data_hi <= 100:
        new_hi = min(new_hi, 100.0)
    return new_lo, new_hi


# --------------------------------------------------------------------------------------------
# Drawing helpers


def _f(v: float) -> str:
    """A coordinate with one decimal place (deterministic, compact)."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _sanitise_id(chart_id: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", chart_id).strip("-")
    if not cleaned:
        return "chart"
    if not cleaned[0].isalpha():
        cleaned = "c-" + cleaned
    return cleaned


_GREEN_ATTRS = f'fill="{COLOURS["green"]}" stroke="#ffffff" stroke-width="1"'
_AMBER_ATTRS = f'fill="{COLOURS["amber"]}" stroke="#ffffff" stroke-width="1"'
_RED_ATTRS = f'fill="{COLOURS["red"]}" stroke="#ffffff" stroke-width="1"'
_NEUTRAL_ATTRS = f'fill="#ffffff" stroke="{COLOURS["actual"]}" stroke-width="1.75"'


def _marker(kind: str, x: float, y: float, r: float, title: str = "") -> str:
    """A rating marker: ``green`` circle, ``amber`` diamond, ``red`` square, ``none`` hollow.

    Shapes are sized to look equally heavy. ``title`` must already be escaped.
    """
    inner = f"<title>{title}</title>" if title else ""
    if kind == "green":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {_GREEN_ATTRS}>{inner}</circle>'
    if kind == "amber":
        d = f"{r * 1.35:.1f}"
        return (
            f'<path d="M{x:.1f} {y - r * 1.35:.1f}l{d} {d}l-{d} {d}l-{d} -{d}z" '
            f"{_AMBER_ATTRS}>{inner}</path>"
        )
    if kind == "red":
        s = r * 0.9
        return (
            f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" '
            f"{_RED_ATTRS}>{inner}</rect>"
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r * 0.85:.1f}" {_NEUTRAL_ATTRS}>{inner}</circle>'


_MARKER_KIND = {Rating.GREEN: "green", Rating.AMBER: "amber", Rating.RED: "red"}
# Indexed by rating code: enum members hash through Python code, list indexing does not.
_KIND_BY_CODE = [_MARKER_KIND.get(r, "none") for r in map(Rating, range(max(Rating) + 1))]
_TIP_SUFFIX = [f" ({r.words})" for r in map(Rating, range(max(Rating) + 1))]


@lru_cache(maxsize=512)
def _axis_labels(unit: Unit, ticks: tuple[float, ...], decimals: int) -> tuple[str, ...]:
    """Escaped y-axis labels, every one with the decimals the tick step needs."""
    axis_unit = replace(unit, decimals=decimals)
    return tuple(escape(axis_unit.format(t, trim=False)) for t in ticks)


def _runs(points: list[_T | None]) -> list[list[_T]]:
    """Split a point list at ``None`` gaps into runs of consecutive points."""
    runs: list[list[_T]] = []
    current: list[_T] = []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
                current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def _path_d(run: list[tuple[str, str]]) -> str:
    """Path data through points already formatted as coordinate strings."""
    return "M" + "L".join([f"{x} {y}" for x, y in run])


@dataclass(frozen=True)
class _LineStyle:
    colour: str
    width: float
    dash: str  # "" = solid
    cap: str = "butt"

    def attrs(self) -> str:
        out = f'fill="none" stroke="{self.colour}" stroke-width="{_f(self.width)}"'
        if self.dash:
            out += f' stroke-dasharray="{self.dash}"'
        if self.cap != "butt":
            out += f' stroke-linecap="{self.cap}"'
        return out + ' stroke-linejoin="round"'


_ACTUAL_STYLE = _LineStyle(COLOURS["actual"], 2.5, "", "round")


def _line_styles(lines: Sequence[ChartLine]) -> list[_LineStyle]:
    styles: list[_LineStyle] = []
    comparators = extras = 0
    for line in lines:
        if line.style == "target":
            styles.append(_LineStyle(COLOURS["target"], 2, "8 4"))
        elif line.style == "comparator":
            colour = COMPARATOR_COLOURS[comparators % len(COMPARATOR_COLOURS)]
            comparators += 1
            styles.append(_LineStyle(colour, 2.5, "0.5 4.5", "round"))
        elif line.style == "threshold":
            styles.append(_LineStyle(COLOURS["threshold"], 1.25, "4 3"))
        else:
            colour = EXTRA_COLOURS[extras % len(EXTRA_COLOURS)]
            extras += 1
            styles.append(_LineStyle(colour, 2, "10 3 2 3"))
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
    if chart.band is not None:
        lower, upper = chart.band
        if len(lower) != n or len(upper) != n:
            raise ValueError(f"chart {chart.chart_id!r}: band values must match the {n} periods")


#: A legend entry: ``("swatch", svg_template, label)`` or ``("rating", (kind, word), ...)``.
_LegendItem = tuple[str, ...]


def _legend_text(x: float, cy: float, text: str) -> str:
    return (
        f'<text x="{_f(x)}" y="{_f(cy + 4)}" font-size="{_LEGEND_FONT}" '
        f'fill="{COLOURS["text"]}">{text}</text>'
    )


def _item_width(item: _LegendItem) -> float:
    if item[0] == "swatch":
        return 27 + text_width(item[2], _LEGEND_FONT)
    lead = text_width("Rating:", _LEGEND_FONT) + 6
    return lead + sum(14 + text_width(word, _LEGEND_FONT) + 10 for word in item[2::2]) - 10


def _draw_item(item: _LegendItem, x: float, cy: float) -> list[str]:
    if item[0] == "swatch":
        swatch = item[1].format(x=_f(x), x2=_f(x + 22), y=_f(cy), top=_f(cy - 5))
        return [swatch, _legend_text(x + 27, cy, escape(item[2]))]
    # The marker key, "Rating: ● Green ◆ Amber ■ Red", drawn as shapes and kept on one row.
    parts = [_legend_text(x, cy, "Rating:")]
    x += text_width("Rating:", _LEGEND_FONT) + 6
    for kind, word in zip(item[1::2], item[2::2], strict=True):
        parts.append(_marker(kind, x + 5, cy, 4.5))
        parts.append(_legend_text(x + 14, cy, word))
        x += 14 + text_width(word, _LEGEND_FONT) + 10
    return parts


@lru_cache(maxsize=256)
def _legend(
    items: tuple[_LegendItem, ...], left: float, right: float, top: float
) -> tuple[str, float]:
    """Lay items out left to right, wrapping into rows; returns the markup and the bottom edge.

    Memoised: most charts in a report share one legend, so it is laid out once.
    """
    out: list[str] = []
    x, row = left, 0
    for item in items:
        width = _item_width(item)
        if x > left and x + width > right:
            row += 1
            x = left
        out.extend(_draw_item(item, x, top + row * _LEGEND_ROW + _LEGEND_ROW / 2))
        x += width + 18
    return "".join(out), (top + (row + 1) * _LEGEND_ROW) if items else top


def render_line_chart(chart: LineChart) -> str:
    """The chart as a standalone ``<svg>`` element (a string)."""
    _check_lengths(chart)
    cid = _sanitise_id(chart.chart_id)
    width, height = int(chart.width), int(chart.height)
    unit = chart.unit
    n = len(chart.periods)
    keys = [p.sort_key for p in chart.periods]
    order = None if keys == sorted(keys) else sorted(range(n), key=keys.__getitem__)
    periods = list(chart.periods) if order is None else [chart.periods[i] for i in order]
    actual = _clean(chart.actual, order)
    if not chart.ratings:
        ratings: list[Rating | None] = [None] * n
    else:
        ratings = list(chart.ratings) if order is None else [chart.ratings[i] for i in order]
    lines = [(line, _clean(line.values, order)) for line in chart.lines]
    band = None
    if chart.band is not None:
        band = (_clean(chart.band[0], order), _clean(chart.band[1], order))

    # ---- y scale from everything plotted
    values: list[float] = [v for v in actual if v is not None]
    for _, vals in lines:
        values.extend([v for v in vals if v is not None])
    if band is not None:
        values.extend([v for v in band[0] + band[1] if v is not None])
    has_actual = any(v is not None for v in actual)
    if values:
        lo, hi = _value_range(values, unit)
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

    # ---- legend (top), which fixes the plot's top edge
    styles = _line_styles([line for line, _ in lines])
    items: list[_LegendItem] = []
    line_swatch = '<path d="M{{x}} {{y}}H{{x2}}" {attrs}/>'
    if has_actual:
        items.append(
            ("swatch", line_swatch.format(attrs=_ACTUAL_STYLE.attrs()), chart.actual_label)
        )
    for (line, vals), style in zip(lines, styles, strict=True):
        if any(v is not None for v in vals):
            items.append(("swatch", line_swatch.format(attrs=style.attrs()), line.label))
    if band is not None and any(
        a is not None and b is not None for a, b in zip(band[0], band[1], strict=True)
    ):
        band_swatch = (
            f'<rect x="{{x}}" y="{{top}}" width="22" height="10" fill="{COLOURS["band_fill"]}" '
            f'stroke="{COLOURS["band_edge"]}" stroke-width="1"/>'
        )
        items.append(("swatch", band_swatch, "Expected range"))
    kinds = ["none" if r is None else _KIND_BY_CODE[r] for r in ratings]
    kinds_shown = {k for v, k in zip(actual, kinds, strict=True) if v is not None}
    if kinds_shown & {"green", "amber", "red"}:
        key = ("rating", "green", "Green", "amber", "Amber", "red", "Red")
        if "none" in kinds_shown:
            key += ("none", "No rating")
        items.append(key)
    legend, legend_bottom = _legend(tuple(items), plot_left, width - 8, 6.0)
    plot_top = (legend_bottom + 10) if legend else 14.0
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

    def y_strings(vals: list[float | None]) -> list[str | None]:
        return [None if v is None else f"{plot_bottom - (v - y_lo) * y_scale:.1f}" for v in vals]

    def points(vals: list[float | None]) -> list[tuple[str, str] | None]:
        return [None if y is None else (x, y) for x, y in zip(x_str, y_strings(vals), strict=True)]

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
        y = plot_bottom - (tick - y_lo) * y_scale
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

    # expected-range band: a pale fill with edges, over runs where both bounds exist
    if band is not None:
        out.append(f'<g id="{cid}-band">')
        lower_y, upper_y = y_strings(band[0]), y_strings(band[1])
        triples = [
            None if a is None or b is None else (x, a, b)
            for x, a, b in zip(xs, lower_y, upper_y, strict=True)
        ]
        edge = f'fill="none" stroke="{COLOURS["band_edge"]}" stroke-width="1"'
        for run in _runs(triples):
            if len(run) == 1:  # a lone period: a narrow bar so it is still visible
                x, a, b = run[0]
                run = [(x - 4, a, b), (x + 4, a, b)]
            upper = [(f"{x:.1f}", b) for x, _, b in run]
            lower = [(f"{x:.1f}", a) for x, a, _ in reversed(run)]
            polygon = " ".join([f"{x},{y}" for x, y in upper + lower])
            out.append(f'<polygon points="{polygon}" fill="{COLOURS["band_fill"]}"/>')
            out.append(f'<path d="{_path_d(upper)}" {edge}/><path d="{_path_d(lower)}" {edge}/>')
        out.append("</g>")

    # reference lines (thresholds first, so targets and comparators draw over them)
    drawn = sorted(range(len(lines)), key=lambda k: (lines[k][0].style != "threshold", k))
    for k in drawn:
        runs = _runs(points(lines[k][1]))
        if not runs:
            continue
        attrs = styles[k].attrs()
        out.append(f'<g id="{cid}-line-{k + 1}">')
        for run in runs:
            if len(run) == 1:  # a lone value: a short level stroke
                x = float(run[0][0])
                run = [(_f(x - 9), run[0][1]), (_f(x + 9), run[0][1])]
            out.append(f'<path d="{_path_d(run)}" {attrs}/>')
        out.append("</g>")

    # the actual series: line segments broken at gaps, then markers on top
    out.append(f'<g id="{cid}-actual">')
    actual_attrs = _ACTUAL_STYLE.attrs()
    for run in _runs(points(actual)):
        if len(run) > 1:  # a lone point shows as its marker alone
            out.append(f'<path d="{_path_d(run)}" {actual_attrs}/>')
    spacing = sorted(b - a for a, b in itertools.pairwise(xs) if b > a)
    radius = min(4.5, max(2.5, spacing[len(spacing) // 2] * 0.3)) if spacing else 4.5
    for i, v in enumerate(actual):
        if v is None:
            continue
        rating = ratings[i]
        tip = f"{x_labels[i]}: {unit.format(v)}"
        if rating is not None:
            tip += _TIP_SUFFIX[rating]
        y = plot_bottom - (v - y_lo) * y_scale
        out.append(_marker(kinds[i], xs[i], y, radius, escape(tip)))
    out.append("</g>")

    if not has_actual:
        cx, cy = (plot_left + plot_right) / 2, plot_top + plot_h / 2
        out.append(
            f'<text x="{cx:.1f}" y="{cy + 5:.1f}" font-size="14" text-anchor="middle" '
            f'fill="{COLOURS["muted_text"]}">No data</text>'
        )

    out.append(f'<g id="{cid}-legend">')
    out.append(legend)
    out.append("</g></svg>")
    return "".join(out)


#: Label every k-th period for the first k here that fits: calendar-friendly strides.
_STRIDES = (1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120)


def _label_indices(xs: list[float], widths: list[float], gap: float = 10.0) -> list[int]:
    """Which x labels to print: every k-th, counted back from the latest, for the smallest k that
    keeps neighbouring labels ``gap`` pixels apart (k from :data:`_STRIDES`, then any)."""
    n = len(xs)
    for k in (*_STRIDES, *range(_STRIDES[-1] + 1, n + 1)):
        chosen = list(range(n - 1, -1, -k))
        if all(
            xs[a] - xs[b] >= (widths[a] + widths[b]) / 2 + gap
            for a, b in itertools.pairwise(chosen)
        ):
            return chosen[::-1]
    return [n - 1] if n else []
