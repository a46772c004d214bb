"""kpiboard web settings, all from the environment (see docs/web.md for every variable).

``KPIBOARD_ENV`` picks the profile: ``development`` (the default: DEBUG on, a local SQLite file),
``test`` or ``production`` (secure cookies, HSTS, and a refusal to start with DEBUG on or without
a real secret key). ``DATABASE_URL`` switches to PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from . import sso_config
from .env import (
    MIN_DISTINCT_KEY_CHARACTERS,
    database_from_url,
    env_bool,
    env_date,
    env_int,
    env_list,
    env_str,
    strong_secret_key,
)

ENVIRONMENT = env_str("KPIBOARD_ENV", "development")
if ENVIRONMENT not in ("development", "test", "production"):
    raise ImproperlyConfigured(
        f"KPIBOARD_ENV must be development, test or production, not {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("KPIBOARD_DEBUG", ENVIRONMENT == "development")
_DEV_KEY = "kpiboard-development-key-not-for-production-use-0123456789abcdef"
SECRET_KEY = env_str("KPIBOARD_SECRET_KEY", "" if PRODUCTION else _DEV_KEY)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("KPIBOARD_DEBUG must be off in production")
    if not strong_secret_key(SECRET_KEY) or SECRET_KEY == _DEV_KEY:
        raise ImproperlyConfigured(
            "KPIBOARD_SECRET_KEY must be a random string of 50+ characters with at least "
            f"{MIN_DISTINCT_KEY_CHARACTERS} different characters in production (for example: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )

DATA_DIR = Path(env_str("KPIBOARD_DATA_DIR", str(Path.cwd() / ".kpiboard")))
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kpiboard.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

ALLOWED_HOSTS = env_list("KPIBOARD_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("KPIBOARD_ALLOWED_HOSTS must list the site's host names")
if PRODUCTION and any("*" in host for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "KPIBOARD_ALLOWED_HOSTS must name the site's hosts in production, not a wildcard (*)"
    )
CSRF_TRUSTED_ORIGINS = env_list("KPIBOARD_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "kpiboard.web.apps.KpiboardWebConfig",
]
#: Background jobs (large imports and reports) wait in the database for a worker
#: (``kpiboard worker``): the embedded SQLite file, or PostgreSQL for many workers.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: Reports covering more indicators than this are made by a worker, with a progress page.
REPORT_JOB_INDICATORS = env_int("KPIBOARD_REPORT_JOB_INDICATORS", 60)
if REPORT_JOB_INDICATORS < 0:
    raise ImproperlyConfigured("KPIBOARD_REPORT_JOB_INDICATORS must be 0 or more")
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kpiboard.web.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kpiboard.web.middleware.ForwardedForWarningMiddleware",
    "kpiboard.web.middleware.LoginRequiredMiddleware",
    "kpiboard.web.two_factor_middleware.TwoFactorMiddleware",
    "kpiboard.web.middleware.RefuseNulFieldsMiddleware",
    "kpiboard.web.middleware.ContentSecurityPolicyMiddleware",
]
ROOT_URLCONF = "kpiboard.web.root_urls"
WSGI_APPLICATION = "kpiboard.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kpiboard.web.context.site",
            ],
        },
    },
    {  # the few templates written in Jinja2 for speed (see web/jinja.py); none is a page
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "kpiboard.web.jinja.environment"},
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
#: Single sign-on with OpenID Connect (None when off) and whether kpiboard's own passwords are
#: also accepted; at least one way to sign in must be left (see web/sso_config.py, web/sso.py).
SSO = sso_config.from_environment(PRODUCTION)
LOCAL_PASSWORDS = env_bool("KPIBOARD_LOCAL_PASSWORDS", True)
if not LOCAL_PASSWORDS and SSO is None:
    raise ImproperlyConfigured(
        "KPIBOARD_LOCAL_PASSWORDS is off but single sign-on is not set up (KPIBOARD_OIDC_ISSUER, "
        "KPIBOARD_OIDC_CLIENT_ID, KPIBOARD_OIDC_CLIENT_SECRET): nobody could sign in"
    )
AUTHENTICATION_BACKENDS = (
    ["django.contrib.auth.backends.ModelBackend"] if LOCAL_PASSWORDS else []
) + (["kpiboard.web.sso.SsoBackend"] if SSO else [])
LOGIN_URL = "kpiboard:login"
LOGIN_REDIRECT_URL = "kpiboard:home"
LOGOUT_REDIRECT_URL = "kpiboard:login"
#: Sign-in tries per (address, username) before each failure makes the next wait: first
#: LOGIN_BACKOFF_SECONDS, doubling up to LOGIN_MAX_WAIT_SECONDS; failures are forgotten after
#: LOGIN_WINDOW_SECONDS without one (see web/throttle.py).
LOGIN_MAX_FAILURES = env_int("KPIBOARD_LOGIN_MAX_FAILURES", 5)
LOGIN_WINDOW_SECONDS = env_int("KPIBOARD_LOGIN_WINDOW_SECONDS", 900)
LOGIN_BACKOFF_SECONDS = env_int("KPIBOARD_LOGIN_BACKOFF_SECONDS", 30)
LOGIN_MAX_WAIT_SECONDS = env_int("KPIBOARD_LOGIN_MAX_WAIT_SECONDS", 3600)
for _name in ("LOGIN_MAX_FAILURES", "LOGIN_BACKOFF_SECONDS", "LOGIN_MAX_WAIT_SECONDS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"KPIBOARD_{_name} must be 1 or more")
#: Roles that must use two-factor authentication (web/two_factor.py): role names, "all" or
#: "none"; administrators in production, nobody otherwise. Checked against the roles at start-up.
TWO_FACTOR_REQUIRED = env_list(
    "KPIBOARD_TWO_FACTOR_REQUIRED", ["administrator"] if PRODUCTION else ["none"]
)
#: django-otp's throttles: after n wrong codes in a row the next try waits 2**(n-1) seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
#: Accept a code one step (30 seconds) early or late, and remember a phone's clock drift.
OTP_TOTP_SYNC = True
#: Password reset by email (web/accounts.py reset_recipients): requests a client address may
#: make, and reset emails one person may be sent, in any hour; a link lasts
#: PASSWORD_RESET_TIMEOUT seconds.
PASSWORD_RESET_REQUESTS_PER_HOUR = env_int("KPIBOARD_RESET_REQUESTS_PER_HOUR", 10)
PASSWORD_RESET_EMAILS_PER_HOUR = env_int("KPIBOARD_RESET_EMAILS_PER_HOUR", 3)
PASSWORD_RESET_TIMEOUT = env_int("KPIBOARD_RESET_LINK_SECONDS", 3 * 24 * 3600)
for _name in ("PASSWORD_RESET_REQUESTS_PER_HOUR", "PASSWORD_RESET_EMAILS_PER_HOUR"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"KPIBOARD_{_name.removeprefix('PASSWORD_')} must be 1 or more")

#: Email (password resets, set-password links, reminders): SMTP when KPIBOARD_EMAIL_HOST is set;
#: otherwise printed on the console in development and test, and not sent at all in production
#: (a reset link in a log would be a way in), where the pages then offer no email.
EMAIL_HOST = env_str("KPIBOARD_EMAIL_HOST", "")
EMAIL_PORT = env_int("KPIBOARD_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("KPIBOARD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("KPIBOARD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KPIBOARD_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("KPIBOARD_EMAIL_TIMEOUT_SECONDS", 20)
DEFAULT_FROM_EMAIL = env_str("KPIBOARD_DEFAULT_FROM_EMAIL", "kpiboard@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_ENABLED = bool(EMAIL_HOST) or not PRODUCTION
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

#: Requests one API token may make in a minute (web/api_tokens.py); more get 429.
API_REQUESTS_PER_MINUTE = env_int("KPIBOARD_API_REQUESTS_PER_MINUTE", 120)
if API_REQUESTS_PER_MINUTE < 1:
    raise ImproperlyConfigured("KPIBOARD_API_REQUESTS_PER_MINUTE must be 1 or more")

#: Separation of duties: whoever submitted a section's period may not also approve it.
SEPARATE_DUTIES = env_bool("KPIBOARD_SEPARATE_DUTIES", True)

#: Rendered page parts kept per process and data version (web.generation); 0 turns it off.
PAGE_CACHE_MB = env_int("KPIBOARD_PAGE_CACHE_MB", 32)
# The reporting calendar (see docs/web.md, "The monthly cycle"): the address reminders link to,
# and a date to take as today (a demo or training site kept in its own year; empty: the real date).
SITE_URL = env_str("KPIBOARD_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
KPIBOARD_TODAY = env_date("KPIBOARD_TODAY")
if PAGE_CACHE_MB < 0:
    raise ImproperlyConfigured(f"KPIBOARD_PAGE_CACHE_MB must be 0 or more, not {PAGE_CACHE_MB}")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("KPIBOARD_TIME_ZONE", "Europe/London")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("KPIBOARD_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_SECURE = env_bool("KPIBOARD_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("KPIBOARD_SESSION_SECONDS", 8 * 3600)
SECURE_HSTS_SECONDS = env_int("KPIBOARD_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("KPIBOARD_SSL_REDIRECT", False)
#: Behind a reverse proxy: trust its X-Forwarded-Proto, and take the client's address from the
#: last X-Forwarded-For entry (the one the proxy itself appended).
BEHIND_PROXY = env_bool("KPIBOARD_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KPIBOARD_LOG_LEVEL", "WARNING")},
}
