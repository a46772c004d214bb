"""The output format registry: names, suffixes and renderers the CLI and the web app share."""

from __future__ import annotations

import pytest

from kpiboard.report import OUTPUT_FORMATS, build_report, render
from kpiboard.report.formats import DEFAULT_FORMAT, format_of_path, one_of, output_format


def test_formats_are_html_then_pdf_with_their_suffixes_and_content_types():
    assert list(OUTPUT_FORMATS) == ["html", "pdf"] and DEFAULT_FORMAT == "html"
    assert [f.suffix for f in OUTPUT_FORMATS.values()] == [".html", ".pdf"]
    assert OUTPUT_FORMATS["pdf"].content_type == "application/pdf"
    assert OUTPUT_FORMATS["html"].content_type == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "name"),
    [("out/report.html", "html"), ("Board.PDF", "pdf"), ("report.htm", None), ("report", None)],
)
def test_format_of_path_reads_the_suffix_whatever_its_case(path, name):
    found = format_of_path(path)
    assert (found.name if found else None) == name


def test_output_format_names_the_formats_there_are_for_an_unknown_one():
    with pytest.raises(ValueError, match=r"unknown report format 'docx' \(use html, pdf\)"):
        output_format("docx")


def test_one_of_joins_alternatives_with_or():
    assert one_of(["html"]) == "html"
    assert one_of(["html", "pdf"]) == "html or pdf"
    assert one_of(["a", "b", "c"]) == "a, b or c"


def test_render_uses_the_registrys_renderer(demo_pack):
    model = build_report(demo_pack)
    html = render(model, "html")
    assert html == OUTPUT_FORMATS["html"].render(model)
    assert html.startswith(b"<!DOCTYPE html>")
