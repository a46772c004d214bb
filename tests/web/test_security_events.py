"""The security audit trail: sign-ins, failures, throttled attempts, sign-outs and new people are
recorded with the client's address, never with a password, and only administrators see them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts import create_person
from kpiboard.web.models import Role, SecurityEvent, SecurityEventKind

from .conftest import PASSWORD

WRONG = "a-wrong-guess-Xq7"
ADDRESS = "203.0.113.9"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_BACKOFF_SECONDS = 30
    settings.LOGIN_WINDOW_SECONDS = 900
    settings.LOGIN_MAX_WAIT_SECONDS = 3600
    settings.BEHIND_PROXY = False


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("kpiboard:login"), {"username": username, "password": password})


def kinds(**filters) -> list[str]:
    return list(
        SecurityEvent.objects.filter(**filters).order_by("pk").values_list("kind", flat=True)
    )


def test_a_failed_then_right_sign_in_and_a_sign_out_are_recorded_with_the_address(db):
    person = create_person("kim", Role.VIEWER, password=PASSWORD)[0]
    client = Client(REMOTE_ADDR=ADDRESS)
    assert sign_in(client, "Kim", WRONG).status_code == 400
    assert sign_in(client, "KIM", PASSWORD).status_code == 302
    client.post(reverse("kpiboard:logout"))
    events = list(SecurityEvent.objects.filter(address=ADDRESS).order_by("pk"))
    assert [e.kind for e in events] == ["sign_in_failed", "sign_in", "sign_out"]
    assert {e.username for e in events} == {"kim"}  # as typed, normalised
    assert all(e.user == person for e in events)
    assert events[0].detail == "wrong password"


def test_a_failure_for_nobody_is_recorded_without_a_person(db):
    assert sign_in(Client(REMOTE_ADDR=ADDRESS), "nobody", WRONG).status_code == 400
    event = SecurityEvent.objects.get()
    assert (event.kind, event.username, event.user, event.detail) == (
        "sign_in_failed",
        "nobody",
        None,
        "no such person",
    )


def test_a_throttled_attempt_is_recorded(db):
    create_person("kim", Role.VIEWER, password=PASSWORD)
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(2):
        sign_in(client, "kim", WRONG)
    assert sign_in(client, "kim", PASSWORD).status_code == 429
    assert kinds(address=ADDRESS) == ["sign_in_failed", "sign_in_failed", "throttled"]
    throttled = SecurityEvent.objects.get(kind=SecurityEventKind.THROTTLED)
    assert throttled.username == "kim" and throttled.user is not None
    assert throttled.detail == "2 failures; told to wait 30 seconds"


def test_adding_a_person_is_recorded_by_create_person_and_addperson(demo_site):
    call_command("addperson", "Jo", "--role", "owner", "--indicator", "ASC03", stdout=io.StringIO())
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.PERSON_ADDED).latest("pk")
    assert (event.username, event.user.username) == ("jo", "jo")
    assert event.detail == "Indicator owner for indicator ASC03"


def test_no_password_is_ever_stored(db):
    create_person("kim", Role.ADMINISTRATOR, password=PASSWORD)
    _, generated = create_person("lee", Role.VIEWER)
    client = Client(REMOTE_ADDR=ADDRESS)
    sign_in(client, "kim", WRONG)
    sign_in(client, "kim", WRONG)
    sign_in(client, "kim", PASSWORD)  # throttled
    sign_in(Client(), "lee", generated)
    sign_in(Client(), WRONG, PASSWORD)  # a password typed as the username is kept, as typed
    assert SecurityEvent.objects.count() >= 7
    secrets = (PASSWORD, generated, "*****")
    for row in SecurityEvent.objects.values():
        for field, value in row.items():
            for secret in secrets:
                assert secret not in str(value), (field, row)


def test_events_are_append_only(db):
    create_person("kim", Role.VIEWER)
    event = SecurityEvent.objects.get()
    event.detail = "tidied up"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@pytest.mark.parametrize("role", ["viewer", "owner", "approver", "analyst"])
def test_only_administrators_see_the_events(client_for, role):
    response = client_for(role).get(reverse("kpiboard:security_events"))
    assert response.status_code == 403
    page = client_for(role).get(reverse("kpiboard:dashboard")).content.decode()
    assert reverse("kpiboard:security_events") not in page  # not in the menu either


def test_an_administrator_sees_them_newest_first_filtered_by_kind(client_for, demo_site):
    sign_in(Client(REMOTE_ADDR=ADDRESS), "viewer", WRONG)
    admin = client_for("admin")
    assert (
        reverse("kpiboard:security_events")
        in admin.get(reverse("kpiboard:dashboard")).content.decode()
    )
    page = admin.get(reverse("kpiboard:security_events")).content.decode()
    assert "Sign-ins and people" in page
    assert page.index("Signed in") < page.index(ADDRESS)  # the admin's own sign-in is newer
    failed = admin.get(reverse("kpiboard:security_events"), {"kind": "sign_in_failed"})
    text = failed.content.decode()
    assert ADDRESS in text and "wrong password" in text
    assert '<td class="govuk-table__cell">Signed in</td>' not in text
    assert "Person added" not in text.split("<tbody")[1]


def test_a_role_change_shows_whom_it_was_about_who_made_it_and_before_and_after(
    client_for, demo_site
):
    from kpiboard.web.accounts import update_person

    update_person(demo_site["viewer"], role=Role.ANALYST, by=demo_site["admin"])
    html = (
        client_for("admin")
        .get(reverse("kpiboard:security_events"), {"kind": "role_changed"})
        .content.decode()
    )
    row = html[html.index('<tbody class="govuk-table__body">') :]
    assert "Role changed" in row and "Viewer → Analyst" in row
    assert 'Marek Nowak <span class="kpi-muted">(viewer)</span>' in row
    assert '<td class="govuk-table__cell">Priya Shah</td>' in row
