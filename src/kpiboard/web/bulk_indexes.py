"""A first load into an empty table: its secondary indexes and foreign keys set aside, then built
again once, inside the same transaction.

Keeping six indexes up to date row by row costs a database more than building each once from
the finished table (one sort instead of a million tree descents), and PostgreSQL checks each
foreign key of each row with a query of its own at commit, where adding the key back checks
every row in one join. Measured on a million figures: SQLite's CPU for the insert falls from
about 7.4 s to 5.2 s, PostgreSQL's server CPU for the ``COPY`` and commit from about 10.3 s to
3.4 s (bench/README.md).

Only an empty table is treated this way (building an index again over rows already there would
cost more than it saves), and only inside the caller's transaction, so all or nothing still
holds: the definitions are read from the database's own catalogue and executed again as they
were, and if rebuilding one fails (a duplicate the unique indexes refuse, say) the whole load is
rolled back with the indexes as they were.

The cost is waiting, not safety. On PostgreSQL, dropping and adding a foreign key locks the
tables it joins (figures, and the people and indicators they point to) until the commit, so
other requests wait for the load to end: a few seconds at a million figures. That is why only
pack loads ask for it (``loadpack``, the demo: a site being filled for the first time), never
an import from the web. SQLite's readers go on reading the snapshot before the load.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

IMMEDIATE = "SET CONSTRAINTS ALL IMMEDIATE"
DEFERRED = "SET CONSTRAINTS ALL DEFERRED"


def _sqlite_statements(cursor, table: str) -> tuple[list[str], list[str]]:
    """(drop, create) statements for the table's own ``CREATE INDEX`` indexes (a ``UNIQUE``
    written in the table's definition, and its foreign keys, cannot be dropped on SQLite)."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
        " AND sql IS NOT NULL ORDER BY name",
        [table],
    )
    found = cursor.fetchall()
    quote = connection.ops.quote_name
    return [f"DROP INDEX {quote(name)}" for name, _ in found], [sql for _, sql in found]


def _postgresql_statements(cursor, table: str) -> tuple[list[str], list[str]]:
    """(drop, create) statements for the table's foreign keys, unique constraints and indexes
    other than its primary key, as the catalogue defines them."""
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
        [table],
    )  # unique ones first, then foreign keys
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    )
    indexes = cursor.fetchall()
    table_ = quote(table)
    drop = [f"ALTER TABLE {table_} DROP CONSTRAINT {quote(name)}" for name, _ in constraints]
    drop += [f"DROP INDEX {quote(name)}" for name, _ in indexes]
    keys = [f"ALTER TABLE {table_} ADD CONSTRAINT {quote(n)} {sql}" for n, sql in constraints]
    # A foreign key is dropped and added by altering the table it points to as well, which
    # PostgreSQL refuses while that table has checks deferred to the commit (the indicators this
    # load created): those are run first instead, and then every deferrable constraint goes
    # back to being checked at the commit (Django makes each one INITIALLY DEFERRED).
    return [IMMEDIATE, *drop, DEFERRED], [*(sql for _, sql in indexes), IMMEDIATE, *keys, DEFERRED]


def _empty(cursor, table: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
    return cursor.fetchone() is None


@contextmanager
def set_aside_when_empty(table: str, wanted: bool = True) -> Iterator[bool]:
    """Inside a transaction: when ``wanted`` and ``table`` holds no rows, drop its secondary
    indexes (and on PostgreSQL its foreign keys and unique constraints) for the block and
    create them again after it; yields whether it did. Must run inside ``transaction.atomic``."""
    if not wanted:
        yield False
        return
    if not connection.in_atomic_block:  # pragma: no cover - a programming error
        raise RuntimeError("indexes are set aside only inside a transaction")
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if not _empty(cursor, table):
            yield False
            return
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {quoted} IN ACCESS EXCLUSIVE MODE")
            statements = _postgresql_statements if _empty(cursor, table) else None
        elif connection.vendor == "sqlite":
            # The load has written in this transaction, so it holds SQLite's one write lock;
            # had another writer slipped rows in, the indexes built after would cover them too.
            statements = _sqlite_statements
        else:  # pragma: no cover - kpiboard runs on SQLite and PostgreSQL
            statements = None
        if statements is None:
            yield False
            return
        drop, create = statements(cursor, table)
        for sql in drop:
            cursor.execute(sql)
    yield True
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
