"""Security basics: sign-in everywhere, headers, CSRF, no open redirects (the sign-in throttle:
test_sign_in.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from kpiboard.web import urls as web_urls
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Role

from .conftest import PASSWORD

#: Sample values for every route parameter; anonymous users are turned away before any lookup.
SAMPLE = {
    "code": "ASC01",
    "period": "2013-09",
    "token": "0123456789abcdef",
    "pk": 1,
    "uidb64": "MQ",
    "job_id": "00000000-0000-4000-8000-000000000000",
    "action_id": "ACT-TEL",
    "risk_id": "R-HOSP",
}
#: Open to everyone: the sign-in page and single sign-on's pages beneath it (404 while it is not
#: set up), the health check for load balancers (says only "ok"), and the forgotten password pages.
OPEN = {
    "login",
    "sso_start",
    "sso_callback",
    "sso_refused",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Sign-in is checked with a fast hasher: the real one takes most of a second a person."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    """A few people and no pack: enough for everything that never renders indicators."""
    return {
        name: create_person(name, role, password=PASSWORD)[0]
        for name, role in [
            ("viewer", Role.VIEWER),
            ("analyst", Role.ANALYST),
            ("admin", Role.ADMINISTRATOR),
        ]
    }


def every_route() -> list[tuple[str, str]]:
    routes = []
    for pattern in web_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), "nested URL includes: extend this test"
        kwargs = {name: SAMPLE[name] for name in pattern.pattern.converters}
        routes.append((pattern.name, reverse(f"kpiboard:{pattern.name}", kwargs=kwargs)))
    return routes


ROUTES = every_route()


def test_the_route_list_covers_every_named_route():
    names = [name for name, _ in ROUTES]
    assert len(names) == len(set(names)) >= 12
    assert set(names) >= OPEN


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "path"), [r for r in ROUTES if r[0] not in OPEN])
def test_anonymous_users_are_sent_to_sign_in_from_every_page(db, name, path, method):
    response = getattr(Client(), method)(path)
    assert response.status_code == 302, f"{method.upper()} {path} ({name})"
    assert next_of(response) == path


def next_of(response) -> str:
    """Where a redirect to the sign-in page will send the user afterwards."""
    location = urlsplit(response["Location"])
    assert location.path == reverse("kpiboard:login"), response["Location"]
    return parse_qs(location.query)["next"][0]


def test_anonymous_users_are_sent_to_sign_in_with_the_query_string_kept(db):
    response = Client().get(reverse("kpiboard:dashboard") + "?rating=AMBER&q=care")
    assert response.status_code == 302
    assert next_of(response) == "/dashboard/?rating=AMBER&q=care"


def test_sign_in_page_and_health_check_are_open(db):
    client = Client()
    assert client.get(reverse("kpiboard:login")).status_code == 200
    health = client.get(reverse("kpiboard:healthz"))
    assert health.status_code == 200
    assert health.content == b"ok"


def test_static_files_need_no_sign_in(db):
    response = Client().get("/static/kpiboard/init.js")
    assert response.status_code == 200


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_security_headers_on_the_sign_in_page(db):
    assert_security_headers(Client().get(reverse("kpiboard:login")))


def test_security_headers_on_signed_in_pages(client_for):
    client = client_for("viewer")
    for name, kwargs in [
        ("dashboard", {}),
        ("indicator", {"code": "ASC01"}),
        ("reports", {}),
    ]:
        response = client.get(reverse(f"kpiboard:{name}", kwargs=kwargs))
        assert response.status_code == 200, name
        assert_security_headers(response)


def test_security_headers_on_a_refusal(people):
    client = Client()
    client.force_login(people["viewer"])
    response = client.get(reverse("kpiboard:import"))
    assert response.status_code == 403
    assert_security_headers(response)


def test_session_cookie_is_http_only_and_same_site(people):
    client = Client()
    client.post(reverse("kpiboard:login"), {"username": "viewer", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# Cross-site request forgery.


def test_sign_in_post_without_csrf_token_is_refused(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("kpiboard:login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_in_post_with_csrf_token_works(people):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("kpiboard:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = client.post(
        reverse("kpiboard:login"),
        {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("kpiboard:home")


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("logout", {}),
        ("entry_form", {"code": "ASC01", "period": "2013-10"}),
        ("signoff", {"code": "asc", "period": "2013-09"}),
        ("import", {}),
        ("action_update", {"action_id": "ACT-TEL"}),
        ("risk_review", {"risk_id": "R-HOSP"}),
    ],
)
def test_signed_in_posts_without_csrf_token_are_refused(people, name, kwargs):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["admin"])
    response = client.post(reverse(f"kpiboard:{name}", kwargs=kwargs), {"action": "approve"})
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert "_auth_user_id" in client.session  # the refused sign-out did not sign out


def test_sign_out_needs_a_post(people):
    client = Client()
    client.force_login(people["viewer"])
    assert client.get(reverse("kpiboard:logout")).status_code == 405
    response = client.post(reverse("kpiboard:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("kpiboard:login")
    assert client.get(reverse("kpiboard:dashboard")).status_code == 302


def sign_in(client, username, password, **extra):
    return client.post(
        reverse("kpiboard:login"), {"username": username, "password": password, **extra}
    )


# Open redirects after sign-in.


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/sign-in/",
        "//evil.example/",
        "http://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_sign_in_does_not_follow_next_to_another_site(people, target):
    client = Client()
    for next_in in ("post", "query"):
        data = {"username": "viewer", "password": PASSWORD}
        url = reverse("kpiboard:login")
        if next_in == "post":
            data["next"] = target
        else:
            url += "?next=" + target
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == reverse("kpiboard:home"), (next_in, target)
        client.post(reverse("kpiboard:logout"))


def test_sign_in_follows_next_within_the_site(people):
    target = reverse("kpiboard:indicator", kwargs={"code": "ASC01"})
    response = sign_in(Client(), "viewer", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == target
