"""In a real browser: approving October moves the whole site on to October 2013, and the period
picker (a plain GET form, no JavaScript needed) shows September again. axe-core checks every page
at a desktop width and a phone's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connections

from kpiboard.web.models import ReportingMonth
from kpiboard.web.signoff import set_signoff
from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_approving_october_moves_the_dashboard_and_the_picker_shows_september(
    demo_site, live_server, browser_page, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)

    journey.goto("/sign-in/")
    journey.sign_in("owner")  # an owner lands on their task list
    journey.goto("/dashboard/")
    assert "as at September 2013" in page.locator("main").inner_text()
    journey.check(f"dashboard before approval at {width}px")
    journey.sign_out()
    # Submitted as the check-your-answers page would (its journey: test_entry_cycle.py).
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")

    journey.sign_in("approver")
    journey.goto("/entry/")
    page.get_by_role("button", name="Approve Adult Social Care, Oct-13").click()
    page.wait_for_load_state("load")
    assert "approved" in journey.banner_text()

    journey.goto("/")  # the menu folds away on a phone
    main = page.locator("main").inner_text()
    assert "as at October 2013" in main
    assert page.get_by_label("Month to show").input_value() == "2013-10"
    journey.check(f"dashboard after approving October at {width}px")

    # Look back at September with the picker: a GET form, so the month is in the address.
    page.get_by_label("Month to show").select_option(label="September 2013")
    page.get_by_role("button", name="Show month").click()
    page.wait_for_load_state("load")
    assert parse_qs(urlsplit(page.url).query) == {"period": ["2013-09"]}
    main = page.locator("main").inner_text()
    assert "as at September 2013" in main
    assert "You are looking at September 2013, an earlier month." in main
    journey.check(f"dashboard showing September at {width}px")

    # An indicator from there keeps September, and a link goes back to the reporting month.
    page.get_by_role("row").filter(has_text="ASC01").get_by_role("link").first.click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/indicators/ASC01/"
    assert "As at September 2013." in page.locator("main").inner_text()
    journey.check(f"indicator page showing September at {width}px")
    page.get_by_role("link", name="Show October 2013, the reporting month").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).query == ""
    assert "As at October 2013." in page.locator("main").inner_text()

    # The reporting month's page says how it moved.
    page.get_by_role("link", name="See how it has moved").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/reporting-month/"
    assert "Period approved" in page.locator("main").inner_text()
    journey.check(f"reporting month page at {width}px")

    assert not journey.failures, journey.failures
    journey.assert_accessible()
    try:
        assert ReportingMonth.objects.get(is_current=True).period == "2013-10"
    finally:
        connections.close_all()


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_analyst_moves_the_month_with_the_form(demo_site, live_server, browser_page, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/sign-in/")
    journey.sign_in("analyst")
    page.get_by_role("link", name="Change it, or see how it has moved").click()
    page.wait_for_load_state("load")
    journey.check(f"reporting month form at {width}px")

    page.get_by_label("Month", exact=True).select_option(value="2013-10")
    page.get_by_role("button", name="Move the reporting month").click()
    page.wait_for_load_state("load")
    assert (
        "Enter the reason for moving the reporting month"
        in page.locator(".govuk-error-summary").inner_text()
    )
    journey.check(f"reporting month form with an error at {width}px")

    page.get_by_label("Reason").fill("October's returns are all in")
    page.get_by_role("button", name="Move the reporting month").click()
    page.wait_for_load_state("load")
    assert "The reporting month is now October 2013." in journey.banner_text()
    journey.check(f"reporting month moved at {width}px")
    journey.goto("/")  # the menu folds away on a phone
    assert "as at October 2013" in page.locator("main").inner_text()

    assert journey.failures == [f"400 document {live_server.url}/reporting-month/"]
    journey.assert_accessible()
