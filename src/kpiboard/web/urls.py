from django.urls import path

from .views import (
    auth,
    changes,
    dashboard,
    entry,
    health,
    imports,
    indicator,
    override,
    password_reset,
    people,
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
    path("changes/", changes.changes, name="changes"),
    path("security-events/", security.security_events, name="security_events"),
    path("people/", people.people, name="people"),
    path("people/add/", people.person_add, name="person_add"),
    path("people/<int:pk>/", people.person_edit, name="person_edit"),
    path(
        "people/<int:pk>/deactivate/",
        people.person_set_active,
        {"active": False},
        name="person_deactivate",
    ),
    path(
        "people/<int:pk>/reactivate/",
        people.person_set_active,
        {"active": True},
        name="person_reactivate",
    ),
    path("password-reset/", password_reset.RequestReset.as_view(), name="password_reset"),
    path("password-reset/sent/", password_reset.ResetSent.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.ChooseNewPassword.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        password_reset.ResetComplete.as_view(),
        name="password_reset_complete",
    ),
    path("reports/", reports.reports, name="reports"),
    path("reports/download/", reports.download, name="report_download"),
    path("healthz", health.healthz, name="healthz"),
]
