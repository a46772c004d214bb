"""Single sign-on in a real browser: Chromium goes from kpiboard's sign-in page to the test
OpenID provider (tests/oidc_idp, its own process), signs in and consents there, and comes back
signed in to kpiboard; then someone the provider knows but kpiboard does not is refused with a
page that says what to do. axe-core checks kpiboard's pages at 1280 and 390 pixels wide."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore

from kpiboard.web import sso
from kpiboard.web.models import SecurityEvent, SecurityEventKind
from tests import oidc_support
from tests.browser_support import Journey
from tests.oidc_support import PROVIDER_NAME, PROVIDER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

oidc_provider = oidc_support.oidc_provider  # the provider process, started once per run
sso_on = oidc_support.sso_on

EMAIL = "owner@council.example.gov.uk"
BUTTON = f"Sign in with {PROVIDER_NAME}"


def check_both_widths(journey: Journey, what: str) -> None:
    for width in (1280, 390):
        journey.page.set_viewport_size({"width": width, "height": 900})
        journey.check(f"{what} at {width}px")
    journey.page.set_viewport_size({"width": 1280, "height": 900})


def through_the_provider(journey: Journey, account: str) -> None:
    """From kpiboard's sign-in page: the button, the provider's sign-in, then its consent."""
    page = journey.page
    page.get_by_role("button", name=BUTTON).click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/accounts/login/"  # at the provider now
    page.get_by_label("Provider username").fill(account)
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state("load")


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_sso_signs_in_through_the_provider_and_refuses_a_stranger(
    demo_site, live_server, browser_page, sso_on, settings
):
    owner = demo_site["owner"]
    owner.email = EMAIL
    owner.save()
    sso_on.allow_redirect(f"{live_server.url}/sign-in/sso/callback/")
    sso_on.add_account("owner-at-provider", EMAIL)
    sso_on.add_account("stranger", "stranger@elsewhere.example")
    page = browser_page
    journey = Journey(page, live_server.url)

    # The owner goes to the dashboard, is sent to sign in, and chooses the provider's button.
    journey.goto("/")
    assert urlsplit(page.url).path == "/sign-in/"
    check_both_widths(journey, "sign-in page with single sign-on")
    through_the_provider(journey, "owner-at-provider")
    assert urlsplit(page.url).path == "/"
    assert page.get_by_role("button", name="Sign out").is_visible()
    check_both_widths(journey, "dashboard after single sign-on")
    cookies = {c["name"]: c["value"] for c in page.context.cookies(live_server.url)}
    session = SessionStore(session_key=cookies[settings.SESSION_COOKIE_NAME])
    assert session[sso.SESSION_KEY] is True
    signed_in = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN)
    assert signed_in.user == owner and signed_in.detail == f"single sign-on: {PROVIDER_NAME}"

    # Someone the provider knows but kpiboard does not is refused, with what to do.
    journey.sign_out()
    page.context.clear_cookies()  # forget the provider's session too
    journey.goto("/sign-in/")
    through_the_provider(journey, "stranger")
    assert urlsplit(page.url).path == "/sign-in/sso/refused/"
    assert page.get_by_role("heading", name=f"You cannot sign in with {PROVIDER_NAME}").is_visible()
    assert "No one in kpiboard has the email address stranger@elsewhere.example" in (
        page.inner_text("main")
    )
    check_both_widths(journey, "single sign-on refused")
    page.get_by_role("link", name="Go back to sign in").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/sign-in/"

    # With kpiboard passwords off, the sign-in page offers the provider alone.
    settings.LOCAL_PASSWORDS = False
    journey.goto("/sign-in/")
    assert page.get_by_role("button", name=BUTTON).is_visible()
    assert page.get_by_label("Password").count() == 0
    check_both_widths(journey, "sign-in page with passwords off")

    assert journey.failures == [f"403 document {live_server.url}/sign-in/sso/refused/"]
    journey.assert_accessible()
