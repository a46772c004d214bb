"""The business plan page in a browser, reached from the menu, an owner's action update through
its form (an error, then saved) and a risk review, with no axe-core violations at desktop and
phone widths."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser_support import Journey


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_plan_page_action_update_and_risk_review_have_no_axe_violations(
    demo_site, live_server, browser_page, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/")
    journey.sign_in("section_owner")
    if width < 700:
        page.get_by_role("button", name="Menu").click()
    journey.nav("Business plan")
    assert urlsplit(page.url).path == "/plan/"
    assert page.get_by_role("img", name="Adult Social Care: risks by current score").is_visible()
    journey.check("business plan")

    name = "Give an update on Recruit permanent social workers to replace agency staff"
    page.get_by_role("link", name=name).click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/plan/actions/ACT-RECRUIT/update/"
    journey.check("action update form")
    page.get_by_label("What has happened this period").fill("")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    journey.check("action update form with an error")
    page.get_by_label("At risk").check()
    page.get_by_label("Percentage complete").fill("35")
    page.get_by_label("What has happened this period").fill("Offers accepted at last.")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/plan/"
    assert page.get_by_text("Offers accepted at last.").is_visible()

    page.get_by_role("link", name="Review Not enough permanent social workers").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/plan/risks/R-WORK/review/"
    journey.check("risk review form")
    page.get_by_label("3 Possible").check()
    page.get_by_label("What has changed (optional)").fill("Agency use falling.")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/plan/"
    assert page.get_by_text("15 High (likelihood 3 Possible, impact 5 Major)").first.is_visible()
    # The one refusal is the form sent with an error, on purpose.
    form = f"{live_server.url}/plan/actions/ACT-RECRUIT/update/"
    assert journey.failures == [f"400 document {form}"]
    journey.assert_accessible()
