"""Deactivating and reactivating a person (/people/<id>/deactivate/ and /reactivate/): a page to
confirm, then the change, recorded with who made it. Nobody is deleted. An administrator cannot
deactivate themselves, and the last active administrator stays."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kpiboard.web.models import SecurityEvent, SecurityEventKind

from .conftest import PASSWORD


def deactivate(user) -> str:
    return reverse("kpiboard:person_deactivate", args=[user.pk])


def reactivate(user) -> str:
    return reverse("kpiboard:person_reactivate", args=[user.pk])


def is_active(user) -> bool:
    return get_user_model().objects.get(pk=user.pk).is_active


def test_deactivate_asks_to_confirm_first(demo_site, client_for):
    response = client_for("admin").get(deactivate(demo_site["viewer"]))
    assert response.status_code == 200
    assert "Deactivate Marek Nowak?" in response.content.decode()
    assert is_active(demo_site["viewer"])


def test_deactivate_then_reactivate(demo_site, client_for):
    admin, viewer = client_for("admin"), demo_site["viewer"]
    response = admin.post(deactivate(viewer))
    assert response.status_code == 302 and response["Location"] == reverse("kpiboard:people")
    assert not is_active(viewer)
    assert get_user_model().objects.filter(pk=viewer.pk).exists()  # never deleted
    people = admin.get(reverse("kpiboard:people")).content.decode()
    assert "Marek Nowak was deactivated" in people
    refused = Client().post(reverse("kpiboard:login"), {"username": "viewer", "password": PASSWORD})
    assert refused.status_code == 400

    assert (
        "Reactivate Marek Nowak"
        in admin.get(reverse("kpiboard:person_edit", args=[viewer.pk])).content.decode()
    )
    assert admin.post(reactivate(viewer)).status_code == 302
    assert is_active(viewer)
    kinds = SecurityEvent.objects.filter(user=viewer, actor=demo_site["admin"]).order_by("pk")
    assert list(kinds.values_list("kind", flat=True)) == [
        SecurityEventKind.DEACTIVATED, SecurityEventKind.REACTIVATED,
    ]  # fmt: skip
    ok = Client().post(reverse("kpiboard:login"), {"username": "viewer", "password": PASSWORD})
    assert ok.status_code == 302


def test_an_administrator_cannot_deactivate_themselves(demo_site, client_for):
    admin = demo_site["admin"]
    client = client_for("admin")
    response = client.post(deactivate(admin))
    assert response["Location"] == reverse("kpiboard:person_edit", args=[admin.pk])
    assert is_active(admin)
    page = client.get(response["Location"]).content.decode()
    assert "You cannot deactivate yourself: ask another administrator" in page


def test_the_only_administrator_left_cannot_deactivate_themselves(demo_site, client_for):
    from kpiboard.web.accounts import create_person, set_active

    second, _ = create_person("second", "administrator", first_name="Sam", last_name="Reid")
    set_active(demo_site["admin"], False, by=second)  # allowed: Sam is still an administrator
    client = Client()
    client.force_login(second)
    response = client.post(deactivate(second))
    assert is_active(second)
    page = client.get(response["Location"]).content.decode()
    assert "cannot deactivate yourself" in page


def test_reactivating_someone_active_changes_nothing(demo_site, client_for):
    client = client_for("admin")
    response = client.post(reactivate(demo_site["viewer"]))
    assert response.status_code == 302
    assert "Marek Nowak is already active" in client.get(response["Location"]).content.decode()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.REACTIVATED).exists()
