"""A large report in a real browser: asking for it opens its job's page, which follows the job's
progress by itself and, when a worker has made the report, offers the download. axe-core checks
the page while it waits, part-way and when it is done, at 1280 and 390 pixels wide."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections

from kpiboard.web import jobs
from kpiboard.web.models import Job
from tests.browser_support import Journey
from tests.web.jobs_support import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_a_large_reports_job_shows_its_progress_then_the_download(
    demo_site, live_server, browser_page, settings, tmp_path, width
):
    settings.REPORT_JOB_INDICATORS = 0  # every report is large
    settings.DATA_DIR = tmp_path
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, live_server.url)
    journey.goto("/reports/")
    journey.sign_in("viewer")
    journey.goto("/reports/")
    page.get_by_label("PDF document").check()
    page.get_by_role("button", name="Download report").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path.startswith("/jobs/")
    assert page.get_by_text("Waiting for a worker to start it").is_visible()
    journey.check("report job waiting")

    try:
        job = Job.objects.get()
        jobs.Reporter(job)(1, 2, "Typesetting the PDF")  # as a worker part-way through says
        page.get_by_text("Typesetting the PDF").wait_for()  # the page follows it by itself
        assert page.locator("progress").get_attribute("value") == "50"
        journey.check("report job part-way")
        run_jobs()  # a worker makes the report
        page.get_by_role("link", name="Download").wait_for()  # the page shows it is done
        journey.check("report job done")
        filename = Job.objects.get().result_file
    finally:
        connections.close_all()  # see test_journey: opened beside Playwright's event loop
    assert page.get_by_text(f"{filename} is ready").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download {filename}").click()
    download = download_info.value
    assert download.suggested_filename == filename and filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert not journey.failures, journey.failures
    journey.assert_accessible()
