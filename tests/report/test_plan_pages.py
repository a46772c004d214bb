"""The report's business plan pages: action progress, milestone timeline, risk register and heat
map, and the pages per priority (HTML and PDF)."""

from __future__ import annotations

import copy
import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from pypdf import PdfReader

from kpiboard.core.actions import Milestone
from kpiboard.core.risks import RiskMatrix, Score
from kpiboard.report import build_report
from kpiboard.report.heat_map import render_heat_map
from kpiboard.report.html import render_html
from kpiboard.report.pdf import render_pdf
from kpiboard.report.timeline import Lane, MilestoneState, milestone_state, render_timeline

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


def test_timeline_lists_every_milestone_with_its_state(model):
    asc = next(s for s in model.sections if s.id == "asc").plan
    timeline = asc.timeline
    assert timeline.title == "Adult Social Care: milestone timeline"
    assert len(timeline.rows) == 18  # every milestone of the section's seven actions
    first = timeline.rows[0]
    assert (first.action, first.title, first.due, first.state, first.done) == (
        "ACT-TEL Roll telecare out to every new home care client",
        "Supplier contract extended",
        "31 May 2013",
        "Done",
        "20 May 2013",
    )


def test_timeline_svg_is_labelled_and_titles_every_bar_and_marker():
    lane = Lane(
        "ACT-1",
        "Open the new <unit>",
        date(2013, 4, 1),
        date(2014, 3, 31),
        (
            Milestone("Plan agreed", date(2013, 5, 31), done=date(2013, 6, 10)),
            Milestone("Building let", date(2013, 8, 31)),
            Milestone("Unit open", date(2014, 1, 31)),
        ),
    )
    svg = render_timeline([lane], date(2013, 9, 30), "t<1>", "Timeline")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-1-t t-1-d"
    assert root.find(f"{NS}desc").text.startswith("1 action from April 2013 to April 2014, with 3")
    titles = [g.find(f"{NS}title").text for g in root.iter(f"{NS}g")]
    assert "Open the new <unit>: 01 Apr 2013 to 31 Mar 2014" in titles
    assert "ACT-1 Plan agreed: done 10 Jun 2013" in titles
    assert "ACT-1 Building let: overdue 31 Aug 2013" in titles
    assert "ACT-1 Unit open: due 31 Jan 2014" in titles
    assert "<style" not in svg and "class=" not in svg
    assert svg == render_timeline([lane], date(2013, 9, 30), "t<1>", "Timeline")


def test_milestone_state_done_due_or_overdue_at_a_day():
    m = Milestone("M", date(2013, 8, 31), done=date(2013, 10, 5))
    assert milestone_state(m, date(2013, 8, 31)) is MilestoneState.DUE
    assert milestone_state(m, date(2013, 9, 30)) is MilestoneState.OVERDUE  # done after the day
    assert milestone_state(m, date(2013, 10, 31)) is MilestoneState.DONE


def test_priority_pages_one_per_ambition_and_priority_top_down(model):
    assert [(p.id, p.level) for p in model.priorities][:3] == [
        ("BS-IND", "Ambition"),
        ("BS-IND-1", "Priority"),
        ("BS-IND-2", "Priority"),
    ]
    assert len(model.priorities) == 9  # 2 ambitions and 7 priorities; objectives are within


def test_priority_page_joins_its_objectives_indicators_actions_and_risks(model):
    page = next(p for p in model.priorities if p.id == "BS-IND-3")
    assert page.parent.anchor == "pri-BS-IND"
    assert [(c.id, c.anchor) for c in page.children] == [("BS-IND-3a", "")]
    assert [(i.number, i.rating.code) for i in page.indicators] == [("4", "GREEN"), ("7", "AMBER")]
    assert [i.anchor for i in page.indicators] == ["ind-ASC04", "ind-ASC07"]
    assert [(a.id, a.rag.code) for a in page.actions] == [
        ("ACT-ENABLE", "RED"),
        ("ACT-DTOC", "AMBER"),
    ]
    assert [r.id for r in page.risks] == ["R-HOSP"]
    ambition = next(p for p in model.priorities if p.id == "BS-SAFE")
    assert [c.anchor for c in ambition.children] == [
        "pri-BS-SAFE-1",
        "pri-BS-SAFE-2",
        "pri-BS-SAFE-3",
    ]
    assert (ambition.actions, ambition.risks) == ([], [])


def test_subset_reports_leave_the_priority_pages_out(demo_pack):
    assert build_report(demo_pack, tags=("bold-steps",)).priorities == []


def test_html_report_has_the_timeline_and_priority_pages(model):
    html = render_html(model)
    assert '<h4 id="timeline-asc">Milestone timeline</h4>' in html
    assert "<caption>Adult Social Care: milestones as at 30 Sep 2013</caption>" in html
    assert '<a href="#priorities">Priorities</a>' in html
    page = html[html.index('id="pri-BS-IND-3"') : html.index('id="pri-BS-IND-4"')]
    assert "Priority: Get people home from hospital quickly and keep them there" in page
    assert '<a href="#ind-ASC07">7 ' in page
    assert "Reduce delays in leaving hospital attributable to social care" in page
    assert "Extend the enablement service to weekends" in page
    assert "Winter pressure on hospital discharges" in page


def test_pdf_prints_the_timeline_and_priority_pages(model):
    reader = PdfReader(io.BytesIO(render_pdf(model)))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    assert "Adult Social Care: milestones as at 30 Sep 2013" in text
    assert "Priority: Get people home from hospital quickly and keep them there" in text
    assert "Get people home from hospital quickly and keep them there: risks" in text


def test_report_of_one_section_links_priority_pages_only_to_its_own_indicators(model):
    trimmed = copy.deepcopy(model)
    trimmed.sections = [s for s in trimmed.sections if s.id == "scs"]
    page = next(p for p in trimmed.priority_pages if p.id == "BS-IND-3")
    assert [i.anchor for i in page.indicators] == ["", ""]  # ASC04 and ASC07 are not in it
    html = render_html(trimmed)
    assert 'href="#ind-ASC07"' not in html and 'href="#ind-SCS02"' in html
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(trimmed))).pages)
    assert "Get people home from hospital quickly and keep them there: indicators" in text
