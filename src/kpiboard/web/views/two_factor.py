"""Two-factor authentication pages: the code asked for after the password, the signed-in
person's own settings (set up, recovery codes, turn off). The rules are in :mod:`..two_factor`;
:class:`..two_factor_middleware.TwoFactorMiddleware` decides who is sent where."""

from __future__ import annotations

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .. import two_factor
from ..store import site_row
from ..throttle import client_address


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=40, error_messages={"required": "Enter the code from your authenticator app"}
    )


def _errors(form: forms.Form) -> dict[str, str]:
    return {field: str(errors[0]) for field, errors in form.errors.items()}


def _safe_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if safe else ""


def _verified(request, device) -> None:
    """This session has had a code: a new session key (so a key seen before the code is worth
    nothing after it), then django-otp's mark on the session."""
    request.session.cycle_key()
    django_otp.login(request, device)


def _code_page(request, template: str, context: dict, form, status: int = 200, wait: int = 0):
    errors = _errors(form) if form is not None and form.is_bound else {}
    response = render(request, template, context | {"errors": errors}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def code(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified() or not two_factor.has_two_factor(user):
        return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
    context = {"next": _safe_next(request)}
    form, status, wait = None, 200, 0
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            check = two_factor.check_code(
                user, form.cleaned_data["code"], address=client_address(request)
            )
            if check.accepted:
                _verified(request, check.device)
                return redirect(context["next"] or settings.LOGIN_REDIRECT_URL)
            form.add_error("code", check.error())
            wait = check.wait
        status = 429 if wait else 400
    return _code_page(request, "kpiboard/two_factor_code.html", context, form, status, wait)


@require_safe
def overview(request):
    user = request.user
    return render(
        request,
        "kpiboard/two_factor.html",
        {
            "enabled": two_factor.has_two_factor(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "sso": two_factor.signed_in_through_sso(request),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def set_up(request):
    """Scan the QR code (or type the secret), then confirm with a code the app shows."""
    user = request.user
    if two_factor.has_two_factor(user):
        messages.info(request, "Two-factor authentication is already on.")
        return redirect("kpiboard:two_factor")
    device = two_factor.unconfirmed_device(user)
    form, status, wait = None, 200, 0
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            address = client_address(request)
            check = two_factor.confirm_app(user, device, form.cleaned_data["code"], address=address)
            if check.accepted:
                codes = two_factor.new_recovery_codes(user, address=address, audit=False)
                _verified(request, check.device)
                request.session[two_factor.NEW_CODES_SESSION_KEY] = codes
                return redirect("kpiboard:two_factor_recovery_codes")
            form.add_error("code", check.error(recovery=False))
            wait = check.wait
        status = 429 if wait else 400
    organisation = site_row(request)[1].get("organisation", "kpiboard")
    context = {
        "qr": two_factor.qr_svg(two_factor.config_url(device, organisation)),
        "secret": two_factor.secret_text(device),
        "required": two_factor.is_required(user),
    }
    return _code_page(request, "kpiboard/two_factor_set_up.html", context, form, status, wait)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """GET shows new codes once (then they are gone from the session); POST makes new ones."""
    user = request.user
    if request.method == "POST":
        if not two_factor.has_two_factor(user):
            return redirect("kpiboard:two_factor")
        codes = two_factor.new_recovery_codes(user, address=client_address(request))
        request.session[two_factor.NEW_CODES_SESSION_KEY] = codes
        return redirect("kpiboard:two_factor_recovery_codes")
    codes = request.session.pop(two_factor.NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("kpiboard:two_factor")
    return render(request, "kpiboard/two_factor_recovery_codes.html", {"codes": codes})


@never_cache
@require_http_methods(["GET", "POST"])
def turn_off(request):
    """Turning it off takes a current code (or recovery code), and is refused where required."""
    user = request.user
    if not two_factor.has_two_factor(user):
        return redirect("kpiboard:two_factor")
    required = two_factor.is_required(user)
    form, status, wait = None, 200, 0
    if request.method == "POST" and not required:
        form = CodeForm(request.POST)
        if form.is_valid():
            address = client_address(request)
            check = two_factor.check_code(user, form.cleaned_data["code"], address=address)
            if check.accepted:
                two_factor.turn_off(user, address=address)
                messages.success(request, "Two-factor authentication is off.")
                return redirect("kpiboard:two_factor")
            form.add_error("code", check.error())
            wait = check.wait
        status = 429 if wait else 400
    elif request.method == "POST":
        status = 403
    context = {"required": required}
    return _code_page(request, "kpiboard/two_factor_turn_off.html", context, form, status, wait)
