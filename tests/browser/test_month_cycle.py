"""Acceptance: a whole reporting month in a real browser.

Reminders go out for October 2013 (overdue on 2 December), the owner fills in the grid (a 740%
slip is warned and corrected), is refused with gaps (no commentary, no target) and explains
them, and submits; a section owner gives an action's progress update and a risk's review from
their task list; the approver reviews and approves; the reporting month moves on to October,
so the dashboard and the reports show it and November is being collected; then an analyst's
import changes an approved figure and the period is marked "changed since approval". axe-core
checks every page at 1280 px and, resizing the same page, every page of the cycle at 390 px.
"""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connections

from kpiboard.web.models import Figure, GapExplanation, PlanFile, ReportingMonth, Signoff
from tests.browser_support import Journey
from tests.web.jobs_support import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LATE_CSV = b"indicator,period,series,value\nASC01,2013-10,actual,76\n"


class Month(Journey):
    """A journey at desktop width that checks the cycle's own pages at phone width too."""

    def both(self, what: str) -> None:
        self.check(what)
        self.page.set_viewport_size({"width": 390, "height": 900})
        self.check(f"{what}, 390 px")
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def main(self) -> str:
        return self.page.locator("main").inner_text()

    def click(self, role: str, name: str) -> None:
        self.page.get_by_role(role, name=name).click()
        self.page.wait_for_load_state("load")

    def path(self) -> str:
        return urlsplit(self.page.url).path


def send_reminders(people, on: str) -> None:
    """``kpiboard remind`` as cron runs it, with the owner and approver reachable by email."""
    for name in ("owner", "approver"):
        people[name].email = f"{name}@example.org"
        people[name].save()
    call_command("remind", "--today", on, stdout=io.StringIO())


def owner_fills_in_and_submits(month: Month) -> None:
    page = month.page
    month.goto("/")
    month.sign_in("owner")
    assert "Now collecting: October 2013." in month.main()
    month.both("task list")
    month.goto("/messages/")
    assert "ASC01" in month.main()
    month.both("messages sent to you")

    month.goto("/entry/")
    month.click("link", "Enter all your figures for Oct-13")
    assert month.path() == "/enter/2013-10/"
    month.both("entry grid")
    page.get_by_label("Figure", exact=True).fill("740")
    month.click("button", "Save and check Adult Social Care")
    assert "740% is a percentage over 100" in page.locator("#grid-form").inner_text()
    month.both("entry grid with a warning")
    page.get_by_label("Figure", exact=True).fill("75%")
    month.click("button", "Save and check Adult Social Care")
    assert month.path() == "/sections/asc/2013-10/check/"
    assert "No target" in month.main()
    month.both("check your answers")

    month.click("button", "Submit for approval")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "ASC01 has no commentary and no target for Oct-13" in summary
    month.both("check your answers with gaps")
    page.get_by_label("Why is ASC01 incomplete?").fill("Note on Monday; target to be agreed")
    month.click("button", "Submit for approval")
    assert month.path() == "/entry/"
    assert "submitted for approval" in month.banner_text()
    month.sign_out()


def section_owner_updates_the_plan(month: Month) -> None:
    """The business plan's tasks, each opened from the task list and back to it when saved."""
    page = month.page
    month.sign_in("section_owner")
    assert "Progress update: ACT-RECRUIT" in page.locator(".kpi-plan-tasks").first.inner_text()
    month.both("task list with the business plan")
    page.get_by_role("link", name=re.compile(r"^Progress update: ACT-RECRUIT .*, Oct-13$")).click()
    page.wait_for_load_state("load")
    assert month.path() == "/plan/actions/ACT-RECRUIT/update/2013-10/"
    month.both("action update for October")
    page.get_by_label("At risk", exact=True).check()
    page.get_by_label("Percentage complete").fill("35")
    page.get_by_label("What has happened this period").fill("Offers are being accepted again.")
    month.click("button", "Save update")
    assert month.path() == "/"
    assert "for Oct-13 was saved" in month.banner_text()
    page.get_by_role("link", name=re.compile(r"^Risk review: R-WORK .*, Oct-13$")).click()
    page.wait_for_load_state("load")
    assert month.path() == "/plan/risks/R-WORK/review/2013-10/"
    month.both("risk review for October")
    page.get_by_label("3 Possible", exact=True).check()
    page.get_by_label("What has changed (optional)").fill("Agency use is falling.")
    assert page.get_by_label("Next review date").input_value() == "2013-12-31"  # as planned
    page.get_by_label("Next review date").fill("2014-01-31")
    month.click("button", "Save review")
    assert month.path() == "/"
    assert "Your review of Not enough permanent social workers" in month.banner_text()
    month.goto("/sections/scs/2013-10/check/")
    assert "4 of 6 are not given yet." in month.main()
    month.both("check your answers with the business plan")
    month.sign_out()


def approver_reviews_and_approves(month: Month) -> None:
    page = month.page
    month.sign_in("approver")
    month.goto("/team/")
    month.both("team view")
    month.goto("/entry/")
    month.click("link", "Review Adult Social Care, Oct-13")
    assert month.path() == "/sections/asc/2013-10/review/"
    table = page.get_by_role("table").first.inner_text()
    assert "75%" in table and "Note on Monday; target to be agreed" in table
    month.both("review page")
    page.get_by_label("Approve", exact=True).check()
    month.click("button", "Confirm decision")
    assert "Adult Social Care for Oct-13 approved" in month.banner_text()

    # The reporting month has moved on: the dashboard and the reports show October.
    month.goto("/dashboard/")
    assert "as at October 2013" in month.main()
    month.both("dashboard in the new month")
    month.goto("/reports/")
    assert "The current reporting period is October 2013" in month.main()
    assert page.locator("#period option:checked").inner_text().startswith("Oct")
    month.both("reports in the new month")
    month.goto("/team/")
    assert "Now collecting: November 2013." in month.main()
    month.sign_out()


def analyst_imports_a_late_change(month: Month) -> None:
    page = month.page
    month.sign_in("analyst")
    month.goto("/import/")
    page.set_input_files("#file", files=[{"name": "late.csv", "mimeType": "text/csv",
                                           "buffer": LATE_CSV}])  # fmt: skip
    month.click("button", "Check the file")
    assert "The file changes figures of approved periods" in month.main()
    month.both("import preview of an approved period")
    page.get_by_label("Reason for the import").fill("The provider corrected October")
    month.click("button", "Apply the import")
    assert month.path().startswith("/jobs/")
    try:
        run_jobs()
    finally:
        connections.close_all()  # opened beside Playwright's event loop
    page.get_by_text(re.compile(r"Imported 1 changed figure from late\.csv")).wait_for()
    month.both("import job done")
    month.goto("/sections/asc/2013-10/review/")
    assert "Changed since approval" in month.banner_text()
    month.both("review page, changed since approval")


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_a_whole_month_from_reminders_to_a_change_after_approval(
    demo_site, live_server, browser_page, settings, tmp_path, mailoutbox
):
    settings.KPIBOARD_TODAY = date(2013, 12, 2)
    settings.DATA_DIR = tmp_path
    try:
        send_reminders(demo_site, "2013-12-02")
    finally:
        connections.close_all()
    sent = {m.to[0]: m for m in mailoutbox}
    owner = sent["owner@example.org"]
    assert "ASC01 " in owner.body and "overdue" in owner.subject
    assert "overdue" in sent["approver@example.org"].subject  # escalated to the approver

    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    month = Month(page, live_server.url)
    owner_fills_in_and_submits(month)
    section_owner_updates_the_plan(month)
    approver_reviews_and_approves(month)
    analyst_imports_a_late_change(month)

    # The refusals expected: the warned grid and the submission with gaps (400 each).
    assert month.failures == [
        f"400 document {live_server.url}/enter/2013-10/",
        f"400 document {live_server.url}/sections/asc/2013-10/check/",
    ]
    month.assert_accessible()
    try:
        approval = Signoff.objects.get(section__code="asc", period="2013-10", is_current=True)
        gap = GapExplanation.objects.get(indicator__code="ASC01", period="2013-10")
        october = Figure.objects.get(
            indicator__code="ASC01", period="2013-10", series="actual", is_current=True
        )
        reporting = ReportingMonth.objects.get(is_current=True).period
        plan = {f.name: f.body for f in PlanFile.objects.filter(is_current=True)}
    finally:
        connections.close_all()
    assert approval.state == "approved" and gap.text == "Note on Monday; target to be agreed"
    assert october.value == 76 and reporting == "2013-10"
    recruit = next(a for a in plan["plan/actions.yaml"]["actions"] if a["id"] == "ACT-RECRUIT")
    assert recruit["updates"][-1] == {"period": "2013-10", "status": "at_risk", "progress": 35,
                                      "text": "Offers are being accepted again."}  # fmt: skip
    work = next(r for r in plan["plan/risks.yaml"]["risks"] if r["id"] == "R-WORK")
    assert work["reviews"][-1] == {"period": "2013-10", "likelihood": 3, "impact": 5,
                                   "note": "Agency use is falling.",
                                   "next_review": "2014-01-31"}  # fmt: skip
    changed = [m for m in mailoutbox if "changed after approval" in m.subject]
    assert [m.to for m in changed] == [["approver@example.org"]]
