"""The entry pages the month's journey (test_month_cycle) does not reach, in a real browser at
desktop and phone widths: changed since approval on the review page, a submitted section's check
your answers, and withdrawing a figure. axe-core checks every page on the way."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.db import connections

from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
