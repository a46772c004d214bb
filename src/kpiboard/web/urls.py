from django.urls import path

from .views import (
    auth,
    changes,
    dashboard,
    entry,
    health,
    imports,
    indicator,
    month,
    override,
    reports,
    security,
    sso,
    targets,
    two_factor,
    waiting,
)

app_name = "kpiboard"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sign-in/", auth.sign_in, name="login"),
    path("sign-out/", auth.sign_out, name="logout"),
    path("two-factor/code/", two_factor.code, name="two_factor_code"),
    path("account/two-factor/", two_factor.overview, name="two_factor"),
    path("account/two-factor/set-up/", two_factor.set_up, name="two_factor_setup"),
    path(
        "account/two-factor/recovery-codes/",
        two_factor.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("account/two-factor/turn-off/", two_factor.turn_off, name="two_factor_turn_off"),
    path("sign-in/sso/start/", sso.SsoStart.as_view(), name="sso_start"),
    path("sign-in/sso/callback/", sso.SsoCallback.as_view(), name="sso_callback"),
    path("sign-in/sso/refused/", sso.refused, name="sso_refused"),
    path("indicators/<str:code>/", indicator.indicator, name="indicator"),
    path("indicators/<str:code>/history/", indicator.indicator_history, name="indicator_history"),
    path("indicators/<str:code>/override/", override.override, name="override"),
    path("indicators/<str:code>/targets/", targets.annual_targets, name="annual_targets"),
    path("entry/", waiting.waiting, name="entry"),
    path("entry/<str:code>/<str:period>/", entry.entry_form, name="entry_form"),
    path("sections/<str:code>/<str:period>/sign-off/", entry.signoff, name="signoff"),
    path("import/", imports.upload, name="import"),
    path("import/<str:token>/", imports.preview, name="import_preview"),
    path("changes/", changes.changes, name="changes"),
    path("security-events/", security.security_events, name="security_events"),
    path("reporting-month/", month.reporting_month, name="reporting_month"),
    path("reports/", reports.reports, name="reports"),
    path("reports/download/", reports.download, name="report_download"),
    path("healthz", health.healthz, name="healthz"),
]
