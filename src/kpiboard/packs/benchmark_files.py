"""Writing fetched benchmarks into a pack: two files kpiboard owns, all or nothing.

Fetched comparator figures go to ``data/fingertips.csv`` and peer figures to
``peers/fingertips.csv``; every fetch rewrites both whole, so a figure Fingertips revised is
revised here too. Nothing is written silently: :func:`plan_benchmarks` compares the new files
with the old ones and lists every figure added, changed (old and new value) or removed, which the
command prints (and with ``--dry-run`` only prints). A figure the pack already holds in a file
people edit (``data/comparators.csv``, say) is never overwritten: it is refused with its file
and line, so the user decides which one stays. Before anything is written the pack is loaded as
it would be afterwards, and the files are moved into place together (see :mod:`.importer`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..core.periods import FinancialCalendar, Period
from .benchmarks import BENCHMARKS_FILE, BenchmarkMapping
from .datafiles import format_number
from .fingertips import PeriodRows, Selected, read_fingertips_csv, select
from .importer import _replace_all, _validate_copy
from .loader import PackSource
from .problems import PackError, Problem, Problems

DATA_FILE = "data/fingertips.csv"
PEER_FILE = "peers/fingertips.csv"
HEADERS = {DATA_FILE: ("indicator", "period", "series", "value"),
           PEER_FILE: ("indicator", "period", "organisation", "value")}  # fmt: skip
#: How many changed figures the summary lists one by one before it counts the rest.
LISTED = 30


@dataclass(frozen=True)
class FigureChange:
    file: str
    key: tuple[str, str, str]  # indicator, period label, series or organisation
    old: float | None  # None: added
    new: float | None  # None: removed

    def describe(self) -> str:
        what = " ".join(self.key)
        if self.old is None:
            return f"{self.file}: {what}: added {format_number(self.new or 0.0)}"
        if self.new is None:
            return f"{self.file}: {what}: removed (was {format_number(self.old)})"
        return f"{self.file}: {what}: {format_number(self.old)} -> {format_number(self.new)}"


@dataclass
class BenchmarkPlan:
    root: Path
    contents: dict[str, bytes]  # the files to write
    changes: list[FigureChange] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        counts = {
            "added": sum(c.old is None for c in self.changes),
            "changed": sum(c.old is not None and c.new is not None for c in self.changes),
            "removed": sum(c.new is None for c in self.changes),
        }
        lines = [c.describe() for c in self.changes[:LISTED]]
        if len(self.changes) > LISTED:
            lines.append(f"... and {len(self.changes) - LISTED} more")
        lines += [f"not in the download: {note}" for note in self.notes]
        summary = ", ".join(f"{n} {word}" for word, n in counts.items())
        lines.append(f"Benchmarks: {summary}, {self.unchanged} unchanged.")
        return "\n".join(lines)


def _keyed(rows: PeriodRows) -> dict[tuple[str, str, str], float]:
    ordered = sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1].sort_key, kv[0][2]))
    return {(ind, period.label, name): value for (ind, period, name), value in ordered}


def _render(file: str, rows: dict[tuple[str, str, str], float]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS[file])
    writer.writerows([*key, format_number(value)] for key, value in rows.items())
    return out.getvalue().encode("utf-8")


def _old_rows(
    file: str, source: PackSource, calendar: FinancialCalendar
) -> tuple[dict[tuple[str, str, str], float], dict[tuple[str, Period, str], tuple[str, int]]]:
    """(figures now in our own file, where every other file holds each key)."""
    ours: dict[tuple[str, str, str], float] = {}
    elsewhere: dict[tuple[str, Period, str], tuple[str, int]] = {}
    rows = source.rows if file == DATA_FILE else source.peer_rows
    for row in rows:
        name = row.series if file == DATA_FILE else row.organisation  # type: ignore[union-attr]
        try:
            period = calendar.parse(row.period)
        except ValueError:
            continue  # the pack check has said so already
        if row.file == file:
            if row.value is not None:
                ours[(row.indicator, period.label, name)] = row.value
        else:
            elsewhere[(row.indicator, period, name)] = (row.file, row.line)
    return ours, elsewhere


def plan_benchmarks(
    root: Path, source: PackSource, calendar: FinancialCalendar, selected: Selected
) -> BenchmarkPlan:
    """What writing ``selected`` would change; raises :class:`PackError` (nothing to write)
    when a fetched figure is already in a file kpiboard does not own."""
    plan = BenchmarkPlan(root, {}, notes=list(selected.notes))
    conflicts = []
    for file, rows in ((DATA_FILE, selected.comparators), (PEER_FILE, selected.peers)):
        ours, elsewhere = _old_rows(file, source, calendar)
        for (ind, period, name), value in rows.items():
            if (ind, period, name) in elsewhere:
                at, line = elsewhere[(ind, period, name)]
                what = f"{ind} {period.label} {name}"
                conflicts.append(Problem(at, line, "", f"{what} is here already and Fingertips "
                                 f"has it too ({format_number(value)}): delete this row to take "
                                 f"Fingertips' figure into {file}, or leave it out of "
                                 "benchmarks.yaml"))  # fmt: skip
        new = _keyed(rows)
        before = len(plan.changes)
        for key in sorted(set(ours) | set(new)):
            old_value, new_value = ours.get(key), new.get(key)
            if old_value == new_value:
                plan.unchanged += 1
            else:
                plan.changes.append(FigureChange(file, key, old_value, new_value))
        if len(plan.changes) > before or not (root / file).exists():
            plan.contents[file] = _render(file, new)
    if conflicts:
        raise PackError(sorted(conflicts, key=lambda p: (p.file, p.line)))
    if not plan.changes:
        plan.contents = {}
    return plan


def apply_benchmarks(plan: BenchmarkPlan) -> list[str]:
    """Write the plan's files, all or nothing, after loading the pack as it would be; returns
    the files written. Raises :class:`PackError` and writes nothing if that pack would not load."""
    if not plan.contents:
        return []
    _validate_copy(plan.root, plan.contents)
    for rel in plan.contents:
        (plan.root / rel).parent.mkdir(exist_ok=True)
    originals = {rel: (plan.root / rel).read_bytes() for rel in plan.contents
                 if (plan.root / rel).exists()}  # fmt: skip
    _replace_all(plan.root, plan.contents, originals)
    return sorted(plan.contents)


def plan_from_downloads(root: Path, downloads: list[tuple[str, str]]) -> BenchmarkPlan:
    """Read the pack and its ``benchmarks.yaml``, then Fingertips ``downloads`` (name, CSV text),
    and plan the fetched figures into it; every problem at once as a :class:`PackError`."""
    from .loader import read_pack

    source, pack = read_pack(root)
    mapping = _required(pack.benchmarks)
    problems = Problems()
    rows = [row for name, text in downloads for row in read_fingertips_csv(name, text, problems)]
    if not problems:  # a file that cannot be read would only add echoes of its missing rows
        selected = select(rows, mapping, pack.organisation_code, pack.calendar, problems)
    if problems:
        raise PackError(problems.sorted())
    return plan_benchmarks(root, source, pack.calendar, selected)


def mapped_pack(root: Path) -> BenchmarkMapping:
    """The pack's mapping, read with the whole pack checked (for the URLs to fetch)."""
    from .loader import load_pack

    return _required(load_pack(root).benchmarks)


def _required(mapping: BenchmarkMapping | None) -> BenchmarkMapping:
    if mapping is None:
        message = "not found: the pack maps no indicators to Fingertips (docs/pack-format.md)"
        raise PackError([Problem(BENCHMARKS_FILE, 0, "", message)])
    return mapping
