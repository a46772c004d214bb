"""Settings from the environment: production refuses unsafe configurations, and typed env reads.

The settings module runs once per process, so each configuration is imported in a fresh Python
process with exactly the environment under test (nothing inherited from the developer's shell).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kpiboard.web import settings as live_settings
from kpiboard.web.env import database_from_url, env_bool, env_int, env_list, env_str

GOOD_KEY = "k" * 20 + "-production-secret-0123456789abcdefghij"  # 59 characters
PRODUCTION = {
    "KPIBOARD_ENV": "production",
    "KPIBOARD_SECRET_KEY": GOOD_KEY,
    "KPIBOARD_ALLOWED_HOSTS": "performance.example.gov.uk",
}
NAMES = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "LOGIN_MAX_FAILURES",
    "SEPARATE_DUTIES",
    "PAGE_CACHE_MB",
    "DATABASES",
    "STORAGES",
    "EMAIL_BACKEND",
    "EMAIL_ENABLED",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "PASSWORD_RESET_EMAILS_PER_HOUR",
]
SCRIPT = f"""
import json, sys
from django.core.exceptions import ImproperlyConfigured
try:
    import kpiboard.web.settings as s
except ImproperlyConfigured as exc:
    print(json.dumps({{"error": str(exc)}}))
    sys.exit(0)
names = {NAMES!r} + ["SECURE_PROXY_SSL_HEADER"]
print(json.dumps({{n: getattr(s, n, None) for n in names}}, default=str))
"""


def load_settings(tmp_path, **environ: str) -> dict:
    """The settings a fresh process gets with only ``environ`` set (plus PATH and the like)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KPIBOARD_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["KPIBOARD_DATA_DIR"] = str(tmp_path)
    env.update(environ)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refusal(tmp_path, **environ: str) -> str:
    result = load_settings(tmp_path, **environ)
    assert "error" in result, f"settings loaded, but should have refused: {result}"
    return result["error"]


# Production refuses to start when it is not safe to.


def test_production_with_good_environment_loads(tmp_path):
    s = load_settings(tmp_path, **PRODUCTION)
    assert "error" not in s
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["performance.example.gov.uk"]


def test_production_refuses_debug_on(tmp_path):
    message = refusal(tmp_path, **PRODUCTION, KPIBOARD_DEBUG="true")
    assert message == "KPIBOARD_DEBUG must be off in production"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("x" * 49, id="short"),
        pytest.param(live_settings._DEV_KEY, id="development-default"),
        pytest.param("a" * 50, id="one-character"),
        pytest.param("abcdefghi" * 8, id="nine-characters"),
    ],
)
def test_production_refuses_missing_short_weak_or_default_secret_key(tmp_path, key):
    environ = dict(PRODUCTION)
    environ.pop("KPIBOARD_SECRET_KEY")
    if key is not None:
        environ["KPIBOARD_SECRET_KEY"] = key
    message = refusal(tmp_path, **environ)
    assert message.startswith(
        "KPIBOARD_SECRET_KEY must be a random string of 50+ characters with at least 10 "
        "different characters in production"
    )


def test_production_accepts_a_50_character_key_of_ten_characters(tmp_path):
    key = "abcdefghij" * 5
    assert "error" not in load_settings(tmp_path, **{**PRODUCTION, "KPIBOARD_SECRET_KEY": key})


@pytest.mark.parametrize("hosts", ["*", "performance.example.gov.uk,*", "*.example.gov.uk"])
def test_production_refuses_a_wildcard_host(tmp_path, hosts):
    message = refusal(tmp_path, **{**PRODUCTION, "KPIBOARD_ALLOWED_HOSTS": hosts})
    assert message == (
        "KPIBOARD_ALLOWED_HOSTS must name the site's hosts in production, not a wildcard (*)"
    )


def test_development_may_allow_every_host(tmp_path):
    s = load_settings(tmp_path, KPIBOARD_ALLOWED_HOSTS="*")
    assert s["ALLOWED_HOSTS"] == ["*"]


def run_quietly_refused(tmp_path, code: str, **environ: str):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KPIBOARD_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(KPIBOARD_DATA_DIR=str(tmp_path), **environ)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("from kpiboard.cli import main; main(['serve'])", id="serve"),
        pytest.param("from kpiboard.cli import main; main(['manage', 'check'])", id="manage"),
        pytest.param("import kpiboard.web.wsgi", id="wsgi"),
    ],
)
def test_a_production_refusal_is_one_line_without_a_traceback(tmp_path, code):
    done = run_quietly_refused(tmp_path, code, **{**PRODUCTION, "KPIBOARD_SECRET_KEY": "a" * 50})
    assert done.returncode == 1
    assert done.stderr.startswith("kpiboard: KPIBOARD_SECRET_KEY must be a random string")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_production_refuses_without_allowed_hosts(tmp_path, hosts):
    environ = dict(PRODUCTION)
    environ.pop("KPIBOARD_ALLOWED_HOSTS")
    if hosts is not None:
        environ["KPIBOARD_ALLOWED_HOSTS"] = hosts
    message = refusal(tmp_path, **environ)
    assert message == "KPIBOARD_ALLOWED_HOSTS must list the site's host names"


def test_unknown_environment_name_is_refused(tmp_path):
    message = refusal(tmp_path, KPIBOARD_ENV="staging")
    assert message == "KPIBOARD_ENV must be development, test or production, not 'staging'"


def test_production_sets_secure_cookies_hsts_and_hardened_headers(tmp_path):
    s = load_settings(tmp_path, **PRODUCTION)
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_PROXY_SSL_HEADER"] is None  # trusted only when told there is a proxy
    assert "Manifest" in s["STORAGES"]["staticfiles"]["BACKEND"]


def test_production_behind_a_proxy_trusts_x_forwarded_proto(tmp_path):
    s = load_settings(tmp_path, **PRODUCTION, KPIBOARD_BEHIND_PROXY="yes")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_secure_cookies_can_be_turned_off_for_plain_http_loopback(tmp_path):
    s = load_settings(tmp_path, **PRODUCTION, KPIBOARD_SECURE_COOKIES="false")
    assert s["SESSION_COOKIE_SECURE"] is False and s["CSRF_COOKIE_SECURE"] is False
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_development_defaults_debug_on_no_hsts_and_a_local_sqlite_file(tmp_path):
    s = load_settings(tmp_path)
    assert s["DEBUG"] is True
    assert s["SESSION_COOKIE_SECURE"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    database = s["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    # settings writes sqlite:///{absolute path}: the name may start with // (the same file on Linux)
    assert os.path.realpath(database["NAME"]) == os.path.realpath(tmp_path / "kpiboard.sqlite3")


def test_database_url_in_the_environment_chooses_postgresql(tmp_path):
    s = load_settings(tmp_path, DATABASE_URL="postgres://kpi@db.internal:6543/performance")
    database = s["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["HOST"], database["PORT"]) == (
        "performance",
        "db.internal",
        "6543",
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KPIBOARD_DEBUG", "maybe", "KPIBOARD_DEBUG must be true or false, not 'maybe'"),
        ("KPIBOARD_SECURE_COOKIES", "2", "KPIBOARD_SECURE_COOKIES must be true or false, not '2'"),
        (
            "KPIBOARD_LOGIN_MAX_FAILURES",
            "five",
            "KPIBOARD_LOGIN_MAX_FAILURES must be a whole number, not 'five'",
        ),
        ("KPIBOARD_HSTS_SECONDS", "1.5", "KPIBOARD_HSTS_SECONDS must be a whole number, not '1.5'"),
        (
            "DATABASE_URL",
            "mysql://root@localhost/kpi",
            "DATABASE_URL scheme 'mysql' is not supported (use sqlite:/// or postgres://)",
        ),
        ("KPIBOARD_PAGE_CACHE_MB", "-1", "KPIBOARD_PAGE_CACHE_MB must be 0 or more, not -1"),
        (
            "KPIBOARD_PAGE_CACHE_MB",
            "lots",
            "KPIBOARD_PAGE_CACHE_MB must be a whole number, not 'lots'",
        ),
    ],
)
def test_bad_values_stop_start_up_with_a_message(tmp_path, name, value, message):
    assert refusal(tmp_path, **{name: value}) == message


def test_page_cache_size_from_the_environment_and_its_default(tmp_path):
    assert load_settings(tmp_path)["PAGE_CACHE_MB"] == 32
    assert load_settings(tmp_path, KPIBOARD_PAGE_CACHE_MB="0")["PAGE_CACHE_MB"] == 0


def test_login_max_failures_from_the_environment(tmp_path):
    assert load_settings(tmp_path, KPIBOARD_LOGIN_MAX_FAILURES="3")["LOGIN_MAX_FAILURES"] == 3
    message = refusal(tmp_path, KPIBOARD_LOGIN_MAX_FAILURES="0")
    assert message == "KPIBOARD_LOGIN_MAX_FAILURES must be 1 or more"


def test_separation_of_duties_is_on_unless_turned_off(tmp_path):
    assert load_settings(tmp_path)["SEPARATE_DUTIES"] is True
    off = load_settings(tmp_path, KPIBOARD_SEPARATE_DUTIES="false")
    assert off["SEPARATE_DUTIES"] is False


# DATABASE_URL parsing.


def test_database_from_url_sqlite_absolute_path():
    db = database_from_url("sqlite:///var/lib/kpiboard/site.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/var/lib/kpiboard/site.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_database_from_url_sqlite_four_slashes_is_the_same_absolute_file():
    name = database_from_url("sqlite:////var/lib/kpiboard/site.sqlite3")["NAME"]
    assert os.path.realpath(name) == "/var/lib/kpiboard/site.sqlite3"


def test_database_from_url_sqlite_three_slashes_is_absolute_and_percent_decoded():
    assert database_from_url("sqlite:///tmp/my%20site.sqlite3")["NAME"] == "/tmp/my site.sqlite3"


def test_database_from_url_sqlite_relative_path():
    assert database_from_url("sqlite://data/site.sqlite3")["NAME"] == "data/site.sqlite3"


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://"])
def test_database_from_url_sqlite_needs_a_path(url):
    with pytest.raises(ImproperlyConfigured, match="needs a file path"):
        database_from_url(url)


def test_database_from_url_postgres_every_part():
    db = database_from_url(
        "postgres://kpi%40council:p%3Ass%2Fw@db.example.org:5433/kpi_live"
        "?sslmode=require&conn_max_age=0"
    )
    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "kpi_live",
        "USER": "kpi@council",
        "PASSWORD": "p:ss/w",
        "HOST": "db.example.org",
        "PORT": "5433",
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"sslmode": "require"},
    }


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_database_from_url_postgres_schemes_and_defaults(scheme):
    db = database_from_url(f"{scheme}://postgres@127.0.0.1/kpiboard")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "kpiboard",
        "postgres",
        "",
        "127.0.0.1",
        "",
    )
    assert db["CONN_MAX_AGE"] == 60
    assert db["OPTIONS"] == {}


def test_database_from_url_postgres_needs_a_database_name():
    with pytest.raises(ImproperlyConfigured, match="needs a database name"):
        database_from_url("postgres://postgres@127.0.0.1:5432/")


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/kpi", "oracle://x/y", "/var/lib/site.sqlite3", ""]
)
def test_database_from_url_refuses_other_schemes(url):
    with pytest.raises(ImproperlyConfigured, match="is not supported"):
        database_from_url(url)


# The typed environment helpers.


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_true(monkeypatch, value):
    monkeypatch.setenv("KPI_TEST_FLAG", value)
    assert env_bool("KPI_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_env_bool_false(monkeypatch, value):
    monkeypatch.setenv("KPI_TEST_FLAG", value)
    assert env_bool("KPI_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", ["maybe", "2", "y", "enabled", "tru"])
def test_env_bool_rejects_anything_else(monkeypatch, value):
    monkeypatch.setenv("KPI_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="KPI_TEST_FLAG must be true or false"):
        env_bool("KPI_TEST_FLAG", False)


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("KPI_TEST_FLAG", raising=False)
    assert env_bool("KPI_TEST_FLAG", True) is True
    assert env_bool("KPI_TEST_FLAG", False) is False


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("42", 42), ("-3", -3), (" 7 ", 7)])
def test_env_int_reads_whole_numbers(monkeypatch, value, expected):
    monkeypatch.setenv("KPI_TEST_INT", value)
    assert env_int("KPI_TEST_INT", 1) == expected


@pytest.mark.parametrize("value", ["", "five", "1.5", "1e3", "10s"])
def test_env_int_rejects_anything_else(monkeypatch, value):
    monkeypatch.setenv("KPI_TEST_INT", value)
    with pytest.raises(ImproperlyConfigured, match="KPI_TEST_INT must be a whole number"):
        env_int("KPI_TEST_INT", 1)


def test_env_int_default_when_unset(monkeypatch):
    monkeypatch.delenv("KPI_TEST_INT", raising=False)
    assert env_int("KPI_TEST_INT", 900) == 900


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("KPI_TEST_LIST", " a.example , ,b.example,")
    assert env_list("KPI_TEST_LIST", ["x"]) == ["a.example", "b.example"]
    monkeypatch.delenv("KPI_TEST_LIST")
    assert env_list("KPI_TEST_LIST", ["x"]) == ["x"]


def test_env_str_required_when_no_default(monkeypatch):
    monkeypatch.delenv("KPI_TEST_STR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="KPI_TEST_STR must be set"):
        env_str("KPI_TEST_STR")
    assert env_str("KPI_TEST_STR", "fallback") == "fallback"


def test_env_date_reads_an_iso_date_or_nothing(monkeypatch):
    from datetime import date

    from kpiboard.web.env import env_date

    monkeypatch.delenv("KPIBOARD_TODAY", raising=False)
    assert env_date("KPIBOARD_TODAY") is None
    monkeypatch.setenv("KPIBOARD_TODAY", " 2013-12-02 ")
    assert env_date("KPIBOARD_TODAY") == date(2013, 12, 2)
    monkeypatch.setenv("KPIBOARD_TODAY", "2/12/2013")
    with pytest.raises(ImproperlyConfigured, match="KPIBOARD_TODAY must be a date"):
        env_date("KPIBOARD_TODAY")


# Email: SMTP from the environment, the console in development, nothing sent in production
# without a server (a reset link must not end up in a log).


def test_email_goes_to_the_console_in_development(tmp_path):
    loaded = load_settings(tmp_path)
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["EMAIL_ENABLED"] is True


def test_email_uses_smtp_from_the_environment(tmp_path):
    loaded = load_settings(
        tmp_path,
        **PRODUCTION,
        KPIBOARD_EMAIL_HOST="smtp.example.gov.uk",
        KPIBOARD_EMAIL_PORT="2525",
        KPIBOARD_EMAIL_USER="kpiboard",
        KPIBOARD_EMAIL_PASSWORD="secret-from-the-vault",
        KPIBOARD_EMAIL_USE_TLS="false",
        KPIBOARD_DEFAULT_FROM_EMAIL="performance@example.gov.uk",
    )
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["EMAIL_HOST"], loaded["EMAIL_PORT"], loaded["EMAIL_HOST_USER"]) == (
        "smtp.example.gov.uk", 2525, "kpiboard",
    )  # fmt: skip
    assert loaded["EMAIL_USE_TLS"] is False and loaded["EMAIL_ENABLED"] is True
    assert loaded["DEFAULT_FROM_EMAIL"] == "performance@example.gov.uk"


def test_production_without_an_email_server_sends_nothing(tmp_path):
    loaded = load_settings(tmp_path, **PRODUCTION)
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.dummy.EmailBackend"
    assert loaded["EMAIL_ENABLED"] is False


def test_reset_limits_must_be_at_least_one(tmp_path):
    assert "KPIBOARD_RESET_EMAILS_PER_HOUR must be 1 or more" in refusal(
        tmp_path, KPIBOARD_RESET_EMAILS_PER_HOUR="0"
    )
