"""kpiboard's REST API, /api/v1/, built with django-ninja (see docs/api.md for why): reads of
sections, indicators, periods, figures, results, peers, commentary and sign-offs, and bulk writes
of figures and commentary, all with personal API tokens (:mod:`kpiboard.web.api_tokens`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from . import plan_reads, saving  # noqa: F401  (registers the plan reads and the writes)
from .auth import RateLimited, ScopeError, read_auth
from .http import ApiError
from .reads import router

api = NinjaAPI(
    title="kpiboard API",
    version="1",
    description="Performance indicators, figures, results and commentary. Send a personal API "
    "token as `Authorization: Bearer TOKEN`; see docs/api.md.",
    auth=read_auth,
    docs_url=None,  # the interactive page loads scripts from a CDN, which the CSP forbids
    openapi_url="/openapi.json",
    urls_namespace="api",
)
api.add_router("/", router)


def _errors(request: HttpRequest, status: int, message: str, field: str | None = None, **headers):
    response = api.create_response(
        request, {"errors": [{"item": None, "field": field, "message": message}]}, status=status
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return api.create_response(request, {"errors": exc.errors}, status=exc.status)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return _errors(
        request,
        401,
        "Send a live API token as 'Authorization: Bearer TOKEN' (this one is missing, unknown, "
        "revoked or expired)",
        "Authorization",
        WWW_Authenticate="Bearer",
    )


@api.exception_handler(ScopeError)
def _scope(request, exc):
    return _errors(request, 403, "This token may only read: make a token with the write scope")


@api.exception_handler(RateLimited)
def _rate(request, exc):
    from ..api_tokens import seconds_to_next_minute

    return _errors(
        request,
        429,
        "Too many requests with this token: wait a minute",
        Retry_After=str(seconds_to_next_minute()),
    )


def _location(loc) -> tuple[int | None, str | None]:
    """(item, field) from a pydantic error location such as ("body", "payload", "items", 2,
    "value")."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "payload")]
    item = None
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        item, parts = parts[1], parts[2:]
    names = [str(p) for p in parts if not isinstance(p, int)]
    return item, (names[-1] if names else None)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        item, field = _location(error.get("loc", ()))
        errors.append({"item": item, "field": field, "message": error.get("msg", "Invalid")})
    return api.create_response(request, {"errors": errors}, status=400)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _errors(request, exc.status_code, str(exc))
