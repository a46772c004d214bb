"""In a real browser: the dashboard in pages (10 a page here, 100 on a site), following the page
links; axe-core checks the pagination at a desktop width and a phone's."""

from __future__ import annotations

import pytest

from kpiboard.web.views import dashboard
from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_pages_follow_the_links(demo_site, live_server, browser_page, monkeypatch, width):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 10)
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/sign-in/")
    journey.sign_in("viewer")
    journey.goto("/")
    assert "Page 1 of 3." in page.locator("main").inner_text()
    journey.check(f"dashboard page 1 at {width}px")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state("load")
    assert "Page 2 of 3." in page.locator("main").inner_text()
    page.get_by_role("link", name="Page 3").click()
    page.wait_for_load_state("load")
    assert "Page 3 of 3." in page.locator("main").inner_text()
    journey.check(f"dashboard page 3 at {width}px")
