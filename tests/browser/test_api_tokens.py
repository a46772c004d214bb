"""In a real browser: a person makes an API token, copies it from the page, uses it over HTTP
against the running server, and revokes it. axe-core checks every page at a desktop width and
a phone's."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_a_token_made_on_the_page_reads_the_api_until_it_is_revoked(
    demo_site, live_server, browser_page, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/sign-in/")
    journey.sign_in("viewer")
    journey.goto("/account/api-tokens/")
    journey.check(f"API tokens page at {width}px")

    page.get_by_role("button", name="Make token").click()
    page.wait_for_load_state("load")
    assert "Enter what the token is for" in page.locator("main").inner_text()
    journey.check(f"API tokens page with errors at {width}px")

    page.get_by_label("What it is for").fill("Power BI")
    page.get_by_label("Read", exact=True).check()
    page.get_by_role("button", name="Make token").click()
    page.wait_for_load_state("load")
    token = page.locator("#new-token").inner_text().strip()
    journey.check(f"API tokens page showing a new token at {width}px")

    status, body = get(f"{live_server.url}/api/v1/sections", token)
    assert (status, [s["code"] for s in body["items"]]) == (200, ["asc", "scs"])

    page.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state("load")
    assert "revoked" in journey.banner_text()
    journey.check(f"API tokens page after revoking at {width}px")
    assert get(f"{live_server.url}/api/v1/sections", token)[0] == 401
