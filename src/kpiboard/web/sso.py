"""Single sign-on with OpenID Connect (Microsoft Entra ID, Google Workspace, Keycloak...), built
on mozilla-django-oidc: the authorisation code flow with state, nonce and PKCE (S256).

The provider proves who someone is; kpiboard still decides what they may do. A sign-in is matched
to an existing, active kpiboard person by the provider's email address (case-insensitive), and
only when the provider says that address is confirmed. Nobody is ever created here: roles are
given in kpiboard, so an unknown address is refused, as are a switched-off person, an address two
people share, and an unconfirmed address. Each refusal and each failed exchange goes in the
security audit trail with its reason; the person sees a page saying what to do.

The provider's endpoints come from its discovery document
(``ISSUER/.well-known/openid-configuration``), read on first use and kept for an hour. The
document must name the configured issuer, and in production every endpoint must be https. ID
tokens must be signed (RS256, checked against the provider's published keys) and must name the
issuer and this client; mozilla-django-oidc checks neither by itself.
"""

from __future__ import annotations

import enum
import logging
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from .models import SecurityEventKind
from .security_log import record
from .sso_config import SsoSettings
from .throttle import client_address

logger = logging.getLogger("kpiboard.web.sso")

#: Set to True in the session of anyone signed in through single sign-on (the provider has done
#: any second factor, so kpiboard's own second factor for local accounts does not ask again).
SESSION_KEY = "kpiboard_sso"
#: The dotted path of :class:`SsoBackend`, as settings.AUTHENTICATION_BACKENDS lists it.
BACKEND = "kpiboard.web.sso.SsoBackend"
#: Where the callback leaves a refusal for the refusal page to show (once).
REFUSAL_SESSION_KEY = "kpiboard_sso_refusal"
#: Seconds to wait for the provider, and to keep its discovery document.
TIMEOUT_SECONDS = 10
DISCOVERY_SECONDS = 3600
#: What kpiboard reads from the discovery document.
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")

_discovered: dict[str, tuple[float, dict[str, str]]] = {}


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read, or is not one kpiboard will use."""


class Refusal(enum.Enum):
    """Why a single sign-on did not sign anyone in: the audit detail, what the page says and
    what to do, and the page's status. ``{provider}`` and ``{email}`` are filled in."""

    NO_EMAIL = (
        "the provider shared no email address",
        "{provider} did not share an email address with kpiboard.",
        "Ask your IT team to give your account an email address, or ask a kpiboard "
        "administrator for help.",
        403,
    )
    UNVERIFIED = (
        "email address not confirmed by the provider",
        "{provider} has not confirmed that the email address {email} is yours.",
        "Confirm the address with {provider}, or ask your IT team to. Then try again.",
        403,
    )
    UNKNOWN = (
        "no kpiboard person has this email address",
        "No one in kpiboard has the email address {email}.",
        "Ask a kpiboard administrator to add you, or to record this email address on your "
        "kpiboard account. They also give you your role.",
        403,
    )
    AMBIGUOUS = (
        "more than one kpiboard person has this email address",
        "More than one person in kpiboard has the email address {email}, so kpiboard cannot "
        "tell which one you are.",
        "Ask a kpiboard administrator to make sure only your account has this email address.",
        403,
    )
    INACTIVE = (
        "the kpiboard person is switched off",
        "Your kpiboard account ({email}) is switched off.",
        "Ask a kpiboard administrator to switch it back on if you still need it.",
        403,
    )
    NOT_FINISHED = (
        "",
        "Signing in with {provider} did not finish.",
        "Try again. If it keeps happening, ask a kpiboard administrator: the sign-ins page "
        "records what went wrong.",
        400,
    )
    UNAVAILABLE = (
        "",
        "kpiboard could not reach {provider}.",
        "Try again in a few minutes. If it keeps happening, ask a kpiboard administrator.",
        503,
    )

    def __init__(self, detail: str, message: str, action: str, status: int):
        self.detail, self.message, self.action, self.status = detail, message, action, status


def enabled() -> bool:
    return settings.SSO is not None


def provider_name() -> str:
    return settings.SSO.provider_name if settings.SSO is not None else ""


def sign_in_detail(user) -> str:
    """The audit detail for a sign-in: says when it came through single sign-on."""
    if getattr(user, "backend", "") == BACKEND and settings.SSO is not None:
        return f"single sign-on: {settings.SSO.provider_name}"
    return ""


def endpoints(sso: SsoSettings) -> dict[str, str]:
    """The provider's issuer and endpoints from its discovery document (kept an hour)."""
    cached = _discovered.get(sso.issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    url = f"{sso.issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"could not read {url}: {exc}") from exc
    found = _checked_discovery(sso, document)
    _discovered[sso.issuer] = (time.monotonic() + DISCOVERY_SECONDS, found)
    return found


def _checked_discovery(sso: SsoSettings, document) -> dict[str, str]:
    """The discovery document's issuer and endpoints, refused unless it names the configured
    issuer (a document copied from elsewhere must not be trusted) and, in production, every
    endpoint is https (codes, tokens and keys must not cross the network in the clear)."""
    if not isinstance(document, dict):
        raise ProviderUnavailable("the discovery document is not a JSON object")
    issuer = str(document.get("issuer", ""))
    if issuer.rstrip("/") != sso.issuer:
        raise ProviderUnavailable(
            f"the discovery document names issuer {issuer!r}, not {sso.issuer!r}"
        )
    found: dict[str, str] = {"issuer": issuer}
    for key in ENDPOINTS:
        value = document.get(key)
        scheme = urlsplit(value).scheme if isinstance(value, str) else ""
        if not isinstance(value, str) or scheme not in ("https", "http"):
            raise ProviderUnavailable(f"the discovery document has no {key}")
        if sso.https_only and scheme != "https":
            raise ProviderUnavailable(f"{key} {value!r} is not https")
        found[key] = value
    return found


def issuer_names(issuer: str) -> tuple[str, ...]:
    """What an ID token's ``iss`` may say for ``issuer``: itself, and for Google also the
    scheme-less ``accounts.google.com`` its documentation says tokens may carry."""
    if issuer == "https://accounts.google.com":
        return (issuer, "accounts.google.com")
    return (issuer,)


def oidc_setting(attr: str, *default):
    """mozilla-django-oidc's settings, from :class:`SsoSettings` rather than Django's settings
    module, so that turning single sign-on on is the environment variables alone."""
    sso = settings.SSO
    values = {
        "OIDC_RP_CLIENT_ID": sso.client_id if sso else "",
        "OIDC_RP_CLIENT_SECRET": sso.client_secret if sso else "",
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_AUTHENTICATION_CALLBACK_URL": "kpiboard:sso_callback",
        "OIDC_CREATE_USER": False,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
        "OIDC_VERIFY_SSL": True,
        "OIDC_TOKEN_USE_BASIC_AUTH": False,
        "LOGIN_REDIRECT_URL": settings.LOGIN_REDIRECT_URL,
        "LOGIN_REDIRECT_URL_FAILURE": "kpiboard:sso_refused",
    }
    if attr in values:
        return values[attr]
    return import_from_settings(attr, *default)


def _is_confirmed(value) -> bool | None:
    """``email_verified`` as True, False or None (not said); some providers send a string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def match_person(claims: dict, sso: SsoSettings):
    """The one active kpiboard person the claims' email address names, or the :class:`Refusal`
    saying why not: (person, None) or (None, refusal)."""
    email = str(claims.get("email") or "").strip()
    if not email:
        return None, Refusal.NO_EMAIL
    confirmed = _is_confirmed(claims.get("email_verified"))
    if confirmed is False or (sso.require_verified_email and confirmed is not True):
        return None, Refusal.UNVERIFIED
    people = list(get_user_model().objects.filter(email__iexact=email).order_by("pk")[:2])
    if not people:
        return None, Refusal.UNKNOWN
    if len(people) > 1:
        return None, Refusal.AMBIGUOUS
    if not people[0].is_active:
        return people[0], Refusal.INACTIVE
    return people[0], None


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people as :func:`match_person` says and never
    creating one. Django makes one of these for every request whose session it signed in, so
    construction reads nothing; the provider is only contacted by :meth:`authenticate`."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def get_settings(self, attr, *default):  # shadows the library's static method on purpose
        return oidc_setting(attr, *default)

    def authenticate(self, request, **kwargs):
        """Only the callback's call (a nonce, no password) is answered: a password sign-in that
        adds ``?code=&state=`` to the address must not start a code exchange."""
        sso = settings.SSO
        if sso is None or request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        found = endpoints(sso)
        self.issuer = found["issuer"]
        self.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = sso.client_id
        self.OIDC_RP_CLIENT_SECRET = sso.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The library checks the signature, expiry and nonce; kpiboard adds issuer and
        audience, so a token the provider made for another application is refused."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss") not in issuer_names(self.issuer):
            raise SuspiciousOperation(
                f"ID token issuer {payload.get('iss')!r} is not {self.issuer!r}"
            )
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is not for this client (audience)")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """The matched person, or None with the refusal recorded and left on the request."""
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            # Not raised: the library would swallow it and the trail would not say why.
            self.request.kpiboard_sso_failure = "the user info is not about the ID token's subject"
            return None
        for name in ("email", "email_verified"):  # the signed ID token fills any gap
            if claims.get(name) in (None, "") and name in payload:
                claims[name] = payload[name]
        person, refusal = match_person(claims, settings.SSO)
        if refusal is None:
            return person
        email = str(claims.get("email") or "")
        record(
            SecurityEventKind.SSO_REFUSED,
            person.get_username() if person is not None else "",
            user=person,
            address=client_address(self.request),
            detail=f"{refusal.detail}: {email}" if email else refusal.detail,
        )
        self.request.kpiboard_sso_refusal = (refusal, email)
        return None

    def get_user(self, user_id):
        """A switched-off person's single sign-on session ends at their next request, as a
        password session does."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
