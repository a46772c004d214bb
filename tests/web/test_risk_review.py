"""A risk review for the reporting month: a new revision of the plan's risks file, refused when
invalid, stale or someone else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpiboard.core.risks import Score
from kpiboard.web.models import PlanFile
from kpiboard.web.store import clear_cache, current_pack

pytestmark = pytest.mark.django_db

URL = reverse("kpiboard:risk_review", args=["R-WORK"])  # an scs risk


def revision() -> int:
    return PlanFile.objects.get(name="plan/risks.yaml", is_current=True).revision


def post(client, **changes):
    data = {"likelihood": "3", "impact": "5", "note": "Agency use falling.",
            "base_revision": str(revision())} | changes  # fmt: skip
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
    response = post(client_for("section_owner"), base_revision=str(before - 1))
    assert response.status_code == 409 and revision() == before


def test_review_of_another_sections_risk_is_refused(client_for):
    assert client_for("owner").get(URL).status_code == 403
    assert client_for("viewer").post(URL, {}).status_code == 403


def test_plan_page_links_to_reviews_only_where_the_reader_may(client_for):
    html = client_for("section_owner").get(reverse("kpiboard:plan")).content.decode()
    assert URL in html
    assert reverse("kpiboard:risk_review", args=["R-HOSP"]) not in html
