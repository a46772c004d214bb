"""The few reads every request makes, as plain SQL instead of query sets.

Django puts a query set together afresh on every run (joins, aliases, compiling), and for the
small reads every page makes (the data version, the reader's role, who owns what) that took ten
times the processor time of running them: a third of what the lightest pages cost. These are
written once, with table and column names taken from the models (so a renamed field still
lands in the right column), and run as they are. Nothing a user types reaches them but as a
query parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection, models


class PlainQuery:
    """A SELECT written with names for ``models``' tables (``{name}``) and columns
    (``{name__field}``), quoted for the database in use when first run."""

    def __init__(self, sql: str, **tables: type[models.Model]) -> None:
        self.template = sql
        self.tables = tables
        self._sql: dict[str, str] = {}  # by database vendor

    def sql(self) -> str:
        vendor = connection.vendor
        found = self._sql.get(vendor)
        if found is None:
            quote = connection.ops.quote_name
            names = {}
            for name, model in self.tables.items():
                names[name] = quote(model._meta.db_table)
                for field, column in _columns(model, quote).items():
                    names[f"{name}__{field}"] = column
            found = self._sql[vendor] = self.template.format_map(names)
        return found

    def all(self, params: Sequence = ()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql(), params)
            return cursor.fetchall()

    def one(self, params: Sequence = ()) -> tuple | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql(), params)
            return cursor.fetchone()


def _columns(model: type[models.Model], quote) -> dict[str, str]:
    """Each concrete field's column, by field name (and by ``name_id`` for a foreign key)."""
    out = {}
    for field in model._meta.concrete_fields:
        out[field.name] = out[field.attname] = quote(field.column)
    return out


def aware(moment: datetime) -> datetime:
    """A date and time column's value as the ORM reads it: SQLite hands plain SQL a naive one,
    in the database connection's time zone (PostgreSQL hands over an aware one)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=connection.timezone)
