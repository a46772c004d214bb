"""The security audit trail: sign-ins, failed and throttled sign-ins, sign-outs, and every change
to a person (added, name, email, role, sections and indicators, deactivated or reactivated,
password reset asked for and done), each a :class:`~.models.SecurityEvent` row that
administrators read at /security-events/.

Sign-in, failure and sign-out are recorded from Django's own signals (see :mod:`.signals`), so
the sign-in view stays thin and every way of signing in is covered; a throttled attempt is
recorded by the throttle in the transaction that refused it, and a change to a person by
:mod:`.accounts` in the transaction of the change, naming who made it (``actor``). Only the
username (normalised), the address and a short detail are kept: Django hands the failure signal
its credentials with the password already masked, and only the username is read from them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import SecurityEvent, SecurityEventKind


def record(
    kind: SecurityEventKind,
    username: str,
    *,
    user=None,
    actor=None,
    address: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Append one event; fields are cut to their columns' lengths rather than refused, since a
    sign-in must never fail because its record is long. Without ``user``, the person the
    username names (if anyone) is looked up, so the trail says whose account was tried."""
    if user is None and username:
        user = get_user_model().objects.filter(username=username[:150]).first()
    return SecurityEvent.objects.create(
        kind=kind,
        username=username[:150],
        user=user,
        actor=actor,
        address=address[:64],
        detail=detail[:500],
    )
