"""A part's PDF file as typst writes it, read from its bytes for :mod:`kpiboard.report.join`.

typst writes every object on its own (no object streams) and finds them with a classic
cross-reference table, so the join can slice each object out of the file by its offset and
renumber the text of all a part's objects together (:func:`renumber`), copying stream data as it
is. Asking qpdf (pikepdf) for each of the parts' objects (some 110 an indicator page) and
renumbering each by itself was most of the join's time: the join of a 500-indicator report
(72,700 objects) took 4.5 s of processor time so, and takes 1.8 s now. The join still opens
each part with pikepdf for the few objects it must understand (catalog, pages and their
annotations, the structure tree root and its trees), and gives every object to pikepdf
instead when the file is not as this module expects (:func:`read_part` answers None, or
:meth:`PartFile.sliced` or :func:`renumber` does): object streams, a cross-reference stream,
updates, a string nested deeper than this reader follows. Like the join, it imports nothing of
kpiboard's (it is loaded by its path when the join runs as a script).
"""

from __future__ import annotations

import itertools
import re


def prefixed(string: bytes, number: int) -> bytes:
    """A structure element ID (a string as qpdf writes it) with the part's number before it."""
    prefix = renamed(number, "").encode("ascii")
    if string.startswith(b"("):
        return b"(" + prefix + string[1:]
    text = bytes.fromhex(string[1:-1].decode("ascii"))
    if text.startswith(b"\xfe\xff"):
        raise ValueError(f"a structure element ID is not a byte string: {string!r}")
    return b"<" + (prefix + text).hex().encode("ascii") + b">"


def renamed(number: int, name: str) -> str:
    return f"P{number}-{name}"


def _nested(depth: int) -> bytes:
    """A string as typst writes it: hex, or literal, with parentheses within it left bare when
    balanced (to ``depth`` levels here; a part with one nested deeper is left to pikepdf, see
    :func:`_renumber_raw`)."""
    inner = rb"\\.|[^\\()]++"
    string = rb"\((?:%s)*+\)" % inner
    for _ in range(depth):
        string = rb"\((?:%s|%s)*+\)" % (inner, string)
    return rb"%s|<[0-9A-Fa-f\s]*>" % string


_RAW_STRING = _nested(4)
#: What the join changes in an object as typst writes it (as :data:`_TOKEN` does for qpdf's
#: text), as one group for ``split``: an ID, a cell's headers, a string (kept), a reference.
_RAW_TOKEN = re.compile(
    rb"(?=[/(<\d])(/ID\s*(?:%s)|/Headers\s*\[(?:\s|%s)*+\]|%s|(?<![\d.])\d+\s+\d+\s+R)"
    % (_RAW_STRING, _RAW_STRING, _RAW_STRING),
    re.S,
)
_RAW_STRINGS = re.compile(_RAW_STRING, re.S)
#: Strings, with the IDs and cells' headers that are strings, as one group for ``split``.
_RAW_STRING_TOKEN = re.compile(
    rb"(/ID\s*(?:%s)|/Headers\s*\[(?:\s|%s)*+\]|%s)" % (_RAW_STRING, _RAW_STRING, _RAW_STRING),
    re.S,
)
#: A reference ``N 0 R`` in text read backwards.
_BACKWARDS_REFERENCE = re.compile(rb"(R 0 \d+)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_STREAM = re.compile(rb"stream\r?\n")
#: What parts the objects' texts while they are renumbered together.
_BETWEEN = b"\n%kpiboard-object\n"


class PartFile:
    """A part's file as typst writes it: objects one after another, none in an object stream,
    found by a classic cross-reference table. The join slices the objects out of the file and
    renumbers all their texts in one pass (:func:`_renumber_raw`), which is much quicker than
    asking qpdf for each object; a stream's data is copied as it is."""

    def __init__(self, data: bytes, offsets: dict[int, int], end: int):
        self.data = data
        self.offsets = offsets
        ordered = sorted(offsets.items(), key=lambda item: item[1])
        self.ends = {key: at for (key, _), (_, at) in itertools.pairwise(ordered)}
        if ordered:
            self.ends[ordered[-1][0]] = end

    def sliced(self, key: int) -> tuple[bytes, bytes | None] | None:
        """Object ``key``'s text and its stream's data if it has one, or None when its bytes are
        not as this reader expects: the caller then asks pikepdf."""
        data, start, head = self.data, self.offsets[key], b"%d 0 obj" % key
        if not data.startswith(head, start):
            return None
        end = data.rfind(b"endobj", start, self.ends[key])
        if end < 0:
            return None
        text = data[start + len(head) : end].strip()
        at = text.find(b"stream")
        if at < 0:
            return text, None
        lengths = _LENGTH.findall(text, 0, at)
        opened = _STREAM.match(text, at)
        if len(lengths) != 1 or opened is None:
            return None
        body = opened.end() + int(lengths[0])
        if text[body:].strip() != b"endstream":
            return None
        return text[:at].rstrip(), text[opened.end() : body]


def renumber(texts: list[bytes], mapping: dict[int, int], number: int) -> list[bytes] | None:
    """What :func:`_renumber` does, for objects' texts as typst writes them, all in one pass;
    None if a string is not matched whole (nested too deep), for the caller to ask pikepdf.

    Strings are found first (a search that skips ahead to the next parenthesis). If no string
    holds `` 0 R`` and every reference is written ``N 0 R``, as typst writes them, the references
    are found in the text read backwards, where each starts with the letters ``R 0 ``: a search
    many times quicker than one for digits followed by them."""
    whole = _BETWEEN.join(texts)
    if whole.count(_BETWEEN) != len(texts) - 1:
        return None
    pieces = _RAW_STRING_TOKEN.split(whole)
    between = b"".join(pieces[0::2])
    if b"(" in between or b")" in between:
        return None
    strings = pieces[1::2]
    table: dict[bytes, bytes] = {}  # a token's new text
    if b" 0 R" in b"".join(strings) or not _plain_references(between):
        table.update((b"%d 0 R" % key, b"%d 0 R" % new) for key, new in mapping.items())
        pieces = _RAW_TOKEN.split(whole)
        pieces[1::2] = [
            t if t[0] in (40, 60) else table.get(t) or _changed(t, table, mapping, number)
            for t in pieces[1::2]
        ]
        renumbered = b"".join(pieces).split(_BETWEEN)
    else:
        pieces[1::2] = [
            t if t[0] != 47 else table.get(t) or _changed(t, table, mapping, number)
            for t in strings
        ]
        backwards = {
            (b"%d 0 R" % key)[::-1]: (b"%d 0 R" % new)[::-1] for key, new in mapping.items()
        }
        pieces = _BACKWARDS_REFERENCE.split(b"".join(pieces)[::-1])
        pieces[1::2] = [
            backwards.get(t) or _changed(t[::-1], table, mapping, number)[::-1]
            for t in pieces[1::2]
        ]
        renumbered = b"".join(pieces)[::-1].split(_BETWEEN)
    return renumbered if len(renumbered) == len(texts) else None


def _plain_references(text: bytes) -> bool:
    """Whether every reference in ``text`` (objects' text outside strings) is ``N 0 R``: outside
    strings an ``R`` after white space can only be the end of a reference."""
    return text.count(b" R") == text.count(b" 0 R") and not any(
        space + b"R" in text for space in (b"\n", b"\r", b"\t", b"\f", b"\x00")
    )


def _changed(
    token: bytes, table: dict[bytes, bytes], mapping: dict[int, int], number: int
) -> bytes:
    """A token of :data:`_RAW_TOKEN` other than a string or a reference written as usual; an ID
    or a cell's headers, which recur, is kept in ``table``."""
    if token.startswith(b"/ID"):
        string = _RAW_STRINGS.search(token)
        assert string is not None  # the token ends with one
        table[token] = b"/ID " + prefixed(string.group(0), number)
        return table[token]
    if token.startswith(b"/Headers"):
        names = _RAW_STRINGS.findall(token)
        table[token] = b"/Headers [%s]" % b" ".join(prefixed(name, number) for name in names)
        return table[token]
    new = mapping.get(int(token.split()[0]))
    if new is None:
        raise ValueError(f"an object refers to {token!r}, which is not copied")
    return b"%d 0 R" % new


def read_part(path: str) -> PartFile | None:
    """The part's file read for :class:`PartFile`, or None if it is not written as that expects
    (object streams, a cross-reference stream, or updates): then pikepdf gives every object."""
    with open(path, "rb") as file:
        data = file.read()
    at = data.rfind(b"startxref")
    words = data[at + 9 : at + 40].split()
    if at < 0 or not words or not words[0].isdigit():
        return None
    start = int(words[0])
    trailer = data.find(b"trailer", start, at)
    if not data.startswith(b"xref", start) or trailer < 0 or b"/ObjStm" in data:
        return None
    if re.search(rb"/Prev\b|/XRefStm\b", data[trailer:at]):
        return None
    words = data[start + 4 : trailer].split()
    offsets: dict[int, int] = {}
    while words:
        first, count = int(words[0]), int(words[1])
        entries, words = words[2 : 2 + 3 * count], words[2 + 3 * count :]
        for index, (offset, kind) in enumerate(zip(entries[0::3], entries[2::3], strict=True)):
            if kind == b"n":
                offsets[first + index] = int(offset)
    return PartFile(data, offsets, start)
