"""Business plan updates from a spreadsheet: the Actions or Risks sheet of ``kpiboard export``,
filled in by owners, brought back with ``kpiboard import``.

An Actions sheet gives each action's progress update for a period (``status``, ``progress``,
``update``, and an owner's RAG with ``overridden`` and ``override_reason``); a Risks sheet gives
each risk's review (``current_likelihood``, ``current_impact``, ``review_note``, and
``review_date``: the next review date, which a changed date sets on the row's review as the
web form's does, refused before the end of the month reviewed). The period
is the row's ``update_period`` or ``review_period``, or the pack's as-at period when blank. The
columns that only report (``computed_rag``, ``band``, ``flags`` ...) are ignored, so the
exported sheet goes back as it is.

A row that gives the period's update as it already stands changes nothing; otherwise it adds
the period's update, or replaces the one given before for that period. Every problem in the
sheet is reported at once (sheet, row and column), nothing is written unless the whole pack
loads afterwards, and the plan file is replaced in one step (``packs/importer.py``). The file
is written back in kpiboard's own layout (as the web application exports it): its data is kept,
its comments are not, and the command says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..core.actions import ActionStatus, default_progress
from ..core.periods import Period, PeriodError
from ..core.plan import next_review
from ..core.plan_cycle import next_review_problem
from .importer import _replace_all, _validate_copy
from .loader import load_pack
from .model import Pack
from .plan import ACTIONS, OVERRIDE_RAGS, RISKS
from .problems import PackError, Problem
from .tables import Table, column_letter, load_table
from .yamlsource import dump, load, plain

#: What each kind of sheet must and may give; its first column names the kind.
ACTION_COLUMNS = ("action", "status", "progress")
ACTION_OPTIONAL = ("update", "update_period", "overridden", "rag", "override_reason")
RISK_COLUMNS = ("risk", "current_likelihood", "current_impact")
RISK_OPTIONAL = ("review_period", "review_note", "review_date")
TRUE_WORDS = ("true", "yes", "y", "1")


@dataclass
class PlanChanges:
    """What importing a sheet of plan updates would change, worked out before anything is
    written: the plan file's new text and a line for each update added or replaced."""

    pack_path: Path
    rel: str  # plan/actions.yaml or plan/risks.yaml
    source: str
    original: bytes
    new: bytes
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.changed)

    def describe(self) -> str:
        lines = [f"{self.source}: {len(self.changed)} changed, {self.unchanged} unchanged"]
        lines += [f"  {line}" for line in self.changed]
        if self.changed:
            lines.append(f"{self.rel} is written in kpiboard's layout: its comments are not kept.")
        return "\n".join(lines)


def sheet_kind(table: Table) -> str | None:
    """ "actions" or "risks" when the table's first column heads a plan sheet, else None."""
    first = table.rows[0][0].strip().lower() if table.rows and table.rows[0] else ""
    return {"action": "actions", "risk": "risks"}.get(first)


class _Rows:
    """The sheet's rows by column name, with problems named by sheet, row and column."""

    def __init__(self, table: Table, required: tuple[str, ...], optional: tuple[str, ...]):
        self.table = table
        self.problems: list[Problem] = []
        header = [c.strip().lower() for c in table.rows[0]]
        self.columns = {name: header.index(name) for name in (*required, *optional)
                        if name in header}  # fmt: skip
        for name in required:
            if name not in self.columns:
                self.problems.append(Problem(table.label, table.lines[0], name,
                                             f"no {name!r} column"))  # fmt: skip

    def where(self, name: str) -> str:
        if name not in self.columns or not self.table.spreadsheet:
            return name
        return f"{name} (column {column_letter(self.columns[name])})"

    def each(self):
        for cells, line in zip(self.table.rows[1:], self.table.lines[1:], strict=True):
            if not any(c.strip() for c in cells):
                continue
            yield line, (lambda name, cells=cells: self._cell(cells, name))

    def _cell(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def report(self, line: int, name: str, message: str) -> None:
        self.problems.append(Problem(self.table.label, line, self.where(name), message))


def _period(rows: _Rows, pack: Pack, line: int, name: str, text: str) -> Period | None:
    if not text:
        return pack.as_at
    try:
        return pack.calendar.parse(text)
    except PeriodError as exc:
        rows.report(line, name, str(exc))
        return None


def _number(rows: _Rows, line: int, name: str, text: str, low: int, high: int) -> float | None:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        rows.report(line, name, f"{text!r} is not a number" if text else "is empty")
        return None
    if not low <= value <= high:
        rows.report(line, name, f"must be from {low} to {high}, not {value:g}")
        return None
    return value


#: What an action without any update stands at, as the export shows it.
_NO_UPDATE: dict[str, Any] = {"status": ActionStatus.NOT_STARTED.value, "progress": 0}


def _said(entry: dict, given: frozenset[str]) -> dict:
    """What ``entry`` says about the fields the sheet gives (an override without its author;
    a missing progress as the pack reads it: 100 when complete, else 0)."""
    out = {k: v for k, v in entry.items() if k in given}
    if "progress" in given and out.get("progress") is None:
        out["progress"] = default_progress(str(entry.get("status")))
    if "override" in out:
        out["override"] = {k: v for k, v in out["override"].items() if k != "by"}
    return out


class _Entries:
    """One item's updates (or reviews), to set the period's entry from a row of the sheet."""

    def __init__(self, entries: list, pack: Pack):
        self.entries = entries
        self.pack = pack
        self.rows: dict[str, int] = {}  # period label -> the sheet row that gave it

    def _dated(self) -> list[tuple[Period, dict]]:
        parse = self.pack.calendar.parse
        return sorted(((parse(str(e.get("period"))), e) for e in self.entries),
                      key=lambda pe: pe[0].sort_key)  # fmt: skip

    def set(self, period: Period, entry: dict, given: frozenset[str], line: int) -> str | bool:
        """Make ``entry`` the period's; False when it changes nothing, or a problem's words.

        A row that says what the latest entry up to its period says (as an exported sheet
        does, whose period is the latest entry's) changes nothing. A changed row adds the
        period's entry, or replaces its fields given by the sheet and keeps the others (a
        review's note, where the sheet has no note column). A changed entry of a period before
        the pack's as-at period is refused: left unedited, the period cell of an exported
        sheet names the latest entry, and a new month's figures would overwrite it."""
        if period.label in self.rows:
            return f"the {period.label} entry is also given in row {self.rows[period.label]}"
        self.rows[period.label] = line
        dated = self._dated()
        earlier = [e for p, e in dated if p.sort_key <= period.sort_key]
        latest = earlier[-1] if earlier else _NO_UPDATE
        if _said(latest, given) == _said(entry, given):
            return False
        old = next((e for p, e in dated if p == period), None)
        if old is not None and period.end < self.pack.as_at.end:
            return (
                f"would change the {period.label} entry, before the pack's as-at period "
                f"{self.pack.as_at.label}: for the {self.pack.as_at.label} entry, clear the "
                "period cell or write that period"
            )
        if old is not None:
            kept = {k: v for k, v in old.items() if k not in given}
            before = old.get("override") or {}
            after = entry.get("override")
            if after and (before.get("rag"), before.get("reason")) == (
                after["rag"],
                after["reason"],
            ):
                after.update({k: v for k, v in before.items() if k == "by"})
            entry = {**kept, **entry}
        others = [e for p, e in dated if p != period]
        parse = self.pack.calendar.parse
        self.entries[:] = sorted([*others, entry], key=lambda e: parse(e["period"]).sort_key)
        return True


def _action_entry(rows: _Rows, pack: Pack, line: int, get: Callable[[str], str]):
    period = _period(rows, pack, line, "update_period", get("update_period"))
    status = get("status").lower().replace(" ", "_")
    if status not in {s.value for s in ActionStatus}:
        words = ", ".join(s.value for s in ActionStatus)
        rows.report(line, "status", f"{get('status')!r} is not one of: {words}")
    progress = _number(rows, line, "progress", get("progress"), 0, 100)
    entry: dict[str, Any] = {"period": period.label if period else "", "status": status,
                             "progress": progress}  # fmt: skip
    if progress is not None and progress.is_integer():
        entry["progress"] = int(progress)
    given = {"status", "progress"}
    if "update" in rows.columns:
        given.add("text")
        if get("update"):
            entry["text"] = get("update")
    if "overridden" in rows.columns:
        given.add("override")
        if get("overridden").lower() in TRUE_WORDS:
            rag, reason = get("rag").lower(), get("override_reason")
            if rag not in OVERRIDE_RAGS:
                words = ", ".join(OVERRIDE_RAGS)
                rows.report(line, "rag", f"an overridden RAG must be one of: {words}")
            if not reason:
                rows.report(line, "override_reason", "give the reason for overriding the RAG")
            entry["override"] = {"rag": rag, "reason": reason}
    return period, entry, frozenset(given)


def _risk_entry(rows: _Rows, pack: Pack, line: int, get: Callable[[str], str]):
    period = _period(rows, pack, line, "review_period", get("review_period"))
    top = {"current_likelihood": len(pack.plan.matrix.likelihood),
           "current_impact": len(pack.plan.matrix.impact)}  # fmt: skip
    scores = {name: _number(rows, line, name, get(name), 1, top[name]) for name in top}
    entry: dict[str, Any] = {"period": period.label if period else ""}
    for name, value in scores.items():
        if value is not None and not value.is_integer():
            rows.report(line, name, f"must be a whole number, not {value:g}")
        entry[name.removeprefix("current_")] = int(value) if value is not None else None
    given = {"likelihood", "impact"}
    if "review_note" in rows.columns:
        given.add("note")
        if get("review_note"):
            entry["note"] = get("review_note")
    following = _review_date(rows, pack, line, get, period) if period else None
    if following is not None:
        given.add("next_review")
        entry["next_review"] = following.isoformat()
    return period, entry, frozenset(given)


def _review_date(
    rows: _Rows, pack: Pack, line: int, get: Callable[[str], str], period: Period
) -> date | None:
    """The next review date the row's review sets, or None when the cell is blank or says the
    date that stands already for the period (as an exported sheet does: the latest review's,
    else the register's), so an unedited sheet changes nothing. A changed date obeys the web
    form's rule: not before the end of the month reviewed."""
    text = get("review_date")
    risk = next((r for r in pack.plan.risks if r.id == get("risk")), None)
    if not text or risk is None:
        return None
    try:
        day = date.fromisoformat(text.removesuffix(" 00:00:00"))
    except ValueError:
        rows.report(line, "review_date", f"{text!r} is not a date: write it as 2014-01-31")
        return None
    if day == next_review(risk, period):
        return None
    if problem := next_review_problem(day, period):
        rows.report(line, "review_date", problem)
        return None
    return day


_KINDS = {
    "actions": (ACTIONS, "updates", ACTION_COLUMNS, ACTION_OPTIONAL, _action_entry),
    "risks": (RISKS, "reviews", RISK_COLUMNS, RISK_OPTIONAL, _risk_entry),
}


def plan_plan_updates(pack_dir: str | Path, file: str | Path, sheet: str | None) -> PlanChanges:
    """Check a sheet of action updates or risk reviews against the pack and work out the plan
    file it makes; raises :class:`PackError` with every problem, or when it is not such a sheet."""
    root = Path(pack_dir)
    pack = load_pack(root)
    table = load_table(file, sheet)
    kind = sheet_kind(table)
    if kind is None:
        message = (
            "not a sheet of action updates or risk reviews: "
            "its first column must be 'action' or 'risk'"
        )
        raise PackError([Problem(table.label, 1, "", message)])
    rel, key, required, optional, read_entry = _KINDS[kind]
    path = root / rel
    if not path.is_file():
        raise PackError([Problem(rel, 0, "", f"the pack has no {rel} to update")])
    original = path.read_bytes()
    body = plain(load(original.decode("utf-8")))
    items = {str(item.get("id")): item for item in body.get(kind) or []}
    rows = _Rows(table, required, optional)
    if rows.problems:
        raise PackError(rows.problems)
    changes = PlanChanges(root, rel, table.label, original, original)
    entries: dict[str, _Entries] = {}
    period_column = optional[0 if kind == "risks" else 1]  # review_period or update_period
    for line, get in rows.each():
        ident = get(required[0])
        item = items.get(ident)
        if item is None:
            rows.report(line, required[0], f"the pack's {rel} has no {required[0]} {ident!r}")
            continue
        period, entry, given = read_entry(rows, pack, line, get)
        if period is None:
            continue
        if ident not in entries:
            entries[ident] = _Entries(item.setdefault(key, []), pack)
        outcome = entries[ident].set(period, entry, given, line)
        if isinstance(outcome, str):
            rows.report(line, period_column, outcome)
        elif outcome:
            changes.changed.append(f"{ident} {period.label}: {key[:-1]} from row {line}")
        else:
            changes.unchanged += 1
    if rows.problems:
        raise PackError(rows.problems)
    changes.new = dump(body).encode("utf-8")
    return changes


def apply_plan_updates(changes: PlanChanges) -> None:
    """Write the new plan file if the pack still loads with it; all or nothing."""
    if not changes.has_changes:
        return
    path = changes.pack_path / changes.rel
    if path.read_bytes() != changes.original:
        raise PackError([Problem(changes.rel, 0, "", "changed since the import was planned; "
                                 "run the import again")])  # fmt: skip
    contents = {changes.rel: changes.new}
    _validate_copy(changes.pack_path, contents)
    _replace_all(changes.pack_path, contents, {changes.rel: changes.original})
