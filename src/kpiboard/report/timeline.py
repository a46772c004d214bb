"""A section's milestone timeline: each action as a bar from its start to its due date on a time
axis, its milestones as markers, and a line at the report's as-at day.

Like the other charts it is self-contained SVG with a ``<title>`` and ``<desc>``, presentation in
attributes only (typst draws it with usvg) and the same string for the same input. Milestones
are told apart by shape as well as colour (done: filled diamond; due: open diamond; overdue: a
cross), each marker carries a ``<title>``, and the report prints every milestone in a table beside
the chart, so nothing is known from the picture alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from html import escape

from ..core.actions import Milestone
from .chart_frame import COLOURS, FONT_FAMILY, fmt_coord, sanitise_id

WIDTH, LEFT, RIGHT, TOP, LANE = 640, 92, 16, 52, 26
BAR_FILL, BAR_EDGE = "#d9e7f4", "#5694ca"


class MilestoneState(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def words(self) -> str:
        return {"done": "Done", "due": "Due", "overdue": "Overdue"}[self.value]


def milestone_state(m: Milestone, day: date) -> MilestoneState:
    if m.done_by(day):
        return MilestoneState.DONE
    return MilestoneState.OVERDUE if m.overdue_at(day) else MilestoneState.DUE


@dataclass(frozen=True)
class Lane:
    """One action on the timeline."""

    label: str  # short: the action's id
    title: str  # the action's title, for the bar's tooltip
    start: date
    due: date
    milestones: tuple[Milestone, ...]


def _month_starts(first: date, last: date) -> list[date]:
    out, y, m = [], first.year, first.month
    while date(y, m, 1) <= last:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _marker(state: MilestoneState, x: float, y: float, tip: str) -> str:
    r = 6
    if state is MilestoneState.OVERDUE:
        d = (
            f"M{fmt_coord(x - r)} {fmt_coord(y - r)}L{fmt_coord(x + r)} {fmt_coord(y + r)}M"
            f"{fmt_coord(x - r)} {fmt_coord(y + r)}L{fmt_coord(x + r)} {fmt_coord(y - r)}"
        )
        shape = f'<path d="{d}" stroke="{COLOURS["red"]}" stroke-width="3" fill="none"/>'
    else:
        fill = COLOURS["actual"] if state is MilestoneState.DONE else "#ffffff"
        points = (
            f"{fmt_coord(x)},{fmt_coord(y - r)} {fmt_coord(x + r)},{fmt_coord(y)} "
            f"{fmt_coord(x)},{fmt_coord(y + r)} {fmt_coord(x - r)},{fmt_coord(y)}"
        )
        shape = (f'<polygon points="{points}" fill="{fill}" stroke="{COLOURS["actual"]}" '
                 'stroke-width="2"/>')  # fmt: skip
    return f"<g><title>{escape(tip)}</title>{shape}</g>"


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11,
          colour: str = COLOURS["text"]) -> str:  # fmt: skip
    return (f'<text x="{fmt_coord(x)}" y="{fmt_coord(y)}" text-anchor="{anchor}" '
            f'font-size="{size}" fill="{colour}">{escape(text)}</text>')  # fmt: skip


def _legend() -> list[str]:
    parts, x = [], LEFT
    for state in MilestoneState:
        parts.append(_marker(state, x + 6, 14, f"Milestone {state.words.lower()}"))
        parts.append(_text(x + 16, 18, f"Milestone {state.words.lower()}", size=11))
        x += 130
    parts.append(f'<rect x="{x}" y="8" width="22" height="12" fill="{BAR_FILL}" '
                 f'stroke="{BAR_EDGE}"/>')  # fmt: skip
    parts.append(_text(x + 28, 18, "Start to due date"))
    return parts


@dataclass(frozen=True)
class _Axis:
    """The time axis: the first of the first month to the first of the month after the last."""

    months: list[date]
    end: date

    @classmethod
    def covering(cls, dates: list[date]) -> _Axis:
        low, high = min(dates), max(dates)
        months = _month_starts(date(low.year, low.month, 1), high)
        last = months[-1]
        end = date(last.year + 1, 1, 1) if last.month == 12 else date(last.year, last.month + 1, 1)
        return cls(months, end)

    def x(self, day: date) -> float:
        span = (self.end - self.months[0]).days
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - self.months[0]).days / span


def _vertical(x: float, top: float, bottom: float, stroke: str, width: int, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{fmt_coord(x)}" y1="{fmt_coord(top)}" x2="{fmt_coord(x)}" '
        f'y2="{fmt_coord(bottom)}" stroke="{stroke}" stroke-width="{width}"{dashes}/>'
    )


def _grid(axis: _Axis, bottom: float) -> list[str]:
    """A line at each month, labelled every month, quarter or year as the span allows."""
    count = len(axis.months)
    step = 1 if count <= 8 else 3 if count <= 24 else 12
    parts = []
    for month in axis.months:
        parts.append(_vertical(axis.x(month), TOP - 6, bottom, COLOURS["grid"], 1))
        if (month.month - 1) % step == 0:
            label = f"{month:%b %Y}"
            parts.append(_text(axis.x(month) + 2, TOP - 10, label, size=10,
                               colour=COLOURS["muted_text"]))  # fmt: skip
    return parts


def _lane(lane: Lane, row: int, axis: _Axis, day: date) -> list[str]:
    mid = TOP + LANE * row + LANE / 2
    x0, x1 = axis.x(lane.start), axis.x(lane.due)
    tip = f"{lane.title}: {lane.start:%d %b %Y} to {lane.due:%d %b %Y}"
    parts = [
        _text(LEFT - 6, mid + 4, lane.label, "end", 10),
        f'<g><title>{escape(tip)}</title><rect x="{fmt_coord(x0)}" y="{fmt_coord(mid - 7)}" '
        f'width="{fmt_coord(max(x1 - x0, 2))}" height="14" fill="{BAR_FILL}" '
        f'stroke="{BAR_EDGE}"/></g>',
    ]
    for ms in lane.milestones:
        state = milestone_state(ms, day)
        at = ms.done if state is MilestoneState.DONE and ms.done else ms.due
        tip = f"{lane.label} {ms.title}: {state.words.lower()} {at:%d %b %Y}"
        parts.append(_marker(state, axis.x(at), mid, tip))
    return parts


def render_timeline(lanes: list[Lane], day: date, chart_id: str, title: str) -> str:
    """The timeline of ``lanes`` as at ``day``, which is always inside the axis."""
    cid = sanitise_id(chart_id)
    dates = [day] + [d for lane in lanes for d in (lane.start, lane.due)]
    dates += [d for lane in lanes for m in lane.milestones for d in (m.due, m.done) if d]
    axis = _Axis.covering(dates)
    bottom = TOP + LANE * len(lanes)
    height = bottom + 30
    count = sum(len(lane.milestones) for lane in lanes)
    desc = (
        f"{len(lanes)} action{'s' * (len(lanes) != 1)} from {axis.months[0]:%B %Y} to "
        f"{axis.end:%B %Y}, with {count} milestone{'s' * (count != 1)} and a line at "
        f"{day.day} {day:%B %Y}; the table beside the chart lists every milestone."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="{escape(FONT_FAMILY)}">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>',
        *_legend(),
        *_grid(axis, bottom),
    ]
    for row, lane in enumerate(lanes):
        parts.extend(_lane(lane, row, axis, day))
    xd = axis.x(day)
    parts.append(_vertical(xd, TOP - 4, bottom, COLOURS["target"], 2, "4 3"))
    anchor = "end" if xd > WIDTH - 70 else "start" if xd < LEFT + 70 else "middle"
    parts.append(_text(xd, bottom + 16, f"As at {day.day} {day:%b %Y}", anchor, 11))
    parts.append("</svg>")
    return "".join(parts)
