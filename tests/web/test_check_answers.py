"""Check your answers and submit: gaps refused until explained, owners see their own
indicators, and a submission withdrawn before approval."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpiboard.web.models import Definition, GapExplanation, Signoff
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import SignoffRefused, save_period_entry

from .revisions import hidden

CHECK = "/sections/asc/2013-10/check/"
WITHDRAW = "/sections/asc/2013-10/withdraw/"


def html(response) -> str:
    return response.content.decode()


def state(section="asc", period="2013-10") -> str:
    row = Signoff.objects.filter(section__code=section, period=period, is_current=True).first()
    return row.state if row else "draft"


def set_target(analyst, code="ASC01") -> None:
    """An analyst sets the 2013/14 annual target, so October has a target."""
    base = Definition.objects.get(indicator__code=code, is_current=True).revision
    response = analyst.post(
        reverse("kpiboard:annual_targets", args=[code]),
        {"base_revision": base, "year": "2013/14", "target": "85", "profile": "flat",
         "reason": "Agreed in the business plan"},
    )  # fmt: skip
    assert response.status_code == 302


def enter(person, code="ASC01", value=74.0, commentary="Steady at the target."):
    save_period_entry(person, code, "2013-10", {"actual": value}, {}, commentary, 0, "")


def test_the_page_lists_the_owners_indicators_with_figure_rating_commentary_and_gaps(
    client_for, demo_site
):
    enter(demo_site["owner"], commentary="")
    page = html(client_for("owner").get(CHECK))
    assert "Check your answers before submitting" in page
    assert "ASC01" in page and "ASC02" not in page  # the owner's own indicator only
    assert "74%" in page
    assert "No commentary" in page
    assert "Why is ASC01 incomplete?" in page


def test_a_submission_with_a_gap_is_refused_then_accepted_once_explained(client_for):
    client = client_for("owner")
    refused = client.post(CHECK, {"base_revision": "0", "gap-ASC01": ""})
    assert refused.status_code == 400
    assert (
        "ASC01 has no figure, no commentary and no target for Oct-13: enter them, or explain why "
        "not (an analyst sets the target)"
    ) in html(refused)
    assert 'href="#id_gap-ASC01"' in html(refused)
    assert state() == "draft"
    assert not GapExplanation.objects.exists()
    done = client.post(CHECK, {"base_revision": "0", "gap-ASC01": "The survey closes on the 20th"})
    assert done.status_code == 302 and done["Location"] == "/entry/"
    assert state() == "submitted"
    gap = GapExplanation.objects.get(indicator__code="ASC01", period="2013-10")
    assert gap.text == "The survey closes on the 20th" and gap.is_current


def test_a_complete_section_submits_without_explanations(client_for, demo_site):
    set_target(client_for("analyst"))
    enter(demo_site["owner"])
    assert client_for("owner").post(CHECK, {"base_revision": "0"}).status_code == 302
    assert state() == "submitted"


def test_an_analyst_must_account_for_every_indicator_of_the_section(client_for, demo_site):
    enter(demo_site["owner"])
    response = client_for("analyst").post(CHECK, {"base_revision": "0"})
    assert response.status_code == 400
    assert "ASC02 has no figure and no commentary" in html(response)
    assert state() == "draft"


def test_an_owner_withdraws_a_submission_before_approval(client_for, demo_site):
    set_target(client_for("analyst"))
    enter(demo_site["owner"])
    client = client_for("owner")
    client.post(CHECK, {"base_revision": "0"})
    assert "Withdraw the submission" in html(client.get(CHECK))
    response = client.post(WITHDRAW)
    assert response.status_code == 302
    assert state() == "draft"
    row = Signoff.objects.get(section__code="asc", period="2013-10", is_current=True)
    assert (row.revision, row.reason, row.author) == (
        2,
        "Withdrawn before approval",
        demo_site["owner"],
    )


def test_an_approved_submission_cannot_be_withdrawn(client_for, demo_site):
    enter(demo_site["owner"])
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    client_for("owner").post(WITHDRAW)
    assert state() == "approved"
    with pytest.raises(SignoffRefused):
        set_signoff(demo_site["owner"], "asc", "2013-10", "draft", withdraw=True)


def test_a_due_figure_without_a_target_is_a_gap_the_owner_must_explain(client_for, demo_site):
    enter(demo_site["owner"])  # figure and commentary in; October has no target for ASC01
    client = client_for("owner")
    page = html(client.get(CHECK))
    assert "No target" in page and "Why is ASC01 incomplete?" in page
    assert "Ask one to set the missing target (ASC01)" in page
    refused = client.post(CHECK, {"base_revision": "0", "gap-ASC01": ""})
    assert refused.status_code == 400
    assert (
        "ASC01 has no target for Oct-13: ask an analyst to set one, or explain why there is none"
    ) in html(refused)
    assert state() == "draft"
    explained = {"base_revision": "0", "gap-ASC01": "Target agreed at the November committee"}
    assert client.post(CHECK, explained).status_code == 302
    assert state() == "submitted"


def test_a_target_set_by_an_analyst_closes_the_gap(client_for, demo_site):
    enter(demo_site["owner"])
    set_target(client_for("analyst"))
    page = html(client_for("owner").get(CHECK))
    assert "No target" not in page and "Why is ASC01 incomplete?" not in page


def test_people_who_do_not_own_the_section_may_not_check_or_withdraw(client_for):
    for name in ("viewer", "approver", "section_owner"):
        assert client_for(name).get(CHECK).status_code == 403
        assert client_for(name).post(WITHDRAW).status_code == 403


def test_the_sign_off_button_refuses_a_submission_with_gaps(client_for):
    """Submitting from the list of what is waiting goes through the same check."""
    response = client_for("owner").post(
        "/sections/asc/2013-10/sign-off/",
        {"action": "submit", "base_revision": "0", "next": "/entry/"},
    )
    assert response.status_code == 302 and response["Location"] == CHECK
    assert state() == "draft"


def test_check_answers_changed_elsewhere_shows_the_signoff_now_and_submits_the_second_time(
    client_for, demo_site
):
    owner = client_for("owner")
    opened = hidden(html(owner.get(CHECK)))  # the owner opens the page ...
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")  # ... it is submitted
    set_signoff(demo_site["approver"], "asc", "2013-10", "draft", "Explain ASC01")  # and returned
    typed = {"base_revision": opened, "gap-ASC01": "The survey closes on the 20th"}
    refused = owner.post(CHECK, typed)
    assert refused.status_code == 409 and state() == "draft"
    page = html(refused)
    assert "changed the sign-off of Adult Social Care for Oct-13 to draft" in page
    assert "(draft by " in page  # the sign-off as it is now
    assert "The survey closes on the 20th" in page  # what was typed, kept
    assert hidden(page) == "2"
    again = owner.post(CHECK, typed | {"base_revision": hidden(page)})
    assert again.status_code == 302 and state() == "submitted"
