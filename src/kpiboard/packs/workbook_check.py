"""Check a spreadsheet file is safe to read before the spreadsheet reader sees it.

The reader (calamine) trusts the file: a workbook whose only cell is at ``XFD1048576`` makes it
allocate every cell from ``A1`` (half a terabyte) and abort the process, and a small zip can hold
a gigabyte of text. So an ``.xlsx`` or ``.ods`` file is first opened here as the zip it is, and
refused with a clear message when it is larger than these limits; the checks only ever hold one
chunk of the file in memory:

- the file itself is at most :data:`MAX_FILE_BYTES` and starts like a zip (``PK``);
- it has at most :data:`MAX_MEMBERS` parts, stored or deflated, not encrypted;
- its parts, really inflated (the sizes the zip declares are not trusted), come to at most
  :data:`MAX_UNCOMPRESSED_BYTES`, and no part larger than :data:`RATIO_FROM_BYTES` inflates more
  than :data:`MAX_RATIO` times;
- no XML part declares a document type (so no entity expansion);
- the sheet to be read reaches no further than :data:`MAX_ROWS` rows, :data:`MAX_COLUMNS` columns
  and :data:`MAX_CELLS` cells counted from ``A1`` (the reader fills every cell up to the last),
  judged by the sheet's declared ``<dimension>`` and by every cell it holds.

The same pass notes each formula cell that has no saved result: the reader would give it as an
empty cell, silently dropping the figure, so the import reports it instead.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from .problems import PackError, Problem

MAX_FILE_BYTES = 20 * 1024 * 1024  # any import file, CSV or spreadsheet, as stored
MAX_MEMBERS = 1_000  # parts of a spreadsheet's zip
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # all parts together, inflated
MAX_RATIO = 100  # inflated size / stored size of one part ...
RATIO_FROM_BYTES = 1024 * 1024  # ... once the part inflates to more than this
MAX_ROWS = 100_000  # rows of the sheet read, from row 1 to its last cell
MAX_COLUMNS = 1_000  # columns of the sheet read, from column A to its last cell
MAX_CELLS = 2_000_000  # rows x columns of the sheet read
MAX_UNSAVED_NOTED = 1_000  # formulas without a result noted per sheet (one refuses the import)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .msg, .doc) container
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22sHH")  # signature, fixed fields, name and extra lengths
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def _refuse(label: str, message: str) -> PackError:
    return PackError([Problem(label, 0, "", message)])


def column_number(letters: str) -> int:
    """The 1-based number of a column's letters: A -> 1, Z -> 26, AA -> 27, XFD -> 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _letters(column: int) -> str:
    """The letters of a 1-based column number: 1 -> A, 27 -> AA (up to a sane width)."""
    if column > 26**4:
        return f"column {column:,}, row "
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@dataclass
class SheetExtent:
    """How far one sheet reaches from A1, and its formula cells without a saved result."""

    rows: int = 0
    columns: int = 0
    last_cell: str = ""  # the reference that set the extent, for the message
    unsaved_formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, column), 1-based

    def reach(self, row: int, column: int, ref: str = "") -> None:
        if row > self.rows or column > self.columns:
            self.last_cell = ref or f"{_letters(column)}{row}"
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)

    def unsaved(self, row: int, column: int) -> None:
        if len(self.unsaved_formulas) < MAX_UNSAVED_NOTED:
            self.unsaved_formulas.append((row, column))

    def problem(self) -> str:
        """Why the sheet is too large to read, or ``""``."""
        if (
            self.rows <= MAX_ROWS
            and self.columns <= MAX_COLUMNS
            and self.rows * self.columns <= MAX_CELLS
        ):
            return ""
        return (
            f"the sheet reaches cell {self.last_cell} ({_count(self.rows, 'row')} and "
            f"{_count(self.columns, 'column')} from A1); "
            f"kpiboard reads sheets of at most {MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns and "
            f"{MAX_CELLS:,} cells: delete the unused rows and columns or copy the figures into "
            "a new workbook"
        )


@dataclass
class WorkbookFacts:
    """What the check learnt: each sheet's extent, by sheet name in workbook order."""

    sheets: dict[str, SheetExtent]
    unnamed: list[SheetExtent] = field(default_factory=list)  # sheets not matched to a name

    def sheet(self, label: str, name: str | None) -> SheetExtent | None:
        """The extent of the sheet an import reads (the first when ``name`` is None).

        Raises :class:`PackError` when that sheet is too large. Returns None when the workbook
        lists no such sheet: the reader then reports it.
        """
        first = next(iter(self.sheets.values()), None)
        extent = first if name is None else self.sheets.get(name)
        for checked in (extent, *self.unnamed):  # a sheet that cannot be told apart is checked
            if checked is not None and (message := checked.problem()):
                raise _refuse(label, message)
        return extent


def _member_bytes(handle: BinaryIO, info, label: str) -> Iterator[bytes]:
    """The bytes of one zip part as really stored, inflated a chunk at a time.

    Reads the compressed data itself rather than trusting the sizes the zip declares, which a
    hostile file can set to anything.
    """
    if info.flag_bits & 0x1:
        raise _refuse(label, f"part {info.filename} is encrypted: save the workbook unprotected")
    if info.compress_type not in (0, 8):  # stored, deflated: what spreadsheet programs write
        raise _refuse(label, f"part {info.filename} is compressed in a way kpiboard does not read")
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != ZIP_MAGIC:
        raise _refuse(label, "not a readable spreadsheet: the zip is damaged")
    _, _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    handle.seek(name_length + extra_length, 1)
    left = info.compress_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == 8 else None
    while left > 0:
        data = handle.read(min(_CHUNK, left))
        if not data:
            break
        left -= len(data)
        if inflater is None:
            yield data
            continue
        try:
            while data:
                yield inflater.decompress(data, _CHUNK)
                data = inflater.unconsumed_tail
        except zlib.error:
            raise _refuse(label, "not a readable spreadsheet: the zip is damaged") from None


def _number(digits: str, letters: bool = False) -> int:
    """A row number or column's letters, capped so a hostile reference cannot be costly."""
    if len(digits) > 12:
        return 10**12
    return column_number(digits) if letters else int(digits)


def _local(attrs: dict[str, str]) -> dict[str, str]:
    return {name.rpartition(":")[2]: value for name, value in attrs.items()}


class _XlsxSheet:
    """Follows an xlsx worksheet: its declared dimension and where each cell is."""

    def __init__(self) -> None:
        self.extent = SheetExtent()
        self.row = self.column = 0
        self.formula = self.saw_value = self.in_value = self.string = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "dimension":
            last = attrs.get("ref", "").rpartition(":")[2]
            if m := _CELL_REF.fullmatch(last):
                self.extent.reach(_number(m[2]), _number(m[1], letters=True), last.upper())
        elif name == "row":
            given = attrs.get("r", "")
            self.row = _number(given) if given.isdigit() else self.row + 1
            self.column = 0
        elif name == "c":
            ref = attrs.get("r", "")
            if m := _CELL_REF.fullmatch(ref):
                self.row, self.column = _number(m[2]), _number(m[1], letters=True)
            else:
                self.column += 1
            self.extent.reach(self.row, self.column, ref.upper())
            self.formula = self.saw_value = False
            self.string = attrs.get("t") == "str"
        elif name == "f":
            self.formula = True
        elif name == "v":
            self.in_value = True
            self.saw_value = self.saw_value or self.string  # an empty text result is a result
        elif name == "is":
            self.saw_value = True

    def end(self, name: str) -> None:
        if name == "v":
            self.in_value = False
        elif name == "c" and self.formula and not self.saw_value:
            self.extent.unsaved(self.row, self.column)

    def text(self, data: str) -> None:
        if self.in_value and data.strip():
            self.saw_value = True


class _OdsContent:
    """Follows an OpenDocument spreadsheet's tables, counting repeated rows and cells."""

    def __init__(self) -> None:
        self.sheets: dict[str, SheetExtent] = {}
        self.extent = SheetExtent()
        self.row = self.rows_here = self.column = self.columns_here = 0
        self.in_cell = self.has_value = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        attrs = _local(attrs)
        if name == "table":
            self.extent = self.sheets.setdefault(attrs.get("name", ""), SheetExtent())
            self.row = 0
        elif name == "table-row":
            repeated = attrs.get("number-rows-repeated", "1")
            self.rows_here = _number(repeated) if repeated.isdigit() else 1
            self.row += self.rows_here
            self.column = 0
        elif name in ("table-cell", "covered-table-cell"):
            repeated = attrs.get("number-columns-repeated", "1")
            self.columns_here = _number(repeated) if repeated.isdigit() else 1
            self.column += self.columns_here
            self.in_cell, self.has_value = True, "value-type" in attrs
            if "formula" in attrs and not self.has_value:
                first_row = self.row - self.rows_here + 1
                first_column = self.column - self.columns_here + 1
                self.extent.unsaved(first_row, first_column)

    def end(self, name: str) -> None:
        if name in ("table-cell", "covered-table-cell"):
            if self.has_value:  # the reader fills every repeat of a cell with a value
                self.extent.reach(self.row, self.column)
            self.in_cell = False

    def text(self, data: str) -> None:
        if self.in_cell and data.strip():
            self.has_value = True


class _Relations:
    """The sheets a workbook lists (name, relation id) and where its relations point."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []
        self.targets: dict[str, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "sheet":
            local = _local(attrs)
            self.sheets.append((local.get("name", ""), local.get("id", "")))
        elif name == "Relationship":
            self.targets[attrs.get("Id", "")] = attrs.get("Target", "")

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class _Ignored(_Relations):
    """Any other part (styles, shared strings, themes): parsed only to be checked."""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass


_ROOTS: dict[str, type[_XlsxSheet | _OdsContent | _Relations]] = {
    "worksheet": _XlsxSheet,
    "document-content": _OdsContent,
}
_ROOTS.update(workbook=_Relations, Relationships=_Relations)


class _Part:
    """Parses one XML part as it is inflated, handing its elements to the reader its root
    element calls for; refuses document types, the door to entity expansion."""

    def __init__(self, label: str, member: str):
        self.label, self.member = label, member
        self.reader: _XlsxSheet | _OdsContent | _Relations | _Ignored | None = None  # by the root
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.buffer_text = True

    def _doctype(self, *_args: object) -> None:
        raise _refuse(self.label, f"part {self.member} declares a document type: not a workbook")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        name = name.rpartition(":")[2]
        if self.reader is None:
            make = _ROOTS.get(name)
            self.reader = make() if make else _Ignored()
        self.reader.start(name, attrs)

    def _end(self, name: str) -> None:
        if self.reader is not None:
            self.reader.end(name.rpartition(":")[2])

    def _text(self, data: str) -> None:
        if self.reader is not None:
            self.reader.text(data)

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except (expat.ExpatError, LookupError) as exc:  # LookupError: an unknown encoding
            raise _refuse(
                self.label, f"not a readable spreadsheet: part {self.member} is not XML ({exc})"
            ) from None


def _read_parts(handle: BinaryIO, infos: list, label: str) -> dict[str, object]:
    """Inflate every part within the limits, parsing the XML ones; the reader of each."""
    total = 0
    readers: dict[str, object] = {}
    for info in infos:
        xml = info.filename.endswith((".xml", ".rels"))
        part = _Part(label, info.filename) if xml else None
        allowed = max(RATIO_FROM_BYTES, MAX_RATIO * info.compress_size)
        produced = 0
        for chunk in _member_bytes(handle, info, label):
            produced += len(chunk)
            total += len(chunk)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise _refuse(
                    label,
                    f"the workbook unpacks to more than {MAX_UNCOMPRESSED_BYTES // 2**20} MB; "
                    "kpiboard reads smaller workbooks: copy the figures into a new one",
                )
            if produced > allowed:
                raise _refuse(
                    label,
                    f"part {info.filename} unpacks to more than {MAX_RATIO} times its packed "
                    "size: kpiboard does not read such a workbook",
                )
            if part is not None:
                part.feed(chunk)
        if part is not None:
            part.feed(b"", final=True)
            readers[info.filename] = part.reader
    return readers


def _xlsx_sheets(readers: dict[str, object]) -> WorkbookFacts:
    """Each listed sheet's extent by name; any worksheet not matched to a name is kept too."""
    book = readers.get("xl/workbook.xml")
    relations = readers.get("xl/_rels/workbook.xml.rels")
    scans = {name: r.extent for name, r in readers.items() if isinstance(r, _XlsxSheet)}
    sheets: dict[str, SheetExtent] = {}
    if isinstance(book, _Relations) and isinstance(relations, _Relations):
        for name, relation in book.sheets:
            target = relations.targets.get(relation, "")
            member = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if member in scans:
                sheets[name] = scans.pop(member)
    return WorkbookFacts(sheets, list(scans.values()))


def check_workbook(path: Path, label: str) -> WorkbookFacts:
    """Check an ``.xlsx`` or ``.ods`` file against the limits above before it is read.

    Raises :class:`PackError` naming ``label`` when the file is not a zip, is damaged, or is
    larger than the limits; otherwise returns each sheet's extent and unsaved formulas.
    """
    ods = path.suffix.lower() == ".ods"
    try:
        with path.open("rb") as handle:
            start = handle.read(len(ZIP_MAGIC))
            if start != ZIP_MAGIC:
                kind = "an OpenDocument spreadsheet" if ods else "an .xlsx workbook"
                old = " (it looks like an old .xls workbook)" if start == OLE_MAGIC else ""
                raise _refuse(
                    label,
                    f"not a readable spreadsheet: it is not {kind}{old}; save it from the "
                    f"spreadsheet program as {'.ods' if ods else '.xlsx'} or as CSV UTF-8",
                )
            try:
                infos = zipfile.ZipFile(handle).infolist()
            except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
                # NotImplementedError: a zip version or feature Python's reader does not have
                raise _refuse(label, "not a readable spreadsheet: the zip is damaged") from None
            if len(infos) > MAX_MEMBERS:
                raise _refuse(
                    label, f"the workbook has more than {MAX_MEMBERS:,} parts: not a workbook"
                )
            readers = _read_parts(handle, infos, label)
    except OSError as exc:
        raise _refuse(label, f"cannot be read: {exc.strerror or exc}") from None
    if ods:
        content = readers.get("content.xml")
        return WorkbookFacts(content.sheets if isinstance(content, _OdsContent) else {})
    return _xlsx_sheets(readers)
