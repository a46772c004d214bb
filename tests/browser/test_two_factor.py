"""Two-factor authentication in a real browser, at desktop and phone widths: an analyst sets up an
authenticator app from the secret the page shows (as someone who cannot scan the QR code would),
saves the recovery codes, signs out, signs in with a code from the app, then with a recovery code,
and turns it off. axe-core checks every two-factor page on the way, error states included."""

from __future__ import annotations

import time
from base64 import b32decode
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP

from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step_now() -> int:
    return int(time.time()) // 30


def app_code(key: bytes, after_step: int = -1) -> tuple[str, int]:
    """The app's code for ``key`` of a later 30-second step than ``after_step`` (each code is
    taken once), and that step. Rather than wait for the clock, the next step's code is used at
    once: kpiboard accepts one step early (clock drift) and then follows the drift, as it would
    for a phone whose clock runs a little fast."""
    totp = TOTP(key)
    step = max(step_now(), after_step + 1)
    totp.time = step * 30 + 1
    return f"{totp.token():06d}", totp.t()


def summary(page) -> str:
    """The settings page's summary list, its rows on one line whatever the width."""
    return " ".join(page.locator(".govuk-summary-list").inner_text().split())


def path(page) -> str:
    return urlsplit(page.url).path


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_set_up_then_sign_in_with_a_code_and_with_a_recovery_code(
    demo_site, live_server, browser_page, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/")
    journey.sign_in("analyst")
    assert path(page) == "/"

    # Settings, then set-up: the QR code is drawn in the page; the key is there to type.
    page.get_by_role("link", name="Two-factor authentication").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Two-factor authentication").is_visible()
    journey.check("two-factor settings (off)")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    page.get_by_text("I cannot scan the QR code").click()
    key = b32decode(page.locator("#two-factor-secret").inner_text().replace(" ", ""))
    journey.check("two-factor set-up")

    page.get_by_label("Code from your app").fill("12345")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state("load")
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    journey.check("two-factor set-up with an error")
    time.sleep(1.1)  # the wait after one wrong code
    code, used_step = app_code(key)
    page.get_by_label("Code from your app").fill(code)
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state("load")

    # Ten recovery codes, shown once.
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    recovery = page.locator("#recovery-codes li").all_inner_texts()
    assert len(recovery) == 10
    journey.check("recovery codes")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    page.wait_for_load_state("load")
    assert "Recovery codes left 10" in summary(page)
    journey.check("two-factor settings (on)")

    # Sign out and in again: after the password, the code from the app.
    journey.sign_out()
    journey.sign_in("analyst")
    assert path(page) == "/two-factor/code/"
    assert page.get_by_role("navigation", name="Menu").count() == 0
    journey.check("code after the password")
    code, used_step = app_code(key, after_step=used_step)
    page.get_by_label("Enter the code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    assert path(page) == "/"

    # And again with a recovery code, after a wrong one.
    journey.sign_out()
    journey.sign_in("analyst")
    page.get_by_label("Enter the code from your authenticator app").fill("aaaaa-aaaaa")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    journey.check("code after the password, with an error")
    time.sleep(1.1)
    page.get_by_label("Enter the code from your authenticator app").fill(recovery[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    assert path(page) == "/"

    # Turn it off with another recovery code.
    page.get_by_role("link", name="Two-factor authentication").click()
    page.wait_for_load_state("load")
    assert "Recovery codes left 9" in summary(page)
    page.get_by_role("link", name="Turn off two-factor authentication").click()
    page.wait_for_load_state("load")
    journey.check("turn off two-factor authentication")
    page.get_by_label("Enter a code to turn off two-factor authentication").fill(recovery[1])
    page.get_by_role("button", name="Turn off two-factor authentication").click()
    page.wait_for_load_state("load")
    assert "Two-factor authentication is off." in journey.banner_text()

    # Only the two wrong codes were refused (400), nothing else failed to load.
    assert journey.failures == [
        f"400 document {live_server.url}/account/two-factor/set-up/",
        f"400 document {live_server.url}/two-factor/code/",
    ]
    journey.assert_accessible()


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_an_administrator_who_must_use_it_is_sent_to_set_up_first(
    demo_site, live_server, browser_page, settings, width
):
    settings.TWO_FACTOR_REQUIRED = ["administrator"]
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/security-events/")
    journey.sign_in("admin")
    assert path(page) == "/account/two-factor/set-up/"
    assert page.get_by_role("navigation", name="Menu").count() == 0
    assert "Your role must use two-factor authentication" in page.inner_text("main")
    journey.check("set-up, required")
    journey.goto("/")
    assert path(page) == "/account/two-factor/set-up/"

    page.get_by_text("I cannot scan the QR code").click()
    key = b32decode(page.locator("#two-factor-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code from your app").fill(app_code(key)[0])
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    journey.goto("/security-events/")
    assert "Two-factor authentication set up" in page.inner_text("main")

    journey.goto("/account/two-factor/")
    assert page.get_by_role("link", name="Turn off two-factor authentication").count() == 0
    journey.goto("/account/two-factor/turn-off/")
    assert page.get_by_role(
        "heading", name="You cannot turn off two-factor authentication"
    ).is_visible()
    journey.check("turn off, refused where required")
    assert journey.failures == []
    journey.assert_accessible()
