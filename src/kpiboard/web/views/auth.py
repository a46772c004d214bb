"""Sign-in with a limit on failed attempts (per username and per address), and sign-out."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..models import LoginAttempt


def _address(request) -> str:
    """The client's address; behind a proxy, the last X-Forwarded-For hop, which the proxy adds
    itself (earlier entries come from the client and could be forged)."""
    if settings.BEHIND_PROXY:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if hops and hops[-1]:
            return hops[-1][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _locked(username: str, address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    recent = LoginAttempt.objects.filter(at__gte=since)
    limit = settings.LOGIN_MAX_FAILURES
    by_user = recent.filter(username=username.lower()).count() >= limit
    # An address gets more room than a username: colleagues may share an office gateway.
    by_address = recent.filter(address=address).count() >= limit * 4
    return by_user or by_address


def sign_in(request):
    if request.user.is_authenticated:
        return redirect("kpiboard:dashboard")
    errors: dict[str, str] = {}
    username = ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username:
            errors["username"] = "Enter your username"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            if _locked(username, _address(request)):
                errors["username"] = (
                    "Too many failed sign-in attempts. Wait 15 minutes, then try again"
                )
            else:
                user = authenticate(request, username=username, password=password)
                if user is None:
                    LoginAttempt.objects.create(
                        username=username.lower(), address=_address(request)
                    )
                    errors["username"] = "The username or password is not right"
                else:
                    login(request, user)
                    safe = url_has_allowed_host_and_scheme(
                        next_url,
                        allowed_hosts={request.get_host()},
                        require_https=request.is_secure(),
                    )
                    return redirect(next_url if safe and next_url else "kpiboard:dashboard")
    status = 400 if errors else 200
    if errors and "Too many" in errors.get("username", ""):
        status = 429
    return render(
        request,
        "kpiboard/sign_in.html",
        {"errors": errors, "username": username, "next": next_url},
        status=status,
    )


@require_POST
def sign_out(request):
    logout(request)
    return redirect("kpiboard:login")
