"""Figures in long format: ``indicator,period,series,value[,note]`` rows as read from a file.

They are checked against the register, as a whole, by :func:`.assembly.assemble`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import NamedTuple

from ..core.bounds import figure_problem
from ..core.indicators import BUILTIN_SERIES, Indicator, IndicatorKind
from .problems import Problems

LONG_COLUMNS = ("indicator", "period", "series", "value")
OPTIONAL_COLUMNS = ("note",)


class Row(NamedTuple):
    """One figure row as read (a tuple: a long file makes a million of them)."""

    indicator: str
    period: str
    series: str
    value: float | None
    note: str
    file: str
    line: int


def format_number(value: float) -> str:
    """A figure as it is written to a file: whole numbers without ``.0``, others exactly."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


#: A plain decimal number as people write one (``74.2``, ``-3``, ``1.5e-3``): read straight away;
#: anything else goes through the checks below, which name what is wrong.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float | None:
    """A plain number, or None for an empty cell; raises ValueError with the reason.

    An accounting-style negative in brackets, "(2068)", is -2068: finance spreadsheets saved as
    CSV write their negatives that way. Only the digits 0-9 are read: Python's ``float`` would
    also take ``1_000`` and Arabic-Indic or full-width digits, which no one types in a figure
    on purpose, so those are refused rather than guessed at."""
    text = text.strip()
    if _PLAIN_NUMBER.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
    if not text:
        return None
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        if not inner or inner[0] in "(-+":
            raise ValueError(f"{text!r} is not a number: a bracketed negative is like (2068)")
        bracketed = parse_number(inner)
        assert bracketed is not None  # ``inner`` is not empty
        return 0.0 - bracketed  # 0.0 - 0.0 is 0.0, never -0.0
    if text.endswith("%"):
        raise ValueError(f"{text!r} is not a number: write percentages without %, e.g. {text[:-1]}")
    if "," in text:
        raise ValueError(f"{text!r} is not a number: leave out thousands separators")
    if "_" in text:
        raise ValueError(f"{text!r} is not a number: leave out the underscores")
    if not text.isascii():
        raise ValueError(f"{text!r} is not a number: write it with the digits 0-9")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def read_csv_records(
    file: str,
    text: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: Problems,
) -> list[tuple[int, dict[str, str], float | None]]:
    """(line, cells by column, value) for each row of a CSV with a ``value`` column.

    Header problems stop the file; a row's problems skip that row. Required text cells must not
    be empty.
    """
    reader = csv.reader(io.StringIO(text))
    columns = _header(file, reader, required, optional, problems)
    if columns is None:
        return []
    return [
        (line, dict(zip(columns, cells, strict=True)), value)
        for line, cells, value in _records(file, _numbered(reader), columns, required, problems)
    ]


def _header(
    file: str, reader, required: tuple[str, ...], optional: tuple[str, ...], problems: Problems
) -> list[str] | None:
    """The file's columns, lower case; None (and the problem reported) when they will not do."""
    expected = ",".join(required) + "".join(f"[,{c}]" for c in optional)
    header = next(reader, None)
    if header is None:
        problems.report(file, 1, "", f"empty file: expected a header {expected}")
        return None
    columns = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in required + optional]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        problems.report(file, 1, "header", "; ".join(parts) + f" (expected {expected})")
        return None
    return columns


def _at(columns: list[str], name: str) -> int:
    """Where a column is; a column named twice counts as its last (as a dict of the row
    would have it)."""
    return len(columns) - 1 - columns[::-1].index(name)


def _records(
    file: str,
    numbered: Iterable[tuple[int, list[str]]],
    columns: list[str],
    required: tuple[str, ...],
    problems: Problems,
) -> list[tuple[int, list[str], float | None]]:
    """(line, stripped cells, value) of each good row of ``numbered`` ((line, cells) pairs): the
    row-by-row reading, which names every problem with its line."""
    width = len(columns)
    at_value = _at(columns, "value")
    needed = [(_at(columns, c), c) for c in required if c != "value"]
    plain, isfinite, strip = _PLAIN_NUMBER.fullmatch, math.isfinite, str.strip
    out: list[tuple[int, list[str], float | None]] = []
    for line, cells in numbered:
        cells = list(map(strip, cells))
        if not any(cells):
            continue
        if len(cells) != width:
            if len(cells) > width:
                problems.report(file, line, "", f"{len(cells)} cells for {width} columns")
                continue
            cells += [""] * (width - len(cells))
        text = cells[at_value]
        value: float | None
        if plain(text) and isfinite(number := float(text)):
            value = number
        else:
            try:
                value = parse_number(text)
            except ValueError as exc:
                problems.report(file, line, "value", str(exc))
                continue
        empty = [c for i, c in needed if not cells[i]]
        if empty:
            for column in empty:
                problems.report(file, line, column, "is empty")
        else:
            out.append((line, cells, value))
    return out


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    """Each record of ``reader`` with its line (the last line of a record that spans lines)."""
    for cells in reader:
        yield reader.line_num, cells


def read_long_csv(file: str, text: str, problems: Problems) -> list[Row]:
    """Rows of one long-format data file.

    A file of plain rows (one line each, a cell per column, a plain number or nothing as the
    value, no required cell empty) is read a column at a time in a few C calls
    (:func:`_by_column`, :func:`_plain_rows`); any other file row by row
    (:func:`_rows_one_by_one`), so that each problem is named with its line. Both give the same
    rows."""
    reader = csv.reader(io.StringIO(text))
    columns = _header(file, reader, LONG_COLUMNS, OPTIONAL_COLUMNS, problems)
    if columns is None:
        return []
    start = reader.line_num  # the header's last line
    cells = _by_column(text, reader, len(columns))
    if cells is not None:
        rows = _plain_rows(file, cells, columns, start + 1)
        if rows is not None:
            return rows
    return _rows_one_by_one(file, text, columns, problems)


def _by_column(text: str, reader, width: int) -> list[Sequence[str]] | None:
    """The cells after the header, a list per column, when every record is one line of
    ``width`` cells (blank lines at the end left out); None when not.

    A file without quotes or carriage returns is split at its line ends and commas, as the csv
    module would split it; any other is read by ``reader`` (just past the header)."""
    start = reader.line_num
    if start == 1 and not _QUOTED.search(text):
        lines = text.split("\n")[1:]
        while lines and not lines[-1]:
            lines.pop()
        if list(map(str.count, lines, repeat(","))).count(width - 1) != len(lines):
            return None
        if lines and max(map(len, lines)) > csv.field_size_limit():
            return None  # for the csv module to refuse, as it always has
        flat = ",".join(lines).split(",") if lines else []
        return [flat[k::width] for k in range(width)]
    try:
        records = list(reader)
    except csv.Error:
        return None  # the row-by-row reading raises it as it always has
    if reader.line_num != start + len(records):
        return None  # a quoted cell spans lines
    while records and not records[-1]:
        records.pop()
    if any(map(width.__ne__, map(len, records))):
        return None
    return list(zip(*records, strict=True)) or [()] * width


#: What makes the csv module read a line otherwise than by splitting it at its commas.
_QUOTED = re.compile('["\r]')


def _rows_one_by_one(file: str, text: str, columns: list[str], problems: Problems) -> list[Row]:
    """The rows of a long-format file (whose header gave ``columns``), read one at a time."""
    reader = csv.reader(io.StringIO(text))
    next(reader)  # the header, already checked
    i, p, s = (_at(columns, c) for c in LONG_COLUMNS[:3])
    note = _at(columns, "note") if "note" in columns else None
    return [
        Row(
            cells[i], cells[p], cells[s], value, cells[note] if note is not None else "", file, line
        )
        for line, cells, value in _records(file, _numbered(reader), columns, LONG_COLUMNS, problems)
    ]


#: The characters of plain numbers; a column of them that ``float`` reads is plain throughout
#: (``float`` also takes ``1_000``, ``nan``, ``inf`` and other digits, which have others).
_NOT_PLAIN = re.compile(r"[^0-9.eE+-]")


def _plain_rows(
    file: str, cells: list[Sequence[str]], columns: list[str], first: int
) -> list[Row] | None:
    """The rows whose cells are ``cells`` (a list per column, from line ``first`` on) when every
    one is plain, made a column at a time; None when any is not, for the row-by-row reading to
    name the problem."""
    cells = [list(map(str.strip, column)) for column in cells]
    ids, periods, series = (cells[_at(columns, c)] for c in LONG_COLUMNS[:3])
    if "" in ids or "" in periods or "" in series:
        return None
    texts = cells[_at(columns, "value")]
    if _NOT_PLAIN.search("".join(texts)):
        return None
    try:
        if "" in texts:
            values: list[float | None] = [float(t) if t else None for t in texts]
        else:
            values = list(map(float, texts))
    except ValueError:  # "1.2.3", "e5": for the row-by-row reading to explain
        return None
    if any(map(math.isinf, filter(None, values))):  # 1e999
        return None
    notes = cells[_at(columns, "note")] if "note" in columns else repeat("")
    lines = range(first, first + len(ids))
    rows = zip(ids, periods, series, values, notes, repeat(file), lines)
    return list(map(tuple.__new__, repeat(Row), rows))  # Row._make, without its Python call


def series_problem(indicator: Indicator, series: str) -> str | None:
    """Why ``series`` cannot hold figures of ``indicator``, or None when it can."""
    declared = BUILTIN_SERIES + tuple(s.name for s in indicator.series)
    if series not in declared:
        return f"{series!r} is not a series of {indicator.id} (use {', '.join(declared)})"
    if series in ("target", "floor") and not indicator.rated:
        what = "lead indicator" if indicator.kind is IndicatorKind.LEAD else "not-rated indicator"
        return f"{indicator.id} is a {what}: it has no {series}"
    if series == "actual" and indicator.derive is not None:
        return f"{indicator.id}'s actual is derived; give its source series"
    return None


def value_problem(indicator: Indicator, series: str, value: float | None) -> str | None:
    """Why ``value`` may not be stored in ``series`` of ``indicator``, or None when it may: the
    bound of the series' unit (see core.bounds), so one wild figure cannot break every report."""
    return None if value is None else figure_problem(value, indicator.unit_of(series))
