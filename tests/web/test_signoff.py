"""Sign-off: draft -> submitted -> approved, return and reopen, each a revision; the view."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from kpiboard.web.models import Signoff, Site
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import SignoffChanged, SignoffRefused

from .revisions import hidden


def state(section="asc", period="2013-09") -> str:
    row = Signoff.objects.filter(section__code=section, period=period, is_current=True).first()
    return row.state if row else "draft"


URL = "/sections/asc/2013-09/sign-off/"


# --- the rules -----------------------------------------------------------------------------------


def test_submit_then_approve_each_adds_a_revision(demo_site):
    set_signoff(demo_site["owner"], "asc", "Sep-13", "submitted")
    approved = set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    rows = Signoff.objects.filter(section__code="asc", period="2013-09").order_by("revision")
    assert [(r.revision, r.state, r.is_current) for r in rows] == [
        (1, "submitted", False),
        (2, "approved", True),
    ]
    assert approved.author == demo_site["approver"]
    assert approved.site_version == Site.objects.get(pk=1).version


def test_a_draft_cannot_be_approved_before_it_is_submitted(demo_site):
    with pytest.raises(SignoffRefused) as caught:
        set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    assert caught.value.errors[""] == "Only a submitted period can be approved: submit it first"


def test_only_approvers_of_the_section_approve(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    for name in ("owner", "viewer", "section_owner"):
        with pytest.raises(PermissionDenied):
            set_signoff(demo_site[name], "asc", "2013-09", "approved")
    set_signoff(demo_site["section_owner"], "scs", "2013-09", "submitted")
    with pytest.raises(PermissionDenied):  # approves asc, not scs
        set_signoff(demo_site["approver"], "scs", "2013-09", "approved")
    set_signoff(demo_site["analyst"], "scs", "2013-09", "approved")
    assert state("scs") == "approved"


def test_only_owners_of_the_section_and_analysts_submit(demo_site):
    with pytest.raises(PermissionDenied):
        set_signoff(demo_site["section_owner"], "asc", "2013-09", "submitted")
    with pytest.raises(PermissionDenied):
        set_signoff(demo_site["approver"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["analyst"], "asc", "2013-09", "submitted")
    assert state() == "submitted"


def test_submitting_twice_is_refused(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    with pytest.raises(SignoffRefused, match="already submitted"):
        set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")


def test_reopening_needs_an_analyst_and_a_reason(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    with pytest.raises(PermissionDenied):
        set_signoff(demo_site["approver"], "asc", "2013-09", "draft", "Mistake")
    with pytest.raises(SignoffRefused) as caught:
        set_signoff(demo_site["analyst"], "asc", "2013-09", "draft")
    assert caught.value.errors == {"note": "Enter a reason for reopening this period"}
    reopened = set_signoff(demo_site["analyst"], "asc", "2013-09", "draft", "Late correction")
    assert (reopened.state, reopened.reason, reopened.revision) == ("draft", "Late correction", 3)


def test_an_approver_returns_a_submitted_period_with_a_reason(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    with pytest.raises(SignoffRefused):
        set_signoff(demo_site["approver"], "asc", "2013-09", "draft")
    set_signoff(demo_site["approver"], "asc", "2013-09", "draft", "ASC03 is missing")
    assert state() == "draft"


def test_a_stale_base_revision_is_refused(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    with pytest.raises(SignoffChanged, match="changed the sign-off"):
        set_signoff(demo_site["approver"], "asc", "2013-09", "approved", base_revision=0)
    assert state() == "submitted"


def test_whoever_submitted_a_period_cannot_approve_it(demo_site):
    set_signoff(demo_site["analyst"], "asc", "2013-09", "submitted")
    with pytest.raises(SignoffRefused) as caught:
        set_signoff(demo_site["analyst"], "asc", "2013-09", "approved")
    assert caught.value.errors[""] == (
        "You submitted Adult Social Care for Sep-13, so someone else must approve it "
        "(separation of duties)"
    )
    assert state() == "submitted"
    set_signoff(demo_site["admin"], "asc", "2013-09", "approved")  # a second person may
    assert state() == "approved"


def test_separation_of_duties_can_be_turned_off(demo_site, settings):
    settings.SEPARATE_DUTIES = False
    set_signoff(demo_site["analyst"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["analyst"], "asc", "2013-09", "approved")
    assert state() == "approved"


def test_an_unknown_state_or_period_is_refused(demo_site):
    with pytest.raises(SignoffRefused):
        set_signoff(demo_site["owner"], "asc", "2013-09", "published")
    with pytest.raises(SignoffRefused):
        set_signoff(demo_site["owner"], "asc", "Smarch", "submitted")


# --- the view ------------------------------------------------------------------------------------


def post(client, action, url=URL, **data):
    return client.post(url, {"action": action, "next": "/entry/", **data})


def test_submit_and_approve_through_the_view_redirect_with_a_message(client_for):
    response = post(client_for("owner"), "submit", base_revision="0")
    assert response.status_code == 302 and response.url == "/entry/"
    assert state() == "submitted"
    approver = client_for("approver")
    response = post(approver, "approve", base_revision="1")
    assert state() == "approved"
    page = approver.get(response.url)
    assert "Adult Social Care for Sep-13 approved" in page.content.decode()


def test_a_refused_action_redirects_with_the_reason(client_for):
    client = client_for("approver")
    response = post(client, "approve")
    assert response.status_code == 302 and state() == "draft"
    assert "submit it first" in client.get(response.url).content.decode()


def test_approving_your_own_submission_through_the_view_is_refused(client_for, demo_site):
    analyst = client_for("analyst")
    set_signoff(demo_site["analyst"], "asc", "2013-09", "submitted")
    response = post(analyst, "approve", base_revision="1")
    assert response.status_code == 302 and state() == "submitted"
    assert "so someone else must approve it" in analyst.get(response.url).content.decode()


def test_people_who_may_not_sign_off_get_403(client_for):
    assert post(client_for("viewer"), "submit").status_code == 403
    assert post(client_for("section_owner"), "submit").status_code == 403


def test_the_view_is_post_only_and_checks_csrf(client_for, demo_site):
    from django.test import Client

    assert client_for("owner").get(URL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo_site["owner"])
    assert strict.post(URL, {"action": "submit"}).status_code == 403
    assert state() == "draft"


def test_reopen_asks_for_a_reason_then_reopens(client_for):
    post(client_for("owner"), "submit")
    post(client_for("approver"), "approve")
    analyst = client_for("analyst")
    page = post(analyst, "reopen")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Reopen an approved period" in html and 'name="note"' in html
    refused = post(analyst, "reopen", confirm="1")
    assert refused.status_code == 400
    assert 'href="#note"' in refused.content.decode()
    assert state() == "approved"
    done = post(analyst, "reopen", confirm="1", note="Late correction")
    assert done.status_code == 302 and state() == "draft"


def test_an_unknown_action_or_section_is_404(client_for):
    client = client_for("analyst")
    assert post(client, "publish").status_code == 404
    assert post(client, "submit", url="/sections/nope/2013-09/sign-off/").status_code == 404


def test_next_must_stay_on_the_site(client_for):
    response = client_for("owner").post(URL, {"action": "submit", "next": "https://evil.test/"})
    assert response.url == "/entry/"


def test_a_quarter_period_in_the_url(client_for):
    client = client_for("section_owner")
    response = post(client, "submit", url="/sections/scs/2013~14_Q3/sign-off/")
    assert response.status_code == 302  # no Q3 figures yet: check your answers first
    assert response.url == "/sections/scs/2013~14_Q3/check/"
    page = client.get(response.url).content.decode()
    gaps = re.findall(r'name="(gap-[A-Z0-9]+)"', page)
    assert "gap-SCS01" in gaps and "gap-LEAD05" in gaps  # quarterly, and December's monthly
    explained = dict.fromkeys(gaps, "Not due until January")
    client.post(response.url, {"base_revision": "0", **explained})
    assert state("scs", "2013/14 Q3") == "submitted"


def test_a_stale_base_revision_on_a_draft_is_refused_not_a_crash(client_for):
    response = post(client_for("approver"), "approve", base_revision="1")
    assert response.status_code == 302 and state() == "draft"


def test_a_reason_page_after_someone_elses_move_keeps_the_reason_and_returns_the_second_time(
    client_for, demo_site
):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    approver = client_for("approver")
    page = post(approver, "return", base_revision="1").content.decode()  # asks for the reason
    set_signoff(demo_site["owner"], "asc", "2013-09", "draft", "Fixing ASC01", withdraw=True)
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")  # ... and submitted again
    typed = {"confirm": "1", "note": "ASC01 looks high", "base_revision": hidden(page)}
    refused = post(approver, "return", **typed)
    assert refused.status_code == 409 and state() == "submitted"
    html = refused.content.decode()
    assert 'id="saved-now"' in html and "changed the sign-off of Adult Social Care" in html
    assert "Adult Social Care for Sep-13 is submitted" in html  # the sign-off saved now
    assert ">ASC01 looks high</textarea>" in html  # the reason typed, kept
    assert hidden(html) == "3"
    again = post(approver, "return", **typed | {"base_revision": hidden(html)})
    assert again.status_code == 302 and state() == "draft"
    row = Signoff.objects.get(section__code="asc", period="2013-09", is_current=True)
    assert row.reason == "ASC01 looks high"


def test_a_reason_page_after_a_move_that_rules_the_action_out_goes_back_with_why(
    client_for, demo_site
):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    approver = client_for("approver")
    page = post(approver, "return", base_revision="1").content.decode()
    set_signoff(demo_site["owner"], "asc", "2013-09", "draft", "Fixing ASC01", withdraw=True)
    typed = {"confirm": "1", "note": "ASC01 looks high", "base_revision": hidden(page)}
    response = post(approver, "return", **typed)  # a draft cannot be returned: nothing to keep
    assert response.status_code == 302 and state() == "draft"
    assert "changed the sign-off" in approver.get(response.url).content.decode()


def test_the_waiting_list_offers_what_each_person_may_do(client_for):
    owner_page = client_for("owner").get("/entry/").content.decode()
    assert "Check and submit" in owner_page and ">Approve<" not in owner_page
    assert 'href="/sections/asc/2013-09/check/"' in owner_page
    post(client_for("owner"), "submit")
    assert state() == "submitted"
    approver_page = client_for("approver").get("/entry/").content.decode()
    assert "Approve<span" in approver_page and "Return to draft" in approver_page
    assert 'href="/sections/asc/2013-09/review/"' in approver_page
    assert "Specialist Children" not in approver_page  # approves asc only


def test_permission_is_checked_before_the_state_is_looked_at(demo_site):
    """Someone who may not approve is refused as such, not told the period is a draft."""
    for name in ("viewer", "owner"):
        with pytest.raises(PermissionDenied):
            set_signoff(demo_site[name], "asc", "2013-08", "approved")
    assert not Signoff.objects.exists()
