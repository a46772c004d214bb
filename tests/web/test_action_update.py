"""An owner's progress update on a business plan action: saved as a new revision of the plan's
actions file, refused when invalid, stale (that action changed since the form was opened: a
change to another action is no conflict), someone else's or locked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpiboard.core.actions import ActionRag, ActionStatus
from kpiboard.web.models import PlanFile, Section, Signoff
from kpiboard.web.store import clear_cache, current_pack

from .revisions import plan_version

pytestmark = pytest.mark.django_db

URL = reverse("kpiboard:action_update", args=["ACT-RECRUIT"])  # an scs action


def revision() -> int:
    return PlanFile.objects.get(name="plan/actions.yaml", is_current=True).revision


def post_data(version: str) -> dict:
    return {"status": "at_risk", "progress": "35", "text": "Offers accepted at last.",
            "base_version": version}  # fmt: skip


def post(client, **changes):
    data = {"status": "at_risk", "progress": "35", "text": "Offers accepted at last.",
            "base_version": plan_version("actions", "ACT-RECRUIT")} | changes  # fmt: skip
    return client.post(URL, data)


def test_form_shows_the_action_and_its_latest_update(client_for):
    response = client_for("section_owner").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Update: Recruit permanent social workers to replace agency staff" in html
    assert "its RAG is <strong>Red</strong>" in html
    assert 'value="off_track" checked' in html and 'value="30"' in html


def test_update_saved_as_a_new_revision_and_shown(client_for, demo_site):
    before = revision()
    response = post(client_for("section_owner"), rag="amber", rag_reason="Offers now accepted")
    assert response.status_code == 302 and response.url == reverse("kpiboard:plan")
    row = PlanFile.objects.get(name="plan/actions.yaml", is_current=True)
    assert row.revision == before + 1 and row.author == demo_site["section_owner"]
    assert row.reason == "Progress update on ACT-RECRUIT for 2013-09"
    clear_cache()
    action = next(a for a in current_pack().plan.actions if a.id == "ACT-RECRUIT")
    update = action.updates[-1]
    assert (update.period.label, update.status, update.progress) == (
        "2013-09",
        ActionStatus.AT_RISK,
        35,
    )
    assert update.override.rag is ActionRag.AMBER and update.override.by == "Owen Price"
    assert len(action.updates) == 2  # September's update replaced, June's kept
    clear_cache()


def test_update_with_bad_values_is_refused_and_nothing_saved(client_for):
    before = revision()
    response = post(client_for("section_owner"), progress="140", text="", rag="green")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a percentage from 0 to 100" in html
    assert "Say what has happened this period" in html
    assert "Give the reason for setting the RAG yourself" in html
    assert revision() == before


def test_update_on_a_stale_form_is_refused(client_for):
    before = revision()
    response = post(client_for("section_owner"), base_version="0" * 32)
    assert response.status_code == 409
    assert "Someone else changed ACT-RECRUIT since you opened this page" in (
        response.content.decode()
    )
    assert revision() == before


def test_updates_of_two_sections_actions_opened_together_are_both_saved(client_for):
    """Owners of different sections open their forms at once and save one after the other:
    neither touched the other's action, so no false "changed elsewhere"."""
    before = revision()
    scs = post_data(plan_version("actions", "ACT-RECRUIT"))
    asc_url = reverse("kpiboard:action_update", args=["ACT-TEL"])
    asc = {"status": "on_track", "progress": "50", "text": "Pilot under way.",
           "base_version": plan_version("actions", "ACT-TEL")}  # fmt: skip
    assert client_for("section_owner").post(URL, scs).status_code == 302
    assert client_for("analyst").post(asc_url, asc).status_code == 302
    assert revision() == before + 2
    clear_cache()
    actions = {a.id: a for a in current_pack().plan.actions}
    assert actions["ACT-RECRUIT"].updates[-1].text == "Offers accepted at last."
    assert actions["ACT-TEL"].updates[-1].text == "Pilot under way."
    clear_cache()


def test_two_updates_of_the_same_action_opened_together_refuse_the_second(client_for):
    """A real conflict: the second save would overwrite what the first said unseen."""
    opened = plan_version("actions", "ACT-RECRUIT")
    assert client_for("section_owner").post(URL, post_data(opened)).status_code == 302
    before = revision()
    response = client_for("analyst").post(URL, post_data(opened) | {"text": "Mine instead."})
    assert response.status_code == 409 and revision() == before
    clear_cache()
    action = next(a for a in current_pack().plan.actions if a.id == "ACT-RECRUIT")
    assert action.updates[-1].text == "Offers accepted at last."
    clear_cache()


def test_update_of_another_sections_action_is_refused(client_for):
    assert client_for("owner").get(URL).status_code == 403  # owns ASC01 only
    assert client_for("viewer").get(URL).status_code == 403


def test_update_of_an_approved_period_is_locked_for_owners(client_for, demo_site):
    Signoff.objects.create(section=Section.objects.get(code="scs"), period="2013-09",
                           state="approved", revision=1, author=demo_site["analyst"])  # fmt: skip
    before = revision()
    response = post(client_for("section_owner"))
    assert response.status_code == 400
    assert "so its figures are locked" in response.content.decode()
    assert revision() == before
    response = post(client_for("analyst"))
    assert "Give a reason for changing an approved period" in response.content.decode()
    response = post(client_for("analyst"), reason="Corrected after approval")
    assert response.status_code == 302 and revision() == before + 1
    clear_cache()


def test_unknown_action_is_not_found(client_for):
    url = reverse("kpiboard:action_update", args=["NOPE"])
    assert client_for("analyst").get(url).status_code == 404


def test_plan_page_links_to_updates_only_where_the_reader_may(client_for):
    html = client_for("section_owner").get(reverse("kpiboard:plan")).content.decode()
    assert URL in html
    assert reverse("kpiboard:action_update", args=["ACT-TEL"]) not in html
