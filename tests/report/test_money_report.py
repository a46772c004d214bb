"""A £k finance indicator in the committee report: every figure, axis label, table cell and rule
is written in thousands of pounds, in the pack's sign style; never as a plain "-£2,068"."""

from __future__ import annotations

import html
import io
import re

from pypdf import PdfReader

from kpiboard.packs.loader import load_pack
from kpiboard.report import build_report
from kpiboard.report.html import render_html
from kpiboard.report.pdf import render_pdf
from tests.finance_pack import write_finance_pack


def report_text(tmp_path, style: str = "") -> str:
    pack = load_pack(write_finance_pack(tmp_path, style))
    return html.unescape(render_html(build_report(pack)))


def test_a_deficit_in_thousands_prints_with_k_and_a_minus_sign(tmp_path):
    text = report_text(tmp_path)
    assert "-£2,068k" in text and "-£1,900k" in text  # summary, trend table, chart labels
    assert "Amber within £100k; Red beyond" in text
    assert "Amber down to a floor of 1,100k; Red beyond the floor" in text
    assert "-£12.4m" in text  # a series in millions
    assert re.search(r"-£2,068(?!k)", text) is None  # never the unscaled figure


def test_brackets_write_every_negative_in_accounting_style(tmp_path):
    text = report_text(tmp_path, "negatives: brackets\n")
    assert "(£2,068k)" in text and "(£1,900k)" in text and "(£12.4m)" in text
    assert re.search(r"-£\d", text) is None


def test_axis_labels_are_in_the_unit(tmp_path):
    text = report_text(tmp_path, "negatives: brackets\n")
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", text)
    assert "(£2,000k)" in labels


def test_pdf_indicator_page_writes_thousands_of_euros_in_brackets(tmp_path):
    pack = load_pack(write_finance_pack(tmp_path, 'negatives: brackets\ncurrency_symbol: "€"\n'))
    reader = PdfReader(io.BytesIO(render_pdf(build_report(pack))))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "(€2,068k)" in text and "Amber within €100k" in text and "-€" not in text
