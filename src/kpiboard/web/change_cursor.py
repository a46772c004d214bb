"""Where a page of Recent changes starts or ends: a cursor (keyset paging) rather than an offset.

Changes are listed newest first, ordered by (time made, kind of record, id), which no two
revisions share however many were made in the same microsecond. A cursor names one change by that
key, and a page is "the changes just older (or just newer) than it": each kind of revision is read
along its index on ``created`` from the cursor's time, so the thousandth page costs what the first
does, where an offset would make the database walk past every newer row first, and a change saved
meanwhile does not shift a page under its reader.

A cursor travels in a link as plain text, ``<microseconds since 1970 UTC>-<kind>-<id>``
(``1764786342123456-figure-1234``): readable, and checked before use, so a tampered one is
refused with a message rather than failing in the database.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FORM = re.compile(r"([0-9]{1,17})-([a-z]{1,20})-([0-9]{1,19})")  # 17 digits: up to the year 5138
_LARGEST_ID = 2**63 - 1  # the largest id a big integer column holds


class BadCursor(ValueError):
    """A cursor that is not one this site wrote: the link was changed or cut short."""


@dataclass(frozen=True, order=True)
class Cursor:
    """One change's place in the list: its time, kind (a key of the page's kinds) and id.

    Ordered as the list is (compared field by field), so ``max`` of rows is the newest."""

    created: datetime
    kind: str
    pk: int

    @property
    def text(self) -> str:
        """The cursor as a link carries it; :func:`parse` reads it back to the same cursor."""
        since = self.created - EPOCH
        micro = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
        return f"{micro}-{self.kind}-{self.pk}"

    def older(self, kind: str) -> Q:
        """The rows of ``kind`` that come after this change in the list (older ones).

        Written as ``created <= t`` and a narrower test, so each kind's read is one range of
        its index on ``created``; a plain OR of the three cases would not use the index."""
        at = Q(created__lte=self.created)
        if kind < self.kind:  # same time, earlier in the order of kinds: listed after
            return at
        if kind > self.kind:
            return Q(created__lt=self.created)
        return at & (Q(created__lt=self.created) | Q(pk__lt=self.pk))

    def newer(self, kind: str) -> Q:
        """The rows of ``kind`` that come before this change in the list (newer ones)."""
        at = Q(created__gte=self.created)
        if kind > self.kind:
            return at
        if kind < self.kind:
            return Q(created__gt=self.created)
        return at & (Q(created__gt=self.created) | Q(pk__gt=self.pk))


def of_row(kind: str, pk: int, created: datetime) -> Cursor:
    """The cursor of a listed row (its time in UTC, so the text is the same in any zone)."""
    return Cursor(created.astimezone(UTC), kind, pk)


def parse(text: str, kinds: Collection[str]) -> Cursor:
    """A cursor from a link, or :class:`BadCursor` saying what is wrong with it."""
    found = _FORM.fullmatch(text)
    if not found:
        raise BadCursor("it is not a time, a kind of change and a number joined by hyphens")
    micro, kind, pk = found.groups()
    if kind not in kinds:
        raise BadCursor(f"{kind!r} is not a kind of change")
    if int(pk) > _LARGEST_ID:
        raise BadCursor("its number is out of range")
    return Cursor(EPOCH + timedelta(microseconds=int(micro)), kind, int(pk))
