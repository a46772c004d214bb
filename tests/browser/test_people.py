"""In a real browser: an administrator adds a person, changes their role and deactivates them, and
someone asks for a password reset; axe-core checks every page on the way (WCAG 2.2 A and AA) at
1280 and 390 pixels wide."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from kpiboard.web.models import Role, SecurityEvent, SecurityEventKind
from kpiboard.web.permissions import role_of
from tests.browser_support import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def unexpected(failures: list[str], *bad_on_purpose: str) -> list[str]:
    """The journey's failed loads and errors, less the 400s of forms sent wrong on purpose."""
    return [
        f for f in failures
        if not any(f.startswith("400 document ") and f.endswith(p) for p in bad_on_purpose)
    ]  # fmt: skip


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_an_administrator_adds_a_person_and_changes_their_role(
    demo_site, live_server, browser_page, width
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/sign-in/")
    journey.sign_in("admin")
    journey.goto("/people/")
    assert page.get_by_role("heading", name="People", exact=True).is_visible()
    journey.check("people")

    page.get_by_role("button", name="Add a person").click()
    page.wait_for_load_state("load")
    journey.check("add a person")
    page.get_by_role("button", name="Add person").click()  # nothing filled in
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    journey.check("add a person with errors")

    page.get_by_label("First name").fill("Ruth")
    page.get_by_label("Last name").fill("Okoro")
    page.get_by_label("Username").fill("ruth")
    page.get_by_label("Email address").fill("ruth.okoro@example.org")
    page.get_by_role("radio", name="Indicator owner").check()
    page.get_by_role("checkbox", name="ASC02", exact=False).check()
    page.get_by_role("radio", name="Show a password now for me to give them").check()
    page.get_by_role("button", name="Add person").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Ruth Okoro added").is_visible()
    journey.check("person added")

    page.get_by_role("link", name="Change Ruth Okoro").click()
    page.wait_for_load_state("load")
    journey.check("change a person")
    page.get_by_role("radio", name="Approver").check()
    page.get_by_role("checkbox", name="Adult Social Care", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/people/"
    assert "Indicator owner → Approver" in journey.banner_text()
    journey.check("people after a change")
    ruth = get_user_model().objects.get(username="ruth")
    assert role_of(ruth) is Role.APPROVER
    assert SecurityEvent.objects.filter(
        user=ruth, kind=SecurityEventKind.ROLE_CHANGED, actor=demo_site["admin"]
    ).exists()

    page.get_by_role("link", name="Ruth Okoro").click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Deactivate Ruth Okoro").click()
    page.wait_for_load_state("load")
    journey.check("deactivate a person")
    page.get_by_role("button", name="Deactivate Ruth Okoro").click()
    page.wait_for_load_state("load")
    assert "Ruth Okoro was deactivated" in journey.banner_text()
    assert not get_user_model().objects.get(username="ruth").is_active

    journey.goto("/security-events/?kind=role_changed")
    assert page.get_by_role("cell", name="Indicator owner → Approver").is_visible()
    journey.check("sign-ins and people with a role change")

    journey.assert_accessible()
    assert not unexpected(journey.failures, "/people/add/"), journey.failures


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
@pytest.mark.parametrize("width", [1280, 390])
def test_forgotten_password_pages(demo_site, live_server, browser_page, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_load_state("load")
    journey.check("reset your password")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state("load")
    journey.check("reset with no address")
    page.get_by_label("Email address").fill("grace.adeyemi@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    journey.check("check your email")
    (message,) = mail.outbox
    link = message.body.split("http://", 1)[1].split(None, 1)[0].split("/", 1)[1]
    journey.goto("/" + link)
    assert page.get_by_role("heading", name="Choose a new password").is_visible()
    journey.check("choose a new password")
    page.get_by_label("New password", exact=True).fill("a brand new passphrase 7")
    page.get_by_label("Type the new password again").fill("a brand new passphrase 7")
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Password changed").is_visible()
    journey.check("password changed")
    journey.goto("/" + link)
    assert page.get_by_role("heading", name="This link does not work").is_visible()
    journey.check("a used link")

    journey.assert_accessible()
    assert not unexpected(journey.failures, "/password-reset/"), journey.failures
