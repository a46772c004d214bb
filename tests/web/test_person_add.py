"""Adding a person (/people/add/): name, username, email, role and what they own or approve; they
get their password by a set-password email or as a password shown once. Bad input is named on
its field in an error summary, and nothing is saved."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from kpiboard.web.models import Profile, Role, SecurityEvent, SecurityEventKind
from kpiboard.web.permissions import role_of

URL = reverse("kpiboard:person_add")


def form(**fields) -> dict:
    data = {
        "first_name": "Ruth",
        "last_name": "Okoro",
        "username": "ruth",
        "email": "ruth.okoro@example.org",
        "role": "approver",
        "sections": ["asc"],
        "password_way": "show",
    }
    return data | fields


def people() -> int:
    return get_user_model().objects.count()


def test_add_person_page_has_the_fields_and_every_role(client_for):
    html = client_for("admin").get(URL).content.decode()
    for label in ("First name", "Last name", "Username", "Email address", "Role", "Sections",
                  "Indicators", "How will they get their password?"):  # fmt: skip
        assert label in html, label
    for value in Role.values:
        assert f'value="{value}"' in html
    assert 'value="ASC01"' in html and 'value="scs"' in html


def test_add_person_with_a_password_shown_once(client_for, demo_site):
    admin = client_for("admin")
    response = admin.post(URL, form())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ruth Okoro added" in html
    password = re.search(r"<code>([^<]+)</code>", html).group(1)
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    user = get_user_model().objects.get(username="ruth")
    assert user.check_password(password) and user.email == "ruth.okoro@example.org"
    assert role_of(user) is Role.APPROVER
    assert list(Profile.objects.get(user=user).sections.values_list("code", flat=True)) == ["asc"]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSON_ADDED, user=user)
    assert event.actor == demo_site["admin"]
    assert password not in event.detail
    assert not mail.outbox
    # the new person signs in with it
    assert Client().post(reverse("kpiboard:login"), {"username": "ruth", "password": password})[
        "Location"
    ] == reverse("kpiboard:home")


def test_add_person_by_email_sends_a_set_password_link_that_works(client_for, demo_site):
    response = client_for("admin").post(URL, form(password_way="email"))
    assert response.status_code == 302 and response["Location"] == reverse("kpiboard:people")
    (message,) = mail.outbox
    assert message.to == ["ruth.okoro@example.org"]
    assert "Hello Ruth Okoro" in message.body and "Your username: ruth" in message.body
    link = re.search(r"http://testserver(/password-reset/\S+)", message.body).group(1)
    user = get_user_model().objects.get(username="ruth")
    invited = SecurityEvent.objects.get(kind=SecurityEventKind.INVITED, user=user)
    assert invited.actor == demo_site["admin"]
    client = Client()
    chosen = client.get(link, follow=True)
    assert "Choose a new password" in chosen.content.decode()
    done = client.post(
        chosen.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase 42", "new_password2": "a long new passphrase 42"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a long new passphrase 42")


def test_add_person_by_email_needs_an_email_address(client_for):
    before = people()
    response = client_for("admin").post(URL, form(password_way="email", email=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#email">Enter their email address to email them a link</a>' in html
    assert people() == before


def test_add_person_names_each_missing_field(client_for):
    response = client_for("admin").post(URL, {})
    assert response.status_code == 400
    html = response.content.decode()
    for field, message in [
        ("first_name", "Enter their first name"),
        ("last_name", "Enter their last name"),
        ("username", "Enter a username"),
        ("role", "Choose a role"),
        ("password_way", "Choose how they will get their password"),
    ]:
        assert f'<a href="#{field}">{message}</a>' in html
        assert f'id="{field}-error"' in html
    assert "<title>Error: Add a person" in html


def test_add_person_refuses_a_taken_username_and_a_taken_email(client_for):
    before = people()
    html = client_for("admin").post(URL, form(username="OWNER")).content.decode()
    assert "There is already a person called &#x27;owner&#x27;" in html
    html = client_for("admin").post(URL, form(email="GRACE.adeyemi@example.org")).content.decode()
    assert "already has this email address" in html
    assert people() == before


def test_add_person_refuses_an_approver_without_a_section(client_for):
    response = client_for("admin").post(URL, form(sections=[]))
    assert response.status_code == 400
    assert '<a href="#sections">Choose at least one section for an approver</a>' in (
        response.content.decode()
    )


def test_add_person_drops_sections_for_a_role_without_them(client_for):
    response = client_for("admin").post(URL, form(role="viewer", sections=["asc"]))
    assert response.status_code == 200
    user = get_user_model().objects.get(username="ruth")
    assert not Profile.objects.get(user=user).sections.exists()


def test_add_person_keeps_what_was_typed_after_an_error(client_for):
    html = client_for("admin").post(URL, form(first_name="")).content.decode()
    assert 'value="Okoro"' in html and 'value="ruth.okoro@example.org"' in html
    assert re.search(r'value="approver"[^>]* checked', html)
