"""Sign-in, slowed down after failed attempts (per address and username, see ..throttle), and
sign-out. Both are written to the security audit trail by Django's signals (see ..signals)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import throttle
from ..accounts import normalise_username
from . import sso


def sign_in(request):
    if request.user.is_authenticated:
        return redirect("kpiboard:home")
    errors: dict[str, str] = {}
    username = ""
    retry_after = 0
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and not settings.LOCAL_PASSWORDS:
        return sso.password_refused(request)
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username:
            errors["username"] = "Enter your username"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            address, name = throttle.client_address(request), normalise_username(username)[:150]
            wait = throttle.reserve(address, name)
            if wait:
                errors["username"] = (
                    "Too many failed sign-in attempts. "
                    f"Wait {throttle.describe_wait(wait)}, then try again"
                )
                retry_after = wait
            else:
                user = authenticate(request, username=name, password=password)
                if user is None:
                    errors["username"] = "The username or password is not right"
                else:
                    throttle.succeeded(address, name)
                    login(request, user)
                    safe = url_has_allowed_host_and_scheme(
                        next_url,
                        allowed_hosts={request.get_host()},
                        require_https=request.is_secure(),
                    )
                    return redirect(next_url if safe and next_url else "kpiboard:home")
    response = render(
        request,
        "kpiboard/sign_in.html",
        {
            "errors": errors,
            "username": username,
            "next": next_url,
            "local_passwords": settings.LOCAL_PASSWORDS,
        },
        status=429 if retry_after else 400 if errors else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def sign_out(request):
    logout(request)
    return redirect("kpiboard:login")
