"""The People page (/people/): administrators see everyone with their name, username, email,
role, what they own or approve, whether they are active and when they last signed in, filtered by
role or section; everyone else is refused (the role × route table: test_access_matrix.py)."""

from __future__ import annotations

import re

from django.urls import reverse

from kpiboard.web.accounts import set_active


def rows(html: str) -> list[str]:
    body = html[html.index('<tbody class="govuk-table__body">') :]
    return [re.sub(r"\s+", " ", r) for r in body.split('<tr class="govuk-table__row">')[1:]]


def test_people_lists_everyone_with_name_role_scope_and_status(client_for):
    response = client_for("admin").get(reverse("kpiboard:people"))
    assert response.status_code == 200
    found = rows(response.content.decode())
    assert len(found) == 6
    grace = next(r for r in found if "Grace Adeyemi" in r)
    for text in (
        "owner",
        "grace.adeyemi@example.org",
        "Indicator owner",
        "ASC01",
        "Active",
        "Never",
    ):
        assert text in grace, text
    helen = next(r for r in found if "Helen Barker" in r)
    assert "Approver" in helen and "Adult Social Care" in helen


def test_people_shows_the_last_sign_in(demo_site, client_for):
    from django.utils import timezone

    viewer = demo_site["viewer"]
    viewer.last_login = timezone.now()
    viewer.save(update_fields=["last_login"])
    html = client_for("admin").get(reverse("kpiboard:people")).content.decode()
    marek = next(r for r in rows(html) if "Marek Nowak" in r)
    assert "<time datetime=" in marek and "Never" not in marek


def test_people_lists_the_deactivated_last_and_says_so(demo_site, client_for):
    set_active(demo_site["analyst"], False, by=demo_site["admin"])
    found = rows(client_for("admin").get(reverse("kpiboard:people")).content.decode())
    assert "Tom Whitfield" in found[-1] and "Deactivated" in found[-1]


def test_people_filters_by_role(client_for):
    html = client_for("admin").get(reverse("kpiboard:people"), {"role": "owner"}).content.decode()
    found = rows(html)
    assert len(found) == 2
    assert "Grace Adeyemi" in found[0] and "Owen Price" in found[1]
    assert "match the filters" in html


def test_people_filters_administrators_including_superusers(client_for):
    html = client_for("admin").get(reverse("kpiboard:people"), {"role": "administrator"})
    assert [r for r in rows(html.content.decode()) if "Priya Shah" in r]
    assert len(rows(html.content.decode())) == 1


def test_people_filters_by_section_through_sections_and_indicators(client_for):
    html = client_for("admin").get(reverse("kpiboard:people"), {"section": "asc"}).content.decode()
    found = rows(html)
    assert len(found) == 2  # the owner of ASC01 and the approver of the section
    assert any("Grace Adeyemi" in r for r in found) and any("Helen Barker" in r for r in found)


def test_people_ignores_a_filter_it_does_not_know(client_for):
    response = client_for("admin").get(reverse("kpiboard:people"), {"role": "king"})
    assert response.status_code == 200 and len(rows(response.content.decode())) == 6


def test_people_is_in_the_menu_for_administrators_only(client_for):
    link = f'href="{reverse("kpiboard:people")}"'
    assert link in client_for("admin").get(reverse("kpiboard:dashboard")).content.decode()
    assert link not in client_for("analyst").get(reverse("kpiboard:dashboard")).content.decode()


def test_the_banner_names_the_signed_in_person(client_for):
    html = client_for("owner").get(reverse("kpiboard:dashboard")).content.decode()
    assert "Signed in as <strong>Grace Adeyemi</strong>" in html
