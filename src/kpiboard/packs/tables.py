"""Read a CSV or spreadsheet file into cells of text, as an import sees them.

A spreadsheet's cells are turned into text without losing or inventing precision, so checking the
rows afterwards works the same for CSV and spreadsheet files. Every problem reading the file is
raised as a :class:`PackError` against the file's name.

Only ``.csv``, ``.xlsx`` and ``.ods`` files are read, none larger than
:data:`~.workbook_check.MAX_FILE_BYTES`, and a spreadsheet only once
:func:`~.workbook_check.check_workbook` has found it small enough to read safely.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .datafiles import LONG_COLUMNS, format_number
from .problems import PackError, Problem
from .workbook_check import MAX_FILE_BYTES, check_workbook

SPREADSHEET_SUFFIXES = (".xlsx", ".ods")
ACCEPTED = ".csv, .xlsx or .ods"


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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


def is_long_header(names: list[str]) -> bool:
    """Whether a header row (lower-case names) has every column of the long layout."""
    return all(c in names for c in LONG_COLUMNS)


@dataclass
class Table:
    """The cells of one sheet or CSV file as text, with the row (line) number of each row."""

    label: str  # the name problems are reported against
    rows: list[list[str]]
    lines: list[int]
    spreadsheet: bool  # cells are named by column letter
    unsaved_formulas: tuple[tuple[int, int], ...] = ()  # (row, 0-based column) with no result


class CountingLines:
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


def _file_problem(label: str, message: str) -> PackError:
    return PackError([Problem(label, 0, "", message)])


def _find_header(rows: list[list[object]]) -> int | None:
    for i, cells in enumerate(rows):
        if any(cell_text(c).strip() for c in cells):
            return i
    return None


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
    lines = CountingLines(text)
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
    extent = check_workbook(path, label).sheet(label, sheet)
    try:
        raw, label = _calamine_cells(path, label, sheet)
    except BaseException as exc:  # the reader's own panics are not Exceptions
        if type(exc).__name__ != "PanicException":
            raise
        raise _file_problem(label, "not a readable spreadsheet: the reader failed on it") from None
    header_at = _find_header(raw)
    period_columns: set[int] = set()
    if header_at is not None:
        names_in_header = [cell_text(c).strip().lower() for c in raw[header_at]]
        if is_long_header(names_in_header):
            period_columns = {names_in_header.index("period")}
    rows = []
    for i, cells in enumerate(raw):
        if i == header_at:
            rows.append([cell_text(c, period=True) for c in cells])
        else:
            rows.append([cell_text(c, period=j in period_columns) for j, c in enumerate(cells)])
    unsaved = tuple((r, c - 1) for r, c in extent.unsaved_formulas) if extent else ()
    return Table(label, rows, list(range(1, len(rows) + 1)), True, unsaved)


def _calamine_cells(path: Path, label: str, sheet: str | None) -> tuple[list[list], str]:
    """The cells of the chosen sheet from A1, and the label naming it."""
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
    return raw, label


def load_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV (UTF-8) or spreadsheet file; raises :class:`PackError` when it cannot be read."""
    path = Path(path)
    label = path.name
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _file_problem(label, "no such file")
    if suffix not in (".csv", *SPREADSHEET_SUFFIXES):
        kind = suffix or "files without a suffix"
        raise _file_problem(label, f"cannot import {kind}: use {ACCEPTED}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _file_problem(label, f"cannot be read: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise _file_problem(
            label,
            f"is {size / 2**20:.1f} MB; kpiboard imports files of at most "
            f"{MAX_FILE_BYTES // 2**20} MB: split it into smaller files",
        )
    if suffix == ".csv":
        if sheet is not None:
            raise _file_problem(label, "a CSV file has no sheets")
        return _read_csv(path, label)
    return _read_sheet(path, label, sheet)


def read_table(path: str | Path, sheet: str | None = None) -> tuple[list[list[str]], str]:
    """The cells of a CSV file or of a spreadsheet's first (or named) sheet, as text.

    Returns the rows and the label problems are reported against (the file name, with the sheet
    name when the workbook has more than one). For a spreadsheet ``rows[i]`` is row ``i + 1``;
    for a CSV file it is record ``i + 1`` (the line, unless a quoted cell spans lines).
    """
    table = load_table(path, sheet)
    return table.rows, table.label
