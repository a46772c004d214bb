"""A month's entry and approval in a real browser, at desktop and phone widths: the owner fills in
the grid (a 740% slip is warned and corrected), checks the answers, is refused with a gap and then
explains it, submits; the approver reviews and approves. axe-core checks every page on the way."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.db import connections

from kpiboard.web.models import GapExplanation, Signoff
from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_grid_check_answers_submit_review_approve(demo_site, live_server, browser_page, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/entry/")
    journey.sign_in("owner")

    # The grid for October, from the data entry list.
    journey.check("data entry list")
    page.get_by_role("link", name="Enter all your figures for Oct-13").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/enter/2013-10/"
    journey.check("entry grid")

    # A slip: 740 for a percentage. Warned, not saved; corrected to 75%.
    page.get_by_label("Figure", exact=True).fill("740")
    page.get_by_role("button", name="Save and check Adult Social Care").click()
    page.wait_for_load_state("load")
    assert "740% is a percentage over 100" in page.locator("#grid-form").inner_text()
    assert "ASC01: check the figure" in page.locator(".govuk-error-summary").inner_text()
    journey.check("entry grid with a warning")
    page.get_by_label("Figure", exact=True).fill("75%")
    page.get_by_role("button", name="Save and check Adult Social Care").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/sections/asc/2013-10/check/"
    assert "Saved 1 indicator for Oct-13" in journey.banner_text()
    journey.check("check your answers")

    # No commentary: refused until the gap is explained.
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state("load")
    assert "ASC01 has no commentary and no target for Oct-13" in page.locator(".govuk-error-summary").inner_text()
    journey.check("check your answers with a gap")
    page.get_by_label("Why is ASC01 incomplete?").fill("The team's note follows on Monday")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/entry/"
    assert "submitted for approval" in journey.banner_text()
    journey.sign_out()

    # The approver reviews and approves.
    journey.sign_in("approver")
    journey.goto("/entry/")
    page.get_by_role("link", name="Review Adult Social Care, Oct-13").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/sections/asc/2013-10/review/"
    table = page.get_by_role("table").first.inner_text()
    assert "75%" in table and "The team's note follows on Monday" in table
    journey.check("review page")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Confirm decision").click()
    page.wait_for_load_state("load")
    assert "Adult Social Care for Oct-13 approved" in journey.banner_text()
    journey.check("review page after approving")

    # The refusals expected: the warned grid and the submission with a gap (400 each).
    assert journey.failures == [
        f"400 document {live_server.url}/enter/2013-10/",
        f"400 document {live_server.url}/sections/asc/2013-10/check/",
    ]
    journey.assert_accessible()
    try:
        approval = Signoff.objects.get(section__code="asc", period="2013-10", is_current=True)
        gap = GapExplanation.objects.get(indicator__code="ASC01", period="2013-10")
    finally:
        connections.close_all()
    assert approval.state == "approved" and gap.text == "The team's note follows on Monday"


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_changed_since_approval_withdraw_and_template_pages_are_accessible(
    demo_site, live_server, browser_page, width
):
    from kpiboard.web.signoff import set_signoff
    from kpiboard.web.writes import save_period_entry

    people = demo_site
    save_period_entry(people["owner"], "ASC01", "2013-10", {"actual": 74.0}, {}, "Ok.", 0, "")
    set_signoff(people["owner"], "asc", "2013-10", "submitted")
    set_signoff(people["approver"], "asc", "2013-10", "approved")
    save_period_entry(
        people["analyst"], "ASC01", "2013-10", {"actual": 76.0}, {"actual": 1}, None, 0, "Late"
    )
    set_signoff(people["owner"], "asc", "2013-11", "submitted")
    connections.close_all()
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/sections/asc/2013-10/review/")
    journey.sign_in("approver")
    assert "Changed since approval" in journey.banner_text()
    journey.check("review page, changed since approval")
    journey.sign_out()
    journey.sign_in("owner")
    journey.goto("/sections/asc/2013-11/check/")
    assert page.get_by_role("button", name="Withdraw the submission").is_visible()
    journey.check("check your answers, submitted")
    journey.goto("/entry/ASC01/2013-09/withdraw/")
    journey.check("withdraw a figure")
    page.get_by_role("button", name="Withdraw the figures").click()
    page.wait_for_load_state("load")
    assert (
        "Enter why the figure is being withdrawn"
        in page.locator(".govuk-error-summary").inner_text()
    )
    journey.check("withdraw a figure, no reason")
    page.get_by_label("Why are the figures being withdrawn?").fill("It was October's figure")
    page.get_by_role("button", name="Withdraw the figures").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/indicators/ASC01/"
    assert journey.failures == [f"400 document {live_server.url}/entry/ASC01/2013-09/withdraw/"]
    journey.assert_accessible()
    connections.close_all()
