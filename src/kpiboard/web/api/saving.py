"""The write endpoints: figures and commentary in bulk, through the web forms' own write path
(:func:`kpiboard.web.writes.save_period_entry`), so the same validation, roles, locks, reasons
and revisions apply. A request is all or nothing: every item is tried in one transaction and
any refusal rolls back all of them, with every refusal named by item and field.

With an ``Idempotency-Key`` header, the answer is kept with the key (in the same transaction):
the same key and body again gets the same answer and writes nothing; the same key with another
body is refused (422). Keys are kept for seven days."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from ninja import Status

from ..models import (
    ApiIdempotency,
    CommentaryText,
    Figure,
    Indicator,
    SecurityEventKind,
    Site,
)
from ..security_log import record
from ..throttle import client_address
from ..writes import ConcurrentEdit, Invalid, Locked, Result, save_period_entry
from .auth import write_auth
from .http import ApiError
from .reads import router
from .schemas import CommentaryWrite, ErrorOut, FiguresWrite, WriteOut

WRITE_RESPONSES = {
    200: WriteOut,
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
MAX_KEY = 200
#: How long an Idempotency-Key's answer is kept: long enough for any retry.
KEEP_KEYS = timedelta(days=7)


def _field(key: str, series: str | None) -> str | None:
    """The API's name for a field the write path names."""
    if key == "":
        return None
    if key == series:
        return "value"
    return {"commentary": "text", "indicator": "indicator"}.get(key, key)


def _try(index: int, item, save: Callable[[], Result], series: str | None):
    """Run one item's save: (0, [], its result), or (status, errors, None) when refused."""

    def error(field, message):
        return {"item": index, "field": field, "message": message}

    try:
        return 0, [], save()
    except Indicator.DoesNotExist:
        return 400, [error("indicator", f"There is no indicator {item.indicator!r}")], None
    except PermissionDenied:
        message = f"You may not change {item.indicator}'s figures or commentary"
        return 403, [error("indicator", message)], None
    except (Locked, ConcurrentEdit) as exc:
        return 409, [error(_field(k, series), m) for k, m in exc.errors.items()], None
    except Invalid as exc:
        return 400, [error(_field(k, series), m) for k, m in exc.errors.items()], None


def _current_revision(model, **key) -> int:
    row = model.objects.filter(is_current=True, **key).values_list("revision", flat=True)
    return row.first() or 0


def _figure_saver(request, item, reason: str):
    def save():
        base = item.base_revision
        if base is None:
            base = _current_revision(
                Figure, indicator__code=item.indicator, period=item.period, series=item.series
            )
        return save_period_entry(
            request.user, item.indicator, item.period, {item.series: item.value},
            {item.series: base}, None, 0, reason, note=item.note, token=request.api_token,
        )  # fmt: skip

    return save


def _commentary_saver(request, item, reason: str):
    def save():
        base = item.base_revision
        if base is None:
            base = _current_revision(
                CommentaryText, indicator__code=item.indicator, period=item.period
            )
        return save_period_entry(
            request.user, item.indicator, item.period, {}, {}, item.text, base, reason,
            token=request.api_token,
        )  # fmt: skip

    return save


def _run(request, payload, make_saver, series_of) -> tuple[int, dict]:
    """Every item in one transaction; (status, body)."""
    statuses, errors, done = [], [], []
    with transaction.atomic():
        for index, item in enumerate(payload.items):
            save = make_saver(request, item, payload.reason)
            status, problems, result = _try(index, item, save, series_of(item))
            if result is None:
                statuses.append(status)
                errors += problems
                continue
            done.append(
                {
                    "item": index,
                    "indicator": item.indicator,
                    "period": item.period,
                    "changed": not result.nothing_changed,
                }
            )
        if errors:
            transaction.set_rollback(True)
            return max(statuses, key=lambda s: (s == 409, s == 403, s)), {"errors": errors}
        changed = sum(1 for d in done if d["changed"])
        version = _version()
        if changed:
            token = request.api_token
            record(
                SecurityEventKind.TOKEN_WRITE,
                request.user.get_username(),
                user=request.user,
                address=client_address(request),
                detail=f"{token.prefix}… {request.path}: {changed} of {len(done)} items changed",
            )
    return 200, {"items": done, "changed": changed, "version": version}


def _version() -> int:
    return Site.get().version


def _idempotent(request, payload, run) -> tuple[int, dict]:
    """``run()``, or the answer kept for the request's Idempotency-Key."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return run()
    if len(key) > MAX_KEY or "\x00" in key:
        raise ApiError(
            400,
            [
                {
                    "item": None,
                    "field": "Idempotency-Key",
                    "message": f"Use at most {MAX_KEY} characters",
                }
            ],
        )
    body = json.dumps(payload.dict(), sort_keys=True, default=str)
    digest = hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()
    token = request.api_token
    try:
        with transaction.atomic():
            kept = ApiIdempotency.objects.filter(token=token, key=key).first()
            if kept is None:
                status, answer = run()
                if status == 200:
                    ApiIdempotency.objects.filter(created__lt=timezone.now() - KEEP_KEYS).delete()
                    ApiIdempotency.objects.create(
                        token=token, key=key, request_digest=digest, status=status, body=answer
                    )
                return status, answer
    except IntegrityError:  # the same key, sent twice at once: the other one won
        kept = ApiIdempotency.objects.filter(token=token, key=key).first()
    if kept is None or kept.request_digest != digest:
        raise ApiError(
            422,
            [{"item": None, "field": "Idempotency-Key",
              "message": "This key was used for a different request: use a new key"}],
        )  # fmt: skip
    return kept.status, kept.body


IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "description": "Any string of up to 200 characters, new for each write: a retry "
            "with the same key and body writes nothing and gets the first answer again",
            "schema": {"type": "string", "maxLength": MAX_KEY},
        }
    ]
}


@router.post("/figures", response=WRITE_RESPONSES, auth=write_auth, openapi_extra=IDEMPOTENCY_DOC)
def write_figures(request, payload: FiguresWrite):
    """Save figures (any series the token's owner may enter), all or nothing. Changing a
    figure of a submitted period, or (analysts only) of an approved one, needs a ``reason``."""
    return Status(
        *_idempotent(
            request, payload, lambda: _run(request, payload, _figure_saver, lambda i: i.series)
        )
    )


@router.post(
    "/commentary", response=WRITE_RESPONSES, auth=write_auth, openapi_extra=IDEMPOTENCY_DOC
)
def write_commentary(request, payload: CommentaryWrite):
    """Save commentary, all or nothing; an empty text clears it."""
    return Status(
        *_idempotent(
            request, payload, lambda: _run(request, payload, _commentary_saver, lambda i: None)
        )
    )
