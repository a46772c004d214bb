from django.urls import path

from .views import (
    auth,
    changes,
    dashboard,
    entry,
    health,
    imports,
    indicator,
    jobs,
    override,
    reports,
    security,
    waiting,
)

app_name = "kpiboard"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sign-in/", auth.sign_in, name="login"),
    path("sign-out/", auth.sign_out, name="logout"),
    path("indicators/<str:code>/", indicator.indicator, name="indicator"),
    path("indicators/<str:code>/history/", indicator.indicator_history, name="indicator_history"),
    path("indicators/<str:code>/override/", override.override, name="override"),
    path("entry/", waiting.waiting, name="entry"),
    path("entry/<str:code>/<str:period>/", entry.entry_form, name="entry_form"),
    path("sections/<str:code>/<str:period>/sign-off/", entry.signoff, name="signoff"),
    path("import/", imports.upload, name="import"),
    path("import/<str:token>/", imports.preview, name="import_preview"),
    path("jobs/<uuid:job_id>/", jobs.job, name="job"),
    path("jobs/<uuid:job_id>/download/", jobs.download, name="job_download"),
    path("changes/", changes.changes, name="changes"),
    path("security-events/", security.security_events, name="security_events"),
    path("reports/", reports.reports, name="reports"),
    path("reports/download/", reports.download, name="report_download"),
    path("healthz", health.healthz, name="healthz"),
]
