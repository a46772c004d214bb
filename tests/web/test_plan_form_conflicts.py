"""The business plan's forms against someone else's save: the fingerprint a form carries is
never newer than the values it shows (a save landing while the form is put together makes the
form's own save refused, never lets it overwrite what it did not show), and after "changed
elsewhere" the form shows what is saved now beside what was typed, so a deliberate second save
goes through."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from kpiboard.core.actions import ActionStatus
from kpiboard.web.models import PlanFile
from kpiboard.web.plan_writes import save_action_update, save_risk_review
from kpiboard.web.store import clear_cache, current_pack
from kpiboard.web.views import action_update as action_view
from kpiboard.web.views import risk_review as risk_view

from .revisions import plan_version, save_between_the_reads

pytestmark = pytest.mark.django_db

ACTION_URL = reverse("kpiboard:action_update", args=["ACT-RECRUIT"])  # an scs action
RISK_URL = reverse("kpiboard:risk_review", args=["R-WORK"])  # an scs risk


def hidden_version(html: str) -> str:
    found = re.search(r'name="base_version" value="([^"]*)"', html)
    assert found is not None
    return found.group(1)


def owners_action_update(demo_site) -> Callable[[], object]:
    return lambda: save_action_update(
        demo_site["section_owner"], "ACT-RECRUIT", current_pack().as_at,
        status=ActionStatus.AT_RISK, progress=60, text="The owner's update.",
        base_version=plan_version("actions", "ACT-RECRUIT"),
    )  # fmt: skip


def action_texts() -> list[str]:
    body = PlanFile.objects.get(name="plan/actions.yaml", is_current=True).body
    action = next(a for a in body["actions"] if a["id"] == "ACT-RECRUIT")
    return [u.get("text", "") for u in action["updates"]]


def risk_notes() -> list[str]:
    body = PlanFile.objects.get(name="plan/risks.yaml", is_current=True).body
    risk = next(r for r in body["risks"] if r["id"] == "R-WORK")
    return [str(v.get("note", "")) for v in risk["reviews"]]


def test_action_form_opened_during_a_save_never_overwrites_it(client_for, demo_site, monkeypatch):
    current_pack()  # built before the page starts, as on a running site
    reads = ("current_pack", "current_actions")
    save_between_the_reads(
        monkeypatch, [(action_view, n) for n in reads], owners_action_update(demo_site)
    )
    analyst = client_for("analyst")
    page = analyst.get(ACTION_URL).content.decode()
    monkeypatch.undo()
    data = {"status": "on_track", "progress": "20", "text": "The analyst's.",
            "base_version": hidden_version(page)}  # fmt: skip
    response = analyst.post(ACTION_URL, data)
    assert "The owner&#x27;s update." in page or response.status_code == 409
    assert "The owner's update." in action_texts()
    clear_cache()


def test_risk_form_opened_during_a_save_never_overwrites_it(client_for, demo_site, monkeypatch):
    current_pack()

    def owners_review():
        save_risk_review(
            demo_site["section_owner"], "R-WORK", current_pack().as_at, likelihood=5, impact=5,
            note="The owner's review.", base_version=plan_version("risks", "R-WORK"),
        )  # fmt: skip

    reads = [(risk_view, "generation"), (risk_view, "current_file")]
    save_between_the_reads(monkeypatch, reads, owners_review)
    analyst = client_for("analyst")
    page = analyst.get(RISK_URL).content.decode()
    monkeypatch.undo()
    data = {"likelihood": "2", "impact": "2", "note": "The analyst's.",
            "next_review": "2013-12-31", "base_version": hidden_version(page)}  # fmt: skip
    response = analyst.post(RISK_URL, data)
    assert response.status_code == 409 or 'value="5" checked' in page
    assert "The owner's review." in risk_notes()
    clear_cache()


def test_action_changed_elsewhere_shows_whats_saved_and_saves_the_second_time(client_for):
    opened = plan_version("actions", "ACT-RECRUIT")
    data = {"status": "at_risk", "progress": "35", "text": "The owner's update.",
            "base_version": opened}  # fmt: skip
    assert client_for("section_owner").post(ACTION_URL, data).status_code == 302
    analyst = client_for("analyst")
    refused = analyst.post(ACTION_URL, data | {"text": "The analyst's.", "progress": "50"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else changed ACT-RECRUIT" in page
    saved_now = page[page.index('id="saved-now"') : page.index('name="base_version"')]
    assert "At risk" in saved_now and "35% complete" in saved_now
    assert "The owner&#x27;s update." in saved_now
    assert re.search(r'<textarea[^>]*name="text"[^>]*>The analyst&#x27;s.<', page)
    assert 'value="50"' in page
    assert hidden_version(page) == plan_version("actions", "ACT-RECRUIT") != opened
    again = analyst.post(ACTION_URL, data | {"text": "The analyst's.",
                                             "base_version": hidden_version(page)})  # fmt: skip
    assert again.status_code == 302
    assert action_texts()[-1] == "The analyst's."
    clear_cache()


def test_action_changed_again_after_the_refusal_is_refused_again(client_for, demo_site):
    opened = plan_version("actions", "ACT-RECRUIT")
    data = {"status": "at_risk", "progress": "35", "text": "First.", "base_version": opened}
    assert client_for("section_owner").post(ACTION_URL, data).status_code == 302
    analyst = client_for("analyst")
    page = analyst.post(ACTION_URL, data | {"text": "Mine."}).content.decode()
    owners_action_update(demo_site)()  # one more save while the analyst reads
    again = analyst.post(ACTION_URL, data | {"text": "Mine.", "base_version": hidden_version(page)})
    assert again.status_code == 409
    assert action_texts()[-1] == "The owner's update."
    clear_cache()


def test_risk_changed_elsewhere_shows_whats_saved_and_saves_the_second_time(client_for):
    opened = plan_version("risks", "R-WORK")
    data = {"likelihood": "4", "impact": "5", "note": "The owner's review.",
            "next_review": "2014-01-31", "base_version": opened}  # fmt: skip
    assert client_for("section_owner").post(RISK_URL, data).status_code == 302
    analyst = client_for("analyst")
    refused = analyst.post(RISK_URL, data | {"note": "The analyst's.", "likelihood": "2"})
    assert refused.status_code == 409
    page = refused.content.decode()
    saved_now = page[page.index('id="saved-now"') : page.index('name="base_version"')]
    assert "The owner&#x27;s review." in saved_now and "31 January 2014" in saved_now
    assert "The analyst&#x27;s." in page[page.index('name="base_version"') :]
    assert hidden_version(page) == plan_version("risks", "R-WORK") != opened
    again = analyst.post(RISK_URL, data | {"note": "The analyst's.", "likelihood": "2",
                                           "base_version": hidden_version(page)})  # fmt: skip
    assert again.status_code == 302
    body = PlanFile.objects.get(name="plan/risks.yaml", is_current=True).body
    review = next(r for r in body["risks"] if r["id"] == "R-WORK")["reviews"][-1]
    assert (review["note"], review["likelihood"]) == ("The analyst's.", 2)
    assert date.fromisoformat(str(review["next_review"])) == date(2014, 1, 31)
    clear_cache()
