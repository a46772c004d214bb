"""Changing a person (/people/<id>/): their name, email, role and what they own or approve, each
change recorded in the audit trail with before → after and who made it. The last active
administrator keeps the role; bad input is named on its field and nothing is saved."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kpiboard.web.models import Profile, Role, SecurityEvent, SecurityEventKind
from kpiboard.web.permissions import role_of


def url(user) -> str:
    return reverse("kpiboard:person_edit", args=[user.pk])


def as_shown(user, **changes) -> dict:
    """The form as the page fills it in for ``user``, with ``changes``."""
    profile = Profile.objects.get(user=user)
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": role_of(user).value,
        "sections": list(profile.sections.values_list("code", flat=True)),
        "indicators": list(profile.indicators.values_list("code", flat=True)),
    }
    return data | changes


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_edit_page_is_filled_in_with_the_person(demo_site, client_for):
    html = client_for("admin").get(url(demo_site["owner"])).content.decode()
    assert "Change Grace Adeyemi" in html
    assert 'value="Grace"' in html and 'value="grace.adeyemi@example.org"' in html
    assert re.search(r'value="owner"[^>]* checked', html)
    assert re.search(r'value="ASC01"[^>]* checked', html)
    assert not re.search(r'value="ASC02"[^>]* checked', html)
    assert "Deactivate Grace Adeyemi" in html


def test_edit_changes_the_role_and_records_it(demo_site, client_for):
    viewer, admin = demo_site["viewer"], client_for("admin")
    response = admin.post(url(viewer), as_shown(viewer, role="approver", sections=["scs"]))
    assert response.status_code == 302 and response["Location"] == reverse("kpiboard:people")
    assert role_of(fresh(viewer)) is Role.APPROVER
    recorded = SecurityEvent.objects.filter(user=viewer).order_by("pk")
    assert [(e.kind, e.detail, e.actor) for e in recorded.filter(actor__isnull=False)] == [
        (SecurityEventKind.ROLE_CHANGED, "Viewer → Approver", demo_site["admin"]),
        (SecurityEventKind.SCOPE_CHANGED, "nothing → section scs", demo_site["admin"]),
    ]
    after = admin.get(reverse("kpiboard:people")).content.decode()
    assert "Saved changes to Marek Nowak" in after and "Viewer → Approver" in after


def test_edit_changes_indicators_name_and_email(demo_site, client_for):
    owner = demo_site["owner"]
    client_for("admin").post(
        url(owner),
        as_shown(owner, last_name="Adeyemi-Cole", email="grace@example.org",
                 indicators=["ASC01", "ASC02"]),
    )  # fmt: skip
    owner = fresh(owner)
    assert (owner.get_full_name(), owner.email) == ("Grace Adeyemi-Cole", "grace@example.org")
    codes = Profile.objects.get(user=owner).indicators.values_list("code", flat=True)
    assert sorted(codes) == ["ASC01", "ASC02"]
    kinds = set(SecurityEvent.objects.filter(user=owner).values_list("kind", flat=True))
    assert {"name_changed", "email_changed", "scope_changed"} <= kinds


def test_edit_with_nothing_changed_records_nothing(demo_site, client_for):
    admin = client_for("admin")  # (signing in is recorded)
    before = SecurityEvent.objects.count()
    response = admin.post(url(demo_site["owner"]), as_shown(demo_site["owner"]))
    assert response.status_code == 302
    assert SecurityEvent.objects.count() == before


def test_edit_refuses_taking_the_role_from_the_last_administrator(demo_site, client_for):
    admin = demo_site["admin"]
    response = client_for("admin").post(url(admin), as_shown(admin, role="viewer"))
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#role">Priya Shah is the only active administrator' in html
    assert fresh(admin).is_superuser


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter their first name"),
        ({"email": "not an address"}, "email", "Enter an email address like name@example.org"),
        ({"role": "king"}, "role", "Choose a role"),
        ({"sections": [], "indicators": []}, "sections", "Choose at least one section or"),
        ({"indicators": ["NOPE1"]}, "indicators", "Choose indicators from the list"),
    ],
)  # fmt: skip
def test_edit_names_the_field_with_a_problem_and_saves_nothing(
    demo_site, client_for, changes, field, message
):
    owner, admin = demo_site["owner"], client_for("admin")
    before = SecurityEvent.objects.count()
    response = admin.post(url(owner), as_shown(owner, **changes))
    assert response.status_code == 400
    assert f'<a href="#{field}">{message}' in response.content.decode()
    assert SecurityEvent.objects.count() == before
    assert fresh(owner).first_name == "Grace"


def test_edit_an_unknown_person_is_not_found(client_for):
    assert client_for("admin").get(reverse("kpiboard:person_edit", args=[99999])).status_code == 404


def test_a_superuser_made_by_createsuperuser_can_be_changed(demo_site, client_for):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 16)
    admin = client_for("admin")
    page = admin.get(url(superuser)).content.decode()
    assert re.search(r'value="administrator"[^>]* checked', page)
    response = admin.post(
        url(superuser),
        {"first_name": "Rosa", "last_name": "Root", "email": "root@example.org",
         "role": "analyst"},
    )  # fmt: skip
    assert response.status_code == 302
    assert role_of(fresh(superuser)) is Role.ANALYST and not fresh(superuser).is_superuser
