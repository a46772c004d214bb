"""The API tokens page: people make and revoke their own tokens, see the secret once, and an
administrator sees, makes and revokes anyone's."""

from __future__ import annotations

import re

from django.urls import reverse

from kpiboard.web.api_tokens import create_token, digest
from kpiboard.web.models import ApiToken, SecurityEvent, SecurityEventKind

PAGE = reverse("kpiboard:api_tokens")
MAKE = {"name": "Power BI", "scope": "read", "days": "30"}


def secret_on(response) -> str:
    found = re.search(r'id="new-token">(kpb_[A-Za-z0-9_-]+)<', response.content.decode())
    assert found, "the new token is shown"
    return found.group(1)


def test_a_person_makes_a_token_and_sees_it_once(client_for, demo_site):
    client = client_for("viewer")
    response = client.post(PAGE, MAKE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = secret_on(response)
    token = ApiToken.objects.get(digest=digest(secret))
    assert (token.user, token.created_by, token.name) == (
        demo_site["viewer"], demo_site["viewer"], "Power BI",
    )  # fmt: skip
    again = client.get(PAGE).content.decode()
    assert secret not in again and token.prefix in again


def test_an_incomplete_form_names_each_field(client_for):
    response = client_for("viewer").post(PAGE, {"name": "", "days": "9999"})
    assert response.status_code == 400
    page = response.content.decode()
    for text in ("Enter what the token is for", "Select what the token may do",
                 "Days must be between 1 and 366"):  # fmt: skip
        assert text in page
    assert not ApiToken.objects.exists()


def test_a_person_sees_only_their_own_tokens(client_for, demo_site):
    create_token(demo_site["analyst"], scope="read", name="Analyst's script")
    assert "Analyst&#x27;s script" not in client_for("viewer").get(PAGE).content.decode()
    assert "Analyst&#x27;s script" in client_for("admin").get(PAGE).content.decode()


def test_an_administrator_makes_a_token_for_someone_else(client_for, demo_site):
    response = client_for("admin").post(PAGE, {**MAKE, "person": demo_site["owner"].pk})
    token = ApiToken.objects.get(digest=digest(secret_on(response)))
    assert (token.user, token.created_by) == (demo_site["owner"], demo_site["admin"])


def test_a_non_administrator_cannot_make_one_for_someone_else(client_for, demo_site):
    client_for("viewer").post(PAGE, {**MAKE, "person": demo_site["owner"].pk})
    assert ApiToken.objects.get().user == demo_site["viewer"]


def test_the_owner_revokes_their_token_and_it_is_audited(client_for, demo_site):
    token = create_token(demo_site["viewer"], scope="read").token
    client = client_for("viewer")
    response = client.post(reverse("kpiboard:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED)
    assert event.actor == demo_site["viewer"]


def test_someone_elses_token_cannot_be_revoked_except_by_an_administrator(client_for, demo_site):
    token = create_token(demo_site["analyst"], scope="write").token
    path = reverse("kpiboard:api_token_revoke", args=[token.pk])
    assert client_for("viewer").post(path).status_code == 403
    token.refresh_from_db()
    assert token.revoked is None
    assert client_for("admin").post(path).status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None


def test_the_security_events_page_lists_token_events(client_for, demo_site):
    create_token(demo_site["viewer"], scope="read", name="Report feed")
    page = client_for("admin").get(reverse("kpiboard:security_events")).content.decode()
    assert "API token created" in page
