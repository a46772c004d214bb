"""The HTML committee report: structure, escaping, subsets, and accessibility in a real browser."""

from __future__ import annotations

import dataclasses
import re
import shutil
from html.parser import HTMLParser

import pytest

from kpiboard.packs.loader import load_pack
from kpiboard.report import build_report, render
from kpiboard.report.html import render_html
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, axe_violations, describe, require_browser


@pytest.fixture(scope="module")
def demo_html(demo_pack) -> str:
    return render_html(build_report(demo_pack))


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)


def test_render_html_demo_self_contained(demo_html):
    assert "<link" not in demo_html
    assert "<script" not in demo_html
    assert re.search(r"src=\"https?:", demo_html) is None
    assert "<style>" in demo_html


def test_render_html_demo_has_every_page_and_unique_ids(demo_html, demo_pack):
    collector = _Collector()
    collector.feed(demo_html)
    assert len(collector.ids) == len(set(collector.ids))
    for ind_id in demo_pack.indicators:
        assert f'id="ind-{ind_id}"' in demo_html
    charts = [i for i in collector.ids if i.startswith("chart-ind-") and i.endswith("-title")]
    spc_charts = [i for i in collector.ids if i.startswith("spc-ind-") and i.endswith("-title")]
    assert len(charts) == len(demo_pack.indicators)
    assert len(spc_charts) == sum(1 for ind in demo_pack.indicators.values() if ind.spc)


def test_render_html_summary_matches_seed_cells(demo_html):
    # ASC01 row: outturn 76%, target 80%, current 73%, 12M, Amber.
    summary = demo_html[demo_html.index('<table class="summary">') :]
    row = re.search(r"<tr>\s*<td>1</td>(.*?)</tr>", summary, re.S).group(1)
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    text = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    assert text[0].startswith("Percentage of adult social care clients")
    assert text[1:8] == ["Yes", "Yes", "76%", "80%", "73%", "12M", "Amber"]
    assert text[8].endswith("Worsened")


def test_render_html_override_marked_with_reason(demo_html):
    assert "Rating override." in demo_html
    assert "(override; computed rating Green)" in demo_html


def test_render_html_not_rated_indicator_points_to_its_page(demo_html):
    assert '<a href="#ind-ASC02">Not rated: see the indicator page</a>' in demo_html


def test_render_html_illustrative_lead_indicators_labelled(demo_html):
    assert demo_html.count("Illustrative figures.") == 6
    assert "the expected range" in demo_html


def test_render_html_user_text_escaped(demo_pack):
    model = build_report(demo_pack)
    model.title = "<script>alert(1)</script>"
    model.sections[0].pages[0].commentary.markdown = "Hello <img src=x onerror=alert(1)>"
    html = render_html(model)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_build_report_tag_subset_only_tagged_indicators(demo_pack):
    model = build_report(demo_pack, tags=("bold-steps",), subset_title="Bold Steps")
    ids = {p.id for p in model.pages}
    expected = {i for i, ind in demo_pack.indicators.items() if "bold-steps" in ind.tags}
    assert ids == expected
    assert "ASC05" not in ids and "ASC01" in ids


def test_build_report_as_at_earlier_period_uses_it(demo_pack):
    model = build_report(demo_pack, as_at=demo_pack.calendar.parse("2013-08"))
    asc01 = next(p for p in model.pages if p.id == "ASC01")
    assert asc01.latest_period == "Aug-13"
    assert asc01.latest_value == "74%"
    assert model.as_at == "August 2013"


def test_render_unknown_format_raises(demo_pack):
    with pytest.raises(ValueError, match="unknown report format 'docx'"):
        render(build_report(demo_pack), "docx")


@pytest.mark.browser
def test_html_report_has_no_axe_wcag22_violations(demo_html, tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    path.write_text(demo_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # bypass_csp: the report's policy forbids scripts, axe-core included.
            page = browser.new_page(bypass_csp=True)
            page.goto(path.as_uri())
            violations = axe_violations(page)
        finally:
            browser.close()
    assert violations == [], describe(violations)


def test_render_html_variation_and_assurance_table_for_asc(demo_html):
    table = re.search(r'<table class="variation">(.*?)</table>', demo_html, re.S).group(1)
    assert "Adult Social Care: variation and assurance" in table
    assert table.count("<tr>") == 11  # header + ten monthly ASC indicators
    assert "Assurance: the target is consistently met" in table
    assert "Common cause variation" in table


def test_render_html_spc_section_on_monthly_indicator(demo_html):
    page = re.search(r'id="ind-ASC01"(.*?)</section>\s*</section>', demo_html, re.S).group(1)
    assert "Statistical process control" in page
    assert "fewer than 15" in page


def test_render_html_forecast_peers_and_drafts(demo_html):
    assert "Forecast year-end 30.5%" in demo_html  # ASC11, linear trend over the year
    assert "13th of 152 (top quartile)" in demo_html  # SCS01 among all English councils
    assert "Illustrative distribution" in demo_html
    assert demo_html.count("Draft commentary generated by kpiboard") == 6  # the lead indicators


def test_render_html_lead_table_states_position(demo_html):
    table = re.search(r'<table class="leads">(.*?)</table>', demo_html, re.S).group(1)
    assert table.count("range-above") == 1
    assert table.count("range-within") == 5


@pytest.mark.parametrize(
    ("organisation_type", "heading"),
    [
        ("council", "Comparison with other councils"),
        ("NHS trust", "Comparison with other NHS trusts"),
        ("local authority", "Comparison with other local authorities"),
        ("police force", "Comparison with other police forces"),
        ("", "Comparison with peers"),
    ],
)
def test_peer_heading_comes_from_the_organisation_type(demo_pack, organisation_type, heading):
    pack = dataclasses.replace(demo_pack, organisation_type=organisation_type)
    html = render_html(build_report(pack))
    assert f'-peers">{heading}</h4>' in html
    assert html.count("Comparison with") == 1  # SCS01, the one indicator with peers


def _actual_runs(svg: str) -> list[int]:
    """Points in each segment of a line chart's actual series."""
    group = re.search(r'<g id="[^"]*-actual">(.*?)</g>', svg, re.S).group(1)
    return [len(d.split("L")) for d in re.findall(r'<path d="([^"]+)" fill="none"', group)]


def test_year_to_date_chart_breaks_between_march_and_april(demo_pack):
    from kpiboard.core.indicators import Accumulation
    from kpiboard.report.pages import indicator_page

    ind = demo_pack.indicators["ASC01"]
    ytd = dataclasses.replace(ind, accumulation_declared=Accumulation.YEAR_TO_DATE)
    pack = dataclasses.replace(demo_pack, indicators={**demo_pack.indicators, "ASC01": ytd})
    page = indicator_page(pack, pack.analyse()["ASC01"])
    before = page.trend.periods.index("Apr-13")
    assert _actual_runs(page.chart_svg) == [before, 6]  # Sep-12 to Mar-13, then Apr to Sep-13
    assert "the lines break where each financial year starts" in page.chart_description
    plain = indicator_page(demo_pack, demo_pack.analyse()["ASC01"])
    assert _actual_runs(plain.chart_svg) == [before + 6]
    assert "break" not in plain.chart_description


def _overview(html: str) -> str:
    start = html.index('<section class="overview"')
    return html[start : html.index("</section>", start)]


def _cells(row_html: str) -> list[str]:
    row_html = re.sub(r"<svg.*?</svg>", "", row_html, flags=re.S)  # icons: their labels say it
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]


def test_summary_page_follows_the_contents_with_every_indicator(demo_html, demo_pack):
    contents = demo_html[demo_html.index('<nav class="contents"') : demo_html.index("</nav>")]
    assert contents.index('href="#overview">Summary of all indicators') < contents.index(
        'href="#key"'
    )
    assert demo_html.index('id="overview"') < demo_html.index('id="key"')
    page = _overview(demo_html)
    table = page[page.index('<table class="overview-table">') : page.index("</table>")]
    assert table.count('<th scope="row">') == len(demo_pack.indicators)
    rows = {
        m.group(1): _cells(m.group(0))
        for m in re.finditer(
            r'<tr><td>[^<]*</td><th scope="row"><a href="#ind-(\w+)".*?</tr>', table
        )
    }
    assert set(rows) == set(demo_pack.indicators)
    # ASC07 is reported a month behind: its latest period shows the lag.
    assert rows["ASC07"][:6] == [
        "7", "Delayed Transfer of Care", "Adult Social Care", "Aug-13", "Amber", "▲ Improved"
    ]  # fmt: skip
    assert rows["ASC01"][6:] == ["Improvement (high)", "Target consistently missed"]
    assert rows["ASC02"][7] == "No target"
    assert rows["SCS01"][6:] == ["– No SPC chart", "– No SPC chart"]  # a dash, and words


def test_summary_matrix_counts_indicators_by_variation_and_assurance(demo_html):
    page = _overview(demo_html)
    matrix = page[page.index('<table class="icon-matrix">') :]
    head = _cells(matrix[matrix.index("<thead>") : matrix.index("</thead>")])
    assert head == [
        "", "Target consistently met", "Target consistently missed",
        "Target may or may not be met", "No target", "Total",
    ]  # fmt: skip
    body = {
        cells[0]: cells[1:]
        for cells in (
            _cells(r) for r in re.findall(r"<tr>(.*?)</tr>", matrix[: matrix.index("</tbody>")])
        )
        if cells and cells[0]
    }
    assert body["Common cause"] == ["1", "0", "3", "0", "4"]
    assert body["Improvement (high)"] == ["0", "1", "3", "1", "5"]
    assert body["Improvement (low)"] == ["0", "0", "1", "0", "1"]
    assert body["Concern (high)"] == ["0"] * 5  # every icon has its row, counted or not
    foot = _cells(matrix[matrix.index("<tfoot>") : matrix.index("</tfoot>")])
    assert foot == ["Total", "1", "1", "7", "1", "10"]
    assert "13 indicators have no SPC chart and are not counted." in page


def test_summary_page_can_be_left_out_and_follows_a_subset(demo_pack):
    off = render_html(build_report(dataclasses.replace(demo_pack, summary_page=False)))
    assert 'id="overview"' not in off and "#overview" not in off
    subset = render_html(build_report(demo_pack, tags=("qpr",)))
    table = _overview(subset)
    linked = set(re.findall(r'<th scope="row"><a href="#ind-(\w+)"', table))
    assert linked == {"ASC01", "ASC03", "ASC04", "ASC05", "ASC11"}


def test_latest_period_summary_column(demo_pack):
    section = dataclasses.replace(
        demo_pack.sections[0], summary_columns=("title", "current", "latest_period")
    )
    pack = dataclasses.replace(demo_pack, sections=(section, *demo_pack.sections[1:]))
    table = build_report(pack).sections[0].summary
    assert [c.heading for c in table.columns] == ["Indicator", "Current position", "Latest period"]
    periods = {row[0].text: row[2].text for row in table.rows}
    assert periods["Delayed transfers of care"] == "Aug-13"  # reported a month behind
    assert periods["Percentage of contacts resolved at source"] == "Sep-13"


def test_render_html_leaves_out_figures_after_the_as_at_period(demo_pack_dir, tmp_path):
    pack_dir = shutil.copytree(demo_pack_dir, tmp_path / "pack")
    with (pack_dir / "data" / "actuals.csv").open("a", encoding="utf-8") as handle:
        handle.write("ASC01,2013-10,actual,99\n")  # entered for the month after September
    page = render_html(build_report(load_pack(pack_dir)))
    start = page.index('id="ind-ASC01"')
    asc01 = page[start : page.index('id="ind-ASC02"')]
    assert "Oct-13" not in asc01 and "99%" not in asc01
    assert "Sep-13: 73%" in asc01
