"""The business plan in the monthly cycle: a section owner's task list holds each month's action
updates and risk reviews with their due dates; each is given on its month's own form, completed
when the section's month is submitted, listed on check your answers, locked by the month's
approval like figures, and recorded on Recent changes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from kpiboard.web.approval import changes_since_approval
from kpiboard.web.models import PlanFile, Section
from kpiboard.web.plan_tasks import build_plan_tasks
from kpiboard.web.signoff import set_signoff
from kpiboard.web.store import clear_cache, current_pack, generation

from .revisions import plan_version

pytestmark = pytest.mark.django_db

HOME = reverse("kpiboard:home")
UPDATE_OCT = reverse("kpiboard:action_update_for", args=["ACT-RECRUIT", "2013-10"])
REVIEW_OCT = reverse("kpiboard:risk_review_for", args=["R-WORK", "2013-10"])


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.KPIBOARD_TODAY = date(2013, 12, 2)


def plan_tasks(html: str) -> list[tuple[str, str, str]]:
    """(task, month, status) for each business plan line of a task list, in order."""
    items = re.findall(
        r'govuk-task-list__link" href="[^"]+"[^>]*>([^<]+)<span class="govuk-visually-hidden">'
        r", ([^<]+)</span>.*?govuk-task-list__status[^>]*>(?:<strong[^>]*>)?([^<]+)<",
        html,
        re.S,
    )
    return [(name.split(" ", 3)[2], month, status) for name, month, status in items]


def revision(name: str) -> int:
    return PlanFile.objects.get(name=name, is_current=True).revision


def give_update(client, url: str = UPDATE_OCT, **changes):
    data = {"status": "on_track", "progress": "35", "text": "Offers accepted at last.",
            "base_version": plan_version("actions", resolve(url).kwargs["action_id"])}  # fmt: skip
    data |= changes
    return client.post(url, data)


def give_review(client, url: str = REVIEW_OCT, **changes):
    data = {"likelihood": "4", "impact": "4", "note": "Agency use falling.",
            "next_review": "2013-12-31",
            "base_version": plan_version("risks", resolve(url).kwargs["risk_id"])}  # fmt: skip
    data |= changes
    return client.post(url, data)


def test_task_list_shows_the_sections_updates_and_reviews_by_month(client_for):
    html = client_for("section_owner").get(HOME).content.decode()
    october = [
        ("ACT-RECRUIT", "Oct-13", "Overdue"),
        ("ACT-TRIAGE", "Oct-13", "Overdue"),
        ("ACT-ADOPT", "Oct-13", "Overdue"),
        ("ACT-PLACE", "Oct-13", "Overdue"),
        ("R-WORK", "Oct-13", "Overdue"),
        ("R-PLACE", "Oct-13", "Overdue"),
    ]  # ACT-ACADEMY was completed and ACT-PANEL cancelled by September: no more updates
    november = [(item, "Nov-13", "Not started") for item, _, _ in october]
    assert plan_tasks(html) == october + november
    assert f'href="{UPDATE_OCT}"' in html and f'href="{REVIEW_OCT}"' in html
    assert "Due 21 November 2013. Flagged: SCS02 rated Red" in html  # with the commentary
    assert "You have 20 tasks to finish, 10 of them overdue." in html


def test_task_list_an_owner_of_single_indicators_has_no_plan_tasks(client_for):
    html = client_for("owner").get(HOME).content.decode()
    assert plan_tasks(html) == [] and "kpi-plan-tasks" not in html


def test_update_given_for_a_month_is_in_progress_then_completed_on_submission(
    client_for, demo_site
):
    owner = client_for("section_owner")
    response = give_update(owner)
    assert response.status_code == 302 and response.url == HOME
    row = PlanFile.objects.get(name="plan/actions.yaml", is_current=True)
    assert row.reason == "Progress update on ACT-RECRUIT for 2013-10"
    clear_cache()
    action = next(a for a in current_pack().plan.actions if a.id == "ACT-RECRUIT")
    assert [u.period.label for u in action.updates] == ["2013-06", "2013-09", "2013-10"]
    late = ("ACT-RECRUIT", "Oct-13", "Overdue")  # given late, and not yet submitted
    assert late in plan_tasks(owner.get(HOME).content.decode())
    november = reverse("kpiboard:action_update_for", args=["ACT-RECRUIT", "2013-11"])
    assert give_update(owner, november).status_code == 302  # ended, so on the task list
    clear_cache()
    html = owner.get(HOME).content.decode()
    assert ("ACT-RECRUIT", "Nov-13", "In progress") in plan_tasks(html)
    set_signoff(demo_site["section_owner"], "scs", "2013-10", "submitted")
    html = owner.get(HOME).content.decode()
    assert ("ACT-RECRUIT", "Oct-13", "Completed") in plan_tasks(html)
    assert ("ACT-TRIAGE", "Oct-13", "Overdue") in plan_tasks(html)  # not given: still to do
    clear_cache()


def test_review_given_for_a_month_shows_on_the_task_list(client_for):
    owner = client_for("section_owner")
    page = owner.get(REVIEW_OCT).content.decode()
    assert "Back to your tasks" in page and "October 2013" in page
    response = give_review(owner)
    assert response.status_code == 302 and response.url == HOME
    clear_cache()
    risk = next(r for r in current_pack().plan.risks if r.id == "R-WORK")
    assert (risk.reviews[-1].period.label, risk.reviews[-1].score.value) == ("2013-10", 16)
    html = owner.get(HOME).content.decode()
    assert "Your review of Not enough permanent social workers for Oct-13 was saved." in html
    assert ("R-WORK", "Oct-13", "Overdue") in plan_tasks(html)  # given late, not submitted
    clear_cache()


def test_month_form_for_a_month_not_yet_collected_or_not_a_month_is_not_found(client_for):
    analyst = client_for("analyst")
    for period in ("2013-12", "2014-01", "2013~14_Q3", "nonsense"):
        url = reverse("kpiboard:action_update_for", args=["ACT-RECRUIT", period])
        assert analyst.get(url).status_code == 404, period
    assert analyst.get(UPDATE_OCT).status_code == 200  # October is being collected
    november = reverse("kpiboard:action_update_for", args=["ACT-RECRUIT", "2013-11"])
    assert analyst.get(november).status_code == 200  # November has ended


def test_month_approved_locks_its_plan_updates_like_figures(client_for, demo_site):
    set_signoff(demo_site["section_owner"], "scs", "2013-10", "submitted")
    set_signoff(demo_site["admin"], "scs", "2013-10", "approved")
    actions, risks = revision("plan/actions.yaml"), revision("plan/risks.yaml")
    response = give_update(client_for("section_owner"))
    assert response.status_code == 400 and "so its figures are locked" in response.content.decode()
    response = give_review(client_for("section_owner"))
    assert response.status_code == 400 and "so its figures are locked" in response.content.decode()
    response = give_update(client_for("analyst"))
    assert "Give a reason for changing an approved period" in response.content.decode()
    assert (revision("plan/actions.yaml"), revision("plan/risks.yaml")) == (actions, risks)
    response = give_update(client_for("analyst"), reason="Corrected after approval")
    assert response.status_code == 302 and revision("plan/actions.yaml") == actions + 1
    assert PlanFile.objects.get(name="plan/actions.yaml", is_current=True).reason == (
        "Corrected after approval"
    )
    clear_cache()


def test_check_answers_lists_the_months_plan_updates_given_and_not(client_for):
    owner = client_for("section_owner")
    give_update(owner)
    clear_cache()
    check = reverse("kpiboard:check_answers", args=["scs", "2013-10"])
    html = owner.get(check).content.decode()
    assert "Business plan updates for Oct-13" in html
    assert "5 of 6 are not given yet." in html and "plan_missing" not in html
    assert re.search(r"ACT-RECRUIT [^<]+</dt>\s*<dd[^>]*>Given", html)
    assert re.search(r"R-WORK [^<]+</dt>\s*<dd[^>]*><strong[^>]*>Not given", html)
    assert f'href="{REVIEW_OCT}"' in html
    clear_cache()


def test_recent_changes_lists_plan_revisions_beside_figures(client_for):
    owner = client_for("section_owner")
    give_update(owner)
    give_review(owner)
    clear_cache()
    viewer = client_for("viewer")
    html = viewer.get(reverse("kpiboard:changes"), {"kind": "plan"}).content.decode()
    assert "Business plan: plan/risks.yaml" in html and "Business plan: plan/actions.yaml" in html
    assert "Risk review of R-WORK for 2013-10" in html
    assert "Progress update on ACT-RECRUIT for 2013-10" in html
    assert html.index("R-WORK") < html.index("ACT-RECRUIT")  # newest first
    everything = viewer.get(reverse("kpiboard:changes")).content.decode()
    assert "Progress update on ACT-RECRUIT for 2013-10" in everything
    by_section = viewer.get(reverse("kpiboard:changes"), {"section": "scs"}).content.decode()
    assert "ACT-RECRUIT" not in by_section  # a plan file is not any one section's
    clear_cache()


def test_plan_change_after_approval_marks_the_month_and_tells_its_approvers(
    client_for, demo_site, mailoutbox, django_capture_on_commit_callbacks
):
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    review = reverse("kpiboard:review", args=["asc", "2013-10"])
    assert "Changed since approval" not in client_for("approver").get(review).content.decode()
    url = reverse("kpiboard:action_update_for", args=["ACT-TEL", "2013-10"])
    with django_capture_on_commit_callbacks(execute=True):
        response = give_update(client_for("analyst"), url, reason="The board's figure")
    assert response.status_code == 302
    html = client_for("approver").get(review).content.decode()
    assert "Changed since approval" in html
    assert "ACT-TEL Oct-13: Progress update, by Tom Whitfield (“The board&#x27;s figure”)" in html
    assert [m.to for m in mailoutbox] == [["helen.barker@example.org"]]
    assert "the progress update on ACT-TEL for Oct-13" in mailoutbox[0].body
    # another section's plan, or another month's update, leaves the approval standing
    give_update(client_for("section_owner"))
    clear_cache()
    assert len(client_for("approver").get(review).context["changed"]) == 1
    clear_cache()


def test_review_page_shows_the_approver_the_months_plan_updates(client_for):
    give_update(
        client_for("owner"), reverse("kpiboard:action_update_for", args=["ACT-DP", "2013-10"])
    )
    clear_cache()
    review = reverse("kpiboard:review", args=["asc", "2013-10"])
    html = client_for("approver").get(review).content.decode()
    assert "Business plan updates for Oct-13" in html
    assert re.search(r"ACT-DP [^<]+</dt>\s*<dd[^>]*>Given", html)
    assert re.search(r"ACT-TEL [^<]+</dt>\s*<dd[^>]*><strong[^>]*>Not given", html)
    assert "govuk-summary-list__actions" not in html.split("plan-updates")[1].split("</dl>")[0]
    clear_cache()


def test_next_review_date_a_review_sets_decides_the_months_it_is_due_in(client_for):
    """R-IT's planned review (15 September) has passed, so it is due every month; October's
    review sets the next for January, so November no longer asks for one."""
    on = date(2013, 12, 2)

    def due(label: str) -> bool:
        made = generation()
        month = made.pack.calendar.parse(label)
        tasks = build_plan_tasks(made, on, {"asc"}, [month])
        return any(t.item == "R-IT" for t in tasks)

    assert due("2013-10") and due("2013-11")
    url = reverse("kpiboard:risk_review_for", args=["R-IT", "2013-10"])
    assert give_review(client_for("analyst"), url, next_review="2014-01-31").status_code == 302
    clear_cache()
    assert due("2013-10") and not due("2013-11")  # October's stays: its review is given
    clear_cache()


def test_changes_since_approval_decode_each_plan_revision_once(client_for, demo_site):
    """What a plan revision changed is worked out once (revisions are never edited): asked
    again, for this section or another, no plan file's body is read."""
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    url = reverse("kpiboard:action_update_for", args=["ACT-TEL", "2013-10"])
    assert give_update(client_for("analyst"), url, reason="Late figure").status_code == 302
    calendar = current_pack().calendar
    asc, scs = Section.objects.get(code="asc"), Section.objects.get(code="scs")
    with CaptureQueriesContext(connection) as first:
        found = changes_since_approval(asc, "2013-10", calendar)
    with CaptureQueriesContext(connection) as again:
        assert changes_since_approval(asc, "2013-10", calendar) == found
        assert changes_since_approval(scs, "2013-10", calendar) == []
    assert [(c.indicator, c.what) for c in found] == [("ACT-TEL", "Progress update")]
    bodies = [q["sql"] for q in first.captured_queries if '"body"' in q["sql"]]
    assert len(bodies) == 1
    assert not [q["sql"] for q in again.captured_queries if '"body"' in q["sql"]]
    clear_cache()
