"""A section's business plan pages: its action progress table and its risk register with a
heat map, decided once for the HTML and PDF reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..core.actions import ActionRag
from ..core.plan import ActionState, PlanStatus, RiskState
from ..core.risks import RiskMatrix
from .heat_map import render_heat_map
from .model import RatingView
from .timeline import Lane, milestone_state, render_timeline


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass
class ActionRow:
    id: str
    title: str
    owner: str
    status: str
    rag: RatingView
    progress: str
    due: str
    milestones: list[str]
    update: str  # the latest update's text
    update_period: str
    reasons: str  # why the computed RAG is what it is
    override: str = ""  # the owner's reason, when the RAG is overridden


@dataclass
class RiskRow:
    id: str
    title: str
    owner: str
    cause: str
    event: str
    effect: str
    inherent: str
    current: str
    target: str
    band: str  # the current score's band colour code
    band_name: str
    trend: str
    appetite: str  # "Within appetite (9)" / "Outside appetite (9)"
    review_date: str
    flags: list[str]
    controls: list[str]


@dataclass
class HeatRow:
    label: str  # "5 Very likely"
    counts: list[int]


@dataclass
class HeatMapView:
    svg: str
    title: str
    caption: str
    impact: list[str]  # column headings, "1 Minor" ...
    rows: list[HeatRow]  # highest likelihood first, as drawn


@dataclass
class MilestoneRow:
    action: str  # the action's id and title
    title: str
    due: str
    state: str  # Done / Due / Overdue
    done: str  # the day it was done, or ""


@dataclass
class TimelineView:
    svg: str
    title: str
    caption: str
    rows: list[MilestoneRow]  # every milestone, action by action: the chart's text alternative


@dataclass
class PlanSectionView:
    actions: list[ActionRow] = field(default_factory=list)
    risks: list[RiskRow] = field(default_factory=list)
    heat_map: HeatMapView | None = None
    timeline: TimelineView | None = None
    actions_caption: str = ""
    risks_caption: str = ""
    appetite_note: str = ""


def _rag_view(state: ActionState) -> RatingView:
    rag, computed = state.rag.rag, state.rag.computed
    return RatingView(rag.value, rag.words, state.rag.overridden, computed.words)


def _milestone_text(m, day: date) -> str:
    if m.done_by(day):
        return f"{m.title}: done {day_text(m.done)}"
    late = " (overdue)" if m.overdue_at(day) else ""
    return f"{m.title}: due {day_text(m.due)}{late}"


def action_row(state: ActionState, day: date) -> ActionRow:
    a, update = state.action, state.update
    override = state.rag.override if state.rag.overridden else None
    return ActionRow(
        id=a.id, title=a.title, owner=a.owner, status=state.status.words, rag=_rag_view(state),
        progress=f"{state.progress:g}%", due=day_text(a.due),
        milestones=[_milestone_text(m, day) for m in a.milestones],
        update=update.text if update else "", update_period=update.period.label if update else "",
        reasons="" if state.rag.computed is ActionRag.COMPLETE else ". ".join(state.rag.reasons),
        override=(f"Set to {override.rag.words} by {override.by or 'the owner'}: {override.reason}"
                  if override else ""),
    )  # fmt: skip


def risk_row(state: RiskState, matrix: RiskMatrix) -> RiskRow:
    r = state.risk
    appetite = r.appetite if r.appetite is not None else matrix.appetite
    band = matrix.band(state.current.value)
    return RiskRow(
        id=r.id, title=r.title, owner=r.owner,
        cause=r.cause, event=r.event, effect=r.effect,
        inherent=matrix.describe(r.inherent), current=matrix.describe(state.current),
        target=matrix.describe(r.target), band=band.code, band_name=band.name,
        trend=state.trend.words,
        appetite=f"{'Within' if state.within_appetite else 'Outside'} appetite ({appetite})",
        review_date=day_text(state.review_date), flags=list(state.flags), controls=list(r.controls),
    )  # fmt: skip


def heat_map_view(matrix: RiskMatrix, risks: list[RiskState], section: str, title: str):
    scored = [(r.risk.id, r.current) for r in risks]
    heading = f"{title}: risks by current score"
    counts = {(s.likelihood, s.impact): 0 for _, s in scored}
    for _, s in scored:
        counts[(s.likelihood, s.impact)] += 1
    rows = [
        HeatRow(f"{li} {matrix.likelihood[li - 1]}",
                [counts.get((li, ii), 0) for ii in range(1, len(matrix.impact) + 1)])
        for li in range(len(matrix.likelihood), 0, -1)
    ]  # fmt: skip
    return HeatMapView(
        svg=render_heat_map(matrix, scored, f"heat-{section}", heading),
        title=heading,
        caption=f"Number of risks by likelihood and impact ({title})",
        impact=[f"{i} {label}" for i, label in enumerate(matrix.impact, 1)],
        rows=rows,
    )


def timeline_view(actions: list[ActionState], section: str, title: str, day: date):
    """The section's milestone timeline, with every milestone in a table beside it."""
    lanes = [Lane(a.action.id, a.action.title, a.action.start, a.action.due, a.action.milestones)
             for a in actions]  # fmt: skip
    heading = f"{title}: milestone timeline"
    rows = [
        MilestoneRow(f"{lane.label} {lane.title}", m.title, day_text(m.due),
                     milestone_state(m, day).words,
                     day_text(m.done) if m.done and m.done_by(day) else "")
        for lane in lanes for m in lane.milestones
    ]  # fmt: skip
    return TimelineView(
        svg=render_timeline(lanes, day, f"timeline-{section}", heading),
        title=heading,
        caption=f"{title}: milestones as at {day_text(day)}",
        rows=rows,
    )


def plan_section(status: PlanStatus, section: str, title: str, day: date) -> PlanSectionView | None:
    """The section's plan pages, or None when it has no actions and no risks."""
    actions, risks = status.actions_in(section), status.risks_in(section)
    if not actions and not risks:
        return None
    matrix = status.plan.matrix
    bands = ", ".join(f"{b.name} up to {b.up_to}" for b in matrix.bands)
    return PlanSectionView(
        actions=[action_row(a, day) for a in actions],
        risks=[risk_row(r, matrix) for r in risks],
        heat_map=heat_map_view(matrix, risks, section, title) if risks else None,
        timeline=timeline_view(actions, section, title, day) if actions else None,
        actions_caption=f"{title}: business plan actions as at {day_text(day)}",
        risks_caption=f"{title}: risk register summary",
        appetite_note=(f"Scores are likelihood times impact, from 1 to {matrix.top}. Bands: "
                       f"{bands}. The appetite is {matrix.appetite} unless a risk has its own; "
                       "heavy borders on the map mark scores above it."),
    )  # fmt: skip
