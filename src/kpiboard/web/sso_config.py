"""Single sign-on settings from the environment (read by settings.py; see docs/web.md).

Kept apart from :mod:`.sso`, which needs Django and mozilla-django-oidc loaded, because the
settings module reads these before Django is set up. Half a configuration stops start-up with one
line naming what is missing: a site that seems to offer single sign-on but cannot is worse than
one that plainly does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_str

#: The three variables single sign-on needs; set all of them or none.
REQUIRED = ("KPIBOARD_OIDC_ISSUER", "KPIBOARD_OIDC_CLIENT_ID", "KPIBOARD_OIDC_CLIENT_SECRET")


@dataclass(frozen=True)
class SsoSettings:
    """How kpiboard reaches the identity provider. ``https_only`` (production) refuses an issuer
    or a discovered endpoint that is not https."""

    issuer: str
    client_id: str
    client_secret: str
    provider_name: str = "single sign-on"
    require_verified_email: bool = True
    https_only: bool = True


def from_environment(production: bool) -> SsoSettings | None:
    """The single sign-on settings, or None when none of :data:`REQUIRED` is set."""
    values = {name: env_str(name, "").strip() for name in REQUIRED}
    missing = [name for name, value in values.items() if not value]
    if len(missing) == len(REQUIRED):
        return None
    if missing:
        raise ImproperlyConfigured(
            f"Single sign-on is half set up: {' and '.join(missing)} must be set too "
            f"(or unset {', '.join(n for n in REQUIRED if n not in missing)} to turn it off)"
        )
    issuer = values["KPIBOARD_OIDC_ISSUER"].rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ImproperlyConfigured(
            f"KPIBOARD_OIDC_ISSUER must be the provider's https address, not {issuer!r}"
        )
    if production and parts.scheme != "https":
        raise ImproperlyConfigured(
            f"KPIBOARD_OIDC_ISSUER must be an https address in production, not {issuer!r}"
        )
    return SsoSettings(
        issuer=issuer,
        client_id=values["KPIBOARD_OIDC_CLIENT_ID"],
        client_secret=values["KPIBOARD_OIDC_CLIENT_SECRET"],
        provider_name=env_str("KPIBOARD_OIDC_PROVIDER_NAME", "").strip() or "single sign-on",
        require_verified_email=env_bool("KPIBOARD_OIDC_REQUIRE_VERIFIED_EMAIL", True),
        https_only=production,
    )
