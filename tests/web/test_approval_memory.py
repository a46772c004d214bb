"""The memory of what each plan revision changed (web/approval.py): bounded by the entries it
holds, not by the number of revisions, since one revision (a whole file brought in) can change
thousands of entries where a form's save changes one."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpiboard.web.approval import REVISION_ENTRIES, _RevisionEntries
from kpiboard.web.models import PlanFile

pytestmark = pytest.mark.django_db

ACTIONS = "plan/actions.yaml"


def new_revision(demo_site, note: str, every_update: bool = False) -> PlanFile:
    """A revision of the actions file that changes one update's text, or every update's."""
    current = PlanFile.objects.get(name=ACTIONS, is_current=True)
    body = copy.deepcopy(current.body)
    updates = [u for a in body["actions"] for u in a.get("updates") or []]
    for update in updates if every_update else updates[:1]:
        update["text"] = note
    return PlanFile.objects.append(
        current, name=ACTIONS, body=body, author=demo_site["analyst"], reason=note
    )


def all_updates() -> int:
    body = PlanFile.objects.get(name=ACTIONS, is_current=True).body
    return sum(len(a.get("updates") or []) for a in body["actions"])


def test_revision_memory_is_bounded_by_the_entries_held(demo_site):
    small = [new_revision(demo_site, f"Save {n}") for n in range(3)]
    memory = _RevisionEntries(entries=all_updates() + 1)
    assert [len(e) for e in memory.of(small).values()] == [1, 1, 1]
    assert (len(memory), memory.held) == (3, 3)
    whole = new_revision(demo_site, "A whole file brought in", every_update=True)
    found = memory.of([whole])
    assert len(found[whole.pk]) == all_updates() > 3
    assert memory.held <= memory.entries  # the oldest saves went to make room
    assert len(memory) == 2 and memory.held == all_updates() + 1
    with CaptureQueriesContext(connection) as again:
        assert memory.of([*small[2:], whole])[whole.pk] == found[whole.pk]
    assert not again.captured_queries  # both kept: no body read again


def test_revision_bigger_than_the_bound_is_answered_not_kept(demo_site):
    memory = _RevisionEntries(entries=5)
    whole = new_revision(demo_site, "A whole file brought in", every_update=True)
    assert len(memory.of([whole])[whole.pk]) == all_updates() > 5
    assert (len(memory), memory.held) == (0, 0)


def test_revision_memory_filled_by_one_test(demo_site):
    REVISION_ENTRIES.of([new_revision(demo_site, "Kept")])
    assert (len(REVISION_ENTRIES), REVISION_ENTRIES.held) == (1, 1)


def test_revision_memory_is_empty_at_the_next_tests_start(demo_site):
    """Row ids come round again once a test's inserts are rolled back (tests/conftest.py)."""
    assert (len(REVISION_ENTRIES), REVISION_ENTRIES.held) == (0, 0)
