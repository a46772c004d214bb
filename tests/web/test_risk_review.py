"""A risk review for the reporting month: a new revision of the plan's risks file, refused when
invalid, stale or someone else's."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from kpiboard.core.risks import Score
from kpiboard.web.models import PlanFile
from kpiboard.web.plan_writes import save_risk_review
from kpiboard.web.store import clear_cache, current_pack
from kpiboard.web.writes import Invalid

from .revisions import plan_version

pytestmark = pytest.mark.django_db

URL = reverse("kpiboard:risk_review", args=["R-WORK"])  # an scs risk


def revision() -> int:
    return PlanFile.objects.get(name="plan/risks.yaml", is_current=True).revision


def post(client, **changes):
    data = {"likelihood": "3", "impact": "5", "note": "Agency use falling.",
            "next_review": "2013-12-31",
            "base_version": plan_version("risks", "R-WORK")} | changes  # fmt: skip
    return client.post(URL, data)


def test_form_shows_the_risk_its_score_and_flags(client_for):
    html = client_for("section_owner").get(URL).content.decode()
    assert "Review: Not enough permanent social workers" in html
    assert "The current score is <strong>20 Very high (likelihood 4 Likely, impact 5 Major)" in html
    assert "It is flagged for review: SCS02 rated Red." in html
    assert 'id="likelihood-4" name="likelihood" type="radio" value="4" checked' in html


def test_review_saved_replaces_the_months_review(client_for, demo_site):
    before = revision()
    response = post(client_for("section_owner"))
    assert response.status_code == 302
    row = PlanFile.objects.get(name="plan/risks.yaml", is_current=True)
    assert (row.revision, row.reason) == (before + 1, "Risk review of R-WORK for 2013-09")
    clear_cache()
    risk = next(r for r in current_pack().plan.risks if r.id == "R-WORK")
    assert [(v.period.label, v.score) for v in risk.reviews] == [
        ("2013-06", Score(4, 4)),
        ("2013-09", Score(3, 5)),
    ]
    assert risk.reviews[-1].note == "Agency use falling."
    clear_cache()


def test_review_off_the_matrix_is_refused(client_for):
    before = revision()
    response = post(client_for("section_owner"), likelihood="6", impact="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the likelihood" in html and "Choose the impact" in html
    assert revision() == before


def test_review_on_a_stale_form_is_refused(client_for):
    before = revision()
    response = post(client_for("section_owner"), base_version="0" * 32)
    assert response.status_code == 409 and revision() == before


def test_review_of_another_sections_risk_is_refused(client_for):
    assert client_for("owner").get(URL).status_code == 403
    assert client_for("viewer").post(URL, {}).status_code == 403


def test_plan_page_links_to_reviews_only_where_the_reader_may(client_for):
    html = client_for("section_owner").get(reverse("kpiboard:plan")).content.decode()
    assert URL in html
    assert reverse("kpiboard:risk_review", args=["R-HOSP"]) not in html


def offered(client, url: str = URL) -> str:
    return re.search(r'name="next_review" type="date" value="([^"]*)"', client.get(url)
                     .content.decode()).group(1)  # fmt: skip


def test_form_offers_the_planned_review_or_the_end_of_next_month(client_for):
    """R-WORK's planned review (31 December 2013) is still to come; R-IT's (15 September) has
    passed, so the end of the month after September is offered."""
    assert offered(client_for("section_owner")) == "2013-12-31"
    assert offered(client_for("analyst"), reverse("kpiboard:risk_review", args=["R-IT"])) == (
        "2013-10-31"
    )


def test_form_for_a_month_already_reviewed_offers_the_date_that_review_set(client_for):
    owner = client_for("section_owner")
    assert post(owner, next_review="2014-02-28").status_code == 302
    clear_cache()
    assert offered(owner) == "2014-02-28"
    clear_cache()


def test_next_review_date_saved_with_the_review_shown_and_used(client_for):
    owner = client_for("section_owner")
    assert post(owner, next_review="2014-02-28").status_code == 302
    row = PlanFile.objects.get(name="plan/risks.yaml", is_current=True)
    risk_body = next(r for r in row.body["risks"] if r["id"] == "R-WORK")
    assert risk_body["reviews"][-1]["next_review"] == "2014-02-28"
    clear_cache()
    pack = current_pack()
    risk = next(r for r in pack.plan.risks if r.id == "R-WORK")
    assert risk.reviews[-1].next_review == date(2014, 2, 28)
    assert risk.review_date == date(2013, 12, 31)  # the register's own date is kept
    html = client_for("viewer").get(reverse("kpiboard:plan")).content.decode()
    assert "28 Feb 2014" in html.split("R-WORK · ")[1].split("</tr>")[0]
    clear_cache()


def test_next_review_date_before_the_month_reviewed_is_refused(client_for):
    before = revision()
    response = post(client_for("section_owner"), next_review="2013-09-29")
    assert response.status_code == 400 and revision() == before
    html = response.content.decode()
    assert (
        "The next review date must not be before the end of the period reviewed (30 September 2013)"
    ) in html
    assert 'href="#next_review"' in html  # the error summary names the field
    response = post(client_for("section_owner"), next_review="next week")
    assert "Enter the next review date as a date, for example 2014-01-31" in (
        response.content.decode()
    )
    assert revision() == before


def test_save_refuses_a_next_review_before_the_month_reviewed_whatever_the_form(demo_site):
    """The write path checks the date itself (an import or another form may call it)."""
    before = revision()
    with pytest.raises(Invalid) as refused:
        save_risk_review(
            demo_site["section_owner"], "R-WORK", current_pack().as_at, likelihood=3, impact=5,
            note="", next_review=date(2013, 9, 1), base_version=plan_version("risks", "R-WORK"),
        )  # fmt: skip
    assert refused.value.errors == {
        "next_review": "The next review date must not be before the end of the period reviewed "
        "(30 September 2013)"
    }
    assert revision() == before
