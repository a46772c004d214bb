"""What the report's SVG charts share: the plot frame with its axes, legends and drawing helpers.

:mod:`kpiboard.report.charts` (line charts) and :mod:`kpiboard.report.spc_chart` (SPC charts) lay
out their plots the same way, so both draw inside a :class:`Frame`: a y axis of round ticks that
covers everything plotted, an x axis with each period's end date on a real time axis and labels
thinned to fit (scales from :mod:`kpiboard.report.chart_scales`), and a legend on top that fixes
where the plot starts. Every element carries its
presentation as attributes (typst renders the SVG with usvg, which has no stylesheets), and the
same input always gives the same string.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TypeVar

from kpiboard.core.periods import Period
from kpiboard.core.units import Unit, UnitKind
from kpiboard.report.chart_scales import (
    axis_labels,
    label_indices,
    nice_ticks,
    text_width,
    value_range,
)

_T = TypeVar("_T")

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

TICK_FONT = 11
LEGEND_FONT = 12
X_PAD = 14  # pixels between the plot edge and the first/last period
LEGEND_ROW = 18


# --------------------------------------------------------------------------------------------
# Drawing helpers


def fmt_coord(v: float) -> str:
    """A coordinate with one decimal place (deterministic, compact)."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def sanitise_id(chart_id: str) -> str:
    """``chart_id`` made safe for element ids: letters, digits, ``-`` and ``_``, starting with a
    letter."""
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


def rating_marker(kind: str, x: float, y: float, r: float, title: str = "") -> str:
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


def split_at_gaps(points: list[_T | None], starts: Collection[int] = ()) -> list[list[_T]]:
    """Split a point list at ``None`` gaps into runs of consecutive points; a new run also
    begins at each index in ``starts`` (a break in the series, such as a year-to-date reset)."""
    out: list[list[_T]] = []
    current: list[_T] = []
    for i, point in enumerate(points):
        if i in starts and current:
            out.append(current)
            current = []
        if point is None:
            if current:
                out.append(current)
                current = []
        else:
            current.append(point)
    if current:
        out.append(current)
    return out


def level_runs(runs: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """Reference-line runs with a lone point widened to a short level stroke so it shows."""
    out = []
    for run in runs:
        if len(run) == 1:
            x = float(run[0][0])
            run = [(fmt_coord(x - 9), run[0][1]), (fmt_coord(x + 9), run[0][1])]
        out.append(run)
    return out


def path_d(run: list[tuple[str, str]]) -> str:
    """Path data through points already formatted as coordinate strings."""
    return "M" + "L".join([f"{x} {y}" for x, y in run])


@dataclass(frozen=True)
class LineStyle:
    colour: str
    width: float
    dash: str  # "" = solid
    cap: str = "butt"

    def attrs(self) -> str:
        out = f'fill="none" stroke="{self.colour}" stroke-width="{fmt_coord(self.width)}"'
        if self.dash:
            out += f' stroke-dasharray="{self.dash}"'
        if self.cap != "butt":
            out += f' stroke-linecap="{self.cap}"'
        return out + ' stroke-linejoin="round"'

    def swatch(self) -> str:
        """A legend swatch template of the line (see :data:`LegendItem`)."""
        return f'<path d="M{{x}} {{y}}H{{x2}}" {self.attrs()}/>'


# --------------------------------------------------------------------------------------------
# Legends

#: A legend entry: ``("swatch", svg_template, label)`` or ``("rating", (kind, word), ...)``.
LegendItem = tuple[str, ...]


def _legend_text(x: float, cy: float, text: str) -> str:
    return (
        f'<text x="{fmt_coord(x)}" y="{fmt_coord(cy + 4)}" font-size="{LEGEND_FONT}" '
        f'fill="{COLOURS["text"]}">{text}</text>'
    )


def _item_width(item: LegendItem) -> float:
    if item[0] == "swatch":
        return 27 + text_width(item[2], LEGEND_FONT)
    lead = text_width("Rating:", LEGEND_FONT) + 6
    return lead + sum(14 + text_width(word, LEGEND_FONT) + 10 for word in item[2::2]) - 10


def _draw_item(item: LegendItem, x: float, cy: float) -> list[str]:
    if item[0] == "swatch":
        swatch = item[1].format(
            x=fmt_coord(x), x2=fmt_coord(x + 22), y=fmt_coord(cy), top=fmt_coord(cy - 5)
        )
        return [swatch, _legend_text(x + 27, cy, escape(item[2]))]
    # The marker key, "Rating: ● Green ◆ Amber ■ Red", drawn as shapes and kept on one row.
    parts = [_legend_text(x, cy, "Rating:")]
    x += text_width("Rating:", LEGEND_FONT) + 6
    for kind, word in zip(item[1::2], item[2::2], strict=True):
        parts.append(rating_marker(kind, x + 5, cy, 4.5))
        parts.append(_legend_text(x + 14, cy, word))
        x += 14 + text_width(word, LEGEND_FONT) + 10
    return parts


@lru_cache(maxsize=256)
def lay_out_legend(
    items: tuple[LegendItem, ...], left: float, right: float, top: float
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
        out.extend(_draw_item(item, x, top + row * LEGEND_ROW + LEGEND_ROW / 2))
        x += width + 18
    return "".join(out), (top + (row + 1) * LEGEND_ROW) if items else top


# --------------------------------------------------------------------------------------------
# The frame


@dataclass(frozen=True)
class Frame:
    """Where a chart's plot sits, and how values and periods map to pixels in it."""

    cid: str  # the sanitised chart id that every element id starts with
    width: int
    height: int
    ticks: list[float]
    tick_labels: tuple[str, ...]
    y_lo: float
    y_scale: float
    plot_left: int
    plot_right: float
    plot_top: float
    plot_bottom: float
    xs: list[float]  # each period's x, in drawing order
    x_str: list[str]
    x_labels: list[str]
    x_label_w: list[float]
    legend: str  # the legend's markup

    def y(self, v: float) -> float:
        """The pixel row of ``v``; a value beyond the axis (see ``AXIS_LIMIT``) sits at its end."""
        v = min(max(v, self.ticks[0]), self.ticks[-1])
        return self.plot_bottom - (v - self.y_lo) * self.y_scale

    def y_strings(self, vals: list[float | None]) -> list[str | None]:
        return [None if v is None else f"{self.y(v):.1f}" for v in vals]

    def points(self, vals: list[float | None]) -> list[tuple[str, str] | None]:
        """Each period's point as coordinate strings; None where the value is missing."""
        ys = self.y_strings(vals)
        return [None if y is None else (x, y) for x, y in zip(self.x_str, ys, strict=True)]

    def marker_radius(self, smallest: float, largest: float, share: float) -> float:
        """A marker size in proportion to the typical gap between periods, within bounds."""
        spacing = sorted(b - a for a, b in itertools.pairwise(self.xs) if b > a)
        if not spacing:
            return largest
        return min(largest, max(smallest, spacing[len(spacing) // 2] * share))

    def begin(self, title: str, description: str) -> list[str]:
        """The ``<svg>`` element's opening, its title and description, and both axes."""
        cid, width, height = self.cid, self.width, self.height
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
            f'font-family="{FONT_FAMILY}" id="{cid}">',
            f'<title id="{cid}-title">{escape(title)}</title>',
            f'<desc id="{cid}-desc">{escape(description)}</desc>',
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        ]

        # gridlines and y labels
        out.append(f'<g id="{cid}-y-axis">')
        right_s = fmt_coord(self.plot_right)
        grid = []
        for tick, label in zip(self.ticks, self.tick_labels, strict=True):
            y = self.y(tick)
            if tick != self.y_lo:
                grid.append(f"M{self.plot_left} {y:.1f}H{right_s}")
            out.append(
                f'<text x="{self.plot_left - 8}" y="{y + 4:.1f}" font-size="{TICK_FONT}" '
                f'text-anchor="end" fill="{COLOURS["muted_text"]}">{label}</text>'
            )
        out.append(f'<path d="{"".join(grid)}" stroke="{COLOURS["grid"]}" stroke-width="1"/></g>')

        # x axis: baseline, a tick at every period, labels thinned to fit
        out.append(f'<g id="{cid}-x-axis">')
        base_y = fmt_coord(self.plot_bottom)
        ticks_d = "".join([f"M{x} {base_y}v4" for x in self.x_str])
        out.append(
            f'<path d="M{self.plot_left} {base_y}H{right_s}{ticks_d}" stroke="{COLOURS["axis"]}" '
            'stroke-width="1"/>'
        )
        label_y = fmt_coord(self.plot_bottom + 17)
        for i in label_indices(self.xs, self.x_label_w):
            half = self.x_label_w[i] / 2
            x = min(max(self.xs[i], half + 2), width - half - 2)
            out.append(
                f'<text x="{x:.1f}" y="{label_y}" font-size="{TICK_FONT}" text-anchor="middle" '
                f'fill="{COLOURS["muted_text"]}">{escape(self.x_labels[i])}</text>'
            )
        out.append("</g>")
        return out

    def end(self, has_data: bool) -> list[str]:
        """ "No data" across an empty plot, then the legend and the ``<svg>`` element's end."""
        out = []
        if not has_data:
            cx = (self.plot_left + self.plot_right) / 2
            cy = self.plot_top + (self.plot_bottom - self.plot_top) / 2
            out.append(
                f'<text x="{cx:.1f}" y="{cy + 5:.1f}" font-size="14" text-anchor="middle" '
                f'fill="{COLOURS["muted_text"]}">No data</text>'
            )
        out += [f'<g id="{self.cid}-legend">', self.legend, "</g></svg>"]
        return out


def lay_out(
    chart_id: str,
    size: tuple[int, int],
    unit: Unit,
    periods: Sequence[Period],
    plotted: list[float],
    legend_items: Sequence[LegendItem],
    space_above: float = 0.0,
    x_labels: Sequence[str] | None = None,
) -> Frame:
    """The frame of a chart of ``size`` (width, height) over ``periods`` (in drawing order).

    The y axis covers every ``plotted`` value; the legend goes on top, and the plot starts below
    it, ``space_above`` pixels lower still (room for labels above the plot). ``x_labels``
    replace the periods' own labels (points placed at a day, labelled by their month).
    """
    width, height = size
    # ---- y scale from everything plotted
    if plotted:
        lo, hi = value_range(plotted, unit)
    else:
        lo, hi = (0.0, 100.0) if unit.kind is UnitKind.PERCENT else (0.0, 10.0)
    tick_count = max(3, min(7, int(max(60, height - 80) // 45) + 1))
    ticks, decimals = nice_ticks(lo, hi, tick_count, max_decimals=unit.places)
    tick_labels = axis_labels(unit, tuple(ticks), decimals)
    y_lo, y_hi = ticks[0], ticks[-1]

    # ---- horizontal layout: room for the y labels on the left, the last x label on the right
    plot_left = math.ceil(16 + max(text_width(t, TICK_FONT) for t in tick_labels))
    x_labels = [p.display for p in periods] if x_labels is None else list(x_labels)
    x_label_w = [text_width(t, TICK_FONT) for t in x_labels]
    last_half = x_label_w[-1] / 2 if x_labels else 0
    plot_right = width - max(12, math.ceil(last_half - X_PAD + 6))

    # ---- the legend (top) fixes the plot's top edge
    legend, legend_bottom = lay_out_legend(tuple(legend_items), plot_left, width - 8, 6.0)
    plot_top = (legend_bottom + 10) if legend else 14.0
    if space_above:
        plot_top += space_above
    plot_bottom = max(plot_top + 20.0, height - 26.0)

    # ---- x scale: each period's end date on a real time axis
    days = [p.end.toordinal() for p in periods]
    inner_left, inner_right = plot_left + X_PAD, plot_right - X_PAD
    if days and days[-1] > days[0]:
        d0, x_scale = days[0], (inner_right - inner_left) / (days[-1] - days[0])
        xs = [inner_left + (d - d0) * x_scale for d in days]
    else:
        xs = [(plot_left + plot_right) / 2] * len(periods)
    return Frame(
        cid=sanitise_id(chart_id),
        width=width,
        height=height,
        ticks=ticks,
        tick_labels=tick_labels,
        y_lo=y_lo,
        y_scale=(plot_bottom - plot_top) / (y_hi - y_lo),
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        xs=xs,
        x_str=[f"{x:.1f}" for x in xs],
        x_labels=x_labels,
        x_label_w=x_label_w,
        legend=legend,
    )
