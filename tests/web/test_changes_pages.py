"""Recent changes page by page: Older and Newer links carry a cursor (keyset paging), so every
change is reachable however many there are, none skipped or repeated when many share a time,
with the filters kept and a tampered link refused with a message."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiboard.web.models import CommentaryText, GapExplanation, Indicator
from kpiboard.web.views import changes

URL = reverse("kpiboard:changes")
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MODELS = {"commentary": CommentaryText, "gap": GapExplanation}


def get(client, query: str = "", status: int = 200) -> str:
    response = client.get(URL + query)
    assert response.status_code == status
    return response.content.decode()


def link(page: str, rel: str) -> str:
    """The Older (rel="next") or Newer (rel="prev") link's query, "" when there is none."""
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', page)
    return htmllib.unescape(found.group(1)) if found else ""


def changed(page: str) -> list[str]:
    """Each listed change's "Change" column, in the page's order."""
    body = page[page.index("<tbody") : page.index("</tbody>")] if "<tbody" in page else ""
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)
    return [re.findall(r"<td class=\"govuk-table__cell\">(.*?)</td>", r, re.S)[2] for r in rows]


def status(page: str) -> str:
    return re.search(r'role="status" id="changes-status">(.*?)</p>', page, re.S).group(1)


def add(user, kinds_and_seconds: list[tuple[str, int]]) -> list[str]:
    """Commentary and gap explanations by ``user``, the n-th made ``seconds`` after START and
    saying "note n"; returns what the page shows for each, newest first (time, kind, id)."""
    ind = Indicator.objects.get(code="ASC01")
    made = []
    for n, (kind, seconds) in enumerate(kinds_and_seconds):
        row = MODELS[kind].objects.create(
            indicator=ind, period="2013-10", text=f"note {n}", revision=1000 * user.pk + n,
            is_current=False, author=user,
        )  # fmt: skip
        MODELS[kind].objects.filter(pk=row.pk).update(created=START + timedelta(seconds=seconds))
        made.append((START + timedelta(seconds=seconds), kind, row.pk, f"note {n}"))
    shown = {"commentary": "{}", "gap": "Gap explained: {}"}
    return [shown[k].format(t) for _, k, _, t in sorted(made, reverse=True)]


def follow(client, query: str, rel: str) -> list[str]:
    """The pages reached from ``query`` by following one link (Older or Newer) to the end."""
    pages = [get(client, query)]
    while link(pages[-1], rel):
        pages.append(get(client, link(pages[-1], rel)))
        assert len(pages) < 1000
    return pages


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made=st.lists(
        st.tuples(st.sampled_from(sorted(MODELS)), st.integers(0, 4)), min_size=1, max_size=24
    ),
    per_page=st.integers(1, 6),
)
def test_changes_older_links_reach_every_change_once_with_ties_on_time(
    client_for, demo_site, made, per_page
):
    """Many changes share a time (a handful of seconds for up to 24): following Older from the
    newest lists each exactly once, in order; Newer from the oldest gives the same pages back."""
    client = client_for("viewer")
    with transaction.atomic(), mock.patch.object(changes, "PER_PAGE", per_page):
        with mock.patch.object(changes, "COUNTED", 5):
            expected = add(demo_site["owner"], made)
            down = follow(client, "", "next")
            up = follow(client, link(down[-1], "prev"), "prev") if len(down) > 1 else []
        transaction.set_rollback(True)  # the next example starts from the demo site again
    assert [c for p in down for c in changed(p)] == expected
    assert all(len(changed(p)) == per_page for p in down[:-1])
    assert [changed(p) for p in up] == [changed(p) for p in reversed(down[:-1])]
    assert not link(down[0], "prev") and (not up or not link(up[-1], "prev"))


def test_changes_a_change_older_than_the_newest_counted_is_reached_by_older_links(
    client_for, demo_site, monkeypatch
):
    monkeypatch.setattr(changes, "COUNTED", 10)
    monkeypatch.setattr(changes, "PER_PAGE", 4)
    expected = add(demo_site["owner"], [("commentary", s) for s in range(23)])
    pages = follow(client_for("viewer"), "", "next")
    assert changed(pages[-1])[-1] == "note 0" == expected[-1]  # the oldest, 23rd from the top
    assert [status(p) for p in pages] == [
        "Changes 1 to 4 of more than 10 (page 1).",
        "Changes 5 to 8 of more than 10 (page 2).",
        "Changes 9 to 12 of more than 10 (page 3).",
        *["Changes older than the newest 10, newest first."] * 3,
    ]
    assert "<title>Recent changes, older than the newest 10 " in pages[-1]
    assert "<title>Recent changes, page 2 " in pages[1]
    assert link(pages[1], "prev") == "?"  # to the newest page, not a cursor
    assert "&before=" in link(pages[0], "next") or "?before=" in link(pages[0], "next")


def test_changes_count_their_place_exactly_below_the_bound(client_for, demo_site, monkeypatch):
    monkeypatch.setattr(changes, "PER_PAGE", 4)
    add(demo_site["owner"], [("gap", s % 3) for s in range(9)])
    pages = follow(client_for("viewer"), "", "next")
    assert [status(p) for p in pages] == [
        "Changes 1 to 4 of 9 (page 1 of 3).",
        "Changes 5 to 8 of 9 (page 2 of 3).",
        "Changes 9 to 9 of 9 (page 3 of 3).",
    ]


def test_changes_pages_keep_their_filters(client_for, demo_site, monkeypatch):
    monkeypatch.setattr(changes, "PER_PAGE", 3)
    add(demo_site["owner"], [("commentary" if s % 2 else "gap", s) for s in range(10)])
    add(demo_site["analyst"], [("commentary", s) for s in range(4)])
    person = demo_site["owner"].pk
    pages = follow(client_for("viewer"), f"?kind=commentary&person={person}&loads=1", "next")
    older = link(pages[0], "next")
    assert older.startswith(f"?kind=commentary&person={person}&loads=1&before=")
    assert [c for p in pages for c in changed(p)] == [f"note {n}" for n in (9, 7, 5, 3, 1)]
    assert link(pages[1], "prev") == f"?kind=commentary&person={person}&loads=1"
    section = follow(client_for("viewer"), "?section=scs", "next")
    assert len(section) == 1 and not changed(section[0])  # none in that section


def test_changes_newer_links_carry_a_cursor_further_back(client_for, demo_site, monkeypatch):
    monkeypatch.setattr(changes, "PER_PAGE", 2)
    expected = add(demo_site["owner"], [("gap", 7)] * 7)  # all at one time
    client = client_for("viewer")
    pages = follow(client, "", "next")
    assert link(pages[3], "prev").startswith("?after=")
    assert changed(get(client, link(pages[3], "prev"))) == expected[4:6]
    assert changed(get(client, link(pages[2], "prev"))) == expected[2:4]
    assert link(pages[1], "prev") == "?"  # the top page


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?before=yesterday", "it is not a time, a kind of change and a number"),
        ("?after=1764786342123456-figure-", "it is not a time, a kind of change and a number"),
        ("?before=1764786342123456-secret-4", "'secret' is not a kind of change"),
        ("?before=1-figure-1&after=1-figure-1", "it has both 'before' and 'after'"),
        ("?before=1" + "0" * 30 + "-figure-1", "it is not a time"),
        ("?kind=gap&before=12-gap-x", "it is not a time"),
    ],
)
def test_changes_a_tampered_cursor_is_refused_with_a_message(client_for, demo_site, query, problem):
    expected = add(demo_site["owner"], [("gap", 1), ("gap", 2)])
    page = get(client_for("viewer"), query, status=400)
    assert "There is a problem" in page and "<title>Error: Recent changes" in page
    assert "This link to a page of changes is not valid (bad cursor: " in page
    assert htmllib.escape(problem) in page and "The newest changes are shown instead." in page
    assert changed(page) == expected


def test_changes_a_cursor_past_the_oldest_says_so_and_links_to_the_newest(client_for, demo_site):
    add(demo_site["owner"], [("gap", 1)])
    client = client_for("viewer")
    page = get(client, "?kind=gap&before=0-gap-0")
    assert "No older changes" in page and 'href="?kind=gap"' in page
    future = get(client, "?before=99999999999999999-gap-999999999999999999")
    assert changed(future) == ["Gap explained: note 0"]  # everything is older than the year 5138
    assert changed(get(client, "?after=99999999999999999-gap-1")) == ["Gap explained: note 0"]
