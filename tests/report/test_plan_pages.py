"""The report's business plan pages: action progress, risk register and heat map (HTML and PDF)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from kpiboard.core.risks import RiskMatrix, Score
from kpiboard.report import build_report
from kpiboard.report.heat_map import render_heat_map
from kpiboard.report.html import render_html
from kpiboard.report.pdf import render_pdf

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def model(demo_pack):
    return build_report(demo_pack)


def test_each_demo_section_has_its_plan(model):
    plans = {s.id: s.plan for s in model.sections}
    assert [len(plans["asc"].actions), len(plans["scs"].actions)] == [7, 6]
    assert [len(plans["asc"].risks), len(plans["scs"].risks)] == [4, 4]


def test_action_rows_carry_status_rag_due_milestones_and_update(model):
    asc = next(s for s in model.sections if s.id == "asc").plan
    enable = next(a for a in asc.actions if a.id == "ACT-ENABLE")
    assert (enable.status, enable.rag.code, enable.progress, enable.due) == (
        "At risk",
        "RED",
        "30%",
        "31 Dec 2013",
    )
    assert enable.reasons == ("30% done against 66% expected by now. The owner reports it at risk")
    assert enable.milestones[0] == "Weekend rota agreed with staff: done 15 Jul 2013"
    assert enable.update_period == "2013-09"
    care = next(a for a in asc.actions if a.id == "ACT-CARE")
    assert (care.rag.code, care.rag.overridden, care.rag.computed) == ("GREEN", True, "Amber")
    assert care.override.startswith("Set to Green by Director of Older People")


def test_risk_rows_score_trend_appetite_and_flags(model):
    scs = next(s for s in model.sections if s.id == "scs").plan
    work = next(r for r in scs.risks if r.id == "R-WORK")
    assert work.current == "20 Very high (likelihood 4 Likely, impact 5 Major)"
    assert (work.trend, work.appetite, work.band) == ("Rising", "Outside appetite (9)", "red")
    assert work.flags == ["SCS02 rated Red"]
    adopt = next(r for r in scs.risks if r.id == "R-ADOPT")
    assert (adopt.trend, adopt.appetite, adopt.flags) == ("Falling", "Within appetite (9)", [])


def test_heat_map_table_counts_match_the_register(model):
    asc = next(s for s in model.sections if s.id == "asc").plan
    rows = {r.label: r.counts for r in asc.heat_map.rows}
    assert rows["4 Likely"] == [0, 0, 0, 1, 0]  # R-HOSP 4 x 4
    assert rows["3 Possible"] == [0, 0, 0, 2, 0]  # R-MARKET and R-BUDGET 3 x 4
    assert rows["2 Unlikely"] == [0, 0, 0, 0, 1]  # R-IT 2 x 5
    assert next(iter(rows)) == "5 Very likely"  # highest first, as drawn


def test_heat_map_svg_is_labelled_and_titles_every_cell():
    svg = render_heat_map(RiskMatrix(), [("R1", Score(3, 4)), ("R2", Score(3, 4))], "h<1>", "Map")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "h-1--t h-1--d"
    cells = [g.find(f"{NS}title").text for g in root.iter(f"{NS}g")]
    assert len(cells) == 25
    assert "Likelihood 3, impact 4: score 12 (High, outside appetite), 2 risks: R1, R2" in cells
    assert "Likelihood 1, impact 1: score 1 (Low), 0 risks" in cells
    assert "<style" not in svg and "class=" not in svg


def test_html_report_has_the_plan_pages(model):
    html = render_html(model)
    assert 'href="#plan-asc">Business plan</a>' in html
    assert "Adult Social Care: business plan actions as at 30 Sep 2013" in html
    assert "Number of risks by likelihood and impact (Adult Social Care)" in html
    assert "Review: SCS02 rated Red" in html
    assert "rating-complete" in html


def test_subset_reports_leave_the_plan_out(demo_pack):
    model = build_report(demo_pack, tags=("bold-steps",))
    assert all(s.plan is None for s in model.sections)


def test_pdf_prints_the_plan_pages(model):
    reader = PdfReader(io.BytesIO(render_pdf(model)))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    assert "Adult Social Care: business plan" in text
    assert "Number of risks by likelihood and impact (Specialist Children's Services)" in text
    assert "Review: SCS02 rated Red" in text
    assert "Set to Green by Director of Older People" in text
