"""A real OpenID Connect provider for the single sign-on tests, and a way through its pages.

``oidc_provider`` (session-scoped) starts tests/oidc_idp (django-oidc-provider) in its own
process on a free 127.0.0.1 port, with its own SQLite file and RSA key, once per test run; the
tests add accounts and redirect addresses to it over HTTP. ``sso_on`` points kpiboard at it.
``ProviderVisit`` is a person at the provider's pages without a browser (HTTP with a cookie jar):
sign in there, then allow or decline kpiboard, ending at kpiboard's callback address.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from kpiboard.web import sso
from kpiboard.web.sso_config import SsoSettings

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_NAME = "Test provider"
PROVIDER_PASSWORD = "provider-password-for-tests"


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    seed_token: str

    @property
    def base(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    def _seed(self, path: str, body: dict) -> dict:
        response = requests.post(
            self.base + path, json=body, headers={"X-Seed-Token": self.seed_token}, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def add_account(self, username: str, email: str, *, email_verified: bool = True) -> None:
        """An account at the provider (its own username; the email is what kpiboard matches)."""
        body = {"username": username, "email": email, "email_verified": email_verified}
        self._seed("/testing/people/", {**body, "password": PROVIDER_PASSWORD})

    def allow_redirect(self, uri: str) -> None:
        self._seed("/testing/redirect-uris/", {"client_id": self.client_id, "uri": uri})

    def settings(self, **changes) -> SsoSettings:
        values = {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "provider_name": PROVIDER_NAME,
            "require_verified_email": True,
            "https_only": False,
        }
        return SsoSettings(**{**values, **changes})


def _start(tmp: Path) -> tuple[subprocess.Popen, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOARD_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.oidc_idp.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        IDP_DATABASE=str(tmp / "provider.sqlite3"),
        IDP_CLIENT_ID="kpiboard-tests",
        IDP_CLIENT_SECRET=secrets.token_urlsafe(32),
        IDP_SEED_TOKEN=secrets.token_urlsafe(32),
    )
    stderr = open(tmp / "provider.log", "w")  # noqa: SIM115 (the process writes to it)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_idp.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    return process, env


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The running provider; skipped only if it cannot start (its log says why)."""
    tmp = tmp_path_factory.mktemp("oidc_provider")
    process, env = _start(tmp)
    try:
        line = process.stdout.readline()  # its issuer, once it listens; nothing if it died
        if not line:
            log = (tmp / "provider.log").read_text()[-2000:]
            pytest.skip(f"the test OpenID provider did not start: {log}")
        issuer = json.loads(line)["issuer"]
        yield Provider(
            issuer, env["IDP_CLIENT_ID"], env["IDP_CLIENT_SECRET"], env["IDP_SEED_TOKEN"]
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def sso_on(settings, oidc_provider):
    """kpiboard with single sign-on at the test provider and passwords still on."""
    settings.SSO = oidc_provider.settings()
    settings.LOCAL_PASSWORDS = True
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", sso.BACKEND]
    sso._discovered.clear()
    yield oidc_provider
    sso._discovered.clear()


class _Forms(HTMLParser):
    """The inputs of the page's forms: name -> value, and the forms' actions."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.actions: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "form":
            self.actions.append(found.get("action") or "")
        elif tag == "input" and found.get("name") and found.get("type") != "submit":
            self.fields[found["name"]] = found.get("value") or ""


def _forms(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


class ProviderVisit:
    """One person's visit to the provider's pages, as a browser would make it."""

    def __init__(self):
        self.http = requests.Session()

    def sign_in_and_consent(self, authorize_url: str, username: str, *, allow: bool = True) -> str:
        """Follow kpiboard's redirect to the provider, sign in there as ``username`` (unless
        already signed in there), allow or decline kpiboard, and return the address the
        provider sends the browser back to (kpiboard's callback, not followed)."""
        page = self.http.get(authorize_url, timeout=10)
        page.raise_for_status()
        if "/accounts/login/" in urlsplit(page.url).path:
            form = _forms(page.text).fields
            form.update(username=username, password=PROVIDER_PASSWORD)
            signed_in = self.http.post(page.url, data=form, allow_redirects=False, timeout=10)
            assert signed_in.status_code == 302, "the provider refused the account's password"
            page = self.http.get(urljoin(page.url, signed_in.headers["Location"]), timeout=10)
            page.raise_for_status()
        consent = _forms(page.text)
        assert "allow" not in consent.fields and consent.actions, "no consent form at the provider"
        answer = {**consent.fields, **({"allow": "Authorize"} if allow else {})}
        back = self.http.post(
            urljoin(page.url, consent.actions[0]), data=answer, allow_redirects=False, timeout=10
        )
        assert back.status_code == 302, back.text[:500]
        return back.headers["Location"]
