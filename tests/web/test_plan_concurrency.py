"""Two people saving the business plan at the same moment, each in their own transaction and
database connection: owners of different actions both save (each applied to the file as it then
stands), two people editing the same action do not (the second is refused), and a refusal or a
failure leaves nothing half written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import OperationalError, connection

from kpiboard.core.actions import ActionStatus
from kpiboard.web import plan_writes
from kpiboard.web.models import PlanFile
from kpiboard.web.plan_writes import save_action_update
from kpiboard.web.store import current_pack
from kpiboard.web.writes import ConcurrentEdit

from .revisions import plan_version, saves_at_once


def updates(action_id: str) -> list[str]:
    body = PlanFile.objects.get(name="plan/actions.yaml", is_current=True).body
    action = next(a for a in body["actions"] if a["id"] == action_id)
    return [u.get("text", "") for u in action["updates"]]


def at_once(monkeypatch, demo_site, first: tuple[str, str], second: tuple[str, str]) -> dict:
    """Save ``first`` (person, action) and, while its transaction holds the lock, ``second``,
    both from forms opened before either saved; each one's outcome by person."""
    versions = {a: plan_version("actions", a) for _, a in (first, second)}
    month = current_pack().as_at

    def save(name: str, action_id: str) -> Callable[[], object]:
        return lambda: save_action_update(
            demo_site[name], action_id, month, status=ActionStatus.ON_TRACK, progress=40,
            text=f"By {name}", base_version=versions[action_id],
        )  # fmt: skip

    one, two = saves_at_once(monkeypatch, plan_writes, save(*first), save(*second))
    return {first[0]: one, second[0]: two}


@pytest.mark.django_db(transaction=True)
def test_two_sections_saving_at_the_same_moment_are_both_saved(demo_site, monkeypatch):
    before = PlanFile.objects.get(name="plan/actions.yaml", is_current=True).revision
    outcome = at_once(
        monkeypatch, demo_site, ("section_owner", "ACT-RECRUIT"), ("analyst", "ACT-TEL")
    )
    assert outcome["section_owner"] == "saved"
    current = PlanFile.objects.get(name="plan/actions.yaml", is_current=True)
    if connection.vendor == "postgresql":
        # The second waited for the lock, then saved over the first's revision: no conflict.
        assert outcome["analyst"] == "saved" and current.revision == before + 2
        assert "By section_owner" in updates("ACT-RECRUIT") and "By analyst" in updates("ACT-TEL")
    else:
        # SQLite's shared in-memory test database fails a waiting writer at once ("locked");
        # a site's file database waits. Either way nothing is half written.
        assert outcome["analyst"] == "saved" or isinstance(outcome["analyst"], OperationalError)
        assert current.revision == before + (2 if outcome["analyst"] == "saved" else 1)
    assert PlanFile.objects.filter(name="plan/actions.yaml", is_current=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_action_at_the_same_moment_refuse_the_second(
    demo_site, monkeypatch
):
    before = PlanFile.objects.get(name="plan/actions.yaml", is_current=True).revision
    outcome = at_once(
        monkeypatch, demo_site, ("section_owner", "ACT-RECRUIT"), ("analyst", "ACT-RECRUIT")
    )
    assert outcome["section_owner"] == "saved"
    refused = outcome["analyst"]
    if connection.vendor == "postgresql":
        assert isinstance(refused, ConcurrentEdit)
        assert "Someone else changed ACT-RECRUIT" in refused.errors[""]
    else:
        assert isinstance(refused, ConcurrentEdit | OperationalError)
    assert PlanFile.objects.get(name="plan/actions.yaml", is_current=True).revision == before + 1
    assert "By section_owner" in updates("ACT-RECRUIT")
    assert "By analyst" not in updates("ACT-RECRUIT")
