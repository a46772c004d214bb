"""Join the parts of a report that typst typeset one by one into one tagged PDF.

Run as a child process by :mod:`kpiboard.report.pdf` (``python -P join.py``) beside typst; it
imports nothing of kpiboard's. It reads pickled messages from standard input (see :func:`main`):
the output file, then each part as typst finishes it (its PDF file and the layout that
:mod:`kpiboard.report.typeset` read from it: page count and headings), part 0 (the cover and
contents) last, then the end. It writes the joined PDF and one pickled answer to standard output:
``None``, or a message. Each part is written out as it comes, while typst typesets the next.

The joined PDF is written object by object (:class:`_Writer`): each part's objects are written
out renumbered and the part is closed before the next, so that the join holds one part at a time.
(Copied into one qpdf document, all the parts' objects would be held at once, twice over: some
2.4 KB an object, 450 MB for a 1,000-page report.) Most objects are sliced out of the part's file
and renumbered together as text (:mod:`kpiboard.report.partfile`); pikepdf (qpdf) reads the few
the join must understand (catalog, pages and their annotations, structure tree root and its
trees), writes the pages and annotations it changes, and gives every object of a part whose
file is not as typst writes it (object streams, say). What a join keeps whole:

- the pages, in order, each with its annotations;
- the structure tree: the kids of every part's ``Document`` element go, in order, under one
  ``Document``; each part's parent tree entries are renumbered after those of the parts before it
  (with the ``/StructParents`` of its pages and the ``/StructParent`` of its annotations), and the
  structure element IDs, which typst numbers afresh in every part (table header cells), get the
  part's number so that they stay unique, as do the ``/Headers`` of the cells that name them;
- links: typst's own, within a part, name a destination of that part, and are made to point at
  its page; a link to a heading in another part is a ``kpiboard:`` address in the part
  (``kpiboard:label/NAME`` or ``kpiboard:heading/PART/INDEX``), made a link to that heading's page;
- the bookmarks, built afresh from the headings of every part, nested as the headings are;
- the page labels (i, ii, ... for the front matter, then 1, 2, ...) and, from part 0, the
  catalog's language, marking, output intent and viewer preferences, the document information and
  the XMP metadata with its PDF/A and PDF/UA identification (its page count set to the whole).

A part's catalog, page tree, structure tree root and its trees, bookmarks, named destinations and
page labels are not copied: the join writes its own for the whole.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import sys
from typing import Any

if __package__:
    from kpiboard.report import partfile
else:  # run as a script (``python -P join.py``): the module beside it, by its path
    import importlib.util
    from pathlib import Path

    _spec = importlib.util.spec_from_file_location(
        "kpiboard_partfile", Path(__file__).with_name("partfile.py")
    )
    assert _spec is not None and _spec.loader is not None
    partfile = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(partfile)

#: The address scheme of a link from one part to a heading in another.
SCHEME = "kpiboard:"
#: A link's description for assistive technology, as typst words it: a link to a heading, and an
#: entry of the contents.
LINK_WORDS = "Section, page {number}"
ENTRY_WORDS = "\u201c{title}\u201d page {number}"


def join(parts: list[str], layouts: list[dict[str, Any]], output: str) -> None:
    """Write the parts (files, part 0 first) as one PDF to ``output``."""
    joiner = Joiner(output)
    for number, (path, layout) in enumerate(zip(parts, layouts, strict=True)):
        joiner.add(number, path, layout)
    joiner.finish()


class Joiner:
    """The joined PDF, written as its parts come, in any order (part 0, the cover and contents,
    is typeset last and comes last), so that the join of one part runs while typst typesets the
    next. Links to other parts wait, as written objects, until every part's layout is known."""

    def __init__(self, output: str):
        self.writer = _Writer(output)
        names = ("catalog", "pages", "structure", "document", "info")
        self.numbers = {name: self.writer.reserve() for name in names}
        self.pages: dict[int, list[int]] = {}
        self.layouts: dict[int, dict[str, Any]] = {}
        self.joined = _Structure()
        #: Link annotations to other parts: (object, as written but for its target, address).
        self.waiting: list[tuple[int, bytes, str]] = []
        self.first: dict[str, bytes] = {}

    def add(self, number: int, path: str, layout: dict[str, Any]) -> None:
        """Write part ``number`` (the file ``path``, laid out as ``layout``)."""
        import pikepdf

        self.pages[number] = [self.writer.reserve() for _ in range(layout["pages"])]
        self.layouts[number] = layout
        raw = partfile.read_part(path)
        with pikepdf.open(path) as source:
            front = _copy_part(self, source, number, raw)
        if number == 0:
            self.first = front

    def finish(self) -> None:
        """Write what the whole needs: links between parts, bookmarks, trees, catalog."""
        if sorted(self.layouts) != list(range(len(self.layouts))) or not self.first:
            raise ValueError(f"the parts given were {sorted(self.layouts)}")
        writer, numbers = self.writer, self.numbers
        layouts = [self.layouts[number] for number in range(len(self.layouts))]
        starts = [sum(lo["pages"] for lo in layouts[:number]) for number in range(len(layouts))]
        page_numbers = [page for number in range(len(layouts)) for page in self.pages[number]]
        places = _places(layouts, starts, page_numbers)
        for number, written, address in self.waiting:
            place = places.get(address)
            if place is None:
                raise ValueError(f"a link goes to {address}, which is in no part of the report")
            page, top, words = place
            dest = b"[%d 0 R /XYZ 0 %.2f 0]" % (page, top)
            written = written.replace(b"/KpiboardDest", dest, 1)
            writer.write(number, written.replace(b"/KpiboardWords", _string(words), 1))
        outlines = _write_bookmarks(writer, layouts, starts, page_numbers)
        self.joined.write(writer, numbers["structure"], numbers["document"])
        writer.write(
            numbers["pages"],
            b"<< /Type /Pages /Count %d /Kids [%s] >>"
            % (len(page_numbers), b" ".join(b"%d 0 R" % n for n in page_numbers)),
        )
        first = dict(self.first)
        metadata = writer.reserve()
        xmp = re.sub(
            rb"<xmpTPg:NPages>\d+</xmpTPg:NPages>",
            b"<xmpTPg:NPages>%d</xmpTPg:NPages>" % len(page_numbers),
            first.pop("xmp"),
        )
        writer.write(metadata, b"<< /Type /Metadata /Subtype /XML /Length %d >>" % len(xmp), xmp)
        writer.write(numbers["info"], first.pop("info"))
        labels = b"0 << /S /r >>"
        if len(layouts) > 1:
            labels += b" %d << /S /D /St 1 >>" % starts[1]
        entries = b" ".join(b"/%s %s" % (key.encode(), value) for key, value in first.items())
        writer.write(
            numbers["catalog"],
            b"<< /Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R /Metadata %d 0 R "
            b"/Outlines %d 0 R /PageLabels << /Nums [%s] >> %s >>"
            % (numbers["pages"], numbers["structure"], metadata, outlines, labels, entries),
        )
        writer.finish(numbers["catalog"], numbers["info"])


def _string(text: str) -> bytes:
    import pikepdf

    return bytes(pikepdf.String(text).unparse())


#: What part 0 gives the joined catalog (typst's PDF/A and PDF/UA entries).
CATALOG_ENTRIES = ("Lang", "MarkInfo", "OutputIntents", "ViewerPreferences")


class _Writer:
    """A PDF written object by object to a file, so that only one part is held at a time."""

    def __init__(self, path: str):
        self.file = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by finish, or with the process
        # The comment's bytes above 127 mark the file as binary, as PDF/A asks.
        self.file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.position = self.file.tell()
        self.offsets = [0]

    def reserve(self) -> int:
        self.offsets.append(-1)
        return len(self.offsets) - 1

    def write(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.position
        if stream is None:
            data = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        else:
            data = b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, body, stream)
        self.file.write(data)
        self.position += len(data)

    def write_all(
        self, numbers: list[int], bodies: list[bytes], streams: list[bytes | None]
    ) -> None:
        """:meth:`write` for many objects, at one go."""
        chunks = []
        for number, body, stream in zip(numbers, bodies, streams, strict=True):
            if stream is None:
                chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
            else:
                chunk = b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, body, stream)
            self.offsets[number] = self.position
            self.position += len(chunk)
            chunks.append(chunk)
        self.file.write(b"".join(chunks))

    def finish(self, root: int, info: int) -> None:
        missing = [n for n, at in enumerate(self.offsets) if at < 0]
        if missing:
            raise ValueError(f"objects {missing[:5]} were never written")
        start = self.position
        self.file.write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets))
        self.file.write(b"".join(b"%010d 00000 n \n" % at for at in self.offsets[1:]))
        ident = hashlib.md5(b"%d %d" % (start, len(self.offsets))).hexdigest().encode()
        self.file.write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
            b"startxref\n%d\n%%%%EOF\n" % (len(self.offsets), root, info, ident, ident, start)
        )
        self.file.close()


#: A string in an unparsed object: literal (qpdf escapes every parenthesis in it) or hex.
_STRING = rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\s]*>"
#: What the join changes in an object as qpdf writes it: a structure element's ID, a table cell's
#: headers (which name IDs), a reference; strings are matched so that their text is left alone.
_TOKEN = re.compile(
    rb"/ID\s*(%s)|/Headers\s*\[((?:%s|\s)*)\]|(%s)|(?<![\d.])(\d+) (\d+) R"
    % (_STRING, _STRING, _STRING),
    re.S,
)


def _renumber(data: bytes, mapping: dict[int, int], number: int) -> bytes:
    """``data`` (an object of part ``number`` as qpdf writes it) with its references to the part's
    objects made references to their numbers in the joined PDF, and its structure element IDs
    (which typst numbers afresh in each part) given the part's number."""

    def swap(match: re.Match[bytes]) -> bytes:
        if match.group(4) is not None:
            new = mapping.get(int(match.group(4)))
            if new is None:
                raise ValueError(f"an object refers to {match.group(0)!r}, which is not copied")
            return b"%d 0 R" % new
        if match.group(1) is not None:
            return b"/ID " + partfile.prefixed(match.group(1), number)
        if match.group(2) is not None:
            names = re.findall(_STRING, match.group(2))
            return b"/Headers [%s]" % b" ".join(partfile.prefixed(name, number) for name in names)
        return match.group(0)

    return _TOKEN.sub(swap, data)


class _Structure:
    """The joined structure tree, gathered part by part."""

    def __init__(self) -> None:
        self.kids: dict[int, list[int]] = {}
        self.parents: list[bytes] = []
        self.ids: list[tuple[bytes, bytes]] = []
        self.maps: dict[str, dict[bytes, bytes]] = {"RoleMap": {}, "ClassMap": {}}
        self.next_key = 0

    def write(self, writer: _Writer, root: int, document: int) -> None:
        parents = writer.reserve()
        writer.write(parents, b"<< /Nums [%s] >>" % b" ".join(self.parents))
        entries = b"/ParentTree %d 0 R /ParentTreeNextKey %d" % (parents, self.next_key)
        if self.ids:
            ids = writer.reserve()
            names = b" ".join(b"%s %s" % pair for pair in sorted(self.ids))
            writer.write(ids, b"<< /Names [%s] >>" % names)
            entries += b" /IDTree %d 0 R" % ids
        for name, values in self.maps.items():
            if values:
                pairs = b" ".join(b"%s %s" % pair for pair in values.items())
                entries += b" /%s << %s >>" % (name.encode(), pairs)
        writer.write(root, b"<< /Type /StructTreeRoot /K [%d 0 R] %s >>" % (document, entries))
        kids = b" ".join(b"%d 0 R" % kid for part in sorted(self.kids) for kid in self.kids[part])
        writer.write(
            document,
            b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>" % (root, kids),
        )


#: The keys :func:`_left_out` follows.
FOLLOWED = ("/Kids", "/First", "/Next", "/Dests")


def _left_out(source: Any, number: int) -> set[int]:
    """The objects of a part that the join writes afresh for the whole, or (after part 0) does
    not keep: catalog, page tree, structure tree root and its trees, bookmarks, names, labels."""
    import pikepdf

    root = source.Root
    tree = root.StructTreeRoot
    left = {root.objgen[0], root.Pages.objgen[0], tree.objgen[0]}
    stack = [tree[name] for name in ("/ParentTree", "/IDTree") if name in tree]
    stack += [root[name] for name in ("/Outlines", "/Names", "/PageLabels") if name in root]
    if number > 0:
        stack += [root[name] for name in ("/Metadata", "/OutputIntents") if name in root]
    if "/Info" in source.trailer:
        stack.append(source.trailer.Info)
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen[0] in left:
                continue
            left.add(obj.objgen[0])
        if isinstance(obj, pikepdf.Array):
            stack.extend(v for v in obj if isinstance(v, pikepdf.Dictionary))
        elif isinstance(obj, pikepdf.Dictionary):
            # Tree nodes and bookmarks (not the values of the parent
            # tree: the structure elements, kept).
            stack += [obj[key] for key in FOLLOWED if key in obj]
    if "/PageLabels" in root:
        left.update(
            label.objgen[0]
            for _, label in pikepdf.NumberTree(root.PageLabels).items()
            if label.is_indirect
        )
    for document in _documents(tree):
        left.add(document.objgen[0])
    return left


def _documents(tree: Any) -> list[Any]:
    import pikepdf

    return list(tree.K) if isinstance(tree.K, pikepdf.Array) else [tree.K]


def _copy_part(
    joiner: Joiner, source: Any, number: int, raw: partfile.PartFile | None
) -> dict[str, bytes]:
    """Write the objects of part ``number`` (``source``, and its file as :func:`_read_part` read
    it, if it could) and add its share of the structure tree; returns, for part 0, what the
    catalog takes from it."""
    targets, writer = joiner.pages[number], joiner.writer
    if len(source.pages) != len(targets):
        raise ValueError(
            f"part {number} has {len(source.pages)} pages but typst laid out {len(targets)}"
        )
    tree = source.Root.StructTreeRoot
    left = _left_out(source, number)
    mapping = {page.objgen[0]: target for page, target in zip(source.pages, targets, strict=True)}
    mapping[source.Root.Pages.objgen[0]] = joiner.numbers["pages"]
    mapping[tree.objgen[0]] = joiner.numbers["structure"]
    for document in _documents(tree):
        mapping[document.objgen[0]] = joiner.numbers["document"]
    keys = sorted(raw.offsets) if raw is not None else _object_numbers(source)
    keys = [key for key in keys if key not in left]
    for key in keys:
        if key not in mapping:
            mapping[key] = writer.reserve()
    _point_named_links(source)
    waiting = _point_part_links(source, joiner.joined.next_key)
    # The pages and their annotations, which the two calls above change, are written as pikepdf
    # has them; every other object as the file has it, if it could be read.
    touched = {page.objgen[0] for page in source.pages}
    touched.update(
        annot.objgen[0]
        for page in source.pages
        for annot in page.obj.get("/Annots", ())
        if annot.is_indirect
    )
    _add_structure(joiner.joined, tree, number, mapping)
    rest = _copy_raw(writer, raw, [key for key in keys if key not in touched], mapping, number)
    for key in [key for key in keys if key in touched] + rest:
        try:
            _copy_object(joiner, source.get_object(key, 0), mapping, number, waiting)
        except ValueError as exc:
            raise ValueError(f"part {number}, object {key}: {exc}") from None
    if number > 0:
        return {}
    root = source.Root
    first = {
        name: _renumber(root["/" + name].unparse(), mapping, number)
        for name in CATALOG_ENTRIES
        if "/" + name in root
    }
    first["xmp"] = root.Metadata.read_bytes()
    first["info"] = _renumber(source.trailer.Info.unparse(resolved=True), mapping, number)
    return first


#: Streams that hold the file's own structure, not the document: a part written with object
#: streams has them, and the joined PDF is written without.
FILE_STREAMS = ("/ObjStm", "/XRef")


def _object_numbers(source: Any) -> list[int]:
    """The numbers of the objects of ``source`` (opened by pikepdf), but for its file's own."""
    import pikepdf

    return [
        obj.objgen[0]
        for obj in source.objects
        if not (isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Type") in FILE_STREAMS)
    ]


def _copy_raw(
    writer: _Writer,
    raw: partfile.PartFile | None,
    keys: list[int],
    mapping: dict[int, int],
    number: int,
) -> list[int]:
    """Write the objects ``keys`` of part ``number`` as its file has them, renumbered; returns
    those left for pikepdf to give (all of them if the file could not be read as it is)."""
    if raw is None:
        return keys
    sliced = [(key, raw.sliced(key)) for key in keys]
    done = [(key, pair) for key, pair in sliced if pair is not None]
    try:
        texts = partfile.renumber([pair[0] for _, pair in done], mapping, number)
    except ValueError as exc:
        raise ValueError(f"part {number}: {exc}") from None
    if texts is None:
        return keys
    writer.write_all([mapping[key] for key, _ in done], texts, [pair[1] for _, pair in done])
    return [key for key, pair in sliced if pair is None]


def _copy_object(
    joiner: Joiner, obj: Any, mapping: dict[int, int], number: int, waiting: dict[int, str]
) -> None:
    """Write one object of part ``number`` as pikepdf has it (or keep it waiting for its link)."""
    import pikepdf

    key, writer = obj.objgen[0], joiner.writer
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        head = obj.stream_dict
        head.Length = len(raw)
        writer.write(mapping[key], _renumber(head.unparse(True), mapping, number), raw)
    elif key in waiting:
        written = _renumber(obj.unparse(True), mapping, number)
        joiner.waiting.append((mapping[key], written, waiting[key]))
    else:
        writer.write(mapping[key], _renumber(obj.unparse(True), mapping, number))


def _add_structure(joined: _Structure, tree: Any, number: int, mapping: dict[int, int]) -> None:
    """Add part ``number``'s structure tree (``tree``, its root) to the joined one: its document's
    kids, its parent tree renumbered after the parts before it, its IDs, role and class maps."""
    import pikepdf

    offset = joined.next_key
    for document in _documents(tree):
        kids = document.K if isinstance(document.K, pikepdf.Array) else [document.K]
        for kid in kids:
            if not isinstance(kid, pikepdf.Dictionary) or not kid.is_indirect:
                raise ValueError(f"part {number} has marked content straight under its document")
            joined.kids.setdefault(number, []).append(mapping[kid.objgen[0]])
    flat = _flat_entries(tree.ParentTree, "/Nums", _NUMS_ENTRY, mapping, number)
    if flat is not None:
        joined.parents += [b"%d %s" % (int(key) + offset, value) for key, value in flat]
    else:
        for key, value in pikepdf.NumberTree(tree.ParentTree).items():
            joined.parents.append(
                b"%d %s" % (int(key) + offset, _renumber(value.unparse(), mapping, number))
            )
    joined.next_key += int(tree.ParentTreeNextKey)
    flat = _flat_entries(tree.get("/IDTree"), "/Names", _NAMES_ENTRY, mapping, number)
    if flat is not None:
        joined.ids += [(partfile.prefixed(name, number), element) for name, element in flat]
    elif "/IDTree" in tree:
        for name, element in pikepdf.NameTree(tree.IDTree).items():
            renamed = pikepdf.String(partfile.renamed(number, name)).unparse()
            joined.ids.append((renamed, _renumber(element.unparse(), mapping, number)))
    for name, values in joined.maps.items():
        for entry, value in tree.get("/" + name, pikepdf.Dictionary()).items():
            values[pikepdf.Name(entry).unparse()] = _renumber(value.unparse(), mapping, number)


#: An entry of a number tree's ``/Nums`` (its value a reference or an array of them), and of a
#: name tree's ``/Names`` whose keys are byte strings, as qpdf writes them.
_NUMS_ENTRY = re.compile(rb"(\d+) (\d+ \d+ R|\[[^\[\]()<>]*\]|null)")
_NAMES_ENTRY = re.compile(rb"(\((?:[^\\()]|\\.)*\)) (\d+ \d+ R)", re.S)


def _flat_entries(
    tree: Any, key: str, entry: re.Pattern[bytes], mapping: dict[int, int], number: int
) -> list[tuple[bytes, bytes]] | None:
    """The entries of a number or name tree ``tree`` that is one node (as typst writes them),
    renumbered, read from one text of the node's array rather than entry by entry; None if the
    tree is not one node of such entries."""
    if tree is None or key not in tree or "/Kids" in tree:
        return None
    entries = entry.findall(_renumber(tree[key].unparse(), mapping, number))
    return entries if len(entries) * 2 == len(tree[key]) else None


def _places(
    layouts: list[dict[str, Any]], starts: list[int], page_numbers: list[int]
) -> dict[str, tuple[int, float, str]]:
    """Where each link target is: its page's object in the joined PDF, the height of the top of
    the view from the page's foot, and the link's description; by the address the parts link to
    it with."""
    places: dict[str, tuple[int, float, str]] = {}
    for number, layout in enumerate(layouts):
        for index, heading in enumerate(layout["headings"]):
            page = page_numbers[starts[number] + heading["page"] - 1]
            top = _top(layout, heading)
            words = ENTRY_WORDS.format(title=heading["title"], number=heading["number"])
            places[f"{SCHEME}heading/{number}/{index}"] = (page, top, words)
            if heading["label"]:
                words = LINK_WORDS.format(number=heading["number"])
                places[f"{SCHEME}label/{heading['label']}"] = (page, top, words)
    return places


def _top(layout: dict[str, Any], heading: dict[str, Any]) -> float:
    """The top of a view of ``heading``, from the page's foot, as typst sets it: a little above."""
    height = float(layout["height"])
    return min(height, height - float(heading["y"]) + 10)


def _point_named_links(source: Any) -> None:
    """Make every link of ``source`` to a named destination point at the destination itself, so
    that it survives the join (the parts' destination names clash, and are not kept)."""
    import pikepdf

    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    dests = pikepdf.NameTree(names.Dests)
    for page in source.pages:
        for annot in page.obj.get("/Annots", ()):
            action = annot.get("/A")
            name = annot.get("/Dest")
            if name is None and action is not None and action.get("/S") == "/GoTo":
                name = action.get("/D")
            if isinstance(name, pikepdf.String):
                target = dests.get(str(name))
                if target is None:
                    raise ValueError(f"a link names the destination {name!s}, which is not there")
                if isinstance(target, pikepdf.Dictionary):
                    target = target.D
                annot.Dest = pikepdf.Array(list(target))
                if action is not None:
                    del annot["/A"]


def _point_part_links(source: Any, offset: int) -> dict[int, str]:
    """Renumber the part's structure parents after those of the parts before it (``offset``), and
    mark each ``kpiboard:`` link for :meth:`Joiner.finish` to point at its heading's page in the
    joined PDF; returns those links' objects with their addresses."""
    import pikepdf

    waiting: dict[int, str] = {}
    for page in source.pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get("/Annots", ()):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset
            action = annot.get("/A")
            if action is None or action.get("/S") != "/URI":
                continue
            address = bytes(action.URI).decode("latin-1")
            if not address.startswith(SCHEME):
                continue
            if not annot.is_indirect:
                raise ValueError("a link to another part is not an object of its own")
            del annot["/A"]
            annot.Dest = pikepdf.Name("/KpiboardDest")
            annot.Contents = pikepdf.Name("/KpiboardWords")
            waiting[annot.objgen[0]] = address
    return waiting


def _write_bookmarks(
    writer: _Writer, layouts: list[dict[str, Any]], starts: list[int], page_numbers: list[int]
) -> int:
    """The bookmarks of the whole report, from its headings, each under the last heading of a
    higher level before it (as typst nests them, closed); returns the outline's object."""
    import pikepdf

    root: dict[str, Any] = {"number": writer.reserve(), "kids": [], "level": 0}
    stack = [root]
    for number, layout in enumerate(layouts):
        for heading in layout["headings"]:
            if not heading["bookmarked"]:
                continue
            while stack[-1]["level"] >= heading["level"]:
                stack.pop()
            page = page_numbers[starts[number] + heading["page"] - 1]
            item = {
                "number": writer.reserve(),
                "kids": [],
                "level": heading["level"],
                "title": pikepdf.String(heading["title"]).unparse(),
                "dest": b"[%d 0 R /XYZ 0 %s 0]" % (page, b"%.2f" % _top(layout, heading)),
            }
            stack[-1]["kids"].append(item)
            stack.append(item)

    def write(node: dict[str, Any], parent: int | None) -> None:
        kids = node["kids"]
        entries = b""
        if kids:
            entries += b" /First %d 0 R /Last %d 0 R" % (kids[0]["number"], kids[-1]["number"])
            entries += b" /Count %d" % (len(kids) if parent is None else -len(kids))
        if parent is None:
            writer.write(node["number"], b"<< /Type /Outlines%s >>" % entries)
        else:
            writer.write(
                node["number"],
                b"<< /Title %s /Parent %d 0 R /Dest %s%s%s >>"
                % (node["title"], parent, node["dest"], node["links"], entries),
            )
        for at, kid in enumerate(kids):
            kid["links"] = b"".join(
                [
                    b" /Prev %d 0 R" % kids[at - 1]["number"] if at > 0 else b"",
                    b" /Next %d 0 R" % kids[at + 1]["number"] if at + 1 < len(kids) else b"",
                ]
            )
            write(kid, node["number"])

    write(root, None)
    return int(root["number"])


def main() -> None:
    """Read messages until ``("end",)``: ``("start", output)``, then ``("part", number, path,
    layout)`` as each part is typeset; answer ``None`` or what went wrong. A parent that gives up
    closes the pipe, and the child ends without an answer."""
    joiner: Joiner | None = None
    failure: str | None = None
    while True:
        try:
            message = pickle.load(sys.stdin.buffer)
        except EOFError:
            return
        try:
            if failure is not None:
                pass
            elif message[0] == "start":
                joiner = Joiner(message[1])
            elif joiner is not None and message[0] == "part":
                joiner.add(*message[1:])
            elif joiner is not None and message[0] == "end":
                joiner.finish()
        except Exception as exc:  # any failure goes back to the parent as a message
            failure = f"{type(exc).__name__}: {exc}"
        if message[0] == "end":
            break
    pickle.dump(failure, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
