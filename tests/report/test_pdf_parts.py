"""A report typeset in parts and joined is one PDF: pages, page numbers, contents, links,
bookmarks and the tagged structure as whole as typst's own PDF of the same report."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from kpiboard.report import build_report, partfile
from kpiboard.report import join as join_module
from kpiboard.report import pdf as pdf_module
from kpiboard.report.model import ReportModel
from kpiboard.report.parts import contents_entries, plan_parts
from kpiboard.report.pdf import PdfRenderError, PdfStandardWarning, render_pdf, report_data

from .test_pdf import _demo_pack, outline_titles, squash

#: Small enough to cut the demo report into several parts, some of them inside a section.
PART_SIZE = 20


@pytest.fixture(scope="module")
def model() -> ReportModel:
    return build_report(_demo_pack())


@pytest.fixture(scope="module")
def whole(model) -> bytes:
    return render_pdf(model)


@pytest.fixture(scope="module")
def part_files(tmp_path_factory) -> list[Path]:
    """A copy of each part's PDF as typst wrote it, in the order typst typeset them."""
    return []


@pytest.fixture(scope="module")
def typeset(model, part_files, tmp_path_factory) -> tuple[bytes, list[dict]]:
    """The report typeset in parts, with the layout typst gave each part."""
    layouts: list[dict] = []
    compile_part = pdf_module._compile
    kept = tmp_path_factory.mktemp("parts")

    def spy(payload, standards, output):
        layout = compile_part(payload, standards, output)
        layouts.append(layout)
        part_files.append(kept / output.name)
        shutil.copy(output, part_files[-1])
        return layout

    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        warnings.simplefilter("error", PdfStandardWarning)  # every part meets PDF/A and UA
        patch.setattr(pdf_module, "_compile", spy)
        data = render_pdf(model, part_size=PART_SIZE)
    return data, layouts


@pytest.fixture(scope="module")
def joined(typeset) -> bytes:
    return typeset[0]


@pytest.fixture(scope="module")
def joined_pages(joined) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(joined)).pages]


def page_texts(data: bytes, tmp_path_factory) -> list[str]:
    """Each page's text by pdftotext (form feeds part the pages)."""
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode().split("\f")[:-1]


def link_targets(data: bytes) -> list[tuple[int, int, str]]:
    """Every link as (page it is on, page it goes to, its description), all from 0."""
    pdf = pikepdf.open(io.BytesIO(data))
    index = {page.objgen: number for number, page in enumerate(pdf.pages)}
    names = pdf.Root.get("/Names")
    dests = dict(pikepdf.NameTree(names.Dests).items()) if names is not None else {}
    found = []
    for number, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", ()):
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            assert dest is not None, f"a link on page {number + 1} goes nowhere: {annot!r}"
            if isinstance(dest, pikepdf.String):
                dest = dests[str(dest)]
            found.append((number, index[dest[0].objgen], str(annot.get("/Contents"))))
    return found


# --- the plan ----------------------------------------------------------------------------------


def test_parts_plan_holds_every_page_once_in_order(model):
    data = report_data(model)
    parts = plan_parts(data, PART_SIZE)
    assert len(parts) >= 3
    printed = [
        (piece.section, at)
        for part in parts
        for piece in part.pieces
        for at in range(piece.first, piece.stop)
    ]
    expected = [
        (s, at) for s, section in enumerate(data["sections"]) for at in range(len(section["pages"]))
    ]
    assert printed == expected
    heads = [piece.section for part in parts for piece in part.pieces if piece.head]
    assert heads == list(range(len(data["sections"])))
    assert [part.key for part in parts] == [True] + [False] * (len(parts) - 1)
    assert [part.priorities for part in parts][-1] is True
    assert any(not piece.head for part in parts for piece in part.pieces), "none starts mid-section"


def test_parts_plan_keeps_a_small_report_whole(model):
    assert len(plan_parts(report_data(model))) == 1


def test_parts_plan_keeps_a_business_plan_with_its_section(model):
    data = report_data(model)
    for size in (3, 7, 11, 20):
        for part in plan_parts(data, size):
            first = part.pieces[0] if part.pieces else None
            assert first is None or first.head or first.first < first.stop or first.leads


def test_contents_entries_list_outlined_headings_to_level_three():
    layouts = [
        {
            "headings": [
                {"level": 1, "title": "A", "number": 1, "outlined": True},
                {"level": 4, "title": "deep", "number": 1, "outlined": True},
                {"level": 2, "title": "hidden", "number": 2, "outlined": False},
            ]
        },
        {"headings": [{"level": 2, "title": "B", "number": 3, "outlined": True}]},
    ]
    assert contents_entries(layouts) == [
        {"level": 1, "title": "A", "number": 1, "target": "kpiboard:heading/1/0"},
        {"level": 2, "title": "B", "number": 3, "target": "kpiboard:heading/2/0"},
    ]


# --- the joined PDF ------------------------------------------------------------------------------


def test_joined_report_has_the_pages_of_its_parts(typeset, whole):
    data, layouts = typeset
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert len(layouts) >= 4  # part 0 and three or more body parts
    assert pages == sum(layout["pages"] for layout in layouts)
    assert pages == len(PdfReader(io.BytesIO(whole)).pages)


def test_joined_report_page_numbers_run_on(joined, tmp_path_factory):
    texts = page_texts(joined, tmp_path_factory)
    footers = [re.findall(r"Page (\w+)( of \d+)?\s*$", text)[-1] for text in texts]
    assert footers[:2] == [("i", ""), ("ii", "")]
    assert footers[2:] == [(str(n), "") for n in range(1, len(texts) - 1)]


def test_joined_contents_lists_every_heading_with_its_page(joined, joined_pages, model):
    labels = {re.findall(r"Page (\w+)", text)[-1]: n for n, text in enumerate(joined_pages)}
    entries = [(dest, words) for on, dest, words in link_targets(joined) if on == 1]
    listed = []
    for dest, words in entries:
        title, number = re.fullmatch(r"\u201c(.*)\u201d page (\d+)", words, re.S).groups()
        assert labels[number] == dest, f"{title} is listed at page {number}"
        assert squash(title)[:40] in squash(joined_pages[dest])
        listed.append(title)
    contents = squash(joined_pages[1])
    for title in [s.title for s in model.sections] + [p.heading for p in model.pages]:
        assert title in listed and squash(title) in contents


def test_joined_report_links_go_where_the_whole_reports_do(joined, whole):
    mine, typsts = link_targets(joined), link_targets(whole)
    assert len(mine) == len(typsts) > 50
    assert [(on, dest) for on, dest, _ in mine] == [(on, dest) for on, dest, _ in typsts]
    assert b"kpiboard:" not in pikepdf.open(io.BytesIO(joined)).Root.unparse()
    for page in pikepdf.open(io.BytesIO(joined)).pages:
        for annot in page.obj.get("/Annots", ()):
            assert "/A" not in annot, "a link kept its kpiboard: address"


def test_joined_report_bookmarks_nest_as_the_whole_reports_do(joined, whole):
    mine = outline_titles(PdfReader(io.BytesIO(joined)))
    assert len(mine) > 40
    assert mine == outline_titles(PdfReader(io.BytesIO(whole)))


def heading_tags(data: bytes) -> list[tuple[str, str]]:
    """The headings of the structure tree in order, as (tag, title)."""
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root.StructTreeRoot
    assert len(root.K) == 1 and root.K[0].S == "/Document"
    return [
        (str(kid.S), str(kid.get("/T", "")))
        for kid in root.K[0].K
        if re.fullmatch(r"/H[1-6]", str(kid.S))
    ]


def test_joined_report_is_one_structure_tree_with_every_parts_headings(joined, whole, tmp_path):
    mine = [h for h in heading_tags(joined) if not h[1].endswith("(continued)")]
    assert len(mine) > 40
    assert mine == heading_tags(whole)
    continued = [h for h in heading_tags(joined) if h[1].endswith("(continued)")]
    assert continued and {tag for tag, _ in continued} == {"/H1"}
    path = tmp_path / "joined.pdf"
    path.write_bytes(joined)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    tree = subprocess.run(["pdfinfo", "-struct", str(path)], capture_output=True, check=True)
    lines = [line for line in tree.stdout.decode(errors="replace").splitlines() if line.strip()]
    assert lines[0].strip() == "Document"
    assert not [line for line in lines[1:] if not line.startswith(" ")], "more than one tree"


def test_joined_report_structure_parents_resolve(joined):
    pdf = pikepdf.open(io.BytesIO(joined))
    root = pdf.Root.StructTreeRoot
    parents = pikepdf.NumberTree(root.ParentTree)
    keys = {int(key) for key, _ in parents.items()}
    assert max(keys) < int(root.ParentTreeNextKey)
    for number, page in enumerate(pdf.pages):
        entry = parents[int(page.obj.StructParents)]
        elements = [e for e in entry if isinstance(e, pikepdf.Dictionary)]
        assert elements, f"page {number + 1} has no marked content in the tree"
        for annot in page.obj.get("/Annots", ()):
            element = parents[int(annot.StructParent)]
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            assert any(
                isinstance(k, pikepdf.Dictionary) and k.get("/Obj") == annot for k in kids
            ), f"an annotation on page {number + 1} is not under its structure element"


def test_joined_report_table_headers_name_ids_in_the_tree(joined):
    pdf = pikepdf.open(io.BytesIO(joined))
    root = pdf.Root.StructTreeRoot
    ids = list(pikepdf.NameTree(root.IDTree).keys())
    assert len(ids) == len(set(ids)) > 100
    known, cells, stack = set(ids), 0, [root.K[0]]
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary):
            continue
        attributes = element.get("/A")
        for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                cells += 1
                assert {str(h) for h in attribute.Headers} <= known
        kids = element.get("/K")
        stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
    assert cells > 100


def structure_ids(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sorted(pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree).keys())


def test_join_reads_typsts_parts_from_their_bytes(typeset, part_files):
    for path in part_files:
        part = partfile.read_part(str(path))
        assert part is not None, f"{path.name} is not read from its bytes"
        sliced = [part.sliced(key) for key in sorted(part.offsets)]
        assert all(pair is not None for pair in sliced)
        mapping = {key: key + 1000 for key in part.offsets}
        texts = partfile.renumber([pair[0] for pair in sliced if pair], mapping, 1)
        assert texts is not None, f"{path.name}'s objects are not renumbered from their text"


@pytest.mark.parametrize("alt", [b"(a (nested) text)", b"(see 12 0 R (twice))"])
def test_join_renumbers_typsts_text_leaving_strings_alone(alt):
    # A reference written in a string (the second) takes the slower, general way.
    texts = [
        b"<</S/TH/P 12 0 R/ID(U1x0y0)/Alt%s/K[3]>>" % alt,
        b"<</A<</O/Table/Headers[(U1x0y0) <5531>]>>/Pg 7 0 R/T<3132203020520a>>>",
        b"<</Kids[12 0 R 7 0 R]/Parent 12 0 R>>",
    ]
    assert partfile.renumber(texts, {12: 112, 7: 107}, 3) == [
        b"<</S/TH/P 112 0 R/ID (P3-U1x0y0)/Alt%s/K[3]>>" % alt,
        b"<</A<</O/Table/Headers [(P3-U1x0y0) <50332d5531>]>>/Pg 107 0 R/T<3132203020520a>>>",
        b"<</Kids[112 0 R 107 0 R]/Parent 112 0 R>>",
    ]


def test_join_refuses_a_reference_to_an_object_it_does_not_copy():
    with pytest.raises(ValueError, match="13 0 R"):
        partfile.renumber([b"<</P 13 0 R>>"], {12: 112}, 1)


def test_join_leaves_to_pikepdf_text_it_cannot_read_whole():
    nested = b"<</Alt(a (b (c (d (e (f) e) d) c) b) a)/P 1 0 R>>"
    assert partfile.renumber([nested], {1: 2}, 1) is None


def test_join_of_parts_with_object_streams_is_the_same_report(typeset, part_files, tmp_path):
    data, layouts = typeset
    # Part 0 (typeset last) comes first to the join.
    files, layouts = [part_files[-1], *part_files[:-1]], [layouts[-1], *layouts[:-1]]
    resaved = []
    for path in files:
        resaved.append(tmp_path / path.name)
        with pikepdf.open(path) as pdf:
            pdf.save(resaved[-1], object_stream_mode=pikepdf.ObjectStreamMode.generate)
        assert partfile.read_part(str(resaved[-1])) is None
    join_module.join([str(path) for path in resaved], layouts, str(tmp_path / "joined.pdf"))
    other = (tmp_path / "joined.pdf").read_bytes()
    assert link_targets(other) == link_targets(data)
    assert outline_titles(PdfReader(io.BytesIO(other))) == outline_titles(
        PdfReader(io.BytesIO(data))
    )
    assert structure_ids(other) == structure_ids(data)
    texts = [
        [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages] for pdf in (data, other)
    ]
    assert texts[0] == texts[1]


def test_joined_report_declares_its_language_title_and_standards(joined, model):
    pdf = pikepdf.open(io.BytesIO(joined))
    assert pdf.check_pdf_syntax() == []  # qpdf reads every object and stream without fault
    assert str(pdf.Root.Lang) == "en-GB"
    assert pdf.Root.MarkInfo.Marked
    assert pdf.Root.ViewerPreferences.DisplayDocTitle
    assert len(pdf.Root.OutputIntents) == 1
    assert str(pdf.docinfo.Title) == model.title
    xmp = pdf.Root.Metadata.read_bytes().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert f"<xmpTPg:NPages>{len(pdf.pages)}</xmpTPg:NPages>" in xmp
    assert "/Filter" not in pdf.Root.Metadata.stream_dict  # PDF/A: the XMP stays readable
    labels = pdf.Root.PageLabels.Nums
    assert [int(labels[0]), str(labels[1].S), int(labels[2]), str(labels[3].S)] == [
        0,
        "/r",
        2,
        "/D",
    ]


# --- failures ----------------------------------------------------------------------------------


def test_parts_that_cannot_meet_the_standards_are_written_plain_with_one_warning(
    model, monkeypatch
):
    template = pdf_module._template()
    broken = template + b"\n#heading(level: 1)[Annex]\n#heading(level: 4)[Skipped]\n"
    monkeypatch.setattr(pdf_module, "_template", lambda: broken)
    with pytest.warns(PdfStandardWarning, match="PDF/UA-1") as caught:
        data = render_pdf(model, part_size=PART_SIZE)
    assert len([w for w in caught if w.category is PdfStandardWarning]) == 1
    pdf = pikepdf.open(io.BytesIO(data))
    assert "pdfuaid" not in pdf.Root.Metadata.read_bytes().decode()
    assert "Skipped" in PdfReader(io.BytesIO(data)).pages[-1].extract_text()


def test_joining_process_that_dies_is_a_clear_error(model, tmp_path, monkeypatch):
    killer = tmp_path / "killed.py"
    killer.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    monkeypatch.setattr(pdf_module, "JOINER", killer)
    with pytest.raises(PdfRenderError, match=r"joining process stopped .*exit status -9"):
        render_pdf(model, part_size=PART_SIZE)


def test_typst_failure_in_a_part_is_a_clear_error(model, monkeypatch):
    template = pdf_module._template()
    broken = template.replace(
        b"#let section-pages(section) = {", b'#let section-pages(section) = {\n  panic("no")'
    )
    monkeypatch.setattr(pdf_module, "_template", lambda: broken)
    with pytest.raises(PdfRenderError, match="could not typeset the PDF report"):
        render_pdf(model, part_size=PART_SIZE)
