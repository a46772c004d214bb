"""Two-factor authentication: setting up an authenticator app, the code after the password,
recovery codes that work once, throttled wrong codes, who must use it, the single sign-on
exemption, turning it off, an administrator's reset, and the audit trail of all of it."""

from __future__ import annotations

import re
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpiboard.web import two_factor
from kpiboard.web.middleware import CSP
from kpiboard.web.models import SecurityEvent, SecurityEventKind

from .conftest import PASSWORD

Kind = SecurityEventKind
HOME = reverse("kpiboard:home")  # where signing in lands
CODE_PAGE = reverse("kpiboard:two_factor_code")
SET_UP = reverse("kpiboard:two_factor_setup")
RECOVERY = reverse("kpiboard:two_factor_recovery_codes")
TURN_OFF = reverse("kpiboard:two_factor_turn_off")


def app_code(device: TOTPDevice) -> str:
    """The code the app shows now. The device forgets the last code it took first, since a
    device takes each time step's code once and tests may run within one 30-second step."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, drift=0)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    return f"{totp.token():06d}"


def turn_on(user) -> tuple[TOTPDevice, list[str]]:
    """A confirmed app and ten recovery codes, as the set-up page leaves them."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, two_factor.new_recovery_codes(user, audit=False)


def sign_in(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    return client.post(reverse("kpiboard:login"), data | ({"next": next_url} if next_url else {}))


def kinds(user) -> list[str]:
    return list(
        SecurityEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def test_set_up_page_shows_an_inline_qr_code_and_the_secret(client_for, demo_site):
    response = client_for("analyst").get(SET_UP)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<svg role="img"[^>]*class="kpi-qr"', html)
    assert "<title>QR code for your authenticator app</title>" in html
    assert "<img" not in html
    assert response["Content-Security-Policy"] == CSP
    device = TOTPDevice.objects.get(user=demo_site["analyst"])
    assert not device.confirmed
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret == two_factor.secret_text(device)
    # The same secret on a second visit, so that a reload does not break a half-done set-up.
    assert secret in client_for("analyst").get(SET_UP).content.decode()
    assert TOTPDevice.objects.filter(user=demo_site["analyst"]).count() == 1


def test_set_up_counts_only_once_confirmed_with_a_right_code(client_for, demo_site):
    analyst = demo_site["analyst"]
    client = client_for("analyst")
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=analyst)
    wrong = client.post(SET_UP, {"code": "000000" if app_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "The code is not right" in wrong.content.decode()
    assert "recovery code" not in wrong.content.decode()  # there are none yet
    assert not two_factor.has_two_factor(analyst)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    response = client.post(SET_UP, {"code": app_code(device)})
    assert response.status_code == 302 and response["Location"] == RECOVERY
    assert two_factor.has_two_factor(analyst)
    assert kinds(analyst)[-1] == Kind.TWO_FACTOR_SET_UP

    page = client.get(RECOVERY)
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page.content.decode())
    assert len(codes) == 10 == StaticToken.objects.filter(device__user=analyst).count()
    assert page["Cache-Control"].startswith("max-age=0")
    # Shown once: the next visit goes back to the settings page.
    assert client.get(RECOVERY)["Location"] == reverse("kpiboard:two_factor")
    # The session that set it up counts as having entered a code.
    assert client.get(HOME).status_code == 200


def test_set_up_refuses_an_empty_code_naming_the_field(client_for):
    response = client_for("viewer").post(SET_UP, {"code": ""})
    assert response.status_code == 400
    assert '<a href="#code">Enter the code from your authenticator app</a>' in (
        response.content.decode()
    )


def test_sign_in_asks_for_a_code_before_anything_else(demo_site):
    device, _ = turn_on(demo_site["analyst"])
    client = Client()
    response = sign_in(client, "analyst")
    assert response["Location"] == HOME
    assert client.get(HOME)["Location"] == CODE_PAGE
    assert client.get(reverse("kpiboard:changes"))["Location"] == (
        f"{CODE_PAGE}?next=%2Fchanges%2F"
    )
    assert client.get(reverse("kpiboard:two_factor"))["Location"].startswith(CODE_PAGE)
    page = client.get(CODE_PAGE)
    assert page.status_code == 200
    assert 'aria-label="Menu"' not in page.content.decode()

    response = client.post(CODE_PAGE, {"code": app_code(device)})
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert kinds(demo_site["analyst"])[-2:] == [Kind.SIGN_IN, Kind.TWO_FACTOR_VERIFIED]


def test_after_the_code_the_person_reaches_the_page_they_asked_for(demo_site):
    device, _ = turn_on(demo_site["viewer"])
    client = Client()
    sign_in(client, "viewer", next_url="/changes/")
    response = client.get("/changes/")
    response = client.post(response["Location"], {"code": app_code(device), "next": "/changes/"})
    assert response["Location"] == "/changes/"
    # Somewhere else entirely is not followed.
    client = Client()
    sign_in(client, "viewer")
    response = client.post(CODE_PAGE, {"code": app_code(device), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_the_code_step_gives_a_new_session_key(demo_site):
    device, _ = turn_on(demo_site["viewer"])
    client = Client()
    sign_in(client, "viewer")
    before = client.session.session_key
    client.post(CODE_PAGE, {"code": app_code(device)})
    assert client.session.session_key != before


def test_a_recovery_code_signs_in_once(demo_site):
    viewer = demo_site["viewer"]
    _, codes = turn_on(viewer)
    client = Client()
    sign_in(client, "viewer")
    response = client.post(CODE_PAGE, {"code": codes[3].upper().replace("-", " ")})
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    event = SecurityEvent.objects.filter(user=viewer).latest("pk")
    assert (event.kind, event.detail) == (Kind.RECOVERY_CODE_USED, "9 recovery codes left")

    client = Client()
    sign_in(client, "viewer")
    again = client.post(CODE_PAGE, {"code": codes[3]})
    assert again.status_code == 400
    assert "The code is not right" in again.content.decode()
    assert client.get(HOME)["Location"] == CODE_PAGE


def test_wrong_codes_are_throttled_with_a_clear_message(demo_site):
    analyst = demo_site["analyst"]
    device, _ = turn_on(analyst)
    client = Client()
    sign_in(client, "analyst")
    right = app_code(device)
    wrong = "123456" if right != "123456" else "654321"
    first = client.post(CODE_PAGE, {"code": wrong})
    assert first.status_code == 400
    assert "The code is not right" in first.content.decode()
    # Straight after a wrong code even the right one is not tried: the wait has begun.
    second = client.post(CODE_PAGE, {"code": right})
    assert second.status_code == 429
    assert "Too many wrong codes. Wait 1 second, then try again" in second.content.decode()
    assert second["Retry-After"] == "1"
    assert client.get(HOME)["Location"] == CODE_PAGE
    failed = SecurityEvent.objects.filter(user=analyst, kind=Kind.TWO_FACTOR_FAILED)
    assert list(failed.order_by("pk").values_list("detail", flat=True)) == [
        "wrong code",
        "not tried: told to wait 1 second",
    ]
    # Each further wrong code doubles the wait.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=4)
    assert client.post(CODE_PAGE, {"code": right})["Retry-After"] in ("8", "7")


def test_required_role_without_2fa_is_sent_to_set_up_and_nowhere_else(demo_site, settings):
    settings.TWO_FACTOR_REQUIRED = ["administrator"]
    client = Client()
    assert sign_in(client, "admin")["Location"] == HOME
    assert client.get(HOME)["Location"] == SET_UP
    assert client.get(reverse("kpiboard:security_events"))["Location"].startswith(SET_UP)
    page = client.get(SET_UP)
    assert "Your role must use two-factor authentication" in page.content.decode()
    # Others are not asked.
    viewer = Client()
    sign_in(viewer, "viewer")
    assert viewer.get(HOME).status_code == 200
    # Once set up, the administrator is through.
    device = TOTPDevice.objects.get(user=demo_site["admin"])
    client.post(SET_UP, {"code": app_code(device)})
    assert client.get(HOME).status_code == 200


def test_everyone_or_nobody_can_be_required(demo_site, settings):
    settings.TWO_FACTOR_REQUIRED = ["all"]
    assert two_factor.is_required(demo_site["viewer"])
    settings.TWO_FACTOR_REQUIRED = ["none"]
    assert not two_factor.is_required(demo_site["admin"])
    settings.TWO_FACTOR_REQUIRED = ["Analyst", " owner"]
    assert two_factor.required_roles() == {two_factor.Role.ANALYST, two_factor.Role.OWNER}


def test_a_mistyped_requirement_is_refused_naming_the_setting(settings):
    settings.TWO_FACTOR_REQUIRED = ["administrators"]
    with pytest.raises(ImproperlyConfigured, match="KPIBOARD_TWO_FACTOR_REQUIRED has 'administ"):
        two_factor.required_roles()


def test_single_sign_on_sessions_are_not_asked_for_a_code(demo_site, settings):
    settings.TWO_FACTOR_REQUIRED = ["administrator"]
    turn_on(demo_site["analyst"])
    for name in ("analyst", "admin"):  # one with 2FA set up, one required to have it
        client = Client()
        client.force_login(demo_site[name])
        session = client.session
        session[two_factor.SSO_SESSION_KEY] = True
        session.save()
        assert client.get(HOME).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(demo_site):
    viewer = demo_site["viewer"]
    device, old = turn_on(viewer)
    client = Client()
    sign_in(client, "viewer")
    client.post(CODE_PAGE, {"code": app_code(device)})
    response = client.post(RECOVERY)
    assert response["Location"] == RECOVERY
    new = re.findall(r"<code>([a-z2-9-]{11})</code>", client.get(RECOVERY).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert kinds(viewer)[-1] == Kind.RECOVERY_CODES_NEW

    other = Client()
    sign_in(other, "viewer")
    assert other.post(CODE_PAGE, {"code": old[0]}).status_code == 400
    StaticDevice.objects.filter(user=viewer).update(throttling_failure_count=0)
    assert other.post(CODE_PAGE, {"code": new[0]})["Location"] == HOME


def test_turning_off_takes_a_current_code(demo_site):
    viewer = demo_site["viewer"]
    device, _ = turn_on(viewer)
    client = Client()
    sign_in(client, "viewer")
    client.post(CODE_PAGE, {"code": app_code(device)})
    assert client.get(TURN_OFF).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    wrong = client.post(TURN_OFF, {"code": "000000" if app_code(device) != "000000" else "1"})
    assert wrong.status_code == 400
    assert two_factor.has_two_factor(viewer)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(TURN_OFF, {"code": app_code(device)})
    assert response["Location"] == reverse("kpiboard:two_factor")
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    assert not StaticDevice.objects.filter(user=viewer).exists()
    assert kinds(viewer)[-1] == Kind.TWO_FACTOR_OFF
    # Next time the password is enough.
    client = Client()
    sign_in(client, "viewer")
    assert client.get(HOME).status_code == 200


def test_turning_off_is_refused_where_it_is_required(demo_site, settings):
    settings.TWO_FACTOR_REQUIRED = ["administrator"]
    device, _ = turn_on(demo_site["admin"])
    client = Client()
    sign_in(client, "admin")
    client.post(CODE_PAGE, {"code": app_code(device)})
    page = client.get(TURN_OFF)
    assert "You cannot turn off two-factor authentication" in page.content.decode()
    assert client.post(TURN_OFF, {"code": app_code(device)}).status_code == 403
    assert two_factor.has_two_factor(demo_site["admin"])
    assert "Turn off two-factor" not in client.get(reverse("kpiboard:two_factor")).content.decode()


def test_reset_command_removes_the_app_and_codes_and_is_audited(demo_site, capsys, settings):
    settings.TWO_FACTOR_REQUIRED = ["analyst"]
    analyst = demo_site["analyst"]
    turn_on(analyst)
    call_command("resettwofactor", "ANALYST")
    assert "Reset two-factor authentication for analyst. They must set it up again" in (
        capsys.readouterr().out
    )
    assert not two_factor.has_two_factor(analyst)
    assert not StaticToken.objects.filter(device__user=analyst).exists()
    event = SecurityEvent.objects.filter(user=analyst).latest("pk")
    assert (event.kind, event.detail) == (Kind.TWO_FACTOR_RESET, "from the command line")
    client = Client()
    sign_in(client, "analyst")
    assert client.get(HOME)["Location"] == SET_UP
    with pytest.raises(CommandError, match="there is nobody called 'nobody'"):
        call_command("resettwofactor", "nobody")


def test_reset_by_an_administrator_names_them_and_ends_verified_sessions(demo_site):
    viewer = demo_site["viewer"]
    device, _ = turn_on(viewer)
    client = Client()
    sign_in(client, "viewer")
    client.post(CODE_PAGE, {"code": app_code(device)})
    two_factor.reset_two_factor(viewer, demo_site["admin"])
    event = SecurityEvent.objects.filter(user=viewer).latest("pk")
    assert (event.kind, event.detail) == (Kind.TWO_FACTOR_RESET, "by admin")
    # Not required of a viewer: the session goes on without a code; a new app can be set up.
    assert client.get(HOME).status_code == 200
    assert client.get(SET_UP).status_code == 200


def test_signing_out_is_open_while_the_code_is_awaited(demo_site):
    turn_on(demo_site["viewer"])
    client = Client()
    sign_in(client, "viewer")
    assert client.post(reverse("kpiboard:logout"))["Location"] == reverse("kpiboard:login")
    assert "_auth_user_id" not in client.session


def test_the_settings_page_says_whether_it_is_on(client_for, demo_site):
    page = client_for("owner").get(reverse("kpiboard:two_factor")).content.decode()
    assert "Off" in page and "Set up two-factor authentication" in page
    turn_on(demo_site["section_owner"])
    client = Client()
    sign_in(client, "section_owner")
    client.post(
        CODE_PAGE, {"code": app_code(TOTPDevice.objects.get(user=demo_site["section_owner"]))}
    )
    page = client.get(reverse("kpiboard:two_factor")).content.decode()
    assert "On" in page and "Make new recovery codes" in page
    assert re.search(r"Recovery codes left</dt>\s*<dd[^>]*>10<", page)
