"""The home page: an owner's task list (figures and commentary per indicator and period, with
status and due dates, "all done" when done); the dashboard for everyone else."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from kpiboard.web.models import Profile, Site
from kpiboard.web.signoff import set_signoff
from kpiboard.web.store import bump_version, current_pack
from kpiboard.web.writes import save_period_entry

HOME = reverse("kpiboard:home")


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.KPIBOARD_TODAY = date(2013, 12, 2)


def statuses(html: str) -> list[tuple[str, str]]:
    """(task, status) for each line of the task lists, in order."""
    items = re.findall(
        r'govuk-task-list__link"[^>]*>(\w+)<span class="govuk-visually-hidden"> for ([^<]+)</span>'
        r".*?govuk-task-list__status[^>]*>(?:<strong[^>]*>)?([^<]+)<",
        html,
        re.S,
    )
    return [(f"{what} {where}", status) for what, where, status in items]


def test_home_is_the_owners_task_list_with_due_dates(client_for):
    html = client_for("owner").get(HOME).content.decode()
    assert "<title>Your tasks" in html
    assert "Now collecting: October 2013." in html  # the month after the reporting month
    assert statuses(html) == [
        ("Figures ASC01, Oct-13", "Overdue"),
        ("Commentary ASC01, Oct-13", "Overdue"),
        ("Figures ASC01, Nov-13", "Not started"),
        ("Commentary ASC01, Nov-13", "Not started"),
    ]
    assert "You have 4 tasks to finish, 2 of them overdue." in html
    assert 'href="/entry/ASC01/2013-10/#entry-form"' in html
    assert 'href="/entry/ASC01/2013-11/#commentary"' in html
    assert "Due 14 November 2013" in html and "Due 13 December 2013" in html
    assert "Thursday 12 December 2013" in html  # October's committee


def test_home_is_the_dashboard_for_everyone_else(client_for):
    for name in ("viewer", "approver", "analyst", "admin"):
        html = client_for(name).get(HOME).content.decode()
        assert "<title>Dashboard" in html, name
        assert "Your tasks" not in html, name


def test_task_list_follows_entry_and_submission(client_for, demo_site):
    owner = demo_site["owner"]
    save_period_entry(owner, "ASC01", "2013-11", {"actual": 75.0}, {"actual": 0}, None, 0, "")
    html = client_for("owner").get(HOME).content.decode()
    assert ("Figures ASC01, Nov-13", "In progress") in statuses(html)
    save_period_entry(owner, "ASC01", "2013-11", {}, {}, "Held steady.", 0, "")
    set_signoff(owner, "asc", "2013-11", "submitted")
    html = client_for("owner").get(HOME).content.decode()
    assert not any("Nov-13" in task for task, _ in statuses(html))
    assert "November 2013: all done" in html  # a finished period leaves the lists
    assert ("Figures ASC01, Oct-13", "Overdue") in statuses(html)  # October still to do


def test_task_list_says_all_done_when_everything_is_in(client_for, demo_site):
    owner, approver = demo_site["owner"], demo_site["approver"]
    for period in ("2013-10", "2013-11"):
        save_period_entry(owner, "ASC01", period, {"actual": 75.0}, {"actual": 0}, "Fine.", 0, "")
        set_signoff(owner, "asc", period, "submitted")
    set_signoff(approver, "asc", "2013-10", "approved")
    html = client_for("owner").get(HOME).content.decode()
    assert "All done" in html
    assert "govuk-task-list" not in html
    assert "October 2013: all done" in html and "November 2013: all done" in html


def test_task_list_a_section_owner_sees_quarterly_tasks_only_when_the_quarter_ends(
    client_for, settings
):
    html = client_for("section_owner").get(HOME).content.decode()
    assert not any("SCS01" in task for task, _ in statuses(html))
    assert ("Figures LEAD05, Oct-13", "Overdue") in statuses(html)
    settings.KPIBOARD_TODAY = date(2014, 1, 20)
    html = client_for("section_owner").get(HOME).content.decode()
    assert ("Figures SCS01, Dec 13", "Overdue") in statuses(html)  # due 15 January


def test_task_list_an_owner_of_nothing_has_no_tasks(client_for, demo_site):
    Profile.objects.get(user=demo_site["owner"]).indicators.clear()
    html = client_for("owner").get(HOME).content.decode()
    assert "None of your indicators or plan updates has fallen due yet" in html


def test_task_list_uses_the_sections_calendar(client_for):
    record = Site.get()
    record.manifest = {
        **record.manifest,
        "sections": [
            {**s, "calendar": {"figures_due": "5 working days"}} if s["id"] == "asc" else s
            for s in record.manifest["sections"]
        ],
    }
    record.save()
    bump_version()
    html = client_for("owner").get(HOME).content.decode()
    assert "Due 7 November 2013" in html  # five working days after 31 October


def test_another_sections_approval_leaves_a_late_sections_tasks_in_place(client_for, demo_site):
    """The reporting month moves on when any section's period is approved; the calendar still
    starts where the pack did, so the section that is late keeps its October tasks."""
    save_period_entry(demo_site["owner"], "ASC01", "2013-10", {"actual": 75.0}, {}, "Ok.", 0, "")
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    assert current_pack().as_at.label == "2013-10"
    html = client_for("section_owner").get(HOME).content.decode()
    assert any("Oct-13" in task and status == "Overdue" for task, status in statuses(html))
