"""The sign-in throttle (per address and username, with back-off), the proxy warning, and
usernames compared in one normalised spelling."""

from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kpiboard.web import throttle
from kpiboard.web.accounts import UsernameRefused, create_person
from kpiboard.web.models import Role, SignInThrottle
from kpiboard.web.views import auth

from .conftest import PASSWORD

WRONG = "wrong-password-guess"
LIMITS = {
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_SECONDS": 900,
    "LOGIN_BACKOFF_SECONDS": 30,
    "LOGIN_MAX_WAIT_SECONDS": 3600,
}


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name, value in LIMITS.items():
        setattr(settings, name, value)


@pytest.fixture
def people(db):
    return {
        name: create_person(name, role, password=PASSWORD)[0]
        for name, role in [("viewer", Role.VIEWER), ("analyst", Role.ANALYST)]
    }


def sign_in(client, username, password, **extra):
    return client.post(
        reverse("kpiboard:login"), {"username": username, "password": password}, **extra
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("kpiboard:home")


def fail(client, username, times):
    for _ in range(times):
        assert sign_in(client, username, WRONG).status_code == 400


def test_five_wrong_passwords_make_the_pair_wait(people):
    client = Client()
    fail(client, "analyst", 5)
    response = sign_in(client, "analyst", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts. Wait 30 seconds, then try again" in response.content
    assert 25 <= int(response["Retry-After"]) <= 30
    assert "_auth_user_id" not in client.session
    # The same person in other capitals, or full-width, is the same pair.
    assert sign_in(client, "ANALYST", PASSWORD).status_code == 429
    assert sign_in(client, "ＡＮＡＬＹＳＴ", PASSWORD).status_code == 429


def test_a_guesser_cannot_lock_the_person_out_from_elsewhere(people):
    fail(Client(REMOTE_ADDR="203.0.113.7"), "analyst", 5)
    assert signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.20"), "analyst", PASSWORD))


def test_a_guesser_cannot_lock_out_colleagues_at_the_same_address(people):
    office = Client()  # everyone here arrives from 127.0.0.1
    for name in [f"nobody{i}" for i in range(25)]:
        fail(office, name, 1)
    fail(office, "analyst", 5)
    assert signed_in(sign_in(Client(), "viewer", PASSWORD))


def test_four_wrong_passwords_do_not_block_and_a_right_one_starts_again(people):
    client = Client()
    fail(client, "analyst", 4)
    assert signed_in(sign_in(client, "analyst", PASSWORD))
    client.post(reverse("kpiboard:logout"))
    fail(client, "analyst", 4)
    assert signed_in(sign_in(client, "analyst", PASSWORD))


def wait_after_waiting_out(client, username) -> int:
    """Let the current wait pass, fail once more, and return the new wait in seconds."""
    row = SignInThrottle.objects.get(username=username)
    row.blocked_until = timezone.now() - timedelta(seconds=1)
    row.save()
    fail(client, username, 1)
    return int(sign_in(client, username, PASSWORD)["Retry-After"])


def test_each_failure_after_the_tries_doubles_the_wait_up_to_the_cap(people, settings):
    settings.LOGIN_MAX_WAIT_SECONDS = 200
    client = Client()
    fail(client, "analyst", 5)
    assert 25 <= int(sign_in(client, "analyst", PASSWORD)["Retry-After"]) <= 30
    assert 55 <= wait_after_waiting_out(client, "analyst") <= 60
    assert 115 <= wait_after_waiting_out(client, "analyst") <= 120
    assert 195 <= wait_after_waiting_out(client, "analyst") <= 200
    assert 195 <= wait_after_waiting_out(client, "analyst") <= 200
    # Once the wait is over, the right password still gets in: no hard lock-out.
    SignInThrottle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert signed_in(sign_in(client, "analyst", PASSWORD))


def test_failures_are_forgotten_after_a_quiet_window(people):
    client = Client()
    fail(client, "analyst", 5)
    old = timezone.now() - timedelta(seconds=1000)
    SignInThrottle.objects.update(last_failure=old, blocked_until=old)
    fail(client, "analyst", 4)
    assert signed_in(sign_in(client, "analyst", PASSWORD))


def test_the_number_of_tries_follows_the_setting(people, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    fail(client, "viewer", 2)
    assert sign_in(client, "viewer", PASSWORD).status_code == 429


def test_behind_a_proxy_the_client_address_counts_and_a_forged_hop_is_ignored(people, settings):
    settings.BEHIND_PROXY = True
    proxy = Client(REMOTE_ADDR="10.0.0.1")  # every request arrives from the proxy
    fail(proxy, "viewer", 5)  # without a forwarded address: the proxy's own
    guesser = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for _ in range(5):
        sign_in(proxy, "analyst", WRONG, **guesser)
    assert sign_in(proxy, "analyst", PASSWORD, **guesser).status_code == 429
    # The same person from another client behind the proxy, even one forging the guesser's
    # address as the first hop, is not held up.
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.7, 198.51.100.20"}
    assert signed_in(sign_in(Client(REMOTE_ADDR="10.0.0.1"), "analyst", PASSWORD, **forged))


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_are_counted_before_any_password_is_checked(monkeypatch):
    """16 wrong passwords at once against 5 tries: at most 5 passwords are checked."""
    create_person("viewer", Role.VIEWER, password=PASSWORD)
    checked = []
    everyone_checking = threading.Event()
    real_authenticate = auth.authenticate

    def slow_authenticate(*args, **kwargs):
        checked.append(1)
        if len(checked) >= 16:
            everyone_checking.set()
        everyone_checking.wait(1.5)  # hold every check open so that all 16 overlap
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(auth, "authenticate", slow_authenticate)
    start = threading.Barrier(16)
    outcome: list[object] = []

    def attempt() -> None:
        try:
            start.wait(5)
            outcome.append(sign_in(Client(), "viewer", WRONG).status_code)
        except OperationalError as exc:  # SQLite's shared in-memory test database: "locked"
            outcome.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcome) == 16
    assert 1 <= len(checked) <= 5
    assert outcome.count(400) <= len(checked)
    if connection.vendor == "postgresql":  # waits for the row lock instead of failing
        assert len(checked) == 5 and outcome.count(429) == 11


def test_throttle_reserve_counts_then_refuses(db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    assert [throttle.reserve("192.0.2.1", "someone") for _ in range(3)] == [0, 0, 0]
    assert 25 <= throttle.reserve("192.0.2.1", "someone") <= 30
    assert throttle.reserve("192.0.2.2", "someone") == 0
    assert throttle.reserve("192.0.2.1", "someone-else") == 0


# The proxy warning.


def test_forwarded_requests_without_the_proxy_setting_warn_once(db, settings, caplog):
    settings.BEHIND_PROXY = False
    client = Client(REMOTE_ADDR="10.0.0.1")
    with caplog.at_level(logging.WARNING, logger="kpiboard.web"):
        client.get(reverse("kpiboard:login"))
        assert not caplog.records
        client.get(reverse("kpiboard:login"), HTTP_X_FORWARDED_FOR="203.0.113.7")
        client.get(reverse("kpiboard:login"), HTTP_X_FORWARDED_FOR="203.0.113.8")
    (record,) = caplog.records
    assert "KPIBOARD_BEHIND_PROXY is off" in record.getMessage()
    assert "10.0.0.1" in record.getMessage()


def test_no_proxy_warning_when_the_setting_is_on(db, settings, caplog):
    settings.BEHIND_PROXY = True
    with caplog.at_level(logging.WARNING, logger="kpiboard.web"):
        Client().get(reverse("kpiboard:login"), HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert not caplog.records


# Usernames.


def test_usernames_are_kept_normalised_and_signed_in_with_any_spelling(db):
    user, _ = create_person("  Jane.Smith ", Role.VIEWER, password=PASSWORD)
    assert user.username == "jane.smith"
    for spelling in ("JANE.SMITH", "Ｊａｎｅ.Ｓｍｉｔｈ", "jane.smith"):
        client = Client()
        assert signed_in(sign_in(client, spelling, PASSWORD)), spelling


@pytest.mark.parametrize("look_alike", ["ＡＤＭＩＮ", "Admin", "ADMIN", "admin "])
def test_a_name_that_normalises_to_an_existing_one_is_refused(db, look_alike):
    create_person("admin", Role.ADMINISTRATOR, password=PASSWORD)
    with pytest.raises(UsernameRefused, match="already a person called 'admin'"):
        create_person(look_alike, Role.VIEWER, password=PASSWORD)
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize(
    ("name", "hidden"),
    [("ad\u200bmin", "ZERO WIDTH SPACE"), ("\u202eadmin", "RIGHT-TO-LEFT OVERRIDE"),
     ("ad\u00admin", "SOFT HYPHEN"), ("ad\x07min", "U+0007")],
)  # fmt: skip
def test_invisible_characters_in_a_new_username_are_refused(db, name, hidden):
    with pytest.raises(UsernameRefused, match=re.escape(f"invisible characters ({hidden})")):
        create_person(name, Role.VIEWER, password=PASSWORD)
    assert not get_user_model().objects.exists()


def test_addperson_refuses_a_look_alike_in_one_line(db):
    create_person("admin", Role.ADMINISTRATOR, password=PASSWORD)
    with pytest.raises(CommandError, match=r"^there is already a person called 'admin'$"):
        call_command("addperson", "ＡＤＭＩＮ", "--role", "viewer")
    with pytest.raises(CommandError, match="invisible characters"):
        call_command("addperson", "ad\u200bmin2", "--role", "viewer")


@override_settings(LOGIN_MAX_FAILURES=5)
def test_a_very_long_username_is_counted_without_error(people):
    assert sign_in(Client(), "x" * 5000, WRONG).status_code == 400
