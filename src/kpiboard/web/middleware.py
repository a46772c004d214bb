"""Sign-in on every page but the sign-in page, a strict Content-Security-Policy, and a warning
when a reverse proxy is in front but the proxy setting is off."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


logger = logging.getLogger("kpiboard.web")


class ForwardedForWarningMiddleware:
    """Warn once per process when requests carry X-Forwarded-For but KPIBOARD_BEHIND_PROXY is off.

    Then every visitor seems to come from the proxy's address, so the sign-in throttle, which
    counts per address and username, treats all of them as one address.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.warned = False

    def __call__(self, request):
        if (
            not self.warned
            and not settings.BEHIND_PROXY
            and request.META.get("HTTP_X_FORWARDED_FOR")
        ):
            self.warned = True
            logger.warning(
                "Requests arrive with X-Forwarded-For but KPIBOARD_BEHIND_PROXY is off: every "
                "visitor appears to come from %s (the proxy). Set KPIBOARD_BEHIND_PROXY=true "
                "if kpiboard runs behind a reverse proxy.",
                request.META.get("REMOTE_ADDR", "an unknown address"),
            )
        return self.get_response(request)


class LoginRequiredMiddleware:
    """Everything needs a signed-in user except the sign-in page and static files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            open_paths = (reverse("kpiboard:login"), settings.STATIC_URL, "/healthz")
            if not request.path.startswith(open_paths):
                return redirect_to_login(request.get_full_path(), reverse("kpiboard:login"))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response
