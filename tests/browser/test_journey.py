"""End to end in a real browser: an owner enters a month's figure, the approver signs it off, and
the approved PDF report carries it. axe-core checks every page on the way (WCAG 2.2 A and AA).

Headless Debian Chromium driven by Playwright against pytest-django's live server, with the demo
site and its people (tests/conftest.py). ASC01 is Amber in the demo as at September 2013; its
owner enters October's figure (75%) and commentary, submits Adult Social Care for October, the
approver approves it, and the "as approved" PDF for the section shows 75% for Oct-13.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections

from kpiboard.web.models import Figure, Signoff
from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENTARY = "October rose to 75% as the review of care packages moved people onto budgets."


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_owner_enters_approver_approves_and_the_approved_pdf_has_the_figure(
    demo_site,
    live_server,
    browser_page,
):
    page = browser_page
    journey = Journey(page, live_server.url)

    # The owner of ASC01 signs in through the form (after being sent there from the dashboard).
    journey.goto("/")
    assert urlsplit(page.url).path == "/sign-in/"
    journey.check("sign-in page")
    journey.sign_in("owner")
    assert urlsplit(page.url).path == "/"
    assert page.get_by_role("heading", name="Your tasks").is_visible()  # an owner's home
    journey.check("task list")
    journey.nav("Dashboard")
    assert urlsplit(page.url).path == "/dashboard/"
    journey.check("dashboard")

    # Find the Amber indicator: filter by rating, then open ASC01.
    page.get_by_label("Rating", exact=True).select_option(label="Amber")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("load")
    assert "rating=AMBER" in page.url
    journey.check("dashboard filtered to Amber")
    asc01 = page.get_by_role("row").filter(has_text="ASC01")
    assert asc01.count() == 1
    assert "Amber" in asc01.inner_text()
    asc01.get_by_role("link").first.click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/indicators/ASC01/"
    journey.check("indicator page ASC01")

    # Data entry for the next month, October 2013: the figure and commentary.
    journey.nav("Data entry")
    journey.check("data entry list")
    page.get_by_role("link", name="Enter figures for ASC01, Oct-13").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/entry/ASC01/2013-10/"
    journey.check("entry form ASC01 Oct-13")
    page.get_by_label("Actual", exact=True).fill("75")
    page.get_by_role("textbox", name="Commentary").fill(COMMENTARY)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state("load")
    assert "Saved ASC01 for Oct-13" in journey.banner_text()
    journey.check("indicator page after saving")

    # The full revision history starts with the new figure, entered by the owner (shown by name).
    page.get_by_role("link", name="See the full revision history").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/indicators/ASC01/history/"
    latest = page.locator("details.kpi-history").first.inner_text()
    assert "Oct-13" in latest and "75%" in latest and "Grace Adeyemi" in latest
    journey.check("revision history ASC01")

    # Recent changes lists the same save for the whole site.
    journey.nav("Changes")
    first = page.get_by_role("row").nth(1).inner_text()
    assert "ASC01, Oct-13" in first and "Grace Adeyemi" in first
    journey.check("recent changes")

    # Submit Adult Social Care's October for approval.
    journey.nav("Data entry")
    page.get_by_role("link", name="Check and submit Adult Social Care, Oct-13").click()
    page.wait_for_load_state("load")
    journey.check("check your answers")
    # October has no target yet (an analyst sets it): the owner says why before submitting.
    page.get_by_label("Why is ASC01 incomplete?").fill("The 2013/14 target is being agreed")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state("load")
    assert "submitted for approval" in journey.banner_text()
    journey.check("data entry list after submitting")
    journey.sign_out()
    assert urlsplit(page.url).path == "/sign-in/"
    journey.check("sign-in page after signing out")

    # The approver signs in and approves.
    journey.sign_in("approver")
    journey.check("dashboard (approver)")
    journey.nav("Data entry")
    journey.check("sign-off list (approver)")
    page.get_by_role("button", name="Approve Adult Social Care, Oct-13").click()
    page.wait_for_load_state("load")
    assert "approved" in journey.banner_text()
    journey.check("sign-off list after approving")

    # The section's report as approved, as a PDF.
    journey.nav("Reports")
    journey.check("reports")
    page.get_by_label("Section", exact=True).select_option(label="Adult Social Care")
    page.get_by_label("Data as at").select_option(value="2013-10")
    page.get_by_label("PDF document").check()
    page.get_by_label("As approved").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download report").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-asc-2013-10-approved.pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = squash(pdf_text(data))
    assert "Latest:75%(Oct-13)" in text, "ASC01's page does not show October's figure"
    assert squash(COMMENTARY) in text
    assert "SpecialistChildren" not in text  # the one section asked for

    assert not journey.failures, journey.failures
    assert len(journey.checked) >= 14
    journey.assert_accessible()

    # What the browser did is what the database holds.
    try:
        october = Figure.objects.select_related("author").get(
            indicator__code="ASC01", period="2013-10", series="actual", is_current=True
        )
        approval = Signoff.objects.select_related("author").get(
            section__code="asc", period="2013-10", is_current=True
        )
    finally:
        # A connection opened beside Playwright's event loop is not the one pytest-django closes
        # at the end: left open, PostgreSQL would refuse to drop the test database.
        connections.close_all()
    assert october.value == 75 and october.author.username == "owner"
    assert approval.state == "approved" and approval.author.username == "approver"


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_analyst_overrides_a_rating_and_the_dashboard_marks_it(
    demo_site, live_server, browser_page
):
    page = browser_page
    journey = Journey(page, live_server.url)
    journey.goto("/sign-in/")
    journey.sign_in("analyst")

    journey.goto("/indicators/ASC03/")
    page.get_by_role("link", name="Override the rating").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/indicators/ASC03/override/"
    journey.check("override form")

    # Without a reason: the error summary, then the field's own message.
    page.get_by_label("Red", exact=True).check()
    page.get_by_role("button", name="Save the rating").click()
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the reason for the override" in summary
    journey.check("override form with an error")

    page.get_by_label("Reason").fill("Return under review with the NHS")
    page.get_by_role("button", name="Save the rating").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/indicators/ASC03/"
    assert "was overridden" in journey.banner_text()
    journey.check("indicator page with an override")

    journey.nav("Dashboard")
    row = page.get_by_role("row").filter(has_text="ASC03").inner_text()
    assert "Red" in row
    journey.check("dashboard with an override")

    # The one refusal expected: the form sent without a reason (400, as the entry form does).
    assert journey.failures == [f"400 document {live_server.url}/indicators/ASC03/override/"]
    journey.assert_accessible()


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_summary_matrix_links_to_the_indicators_it_counts(demo_site, live_server, browser_page):
    page = browser_page
    journey = Journey(page, live_server.url)
    journey.goto("/")
    journey.sign_in("viewer")
    summary = page.locator("details.kpi-matrix-details")
    assert summary.get_attribute("open") is not None  # shown open: the board's first read
    matrix = page.get_by_role("table", name="Indicators by variation and assurance")
    assert matrix.get_by_role("columnheader", name="Target consistently missed").count() == 1
    matrix.get_by_role(
        "link", name="1 indicator: Improvement (high), Target consistently missed"
    ).click()
    page.wait_for_load_state("load")
    assert "variation=improvement_high" in page.url and "assurance=fail" in page.url
    assert page.get_by_label("Variation", exact=True).input_value() == "improvement_high"
    assert page.get_by_label("Assurance", exact=True).input_value() == "fail"
    rows = page.locator("table.kpi-dash tbody tr")
    assert rows.count() == 1 and "ASC01" in rows.first.inner_text()
    journey.check("dashboard filtered from the summary matrix")
    journey.assert_accessible()
    assert journey.failures == []
