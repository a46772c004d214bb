"""The business plan in a publication: an actions table and a risks table, as assessed at each
part's approved period, with the columns of ``kpiboard export``'s Actions and Risks sheets
(:mod:`kpiboard.packs.plan_export`, the one place those rows are made) and the period added.

Only what the published pack holds goes out: a file pack as its author left it, or the web's
plan files as they stood when the sections' periods were approved. Owners are posts ("Head of
Commissioning"), as the committee report prints them; no officer's name is in these rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..packs.plan_export import ACTION_COLUMNS, RISK_COLUMNS, action_rows, plan_status, risk_rows
from .parts import Part

#: Table Schema types of the columns that are not text.
_TYPES = {
    "start": "date", "due": "date", "review_date": "date", "progress": "number",
    "overridden": "boolean", "within_appetite": "boolean", "flagged": "boolean",
    "milestones": "integer", "milestones_done": "integer", "milestones_overdue": "integer",
    "appetite": "integer",
    **{f"{s}_{p}": "integer" for s in ("inherent", "current", "target")
       for p in ("likelihood", "impact", "score")},
}  # fmt: skip
#: What the columns mean, where the name does not say it plainly.
_MEANINGS = {
    "as_at": "The period it is assessed at (canonical label)",
    "status": "not_started, on_track, at_risk, off_track, complete or cancelled",
    "progress": "Percentage complete, 0 to 100",
    "rag": "RED, AMBER, GREEN, COMPLETE or NOT_RATED, as reported",
    "computed_rag": "The RAG worked out from dates, progress and milestones",
    "overridden": "Whether the owner reported another RAG, with the reason beside it",
    "band": "The current score's band on the organisation's matrix",
    "appetite": "The highest score accepted for this risk",
    "trend": "rising, steady, falling or new, since the review before",
    "flags": "Why key risk indicators flag the risk for review",
}


def _fields(columns: Sequence[str]) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (name, _TYPES.get(name, "string"), _MEANINGS.get(name, "")) for name in ("as_at", *columns)
    )


ACTION_FIELDS = _fields(ACTION_COLUMNS)
RISK_FIELDS = _fields(RISK_COLUMNS)


def _rows_of(parts: Sequence[Part], kind: str) -> list[dict]:
    """The rows of ``kind`` ("actions" or "risks") of each part's sections, as at its period."""
    rows = []
    for part in parts:
        if not getattr(part.pack.plan, kind):
            continue
        status = plan_status(part.pack, part.as_at)
        if kind == "actions":
            mine = replace(status, actions=tuple(
                a for a in status.actions if a.action.section in part.section_ids))  # fmt: skip
            found = action_rows(mine, part.as_at)
        else:
            mine = replace(status, risks=tuple(
                r for r in status.risks if r.risk.section in part.section_ids))  # fmt: skip
            found = risk_rows(mine)
        rows += [{"as_at": part.as_at.label, **row} for row in found]
    return rows


def action_rows_of(parts: Sequence[Part]) -> list[dict]:
    return _rows_of(parts, "actions")


def risk_rows_of(parts: Sequence[Part]) -> list[dict]:
    return _rows_of(parts, "risks")
