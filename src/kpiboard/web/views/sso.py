"""Single sign-on pages: the start (off to the provider), the callback (back from it), the page
that says why a sign-in was refused, and the refusal of a password when passwords are off.
The rules are in ..sso; these views only connect mozilla-django-oidc's views to them."""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .. import sso
from ..accounts import normalise_username
from ..models import SecurityEventKind
from ..security_log import record
from ..throttle import client_address

logger = logging.getLogger("kpiboard.web.sso")

#: What can go wrong between kpiboard and the provider once the person is back: an unknown or
#: replayed state, a bad signature, nonce, issuer or audience, a refused code or PKCE verifier,
#: a provider that does not answer or answers nonsense.
EXCHANGE_ERRORS = (
    SuspiciousOperation,
    sso.ProviderUnavailable,
    requests.RequestException,
    jwt.PyJWTError,
    ValueError,
    KeyError,
)


def _refuse(request, refusal: sso.Refusal, email: str = ""):
    """Show ``refusal`` on the refusal page (after a redirect, so reloading does not resend)."""
    request.session[sso.REFUSAL_SESSION_KEY] = {"reason": refusal.name, "email": email}
    return redirect("kpiboard:sso_refused")


def _failed(request, detail: str, refusal: sso.Refusal = sso.Refusal.NOT_FINISHED):
    record(SecurityEventKind.SSO_FAILED, "", address=client_address(request), detail=detail)
    return _refuse(request, refusal)


class SsoStart(OIDCAuthenticationRequestView):
    """Off to the provider with a new state, nonce and PKCE challenge (kept in the session)."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library's reads settings; the endpoint comes later

    def get_settings(self, attr, *default):
        return sso.oidc_setting(attr, *default)

    def get(self, request):
        if not sso.enabled():
            raise Http404("Single sign-on is not set up")
        try:
            found = sso.endpoints(settings.SSO)
        except sso.ProviderUnavailable as exc:
            logger.warning("Single sign-on provider unavailable: %s", exc)
            return _failed(request, str(exc), sso.Refusal.UNAVAILABLE)
        self.OIDC_OP_AUTH_ENDPOINT = found["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = settings.SSO.client_id
        return super().get(request)


class SsoCallback(OIDCAuthenticationCallbackView):
    """Back from the provider: the code is exchanged and the person matched (..sso.SsoBackend);
    a refusal or a failed exchange ends on the refusal page, recorded, never a traceback."""

    def get_settings(self, attr, *default):
        return sso.oidc_setting(attr, *default)

    def get(self, request):
        if not sso.enabled():
            raise Http404("Single sign-on is not set up")
        try:
            return super().get(request)
        except sso.ProviderUnavailable as exc:
            logger.warning("Single sign-on provider unavailable: %s", exc)
            return _failed(request, str(exc), sso.Refusal.UNAVAILABLE)
        except EXCHANGE_ERRORS as exc:
            logger.warning("Single sign-on exchange failed: %s", exc)
            return _failed(request, f"{type(exc).__name__}: {exc}")

    def login_failure(self):
        request = self.request
        refusal = getattr(request, "kpiboard_sso_refusal", None)
        if refusal is not None:  # recorded by the backend, with whose address it was
            return _refuse(request, *refusal)
        failure = getattr(request, "kpiboard_sso_failure", None)
        if failure is not None:
            return _failed(request, failure)
        if request.GET.get("error"):
            error = request.GET.get("error", "")[:40]
            return _failed(request, f"the provider returned error {error!r}")
        return _failed(request, "the callback had no code and state, or none this browser started")

    def login_success(self):
        # Before login, so user_logged_in receivers see it; again after, since login empties
        # the session when it belonged to someone else.
        self.request.session[sso.SESSION_KEY] = True
        response = super().login_success()
        self.request.session[sso.SESSION_KEY] = True
        return response


@require_GET
def refused(request):
    """Why single sign-on did not sign the person in, and what to do (shown once)."""
    shown = request.session.pop(sso.REFUSAL_SESSION_KEY, None)
    if (
        not sso.enabled()
        or not isinstance(shown, dict)
        or shown.get("reason") not in sso.Refusal.__members__
    ):
        return redirect("kpiboard:login")
    refusal = sso.Refusal[shown["reason"]]
    words = {"provider": sso.provider_name(), "email": shown.get("email", "")}
    context = {
        "message": refusal.message.format(**words),
        "action": refusal.action.format(**words),
        "provider_name": sso.provider_name(),
        "local_passwords": settings.LOCAL_PASSWORDS,
    }
    return render(request, "kpiboard/sso_refused.html", context, status=refusal.status)


def password_refused(request):
    """A password sent when kpiboard passwords are switched off: refused before it is checked,
    and recorded, so that someone trying old passwords shows in the trail."""
    name = normalise_username(request.POST.get("username", ""))[:150]
    record(
        SecurityEventKind.SIGN_IN_FAILED,
        name,
        address=client_address(request),
        detail="kpiboard passwords are switched off",
    )
    message = f"kpiboard passwords are switched off. Sign in with {sso.provider_name()}"
    return render(
        request,
        "kpiboard/sign_in.html",
        {
            "errors": {"sso-sign-in": message},
            "next": request.POST.get("next", ""),
            "local_passwords": False,
        },
        status=403,
    )
