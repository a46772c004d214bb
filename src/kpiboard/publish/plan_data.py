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

from ..core.plan import assess
from ..packs.plan_export import (
    ACTION_COLUMNS,
    COLUMN_MEANINGS,
    RISK_COLUMNS,
    action_rows,
    risk_rows,
)
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
#: What the open data says beyond the export's wording (packs.plan_export.COLUMN_MEANINGS).
_MEANINGS = {
    **COLUMN_MEANINGS,
    "as_at": "The period it is assessed at (canonical label)",
    "flagged": "Whether a key risk indicator among the published ones, or a review date "
    "passed, flags it for review",
}


def _fields(columns: Sequence[str]) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (name, _TYPES.get(name, "string"), _MEANINGS.get(name, "")) for name in ("as_at", *columns)
    )


ACTION_FIELDS = _fields(ACTION_COLUMNS)
RISK_FIELDS = _fields(RISK_COLUMNS)


def plan_rows(parts: Sequence[Part]) -> tuple[list[dict], list[dict]]:
    """The action rows and the risk rows of each part's sections, as at its period.

    Each part is assessed once. A key risk indicator counts only when its indicator is
    published in the same part: a part holds the figures approved for its own sections, and a
    flag must not rest on figures the publication leaves out."""
    actions: list[dict] = []
    risks: list[dict] = []
    for part in parts:
        plan = part.pack.plan
        if not (plan.actions or plan.risks):
            continue
        wanted = set(part.indicator_ids)
        if any(k.indicator in wanted for r in plan.risks for k in r.kris):
            analyses = {code: part.analyses[code] for code in part.analyses if code in wanted}
        else:
            analyses = {}
        status = assess(plan, part.as_at, analyses)
        mine = replace(
            status,
            actions=tuple(a for a in status.actions if a.action.section in part.section_ids),
            risks=tuple(r for r in status.risks if r.risk.section in part.section_ids),
        )
        label = {"as_at": part.as_at.label}
        actions += [label | row for row in action_rows(mine, part.as_at)]
        risks += [label | row for row in risk_rows(mine)]
    return actions, risks
