"""The reporting cycle's pages in a browser: an owner's task list, the team view and the
messages page, with no axe-core violations at desktop and phone widths."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.browser_support import Journey


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_task_list_team_and_messages_have_no_axe_violations(
    demo_site, live_server, browser_page, settings, mailoutbox, width
):
    settings.KPIBOARD_TODAY = date(2013, 12, 2)
    for name in ("owner", "approver"):
        demo_site[name].email = f"{name}@example.org"
        demo_site[name].save()
    call_command("remind", "--today", "2013-12-02", stdout=io.StringIO())
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)

    journey.goto("/")
    journey.sign_in("owner")
    assert page.get_by_role("heading", name="Your tasks").is_visible()
    journey.check("task list")
    page.get_by_role("link", name="Figures for ASC01, Oct-13").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/entry/ASC01/2013-10/"
    journey.goto("/messages/")
    assert page.get_by_role("cell", name="Overdue", exact=True).count() == 1
    journey.check("messages sent to you")
    journey.sign_out()

    journey.sign_in("approver")
    if width < 700:
        page.get_by_role("button", name="Menu").click()
    journey.nav("Team")
    assert urlsplit(page.url).path == "/team/"
    assert page.get_by_role("heading", name="Adult Social Care").is_visible()
    journey.check("team view")
    journey.goto("/messages/")
    journey.check("messages sent to an approver")

    assert journey.failures == []
    journey.assert_accessible()
