"""The waiting list and the entry form: who sees what, saving, errors and locks."""

from __future__ import annotations

import re

import pytest

from kpiboard.core.periods import UK, PeriodKind
from kpiboard.web.models import CommentaryText, Figure
from kpiboard.web.signoff import set_signoff
from kpiboard.web.urlperiods import period_from_slug, period_slug
from kpiboard.web.writes import save_period_entry

FORM = "/entry/ASC01/2013-10/"
SEP = "/entry/ASC01/2013-09/"


def html(response) -> str:
    return response.content.decode()


def current(code="ASC01", period="2013-10", series="actual") -> Figure | None:
    return Figure.objects.filter(
        indicator__code=code, period=period, series=series, is_current=True
    ).first()


def form_data(response) -> dict[str, str]:
    """The form's fields as the page rendered them (inputs and the commentary)."""
    page = html(response)
    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name[1] not in ("csrfmiddlewaretoken", "action", "next", "base_revision"):
            data[name[1]] = value[1] if value else ""
    text = re.search(r'<textarea[^>]*name="commentary"[^>]*>(.*?)</textarea>', page, re.S)
    if text:
        data["commentary"] = text[1]
    return data


# --- period slugs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "slug"),
    [("2013-09", "2013-09"), ("2013/14 Q2", "2013~14_Q2"), ("2012/13", "2012~13")],
)
def test_period_slugs_round_trip(label, slug):
    assert period_slug(label) == slug
    assert period_from_slug(slug, UK).label == label


def test_period_slugs_keep_december_2011_and_the_year_2011_12_apart():
    assert period_from_slug("2011-12", UK).kind is PeriodKind.MONTH
    assert period_from_slug("2011~12", UK).label == "2011/12"


# --- the waiting list ----------------------------------------------------------------------------


def test_an_owner_sees_the_next_period_of_their_indicator_only(client_for):
    page = html(client_for("owner").get("/entry/"))
    assert "ASC01" in page and 'href="/entry/ASC01/2013-10/"' in page
    assert "73% (Sep-13)" in page
    assert "ASC02" not in page and "SCS01" not in page


def test_an_analyst_sees_every_indicator_with_quarters_by_quarter(client_for):
    page = html(client_for("analyst").get("/entry/"))
    for code in ("ASC01", "ASC02", "SCS01", "LEAD01"):
        assert f"/entry/{code}/" in page
    assert 'href="/entry/SCS01/2013~14_Q3/"' in page


def test_a_period_with_a_target_but_no_figure_is_waiting(client_for, demo_site):
    save_period_entry(
        demo_site["owner"], "ASC01", "2013-08", {"actual": None},
        {"actual": current(period="2013-08").revision}, None, 0, "Withdrawn pending audit",
    )  # fmt: skip
    page = html(client_for("owner").get("/entry/"))
    assert 'href="/entry/ASC01/2013-08/"' in page
    assert "A target is set but there is no figure" in page


def test_viewers_may_not_see_the_waiting_list(client_for):
    assert client_for("viewer").get("/entry/").status_code == 403


def test_an_approver_sees_only_the_sign_off_of_their_section(client_for):
    response = client_for("approver").get("/entry/")
    page = html(response)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign-off</h1>' in page
    assert "Adult Social Care" in page and "Figures waiting" not in page


def test_choosing_another_period_opens_its_form(client_for):
    client = client_for("owner")
    response = client.get("/entry/", {"indicator": "ASC01", "period": "Nov-13"})
    assert response.status_code == 302 and response.url == "/entry/ASC01/2013-11/"
    refused = client.get("/entry/", {"indicator": "ASC02", "period": "Smarch"})
    assert refused.status_code == 400
    page = html(refused)
    assert 'href="#indicator"' in page and 'href="#period"' in page


# --- the form ------------------------------------------------------------------------------------


def test_the_form_shows_the_fields_bases_commentary_and_a_draft(client_for):
    response = client_for("owner").get(SEP)
    page = html(response)
    assert response.status_code == 200
    data = form_data(response)
    assert data["value-actual"] == "73" and data["base-actual"] == "1"
    assert data["value-clients"] and "value-target" not in data  # owners do not set targets
    assert data["commentary"].startswith("73% of people") and data["commentary_base"] == "1"
    assert "Drafted commentary" in page and "73% in September 2013" in page
    assert "Submit for approval" in page


def test_analysts_also_get_the_target(client_for):
    data = form_data(client_for("analyst").get(SEP))
    assert data["value-target"] == "80" and "value-floor" in data


def test_analysts_set_the_expected_range_of_a_lead_indicator_not_a_target(client_for):
    client = client_for("analyst")
    lead = form_data(client.get("/entry/LEAD01/2013~14_Q3/"))
    assert "value-lower" in lead and "value-upper" in lead and "value-target" not in lead
    kpi = form_data(client.get(SEP))
    assert "value-lower" not in kpi and "value-upper" not in kpi


def test_a_new_period_shows_the_previous_commentary_to_start_from(client_for):
    page = html(client_for("owner").get(FORM))
    assert "Commentary for Sep-13" in page


def test_owners_may_not_open_forms_of_other_indicators(client_for):
    assert client_for("owner").get("/entry/ASC02/2013-10/").status_code == 403
    assert client_for("viewer").get(FORM).status_code == 403
    assert client_for("approver").get(FORM).status_code == 403


def test_unknown_indicators_and_periods_are_404(client_for):
    client = client_for("analyst")
    assert client.get("/entry/NOPE/2013-10/").status_code == 404
    assert client.get("/entry/ASC01/Smarch/").status_code == 404


def test_a_period_written_another_way_redirects_to_its_canonical_address(client_for):
    response = client_for("owner").get("/entry/ASC01/Oct-13/")
    assert response.status_code == 302 and response.url == FORM


def test_saving_redirects_to_the_indicator_page_with_a_message(client_for):
    client = client_for("owner")
    data = form_data(client.get(FORM))
    data.update({"value-actual": "75", "value-clients": "11900", "commentary": "Up to 75%."})
    response = client.post(FORM, data)
    assert response.status_code == 302 and response.url == "/indicators/ASC01/"
    assert current().value == 75.0 and current(series="clients").value == 11900.0
    text = CommentaryText.objects.get(indicator__code="ASC01", period="2013-10", is_current=True)
    assert text.text == "Up to 75%."
    assert "Saved ASC01 for Oct-13" in html(client.get(response.url))


def test_saving_nothing_new_says_so(client_for):
    client = client_for("owner")
    response = client.post(SEP, form_data(client.get(SEP)))
    assert response.status_code == 302
    assert "Nothing was changed" in html(client.get(response.url))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("seventy", "Enter a number, like 73, 1,249 or 5.84"),
        ("1,2000", "Enter the number with commas only between thousands, like 1,249 or 12,345.5"),
    ],
)
def test_a_value_that_is_not_a_number_is_shown_back_with_an_error(client_for, typed, message):
    client = client_for("owner")
    data = form_data(client.get(FORM))
    data.update({"value-actual": typed, "commentary": "Kept on error"})
    response = client.post(FORM, data)
    page = html(response)
    assert response.status_code == 400
    assert "There is a problem" in page and f'<a href="#value-actual">{message}</a>' in page
    assert 'id="value-actual-error"' in page and "govuk-input--error" in page
    assert form_data(response)["value-actual"] == typed
    assert "Kept on error" in page
    assert current() is None


def test_changing_a_submitted_figure_without_a_reason_is_refused(client_for, demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    client = client_for("owner")
    data = form_data(client.get(SEP))
    data["value-actual"] = "74"
    response = client.post(SEP, data)
    assert response.status_code == 400
    assert 'href="#reason"' in html(response)
    assert current(period="2013-09").value == 73.0
    data["reason"] = "Late returns from two teams"
    assert client.post(SEP, data).status_code == 302
    assert current(period="2013-09").value == 74.0


def approve_september(people):
    set_signoff(people["owner"], "asc", "2013-09", "submitted")
    set_signoff(people["approver"], "asc", "2013-09", "approved")


def test_an_approved_period_is_locked_for_owners(client_for, demo_site):
    client = client_for("owner")
    data = form_data(client.get(SEP))
    approve_september(demo_site)
    page = html(client.get(SEP))
    assert "This period is approved and its figures are locked" in page
    assert 'name="value-actual"' not in page
    data.update({"value-actual": "74", "reason": "Late"})
    assert client.post(SEP, data).status_code == 403
    assert current(period="2013-09").value == 73.0


def test_an_analyst_changes_an_approved_figure_with_a_reason(client_for, demo_site):
    approve_september(demo_site)
    client = client_for("analyst")
    response = client.get(SEP)
    assert "This period has been approved" in html(response)
    data = form_data(response)
    data["value-actual"] = "74"
    refused = client.post(SEP, data)
    assert refused.status_code == 400
    assert "Enter a reason for changing an approved figure" in html(refused)
    data["reason"] = "Audit correction"
    assert client.post(SEP, data).status_code == 302
    assert current(period="2013-09").reason == "Audit correction"


def test_a_quarterly_indicator_by_its_quarter(client_for):
    client = client_for("section_owner")
    url = "/entry/SCS01/2013~14_Q3/"
    response = client.get(url)
    assert response.status_code == 200 and "Figures for Dec 13" in html(response)
    data = form_data(response)
    data["value-actual"] = "84.1"
    assert client.post(url, data).status_code == 302
    assert current("SCS01", "2013/14 Q3").value == 84.1


def test_the_pages_have_no_inline_scripts_or_styles(client_for):
    client = client_for("analyst")
    for url in ("/entry/", FORM, SEP):
        page = html(client.get(url))
        assert "<script>" not in page and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        assert " style=" not in page and "<style" not in page


def test_a_percentage_with_its_sign_is_read(client_for):
    client = client_for("owner")
    data = form_data(client.get(FORM))
    data["value-actual"] = "75.5%"
    assert client.post(FORM, data).status_code == 302
    assert current().value == 75.5


def test_a_percentage_over_100_is_warned_and_saved_once_confirmed(client_for):
    """740% used to be saved with "Saved" and nothing else: now it must be confirmed."""
    client = client_for("owner")
    data = form_data(client.get(FORM))
    data["value-actual"] = "740%"
    response = client.post(FORM, data)
    page = html(response)
    assert response.status_code == 400
    assert "Check this figure: 740% is a percentage over 100" in page
    assert 'name="confirm"' in page
    assert current() is None
    data["confirm"] = "yes"
    assert client.post(FORM, data).status_code == 302
    assert current().value == 740.0
