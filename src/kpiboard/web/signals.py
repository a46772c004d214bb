"""Django's sign-in, failed sign-in and sign-out signals, written to the security audit trail
(:mod:`.security_log`). Connected when the app is ready (apps.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .accounts import normalise_username
from .models import SecurityEventKind
from .security_log import record
from .sso import sign_in_detail
from .throttle import client_address


def _address(request) -> str:
    return client_address(request) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="kpiboard_security_sign_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    record(
        SecurityEventKind.SIGN_IN,
        user.get_username(),
        user=user,
        address=_address(request),
        detail=sign_in_detail(user),
    )


@receiver(user_login_failed, dispatch_uid="kpiboard_security_sign_in_failed")
def _failed(sender, credentials, request=None, **kwargs) -> None:
    """The person is looked up so that the trail says whose password was guessed at; the masked
    password Django passes in ``credentials`` is not read. A single sign-on attempt carries no
    username; web.sso records it, with its reason, instead."""
    if "username" not in credentials:
        return
    name = normalise_username(str(credentials.get("username", "")))[:150]
    user = get_user_model().objects.filter(username=name).first()
    detail = "wrong password" if user is not None else "no such person"
    record(
        SecurityEventKind.SIGN_IN_FAILED, name, user=user, address=_address(request), detail=detail
    )


@receiver(user_logged_out, dispatch_uid="kpiboard_security_sign_out")
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        record(
            SecurityEventKind.SIGN_OUT, user.get_username(), user=user, address=_address(request)
        )
