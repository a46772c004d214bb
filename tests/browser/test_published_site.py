"""The published site in a real browser, served from a plain folder by a simple web server on
127.0.0.1: every page kind passes axe-core at 1280 and 390 pixels wide, nothing fails to load
and nothing is refused by the pages' Content-Security-Policy."""

from __future__ import annotations

import functools
import threading
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kpiboard.publish import Part, Publisher, build, write_folder
from tests.browser_support import Journey

pytestmark = pytest.mark.browser

PAGES = [
    ("summary", "index.html"),
    ("data", "data.html"),
    ("section with SPC", "section-asc.html"),
    ("section with lead indicators", "section-scs.html"),
    ("indicator with SPC", "ind-ASC01.html"),
    ("indicator with peers", "ind-SCS01.html"),
    ("lead indicator", "ind-LEAD01.html"),
]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def served(demo_pack, tmp_path_factory):
    """The council demo published into a folder, and the address of a server for it."""
    folder = tmp_path_factory.mktemp("published") / "site"
    part = Part(demo_pack, tuple(s.id for s in demo_pack.sections), demo_pack.as_at)
    write_folder(build([part], Publisher("test", datetime.now(UTC), "test")), folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("width", [1280, 390])
def test_published_pages_pass_axe_and_load_only_themselves(served, browser_page, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    journey = Journey(page, served)
    for what, path in PAGES:
        journey.goto(path)
        journey.check(what)
    journey.goto("index.html")
    page.get_by_role("navigation", name="Site").get_by_role(
        "link", name="Adult Social Care"
    ).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/section-asc.html")
    assert not journey.failures, journey.failures
    journey.assert_accessible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_allow_orm_beside_playwright")
def test_publish_page_and_its_job_pass_axe(
    demo_site, live_server, browser_page, settings, tmp_path
):
    """An analyst's Publish page, at both widths, then the job it starts and its download."""
    from django.db import connections

    from kpiboard.web.signoff import set_signoff
    from tests.web.jobs_support import run_jobs

    settings.DATA_DIR = tmp_path
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    page = browser_page
    journey = Journey(page, live_server.url)
    journey.goto("/publish/")
    journey.sign_in("analyst")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        journey.goto("/publish/")
        journey.check(f"publish page at {width}px")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state("load")
    try:
        run_jobs()
        journey.goto(page.url.removeprefix(live_server.url))
        journey.check("publication job done")
    finally:
        connections.close_all()  # see test_journey: opened beside Playwright's event loop
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    assert download_info.value.suggested_filename.endswith(".zip")
    assert not journey.failures, journey.failures
    journey.assert_accessible()
