"""Recent changes in a real browser: the Older and Newer links (cursors) page past the newest
ones counted, and a tampered link gets the error summary. axe-core checks each page."""

from __future__ import annotations

import pytest

from kpiboard.web.views import changes
from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_changes_older_and_newer_links_page_past_the_counted_ones(
    demo_site, live_server, browser_page, monkeypatch
):
    monkeypatch.setattr(changes, "COUNTED", 60)  # the demo's pack load: thousands of revisions
    page = browser_page
    journey = Journey(page, live_server.url)
    journey.goto("/changes/?loads=1")
    journey.sign_in("viewer")
    journey.goto("/changes/?loads=1")
    status = page.get_by_role("status")
    assert status.inner_text() == "Changes 1 to 50 of more than 60 (page 1)."
    journey.check("recent changes, newest")
    for _ in range(2):
        page.get_by_role("link", name="Older changes").click()
        page.wait_for_load_state("load")
    assert status.inner_text() == "Changes older than the newest 60, newest first."
    assert "before=" in page.url and "loads=1" in page.url
    journey.check("recent changes, older than the newest counted")
    page.get_by_role("link", name="Newer changes").click()
    page.wait_for_load_state("load")
    assert status.inner_text() == "Changes 51 to 100 of more than 60 (page 2)."
    assert not journey.failures, journey.failures
    journey.goto("/changes/?before=not-a-cursor")
    assert page.get_by_role("alert").inner_text().startswith("There is a problem")
    journey.check("recent changes, bad cursor")
    assert journey.failures == [f"400 document {live_server.url}/changes/?before=not-a-cursor"]
    journey.assert_accessible()
