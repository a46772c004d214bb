"""Background jobs on the web: a large report is made by a worker, with a progress page and then a
download; an import's job page says how far it has got and what it did, or why it stopped; a job is
seen only by the person who started it and administrators; previews of large files stay small."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpiboard.web import jobs
from kpiboard.web.models import Figure, Job, JobOutcome
from kpiboard.web.views import imports
from kpiboard.web.writes import save_period_entry
from tests.web.jobs_support import job_url, run_jobs

REPORT = {"section": "", "tag": "", "period": "2013-09", "format": "html", "version": "now"}
GOOD = "indicator,period,series,value\nASC01,2013-10,actual,75\nASC01,2013-09,actual,74\n"


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def large_reports(settings):
    """Every report counts as large: made by a worker."""
    settings.REPORT_JOB_INDICATORS = 0


def queue_report(client, **choices) -> str:
    return job_url(client.get(reverse("kpiboard:report_download"), {**REPORT, **choices}))


def test_a_large_report_is_made_by_a_worker_then_downloaded(client_for, large_reports):
    client = client_for("viewer")
    url = queue_report(client, format="pdf")
    waiting = client.get(url).content.decode()
    assert "Waiting for a worker to start it" in waiting
    assert 'max="100" value="0"' in waiting and "Refresh to see how far it has got" in waiting
    assert client.get(url + "download/").status_code == 404  # not made yet
    assert client.get(url, {"format": "json"}).json() == {
        "running": True,
        "failed": False,
        "percent": 0,
        "step": "Waiting for a worker to start it",
    }
    run_jobs()
    done = client.get(url).content.decode()
    name = Job.objects.get().result_file
    assert re.fullmatch(r"[a-z0-9-]+-2013-09\.pdf", name)
    assert f"{name} is ready" in done and f"Download {name}" in done
    assert client.get(url, {"format": "json"}).json()["running"] is False
    file = client.get(url + "download/")
    assert file["Content-Disposition"] == f'attachment; filename="{name}"'
    assert b"".join(file.streaming_content).startswith(b"%PDF")


def test_a_small_report_is_still_downloaded_at_once(client_for):
    response = client_for("viewer").get(reverse("kpiboard:report_download"), REPORT)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not Job.objects.exists()


def test_a_report_job_that_cannot_be_made_says_why(client_for, large_reports):
    # Approved when queued, reopened before the worker got to it.
    from tests.web.test_reports import approve

    approval = approve("asc", "2013-09")
    client = client_for("viewer")
    url = queue_report(client, section="asc", version="approved")
    approval.delete()
    run_jobs()
    page = client.get(url).content.decode()
    assert "The report did not finish" in page
    assert "Adult Social Care has not been approved for September 2013" in page


def test_a_job_is_seen_only_by_whoever_started_it_and_administrators(client_for, large_reports):
    url = queue_report(client_for("viewer"))
    run_jobs()
    for name in ("owner", "analyst", "approver"):
        assert client_for(name).get(url).status_code == 404
        assert client_for(name).get(url + "download/").status_code == 404
    assert client_for("admin").get(url).status_code == 200
    assert client_for("admin").get(url + "download/").status_code == 200


def test_an_import_job_page_shows_progress_while_it_runs(client_for, demo_site):
    client = client_for("analyst")
    preview = client.post("/import/", {"file": SimpleUploadedFile("f.csv", GOOD.encode())}).url
    page = client.get(preview).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page)[1]
    url = job_url(client.post(preview, {"action": "apply", "digest": digest}))
    job = Job.objects.get()
    jobs.Reporter(job)(1, 4, "Writing the figures")
    page = client.get(url).content.decode()
    assert 'max="100" value="25"' in page and "Writing the figures" in page
    assert client.get(preview).url == url  # the preview of a file being applied: its job


def test_an_import_stopped_by_a_change_gives_the_file_back(client_for, demo_site):
    client = client_for("analyst")
    preview = client.post("/import/", {"file": SimpleUploadedFile("f.csv", GOOD.encode())}).url
    page = client.get(preview).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page)[1]
    url = job_url(client.post(preview, {"action": "apply", "digest": digest}))
    # Someone saves a figure of the file after Apply, before the worker starts.
    save_period_entry(demo_site["owner"], "ASC01", "2013-09", {"actual": 70.0}, {"actual": 1},
                      None, 0, "Corrected")  # fmt: skip
    run_jobs()
    failed = client.get(url).content.decode()
    assert "The import did not finish" in failed and "nothing was imported" in failed
    assert f'href="{preview}"' in failed  # check it again
    assert Job.objects.get().outcome == JobOutcome.FAILED
    assert not Figure.objects.filter(indicator__code="ASC01", period="2013-10").exists()
    again = client.get(preview).content.decode()
    assert "Check the changes in f.csv" in again


def test_a_large_file_preview_lists_the_first_changes_and_counts_the_rest(
    client_for, demo_site, monkeypatch
):
    monkeypatch.setattr(imports, "CHANGES_SHOWN", 2)
    months = ["2013-10", "2013-11", "2013-12", "2014-01", "2014-02"]
    text = "indicator,period,series,value\n" + "".join(f"ASC01,{m},actual,7{i}\n" for i, m in
                                                        enumerate(months))  # fmt: skip
    client = client_for("analyst")
    preview = client.post("/import/", {"file": SimpleUploadedFile("f.csv", text.encode())}).url
    page = client.get(preview).content.decode()
    assert re.search(r"New figures</dt>\s*<dd[^>]*>5<", page)
    assert "What the import changes: the first 2" in page
    assert "the import also makes 3 more, counted above" in page
    assert page.count('<strong class="govuk-tag govuk-tag--green">New</strong>') == 2


def test_problems_past_the_first_are_grouped_by_column_and_kind(client_for, monkeypatch):
    monkeypatch.setattr(imports, "PROBLEMS_SHOWN", 2)
    rows = "".join(f"ASC01,2013-{m:02d},actual,bad{m}\n" for m in range(1, 8))
    text = "indicator,period,series,value\n" + rows + "ASC01,2013-08,actual,seventy\n"
    response = client_for("analyst").post(
        "/import/", {"file": SimpleUploadedFile("f.csv", text.encode())}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "8 problems in f.csv: the first 2" in page
    assert "The other 6 problems, by column and kind" in page
    assert re.search(r"‘…’ is not a number</td>\s*<td[^>]*>6</td>\s*<td[^>]*>4 to 9</td>", page)
    assert "and 6 more problems: see the table below" in page


def test_a_finished_jobs_file_is_removed_after_a_week(client_for, large_reports):
    from datetime import timedelta

    from django.utils import timezone

    url = queue_report(client_for("viewer"))
    run_jobs()
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(finished=timezone.now() - timedelta(days=8))
    jobs.tidy()
    assert not jobs.folder(job).exists()
    assert client_for("viewer").get(url + "download/").status_code == 404


def test_a_new_worker_fails_only_jobs_whose_worker_on_this_machine_has_gone(
    client_for, large_reports
):
    import os
    import socket
    import subprocess
    import sys

    from django_tasks_db.models import DBTaskResult

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    host = socket.gethostname()
    claimed_by = {
        "dead here": f"{host}:{gone}:abcdefgh",
        "alive here": f"{host}:{os.getpid()}:abcdefgh",
        "elsewhere": f"another-server:{gone}:abcdefgh",
        "not ours": "a-worker-id-of-another-form",
    }
    client = client_for("viewer")
    urls = {}
    for what, worker in claimed_by.items():
        urls[what] = queue_report(client)
        job = Job.objects.order_by("-created").first()
        DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING", worker_ids=[worker])
    assert jobs.fail_abandoned() == 1
    page = client.get(urls["dead here"]).content.decode()
    assert "The report did not finish" in page and "The worker running this job stopped" in page
    for what in ("alive here", "elsewhere", "not ours"):
        assert client.get(urls[what], {"format": "json"}).json()["running"] is True, what
