"""``kpiboard manage setemail`` and ``addperson --email``: the address single sign-on matches a
person by, one person per address, each change in the security audit trail."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kpiboard.web.accounts import create_person
from kpiboard.web.models import Role, SecurityEvent, SecurityEventKind

from .conftest import PASSWORD


@pytest.fixture
def people(db):
    return {
        name: create_person(name, Role.VIEWER, password=PASSWORD, email=email)[0]
        for name, email in [("ana", "ana@trust.example"), ("ben", "")]
    }


def setemail(*args: str) -> str:
    out = io.StringIO()
    call_command("setemail", *args, stdout=out)
    return out.getvalue()


def test_setemail_records_the_address_and_the_change(people):
    assert setemail("Ben", "Ben.Jones@Trust.example") == (
        "ben now has the email address Ben.Jones@Trust.example.\n"
    )
    people["ben"].refresh_from_db()
    assert people["ben"].email == "Ben.Jones@Trust.example"
    changed = SecurityEvent.objects.get(kind=SecurityEventKind.EMAIL_CHANGED)
    assert changed.user == people["ben"]
    assert changed.detail == "none → Ben.Jones@Trust.example"


def test_setemail_refuses_an_address_someone_else_has_whatever_its_capitals(people):
    with pytest.raises(
        CommandError, match=r"Another person \(ana\) already has this email address"
    ):
        setemail("ben", "ANA@trust.example")
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.EMAIL_CHANGED).exists()


def test_setemail_may_change_the_capitals_of_a_persons_own_address(people):
    setemail("ana", "Ana@Trust.example")
    people["ana"].refresh_from_db()
    assert people["ana"].email == "Ana@Trust.example"


def test_setemail_refuses_what_is_not_an_address(people):
    with pytest.raises(CommandError, match="'ana at trust' is not an email address"):
        setemail("ben", "ana at trust")


def test_setemail_with_an_empty_address_removes_it(people):
    assert setemail("ana", "") == "ana now has no email address.\n"
    people["ana"].refresh_from_db()
    assert people["ana"].email == ""


def test_setemail_names_an_unknown_person(people):
    with pytest.raises(CommandError, match="there is no person called 'cara'"):
        setemail("cara", "cara@trust.example")


def test_addperson_refuses_an_email_address_someone_already_has(people):
    with pytest.raises(CommandError, match=r"--email: Another person \(ana\) already has this"):
        call_command("addperson", "cara", "--role", "viewer", "--email", "Ana@Trust.example")
