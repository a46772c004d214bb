"""``{% sso_sign_in next %}``: the "Sign in with ..." button on the sign-in page, when single
sign-on is set up (its own tag so the sign-in page needs only one line for it)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from .. import sso

register = template.Library()


@register.inclusion_tag("kpiboard/includes/sso_sign_in.html")
def sso_sign_in(next_url: str = "") -> dict:
    if not sso.enabled():
        return {"provider_name": ""}
    start = reverse("kpiboard:sso_start")
    return {
        "provider_name": sso.provider_name(),
        "start_url": f"{start}?{urlencode({'next': next_url})}" if next_url else start,
        "local_passwords": settings.LOCAL_PASSWORDS,
    }
