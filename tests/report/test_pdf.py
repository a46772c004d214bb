"""The PDF committee report, typeset from the demo pack."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from kpiboard.report import pdf as pdf_module
from kpiboard.report.model import ReportModel, build_report
from kpiboard.report.pdf import PdfRenderError, PdfStandardWarning, render_pdf, report_data

DEMO = Path(__file__).resolve().parents[2] / "src" / "kpiboard" / "demo" / "pack"
A4 = (595.28, 841.89)  # points


def _demo_pack():
    from kpiboard.packs.loader import load_pack
    from kpiboard.packs.problems import PackError

    if not (DEMO / "kpiboard.yaml").is_file():
        pytest.skip(f"the demo pack is not written yet ({DEMO / 'kpiboard.yaml'} is missing)")
    try:
        return load_pack(DEMO)
    except PackError as exc:  # pragma: no cover - only while the demo pack is being written
        pytest.skip(f"the demo pack does not load yet: {exc}")


@pytest.fixture(scope="module")
def pack():
    return _demo_pack()


@pytest.fixture(scope="module")
def model(pack) -> ReportModel:
    return build_report(pack)


@pytest.fixture(scope="module")
def reader(model) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(model)))


@pytest.fixture(scope="module")
def pages(reader) -> list[str]:
    """The text of each page (pypdf's extraction is the slow part of these tests)."""
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def text(pages) -> str:
    return "\n".join(pages)


def squash(value: str) -> str:
    """Text without any whitespace: lines wrap differently in the PDF."""
    return re.sub(r"\s+", "", value.replace("\u2019", "'"))


def outline_titles(reader: PdfReader) -> list[tuple[int, str, int]]:
    """Every bookmark as (depth, title, page number), walking the outline recursively."""
    found: list[tuple[int, str, int]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def test_pages_are_a4_portrait(reader):
    assert len(reader.pages) > 20
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(A4, abs=0.5)


def test_document_metadata(reader, model):
    assert reader.metadata.title == model.title
    assert reader.metadata.author == model.organisation


def test_pdf_is_tagged_and_declares_pdf_a_and_pdf_ua(reader):
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert "pdfuaid:part>1<" in xmp
    assert "pdfaid:part>2<" in xmp


def test_title_page(pages, model):
    first = squash(pages[0])
    for value in (model.organisation, model.title, model.as_at):
        assert squash(value) in first


def test_contents_page_lists_every_indicator(pages, model):
    contents = pages[1]
    assert "Contents" in contents
    flat = squash(contents)
    for page in model.pages:
        assert squash(page.heading) in flat


def test_every_indicator_page_is_a_bookmark_on_its_own_page(reader, pages, model):
    bookmarks = outline_titles(reader)
    titles = [title for _, title, _ in bookmarks]
    assert "Key to ratings" in titles
    for section in model.sections:
        assert section.title in titles
        for page in section.pages + section.lead_pages:
            assert titles.count(page.heading) == 1, page.heading
    if any(s.lead_pages for s in model.sections):
        assert "Lead indicators" in titles
    starts = {title: number for _, title, number in bookmarks}
    numbers = [starts[p.heading] for p in model.pages]
    assert len(set(numbers)) == len(numbers), "each indicator starts a new page"
    for page in model.pages:
        on_page = squash(pages[starts[page.heading]])
        assert squash(page.heading) in on_page


def test_lead_indicators_are_bookmarked_under_lead_indicators(reader, model):
    bookmarks = outline_titles(reader)
    depth = {title: d for d, title, _ in bookmarks}
    for section in model.sections:
        for page in section.pages:
            assert depth[page.heading] == 1
        for page in section.lead_pages:
            assert depth[page.heading] == 2


def test_text_has_titles_ratings_and_page_numbers(pages, text, model):
    flat = squash(text)
    for page in model.pages:
        assert squash(page.title) in flat
        assert squash(page.chart_title) in flat
    for word in ("Green", "Amber", "Red", "Not rated", "Improved", "Worsened"):
        assert word in text
    count = len(pages)
    for number in range(1, count + 1):
        assert f"Page {number} of {count}" in pages[number - 1]


def test_key_to_ratings_gives_words_and_meanings(text, model):
    flat = squash(text)
    assert "Keytoratings" in flat
    for entry in model.rating_key:
        assert squash(entry.words + entry.meaning) in flat


def test_trend_figures_and_commentary_are_printed(reader, pages, model):
    bookmarks = {title: number for _, title, number in outline_titles(reader)}
    for page in model.pages:
        start = bookmarks[page.heading]
        body = squash("".join(pages[start : start + 2]))
        assert squash("".join(page.trend.periods)) in body
        if page.commentary is not None:
            first_words = " ".join(page.commentary.markdown.split()[:6])
            assert squash(re.sub(r"[*_`]", "", first_words)) in body
        if page.range_status:
            assert squash(f"is {page.range_status} the expected range") in body


def test_override_is_marked_with_its_reason(text, model):
    overridden = [p for p in model.pages if p.overrides]
    if not overridden:
        pytest.skip("the demo pack has no override")
    flat = squash(text)
    assert "Amber*" in flat or "(override)" in text
    for page in overridden:
        for note in page.overrides:
            assert squash(note) in flat


def test_subset_report_has_only_its_indicators(pack, model):
    subset = build_report(pack, tags=("bold-steps",), subset_title="Bold Steps monitoring report")
    assert subset.pages, "the demo pack tags some indicators bold-steps"
    reader = PdfReader(io.BytesIO(render_pdf(subset)))
    titles = [title for _, title, _ in outline_titles(reader)]
    wanted = {p.heading for p in subset.pages}
    others = {p.heading for p in model.pages} - wanted
    assert wanted <= set(titles)
    assert not others & set(titles)
    assert reader.metadata.title == "Bold Steps monitoring report"
    assert "Bold Steps monitoring report" in reader.pages[0].extract_text()


def test_markdown_is_converted_beside_the_original(model):
    data = report_data(model)
    narratives = [n for s in data["sections"] for n in s["narrative"]]
    pages = [p for s in data["sections"] for p in s["pages"] + s["lead_pages"]]
    assert all("typst" in n for n in narratives)
    assert all("typst" in p["commentary"] for p in pages if p["commentary"])
    assert all(p["chart_alt"] for p in pages)
    assert model.to_dict()["sections"][0]["pages"][0].get("chart_alt") is None  # a copy


def test_hostile_commentary_draft_and_illustrative_notice(model):
    hostile = copy.deepcopy(model)
    page = hostile.sections[0].pages[0]
    assert page.commentary is not None
    page.commentary.markdown = (
        'Figures #import "report.typ": * and $x$ <label> @ref \\\\ back\n\n'
        '- a list with `#read("/etc/passwd")`\n\n<script>alert(1)</script>'
    )
    page.commentary.draft = True
    page.illustrative = "Illustrative figures: made up to show the chart."
    hostile.sections[0].narrative = []
    if hostile.sections[1:]:
        hostile.sections[1].narrative[:1] = []
    reader = PdfReader(io.BytesIO(render_pdf(hostile)))
    start = {title: n for _, title, n in outline_titles(reader)}[page.heading]
    body = "".join(p.extract_text() for p in reader.pages[start : start + 2])
    flat = squash(body)
    assert squash('Figures #import "report.typ": * and $x$ <label> @ref \\ back') in squash(
        body.replace("\u201c", '"').replace("\u201d", '"')
    )
    assert squash('#read("/etc/passwd")') in flat
    assert squash("<script>alert(1)</script>") in flat
    assert squash("Draft generated by kpiboard — not the service's commentary") in flat
    assert squash("Illustrative figures: made up to show the chart.") in flat


def test_typst_failure_raises_a_clear_error(model, monkeypatch):
    monkeypatch.setattr(pdf_module, "_template", lambda: b"#let broken = (\n")
    with pytest.raises(PdfRenderError, match="could not typeset the PDF report") as info:
        render_pdf(model)
    assert isinstance(info.value, RuntimeError)
    assert info.value.message


def test_pdf_that_cannot_meet_the_standards_is_still_written(model, monkeypatch):
    template = pdf_module._template()
    # A heading that skips levels breaks PDF/UA-1: the report is still produced, with a warning.
    broken = template + b"\n#heading(level: 1)[Annex]\n#heading(level: 4)[Skipped]\n"
    monkeypatch.setattr(pdf_module, "_template", lambda: broken)
    with pytest.warns(PdfStandardWarning, match="PDF/UA-1"):
        data = render_pdf(model)
    reader = PdfReader(io.BytesIO(data))
    assert "Skipped" in reader.pages[-1].extract_text()
    assert "pdfuaid" not in reader.xmp_metadata.rdf_root.toxml()
