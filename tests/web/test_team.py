"""The team view: who is late, by section and owner, and sign-off against the approval date;
analysts and administrators see every section, approvers their own."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import save_period_entry

TEAM = reverse("kpiboard:team")


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.KPIBOARD_TODAY = date(2013, 12, 2)


def section(html: str, code: str) -> str:
    start = html.index(f'aria-labelledby="team-{code}"')
    return html[start : html.index("</section>", start)]


def owner_row(html: str, name: str) -> str:
    return re.search(rf"<tr[^>]*>\s*<th scope=\"row\"[^>]*>{name}.*?</tr>", html, re.S)[0]


def test_team_shows_who_is_late_by_section_and_owner(client_for):
    html = client_for("analyst").get(TEAM).content.decode()
    asc = section(html, "asc")
    assert "30 overdue" in asc  # figures and commentary of ten indicators, ten plan tasks
    assert "Approver: Helen Barker" in asc
    owner = owner_row(asc, "Grace Adeyemi")
    assert "ASC01 (Oct-13)" in owner and "ASC02" not in owner
    counts = re.findall(r"govuk-table__cell--numeric\">(?:<strong[^>]*>)?(\d+)<", owner)
    assert counts == ["4", "2"]  # October's and November's figures and commentary; October late
    nobody = owner_row(asc, "No owner")  # the nine ASC indicators nobody owns
    assert "ASC02 (Oct-13)" in nobody
    assert "ACT-TEL (Oct-13)" in nobody and "R-IT (Oct-13)" in nobody  # nobody owns the section
    scs = section(html, "scs")
    owen = owner_row(scs, "Owen Price")
    assert "LEAD05 (Oct-13), LEAD06 (Oct-13), ACT-RECRUIT (Oct-13)" in owen  # with the plan
    assert "Approvers: none yet" in scs or "Approver: none yet" in scs


def test_team_shows_sign_off_against_the_approval_date(client_for):
    asc = section(client_for("admin").get(TEAM).content.decode(), "asc")
    october = re.search(r"<td[^>]*>October 2013</td>.*?</tr>", asc, re.S)[0]
    assert "Draft" in october and "Late" in october and "28 November 2013" in october
    november = re.search(r"<td[^>]*>November 2013</td>.*?</tr>", asc, re.S)[0]
    assert "Late" not in november and "31 December 2013" in november


def test_team_an_approver_sees_only_their_sections(client_for):
    html = client_for("approver").get(TEAM).content.decode()
    assert 'aria-labelledby="team-asc"' in html
    assert 'aria-labelledby="team-scs"' not in html


def test_team_clears_as_work_comes_in(client_for, demo_site):
    owner = demo_site["owner"]
    save_period_entry(owner, "ASC01", "2013-10", {"actual": 75.0}, {"actual": 0}, "Fine.", 0, "")
    set_signoff(owner, "asc", "2013-10", "submitted")
    asc = section(client_for("analyst").get(TEAM).content.decode(), "asc")
    assert "Nothing late" in owner_row(asc, "Grace Adeyemi")
    assert "28 overdue" in asc  # the plan's ten are still to give


@pytest.mark.parametrize("name", ["viewer", "owner", "section_owner"])
def test_team_refused_to_owners_and_viewers(client_for, name):
    assert client_for(name).get(TEAM).status_code == 403
    assert (
        f'href="{TEAM}"' not in client_for(name).get(reverse("kpiboard:dashboard")).content.decode()
    )


def test_team_in_the_menu_for_analysts_and_approvers(client_for):
    for name in ("approver", "analyst", "admin"):
        html = client_for(name).get(reverse("kpiboard:dashboard")).content.decode()
        assert f'<a class="govuk-header__link" href="{TEAM}">Team</a>' in html, name
