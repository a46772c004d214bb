"""Nothing but the code page until a person with two-factor authentication has entered a code,
and nothing but the set-up page for a person who must use it and has not set it up.

It runs after :class:`.middleware.LoginRequiredMiddleware` (so the person is signed in with a
password) and after django-otp's ``OTPMiddleware`` (so ``user.is_verified()`` says whether this
session has had a code). A session signed in through single sign-on is left alone: the identity
provider asked for the second factor.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .two_factor import has_two_factor_and_role, is_required, signed_in_through_sso


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not signed_in_through_sso(request) and not user.is_verified():
            if has_two_factor_and_role(user):
                gate = "kpiboard:two_factor_code"
            elif is_required(user):
                gate = "kpiboard:two_factor_setup"
            else:
                gate = ""
            if gate:
                request.kpiboard_two_factor_pending = True
                if not _open_while_pending(request.path, gate):
                    return redirect(_with_next(reverse(gate), request))
        return self.get_response(request)


def _open_while_pending(path: str, gate: str) -> bool:
    if path.startswith((settings.STATIC_URL, "/healthz")):
        return True
    return path in (reverse(gate), reverse("kpiboard:logout"))


def _with_next(url: str, request) -> str:
    """Back to the page asked for once the code is in (pages that are read, not forms sent)."""
    if request.method != "GET" or request.path == reverse("kpiboard:home"):
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
