"""People's one write path (web/accounts.py): every change is made in one transaction and recorded
in the security audit trail with who made it and before → after; the site always keeps an active
administrator; nobody is deleted, and a deactivated person cannot sign in but keeps their name on
what they did. The command line (addperson, setrole) goes through the same functions."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts import (
    PersonRefused,
    create_person,
    display_name,
    set_active,
    update_person,
)
from kpiboard.web.models import Profile, Role, SecurityEvent, SecurityEventKind
from kpiboard.web.permissions import can_administer, role_of

from .conftest import PASSWORD


def events(user, kind: SecurityEventKind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(user=user, kind=kind).order_by("pk"))


def fresh(user):
    """The user as the database has it now (role_of keeps a role for a request's user)."""
    return get_user_model().objects.get(pk=user.pk)


def test_create_person_keeps_the_name_and_records_who_added_them(demo_site):
    admin = demo_site["admin"]
    user, _ = create_person(
        "ruth", Role.APPROVER, sections=["asc"], first_name=" Ruth ", last_name="Okoro",
        email="ruth.okoro@example.org", by=admin,
    )  # fmt: skip
    assert (user.first_name, user.last_name, display_name(user)) == ("Ruth", "Okoro", "Ruth Okoro")
    (added,) = events(user, SecurityEventKind.PERSON_ADDED)
    assert added.actor == admin
    assert added.detail == "Ruth Okoro, Approver for section asc"


def test_display_name_falls_back_to_the_username(db):
    user, _ = create_person("nameless", Role.VIEWER)
    assert display_name(user) == "nameless"


def test_a_role_change_is_recorded_with_before_and_after_and_who(demo_site):
    admin, viewer = demo_site["admin"], demo_site["viewer"]
    (change,) = update_person(viewer, by=admin, role=Role.ANALYST)
    assert (change.kind, change.detail, change.actor, change.user) == (
        SecurityEventKind.ROLE_CHANGED, "Viewer → Analyst", admin, viewer,
    )  # fmt: skip
    assert role_of(fresh(viewer)) is Role.ANALYST


def test_making_someone_administrator_and_back_sets_and_clears_djangos_flags(demo_site):
    viewer = demo_site["viewer"]
    update_person(viewer, role=Role.ADMINISTRATOR)
    assert fresh(viewer).is_superuser and fresh(viewer).is_staff
    assert can_administer(fresh(viewer))
    update_person(viewer, role=Role.VIEWER)
    assert not fresh(viewer).is_superuser and not fresh(viewer).is_staff
    assert role_of(fresh(viewer)) is Role.VIEWER


def test_scope_changes_are_recorded_with_before_and_after(demo_site):
    owner = demo_site["owner"]
    (change,) = update_person(owner, sections=["scs"], indicators=["ASC01", "ASC03"])
    assert change.kind == SecurityEventKind.SCOPE_CHANGED
    assert change.detail == ("indicator ASC01 → section scs, indicator ASC01, indicator ASC03")
    profile = Profile.objects.get(user=owner)
    assert sorted(profile.indicators.values_list("code", flat=True)) == ["ASC01", "ASC03"]


def test_a_role_without_sections_clears_them_and_says_so(demo_site):
    approver = demo_site["approver"]
    changes = update_person(approver, role=Role.VIEWER)
    assert [(c.kind, c.detail) for c in changes] == [
        (SecurityEventKind.ROLE_CHANGED, "Approver → Viewer"),
        (SecurityEventKind.SCOPE_CHANGED, "section asc → nothing"),
    ]
    assert not Profile.objects.get(user=approver).sections.exists()


def test_name_and_email_changes_are_recorded(demo_site):
    viewer = demo_site["viewer"]
    changes = update_person(
        viewer, first_name="Marek", last_name="Nowak-Lee", email="m.nowak@example.org"
    )
    assert [(c.kind, c.detail) for c in changes] == [
        (SecurityEventKind.NAME_CHANGED, "Marek Nowak → Marek Nowak-Lee"),
        (SecurityEventKind.EMAIL_CHANGED, "marek.nowak@example.org → m.nowak@example.org"),
    ]


def test_nothing_changed_records_nothing(demo_site):
    before = SecurityEvent.objects.count()
    assert update_person(demo_site["owner"], role=Role.OWNER, first_name="Grace") == []
    assert SecurityEvent.objects.count() == before


@pytest.mark.parametrize(
    ("role", "scope", "field", "message"),
    [
        (Role.VIEWER, {"sections": ["asc"]}, "sections", "Only indicator owners and approvers"),
        (Role.APPROVER, {"sections": ["asc"], "indicators": ["ASC01"]}, "indicators",
         "Only indicator owners have indicators"),
        (Role.OWNER, {"sections": [], "indicators": []}, "sections", "at least one section or"),
        (Role.APPROVER, {"sections": []}, "sections", "at least one section for an approver"),
        (Role.OWNER, {"sections": ["nope"]}, "sections", "no section with code nope"),
    ],
)  # fmt: skip
def test_a_scope_that_does_not_fit_the_role_is_refused_and_nothing_changes(
    demo_site, role, scope, field, message
):
    viewer = demo_site["viewer"]
    before = SecurityEvent.objects.count()
    with pytest.raises(PersonRefused, match=message) as caught:
        update_person(viewer, role=role, **scope)
    assert caught.value.field == field
    assert role_of(fresh(viewer)) is Role.VIEWER
    assert SecurityEvent.objects.count() == before


def test_an_email_address_another_person_has_is_refused(demo_site):
    with pytest.raises(PersonRefused, match="already has this email") as caught:
        update_person(demo_site["viewer"], email="GRACE.adeyemi@example.org")
    assert caught.value.field == "email"
    with pytest.raises(PersonRefused):
        create_person("dup", Role.VIEWER, email="grace.adeyemi@example.org")


def test_the_last_active_administrator_cannot_lose_the_role(demo_site):
    admin = demo_site["admin"]
    with pytest.raises(PersonRefused, match="only active administrator") as caught:
        update_person(admin, role=Role.ANALYST)
    assert caught.value.field == "role"
    assert fresh(admin).is_superuser


def test_the_last_active_administrator_cannot_be_deactivated(demo_site):
    admin = demo_site["admin"]
    with pytest.raises(PersonRefused, match="only active administrator"):
        set_active(admin, False)  # from the command line: nobody is "themselves"
    assert fresh(admin).is_active


def test_with_a_second_administrator_one_can_step_down(demo_site):
    update_person(demo_site["analyst"], role=Role.ADMINISTRATOR)
    (change,) = update_person(demo_site["admin"], role=Role.ANALYST, by=demo_site["analyst"])
    assert change.detail == "Administrator → Analyst"


def test_a_deactivated_administrator_does_not_count_as_the_one_left(demo_site):
    second, _ = create_person("second", Role.ADMINISTRATOR)
    set_active(second, False, by=demo_site["admin"])
    with pytest.raises(PersonRefused, match="only active administrator"):
        update_person(demo_site["admin"], role=Role.VIEWER)


def test_an_administrator_cannot_deactivate_themselves(demo_site):
    create_person("second", Role.ADMINISTRATOR)
    admin = demo_site["admin"]
    with pytest.raises(PersonRefused, match="cannot deactivate yourself"):
        set_active(admin, False, by=admin)
    assert fresh(admin).is_active


def test_deactivating_and_reactivating_are_recorded(demo_site):
    admin, viewer = demo_site["admin"], demo_site["viewer"]
    off = set_active(viewer, False, by=admin)
    assert (off.kind, off.detail, off.actor) == (
        SecurityEventKind.DEACTIVATED, "active → deactivated", admin,
    )  # fmt: skip
    with pytest.raises(PersonRefused, match="already deactivated"):
        set_active(viewer, False, by=admin)
    on = set_active(viewer, True, by=admin)
    assert (on.kind, on.detail) == (SecurityEventKind.REACTIVATED, "deactivated → active")
    assert fresh(viewer).is_active


def test_a_deactivated_person_cannot_sign_in_and_their_session_ends(demo_site):
    client = Client()
    signed_in = client.post(reverse("kpiboard:login"), {"username": "viewer", "password": PASSWORD})
    assert signed_in.status_code == 302
    set_active(demo_site["viewer"], False, by=demo_site["admin"])
    response = client.get(reverse("kpiboard:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    refused = Client().post(reverse("kpiboard:login"), {"username": "viewer", "password": PASSWORD})
    assert refused.status_code == 400


def test_a_deactivated_persons_past_revisions_keep_their_name(demo_site, client_for):
    from kpiboard.web.writes import save_period_entry

    owner = demo_site["owner"]
    save_period_entry(owner, "ASC01", "2013-10", {"actual": 75.0}, {"actual": 0}, "", 0, "")
    set_active(owner, False, by=demo_site["admin"])
    page = client_for("viewer").get(reverse("kpiboard:changes")).content.decode()
    assert "Grace Adeyemi" in page


# The command line: addperson with a name, setrole through the same function.


def manage(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_addperson_takes_a_name(db):
    manage("addperson", "kim", "--role", "viewer", "--first-name", "Kim", "--last-name", "Lo")
    assert display_name(get_user_model().objects.get(username="kim")) == "Kim Lo"


def test_setrole_changes_a_role_by_an_administrator_and_records_it(demo_site):
    out = manage("setrole", "Viewer", "approver", "--section", "scs", "--by", "admin")
    assert out == (
        "Marek Nowak: Role changed, Viewer → Approver.\n"
        "Marek Nowak: Sections or indicators changed, nothing → section scs.\n"
    )
    (change,) = events(demo_site["viewer"], SecurityEventKind.ROLE_CHANGED)
    assert change.actor == demo_site["admin"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "viewer"], "there is no person called 'nobody'"),
        (["viewer", "owner"], "at least one section or indicator"),
        (["viewer", "analyst", "--by", "owner"], "--by owner is not an active administrator"),
        (["admin", "viewer"], "only active administrator"),
    ],
)
def test_setrole_refuses_what_would_not_work(demo_site, args, message):
    with pytest.raises(CommandError, match=message):
        manage("setrole", *args)
