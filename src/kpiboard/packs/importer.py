"""Import figures from a CSV or spreadsheet file into a pack's ``data/`` folder, all or nothing.

An import is two steps. :func:`plan_import` reads the file, checks every row against the pack and
reports every problem at once (as a :class:`PackError`); when the file is clean it works out the
change set against the figures already in ``data/``. :func:`apply_import` then writes it: figures
already in a data file are updated where they stand, new figures are appended to
``data/imported.csv``. Every changed file is written beside its target and moved into place, and
the resulting pack is loaded from a temporary copy first, so an import never leaves a pack that
does not load. An empty cell means "no figure given": an import never deletes a figure.

Two layouts are read (see ``docs/pack-format.md``):

- **long**: ``indicator, period, series, value[, note]``, one figure per row;
- **wide**: ``indicator, series`` and then one column per period, headed with a period label.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core.indicators import Indicator
from ..core.periods import Period, PeriodError
from .datafiles import (
    LONG_COLUMNS,
    OPTIONAL_COLUMNS,
    Row,
    assemble,
    parse_number,
    read_long_csv,
    series_problem,
)
from .loader import load_pack
from .model import Pack
from .problems import PackError, Problem, Problems

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
IMPORTED_FILE = "imported.csv"
DATA_DIR = "data"
WIDE_START = ("indicator", "series")

# --- reading a table -----------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def format_number(value: float) -> str:
    """A figure as it is written to a file: whole numbers without ``.0``, others exactly."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def cell_text(value: object, *, period: bool = False) -> str:
    """A spreadsheet cell as text, without losing or inventing precision.

    Whole floats print without ``.0`` (``73.0`` -> ``73``), others exactly as stored (``24.9``).
    Dates print as ISO dates; in a period column a first-of-month date is a month (``2013-09``),
    because spreadsheets turn a typed ``Sep-13`` into the date 1 September 2013.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value) if math.isfinite(value) else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            return value.isoformat(sep=" ")
        value = value.date()
    if isinstance(value, dt.date):
        if period and value.day == 1:
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    return str(value)


@dataclass
class Table:
    """The cells of one sheet or CSV file as text, with the row (line) number of each row."""

    label: str  # the name problems are reported against
    rows: list[list[str]]
    lines: list[int]
    spreadsheet: bool  # cells are named by column letter


def _file_problem(label: str, message: str) -> PackError:
    return PackError([Problem(label, 0, "", message)])


def _find_header(rows: list[list[object]]) -> int | None:
    for i, cells in enumerate(rows):
        if any(cell_text(c).strip() for c in cells):
            return i
    return None


def _is_long_header(names: list[str]) -> bool:
    return all(c in names for c in LONG_COLUMNS)


def _read_csv(path: Path, label: str) -> Table:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_problem(
            label,
            f"not UTF-8 text ({exc.reason} at byte {exc.start}): "
            "save it from the spreadsheet as 'CSV UTF-8'",
        ) from None
    except OSError as exc:
        raise _file_problem(label, f"cannot be read: {exc.strerror}") from None
    lines = _CountingLines(text)
    reader = csv.reader(lines)
    rows, numbers = [], []
    try:
        for cells in reader:
            rows.append(cells)
            numbers.append(lines.record_start)
            lines.record_start = lines.consumed + 1
    except csv.Error as exc:
        raise _file_problem(label, f"line {reader.line_num}: cannot read CSV: {exc}") from None
    return Table(label, rows, numbers, spreadsheet=False)


def _read_sheet(path: Path, label: str, sheet: str | None) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except OSError as exc:
        raise _file_problem(label, f"cannot be read: {exc.strerror or exc}") from None
    except CalamineError as exc:
        raise _file_problem(label, f"not a readable spreadsheet: {exc}") from None
    try:
        names = book.sheet_names
        if sheet is None:
            if not names:
                raise _file_problem(label, "the workbook has no sheets")
            chosen = book.get_sheet_by_index(0)
        elif sheet in names:
            chosen = book.get_sheet_by_name(sheet)
        else:
            raise _file_problem(
                label, f"no sheet {sheet!r} (the sheets are {', '.join(map(repr, names))})"
            )
        raw = chosen.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise _file_problem(label, f"cannot read the sheet: {exc}") from None
    finally:
        book.close()
    if sheet is not None or len(names) > 1:
        label = f"{label}[{chosen.name}]"
    header_at = _find_header(raw)
    period_columns: set[int] = set()
    if header_at is not None:
        names_in_header = [cell_text(c).strip().lower() for c in raw[header_at]]
        if _is_long_header(names_in_header):
            period_columns = {names_in_header.index("period")}
    rows = []
    for i, cells in enumerate(raw):
        if i == header_at:
            rows.append([cell_text(c, period=True) for c in cells])
        else:
            rows.append([cell_text(c, period=j in period_columns) for j, c in enumerate(cells)])
    return Table(label, rows, list(range(1, len(rows) + 1)), spreadsheet=True)


class _CountingLines:
    """Feeds ``csv.reader`` line by line and counts, so each record knows its first line."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))
        self.consumed = 0
        self.record_start = 1

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.consumed += 1
        return line


def load_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV (UTF-8) or spreadsheet file; raises :class:`PackError` when it cannot be read."""
    path = Path(path)
    label = path.name
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _file_problem(label, "no such file")
    if suffix == ".csv":
        if sheet is not None:
            raise _file_problem(label, "a CSV file has no sheets")
        return _read_csv(path, label)
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_sheet(path, label, sheet)
    raise _file_problem(
        label, f"cannot import {suffix or 'files without a suffix'}: use .csv, .xlsx or .ods"
    )


def read_table(path: str | Path, sheet: str | None = None) -> tuple[list[list[str]], str]:
    """The cells of a CSV file or of a spreadsheet's first (or named) sheet, as text.

    Returns the rows and the label problems are reported against (the file name, with the sheet
    name when the workbook has more than one). For a spreadsheet ``rows[i]`` is row ``i + 1``;
    for a CSV file it is record ``i + 1`` (the line, unless a quoted cell spans lines).
    """
    table = load_table(path, sheet)
    return table.rows, table.label


# --- checking the rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One figure read from the import file, checked against the pack."""

    indicator: str
    period: Period
    series: str
    value: float | None  # None: no figure given
    note: str
    line: int  # row number in the import file


class _Checker:
    """Checks cells against the pack, naming cells the way the user sees them."""

    def __init__(self, pack: Pack, table: Table, problems: Problems, by_letter: bool):
        self.pack, self.table, self.problems = pack, table, problems
        self.by_letter = by_letter or table.spreadsheet

    def where(self, column: int, name: str) -> str:
        return f"column {column_letter(column)}" if self.by_letter else name

    def report(self, line: int, column: int, name: str, message: str) -> None:
        self.problems.report(self.table.label, line, self.where(column, name), message)

    def line_word(self, line: int) -> str:
        return f"row {line}" if self.table.spreadsheet else f"line {line}"

    def indicator(self, text: str, line: int, column: int) -> Indicator | None:
        if not text:
            self.report(line, column, "indicator", "is empty")
            return None
        found = self.pack.indicators.get(text)
        if found is None:
            same = [i for i in self.pack.indicators if i.lower() == text.lower()]
            hint = f" (did you mean {same[0]}?)" if same else ""
            self.report(line, column, "indicator", f"unknown indicator {text!r}{hint}")
        return found

    def series(self, indicator: Indicator | None, text: str, line: int, column: int) -> bool:
        if not text:
            self.report(line, column, "series", "is empty")
            return False
        if indicator is None:
            return False
        message = series_problem(indicator, text)
        if message:
            self.report(line, column, "series", message)
        return message is None

    def period(self, text: str, line: int, column: int) -> Period | None:
        if not text:
            self.report(line, column, "period", "is empty")
            return None
        try:
            return self.pack.calendar.parse(text)
        except PeriodError as exc:
            self.report(line, column, "period", str(exc))
            return None

    def number(self, text: str, line: int, column: int, name: str) -> tuple[bool, float | None]:
        try:
            return True, parse_number(text)
        except ValueError as exc:
            self.report(line, column, name, str(exc))
            return False, None


def _beyond(check: _Checker, cells: list[str], width: int, line: int) -> None:
    for j in range(width, len(cells)):
        if cells[j].strip():
            check.report(line, j, f"column {j + 1}", "a cell beyond the last headed column")
            return


def _read_long(check: _Checker, header: list[str], start: int) -> list[ImportRow]:
    table = check.table
    where = {name: j for j, name in enumerate(header) if name}
    rows: list[ImportRow] = []
    seen: dict[tuple[str, Period, str], int] = {}
    for cells, line in zip(table.rows[start + 1 :], table.lines[start + 1 :], strict=True):
        if not any(c.strip() for c in cells):
            continue
        _beyond(check, cells, len(header), line)

        def get(name: str, cells: list[str] = cells) -> str:
            j = where.get(name)
            return cells[j].strip() if j is not None and j < len(cells) else ""

        indicator = check.indicator(get("indicator"), line, where["indicator"])
        period = check.period(get("period"), line, where["period"])
        series_ok = check.series(indicator, get("series"), line, where["series"])
        value_ok, value = check.number(get("value"), line, where["value"], "value")
        if not (indicator and period and series_ok and value_ok):
            continue
        key = (indicator.id, period, get("series"))
        if key in seen:
            check.report(
                line, where["indicator"], "",
                f"duplicate row: {indicator.id} {period.label} {key[2]} is already at "
                f"{check.line_word(seen[key])}",
            )  # fmt: skip
            continue
        seen[key] = line
        rows.append(ImportRow(indicator.id, period, key[2], value, get("note"), line))
    return rows


def _read_wide(check: _Checker, header: list[str], start: int) -> list[ImportRow]:
    table = check.table
    line = table.lines[start]
    periods: dict[int, Period] = {}
    bad_columns: set[int] = set()
    first_column: dict[Period, int] = {}
    for j in range(2, len(header)):
        text = table.rows[start][j].strip()
        if not text:
            continue
        try:
            period = check.pack.calendar.parse(text)
        except PeriodError as exc:
            check.problems.report(table.label, line, f"column {column_letter(j)}", str(exc))
            bad_columns.add(j)
            continue
        if period in first_column:
            other = column_letter(first_column[period])
            check.problems.report(
                table.label, line, f"column {column_letter(j)}",
                f"{text!r} is the same period ({period.label}) as column {other}",
            )  # fmt: skip
            bad_columns.add(j)
            continue
        first_column[period] = j
        periods[j] = period
    if not periods and not bad_columns:
        check.problems.report(
            table.label, line, "header",
            "no period columns: after indicator and series, head one column per period",
        )  # fmt: skip

    rows: list[ImportRow] = []
    seen: dict[tuple[str, str], int] = {}
    for cells, line in zip(table.rows[start + 1 :], table.lines[start + 1 :], strict=True):
        if not any(c.strip() for c in cells):
            continue
        ind_text = cells[0].strip() if cells else ""
        series = cells[1].strip() if len(cells) > 1 else ""
        indicator = check.indicator(ind_text, line, 0)
        series_ok = check.series(indicator, series, line, 1)
        figures: list[ImportRow] = []
        for j in range(2, len(cells)):
            text = cells[j].strip()
            if not text or j in bad_columns:
                continue
            if j not in periods:
                check.problems.report(
                    table.label, line, f"column {column_letter(j)}",
                    "a figure in a column with no period heading",
                )  # fmt: skip
                continue
            ok, value = check.number(text, line, j, f"column {column_letter(j)}")
            if ok and value is not None and indicator and series_ok:
                figures.append(ImportRow(indicator.id, periods[j], series, value, "", line))
        if not (indicator and series_ok):
            continue
        if (indicator.id, series) in seen:
            check.problems.report(
                table.label, line, "column A",
                f"duplicate row: {indicator.id} {series} is already at "
                f"{check.line_word(seen[indicator.id, series])}",
            )  # fmt: skip
            continue
        seen[indicator.id, series] = line
        rows.extend(figures)
    return rows


def read_import(pack: Pack, table: Table, problems: Problems) -> tuple[str, list[ImportRow]]:
    """The layout (``long`` or ``wide``) and the checked figures of ``table``."""
    start = next((i for i, cells in enumerate(table.rows) if any(c.strip() for c in cells)), None)
    if start is None:
        problems.report(table.label, 0, "", "empty: expected a header row")
        return "", []
    line = table.lines[start]
    header = [c.strip().lower() for c in table.rows[start]]
    while header and not header[-1]:
        header.pop()
    if header[:2] == list(WIDE_START) and not _is_long_header(header):
        return "wide", _read_wide(_Checker(pack, table, problems, True), header, start)
    if _is_long_header(header):
        allowed = LONG_COLUMNS + OPTIONAL_COLUMNS
        unknown = [name for name in header if name and name not in allowed]
        doubled = sorted({name for name in header if name and header.count(name) > 1})
        if unknown or doubled:
            parts = [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
            parts += [f"column(s) {', '.join(doubled)} given twice"] if doubled else []
            problems.report(
                table.label, line, "header",
                "; ".join(parts) + " (expected indicator,period,series,value[,note])",
            )  # fmt: skip
            return "long", []
        return "long", _read_long(_Checker(pack, table, problems, False), header, start)
    problems.report(
        table.label, line, "header",
        "expected the long layout indicator,period,series,value[,note] or the wide layout "
        "indicator,series then one column per period",
    )  # fmt: skip
    return "", []


# --- the pack's data files -----------------------------------------------------------------------


@dataclass
class _Record:
    start: int  # index of its first line in DataFile.lines
    end: int  # index after its last line
    cells: list[str]


@dataclass
class DataFile:
    """A data CSV file as lines and records, so single records can be rewritten in place."""

    rel: str  # data/NAME.csv
    raw: bytes
    lines: list[str] = field(default_factory=list)  # with their line endings
    records: list[_Record] = field(default_factory=list)
    bom: bool = False
    newline: str = "\n"
    _by_line: dict[int, _Record] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, rel: str, raw: bytes) -> DataFile:
        text = raw.decode("utf-8-sig")
        lines = list(io.StringIO(text, newline=""))
        newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
        counter = _CountingLines(text)
        records = []
        for cells in csv.reader(counter):
            records.append(_Record(counter.record_start - 1, counter.consumed, cells))
            counter.record_start = counter.consumed + 1
        return cls(rel, raw, lines, records, raw.startswith(codecs.BOM_UTF8), newline)

    @property
    def header(self) -> list[str]:
        return [h.strip().lower() for h in self.records[0].cells] if self.records else []

    def record_at(self, line: int) -> _Record:
        """The record whose first line is ``line`` (1-based)."""
        if len(self._by_line) != len(self.records):
            self._by_line = {r.start + 1: r for r in self.records}
        return self._by_line[line]

    def rows(self) -> Iterator[tuple[_Record, dict[str, str]]]:
        header = self.header
        for record in self.records[1:]:
            if not any(c.strip() for c in record.cells):
                continue
            cells = record.cells + [""] * (len(header) - len(record.cells))
            yield record, {name: cells[j].strip() for j, name in enumerate(header)}


def _render(cells: list[str], newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow(cells)
    return out.getvalue()


def _edited(file: DataFile, updates: dict[int, ImportRow], appends: list[ImportRow]) -> bytes:
    """The file's bytes with the records starting at ``updates``' lines rewritten and ``appends``
    added at the end; every other line is kept byte for byte."""
    header_cells = list(file.records[0].cells) if file.records else list(LONG_COLUMNS)
    header = [h.strip().lower() for h in header_cells]
    wants_note = any(r.note for r in (*updates.values(), *appends))
    if wants_note and "note" not in header:
        header_cells.append("note")
        header.append("note")
    where = {name: j for j, name in enumerate(header)}
    replaced: dict[int, tuple[int, str]] = {}  # first line index -> (end, text)

    def fill(cells: list[str], row: ImportRow) -> list[str]:
        cells = cells + [""] * (len(header) - len(cells))
        cells[where["indicator"]] = row.indicator
        cells[where["period"]] = cells[where["period"]] or row.period.label
        cells[where["series"]] = row.series
        if row.value is not None:
            cells[where["value"]] = format_number(row.value)
        if row.note:
            cells[where["note"]] = row.note
        return cells

    def ending(record: _Record) -> str:
        last = file.lines[record.end - 1] if record.end > record.start else ""
        return last[len(last.rstrip("\r\n")) :]

    if file.records and header_cells != file.records[0].cells:
        first = file.records[0]
        replaced[first.start] = (first.end, _render(header_cells, ending(first) or file.newline))
    for line, row in updates.items():
        record = file.record_at(line)
        text = _render(fill(list(record.cells), row), file.newline)
        end = ending(record)
        replaced[record.start] = (record.end, text[: -len(file.newline)] + end)
    out: list[str] = []
    i = 0
    while i < len(file.lines):
        if i in replaced:
            end, text = replaced[i]
            out.append(text)
            i = end
        else:
            out.append(file.lines[i])
            i += 1
    if not file.records:
        out.append(_render(header_cells, file.newline))
    if appends:
        if out and not out[-1].endswith(("\n", "\r")):
            out.append(file.newline)
        out.extend(_render(fill([""] * len(header), row), file.newline) for row in appends)
    text = "".join(out)
    return (codecs.BOM_UTF8 if file.bom else b"") + text.encode("utf-8")


def _data_files(root: Path) -> dict[str, bytes]:
    """The bytes of every data file, as the loader finds them."""
    folder = root / DATA_DIR
    if not folder.is_dir():
        return {}
    return {
        f"{DATA_DIR}/{p.name}": p.read_bytes()
        for p in sorted(folder.glob("*"))
        if p.suffix == ".csv" and p.is_file()
    }


# --- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What an import does to one figure."""

    indicator: str
    period: str  # canonical label
    series: str
    status: str  # new | changed | unchanged
    old: float | None
    new: float | None
    old_note: str
    new_note: str
    file: str  # the data file it is (or will be) written to
    file_line: int | None  # the line of the existing row; None: appended
    source_line: int  # the row in the import file

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


@dataclass
class ImportPlan:
    """What importing ``source`` into the pack at ``pack_path`` would change."""

    pack_path: Path
    source: str
    layout: str  # long | wide
    changes: tuple[Change, ...]
    rows: tuple[ImportRow, ...] = field(repr=False, default=())
    snapshot: dict[str, bytes] = field(repr=False, default_factory=dict)

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


def _existing(
    pack: Pack, files: dict[str, DataFile]
) -> dict[tuple[str, Period, str], tuple[str, int, float | None, str]]:
    """Where each figure already is: ``key -> (file, line, value, note)``."""
    out = {}
    for rel, data_file in files.items():
        for record, get in data_file.rows():
            try:
                period = pack.calendar.parse(get.get("period", ""))
                value = parse_number(get.get("value", ""))
            except ValueError:  # the pack loaded, so this does not happen
                continue
            key = (get.get("indicator", ""), period, get.get("series", ""))
            out[key] = (rel, record.start + 1, value, get.get("note", ""))
    return out


def _changes(pack: Pack, files: dict[str, DataFile], rows: list[ImportRow]) -> tuple[Change, ...]:
    existing = _existing(pack, files)
    changes = []
    for row in rows:
        key = (row.indicator, row.period, row.series)
        if row.value is None and not row.note:
            continue  # no figure given
        if key not in existing:
            status, old, old_note = "new", None, ""
            rel, line = f"{DATA_DIR}/{IMPORTED_FILE}", None
        else:
            rel, line, old, old_note = existing[key]
            status = "unchanged"
            if old is None and row.value is not None:
                status = "new"
            elif (row.value is not None and row.value != old) or (
                row.note and row.note != old_note
            ):
                status = "changed"
        changes.append(
            Change(
                row.indicator, row.period.label, row.series, status, old,
                row.value if row.value is not None else old, old_note, row.note or old_note,
                rel, line, row.line,
            )
        )  # fmt: skip
    return tuple(changes)


def _new_contents(plan: ImportPlan) -> dict[str, bytes]:
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
        out[rel] = _edited(data_file, updates.get(rel, {}), appends.get(rel, []))
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
    snapshot = _data_files(root)
    table = load_table(file, sheet)
    problems = Problems()
    layout, rows = read_import(pack, table, problems)
    if problems:
        raise PackError(problems.sorted())
    files = {rel: DataFile.parse(rel, raw) for rel, raw in snapshot.items()}
    plan = ImportPlan(root, table.label, layout, _changes(pack, files, rows), tuple(rows), snapshot)
    if plan.has_changes:
        # The figures after the import must still make a valid pack (e.g. derived series).
        problems = Problems()
        try:
            rows_after = _merged_rows(plan, _new_contents(plan))
        except PackError as exc:
            raise _after(exc, plan.source) from None
        assemble(rows_after, pack.indicators, pack.calendar, problems)
        if problems:
            raise _after(PackError(problems.sorted()), plan.source)
    return plan


def _after(error: PackError, source: str) -> PackError:
    """A problem the pack would have once ``source`` is imported, saying so."""
    return PackError(
        [
            Problem(p.file, p.line, p.field, f"{p.message} (after importing {source})")
            for p in error.problems
        ]
    )


# --- applying it ---------------------------------------------------------------------------------


def _validate_copy(root: Path, contents: dict[str, bytes]) -> None:
    """Load the pack as it would be after writing ``contents``, from a temporary copy."""
    with tempfile.TemporaryDirectory(prefix="kpiboard-import-") as tmp:
        copy = Path(tmp) / "pack"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git", ".hg", ".svn"))
        for rel, data in contents.items():
            target = copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        load_pack(copy)


def _write_temp(target: Path, data: bytes) -> Path:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    with open(tmp, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if target.exists():
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
    return tmp


def _replace_all(root: Path, contents: dict[str, bytes], originals: dict[str, bytes]) -> None:
    """Move every new file into place; if one move fails, put back those already moved."""
    temps: dict[str, Path] = {}
    done: list[str] = []
    try:
        for rel, data in contents.items():
            temps[rel] = _write_temp(root / rel, data)
        try:
            for rel, tmp in temps.items():
                os.replace(tmp, root / rel)
                done.append(rel)
        except OSError:
            for rel in reversed(done):
                target = root / rel
                if rel in originals:
                    os.replace(_write_temp(target, originals[rel]), target)
                else:
                    target.unlink(missing_ok=True)
            raise
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def apply_import(plan: ImportPlan) -> list[str]:
    """Write the plan's changes, all or nothing; returns the data files written.

    Raises :class:`PackError` when the data files changed since the plan was made, or when the
    pack would not load afterwards; nothing is written then.
    """
    root = plan.pack_path
    if not plan.has_changes:
        return []
    current = _data_files(root)
    if current != plan.snapshot:
        stale = sorted(
            rel for rel in set(current) | set(plan.snapshot)
            if current.get(rel) != plan.snapshot.get(rel)
        )  # fmt: skip
        raise PackError(
            [
                Problem(rel, 0, "", "changed since the import was planned; run the import again")
                for rel in stale
            ]
        )
    contents = _new_contents(plan)
    try:
        _validate_copy(root, contents)
    except PackError as exc:
        raise _after(exc, plan.source) from None
    data_dir = root / DATA_DIR
    made_dir = not data_dir.exists()
    data_dir.mkdir(exist_ok=True)
    try:
        _replace_all(root, contents, plan.snapshot)
    except BaseException:
        if made_dir and not any(data_dir.iterdir()):
            data_dir.rmdir()
        raise
    return sorted(contents)
