"""The approver's review page: figures, ratings, change and commentary; approve, return with a
reason; a change after approval marks the period, emails the approvers, and is approved again."""

from __future__ import annotations

from django.core import mail

from kpiboard.web.models import Signoff
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import save_period_entry

from .revisions import hidden

REVIEW = "/sections/asc/2013-10/review/"


def html(response) -> str:
    return response.content.decode()


def state(period="2013-10") -> Signoff:
    return Signoff.objects.get(section__code="asc", period=period, is_current=True)


def submitted(people):
    save_period_entry(people["owner"], "ASC01", "2013-10", {"actual": 75.0}, {}, "Up again.", 0, "")
    set_signoff(people["owner"], "asc", "2013-10", "submitted")


def test_the_review_shows_every_figure_rating_change_and_commentary(client_for, demo_site):
    submitted(demo_site)
    page = html(client_for("approver").get(REVIEW))
    assert "Review Adult Social Care for Oct-13" in page
    assert "75%" in page and "Up again." in page
    assert "Up 2.0 percentage points from 73% (Sep-13)" in page
    assert "ASC02" in page  # every indicator of the section, entered or not
    assert "Confirm decision" in page


def test_the_approver_approves(client_for, demo_site):
    submitted(demo_site)
    response = client_for("approver").post(REVIEW, {"decision": "approve", "base_revision": "1"})
    assert response.status_code == 302
    assert state().state == "approved"


def test_returning_needs_a_reason_which_is_kept(client_for, demo_site):
    submitted(demo_site)
    client = client_for("approver")
    refused = client.post(REVIEW, {"decision": "return", "base_revision": "1", "reason": ""})
    assert refused.status_code == 400
    assert "Enter a reason for returning the period" in html(refused)
    assert state().state == "submitted"
    client.post(REVIEW, {"decision": "return", "base_revision": "1", "reason": "ASC01 looks high"})
    assert (state().state, state().reason) == ("draft", "ASC01 looks high")


def test_only_the_sections_approvers_and_analysts_review(client_for, demo_site):
    submitted(demo_site)
    for name in ("owner", "section_owner", "viewer"):
        assert client_for(name).get(REVIEW).status_code == 403
    assert client_for("analyst").get(REVIEW).status_code == 200
    assert client_for("approver").get("/sections/scs/2013-10/review/").status_code == 403


def test_a_change_after_approval_marks_the_period_and_emails_the_approver(
    client_for, demo_site, django_capture_on_commit_callbacks
):
    demo_site["approver"].email = "approver@example.org"
    demo_site["approver"].save()
    submitted(demo_site)
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    assert "Changed since approval" not in html(client_for("approver").get(REVIEW))
    with django_capture_on_commit_callbacks(execute=True):
        save_period_entry(
            demo_site["analyst"], "ASC01", "2013-10", {"actual": 76.0}, {"actual": 1}, None, 0,
            "Late return from one team",
        )  # fmt: skip
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["approver@example.org"]
    assert message.subject == "Adult Social Care for Oct-13 was changed after approval"
    assert REVIEW in message.body
    page = html(client_for("approver").get(REVIEW))
    assert "Changed since approval" in page
    assert "Changed since approval" in html(client_for("approver").get("/entry/"))
    assert "ASC01 Oct-13: Actual: 76" in page and "Late return from one team" in page
    client_for("approver").post(REVIEW, {"decision": "approve", "base_revision": "2"})
    assert state().revision == 3 and state().state == "approved"
    assert "Changed since approval" not in html(client_for("approver").get(REVIEW))


def test_an_approved_period_with_no_change_is_not_approved_again(client_for, demo_site):
    submitted(demo_site)
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    response = client_for("approver").get(REVIEW)
    assert "Confirm decision" not in html(response)
    client_for("approver").post(REVIEW, {"decision": "approve", "base_revision": "2"})
    assert state().revision == 2


def test_review_changed_elsewhere_shows_the_signoff_now_and_decides_the_second_time(
    client_for, demo_site
):
    submitted(demo_site)
    approver = client_for("approver")
    opened = hidden(html(approver.get(REVIEW)))  # the approver opens the review ...
    set_signoff(demo_site["analyst"], "asc", "2013-10", "approved")  # ... an analyst approves
    save_period_entry(
        demo_site["analyst"], "ASC01", "2013-10", {"actual": 76.0}, {"actual": 1}, None, 0,
        "Late return from one team",
    )  # fmt: skip
    typed = {"decision": "approve", "reason": "Checked with the team", "base_revision": opened}
    refused = approver.post(REVIEW, typed)
    assert refused.status_code == 409 and state().revision == 2
    page = html(refused)
    assert "changed the sign-off of Adult Social Care for Oct-13 to approved" in page
    assert "Approve again, with the changes" in page  # the sign-off as it is now ...
    assert "ASC01 Oct-13: Actual: 76" in page  # ... and what changed since
    assert "Checked with the team" in page  # what was typed, kept
    assert hidden(page) == "2"
    again = approver.post(REVIEW, typed | {"base_revision": hidden(page)})
    assert again.status_code == 302
    assert (state().revision, state().state, state().author) == (
        3,
        "approved",
        demo_site["approver"],
    )
