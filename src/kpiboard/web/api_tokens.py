"""Personal API tokens: made, revoked, checked and rate limited here, each step audited.

A token is ``kpb_`` followed by 43 random URL-safe characters. It is shown once, when it is made;
only its SHA-256 hash is stored (a token is random and long, so a fast hash is enough: nothing
can be guessed from the hash). A token has a scope (read, or read and write) and an expiry, and
acts as its owner: with the owner's role, sections and indicators, never more. A deactivated
person's tokens stop working with them.

Audit: making and revoking a token, the first use of a token on each day, and every write made
through one are security events (see :mod:`.security_log`). Reads after the first of the day are
not recorded one by one: the trail would drown in them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import ApiScope, ApiToken, SecurityEventKind
from .permissions import can_administer
from .security_log import record

PREFIX = "kpb_"
#: Characters of a token kept in the clear, so that people can tell their tokens apart.
SHOWN = 12
#: The longest a token may last, in days, and the default.
MAX_DAYS = 366
DEFAULT_DAYS = 90
MAX_NAME = 100


class TokenError(Exception):
    """A token that cannot be made or revoked as asked; the message says why."""


@dataclass(frozen=True)
class Made:
    """A new token and its secret, which is never available again."""

    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(user, *, scope: str, days: int = DEFAULT_DAYS, name: str = "", actor=None) -> Made:
    """Make a token for ``user`` (by ``actor``: the user, an administrator, or None for the
    command line). Raises :class:`TokenError` for a bad scope, lifetime or name."""
    if scope not in ApiScope.values:
        raise TokenError(f"Scope must be one of: {', '.join(ApiScope.values)}")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"Days must be between 1 and {MAX_DAYS}")
    name = (name or "").strip() or f"Token made {timezone.localdate():%-d %B %Y}"
    if len(name) > MAX_NAME or "\x00" in name:
        raise TokenError(f"Name must be {MAX_NAME} characters or fewer, with no NUL character")
    if not user.is_active:
        raise TokenError(f"{user.get_username()} is deactivated")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:SHOWN],
            digest=digest(secret),
            scope=scope,
            created_by=actor,
            expires=timezone.now() + timedelta(days=days),
        )
        record(
            SecurityEventKind.TOKEN_CREATED,
            user.get_username(),
            user=user,
            actor=actor,
            detail=f"{token.prefix}… {token.name}: {scope}, {days} days",
        )
    return Made(token, secret)


def may_manage(actor, token: ApiToken) -> bool:
    """A token is revoked by its owner or an administrator."""
    return actor.pk == token.user_id or can_administer(actor)


def revoke_token(token: ApiToken, *, actor=None) -> bool:
    """Revoke ``token`` (False when it was revoked already); audited."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(
            revoked=timezone.now()
        )
        if changed:
            record(
                SecurityEventKind.TOKEN_REVOKED,
                token.user.get_username(),
                user=token.user,
                actor=actor,
                detail=f"{token.prefix}… {token.name}",
            )
    token.refresh_from_db()
    return bool(changed)


def live_tokens():
    now = timezone.now()
    return ApiToken.objects.filter(revoked__isnull=True, expires__gt=now, user__is_active=True)


def find_token(secret: str) -> ApiToken | None:
    """The live token ``secret`` is, or None (unknown, revoked, expired, or its owner
    deactivated)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return live_tokens().select_related("user").filter(digest=digest(secret)).first()


def note_use(token: ApiToken, address: str) -> None:
    """Record the token's first use each day (one event, however many requests that day)."""
    today = timezone.localdate()
    first = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(Q(last_used__isnull=True) | Q(last_used__lt=today))
        .update(last_used=today)
    )
    if first:
        record(
            SecurityEventKind.TOKEN_USED,
            token.user.get_username(),
            user=token.user,
            address=address,
            detail=f"{token.prefix}… {token.name}",
        )


def within_rate(token: ApiToken) -> bool:
    """Count one request against the token's allowance for the current minute
    (``KPIBOARD_API_REQUESTS_PER_MINUTE``); False when it is used up. Counted in the database
    with one conditional update, so every worker process shares the count."""
    now = timezone.now()
    minute = now.replace(second=0, microsecond=0)
    limit = settings.API_REQUESTS_PER_MINUTE
    tokens = ApiToken.objects.filter(pk=token.pk)
    if tokens.filter(Q(window_start__isnull=True) | Q(window_start__lt=minute)).update(
        window_start=minute, window_count=1
    ):
        return True
    return bool(tokens.filter(window_count__lt=limit).update(window_count=F("window_count") + 1))


def seconds_to_next_minute() -> int:
    now = timezone.now()
    return 60 - now.second
