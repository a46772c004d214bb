from django.urls import path

from .views import (
    auth,
    changes,
    dashboard,
    entry,
    grid,
    health,
    imports,
    indicator,
    override,
    reports,
    review,
    security,
    submit,
    template,
    waiting,
    withdraw,
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
    path(
        "entry/<str:code>/<str:period>/withdraw/", withdraw.withdraw_figure, name="withdraw_figure"
    ),
    path("enter/", grid.grid_now, name="entry_grid_now"),
    path("enter/<str:period>/", grid.entry_grid, name="entry_grid"),
    path("enter/<str:period>/template.xlsx", template.entry_template, name="entry_template"),
    path("sections/<str:code>/<str:period>/sign-off/", entry.signoff, name="signoff"),
    path("sections/<str:code>/<str:period>/check/", submit.check_answers, name="check_answers"),
    path(
        "sections/<str:code>/<str:period>/withdraw/",
        submit.withdraw_submission,
        name="withdraw_submission",
    ),
    path("sections/<str:code>/<str:period>/review/", review.review, name="review"),
    path("import/", imports.upload, name="import"),
    path("import/<str:token>/", imports.preview, name="import_preview"),
    path("changes/", changes.changes, name="changes"),
    path("security-events/", security.security_events, name="security_events"),
    path("reports/", reports.reports, name="reports"),
    path("reports/download/", reports.download, name="report_download"),
    path("healthz", health.healthz, name="healthz"),
]
