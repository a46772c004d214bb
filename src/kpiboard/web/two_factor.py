"""Two-factor authentication for people who sign in with a kpiboard password: an authenticator
app (a time-based code, django-otp's TOTP device) and ten single-use recovery codes (its static
device). Who must use it is :setting:`TWO_FACTOR_REQUIRED` (``KPIBOARD_TWO_FACTOR_REQUIRED``).

A session signed in through single sign-on carries :data:`SSO_SESSION_KEY`; the identity provider
did the second factor, so such a session is never asked for a kpiboard code.

Every change and every code tried goes to the security audit trail (:mod:`.security_log`). Codes
themselves are never recorded.
"""

from __future__ import annotations

import math
import secrets
from base64 import b32encode
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Profile, Role, SecurityEventKind
from .permissions import ROLE_READ, note_role, role_of
from .plain_sql import PlainQuery
from .security_log import record
from .sso import SESSION_KEY as SSO_SESSION_KEY
from .throttle import describe_wait

#: New recovery codes, kept in the session between making them and showing them once.
NEW_CODES_SESSION_KEY = "kpiboard_new_recovery_codes"

RECOVERY_CODE_COUNT = 10
#: No 0/o, 1/l/i: a code copied from paper should not be misread.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

#: The words of :setting:`TWO_FACTOR_REQUIRED` besides role names.
EVERYONE, NOBODY = "all", "none"


def required_roles() -> frozenset[Role]:
    """The roles that must use two-factor authentication, from the setting: role names
    (``administrator,analyst``), ``all`` or ``none``. Anything else is refused, naming it."""
    words = [w.strip().lower() for w in settings.TWO_FACTOR_REQUIRED if w.strip()]
    if words in ([], [NOBODY]):
        return frozenset()
    if words == [EVERYONE]:
        return frozenset(Role)
    unknown = [w for w in words if w not in Role.values]
    if unknown:
        raise ImproperlyConfigured(
            f"KPIBOARD_TWO_FACTOR_REQUIRED has {', '.join(map(repr, unknown))}: use role names "
            f"({', '.join(Role.values)}) separated by commas, {EVERYONE!r} or {NOBODY!r}"
        )
    return frozenset(Role(w) for w in words)


def is_required(user) -> bool:
    return role_of(user) in required_roles()


def signed_in_through_sso(request) -> bool:
    return request.session.get(SSO_SESSION_KEY) is True


def app_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_two_factor(user) -> bool:
    """Whether the person has a confirmed authenticator app (recovery codes alone do not count:
    they come with the app and go with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_two_factor_and_role(user) -> bool:
    """:func:`has_two_factor`, with the person's role read in the same query for
    :func:`~kpiboard.web.permissions.role_of`: every page asks both of a person signed in
    without a code (see web/plain_sql.py)."""
    if user.is_superuser or hasattr(user, ROLE_READ):
        return has_two_factor(user)
    row = _ROLE_AND_APP.one([user.pk])
    if row is None:  # gone since the session was read: no role, and no app either
        note_role(user, None)
        return False
    note_role(user, row[0])
    return bool(row[1])


#: The person's role (NULL without a profile) and whether they have a confirmed app.
_ROLE_AND_APP = PlainQuery(
    "SELECT p.{profile__role}, EXISTS (SELECT 1 FROM {device} d"
    " WHERE d.{device__user_id} = u.{person__id} AND d.{device__confirmed})"
    " FROM {person} u LEFT JOIN {profile} p ON p.{profile__user_id} = u.{person__id}"
    " WHERE u.{person__id} = %s",
    person=get_user_model(),
    profile=Profile,
    device=TOTPDevice,
)


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user).first()
    return device.token_set.count() if device is not None else 0


def unconfirmed_device(user) -> TOTPDevice:
    """The app being set up: the same secret on every visit until it is confirmed."""
    return app_device(user, confirmed=False) or TOTPDevice.objects.create(
        user=user, name=APP_DEVICE_NAME, confirmed=False
    )


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32 (what apps take when typed), in groups of four for reading."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def config_url(device: TOTPDevice, issuer: str) -> str:
    """The otpauth:// address the QR code holds; ``issuer`` is the name the app shows."""
    issuer = issuer.replace(":", "")
    label = quote(f"{issuer}:{device.user.get_username()}")
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    params = {
        "secret": secret,
        "issuer": issuer,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def qr_svg(url: str) -> SafeString:
    """The QR code as an inline SVG, drawn with attributes only (no style), so the page's
    Content-Security-Policy needs no exception."""
    import segno

    svg = segno.make(url, error="m").svg_inline(
        scale=5,
        dark="#0b0c0c",
        light="#ffffff",
        title="QR code for your authenticator app",
        svgclass="kpi-qr",
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


def normalise_code(text: str) -> str:
    """A code as typed, without spaces and hyphens and in lower case."""
    return "".join(text.split()).replace("-", "").lower()


def format_recovery_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


class Outcome(Enum):
    APP_CODE = "app"
    RECOVERY_CODE = "recovery"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Check:
    """What came of a code: accepted (by which device), wrong, or not tried because of too many
    wrong codes just before (``wait`` seconds more)."""

    outcome: Outcome
    device: TOTPDevice | StaticDevice | None = None
    wait: int = 0

    @property
    def accepted(self) -> bool:
        return self.outcome in (Outcome.APP_CODE, Outcome.RECOVERY_CODE)

    def error(self, *, recovery: bool = True) -> str:
        """The message for a refused code; ``recovery``: whether a recovery code would do."""
        if self.outcome is Outcome.THROTTLED:
            return f"Too many wrong codes. Wait {describe_wait(self.wait)}, then try again"
        return "The code is not right. Enter the code your app shows now" + (
            ", or a recovery code" if recovery else ""
        )


def _try(device, code: str, accepted: Outcome) -> Check:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        left = (info["locked_until"] - timezone.now()).total_seconds()
        return Check(Outcome.THROTTLED, device, max(1, math.ceil(left)))
    if device.verify_token(code):
        return Check(accepted, device)
    return Check(Outcome.WRONG, device)


def check_code(user, text: str, *, address: str = "") -> Check:
    """Try a code: six digits against the person's app, anything else against their recovery
    codes (a used one is deleted). Each device throttles its own wrong codes (the wait doubles
    from one second). The outcome goes to the audit trail."""
    code = normalise_code(text)
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            kind = Outcome.APP_CODE
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            kind = Outcome.RECOVERY_CODE
        device = device.order_by("pk").first()
        check = _try(device, code, kind) if device is not None else Check(Outcome.WRONG)
    _record_check(user, check, address)
    return check


def _record_check(user, check: Check, address: str) -> None:
    name = user.get_username()
    if check.outcome is Outcome.APP_CODE:
        record(SecurityEventKind.TWO_FACTOR_VERIFIED, name, user=user, address=address)
    elif check.outcome is Outcome.RECOVERY_CODE:
        detail = f"{recovery_codes_left(user)} recovery codes left"
        record(
            SecurityEventKind.RECOVERY_CODE_USED, name, user=user, address=address, detail=detail
        )
    else:
        detail = (
            f"not tried: told to wait {describe_wait(check.wait)}"
            if check.outcome is Outcome.THROTTLED
            else "wrong code"
        )
        record(SecurityEventKind.TWO_FACTOR_FAILED, name, user=user, address=address, detail=detail)


def confirm_app(user, device: TOTPDevice, text: str, *, address: str = "") -> Check:
    """Confirm the app being set up with a code it shows; only then does it count. Any other
    app the person had is removed in the same step."""
    code = normalise_code(text)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user).first()
        if device is None:  # set up at the same time in another tab, which replaced this one
            return Check(Outcome.WRONG)
        check = _try(device, code, Outcome.APP_CODE)
        if check.accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            record(
                SecurityEventKind.TWO_FACTOR_SET_UP, user.get_username(), user=user, address=address
            )
    return check


@transaction.atomic
def new_recovery_codes(user, *, address: str = "", audit: bool = True) -> list[str]:
    """Ten new recovery codes, replacing any old ones (which stop working at once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    device.throttle_reset(commit=False)
    device.save()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    device.token_set.bulk_create([device.token_set.model(device=device, token=c) for c in codes])
    if audit:
        record(
            SecurityEventKind.RECOVERY_CODES_NEW, user.get_username(), user=user, address=address
        )
    return [format_recovery_code(c) for c in codes]


def _remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def turn_off(user, *, address: str = "") -> None:
    """The person turns two-factor authentication off (the view has checked a current code and
    that it is not required of them): app and recovery codes are removed."""
    _remove_devices(user)
    record(SecurityEventKind.TWO_FACTOR_OFF, user.get_username(), user=user, address=address)


@transaction.atomic
def reset_two_factor(person, by) -> None:
    """An administrator (``by``; None from the command line) removes another person's app and
    recovery codes, say after a lost phone. Their sessions lose their verification at once; where
    two-factor authentication is required of them, they set it up again at their next page."""
    _remove_devices(person)
    who = f"by {by.get_username()}" if by is not None else "from the command line"
    record(SecurityEventKind.TWO_FACTOR_RESET, person.get_username(), user=person, detail=who)
