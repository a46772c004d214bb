"""The dashboard: every section's indicators with ratings, filtered by GET parameters."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts import create_person
from kpiboard.web.models import Definition, Indicator, Role, Site
from kpiboard.web.store import bump_version

from .revisions import change_figure

ASC = {f"ASC{n:02d}" for n in range(1, 12)}
SCS = {f"SCS{n:02d}" for n in range(1, 7)}
LEADS = {f"LEAD{n:02d}" for n in range(1, 7)}
AMBER = {"ASC01", "ASC05", "ASC07", "SCS01", "SCS06"}
BOLD_STEPS = {"ASC01", "ASC02", "ASC03", "ASC04", "ASC07", "ASC09", "ASC10"}
QPR = {"ASC01", "ASC03", "ASC04", "ASC05", "ASC11"}


def get(client: Client, **params):
    response = client.get(reverse("kpiboard:dashboard"), params)
    assert response.status_code == 200
    return response


def shown(response) -> set[str]:
    """The indicator codes the page links to."""
    return set(re.findall(r'href="/indicators/([A-Z0-9]+)/"', response.content.decode()))


def row_of(response, code: str) -> str:
    html = response.content.decode()
    start = html.index(f'href="/indicators/{code}/"')
    return html[start : html.index("</tr>", start)]


def test_dashboard_viewer_sees_every_live_indicator(client_for):
    response = get(client_for("viewer"))
    assert shown(response) == ASC | SCS | LEADS
    html = response.content.decode()
    assert "Adult Social Care" in html and "Specialist Children&#x27;s Services" in html
    assert "September 2013" in html


def test_dashboard_signed_out_redirects_to_sign_in(demo_site):
    response = Client().get(reverse("kpiboard:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("kpiboard:login"))


def test_dashboard_every_role_sees_it(client_for):
    for name in ("admin", "analyst", "owner", "section_owner", "approver", "viewer"):
        assert shown(get(client_for(name))) == ASC | SCS | LEADS, name


def test_dashboard_row_shows_value_period_target_rating_and_direction(client_for):
    row = row_of(get(client_for("viewer")), "ASC01")
    assert "73%" in row and "Sep-13" in row and "80%" in row
    assert 'class="kpi-rating kpi-rating--amber">Amber' in row
    assert "Worsened" in row and "▼" in row


def test_dashboard_spc_indicator_shows_icons_with_labels(client_for):
    row = row_of(get(client_for("viewer")), "ASC01")
    assert row.count("<svg") == 2
    assert "Improvement (high)" in row
    assert "Target consistently missed" in row
    assert "No SPC chart" in row_of(get(client_for("viewer")), "SCS01")


def test_dashboard_forecast_column_shows_year_end_rating(client_for):
    row = row_of(get(client_for("viewer")), "SCS05")
    assert row.count("kpi-rating--green") == 2  # the current rating and the forecast


def test_dashboard_counts_ratings_per_section(client_for):
    html = get(client_for("viewer")).content.decode()
    assert "7 Green, 3 Amber, 1 not rated" in html
    assert "3 Green, 2 Amber, 1 Red" in html


def test_dashboard_lead_indicators_listed_with_range_status(client_for):
    response = get(client_for("viewer"))
    assert "Above expected range" in row_of(response, "LEAD06")
    assert "Within expected range" in row_of(response, "LEAD01")
    assert "50 to 100" in row_of(response, "LEAD06")


def test_dashboard_section_filter_shows_only_that_section(client_for):
    assert shown(get(client_for("viewer"), section="asc")) == ASC
    assert shown(get(client_for("viewer"), section="scs")) == SCS | LEADS


def test_dashboard_tag_filter_keeps_tagged_indicators(client_for):
    assert shown(get(client_for("viewer"), tag="bold-steps")) == BOLD_STEPS
    assert shown(get(client_for("viewer"), tag="qpr")) == QPR


def test_dashboard_rating_filter_keeps_only_that_rating(client_for):
    assert shown(get(client_for("viewer"), rating="AMBER")) == AMBER
    assert shown(get(client_for("viewer"), rating="RED")) == {"SCS02"}
    assert shown(get(client_for("viewer"), rating="NOT_RATED")) == {"ASC02"} | LEADS


def test_dashboard_owner_filter_keeps_owned_indicators(client_for, demo_site):
    client = client_for("viewer")
    assert shown(get(client, owner=demo_site["owner"].pk)) == {"ASC01"}
    assert shown(get(client, owner=demo_site["section_owner"].pk)) == SCS | LEADS


def test_dashboard_owner_filter_lists_only_owners(client_for):
    html = get(client_for("viewer")).content.decode()
    options = html[html.index('id="owner"') : html.index("</select>", html.index('id="owner"'))]
    assert (
        ">Grace Adeyemi (owner)</option>" in options
        and ">Owen Price (section_owner)</option>" in options
    )
    assert ">approver</option>" not in options and ">viewer</option>" not in options


def test_dashboard_search_matches_title_or_code(client_for):
    assert shown(get(client_for("viewer"), q="telecare")) == {"ASC03"}
    assert shown(get(client_for("viewer"), q="scs02")) == {"SCS02"}
    assert shown(get(client_for("viewer"), q="  Telecare  ")) == {"ASC03"}


def test_dashboard_filters_combine(client_for):
    client = client_for("viewer")
    assert shown(get(client, section="asc", rating="AMBER")) == {"ASC01", "ASC05", "ASC07"}
    assert shown(get(client, section="asc", rating="AMBER", tag="qpr")) == {"ASC01", "ASC05"}
    assert shown(get(client, section="scs", tag="qpr")) == set()


def test_dashboard_no_match_says_so(client_for):
    response = get(client_for("viewer"), q="no such indicator anywhere")
    assert shown(response) == set()
    html = response.content.decode()
    assert "No indicators match these filters" in html
    assert "Showing 0 of 23 indicators" in html


def test_dashboard_filters_keep_their_values_in_the_form(client_for):
    html = get(client_for("viewer"), section="asc", rating="GREEN", q="care").content.decode()
    assert '<option value="asc" selected>' in html
    assert '<option value="GREEN" selected>' in html
    assert 'value="care"' in html
    assert "Clear filters" in html


def test_dashboard_unknown_filter_values_are_ignored(client_for):
    response = get(client_for("viewer"), section="nope", tag="nope", rating="PURPLE", owner="999")
    assert shown(response) == ASC | SCS | LEADS


def test_dashboard_figure_change_shows_new_value(client_for):
    client = client_for("viewer")
    assert "73%" in row_of(get(client), "ASC01")
    change_figure("ASC01", "2013-09", "actual", 81)
    row = row_of(get(client), "ASC01")
    assert "81%" in row and "kpi-rating--green" in row


def test_dashboard_override_marked(client_for):
    indicator = Indicator.objects.get(code="ASC03")
    current = Definition.objects.get(indicator=indicator, is_current=True)
    body = dict(current.body)
    body["overrides"] = [
        {"period": "2013-09", "rating": "RED", "reason": "Data quality concern", "by": "Analyst"}
    ]
    current.is_current = False
    current.save(update_fields=["is_current"])
    Definition.objects.create(indicator=indicator, body=body, revision=current.revision + 1)
    bump_version()
    row = row_of(get(client_for("viewer")), "ASC03")
    assert "kpi-rating--red" in row
    assert "override: computed rating Green" in row


def test_dashboard_archived_indicator_is_left_out(client_for):
    Indicator.objects.filter(code="ASC05").update(archived=True)
    site = Site.get()
    for section in site.manifest["sections"]:
        section["indicators"] = [i for i in section.get("indicators", []) if i != "ASC05"]
    site.save()
    bump_version()
    assert shown(get(client_for("viewer"))) == (ASC - {"ASC05"}) | SCS | LEADS


def test_dashboard_queries_do_not_grow_with_indicators(client_for, django_assert_max_num_queries):
    client = client_for("viewer")
    get(client)  # builds the per-version cache
    with django_assert_max_num_queries(10):
        get(client, owner="1")


@pytest.mark.parametrize("params", [{}, {"q": "zzz"}])
def test_dashboard_page_has_no_inline_styles_or_scripts(client_for, params):
    html = get(client_for("viewer"), **params).content.decode()
    assert not re.search(r"\sstyle=", html)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert "<caption" in html or "No indicators match" in html


def test_dashboard_draws_each_icon_once_and_rows_point_at_it(client_for):
    html = get(client_for("viewer")).content.decode()
    assert html.count('class="kpi-sprite" width="0" height="0" aria-hidden="true"') == 1
    symbols = re.findall(r'<symbol id="([^"]+)"', html)
    assert len(symbols) == len(set(symbols))  # each icon drawn once, however many rows use it
    assert "icon-variation-improvement_high" in symbols
    used = set(re.findall(r'<use href="#([^"]+)"/>', html))
    assert used and used <= set(symbols)
    assert html.count('<use href="#') > len(symbols)  # several rows share an icon
    row = row_of(get(client_for("viewer")), "ASC01")
    assert '<use href="#icon-variation-improvement_high"/>' in row
    assert '<use href="#icon-assurance-fail"/>' in row


def test_dashboard_kept_page_follows_owner_changes_without_a_data_change(client_for, demo_site):
    client = client_for("viewer")
    owner = demo_site["owner"]
    assert shown(get(client, owner=owner.pk)) == {"ASC01"}
    owner.kpi_profile.indicators.add(Indicator.objects.get(code="ASC02"))
    assert shown(get(client, owner=owner.pk)) == {"ASC01", "ASC02"}
    html = get(client).content.decode()
    assert ">newowner</option>" not in html
    create_person("newowner", Role.OWNER, password="x-" * 8, indicators=["ASC03"])
    assert ">newowner</option>" in get(client).content.decode()


def test_dashboard_menu_marks_where_the_reader_is(client_for):
    client = client_for("analyst")
    html = get(client).content.decode()
    assert (
        '<li class="govuk-header__navigation-item govuk-header__navigation-item--active">'
        '<a class="govuk-header__link" href="/dashboard/" aria-current="page">Dashboard</a>'
    ) in html
    below = client.get(reverse("kpiboard:indicator", args=["ASC01"])).content.decode()
    link = '<a class="govuk-header__link" href="/dashboard/">Dashboard'
    assert f'navigation-item--active">{link}' in below
    assert 'aria-current="page"' not in below  # under the dashboard, not the dashboard itself
    changes = client.get(reverse("kpiboard:changes")).content.decode()
    assert 'href="/changes/" aria-current="page">Changes</a>' in changes


def test_dashboard_shows_the_latest_period_column(client_for):
    response = get(client_for("viewer"))
    html = response.content.decode()
    assert ">Latest period</th>" in html
    assert '<td class="govuk-table__cell kpi-nowrap">Aug-13</td>' in row_of(response, "ASC07")


def test_dashboard_summary_of_variation_and_assurance(client_for):
    html = get(client_for("viewer")).content.decode()
    start = html.index("Summary of variation and assurance")
    matrix = html[start : html.index("</details>", start)]
    assert "Indicators by variation and assurance" in matrix  # the caption
    assert matrix.count('<th scope="col"') == 5 and matrix.count('<th scope="row"') == 8
    # Each count links to the dashboard filtered to those indicators, saying what it counts.
    link = re.search(
        r'<a class="govuk-link" href="/dashboard/\?variation=improvement_high&amp;'
        r'assurance=inconsistent">'
        r'3<span class="govuk-visually-hidden"> indicators: Improvement \(high\), Target may or '
        r"may not be met</span></a>",
        matrix,
    )
    assert link is not None
    assert 'href="/dashboard/?variation=common_cause">4<' in matrix  # a row total
    assert 'href="/dashboard/?assurance=pass">1<' in matrix  # a column total
    assert "13 indicators have no SPC chart" in matrix


def test_dashboard_filters_by_variation_and_assurance(client_for):
    client = client_for("viewer")
    assert shown(get(client, variation="improvement_high", assurance="fail")) == {"ASC01"}
    assert shown(get(client, variation="improvement_high", assurance="none")) == {"ASC02"}
    assert shown(get(client, variation="common_cause")) == {"ASC05", "ASC07", "ASC08", "ASC10"}
    assert shown(get(client, assurance="pass")) == {"ASC10"}
    response = get(client, variation="improvement_high")
    assert '<option value="improvement_high" selected>' in response.content.decode()
    assert shown(get(client, variation="sideways", assurance="<b>")) == ASC | SCS | LEADS


def test_dashboard_priority_filter_keeps_indicators_measuring_it_or_below(client_for):
    # BS-IND-3 is measured by ASC04 and ASC07, its objective BS-IND-3a by ASC07.
    assert shown(get(client_for("viewer"), priority="BS-IND-3")) == {"ASC04", "ASC07"}
    assert shown(get(client_for("viewer"), priority="BS-IND-3a")) == {"ASC07"}
    ambition = {"ASC01", "ASC02", "ASC03", "ASC04", "ASC07", "ASC09", "ASC10"}
    assert shown(get(client_for("viewer"), priority="BS-IND")) == ambition
    combined = get(client_for("viewer"), priority="BS-IND", rating="AMBER")
    assert shown(combined) == {"ASC01", "ASC07"}
    html = combined.content.decode()
    assert '<option value="BS-IND-3a">Objective: Reduce delays in leaving hospital' in html
    assert '<option value="BS-IND" selected>Ambition: Help older and disabled people' in html


def test_dashboard_unknown_priority_is_ignored(client_for):
    assert shown(get(client_for("viewer"), priority="NOPE")) == ASC | SCS | LEADS
