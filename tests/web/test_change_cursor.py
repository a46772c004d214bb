"""The cursor a Recent changes link carries: written and read back to the same place, ordered as
the list is, and anything else refused as a bad cursor (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.web.change_cursor import BadCursor, Cursor, of_row, parse

KINDS = ("commentary", "figure", "gap", "signoff")
TIMES = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(5000, 1, 1), timezones=st.just(UTC)
)
CURSORS = st.builds(Cursor, TIMES, st.sampled_from(KINDS), st.integers(0, 2**63 - 1))


@given(CURSORS)
def test_cursor_text_parses_back_to_the_same_cursor(cursor):
    assert parse(cursor.text, KINDS) == cursor


@given(st.text(max_size=60))
def test_cursor_parse_of_any_text_gives_a_cursor_or_bad_cursor(text):
    result = _parsed(text)
    if isinstance(result, Cursor):
        assert result.kind in KINDS and parse(result.text, KINDS) == result
    else:
        assert result  # what is wrong, for the page's message


def _parsed(text: str) -> Cursor | str:
    try:
        return parse(text, KINDS)
    except BadCursor as error:
        return str(error)


def test_cursor_of_a_row_is_the_same_in_any_time_zone():
    moment = datetime(2026, 3, 29, 1, 30, 0, 250, tzinfo=UTC)
    bst = moment.astimezone(timezone(timedelta(hours=1)))
    assert of_row("gap", 3, bst).text == of_row("gap", 3, moment).text == "1774747800000250-gap-3"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "not a time, a kind of change and a number"),
        ("1774747800000250-gap", "not a time, a kind of change and a number"),
        ("1774747800000250-gap-3-4", "not a time, a kind of change and a number"),
        ("-1-gap-3", "not a time, a kind of change and a number"),
        ("1774747800000250-GAP-3", "not a time, a kind of change and a number"),
        ("1774747800000250-gap-99999999999999999999", "not a time, a kind of change"),
        ("1774747800000250-gap-9223372036854775808", "its number is out of range"),
        ("1774747800000250-plan-3", "'plan' is not a kind of change"),
        ("\u0661\u0662-gap-\u0663", "not a time, a kind of change"),  # Arabic-Indic digits
        ("\uff11\uff12-gap-3", "not a time, a kind of change"),  # full-width digits
    ],
)
def test_cursor_parse_refuses_a_tampered_cursor_saying_why(text, problem):
    with pytest.raises(BadCursor, match=problem):
        parse(text, KINDS)


@given(st.lists(CURSORS, min_size=2, max_size=8), st.sampled_from(KINDS))
def test_cursor_older_and_newer_split_the_list_around_it(cursors, kind):
    """For rows of any kind: exactly one of older, newer or the cursor itself, as the list's
    order (time, kind, id) says; checked on the conditions' terms, without a database."""
    at = cursors[0]
    for row in cursors[1:]:
        row = Cursor(row.created, kind, row.pk)
        older = _holds(at.older(kind), row)
        newer = _holds(at.newer(kind), row)
        assert older == (row < at) and newer == (row > at)


def _holds(condition, row: Cursor) -> bool:
    """Evaluates a ``Q`` of ``created`` and ``pk`` comparisons on one row."""
    if not hasattr(condition, "children"):
        name, value = condition
        field, test = name.split("__")
        mine = row.created if field == "created" else row.pk
        return {"lt": mine < value, "lte": mine <= value, "gt": mine > value, "gte": mine >= value}[
            test
        ]
    results = [_holds(child, row) for child in condition.children]
    found = all(results) if condition.connector == "AND" else any(results)
    return not found if condition.negated else found
