"""Work out what importing a file changes, figure by figure, before anything is written.

:class:`FigureChange` and :class:`ChangeCounts` are shared with the web's import
(:mod:`kpiboard.web.db_import`), so a figure is new, changed or unchanged by the same rule
whether it is imported into a pack's ``data/`` folder or into the database. An empty cell means
"no figure given": an import never deletes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self

from ..core.periods import Period
from .assembly import assemble
from .datafile_edit import DATA_DIR, DataFile, data_files, edited
from .datafiles import Row, format_number, parse_number, read_long_csv
from .import_rows import ImportRow, check_import_file
from .loader import load_pack
from .model import Pack
from .problems import PackError, Problem, Problems

IMPORTED_FILE = "imported.csv"


class StoredFigure(Protocol):
    """A figure as it stands before the import: a row of a data file, or of the database."""

    @property
    def value(self) -> float | None: ...
    @property
    def note(self) -> str: ...


@dataclass(frozen=True)
class FigureChange:
    """What an import does to one figure; each importer adds where the figure is written."""

    indicator: str
    period: str  # canonical label
    series: str
    status: str  # new | changed | unchanged
    old: float | None
    new: float | None
    old_note: str
    new_note: str
    line: int  # the row in the import file

    @classmethod
    def of(cls, row: ImportRow, stored: StoredFigure | None, **where: object) -> Self:
        """The change ``row`` makes to ``stored`` (None: no figure yet); ``where`` fills the
        fields a subclass adds. A cell left empty keeps the stored value or note."""
        old, old_note = (stored.value, stored.note) if stored is not None else (None, "")
        new = row.value if row.value is not None else old
        new_note = row.note or old_note
        if stored is None or (old is None and new is not None):
            status = "new"
        elif new != old or new_note != old_note:
            status = "changed"
        else:
            status = "unchanged"
        return cls(
            row.indicator, row.period.label, row.series, status, old, new, old_note, new_note,
            row.line, **where,
        )  # fmt: skip

    def describe(self) -> str:
        what = f"{self.indicator} {self.period} {self.series}:"
        parts = []
        if self.old != self.new or self.status == "new":
            if self.old is None:
                parts.append(f"new {_number(self.new)}" if self.new is not None else "new row")
            else:
                parts.append(f"{_number(self.old)} -> {_number(self.new)}")
        if self.old_note != self.new_note:
            parts.append(
                f"note {self.new_note!r}"
                if not self.old_note
                else f"note {self.old_note!r} -> {self.new_note!r}"
            )
        return f"{what} {', '.join(parts) or 'unchanged'}"


def _number(value: float | None) -> str:
    return "(none)" if value is None else format_number(value)


class ChangeCounts:
    """An import plan's changes counted by status, as both importers report them."""

    changes: tuple[FigureChange, ...]

    def _count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)

    @property
    def new(self) -> int:
        return self._count("new")

    @property
    def changed(self) -> int:
        return self._count("changed")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def has_changes(self) -> bool:
        return any(c.status != "unchanged" for c in self.changes)


def after_importing(message: str, source: str) -> str:
    """A problem the figures would have once ``source`` is imported, saying so."""
    return f"{message} (after importing {source})"


def problems_after(error: PackError, source: str) -> PackError:
    """``error``'s problems, each said to be what importing ``source`` would cause."""
    return PackError(
        [
            Problem(p.file, p.line, p.field, after_importing(p.message, source))
            for p in error.problems
        ]
    )


# --- into a pack's data files --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Change(FigureChange):
    """What an import does to one figure of the pack, and the data file it is written to."""

    file: str  # the data file it is (or will be) written to
    file_line: int | None  # the line of the existing row; None: appended


@dataclass
class ImportPlan(ChangeCounts):
    """What importing ``source`` into the pack at ``pack_path`` would change."""

    pack_path: Path
    source: str
    layout: str  # long | wide
    changes: tuple[Change, ...]
    rows: tuple[ImportRow, ...] = field(repr=False, default=())
    snapshot: dict[str, bytes] = field(repr=False, default_factory=dict)

    @property
    def files(self) -> list[str]:
        """The data files the import writes."""
        return sorted({c.file for c in self.changes if c.status != "unchanged"})

    def describe(self) -> str:
        lines = [
            f"{self.source} ({self.layout} layout): {self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged"
        ]
        if not self.has_changes:
            lines.append("no changes")
        lines += [c.describe() for c in self.changes if c.status != "unchanged"]
        return "\n".join(lines)


@dataclass(frozen=True)
class _DataFigure:
    """A figure already in one of the pack's data files."""

    file: str
    line: int
    value: float | None
    note: str


def _existing(pack: Pack, files: dict[str, DataFile]) -> dict[tuple[str, Period, str], _DataFigure]:
    """Where each figure already is."""
    out = {}
    for rel, data_file in files.items():
        for record, get in data_file.rows():
            try:
                period = pack.calendar.parse(get.get("period", ""))
                value = parse_number(get.get("value", ""))
            except ValueError:  # the pack loaded, so this does not happen
                continue
            key = (get.get("indicator", ""), period, get.get("series", ""))
            out[key] = _DataFigure(rel, record.start + 1, value, get.get("note", ""))
    return out


def _changes(
    pack: Pack, files: dict[str, DataFile], rows: tuple[ImportRow, ...]
) -> tuple[Change, ...]:
    existing = _existing(pack, files)
    changes = []
    for row in rows:
        if not row.gives_figure:
            continue
        stored = existing.get((row.indicator, row.period, row.series))
        where: dict[str, object]
        if stored is None:
            where = {"file": f"{DATA_DIR}/{IMPORTED_FILE}", "file_line": None}
        else:
            where = {"file": stored.file, "file_line": stored.line}
        changes.append(Change.of(row, stored, **where))
    return tuple(changes)


def new_contents(plan: ImportPlan) -> dict[str, bytes]:
    """The new bytes of every data file the plan changes."""
    files = {rel: DataFile.parse(rel, raw) for rel, raw in plan.snapshot.items()}
    by_key = {(r.indicator, r.period.label, r.series): r for r in plan.rows}
    updates: dict[str, dict[int, ImportRow]] = {}
    appends: dict[str, list[ImportRow]] = {}
    for change in plan.changes:
        if change.status == "unchanged":
            continue
        row = by_key[change.indicator, change.period, change.series]
        if change.file_line is None:
            appends.setdefault(change.file, []).append(row)
        else:
            updates.setdefault(change.file, {})[change.file_line] = row
    out = {}
    for rel in sorted(set(updates) | set(appends)):
        data_file = files.get(rel) or DataFile(rel, b"")
        out[rel] = edited(data_file, updates.get(rel, {}), appends.get(rel, []))
    return out


def _merged_rows(plan: ImportPlan, contents: dict[str, bytes]) -> list[Row]:
    problems = Problems()
    rows: list[Row] = []
    merged = {**plan.snapshot, **contents}
    for rel in sorted(merged):
        rows.extend(read_long_csv(rel, merged[rel].decode("utf-8-sig"), problems))
    if problems:
        raise PackError(problems.sorted())
    return rows


def plan_import(pack_path: str | Path, file: str | Path, sheet: str | None = None) -> ImportPlan:
    """Read ``file``, check every row against the pack and work out what importing it changes.

    Raises :class:`PackError` listing every problem (in the file, or in the pack itself).
    """
    root = Path(pack_path)
    pack = load_pack(root)
    snapshot = data_files(root)
    checked = check_import_file(pack, file, sheet)
    files = {rel: DataFile.parse(rel, raw) for rel, raw in snapshot.items()}
    changes = _changes(pack, files, checked.rows)
    plan = ImportPlan(root, checked.source, checked.layout, changes, checked.rows, snapshot)
    if plan.has_changes:
        # The figures after the import must still make a valid pack (e.g. derived series).
        problems = Problems()
        try:
            rows_after = _merged_rows(plan, new_contents(plan))
        except PackError as exc:
            raise problems_after(exc, plan.source) from None
        assemble(rows_after, pack.indicators, pack.calendar, problems)
        if problems:
            raise problems_after(PackError(problems.sorted()), plan.source)
    return plan
