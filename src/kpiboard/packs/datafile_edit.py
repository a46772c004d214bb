"""Rewrite single records of a pack's data CSV files, keeping every other byte as it was.

An import updates figures where they stand and appends new ones, so a reviewer's diff of the pack
shows only the figures that changed: line endings, a byte-order mark, quoting and the rows an
import does not touch are kept byte for byte.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .datafiles import LONG_COLUMNS, format_number
from .import_rows import ImportRow
from .tables import CountingLines

DATA_DIR = "data"


def data_files(root: Path) -> dict[str, bytes]:
    """The bytes of every data file, as the loader finds them."""
    folder = root / DATA_DIR
    if not folder.is_dir():
        return {}
    return {
        f"{DATA_DIR}/{p.name}": p.read_bytes()
        for p in sorted(folder.glob("*"))
        if p.suffix == ".csv" and p.is_file() and not p.name.startswith(".")
    }


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
        counter = CountingLines(text)
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


def edited(file: DataFile, updates: dict[int, ImportRow], appends: list[ImportRow]) -> bytes:
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
            next_line, replacement = replaced[i]
            out.append(replacement)
            i = next_line
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
