"""Single sign-on settings from the environment: all three variables or none, https in
production, and never a site nobody can sign in to. Each configuration is loaded in a fresh
process, as tests/web/test_settings.py does, with exactly the environment under test."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .test_settings import PRODUCTION

SCRIPT = """
import dataclasses, json
from django.core.exceptions import ImproperlyConfigured
try:
    import kpiboard.web.settings as s
except ImproperlyConfigured as exc:
    print(json.dumps({"error": str(exc)}))
else:
    sso = dataclasses.asdict(s.SSO) if s.SSO else None
    print(json.dumps({"SSO": sso, "LOCAL_PASSWORDS": s.LOCAL_PASSWORDS,
                      "AUTHENTICATION_BACKENDS": s.AUTHENTICATION_BACKENDS}))
"""
ISSUER = "https://login.microsoftonline.com/0f4c1d2e-aaaa-bbbb-cccc-123456789abc/v2.0"
SSO = {
    "KPIBOARD_OIDC_ISSUER": ISSUER,
    "KPIBOARD_OIDC_CLIENT_ID": "6a1b2c3d-client",
    "KPIBOARD_OIDC_CLIENT_SECRET": "a-client-secret-from-the-provider",
}
MODEL = "django.contrib.auth.backends.ModelBackend"
OIDC = "kpiboard.web.sso.SsoBackend"


def load(tmp_path, **environ: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KPIBOARD_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(KPIBOARD_DATA_DIR=str(tmp_path), **environ)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refusal(tmp_path, **environ: str) -> str:
    result = load(tmp_path, **environ)
    assert "error" in result, f"settings loaded, but should have refused: {result}"
    assert "\n" not in result["error"]  # one clear line
    return result["error"]


def test_sso_is_off_without_its_variables(tmp_path):
    result = load(tmp_path, **PRODUCTION)
    assert result == {"SSO": None, "LOCAL_PASSWORDS": True, "AUTHENTICATION_BACKENDS": [MODEL]}


def test_sso_with_all_three_variables_is_on_beside_passwords(tmp_path):
    result = load(tmp_path, **PRODUCTION, **SSO, KPIBOARD_OIDC_PROVIDER_NAME="Microsoft")
    assert result["SSO"] == {
        "issuer": ISSUER,
        "client_id": "6a1b2c3d-client",
        "client_secret": "a-client-secret-from-the-provider",
        "provider_name": "Microsoft",
        "require_verified_email": True,
        "https_only": True,
    }
    assert result["AUTHENTICATION_BACKENDS"] == [MODEL, OIDC]


def test_sso_provider_name_defaults_to_single_sign_on(tmp_path):
    assert load(tmp_path, **SSO)["SSO"]["provider_name"] == "single sign-on"


def test_sso_issuer_trailing_slash_is_dropped(tmp_path):
    result = load(tmp_path, **{**SSO, "KPIBOARD_OIDC_ISSUER": "https://accounts.google.com/"})
    assert result["SSO"]["issuer"] == "https://accounts.google.com"


def test_sso_half_configured_is_refused_naming_what_is_missing(tmp_path):
    error = refusal(tmp_path, **PRODUCTION, KPIBOARD_OIDC_ISSUER=ISSUER)
    assert error.startswith("Single sign-on is half set up: KPIBOARD_OIDC_CLIENT_ID and ")
    assert "KPIBOARD_OIDC_CLIENT_SECRET must be set too" in error
    assert "or unset KPIBOARD_OIDC_ISSUER to turn it off" in error


def test_sso_half_configured_is_refused_in_development_too(tmp_path):
    partial = {k: v for k, v in SSO.items() if k != "KPIBOARD_OIDC_CLIENT_SECRET"}
    assert "KPIBOARD_OIDC_CLIENT_SECRET must be set too" in refusal(tmp_path, **partial)


def test_sso_http_issuer_is_refused_in_production(tmp_path):
    http = {**SSO, "KPIBOARD_OIDC_ISSUER": "http://keycloak.internal/realms/council"}
    error = refusal(tmp_path, **PRODUCTION, **http)
    assert error == (
        "KPIBOARD_OIDC_ISSUER must be an https address in production, "
        "not 'http://keycloak.internal/realms/council'"
    )


def test_sso_http_issuer_is_allowed_in_development(tmp_path):
    http = {**SSO, "KPIBOARD_OIDC_ISSUER": "http://127.0.0.1:8080/realms/test"}
    assert load(tmp_path, **http)["SSO"]["https_only"] is False


def test_sso_issuer_that_is_not_an_address_is_refused(tmp_path):
    error = refusal(tmp_path, **{**SSO, "KPIBOARD_OIDC_ISSUER": "login.microsoftonline.com"})
    assert error.startswith("KPIBOARD_OIDC_ISSUER must be the provider's https address")


def test_passwords_off_without_sso_is_refused(tmp_path):
    error = refusal(tmp_path, **PRODUCTION, KPIBOARD_LOCAL_PASSWORDS="false")
    assert error.startswith("KPIBOARD_LOCAL_PASSWORDS is off but single sign-on is not set up")


def test_passwords_off_with_sso_leaves_only_sso(tmp_path):
    result = load(tmp_path, **PRODUCTION, **SSO, KPIBOARD_LOCAL_PASSWORDS="off")
    assert result["LOCAL_PASSWORDS"] is False
    assert result["AUTHENTICATION_BACKENDS"] == [OIDC]


def test_sso_unconfirmed_email_may_be_allowed_for_entra_id(tmp_path):
    result = load(tmp_path, **SSO, KPIBOARD_OIDC_REQUIRE_VERIFIED_EMAIL="false")
    assert result["SSO"]["require_verified_email"] is False


def test_sso_verified_email_setting_must_be_true_or_false(tmp_path):
    error = refusal(tmp_path, **SSO, KPIBOARD_OIDC_REQUIRE_VERIFIED_EMAIL="maybe")
    assert error == "KPIBOARD_OIDC_REQUIRE_VERIFIED_EMAIL must be true or false, not 'maybe'"
