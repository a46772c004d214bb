"""Two people editing the same figures: the second save, based on an old revision, is refused
whole and told who changed what, to what, and when; nothing is silently overwritten."""

from __future__ import annotations

import re

import pytest
from django.db import OperationalError, connection

from kpiboard.web import writes
from kpiboard.web.models import CommentaryText, Figure
from kpiboard.web.writes import ConcurrentEdit, save_period_entry

from .revisions import saves_at_once

SEP = "/entry/ASC01/2013-09/"


def current(series="actual", period="2013-09") -> Figure:
    return Figure.objects.get(
        indicator__code="ASC01", period=period, series=series, is_current=True
    )


def save(user, values, bases, reason="Revised", commentary=None, commentary_base=0):
    return save_period_entry(
        user, "ASC01", "2013-09", values, bases, commentary, commentary_base, reason
    )


def test_a_save_based_on_a_stale_revision_is_refused_with_who_what_and_when(demo_site):
    save(demo_site["analyst"], {"actual": 74.0}, {"actual": 1})
    rows = Figure.objects.count()
    with pytest.raises(ConcurrentEdit) as caught:
        save(demo_site["owner"], {"actual": 75.0, "clients": 12000.0}, {"actual": 1, "clients": 1})
    (conflict,) = caught.value.conflicts
    assert (conflict.field, conflict.theirs, conflict.yours) == ("actual", 74.0, 75.0)
    assert conflict.author == "Tom Whitfield" and conflict.revision == 2
    assert re.fullmatch(
        r"Tom Whitfield changed this figure to 74 at \d\d:\d\d while you were editing; "
        r"your change was not saved",
        conflict.message(),
    )
    assert Figure.objects.count() == rows  # the clients figure was not saved either
    assert current().value == 74.0 and current("clients").revision == 1


def test_a_value_left_alone_does_not_overwrite_a_newer_one(demo_site):
    save(demo_site["analyst"], {"actual": 74.0}, {"actual": 1})
    # The owner's form still shows 73 for the actual; they change only the clients.
    result = save(demo_site["owner"], {"actual": 73.0, "clients": 12000.0},
                  {"actual": 1, "clients": 1})  # fmt: skip
    assert result.changed == ("clients",)
    assert current().value == 74.0


def test_the_same_change_made_twice_is_no_conflict(demo_site):
    save(demo_site["analyst"], {"actual": 74.0}, {"actual": 1})
    result = save(demo_site["owner"], {"actual": 74.0}, {"actual": 1})
    assert result.nothing_changed and current().revision == 2


def test_a_stale_save_of_a_new_figure_is_refused(demo_site):
    save_period_entry(demo_site["analyst"], "ASC01", "2013-10", {"actual": 74.0}, {}, None, 0, "")
    with pytest.raises(ConcurrentEdit) as caught:
        save_period_entry(
            demo_site["owner"], "ASC01", "2013-10", {"actual": 75.0}, {"actual": 0}, None, 0, ""
        )
    assert caught.value.conflicts[0].theirs == 74.0


def test_commentary_edited_by_two_people(demo_site):
    save(demo_site["analyst"], {}, {}, commentary="Analyst's words", commentary_base=1)
    with pytest.raises(ConcurrentEdit) as caught:
        save(demo_site["owner"], {}, {}, commentary="Owner's words", commentary_base=1)
    (conflict,) = caught.value.conflicts
    assert conflict.field == "commentary" and conflict.theirs == "Analyst's words"
    text = CommentaryText.objects.get(indicator__code="ASC01", period="2013-09", is_current=True)
    assert text.text == "Analyst's words"


def form_data(page: str) -> dict[str, str]:
    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name[1] not in ("csrfmiddlewaretoken", "action", "next", "base_revision"):
            data[name[1]] = value[1] if value else ""
    data["commentary"] = re.search(r'name="commentary"[^>]*>(.*?)</textarea>', page, re.S)[1]
    return data


def test_the_form_explains_a_concurrent_edit_and_shows_the_other_value(client_for):
    owner, analyst = client_for("owner"), client_for("analyst")
    mine = form_data(owner.get(SEP).content.decode())
    theirs = form_data(analyst.get(SEP).content.decode())
    theirs.update({"value-actual": "74", "reason": "Late returns"})
    assert analyst.post(SEP, theirs).status_code == 302
    mine.update({"value-actual": "75", "reason": "My fix"})
    response = owner.post(SEP, mine)
    page = response.content.decode()
    assert response.status_code == 409
    assert re.search(
        r"Tom Whitfield changed this figure to 74% at \d\d:\d\d while you were editing; "
        r"your change was not saved \(you entered 75\)",
        page,
    )
    shown = form_data(page)
    assert shown["value-actual"] == "74" and shown["base-actual"] == "2"
    assert current().value == 74.0
    # Having seen it, the owner can still save their figure deliberately.
    assert owner.post(SEP, {**shown, "value-actual": "75"}).status_code == 302
    assert current().value == 75.0 and current().revision == 3


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_one_wins_the_other_is_refused(demo_site, monkeypatch):
    """Two threads, each with its own database connection, save over revision 1 at once. The
    first holds its transaction open (after taking the write lock) while the second starts."""
    owner, refused = saves_at_once(
        monkeypatch,
        writes,
        lambda: save(demo_site["owner"], {"actual": 74.0}, {"actual": 1}),
        lambda: save(demo_site["analyst"], {"actual": 75.0}, {"actual": 1}),
    )
    assert owner == "saved"
    if connection.vendor == "postgresql":
        # It waited for the lock, then saw the owner's revision.
        assert isinstance(refused, ConcurrentEdit)
        conflict = refused.conflicts[0]
        assert conflict.theirs == 74.0 and conflict.author == writes.who(demo_site["owner"])
    else:
        # SQLite: the test database is a shared in-memory one, whose connections fail at once
        # with "locked" instead of waiting as the file database of a real site does.
        assert isinstance(refused, ConcurrentEdit | OperationalError)
    rows = Figure.objects.filter(indicator__code="ASC01", period="2013-09", series="actual")
    assert sorted(rows.values_list("revision", "value", "is_current")) == [
        (1, 73.0, False),
        (2, 74.0, True),
    ]
