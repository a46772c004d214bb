"""Importing figures from CSV and spreadsheet files: check every row, preview, apply all or none."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpiboard.web.db_import import apply_db_import, plan_db_import
from kpiboard.web.models import Figure
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import ConcurrentEdit, Invalid, save_period_entry
from tests.web.jobs_support import job_url, run_jobs


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    """Uploads wait in a temporary data folder."""
    settings.DATA_DIR = tmp_path


GOOD = (
    "indicator,period,series,value,note\n"
    "ASC01,Oct-13,actual,75,Provisional\n"  # new
    "ASC01,2013-09,actual,74,\n"  # changed: 73 -> 74
    "ASC01,2013-08,actual,74,\n"  # unchanged
    "SCS01,2013/14 Q3,actual,84.5,\n"  # new
)
BAD = (
    "indicator,period,series,value\n"
    "ASC01,2013-10,actual,75\n"
    "ASC01,2013-11,actual,seventy\n"  # line 3: not a number
    "SCS01,2013/14 Q3,actual,84.5\n"
)


def upload(client, text: str | bytes, name: str = "figures.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/import/", {"file": SimpleUploadedFile(name, data)})


def current(code="ASC01", period="2013-10", series="actual") -> Figure | None:
    return Figure.objects.filter(
        indicator__code=code, period=period, series=series, is_current=True
    ).first()


def digest(page: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]+)"', page)[1]


def uploads(tmp_path) -> list:
    folder = tmp_path / "imports"
    return list(folder.iterdir()) if folder.is_dir() else []


def test_analysts_administrators_and_owners_import(client_for):
    for name in ("approver", "viewer"):
        assert client_for(name).get("/import/").status_code == 403
    for name in ("analyst", "admin", "owner", "section_owner"):
        page = client_for(name).get("/import/")
        assert page.status_code == 200 and 'type="file"' in page.content.decode()


def test_a_file_with_one_bad_row_changes_nothing_and_names_the_row_indicator_and_period(
    client_for, tmp_path
):
    before = Figure.objects.count()
    response = upload(client_for("analyst"), BAD)
    page = response.content.decode()
    assert response.status_code == 400
    assert "figures.csv has 1 problem: nothing was imported" in page
    assert "ASC01 2013-11 (row 3, value): &#x27;seventy&#x27; is not a number" in page
    assert re.search(
        r">3</td>\s*<td[^>]*>value</td>\s*<td[^>]*>ASC01</td>\s*<td[^>]*>2013-11<", page
    )
    assert Figure.objects.count() == before
    assert uploads(tmp_path) == []


def test_every_problem_is_listed(client_for):
    text = (
        "indicator,period,series,value\n"
        "ASC99,2013-10,actual,1\n"
        "ASC01,Smarch,actual,1\n"
        "ASC02,2013-10,target,30\n"
    )
    page = upload(client_for("analyst"), text).content.decode()
    assert "has 3 problems" in page
    assert "unknown indicator &#x27;ASC99&#x27;" in page
    assert "is not a period label" in page or "not a month name" in page
    assert "it has no target" in page


def test_a_good_file_is_previewed_then_applied_in_one_go(client_for, tmp_path, demo_site):
    client = client_for("analyst")
    response = upload(client, GOOD)
    assert response.status_code == 302
    preview = client.get(response.url)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert re.search(r"New figures</dt>\s*<dd[^>]*>2<", page)
    assert re.search(r"Changed figures</dt>\s*<dd[^>]*>1<", page)
    assert re.search(r"Unchanged</dt>\s*<dd[^>]*>1<", page)
    assert "73%" in page and "74%" in page and "Note: Provisional" in page
    assert current() is None  # nothing saved before Apply
    job = job_url(client.post(response.url, {"action": "apply", "digest": digest(page)}))
    assert "Waiting for a worker to start it" in client.get(job).content.decode()
    assert current() is None  # the worker applies it
    run_jobs()
    assert current().value == 75.0 and current().note == "Provisional"
    assert current(period="2013-09").value == 74.0
    assert current(period="2013-09").reason == "Imported from figures.csv"
    assert current(period="2013-08").revision == 1  # unchanged: no revision
    assert current("SCS01", "2013/14 Q3").author == demo_site["analyst"]
    done = client.get(job).content.decode()
    assert "Imported 2 new figures and 1 changed figure from figures.csv" in done
    assert uploads(tmp_path) == []
    assert client.get(response.url).status_code == 404  # applied: gone


def test_a_wide_spreadsheet_is_read_too(client_for):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "series", "Oct-13", "Nov-13"])
    sheet.append(["ASC01", "actual", 75, 76.5])
    sheet.append(["ASC01", "clients", 11900, None])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for("analyst")
    response = upload(client, buffer.getvalue(), "trend.xlsx")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Trend table" in page and re.search(r"New figures</dt>\s*<dd[^>]*>3<", page)
    job_url(client.post(response.url, {"action": "apply", "digest": digest(page)}))
    run_jobs()
    assert current(period="2013-11").value == 76.5
    assert current(series="clients").value == 11900


def test_a_bad_cell_in_a_spreadsheet_is_named_by_indicator_period_row_and_column(client_for):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["indicator", "series", "Oct-13"])
    book.active.append(["ASC01", "actual", "n/a"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = upload(client_for("analyst"), buffer.getvalue(), "trend.xlsx").content.decode()
    assert "ASC01 Oct-13 (row 2, C): &#x27;n/a&#x27; is not a number" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("figures.pdf", b"%PDF", "must be a CSV or Excel file"),
        ("figures.csv", b"", "The selected file is empty"),
    ],
)
def test_files_that_cannot_be_imported_are_refused(client_for, name, data, message):
    response = upload(client_for("analyst"), data, name)
    assert response.status_code == 400 and message in response.content.decode()


def test_no_file_is_an_error_linked_to_the_field(client_for):
    response = client_for("analyst").post("/import/", {})
    assert response.status_code == 400
    assert '<a href="#file">Select a CSV or Excel file</a>' in response.content.decode()


def test_a_stale_preview_is_not_applied(client_for, demo_site):
    client = client_for("analyst")
    url = upload(client, GOOD).url
    page = client.get(url).content.decode()
    save_period_entry(demo_site["owner"], "ASC01", "2013-10", {"actual": 70.0}, {}, None, 0, "")
    response = client.post(url, {"action": "apply", "digest": digest(page)})
    assert response.status_code == 409
    assert "Figures have changed since you checked this file" in response.content.decode()
    assert current().value == 70.0 and current(period="2013-09").value == 73.0


def test_approved_periods_need_a_reason(client_for, demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    client = client_for("analyst")
    url = upload(client, GOOD).url
    page = client.get(url).content.decode()
    assert "changes figures of approved periods: Adult Social Care for Sep-13" in page
    refused = client.post(url, {"action": "apply", "digest": digest(page)})
    assert refused.status_code == 400
    assert '<a href="#reason">Enter a reason for changing approved figures</a>' in (
        refused.content.decode()
    )
    assert current() is None and current(period="2013-09").value == 73.0
    job_url(client.post(url, {"action": "apply", "digest": digest(page), "reason": "Audit"}))
    run_jobs()
    assert current(period="2013-09").reason == "Imported from figures.csv: Audit"


def test_cancel_removes_the_upload(client_for, tmp_path):
    client = client_for("analyst")
    url = upload(client, GOOD).url
    assert len(uploads(tmp_path)) == 1
    response = client.post(url, {"action": "cancel"})
    assert response.status_code == 302 and uploads(tmp_path) == []
    assert current() is None


def test_an_upload_is_only_for_the_person_who_made_it(client_for):
    url = upload(client_for("analyst"), GOOD).url
    assert client_for("admin").get(url).status_code == 404
    assert client_for("analyst").get("/import/../../etc/").status_code == 404
    assert client_for("analyst").get("/import/not-a-token/").status_code == 404


# --- the write path directly ---------------------------------------------------------------------


def write(tmp_path, text: str, name: str = "figures.csv"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_apply_refuses_when_a_figure_changed_after_planning(demo_site, tmp_path):
    plan = plan_db_import(write(tmp_path, GOOD))
    save_period_entry(
        demo_site["owner"], "ASC01", "2013-09", {"actual": 72.0}, {"actual": 1}, None, 0, "Fix"
    )
    before = Figure.objects.count()
    with pytest.raises(ConcurrentEdit) as caught:
        apply_db_import(demo_site["analyst"], plan)
    assert [c.field for c in caught.value.conflicts] == ["ASC01 2013-09 actual"]
    assert caught.value.conflicts[0].theirs == 72.0
    assert Figure.objects.count() == before


def test_owners_apply_only_their_own_and_approved_periods_need_a_reason(demo_site, tmp_path):
    from django.core.exceptions import PermissionDenied

    plan = plan_db_import(write(tmp_path, GOOD))  # ASC01 and SCS01
    with pytest.raises(PermissionDenied):
        apply_db_import(demo_site["owner"], plan)
    with pytest.raises(PermissionDenied):
        apply_db_import(demo_site["approver"], plan)
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    with pytest.raises(Invalid) as caught:
        apply_db_import(demo_site["analyst"], plan_db_import(write(tmp_path, GOOD)))
    assert caught.value.errors == {"reason": "Enter a reason for changing approved figures"}


def test_an_empty_cell_never_deletes_a_figure(demo_site, tmp_path):
    plan = plan_db_import(write(tmp_path, "indicator,period,series,value\nASC01,2013-09,actual,\n"))
    assert plan.changes == () and not plan.has_changes


# --- hostile uploads ----------------------------------------------------------------------------


def test_a_sheet_reaching_too_far_is_refused_and_removed(client_for, tmp_path, monkeypatch):
    import python_calamine

    from tests.hostile_files import one_cell_at

    def refuse(*_args, **_kwargs):
        raise AssertionError("the spreadsheet reader was reached")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)
    data = one_cell_at(tmp_path / "far.xlsx", "XFD1048576").read_bytes()
    (tmp_path / "far.xlsx").unlink()
    response = upload(client_for("analyst"), data, "far.xlsx")
    page = response.content.decode()
    assert response.status_code == 400
    assert "far.xlsx has 1 problem: nothing was imported" in page
    assert "the sheet reaches cell XFD1048576 (1,048,576 rows and 16,384 columns from A1)" in page
    assert uploads(tmp_path) == []


def test_an_upload_failing_unexpectedly_is_removed_too(client_for, tmp_path, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("kpiboard.web.views.imports.plan_db_import", fail)
    client = client_for("analyst")
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        upload(client, GOOD)
    assert uploads(tmp_path) == []


def test_an_oversized_upload_is_refused_before_its_body_is_read(client_for, tmp_path, monkeypatch):
    from django.http.multipartparser import MultiPartParser

    def parse(*_args, **_kwargs):
        raise AssertionError("the upload's body was read")

    monkeypatch.setattr(MultiPartParser, "parse", parse)
    response = upload(client_for("analyst"), b"x" * (5 * 1024 * 1024 + 70_000), "big.csv")
    assert response.status_code == 413
    assert "The selected file must be smaller than 5MB" in response.content.decode()
    assert uploads(tmp_path) == []


def test_an_upload_just_over_the_limit_is_refused_after_reading(client_for, tmp_path):
    response = upload(client_for("analyst"), b"x" * (5 * 1024 * 1024 + 1), "big.csv")
    assert response.status_code == 400
    assert "The selected file must be smaller than 5MB" in response.content.decode()
    assert uploads(tmp_path) == []


def test_the_size_refusal_still_checks_the_csrf_token_for_other_uploads(demo_site):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo_site["analyst"])
    response = upload(strict, GOOD)
    assert response.status_code == 403


@pytest.mark.parametrize("suffix", [".xls", ".xlsb", ".xlsm"])
def test_workbook_kinds_not_offered_are_refused(client_for, tmp_path, suffix):
    response = upload(client_for("analyst"), b"PK\x03\x04", f"figures{suffix}")
    assert response.status_code == 400
    assert "must be a CSV or Excel file (.csv, .xlsx or .ods)" in response.content.decode()
    assert uploads(tmp_path) == []


def test_the_file_picker_offers_only_what_is_read(client_for):
    page = client_for("analyst").get("/import/").content.decode()
    assert 'accept=".csv,.xlsx,.ods"' in page


def test_a_second_apply_of_one_preview_is_told_it_was_taken(client_for, demo_site, monkeypatch):
    # Two "Apply" posts of one preview at once: the other one claims the upload between this
    # request reading it and applying it. This one is told so (no server error), nothing twice.
    from kpiboard.web.views import imports

    client = client_for("analyst")
    response = upload(client, GOOD)
    page = client.get(response.url).content.decode()
    real_find = imports.uploads.find
    raced = []

    def find_then_lose_the_race(token, uploader, claimed=False):
        stored = real_find(token, uploader, claimed)
        if not raced:  # the other post queues its job while this one waits
            raced.append(True)
            job_url(client.post(response.url, {"action": "apply", "digest": digest(page)}))
        return stored

    monkeypatch.setattr(imports.uploads, "find", find_then_lose_the_race)
    late = client.post(response.url, {"action": "apply", "digest": digest(page)})
    assert late.status_code == 409
    assert "already been applied" in late.content.decode().replace("\n", " ")
    monkeypatch.undo()
    again = client.post(response.url, {"action": "apply", "digest": digest(page)})
    assert again.status_code == 409  # while the job has it, too
    run_jobs()
    assert current().value == 75.0 and current().revision == 1


def test_an_owner_imports_their_own_figures(client_for, tmp_path):
    client = client_for("owner")
    response = upload(client, b"indicator,period,series,value\nASC01,2013-10,actual,75\n")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    client.post(response.url, {"action": "apply", "digest": digest(page)})
    run_jobs()
    assert current().value == 75.0 and current().author.username == "owner"


def test_an_owner_is_refused_rows_of_what_they_do_not_own_naming_them(client_for, tmp_path):
    text = (
        b"indicator,period,series,value\n"
        b"ASC01,2013-10,actual,75\n"
        b"ASC02,2013-10,actual,50\n"
        b"ASC01,2013-10,target,80\n"
    )
    response = upload(client_for("owner"), text)
    page = response.content.decode()
    assert response.status_code == 400
    assert "ASC02 2013-10 (row 3, indicator): you do not enter figures for ASC02" in page
    assert "only analysts set targets and thresholds (target)" in page
    assert current() is None and uploads(tmp_path) == []
