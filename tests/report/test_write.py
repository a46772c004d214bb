"""Writing a report file: HTML streamed as it renders, and all or nothing for both formats."""

from __future__ import annotations

import pytest

from kpiboard.report import build_report, write
from kpiboard.report import pdf as pdf_module
from kpiboard.report.html import render_html
from kpiboard.report.pdf import PdfRenderError


@pytest.fixture(scope="module")
def model(demo_pack):
    return build_report(demo_pack)


def test_write_html_is_the_rendered_report_byte_for_byte(model, tmp_path):
    out = tmp_path / "report.html"
    size = write(model, "html", out)
    assert out.read_bytes() == render_html(model).encode("utf-8")
    assert size == out.stat().st_size
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_pdf_that_fails_leaves_the_old_file_and_no_part(model, tmp_path, monkeypatch):
    out = tmp_path / "report.pdf"
    out.write_bytes(b"the report from last month")
    monkeypatch.setattr(pdf_module, "_template", lambda: b"#let broken = (\n")
    with pytest.raises(PdfRenderError):
        write(model, "pdf", out)
    assert out.read_bytes() == b"the report from last month"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_write_unknown_format_is_refused_before_any_file(model, tmp_path):
    with pytest.raises(ValueError, match="unknown report format 'docx'"):
        write(model, "docx", tmp_path / "report.docx")
    assert list(tmp_path.iterdir()) == []
