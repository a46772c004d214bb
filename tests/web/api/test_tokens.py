"""Personal API tokens: shown once and stored hashed, with a scope and an expiry; revoked,
expired, unknown and deactivated people's tokens get 401; a token is rate limited; making,
revoking and using one (first use each day) are in the security audit trail; and the command
line makes and revokes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.utils import timezone

from kpiboard.cli import main as cli
from kpiboard.web.api_tokens import TokenError, create_token, digest, revoke_token
from kpiboard.web.models import ApiToken, SecurityEvent, SecurityEventKind

from .conftest import ApiClient

SECTIONS = "/api/v1/sections"


def events(kind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind))


def test_a_token_is_stored_only_as_its_hash(demo_site):
    made = create_token(demo_site["viewer"], scope="read", days=30, name="Power BI")
    row = ApiToken.objects.get()
    assert made.secret.startswith("kpb_") and len(made.secret) > 40
    assert row.digest == digest(made.secret) and made.secret not in row.digest
    assert row.prefix == made.secret[:12]
    assert timedelta(days=29) < row.expires - timezone.now() <= timedelta(days=30)


def test_making_a_token_is_audited_without_its_secret(demo_site):
    made = create_token(demo_site["viewer"], scope="read", actor=demo_site["admin"])
    (event,) = events(SecurityEventKind.TOKEN_CREATED)
    assert (event.user, event.actor) == (demo_site["viewer"], demo_site["admin"])
    assert made.token.prefix in event.detail and made.secret not in event.detail


@pytest.mark.parametrize(("scope", "days"), [("admin", 30), ("read", 0), ("read", 367)])
def test_a_bad_scope_or_lifetime_is_refused(demo_site, scope, days):
    with pytest.raises(TokenError):
        create_token(demo_site["viewer"], scope=scope, days=days)


def test_no_token_or_a_wrong_one_is_a_401_in_json(client, demo_site):
    response = client.get(SECTIONS)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"
    assert ApiClient("kpb_" + "x" * 43).get(SECTIONS).status_code == 401


def test_a_session_is_not_accepted_for_the_api(client_for):
    assert client_for("admin").get(SECTIONS).status_code == 401


def test_a_revoked_token_stops_working_and_its_revocation_is_audited(api_for, demo_site):
    api = api_for("viewer")
    assert api.get(SECTIONS).status_code == 200
    assert revoke_token(api.token, actor=demo_site["admin"])
    assert api.get(SECTIONS).status_code == 401
    (event,) = events(SecurityEventKind.TOKEN_REVOKED)
    assert event.actor == demo_site["admin"]
    assert not revoke_token(api.token)  # once only


def test_an_expired_token_stops_working(api_for):
    api = api_for("viewer")
    ApiToken.objects.filter(pk=api.token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert api.get(SECTIONS).status_code == 401


def test_a_deactivated_persons_token_stops_working(api_for, demo_site):
    api = api_for("viewer")
    type(demo_site["viewer"]).objects.filter(pk=demo_site["viewer"].pk).update(is_active=False)
    assert api.get(SECTIONS).status_code == 401


def test_the_first_use_each_day_is_audited_once(api_for):
    api = api_for("viewer")
    api.get(SECTIONS)
    api.get(SECTIONS)
    assert len(events(SecurityEventKind.TOKEN_USED)) == 1
    yesterday = timezone.localdate() - timedelta(days=1)
    ApiToken.objects.filter(pk=api.token.pk).update(last_used=yesterday)
    api.get(SECTIONS)
    assert len(events(SecurityEventKind.TOKEN_USED)) == 2


def test_a_token_past_its_allowance_this_minute_gets_429(api_for, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    api = api_for("viewer")
    minute = timezone.now().replace(second=0, microsecond=0)
    ApiToken.objects.filter(pk=api.token.pk).update(window_start=minute, window_count=2)
    assert api.get(SECTIONS).status_code == 200
    refused = api.get(SECTIONS)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    # another token of the same person has its own allowance
    assert api_for("viewer").get(SECTIONS).status_code == 200


def test_the_allowance_starts_again_each_minute(api_for, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    api = api_for("viewer")
    earlier = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    ApiToken.objects.filter(pk=api.token.pk).update(window_start=earlier, window_count=3)
    assert api.get(SECTIONS).status_code == 200


def test_the_cli_prints_the_token_alone_and_it_works(demo_site):
    result = CliRunner().invoke(
        cli, ["token", "create", "analyst", "--scope", "write", "--days", "7"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert result.stdout == secret + "\n"
    token = ApiToken.objects.get(digest=digest(secret))
    assert (token.user, token.scope, token.created_by) == (demo_site["analyst"], "write", None)
    assert ApiClient(secret).get(SECTIONS).status_code == 200


def test_the_cli_refuses_an_unknown_person_and_a_bad_scope(demo_site):
    nobody = CliRunner().invoke(cli, ["token", "create", "nobody", "--scope", "read"])
    assert nobody.exit_code == 1 and "nobody" in nobody.stderr
    bad = CliRunner().invoke(cli, ["token", "create", "analyst", "--scope", "all"])
    assert bad.exit_code == 2


def test_the_cli_revokes_by_prefix_or_whole_token(demo_site):
    first = create_token(demo_site["analyst"], scope="read")
    second = create_token(demo_site["analyst"], scope="read")
    by_prefix = CliRunner().invoke(cli, ["token", "revoke", first.token.prefix])
    assert by_prefix.exit_code == 0, by_prefix.output
    whole = CliRunner().invoke(cli, ["token", "revoke", second.secret])
    assert whole.exit_code == 0
    assert ApiToken.objects.filter(revoked__isnull=True).count() == 0
    assert ApiClient(second.secret).get(SECTIONS).status_code == 401
    unknown = CliRunner().invoke(cli, ["token", "revoke", "kpb_nothing"])
    assert unknown.exit_code == 1


def test_a_token_write_needs_no_csrf_token(demo_site):
    from django.test import Client

    made = create_token(demo_site["owner"], scope="write")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/commentary",
        {"items": [{"indicator": "ASC01", "period": "2013-10", "text": "From a script."}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {made.secret}"},
    )
    assert response.status_code == 200, response.content
