"""NUL bytes refused, sign-in on every page but the sign-in page, a strict
Content-Security-Policy, and a warning when a reverse proxy is in front but the proxy setting is
off."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, JsonResponse
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


NUL_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Bad request - kpiboard</title></head>
<body><h1>Bad request</h1>
<p>The request contained a NUL character (a zero byte) in its address or in a form field.
Nothing was saved. Go back, remove the character (it often comes from pasting text copied
from another program) and try again.</p>
<p><a href="/">Go to the dashboard</a></p></body></html>
"""


def _nul_in(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


#: The REST API's addresses (see kpiboard.web.api): token authentication, never a session, and
#: every answer in JSON.
API_PREFIX = "/api/"
NUL_MESSAGE = (
    "The request contained a NUL character (a zero byte) in its address or in a field. "
    "Nothing was saved. Remove the character and try again."
)


def _refused(request):
    if request.path.startswith(API_PREFIX):
        error = {"item": None, "field": None, "message": NUL_MESSAGE}
        return JsonResponse({"errors": [error]}, status=400)
    response = HttpResponseBadRequest(NUL_PAGE)
    response.headers["Content-Security-Policy"] = CSP
    return response


class RefuseNulMiddleware:
    """A 400 page for any request with a NUL byte in its path or query string (decoded: "%00"
    is a NUL too), before sessions and sign-in, so nothing that touches the database sees it.

    PostgreSQL cannot store a NUL in text and rejects one even as a query parameter, so one
    pasted "\x00" would otherwise be a server error (and on SQLite, text other tools cut short).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.path_info or _nul_in(request.GET):
            return _refused(request)
        return self.get_response(request)


#: The largest body that can be form fields alone (the longest field, commentary, is far smaller).
FIELDS_BODY_BYTES = 1024 * 1024


class RefuseNulFieldsMiddleware:
    """The same 400 page for a NUL byte in a posted form field's name or value (the sign-in
    username included). It runs after :class:`LoginRequiredMiddleware`, so a signed-out
    visitor's upload is never parsed except on the sign-in page; an uploaded file's bytes are
    not a field and are not looked at (the import reads them itself).

    A body declared larger than :data:`FIELDS_BODY_BYTES` is not parsed here: only a file upload
    is that large, and its view refuses an oversized one from the declared length before reading
    it (the import's only other field is the CSRF token).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and _small_body(request) and _nul_in(request.POST):
            return _refused(request)
        return self.get_response(request)


def _small_body(request) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared <= FIELDS_BODY_BYTES


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
    """Everything needs a signed-in user except the sign-in and password reset pages, static
    files and the API, which checks its own tokens (a 401 in JSON, not a sign-in page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            open_paths = (
                reverse("kpiboard:login"),
                reverse("kpiboard:password_reset"),  # and the pages beneath it
                settings.STATIC_URL,
                "/healthz",
                API_PREFIX,
            )
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
