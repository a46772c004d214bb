"""Slowing down password guessing: failed sign-ins counted per (address, username).

Each pair gets ``LOGIN_MAX_FAILURES`` tries; from then on every failure makes it wait, twice as
long each time (``LOGIN_BACKOFF_SECONDS``, doubling up to ``LOGIN_MAX_WAIT_SECONDS``). Nobody is
locked out for good, and a guesser cannot lock anyone else out: not a colleague behind the same
address (another username), nor the person they name (another address).

An attempt is counted *before* its password is checked, in one locked database step, so parallel
attempts cannot all slip past the check: of 16 at once against 5 tries, 5 are checked. A right
password then clears the count. The count lives in the database so every server process shares it.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SecurityEventKind, SignInThrottle
from .security_log import record


def client_address(request) -> str:
    """The client's address; behind a proxy, the last X-Forwarded-For hop, which the proxy adds
    itself (earlier entries come from the client and could be forged)."""
    if settings.BEHIND_PROXY:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if hops and hops[-1]:
            return hops[-1][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _wait(failures: int) -> timedelta | None:
    """How long a pair with ``failures`` counted attempts must wait before the next one."""
    over = failures - settings.LOGIN_MAX_FAILURES
    if over < 0:
        return None
    seconds = settings.LOGIN_BACKOFF_SECONDS * 2 ** min(over, 30)
    return timedelta(seconds=min(seconds, settings.LOGIN_MAX_WAIT_SECONDS))


def reserve(address: str, username: str) -> int:
    """Count an attempt by ``username`` from ``address`` before its password is checked.

    Returns 0 when the attempt may go ahead, else the seconds to wait (nothing is counted then).
    Failures are forgotten after ``LOGIN_WINDOW_SECONDS`` without one, once any wait has ended.
    A refused attempt is written to the security audit trail in the same transaction.
    """
    now = timezone.now()
    quiet = now - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    with transaction.atomic():
        row, _ = SignInThrottle.objects.select_for_update().get_or_create(
            address=address, username=username
        )
        if row.blocked_until is not None and row.blocked_until > now:
            seconds = max(1, math.ceil((row.blocked_until - now).total_seconds()))
            detail = f"{row.failures} failures; told to wait {describe_wait(seconds)}"
            record(SecurityEventKind.THROTTLED, username, address=address, detail=detail)
            return seconds
        waited = row.blocked_until is None or row.blocked_until < quiet
        if row.last_failure is not None and row.last_failure < quiet and waited:
            row.failures = 0
        row.failures += 1
        row.last_failure = now
        wait = _wait(row.failures)
        row.blocked_until = now + wait if wait else None
        row.save()
    return 0


def succeeded(address: str, username: str) -> None:
    """A right password: the pair starts again with every try."""
    SignInThrottle.objects.filter(address=address, username=username).delete()


def describe_wait(seconds: int) -> str:
    """ "30 seconds", "1 minute", "16 minutes": the wait, rounded up to whole minutes past 1."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
