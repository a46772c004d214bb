"""Annual targets in a real browser, at desktop and phone widths: the owner sees that October has
no target, the analyst sets 2013/14's annual target (after a refused first try), and the entry
form then shows October's target. axe-core checks every page on the way (WCAG 2.2 A and AA)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = "/indicators/ASC01/targets/"
OCTOBER = "/entry/ASC01/2013-10/"


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_analyst_sets_an_annual_target_and_the_new_month_shows_it(
    demo_site, live_server, browser_page, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/sign-in/")
    journey.sign_in("analyst")

    journey.goto(OCTOBER)
    assert "There is no target for Oct-13" in page.locator("#period-target").inner_text()
    journey.check("entry form with no target")
    journey.goto("/entry/")
    assert page.get_by_role("heading", name="Targets missing").first.is_visible()
    journey.check("data entry list with targets missing")

    journey.goto("/indicators/ASC01/")
    page.get_by_role("link", name="Set annual targets").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == FORM
    journey.check("annual target form")

    page.get_by_label("Financial year").select_option("2013/14")
    page.get_by_label("Target for the year").fill("85%")
    page.get_by_role("button", name="Save the annual target").click()
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "write percentages without %" in summary
    assert "Enter the reason for the target" in summary
    journey.check("annual target form with errors")

    page.get_by_label("Target for the year").fill("85")
    page.get_by_label("Reason").fill("Agreed in the 2013/14 business plan")
    page.get_by_role("button", name="Save the annual target").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == FORM
    assert "The annual target of ASC01 for 2013/14 is 85%." in journey.banner_text()
    assert "85%" in page.get_by_role("table").inner_text()
    journey.check("annual target form with the target in force")

    journey.goto(OCTOBER)
    target = page.locator("#period-target").inner_text()
    assert "Target for Oct-13: 85% (from the 2013/14 annual target of 85%, profiled flat)" in target
    journey.check("entry form with a profiled target")

    assert journey.failures == [f"400 document {live_server.url}{FORM}"]
    journey.assert_accessible()
