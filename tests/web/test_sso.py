"""Single sign-on against a real OpenID Connect provider (tests/oidc_idp, in its own process):
kpiboard's start page sends the person to the provider, they sign in and consent there, and the
provider's callback ends in a kpiboard session for the person with that email address, or on a
page saying why not. Every step is real HTTP; nothing is mocked."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY as USER_KEY
from django.test import Client
from django.urls import reverse

from kpiboard.web import sso
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Role, SecurityEvent, SecurityEventKind
from kpiboard.web.sso_config import SsoSettings
from tests import oidc_support
from tests.oidc_support import PROVIDER_NAME, ProviderVisit

from .conftest import PASSWORD

oidc_provider = oidc_support.oidc_provider  # the provider process, started once per run
sso_on = oidc_support.sso_on

CALLBACK = "http://testserver/sign-in/sso/callback/"
EMAIL = "owner@council.example.gov.uk"


@pytest.fixture
def provider(db, sso_on):
    sso_on.allow_redirect(CALLBACK)
    return sso_on


@pytest.fixture
def owner(demo_site, provider):
    person = demo_site["owner"]
    person.email = EMAIL
    person.save()
    provider.add_account("owner-at-provider", EMAIL.upper())
    return person


def start(client: Client, next_url: str = "") -> str:
    """kpiboard's start page: the provider's authorisation address it redirects to."""
    response = client.get(reverse("kpiboard:sso_start"), {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def sso_sign_in(client: Client, account: str, *, allow: bool = True, next_url: str = ""):
    """The whole round trip: start, the provider's sign-in and consent, kpiboard's callback."""
    back = ProviderVisit().sign_in_and_consent(start(client, next_url), account, allow=allow)
    assert back.startswith(CALLBACK)
    return client.get(back)


def refusal_page(client: Client, response):
    assert response.status_code == 302
    assert response["Location"] == reverse("kpiboard:sso_refused")
    return client.get(response["Location"])


def events(kind: SecurityEventKind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).order_by("pk"))


# Signing in.


def test_sso_start_sends_state_nonce_and_pkce_challenge(provider):
    query = parse_qs(urlsplit(start(Client())).query)
    assert query["client_id"] == [provider.client_id]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["scope"] == ["openid email profile"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["code_challenge"][0]


def test_sso_sign_in_opens_a_session_for_the_person_with_that_email(owner):
    client = Client()
    response = sso_sign_in(client, "owner-at-provider")
    assert response.status_code == 302 and response["Location"] == reverse("kpiboard:home")
    assert client.session[USER_KEY] == str(owner.pk)
    assert client.session[sso.SESSION_KEY] is True
    dashboard = client.get(reverse("kpiboard:dashboard"))
    assert dashboard.status_code == 200
    assert dashboard.context["user"].username == "owner"  # username and role stay kpiboard's
    assert dashboard.context["user_role"] is Role.OWNER
    [signed_in] = events(SecurityEventKind.SIGN_IN)
    assert signed_in.user == owner and signed_in.detail == f"single sign-on: {PROVIDER_NAME}"


def test_sso_sign_in_returns_to_the_page_asked_for(owner):
    response = sso_sign_in(Client(), "owner-at-provider", next_url="/indicators/ASC01/")
    assert response["Location"] == "/indicators/ASC01/"


def test_sso_sign_in_ignores_a_next_address_on_another_site(owner):
    response = sso_sign_in(Client(), "owner-at-provider", next_url="https://evil.example/")
    assert response["Location"] == reverse("kpiboard:home")


def test_sso_session_ends_when_the_person_is_switched_off(owner):
    client = Client()
    sso_sign_in(client, "owner-at-provider")
    owner.is_active = False
    owner.save()
    response = client.get(reverse("kpiboard:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


# Refusals: nobody is created, nobody is signed in, the page says what to do.


def test_sso_refuses_an_email_no_person_has_and_creates_nobody(db, provider, django_user_model):
    provider.add_account("stranger", "stranger@elsewhere.example")
    client = Client()
    page = refusal_page(client, sso_sign_in(client, "stranger"))
    assert page.status_code == 403
    text = page.content.decode()
    assert f"You cannot sign in with {PROVIDER_NAME}" in text
    assert "No one in kpiboard has the email address stranger@elsewhere.example" in text
    assert "Ask a kpiboard administrator to add you" in text
    assert USER_KEY not in client.session
    assert not django_user_model.objects.filter(email__iexact="stranger@elsewhere.example")
    [refused] = events(SecurityEventKind.SSO_REFUSED)
    assert refused.detail == "no kpiboard person has this email address: stranger@elsewhere.example"
    assert refused.address == "127.0.0.1"


def test_sso_refuses_a_switched_off_person(owner):
    owner.is_active = False
    owner.save()
    client = Client()
    page = refusal_page(client, sso_sign_in(client, "owner-at-provider"))
    assert page.status_code == 403
    assert "is switched off" in page.content.decode()
    assert USER_KEY not in client.session
    [refused] = events(SecurityEventKind.SSO_REFUSED)
    assert refused.user == owner and refused.username == "owner"


def test_sso_refuses_an_email_two_people_share(owner):
    second, _ = create_person("second-owner", Role.VIEWER, password=PASSWORD)
    # kpiboard refuses a shared address now; a site may hold one set before that rule, or in SQL.
    type(second).objects.filter(pk=second.pk).update(email=EMAIL.title())
    client = Client()
    page = refusal_page(client, sso_sign_in(client, "owner-at-provider"))
    assert "More than one person in kpiboard has the email address" in page.content.decode()
    assert USER_KEY not in client.session
    assert events(SecurityEventKind.SSO_REFUSED)[0].detail.startswith("more than one")


def test_sso_refuses_an_email_the_provider_has_not_confirmed(owner, provider):
    provider.add_account("unconfirmed", EMAIL, email_verified=False)
    client = Client()
    page = refusal_page(client, sso_sign_in(client, "unconfirmed"))
    assert f"{PROVIDER_NAME} has not confirmed that the email address" in page.content.decode()
    assert USER_KEY not in client.session
    assert events(SecurityEventKind.SSO_REFUSED)[0].detail.startswith("email address not confirmed")


def test_sso_declined_consent_says_sign_in_did_not_finish(owner):
    client = Client()
    page = refusal_page(client, sso_sign_in(client, "owner-at-provider", allow=False))
    assert page.status_code == 400
    assert f"Signing in with {PROVIDER_NAME} did not finish" in page.content.decode()
    [failed] = events(SecurityEventKind.SSO_FAILED)
    assert "access_denied" in failed.detail


def test_sso_callback_cannot_be_replayed(owner):
    client = Client()
    back = ProviderVisit().sign_in_and_consent(start(client), "owner-at-provider")
    assert client.get(back)["Location"] == reverse("kpiboard:home")
    stranger = Client()
    stranger.get(reverse("kpiboard:login"))
    page = refusal_page(stranger, stranger.get(back))  # another browser, the same code and state
    assert "did not finish" in page.content.decode()
    assert USER_KEY not in stranger.session


def test_sso_callback_with_a_state_this_browser_did_not_start_is_refused(owner):
    client = Client()
    back = ProviderVisit().sign_in_and_consent(start(client), "owner-at-provider")
    other = Client()
    start(other)  # its own state, not the one in ``back``
    page = refusal_page(other, other.get(back))
    assert page.status_code == 400
    assert USER_KEY not in other.session
    assert "SuspiciousOperation" in events(SecurityEventKind.SSO_FAILED)[0].detail


def test_sso_with_a_wrong_client_secret_does_not_sign_in(owner, settings, provider):
    settings.SSO = provider.settings(client_secret="not-the-secret")
    client = Client()
    page = refusal_page(client, sso_sign_in(client, "owner-at-provider"))
    assert "did not finish" in page.content.decode()
    assert USER_KEY not in client.session
    assert "HTTPError" in events(SecurityEventKind.SSO_FAILED)[0].detail


def test_sso_refuses_a_provider_whose_endpoints_are_not_https_in_production(
    owner, settings, provider
):
    settings.SSO = provider.settings(https_only=True)
    client = Client()
    page = refusal_page(client, client.get(reverse("kpiboard:sso_start")))
    assert page.status_code == 503
    assert f"kpiboard could not reach {PROVIDER_NAME}" in page.content.decode()
    assert "is not https" in events(SecurityEventKind.SSO_FAILED)[0].detail


def test_sso_refuses_a_discovery_document_for_another_issuer(db, settings, provider):
    settings.SSO = provider.settings(issuer=provider.issuer.replace("127.0.0.1", "localhost"))
    client = Client()
    page = refusal_page(client, client.get(reverse("kpiboard:sso_start")))
    assert page.status_code == 503
    assert "names issuer" in events(SecurityEventKind.SSO_FAILED)[0].detail


def test_sso_unreachable_provider_gets_a_page_not_a_traceback(db, settings, provider):
    settings.SSO = provider.settings(issuer="http://127.0.0.1:9/openid")
    client = Client()
    page = refusal_page(client, client.get(reverse("kpiboard:sso_start")))
    assert page.status_code == 503
    assert "could not read" in events(SecurityEventKind.SSO_FAILED)[0].detail


def test_sso_refused_page_without_a_refusal_goes_back_to_sign_in(provider):
    response = Client().get(reverse("kpiboard:sso_refused"))
    assert response.status_code == 302 and response["Location"] == reverse("kpiboard:login")


# The sign-in page, with and without single sign-on and passwords.


def test_sign_in_page_offers_sso_and_passwords(provider):
    page = Client().get(reverse("kpiboard:login"), {"next": "/changes/"}).content.decode()
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'href="/sign-in/sso/start/?next=%2Fchanges%2F"' in page
    assert 'name="password"' in page


def test_sign_in_page_without_sso_has_no_button_and_no_sso_pages(db):
    assert "Sign in with" not in Client().get(reverse("kpiboard:login")).content.decode()
    assert Client().get(reverse("kpiboard:sso_start")).status_code == 404
    assert Client().get("/sign-in/sso/callback/?code=x&state=y").status_code == 404


@pytest.fixture
def passwords_off(settings, provider):
    settings.LOCAL_PASSWORDS = False
    settings.AUTHENTICATION_BACKENDS = [sso.BACKEND]
    return provider


def test_passwords_off_hides_the_password_form(passwords_off):
    page = Client().get(reverse("kpiboard:login")).content.decode()
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'name="password"' not in page


def test_passwords_off_refuses_a_right_password_and_records_it(demo_site, passwords_off):
    client = Client()
    response = client.post(reverse("kpiboard:login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 403
    assert "kpiboard passwords are switched off" in response.content.decode()
    assert USER_KEY not in client.session
    [failed] = events(SecurityEventKind.SIGN_IN_FAILED)
    assert failed.username == "owner" and failed.detail == "kpiboard passwords are switched off"


def test_passwords_off_still_signs_in_with_sso(owner, passwords_off):
    client = Client()
    sso_sign_in(client, "owner-at-provider")
    assert client.get(reverse("kpiboard:dashboard")).status_code == 200


def test_passwords_off_ends_a_password_session(demo_site, settings, passwords_off):
    client = Client()
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    client.force_login(demo_site["owner"])
    settings.AUTHENTICATION_BACKENDS = [sso.BACKEND]
    assert client.get(reverse("kpiboard:dashboard")).status_code == 302


def test_password_sign_in_with_code_and_state_in_the_address_is_a_password_sign_in(owner):
    client = Client()
    response = client.post(
        reverse("kpiboard:login") + "?code=stolen&state=guess",
        {"username": "owner", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert client.session.get(sso.SESSION_KEY) is None
    assert events(SecurityEventKind.SIGN_IN)[0].detail == ""


# The matching rule on its own: which claims name which person.


def rules(**changes) -> SsoSettings:
    return SsoSettings("https://idp.example", "client", "secret", **changes)


@pytest.mark.parametrize(
    ("verified", "required", "matched"),
    [
        (True, True, True),
        ("true", True, True),
        (False, True, False),
        ("false", False, False),
        (None, True, False),
        (None, False, True),
    ],
)
def test_sso_matching_needs_a_confirmed_email_unless_told_otherwise(
    db, verified, required, matched
):
    person = create_person("ana", Role.ANALYST, password=PASSWORD, email="Ana@Trust.example")[0]
    claims = {"email": " ana@trust.EXAMPLE ", "email_verified": verified}
    found, refusal = sso.match_person(claims, rules(require_verified_email=required))
    assert (found, refusal) == ((person, None) if matched else (None, sso.Refusal.UNVERIFIED))


def test_sso_matching_refuses_claims_without_an_email(db):
    assert sso.match_person({"email_verified": True}, rules()) == (
        None,
        sso.Refusal.NO_EMAIL,
    )


def test_sso_id_token_issuer_must_be_the_providers_own():
    assert sso.issuer_names("https://login.example/realms/council") == (
        "https://login.example/realms/council",
    )
    assert sso.issuer_names("https://accounts.google.com") == (
        "https://accounts.google.com",
        "accounts.google.com",
    )
