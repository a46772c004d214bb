"""An import in a real browser: upload, preview, Apply, then the job's page follows the job and
says what it imported. axe-core checks each page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.db import connections

from kpiboard.web.models import Figure
from tests.browser_support import Journey
from tests.web.jobs_support import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = b"indicator,period,series,value\nASC01,2013-10,actual,75\nASC01,2013-09,actual,74\n"


@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_an_import_is_applied_by_a_worker_while_its_page_follows_it(
    demo_site, live_server, browser_page, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    page = browser_page
    journey = Journey(page, live_server.url)
    journey.goto("/import/")
    journey.sign_in("analyst")
    journey.goto("/import/")
    page.set_input_files("#file", files=[{"name": "figures.csv", "mimeType": "text/csv",
                                           "buffer": CSV}])  # fmt: skip
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Check the changes in figures.csv").is_visible()
    journey.check("import preview")
    page.get_by_role("button", name="Apply the import").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path.startswith("/jobs/")
    assert page.get_by_text("Waiting for a worker to start it").is_visible()
    journey.check("import job waiting")
    try:
        run_jobs()
        page.get_by_text("Imported 1 new figure and 1 changed figure from figures.csv").wait_for()
        journey.check("import job done")
        october = Figure.objects.get(
            indicator__code="ASC01", period="2013-10", series="actual", is_current=True
        )
    finally:
        connections.close_all()  # see test_journey: opened beside Playwright's event loop
    assert october.value == 75 and october.reason == "Imported from figures.csv"
    page.get_by_role("link", name="See the imported figures in Recent changes").click()
    page.wait_for_load_state("load")
    assert "Imported from figures.csv" in page.get_by_role("row").nth(1).inner_text()
    journey.check("recent changes after the import")
    assert not journey.failures, journey.failures
    journey.assert_accessible()
