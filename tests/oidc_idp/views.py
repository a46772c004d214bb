"""The provider's claims, and two seeding endpoints the tests call to add accounts and redirect
addresses (each needs the token the test process generated, so nothing else can use them)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oidc_provider.models import Client

#: An account whose last name is this has an email address the provider has not confirmed.
UNVERIFIED = "unverified"


def userinfo(claims: dict, user) -> dict:
    """The claims an account carries: email, and whether the provider confirmed it."""
    claims["email"] = user.email
    claims["email_verified"] = user.last_name != UNVERIFIED
    claims["name"] = user.get_username()
    return claims


def _seeded(view):
    @csrf_exempt
    @require_POST
    def guarded(request):
        if request.headers.get("X-Seed-Token") != settings.SEED_TOKEN:
            return HttpResponseForbidden("wrong seed token")
        return view(request, json.loads(request.body))

    return guarded


@_seeded
def add_person(request, body: dict):
    """An account that signs in to the provider with ``username`` and ``password``."""
    user, _ = get_user_model().objects.update_or_create(
        username=body["username"],
        defaults={
            "email": body.get("email", ""),
            "last_name": "" if body.get("email_verified", True) else UNVERIFIED,
        },
    )
    user.set_password(body["password"])
    user.save()
    return JsonResponse({"username": user.username})


@_seeded
def add_redirect_uri(request, body: dict):
    """Let the kpiboard client return to ``uri`` (a test server's callback address)."""
    client = Client.objects.get(client_id=body["client_id"])
    if body["uri"] not in client.redirect_uris:
        client.redirect_uris = [*client.redirect_uris, body["uri"]]
        client.save()
    return JsonResponse({"redirect_uris": client.redirect_uris})
