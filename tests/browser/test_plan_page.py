"""The business plan page in a browser, reached from the menu, with no axe-core violations at
desktop and phone widths."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser_support import Journey


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_plan_page_has_no_axe_violations(demo_site, live_server, browser_page, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/")
    journey.sign_in("viewer")
    if width < 700:
        page.get_by_role("button", name="Menu").click()
    journey.nav("Business plan")
    assert urlsplit(page.url).path == "/plan/"
    assert page.get_by_role("heading", name="Specialist Children's Services").is_visible()
    assert page.get_by_role("img", name="Adult Social Care: risks by current score").is_visible()
    journey.check("business plan")
    assert journey.failures == []
    journey.assert_accessible()
