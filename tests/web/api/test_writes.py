"""Bulk writes of figures and commentary: the web forms' rules (roles, locks, reasons,
revisions), all or nothing, errors naming item and field, the token kept on each revision, and
an Idempotency-Key making a retry safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kpiboard.web.models import (
    ApiIdempotency,
    CommentaryText,
    Figure,
    SecurityEvent,
    SecurityEventKind,
    Site,
)
from kpiboard.web.signoff import set_signoff

FIGURES = "/api/v1/figures"
COMMENTARY = "/api/v1/commentary"


def item(indicator="ASC01", period="2013-10", value=75.0, **more) -> dict:
    return {"indicator": indicator, "period": period, "value": value, **more}


def current(code="ASC01", period="2013-10", series="actual") -> Figure | None:
    return Figure.objects.filter(
        indicator__code=code, period=period, series=series, is_current=True
    ).first()


def approve(people, period="2013-09"):
    set_signoff(people["owner"], "asc", period, "submitted")
    set_signoff(people["approver"], "asc", period, "approved")


def test_an_owner_writes_figures_and_each_revision_names_the_token(api_for, demo_site):
    api = api_for("owner", "write")
    response = api.post(FIGURES, {"items": [item(), item(series="clients", value=11900)]})
    assert response.status_code == 200, response.content
    assert response.json()["changed"] == 2
    figure = current()
    assert (figure.value, figure.author, figure.api_token) == (75.0, demo_site["owner"], api.token)
    assert current(series="clients").api_token == api.token


def test_a_write_is_audited_with_its_token(api_for):
    api = api_for("owner", "write")
    api.post(FIGURES, {"items": [item()]})
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_WRITE)
    assert api.token.prefix in event.detail and event.username == "owner"


def test_the_same_value_again_changes_nothing_and_adds_no_revision(api_for):
    api = api_for("owner", "write")
    api.post(FIGURES, {"items": [item()]})
    again = api.post(FIGURES, {"items": [item()]}).json()
    assert again["changed"] == 0 and current().revision == 1


def test_a_read_token_may_not_write(api_for):
    response = api_for("analyst", "read").post(FIGURES, {"items": [item()]})
    assert response.status_code == 403
    assert current() is None


@pytest.mark.parametrize("person", ["viewer", "approver", "section_owner"])
def test_people_who_may_not_enter_an_indicator_are_refused(api_for, person):
    response = api_for(person, "write").post(FIGURES, {"items": [item()]})
    assert response.status_code == 403
    assert response.json()["errors"][0]["item"] == 0
    assert current() is None


def test_one_bad_item_writes_nothing_and_names_the_item_and_field(api_for):
    api = api_for("analyst", "write")
    version = Site.get().version
    response = api.post(
        FIGURES,
        {"items": [item(), item(period="2013-11", value=1e308), item(period="2013-99")]},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["item"], e["field"]) for e in errors] == [(1, "value"), (2, "period")]
    assert current() is None and Site.get().version == version


def test_a_body_the_schema_refuses_names_the_item_and_field(api_for):
    response = api_for("analyst", "write").post(FIGURES, {"items": [item(), item(value="lots")]})
    assert response.status_code == 400
    assert response.json()["errors"][0] | {"message": ""} == {
        "item": 1, "field": "value", "message": "",
    }  # fmt: skip


def test_a_nul_in_json_text_is_refused_before_the_database(api_for):
    response = api_for("analyst", "write").post(COMMENTARY, {"items": [
        {"indicator": "ASC01", "period": "2013-10", "text": "bad\x00byte"}
    ]})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "text"


def test_a_locked_period_is_refused_for_an_owner(api_for, demo_site):
    approve(demo_site)
    response = api_for("owner", "write").post(FIGURES, {"items": [item(period="2013-09")]})
    assert response.status_code == 409
    assert "approved" in response.json()["errors"][0]["message"]
    assert current(period="2013-09").api_token is None


def test_an_analyst_changes_an_approved_period_only_with_a_reason(api_for, demo_site):
    approve(demo_site)
    api = api_for("analyst", "write")
    refused = api.post(FIGURES, {"items": [item(period="2013-09", value=70)]})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "reason"
    done = api.post(
        FIGURES, {"items": [item(period="2013-09", value=70)], "reason": "Recount from source"}
    )
    assert done.status_code == 200
    figure = current(period="2013-09")
    assert (figure.value, figure.reason) == (70.0, "Recount from source")


def test_a_stale_base_revision_is_a_conflict(api_for):
    api = api_for("analyst", "write")
    api.post(FIGURES, {"items": [item()]})
    response = api.post(FIGURES, {"items": [item(value=80, base_revision=0)]})
    assert response.status_code == 409 and current().value == 75.0


def test_commentary_is_written_and_revised(api_for, demo_site):
    api = api_for("owner", "write")
    body = {"items": [{"indicator": "ASC01", "period": "2013-10", "text": "Up in October."}]}
    assert api.post(COMMENTARY, body).status_code == 200
    text = CommentaryText.objects.get(indicator__code="ASC01", period="2013-10", is_current=True)
    assert (text.text, text.author, text.api_token) == (
        "Up in October.",
        demo_site["owner"],
        api.token,
    )


def test_a_retry_with_the_same_key_writes_once_and_answers_the_same(api_for):
    api = api_for("owner", "write")
    key = {"Idempotency-Key": "load-2013-10"}
    first = api.post(FIGURES, {"items": [item()]}, headers=key)
    revisions = Figure.objects.count()
    second = api.post(FIGURES, {"items": [item()]}, headers=key)
    assert second.status_code == 200 and second.json() == first.json()
    assert Figure.objects.count() == revisions


def test_a_key_used_again_with_another_body_is_refused(api_for):
    api = api_for("owner", "write")
    key = {"Idempotency-Key": "load-2013-10"}
    api.post(FIGURES, {"items": [item()]}, headers=key)
    response = api.post(FIGURES, {"items": [item(value=76)]}, headers=key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert current().value == 75.0


def test_a_refused_write_keeps_no_key_so_a_corrected_retry_works(api_for):
    api = api_for("owner", "write")
    key = {"Idempotency-Key": "k1"}
    assert api.post(FIGURES, {"items": [item(value=1e308)]}, headers=key).status_code == 400
    assert not ApiIdempotency.objects.exists()
    assert api.post(FIGURES, {"items": [item()]}, headers=key).status_code == 200


def test_keys_older_than_a_week_are_forgotten(api_for):
    api = api_for("owner", "write")
    api.post(FIGURES, {"items": [item()]}, headers={"Idempotency-Key": "old"})
    ApiIdempotency.objects.update(created=timezone.now() - timedelta(days=8))
    api.post(FIGURES, {"items": [item(value=76)]}, headers={"Idempotency-Key": "new"})
    assert list(ApiIdempotency.objects.values_list("key", flat=True)) == ["new"]
