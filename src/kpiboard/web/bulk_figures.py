"""Writing many figure revisions at once: a million rows of a long CSV in seconds, not minutes.

The rows to write are worked out by the caller (which revisions to retire, the numbers of the new
ones, the author and reason: see :func:`kpiboard.web.store.load_pack_into_db` and
:func:`kpiboard.web.db_import.apply_db_import`); this module only stores them, inside the caller's
transaction, so a failure part-way leaves nothing written.

Small loads go through the ORM's ``bulk_create``. Large ones skip building a model object per row:
PostgreSQL takes them through ``COPY ... FROM STDIN`` (psycopg 3's ``cursor.copy()``), other
databases (SQLite) through ``executemany`` in large batches. Both store exactly the same rows.
A first load into an empty table builds the table's indexes once at the end instead of row by row
(:mod:`kpiboard.web.bulk_indexes`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import connection
from django.utils import timezone

from .bulk_indexes import set_aside_when_empty
from .models import Figure

#: From this many rows a load takes the fast path (below it, building models costs little).
BULK_FROM = 20_000
#: Rows per ``executemany`` call (SQLite), per progress report and per retiring query.
BATCH = 20_000
RETIRE_BATCH = 10_000  # or fewer: the database's limit of parameters in one query

#: A new revision as the writers take it: (indicator id, period label, series, value, note,
#: revision number, the fetch's file it was loaded from or "": see ``Figure.fetched_file``).
NewFigure = tuple[int, str, str, float | None, str, int, str]
#: ``progress(done, total, step, force=False)``, as web.jobs.Reporter and the CLI's bar take it.
Progress = Callable[..., None]

WRITING = "Writing the figures"
INDEXING = "Indexing the figures"
_COLUMNS = (
    "indicator",
    "period",
    "series",
    "value",
    "note",
    "revision",
    "is_current",
    "author",
    "created",
    "reason",
    "fetched_file",
)


def retire(pks: Sequence[int]) -> None:
    """Mark the given current revisions as no longer current (before their successors are
    added: one current revision per figure is a unique index)."""
    step = min(connection.features.max_query_params or RETIRE_BATCH, RETIRE_BATCH) - 1
    for start in range(0, len(pks), step):
        Figure.objects.filter(pk__in=pks[start : start + step]).update(is_current=False)


def add(
    rows: Sequence[NewFigure],
    author,
    reason: str,
    progress: Progress | None = None,
    *,
    bulk: bool | None = None,
    set_aside: bool = False,
) -> None:
    """Store ``rows`` as current revisions by ``author`` with ``reason``, all created now.

    ``bulk`` chooses the path (None: the fast one from :data:`BULK_FROM` rows); ``progress``
    hears how many rows are written after each batch. ``set_aside``: on the fast path into an
    empty table, build the indexes after the rows (:mod:`kpiboard.web.bulk_indexes`); pack
    loads from the command line ask for it, the web's imports do not (on PostgreSQL it makes
    other requests wait for the people and indicator tables until the load commits).
    """
    if not rows:
        return
    bulk = len(rows) >= BULK_FROM if bulk is None else bulk
    author_id = author.pk if author is not None else None
    reason = reason[: Figure._meta.get_field("reason").max_length]
    now = timezone.now()
    if not bulk:
        _orm(rows, author_id, reason, now, progress)
        return
    with set_aside_when_empty(Figure._meta.db_table, set_aside) as aside:
        if connection.vendor == "postgresql":
            _copy(rows, author_id, reason, now, progress)
        else:
            _executemany(rows, author_id, reason, now, progress)
        if aside and progress is not None:
            progress(0, 0, INDEXING, force=True)  # the indexes are built as the block ends


def _say(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total, WRITING, force=done == total)


def _orm(rows, author_id, reason: str, now: datetime, progress: Progress | None) -> None:
    for start in range(0, len(rows), BATCH):
        Figure.objects.bulk_create(
            (
                Figure(
                    indicator_id=ind,
                    period=period,
                    series=series,
                    value=value,
                    note=note,
                    revision=revision,
                    author_id=author_id,
                    reason=reason,
                    created=now,
                    fetched_file=fetched,
                )
                for ind, period, series, value, note, revision, fetched in rows[
                    start : start + BATCH
                ]
            ),
            batch_size=1000,
        )
        _say(progress, min(start + BATCH, len(rows)), len(rows))


def _table_and_columns() -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    fields = {f.name: f for f in Figure._meta.concrete_fields}
    return quote(Figure._meta.db_table), [quote(fields[name].column) for name in _COLUMNS]


#: COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]")
_NULL = "\\N"


def _text(value: str) -> str:
    return value.translate(_ESCAPES) if _SPECIAL.search(value) else value


def _copy(rows, author_id, reason: str, now: datetime, progress: Progress | None) -> None:
    """PostgreSQL: one ``COPY`` stream in its text format, a batch of lines at a time (building
    the lines here is several times faster than handing psycopg a tuple per row)."""
    table, columns = _table_and_columns()
    tail = "\t".join(
        ["t", _NULL if author_id is None else str(author_id), now.isoformat(), _text(reason)]
    )
    total = len(rows)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, total, BATCH):
                copy.write(
                    "".join(
                        f"{ind}\t{_text(period)}\t{_text(series)}\t"
                        f"{_NULL if value is None else repr(value)}\t{_text(note)}\t{revision}\t"
                        f"{tail}\t{_text(fetched)}\n"
                        for ind, period, series, value, note, revision, fetched in rows[
                            start : start + BATCH
                        ]
                    )
                )
                _say(progress, min(start + BATCH, total), total)


def _executemany(rows, author_id, reason: str, now: datetime, progress: Progress | None) -> None:
    """SQLite (and any other database): one prepared insert, run over large batches."""
    table, columns = _table_and_columns()
    created = Figure._meta.get_field("created").get_db_prep_value(now, connection)
    total = len(rows)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, total, BATCH):
            cursor.executemany(
                sql,
                [(ind, period, series, value, note, revision, True, author_id, created, reason,
                  fetched)
                 for ind, period, series, value, note, revision, fetched in rows[
                     start : start + BATCH]],
            )  # fmt: skip
            _say(progress, min(start + BATCH, total), total)
