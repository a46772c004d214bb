"""The priorities page in a browser, reached from the business plan page, and the dashboard
filtered by a priority from it, with no axe-core violations at desktop and phone widths."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import Journey

pytestmark = [pytest.mark.browser]


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_priorities_page_and_priority_filter_have_no_axe_violations(
    demo_site, live_server, browser_page, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/plan/")
    journey.sign_in("viewer")
    page.get_by_role("link", name="Each priority with its indicators’ ratings").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/plan/priorities/"
    heading = page.get_by_role("heading", name="Get people home from hospital quickly")
    assert heading.is_visible()
    journey.check("priorities page")

    name = "Its indicators on the dashboard (Get people home from hospital quickly and keep them"
    page.get_by_role("link", name=name).click()
    page.wait_for_load_state("load")
    assert parse_qs(urlsplit(page.url).query) == {"priority": ["BS-IND-3"]}
    assert page.get_by_text("Showing 2 of 23 indicators that match the filters.").is_visible()
    journey.check("dashboard filtered by a priority")

    page.get_by_label("Priority").select_option("BS-SAFE")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("load")
    assert parse_qs(urlsplit(page.url).query)["priority"] == ["BS-SAFE"]
    journey.check("dashboard filtered by an ambition")
    assert journey.failures == []
    journey.assert_accessible()
