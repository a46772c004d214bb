"""Spreadsheet round trip from the web: download the month's template, fill it in, import it
with a preview; problems name the indicator and period. Also: withdrawing a figure entered for
the wrong period, and an import after approval marking the period changed."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail

from kpiboard.web.models import Figure, Signoff
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import save_period_entry
from tests.web.jobs_support import run_jobs

openpyxl = pytest.importorskip("openpyxl")

TEMPLATE = "/enter/2013-10/template.xlsx"


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(client, body: bytes, name="kpiboard-2013-10.xlsx"):
    handle = io.BytesIO(body)
    handle.name = name
    return client.post("/import/", {"file": handle})


def current(code="ASC01", period="2013-10") -> Figure | None:
    return Figure.objects.filter(
        indicator__code=code, period=period, series="actual", is_current=True
    ).first()


def test_the_template_lists_the_persons_indicators_due_in_the_month(client_for):
    response = client_for("owner").get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kpiboard-2013-10.xlsx"'
    rows = list(workbook(response).active.iter_rows(values_only=True))
    assert rows == [
        ("indicator", "period", "series", "value", "note"),
        ("ASC01", "2013-10", "actual", None, None),
    ]


def test_a_filled_in_template_imports_with_a_preview(client_for, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = client_for("analyst")
    book = workbook(client.get(TEMPLATE))
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "ASC01":
            row[3].value = 75
            row[4].value = "Provisional"
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, buffer.getvalue())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "75%" in page and "Provisional" in page
    assert current() is None


def test_a_problem_in_the_template_names_the_indicator_and_period(client_for, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = client_for("analyst")
    book = workbook(client.get(TEMPLATE))
    sheet = book.active
    sheet.cell(row=3, column=4, value="lots")
    buffer = io.BytesIO()
    book.save(buffer)
    page = upload(client, buffer.getvalue()).content.decode()
    code = sheet.cell(row=3, column=1).value
    assert f"{code} 2013-10 (row 3, D): &#x27;lots&#x27; is not a number" in page


def test_all_figures_download_in_the_wide_layout(client_for):
    response = client_for("owner").get(TEMPLATE + "?all=1")
    assert response.status_code == 200
    header = next(workbook(response).active.iter_rows(values_only=True))
    assert header[:2] == ("indicator", "series") and "2013-09" in header


def test_people_who_enter_nothing_get_no_template(client_for):
    assert client_for("viewer").get(TEMPLATE).status_code == 403


# --- withdrawing a figure ------------------------------------------------------------------------

WITHDRAW = "/entry/ASC01/2013-10/withdraw/"


def test_a_figure_for_the_wrong_period_is_withdrawn_as_a_revision(client_for, demo_site):
    save_period_entry(demo_site["owner"], "ASC01", "2013-10", {"actual": 74.0}, {}, None, 0, "")
    client = client_for("owner")
    form = client.get("/entry/ASC01/2013-10/").content.decode()
    assert f'href="{WITHDRAW}"' in form
    page = client.get(WITHDRAW).content.decode()
    assert "74%" in page and "Withdraw the figures" in page
    refused = client.post(WITHDRAW, {"reason": ""})
    assert refused.status_code == 400
    assert "Enter why the figure is being withdrawn" in refused.content.decode()
    assert current().value == 74.0
    done = client.post(WITHDRAW, {"reason": "It was November's figure"})
    assert done.status_code == 302
    rows = Figure.objects.filter(indicator__code="ASC01", period="2013-10").order_by("revision")
    assert [(r.revision, r.value, r.is_current, r.reason) for r in rows] == [
        (1, 74.0, False, ""),
        (2, None, True, "It was November's figure"),
    ]


def test_only_people_who_enter_the_indicator_withdraw_its_figures(client_for):
    for name in ("viewer", "approver", "section_owner"):
        assert client_for(name).get(WITHDRAW).status_code == 403
        assert client_for(name).post(WITHDRAW, {"reason": "x"}).status_code == 403


# --- an import after approval --------------------------------------------------------------------


def test_an_import_after_approval_marks_the_period_changed_and_emails_the_approver(
    client_for, demo_site, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    demo_site["approver"].email = "approver@example.org"
    demo_site["approver"].save()
    save_period_entry(demo_site["owner"], "ASC01", "2013-10", {"actual": 74.0}, {}, "Ok.", 0, "")
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    client = client_for("analyst")
    response = upload(client, b"indicator,period,series,value\nASC01,2013-10,actual,77\n", "f.csv")
    page = client.get(response["Location"]).content.decode()
    digest = re.search(r'name="digest" value="([^"]+)"', page)[1]
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(
            response["Location"],
            {"action": "apply", "digest": digest, "reason": "Corrected return"},
        )
        run_jobs()  # the import is applied by a background job
    assert applied.status_code == 302
    assert [m.subject for m in mail.outbox] == [
        "Adult Social Care for Oct-13 was changed after approval"
    ]
    assert "ASC01 (imported from f.csv)" in mail.outbox[0].body
    review = client_for("approver").get("/sections/asc/2013-10/review/").content.decode()
    assert "Changed since approval" in review
    assert Signoff.objects.get(section__code="asc", period="2013-10", is_current=True).state == (
        "approved"
    )
