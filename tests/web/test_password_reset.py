"""Forgotten password: a reset link by email (Django's signed, expiring token) with GOV.UK pages.
The request page says the same whether or not the address is known, sends nothing to deactivated
people, limits emails per person and requests per address, and records every request and reset
in the audit trail. Mail goes to Django's test outbox (the locmem backend)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts import set_active
from kpiboard.web.models import SecurityEvent, SecurityEventKind

REQUEST = reverse("kpiboard:password_reset")
SENT = reverse("kpiboard:password_reset_done")
NEW = "a brand new passphrase 7"
ADDRESS = "203.0.113.20"


def ask(email: str, address: str = ADDRESS):
    return Client(REMOTE_ADDR=address).post(REQUEST, {"email": email})


def link_in(message) -> str:
    return re.search(r"http://testserver(/password-reset/\S+)", message.body).group(1)


def test_the_sign_in_page_links_to_the_reset_page(db):
    html = Client().get(reverse("kpiboard:login")).content.decode()
    assert f'href="{REQUEST}">Forgotten your password?</a>' in html


def test_reset_by_email_from_request_to_signing_in(demo_site):
    response = ask("Grace.Adeyemi@example.org")
    assert response.status_code == 302 and response["Location"] == SENT
    (message,) = mail.outbox
    assert message.to == ["grace.adeyemi@example.org"]
    assert "Hello Grace Adeyemi" in message.body and "(username: owner)" in message.body
    client = Client(REMOTE_ADDR=ADDRESS)
    form = client.get(link_in(message), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("kpiboard:password_reset_complete")
    assert "Password changed" in client.get(done["Location"]).content.decode()
    signed_in = Client().post(reverse("kpiboard:login"), {"username": "owner", "password": NEW})
    assert signed_in.status_code == 302
    owner = demo_site["owner"]
    kinds = SecurityEvent.objects.filter(user=owner, kind__startswith="reset").order_by("pk")
    assert [(e.kind, e.detail, e.address) for e in kinds] == [
        (SecurityEventKind.RESET_REQUESTED, "email sent", ADDRESS),
        (SecurityEventKind.RESET_COMPLETED, "", ADDRESS),
    ]
    assert NEW not in str(list(SecurityEvent.objects.values_list("detail", flat=True)))


def test_a_reset_link_works_once(demo_site):
    ask("grace.adeyemi@example.org")
    link = link_in(mail.outbox[0])
    client = Client()
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    again = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_an_unknown_address_gets_the_same_page_and_no_email(db):
    known = ask("nobody@example.org")
    assert known.status_code == 302 and known["Location"] == SENT
    assert not mail.outbox
    event = SecurityEvent.objects.get(kind=SecurityEventKind.RESET_REQUESTED)
    assert (event.user, event.username) == (None, "nobody@example.org")
    assert event.detail == "no email sent: no active person has this address"


def test_a_deactivated_person_gets_no_email(demo_site):
    set_active(demo_site["owner"], False, by=demo_site["admin"])
    assert ask("grace.adeyemi@example.org")["Location"] == SENT
    assert not mail.outbox


def test_emails_to_one_person_are_limited_per_hour(demo_site, settings):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 2
    for n in range(4):
        assert ask("grace.adeyemi@example.org", f"198.51.100.{n}")["Location"] == SENT
    assert len(mail.outbox) == 2
    details = SecurityEvent.objects.filter(kind=SecurityEventKind.RESET_REQUESTED).order_by("pk")
    assert list(details.values_list("detail", flat=True))[-1] == (
        "no email sent: too many emails to this person in the last hour"
    )


def test_requests_from_one_address_are_limited_per_hour(demo_site, settings):
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 3
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        ask(email)
    assert ask("grace.adeyemi@example.org")["Location"] == SENT  # the same page
    assert not mail.outbox
    assert ask("grace.adeyemi@example.org", "198.51.100.99")["Location"] == SENT
    assert len(mail.outbox) == 1  # another address is not held up


def test_an_empty_or_bad_address_is_named_on_the_field(db):
    response = Client().post(REQUEST, {"email": ""})
    assert response.status_code == 400
    assert '<a href="#email">Enter your email address</a>' in response.content.decode()
    bad = Client().post(REQUEST, {"email": "not-an-address"}).content.decode()
    assert "Enter an email address like name@example.org" in bad


def test_two_different_new_passwords_are_refused(demo_site):
    ask("grace.adeyemi@example.org")
    client = Client()
    form = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": "x"})
    assert response.status_code == 400
    assert "The two passwords are not the same" in response.content.decode()
    owner = get_user_model().objects.get(username="owner")
    assert not owner.check_password(NEW)


@pytest.mark.parametrize(
    "name", ["password_reset", "password_reset_done", "password_reset_complete"]
)
def test_without_an_email_server_in_production_the_pages_are_not_there(db, settings, name):
    settings.EMAIL_ENABLED = False
    assert Client().get(reverse(f"kpiboard:{name}")).status_code == 404
    assert (
        "Forgotten your password?" not in Client().get(reverse("kpiboard:login")).content.decode()
    )
