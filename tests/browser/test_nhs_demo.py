"""The NHS trust demo in a real browser: its web pages and its HTML report, at desktop and phone
widths, with no axe-core WCAG 2.2 A/AA violation (issue 8's second demo).

The trust's pack is loaded into the test database in place of the council demo (the database is
flushed after the test and the council demo put back, see tests/conftest.py).
"""

from __future__ import annotations

import pytest

from kpiboard.demo import DemoKind, pack_source
from kpiboard.packs.loader import load_pack
from kpiboard.report import build_report
from kpiboard.report.html import render_html
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Role
from kpiboard.web.store import load_pack_into_db
from tests.browser_support import Journey, axe_violations, describe
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]

#: One indicator of each kind the trust demo shows off.
PAGES = {
    "AE01": "4-hour standard, per-year rules, rebased SPC, peers",
    "NE01": "never events on a t-chart",
    "MRSA01": "MRSA on a g-chart",
    "CDI01": "year to date with SPC on the monthly cases",
    "FALLS01": "a per-month ratio",
    "HSMR01": "a ratio with its confidence interval against a benchmark",
    "MAT01": "a yearly figure with England, region and peers from Fingertips",
    "WF03": "a quarterly indicator",
    "FIN01": "a deficit in £k",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_nhs_demo_pages_have_no_axe_violations(live_server, browser_page, width):
    load_pack_into_db(pack_source(DemoKind.NHS_TRUST), reason="Demo pack")
    create_person("board", Role.VIEWER, password=PASSWORD)
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/")
    journey.sign_in("board")
    assert page.get_by_text("Summary of variation and assurance").is_visible()
    journey.check("dashboard")
    for code, what in PAGES.items():
        journey.goto(f"/indicators/{code}/")
        assert page.get_by_role("heading", level=1).first.is_visible(), code
        journey.check(f"{code}: {what}")
    assert journey.failures == []
    journey.assert_accessible()


@pytest.mark.parametrize("width", [1280, 390])
def test_nhs_demo_html_report_has_no_axe_violations(tmp_path, width):
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser

    require_browser()
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    path.write_text(render_html(build_report(load_pack(pack_source("nhs-trust")))), "utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # bypass_csp: the report's policy forbids scripts, axe-core included.
            page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            page.goto(path.as_uri())
            violations = axe_violations(page)
        finally:
            browser.close()
    assert violations == [], describe(violations)
