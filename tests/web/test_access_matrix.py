"""Who may do what: every route, GET and POST, for every role, against an explicit table.

The rules: everyone signed in reads (dashboard, indicator pages, reports) and sees the reminders
sent to them; an owner's home page is their task list; owners enter figures for their own
indicators or sections only and submit their sections' periods; approvers sign off their sections
(and see the list of what is waiting for them, and the team view of who is late); analysts and
administrators do everything, including imports and moving the reporting month, except that only
administrators see sign-ins and people (/security-events/) and manage people (/people/); viewers
only read. Anonymous people are sent to sign in, except to the forgotten password pages, which
are open to everyone.
Owners also import figures for their own indicators, approvers review their sections, and
people see only their own background jobs.

Each POST runs inside a savepoint that is rolled back afterwards, so every cell starts from the
same demo site, and the test checks what the POST did (a figure saved, a period approved), not only
the status code: a refusal must change nothing.
"""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kpiboard.web import dashboard_cache, jobs
from kpiboard.web import urls as web_urls
from kpiboard.web.accounts import create_person
from kpiboard.web.api_tokens import create_token
from kpiboard.web.models import (
    ApiToken,
    Definition,
    Figure,
    Job,
    JobKind,
    JobOutcome,
    PlanFile,
    ReportingMonth,
    Role,
    Section,
    SecurityEvent,
    SecurityEventKind,
    Signoff,
)
from kpiboard.web.plan_writes import item_body, item_version
from kpiboard.web.store import clear_cache

from .conftest import PASSWORD

ROLES = ("anonymous", "viewer", "owner", "section_owner", "approver", "analyst", "admin")

OK = "200"  # the page
GO = "302"  # done (or, for sign-in and sign-out, sent on): a redirect that is not to sign in
NO = "403"  # refused
BACK = "302 refused"  # refused with a message on the page it came from; nothing changed
NA = "405"  # the route does not take this method
BAD = "400"  # the form was incomplete
IN = "sign in"  # a redirect to the sign-in page (anonymous)
HIDDEN = "404"  # someone else's: as if it did not exist
GONE = "404"  # not there: single sign-on's pages while it is not set up (as in these tests),
# or not found for this person (someone else's upload)

EVERYONE = (OK,) * 6
MATRIX_TOKEN = "Matrix administrator's token"
NOT_POST = (NA,) * 6
SENT_ON = (GO,) * 6

#                                          anonymous viewer owner s_owner approver analyst admin
EXPECTED: dict[tuple[str, str], tuple[str, ...]] = {
    ("home", "GET"): (IN, *EVERYONE),
    ("home", "POST"): (IN, *NOT_POST),
    ("dashboard", "GET"): (IN, *EVERYONE),
    ("dashboard", "POST"): (IN, *NOT_POST),
    ("team", "GET"): (IN, NO, NO, NO, OK, OK, OK),
    ("team", "POST"): (IN, *NOT_POST),
    ("messages", "GET"): (IN, *EVERYONE),
    ("messages", "POST"): (IN, *NOT_POST),
    ("login", "GET"): (OK, *SENT_ON),
    ("login", "POST"): (BAD, *SENT_ON),
    ("sso_start", "GET"): (GONE,) * 7,
    ("sso_start", "POST"): (NA,) * 7,
    ("sso_callback", "GET"): (GONE,) * 7,
    ("sso_callback", "POST"): (NA,) * 7,
    ("sso_refused", "GET"): (GO,) * 7,  # nothing to show: back to sign in
    ("sso_refused", "POST"): (NA,) * 7,
    ("logout", "GET"): (IN, *NOT_POST),
    ("logout", "POST"): (IN, *SENT_ON),
    ("indicator", "GET"): (IN, *EVERYONE),
    ("indicator", "POST"): (IN, *NOT_POST),
    ("indicator_history", "GET"): (IN, *EVERYONE),
    ("indicator_history", "POST"): (IN, *NOT_POST),
    ("override", "GET"): (IN, NO, NO, NO, NO, OK, OK),
    ("override", "POST"): (IN, NO, NO, NO, NO, BAD, BAD),
    ("annual_targets", "GET"): (IN, NO, NO, NO, NO, OK, OK),
    ("annual_targets", "POST"): (IN, NO, NO, NO, NO, GO, GO),
    ("entry", "GET"): (IN, NO, OK, OK, OK, OK, OK),
    ("entry", "POST"): (IN, *NOT_POST),
    ("entry_form ASC01", "GET"): (IN, NO, OK, NO, NO, OK, OK),
    ("entry_form ASC01", "POST"): (IN, NO, GO, NO, NO, GO, GO),
    ("entry_form SCS01", "GET"): (IN, NO, NO, OK, NO, OK, OK),
    ("entry_form SCS01", "POST"): (IN, NO, NO, GO, NO, GO, GO),
    ("signoff", "GET"): (IN, *NOT_POST),
    # October has gaps: a submission from the list is sent to check your answers first
    ("signoff submit asc", "POST"): (IN, NO, BACK, NO, BACK, BACK, BACK),
    ("signoff approve asc", "POST"): (IN, NO, BACK, NO, GO, GO, GO),
    ("withdraw_figure ASC01", "GET"): (IN, NO, OK, NO, NO, OK, OK),
    ("withdraw_figure ASC01", "POST"): (IN, NO, GO, NO, NO, GO, GO),
    ("entry_grid_now", "GET"): (IN, NO, GO, GO, NO, GO, GO),
    ("entry_grid_now", "POST"): (IN, *NOT_POST),
    ("entry_grid", "GET"): (IN, NO, OK, OK, NO, OK, OK),
    ("entry_grid", "POST"): (IN, NO, BAD, BAD, NO, BAD, BAD),
    ("entry_template", "GET"): (IN, NO, OK, OK, NO, OK, OK),
    ("entry_template", "POST"): (IN, *NOT_POST),
    # the owner explains ASC01's gap and submits; analysts answer for every indicator
    ("check_answers", "GET"): (IN, NO, OK, NO, NO, OK, OK),
    ("check_answers", "POST"): (IN, NO, GO, NO, NO, BAD, BAD),
    ("withdraw_submission", "GET"): (IN, *NOT_POST),
    ("withdraw_submission", "POST"): (IN, NO, GO, NO, NO, GO, GO),
    ("review", "GET"): (IN, NO, NO, NO, OK, OK, OK),
    ("review", "POST"): (IN, NO, NO, NO, GO, GO, GO),
    # owners import their own indicators' figures (the file gives ASC01, not scs's)
    ("import", "GET"): (IN, NO, OK, OK, NO, OK, OK),
    ("import", "POST"): (IN, NO, GO, BAD, NO, GO, GO),
    # the preview is its uploader's: another owner's (here an administrator's) is not found
    ("import_preview", "GET"): (IN, NO, OK, GONE, NO, OK, OK),
    ("import_preview", "POST"): (IN, NO, GO, GONE, NO, GO, GO),
    ("changes", "GET"): (IN, *EVERYONE),
    ("changes", "POST"): (IN, *NOT_POST),
    ("reporting_month", "GET"): (IN, *EVERYONE),
    ("reporting_month", "POST"): (IN, NO, NO, NO, NO, GO, GO),
    # everyone makes their own API tokens; only the owner or an administrator revokes one
    # (here an administrator's)
    ("api_tokens", "GET"): (IN, *EVERYONE),
    ("api_tokens", "POST"): (IN, *EVERYONE),
    ("api_token_revoke", "GET"): (IN, *NOT_POST),
    ("api_token_revoke", "POST"): (IN, NO, NO, NO, NO, NO, GO),
    ("security_events", "GET"): (IN, NO, NO, NO, NO, NO, OK),
    ("security_events", "POST"): (IN, *NOT_POST),
    ("people", "GET"): (IN, NO, NO, NO, NO, NO, OK),
    ("people", "POST"): (IN, *NOT_POST),
    ("person_add", "GET"): (IN, NO, NO, NO, NO, NO, OK),
    ("person_add", "POST"): (IN, NO, NO, NO, NO, NO, BAD),
    ("person_edit", "GET"): (IN, NO, NO, NO, NO, NO, OK),
    ("person_edit", "POST"): (IN, NO, NO, NO, NO, NO, BAD),
    ("person_deactivate", "GET"): (IN, NO, NO, NO, NO, NO, OK),
    ("person_deactivate", "POST"): (IN, NO, NO, NO, NO, NO, GO),
    ("person_reactivate", "GET"): (IN, NO, NO, NO, NO, NO, OK),
    ("person_reactivate", "POST"): (IN, NO, NO, NO, NO, NO, BACK),  # the viewer is active
    ("password_reset", "GET"): (OK, *EVERYONE),
    ("password_reset", "POST"): (BAD,) * 7,
    ("password_reset_done", "GET"): (OK, *EVERYONE),
    ("password_reset_done", "POST"): (NA, *NOT_POST),
    ("password_reset_confirm", "GET"): (OK, *EVERYONE),  # a bad link: "this link does not work"
    ("password_reset_confirm", "POST"): (OK, *EVERYONE),
    ("password_reset_complete", "GET"): (OK, *EVERYONE),
    ("password_reset_complete", "POST"): (NA, *NOT_POST),
    ("reports", "GET"): (IN, *EVERYONE),
    ("reports", "POST"): (IN, *NOT_POST),
    ("plan", "GET"): (IN, *EVERYONE),
    ("plan", "POST"): (IN, *NOT_POST),
    ("priorities", "GET"): (IN, *EVERYONE),
    ("priorities", "POST"): (IN, *NOT_POST),
    ("action_update", "GET"): (IN, NO, OK, NO, NO, OK, OK),
    ("action_update", "POST"): (IN, NO, GO, NO, NO, GO, GO),
    ("risk_review", "GET"): (IN, NO, OK, NO, NO, OK, OK),
    ("risk_review", "POST"): (IN, NO, GO, NO, NO, GO, GO),
    # a month's own forms, as the task list links to them: the same rule
    ("action_update_for", "GET"): (IN, NO, OK, NO, NO, OK, OK),
    ("action_update_for", "POST"): (IN, NO, GO, NO, NO, GO, GO),
    ("risk_review_for", "GET"): (IN, NO, OK, NO, NO, OK, OK),
    ("risk_review_for", "POST"): (IN, NO, GO, NO, NO, GO, GO),
    ("report_download", "GET"): (IN, *EVERYONE),
    ("report_download", "POST"): (IN, *NOT_POST),
    ("publish", "GET"): (IN, NO, NO, NO, NO, OK, OK),
    # nothing is approved on the matrix's site: an analyst's Publish is refused with a message
    ("publish", "POST"): (IN, NO, NO, NO, NO, BACK, BACK),
    ("job", "GET"): (IN, *(HIDDEN,) * 5, OK),  # the administrator's own report job
    ("job", "POST"): (IN, *NOT_POST),
    ("job_download", "GET"): (IN, *(HIDDEN,) * 5, OK),
    ("job_download", "POST"): (IN, *NOT_POST),
    # Two-factor pages for people without it (see test_two_factor.py for those with it): the
    # settings and set-up pages; the others send them on (no code asked for, no codes to show).
    ("two_factor", "GET"): (IN, *EVERYONE),
    ("two_factor", "POST"): (IN, *NOT_POST),
    ("two_factor_setup", "GET"): (IN, *EVERYONE),
    ("two_factor_setup", "POST"): (IN, *(BAD,) * 6),
    ("two_factor_code", "GET"): (IN, *SENT_ON),
    ("two_factor_code", "POST"): (IN, *SENT_ON),
    ("two_factor_recovery_codes", "GET"): (IN, *SENT_ON),
    ("two_factor_recovery_codes", "POST"): (IN, *SENT_ON),
    ("two_factor_turn_off", "GET"): (IN, *SENT_ON),
    ("two_factor_turn_off", "POST"): (IN, *SENT_ON),
    ("healthz", "GET"): (OK, *EVERYONE),
    ("healthz", "POST"): (OK, *EVERYONE),
}

IMPORT_CSV = b"indicator,period,series,value\nASC01,2013-10,actual,74\n"
ANNUAL_POST = {
    "year": "2014/15", "target": "86", "profile": "flat", "reason": "Access matrix",
    "base_revision": "1",
}  # fmt: skip
DOWNLOAD = "?section=asc&period=2013-09&format=html&version=now"


def test_the_table_covers_every_route_in_urls_py():
    names = {pattern.name for pattern in web_urls.urlpatterns}
    covered = {key.split()[0] for key, _ in EXPECTED}
    assert covered == names
    for name in names:  # every route has a GET and a POST row
        methods = {m for (key, m) in EXPECTED if key.split()[0] == name}
        assert methods == {"GET", "POST"}, name
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@dataclass
class Cell:
    key: str
    method: str
    path: str
    data: dict | None = None
    #: what an allowed POST must have done (checked before the rollback); a refusal, not done
    done: object = None


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        return IN if location.startswith(reverse("kpiboard:login") + "?next=") else GO
    return str(response.status_code)


def figure(code: str, period: str, value: float):
    return lambda: Figure.objects.filter(
        indicator__code=code, period=period, series="actual", is_current=True, value=value
    ).exists()


def signoff_state(section: str, period: str, state: str):
    return lambda: Signoff.objects.filter(
        section__code=section, period=period, is_current=True, state=state
    ).exists()


def reporting_month(period: str):
    return lambda: ReportingMonth.objects.filter(is_current=True, period=period).exists()


def annual_target(code: str, year: str, value: float):
    return lambda: Definition.objects.filter(
        indicator__code=code, is_current=True, body__contains=f'"{year}": {{"target": {value}'
    ).exists()


def entry_post(period_label: str, value: str) -> dict:
    return {
        "period_label": period_label,
        "value-actual": value,
        "base-actual": "0",
        "commentary": "Written by the access matrix test.",
        "commentary_base": "0",
        "note": "",
        "reason": "",
    }


def upload(client: Client) -> Path | str:
    """Upload IMPORT_CSV as the client's person; the preview's token."""
    handle = io.BytesIO(IMPORT_CSV)
    handle.name = "figures.csv"
    response = client.post(reverse("kpiboard:import"), {"file": handle})
    assert response.status_code == 302, response.content[:2000]
    return response["Location"].rstrip("/").rsplit("/", 1)[1]


def active(user, is_active: bool):
    return lambda: type(user).objects.filter(pk=user.pk, is_active=is_active).exists()


def reactivated(user):
    return lambda: SecurityEvent.objects.filter(
        user=user, kind=SecurityEventKind.REACTIVATED
    ).exists()


def finished_report_job(owner) -> Job:
    """A report job of ``owner``'s that a worker has finished, its file kept."""
    job = Job.objects.create(
        owner=owner, kind=JobKind.REPORT, title="Report r.html", outcome=JobOutcome.DONE,
        message="r.html is ready", result_file="r.html",
    )  # fmt: skip
    jobs.folder(job).mkdir(parents=True)
    (jobs.folder(job) / "r.html").write_text("<!DOCTYPE html><title>r</title>", "utf-8")
    return job


def cells(token: str, viewer, job: Job) -> list[Cell]:
    url = reverse
    person = url("kpiboard:person_edit", args=[viewer.pk])
    deactivate = url("kpiboard:person_deactivate", args=[viewer.pk])
    reactivate = url("kpiboard:person_reactivate", args=[viewer.pk])
    bad_link = url("kpiboard:password_reset_confirm", args=["MQ", "not-a-token"])
    asc01 = url("kpiboard:entry_form", args=["ASC01", "2013-10"])
    scs01 = url("kpiboard:entry_form", args=["SCS01", "2013~14_Q3"])
    submit = url("kpiboard:signoff", args=["asc", "2013-10"])
    approve = url("kpiboard:signoff", args=["asc", "2013-09"])
    preview = url("kpiboard:import_preview", args=[token])
    targets = url("kpiboard:annual_targets", args=["ASC01"])
    withdraw_sep = url("kpiboard:withdraw_figure", args=["ASC01", "2013-09"])
    grid = url("kpiboard:entry_grid", args=["2013-10"])
    check = url("kpiboard:check_answers", args=["asc", "2013-10"])
    take_back = url("kpiboard:withdraw_submission", args=["asc", "2013-09"])
    review = url("kpiboard:review", args=["asc", "2013-09"])
    admin_token = ApiToken.objects.get(name=MATRIX_TOKEN)
    revoke_token = url("kpiboard:api_token_revoke", args=[admin_token.pk])
    action = url("kpiboard:action_update", args=["ACT-TEL"])
    risk = url("kpiboard:risk_review", args=["R-HOSP"])
    action_oct = url("kpiboard:action_update_for", args=["ACT-TEL", "2013-10"])
    risk_oct = url("kpiboard:risk_review_for", args=["R-HOSP", "2013-10"])
    handle = io.BytesIO(IMPORT_CSV)
    handle.name = "figures.csv"
    simple = [
        ("home", url("kpiboard:home")),
        ("dashboard", url("kpiboard:dashboard")),
        ("team", url("kpiboard:team")),
        ("messages", url("kpiboard:messages")),
        ("login", url("kpiboard:login")),
        ("logout", url("kpiboard:logout")),
        ("sso_start", url("kpiboard:sso_start")),
        ("sso_callback", url("kpiboard:sso_callback")),
        ("sso_refused", url("kpiboard:sso_refused")),
        ("indicator", url("kpiboard:indicator", args=["ASC01"])),
        ("indicator_history", url("kpiboard:indicator_history", args=["ASC01"])),
        ("override", url("kpiboard:override", args=["ASC01"])),
        ("entry", url("kpiboard:entry")),
        ("changes", url("kpiboard:changes")),
        ("security_events", url("kpiboard:security_events")),
        ("api_token_revoke", revoke_token),
        ("people", url("kpiboard:people")),
        ("person_add", url("kpiboard:person_add")),
        ("person_edit", person),
        ("person_deactivate", deactivate),
        ("password_reset", url("kpiboard:password_reset")),
        ("password_reset_done", url("kpiboard:password_reset_done")),
        ("password_reset_confirm", bad_link),
        ("password_reset_complete", url("kpiboard:password_reset_complete")),
        ("reports", url("kpiboard:reports")),
        ("plan", url("kpiboard:plan")),
        ("priorities", url("kpiboard:priorities")),
        ("report_download", url("kpiboard:report_download") + DOWNLOAD),
        ("publish", url("kpiboard:publish")),
        ("job", url("kpiboard:job", args=[job.pk])),
        ("job_download", url("kpiboard:job_download", args=[job.pk])),
        ("healthz", url("kpiboard:healthz")),
        ("two_factor", url("kpiboard:two_factor")),
        ("two_factor_setup", url("kpiboard:two_factor_setup")),
        ("two_factor_code", url("kpiboard:two_factor_code")),
        ("two_factor_recovery_codes", url("kpiboard:two_factor_recovery_codes")),
        ("two_factor_turn_off", url("kpiboard:two_factor_turn_off")),
        ("entry_grid_now", url("kpiboard:entry_grid_now")),
        ("entry_template", url("kpiboard:entry_template", args=["2013-10"])),
    ]
    gets = [Cell(key, "GET", path) for key, path in simple] + [
        Cell("entry_form ASC01", "GET", asc01),
        Cell("entry_form SCS01", "GET", scs01),
        Cell("signoff", "GET", approve),
        Cell("withdraw_figure ASC01", "GET", withdraw_sep),
        Cell("entry_grid", "GET", grid),
        Cell("check_answers", "GET", check),
        Cell("withdraw_submission", "GET", take_back),
        Cell("review", "GET", review),
        Cell("import", "GET", url("kpiboard:import")),
        Cell("import_preview", "GET", preview),
        Cell("reporting_month", "GET", url("kpiboard:reporting_month")),
        Cell("annual_targets", "GET", targets),
        Cell("person_reactivate", "GET", reactivate),
        Cell("api_tokens", "GET", url("kpiboard:api_tokens")),
        Cell("action_update", "GET", action),
        Cell("risk_review", "GET", risk),
        Cell("action_update_for", "GET", action_oct),
        Cell("risk_review_for", "GET", risk_oct),
    ]
    changes = ("logout", "person_deactivate", "api_token_revoke", "publish")
    posts = [Cell(key, "POST", path, {}) for key, path in simple if key not in changes] + [
        Cell("entry_form ASC01", "POST", asc01, entry_post("2013-10", "75"),
             figure("ASC01", "2013-10", 75)),
        Cell("entry_form SCS01", "POST", scs01, entry_post("2013/14 Q3", "88.5"),
             figure("SCS01", "2013/14 Q3", 88.5)),
        Cell("signoff submit asc", "POST", submit,
             {"action": "submit", "period_label": "2013-10", "base_revision": "0"},
             signoff_state("asc", "2013-10", "submitted")),
        Cell("signoff approve asc", "POST", approve,
             {"action": "approve", "period_label": "2013-09", "base_revision": "1"},
             signoff_state("asc", "2013-09", "approved")),
        Cell("withdraw_figure ASC01", "POST", withdraw_sep, {"reason": "Wrong month"},
             lambda: Figure.objects.filter(indicator__code="ASC01", period="2013-09",
                                           is_current=True, series="actual", value=None).exists()),
        Cell("entry_grid", "POST", grid, {}),
        Cell("check_answers", "POST", check, {"base_revision": "0", "gap-ASC01": "Late survey"},
             signoff_state("asc", "2013-10", "submitted")),
        Cell("withdraw_submission", "POST", take_back, {},
             signoff_state("asc", "2013-09", "draft")),
        Cell("review", "POST", review, {"decision": "approve", "base_revision": "1"},
             signoff_state("asc", "2013-09", "approved")),
        Cell("import", "POST", url("kpiboard:import"), {"file": handle}),
        Cell("reporting_month", "POST", url("kpiboard:reporting_month"),
             {"period": "2013-10", "reason": "Matrix", "base_revision": "1"},
             reporting_month("2013-10")),
        Cell("import_preview", "POST", preview, {"action": "cancel"}),
        Cell("annual_targets", "POST", targets, ANNUAL_POST,
             annual_target("ASC01", "2014/15", 86.0)),
        Cell("action_update", "POST", action, action_post(), plan_revision(2)),
        Cell("risk_review", "POST", risk, risk_post(), plan_revision(2, "plan/risks.yaml")),
        Cell("action_update_for", "POST", action_oct, action_post(), plan_revision(2)),
        Cell("risk_review_for", "POST", risk_oct, risk_post(),
             plan_revision(2, "plan/risks.yaml")),
        Cell("person_deactivate", "POST", deactivate, {}, active(viewer, False)),
        Cell("api_tokens", "POST", url("kpiboard:api_tokens"),
             {"name": "Matrix", "scope": "read", "days": "30"}),
        Cell("api_token_revoke", "POST", revoke_token, {},
             lambda: ApiToken.objects.filter(name=MATRIX_TOKEN, revoked__isnull=False).exists()),
        Cell("person_reactivate", "POST", reactivate, {}, reactivated(viewer)),
        Cell("publish", "POST", url("kpiboard:publish"), {},
             lambda: Job.objects.filter(kind=JobKind.PUBLISH).exists()),
        Cell("logout", "POST", url("kpiboard:logout"), {}),  # last: it signs the client out
    ]  # fmt: skip
    return gets + posts


def plan_post(key: str, ident: str, fields: dict) -> dict:
    """A plan form's fields, with the item's version as the form would carry it."""
    plan_file = PlanFile.objects.get(name=f"plan/{key}.yaml", is_current=True)
    return fields | {"base_version": item_version(item_body(plan_file, key, ident))}


def action_post() -> dict:
    return plan_post("actions", "ACT-TEL", {"status": "on_track", "progress": "60",
                                            "text": "Matrix"})  # fmt: skip


def risk_post() -> dict:
    return plan_post("risks", "R-HOSP", {"likelihood": "3", "impact": "4", "note": "Matrix",
                                         "next_review": "2014-03-31"})  # fmt: skip


def plan_revision(number: int, name: str = "plan/actions.yaml"):
    """A check that the plan file ``name`` is at revision ``number``."""
    return lambda: PlanFile.objects.filter(name=name, is_current=True, revision=number).exists()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Sign-in is checked with a fast hasher: the real one takes most of a second a person."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def undone():
    """Run a request in a savepoint and roll it back, with the built pack forgotten after."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        clear_cache()
        dashboard_cache.clear()


@pytest.fixture
def matrix_site(demo_site, settings, tmp_path):
    """The demo site with ASC for September submitted (so it can be approved), and uploads kept
    in a temporary folder."""
    settings.DATA_DIR = tmp_path
    create_token(demo_site["admin"], scope="read", name=MATRIX_TOKEN)
    Signoff.objects.create(
        section=Section.objects.get(code="asc"), period="2013-09", state="submitted",
        revision=1, author=demo_site["owner"], reason="",
    )  # fmt: skip
    return demo_site


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role_matches_the_table(matrix_site, role):
    column = ROLES.index(role)
    client = Client()
    if role != "anonymous":
        client.force_login(matrix_site[role])
    admin = Client()
    admin.force_login(matrix_site["admin"])
    token = upload(client if role in ("analyst", "admin", "owner") else admin)
    job = finished_report_job(matrix_site["admin"])

    mismatches, seen = [], []
    for cell in cells(token, matrix_site["viewer"], job):
        expected = EXPECTED[(cell.key, cell.method)][column]
        with undone():
            if cell.method == "GET":
                response = client.get(cell.path)
            else:
                response = client.post(cell.path, cell.data)
            got = outcome(response)
            if cell.done is not None and got in (GO, BACK):
                did = cell.done()
                if did and expected == BACK:
                    got = "302 and DONE IT"
                elif not did and got == GO:
                    got = BACK
        seen.append((cell.key, cell.method))
        if got != expected:
            mismatches.append(f"{cell.method:4} {cell.path:48} {cell.key:22} {expected!r:>15} "
                              f"got {got!r}")  # fmt: skip
    assert sorted(seen) == sorted(EXPECTED), "the walk missed a row of the table"
    assert not mismatches, f"{role}: expected vs got\n" + "\n".join(mismatches)


def test_refused_posts_change_nothing(matrix_site, settings):
    """The rows above check effects one at a time; here the refused ones, all together."""
    before = (Figure.objects.count(), Signoff.objects.count())
    viewer = Client()
    viewer.force_login(matrix_site["viewer"])
    section_owner = Client()
    section_owner.force_login(matrix_site["section_owner"])
    for client, path, data in [
        (viewer, reverse("kpiboard:entry_form", args=["ASC01", "2013-10"]),
         entry_post("2013-10", "75")),
        (section_owner, reverse("kpiboard:entry_form", args=["ASC01", "2013-10"]),
         entry_post("2013-10", "75")),
        (viewer, reverse("kpiboard:signoff", args=["asc", "2013-09"]), {"action": "approve"}),
        (section_owner, reverse("kpiboard:signoff", args=["asc", "2013-09"]),
         {"action": "approve"}),
    ]:  # fmt: skip
        assert client.post(path, data).status_code == 403
    assert (Figure.objects.count(), Signoff.objects.count()) == before


def test_a_refused_sign_off_is_refused_before_the_state_is_looked_at(demo_site):
    """A viewer approving a period that is not submitted: refused (403) for not being an
    approver, not told what state the period is in."""
    viewer = Client()
    viewer.force_login(demo_site["viewer"])
    response = viewer.post(
        reverse("kpiboard:signoff", args=["asc", "2013-08"]), {"action": "approve"}
    )
    assert response.status_code == 403
    assert not Signoff.objects.exists()


# People made with `kpiboard manage addperson` get exactly the access of their role.


def addperson(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    if stdin is None:
        call_command("addperson", *args, stdout=out)
    else:
        real = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            call_command("addperson", *args, stdout=out)
        finally:
            sys.stdin = real
    return out.getvalue()


def signed_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("kpiboard:login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


def test_addperson_owner_of_an_indicator_can_enter_only_that_indicator(demo_site):
    out = addperson("jo", "--role", "owner", "--indicator", "ASC03")
    assert out.startswith("Created jo (Indicator owner) for indicator ASC03.")
    password = out.split("Password: ")[1].strip()
    client = signed_in("jo", password)
    assert client.get(reverse("kpiboard:entry_form", args=["ASC03", "2013-10"])).status_code == 200
    assert client.get(reverse("kpiboard:entry_form", args=["ASC01", "2013-10"])).status_code == 403
    assert client.get(reverse("kpiboard:import")).status_code == 200  # their own figures only


def test_addperson_approver_with_a_password_from_stdin(demo_site):
    out = addperson(
        "sam", "--role", "approver", "--section", "scs", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert out == "Created sam (Approver) for section scs.\n"  # the password is not printed
    client = signed_in("sam", PASSWORD)
    assert client.get(reverse("kpiboard:entry")).status_code == 200
    assert client.get(reverse("kpiboard:entry_form", args=["SCS01", "2013~14_Q3"])).status_code == (
        403
    )


def test_addperson_administrator_can_import(demo_site):
    password = addperson("root2", "--role", "administrator").split("Password: ")[1].strip()
    client = signed_in("root2", password)
    assert client.get(reverse("kpiboard:import")).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--role", "owner"], "an owner needs at least one --indicator or --section"),
        (["x", "--role", "approver"], "an approver needs at least one --section"),
        (["x", "--role", "viewer", "--section", "asc"], "--section is for owners and approvers"),
        (["x", "--role", "approver", "--section", "asc", "--indicator", "ASC01"],
         "--indicator is for owners"),
        (["x", "--role", "owner", "--section", "nope"], "no section with code nope"),
        (["x", "--role", "owner", "--indicator", "ASC99"], "no indicator with code ASC99"),
        (["Viewer", "--role", "viewer"], "there is already a person called 'viewer'"),
    ],
)  # fmt: skip
def test_addperson_refuses_what_would_not_work(db, args, message):
    create_person("viewer", Role.VIEWER)
    with pytest.raises(CommandError, match=message):
        addperson(*args)


def test_addperson_checks_a_password_from_stdin(db):
    with pytest.raises(CommandError, match="too short"):
        addperson("x", "--role", "viewer", "--password-stdin", stdin="short\n")
