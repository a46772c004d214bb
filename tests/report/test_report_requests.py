"""A report makes no requests: commentary images are dropped (HTML and PDF alike) unless they
are ``data:`` URIs, and the HTML report's Content-Security-Policy lets it load nothing else."""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from kpiboard.report import build_report
from kpiboard.report.html import render_html
from kpiboard.report.markdown import to_html
from kpiboard.report.typst_markup import escape_text, markdown_to_typst
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk"
    "YAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def test_remote_and_relative_images_become_a_visible_note():
    html = to_html(
        "Spend ![Bar chart of *costs*](https://tracker.invalid/pixel.png) and "
        "![](images/chart.png) and [ref image][r].\n\n![<b>x</b>][r]\n\n"
        "[r]: http://tracker.invalid/ref.png"
    )
    assert "<img" not in html
    assert "tracker.invalid/pixel.png" not in html
    assert '<em class="image-dropped">[Image: Bar chart of costs]</em>' in html
    assert '<em class="image-dropped">[Image: images/chart.png]</em>' in html
    assert "[Image: &lt;b&gt;x&lt;/b&gt;]" in html


def test_data_uri_images_are_kept():
    html = to_html(f"![One pixel]({PIXEL})")
    assert f'<img src="{PIXEL}" alt="One pixel" />' in html


def test_pdf_markup_uses_the_same_note_and_never_prints_a_data_uri():
    remote = markdown_to_typst("![](https://x.invalid/y.png)")
    assert remote == f"#emph[{escape_text('[Image: https://x.invalid/y.png]')}]"
    assert markdown_to_typst(f"![]({PIXEL})") == f"#emph[{escape_text('[Image]')}]"


def _style_hash(html: str) -> str:
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    return base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()


def test_html_report_carries_a_policy_that_loads_nothing(demo_pack):
    html = render_html(build_report(demo_pack))
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta is not None
    assert html.index(meta.group(0)) < html.index("<style>")  # a policy covers what follows it
    policy = html_lib.unescape(meta.group(1))
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives == {
        "default-src": "'none'",
        "img-src": "data:",
        "style-src": f"'sha256-{_style_hash(html)}'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }


class _Counter(BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def do_GET(self):  # the http.server API's name
        _Counter.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(base64.b64decode(PIXEL.partition(",")[2]))

    def log_message(self, *args):
        pass


@pytest.fixture
def tracker():
    """A local web server that records every request made to it."""
    _Counter.paths = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Counter.paths
    server.shutdown()
    server.server_close()


def _open(path) -> tuple[list[str], dict]:
    """Open ``path`` in Chromium; its console errors and a few facts about the page."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            facts = page.evaluate(
                """() => ({
                    skip: getComputedStyle(document.querySelector('.skip-link')).position,
                    svgs: document.querySelectorAll('svg').length,
                    notes: [...document.querySelectorAll('.image-dropped')].map(e => e.textContent),
                    pixel: [...document.images].map(i => i.complete && i.naturalWidth),
                })"""
            )
        finally:
            browser.close()
    return errors, facts


@pytest.mark.browser
def test_report_with_remote_images_in_commentary_makes_no_request(demo_pack, tmp_path, tracker):
    require_browser()
    base, requests = tracker
    model = build_report(demo_pack)
    model.sections[0].pages[
        0
    ].commentary.markdown = f"Read this. ![tracker]({base}/commentary.png)\n\n![One pixel]({PIXEL})"
    path = tmp_path / "report.html"
    path.write_text(render_html(model), encoding="utf-8")
    errors, facts = _open(path)
    assert errors == []  # the stylesheet, inline SVG and data: image all pass the policy
    assert facts["skip"] == "absolute"  # the stylesheet applied
    assert facts["svgs"] > 20
    assert facts["notes"] == ["[Image: tracker]"]
    assert facts["pixel"] == [1]
    assert requests == []


@pytest.mark.browser
def test_policy_blocks_an_image_that_got_past_the_markdown(demo_pack, tmp_path, tracker):
    require_browser()
    base, requests = tracker
    html = render_html(build_report(demo_pack))
    html = html.replace("</main>", f'<img src="{base}/injected.png" alt=""></main>', 1)
    assert "injected.png" in html
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    errors, _ = _open(path)
    assert requests == []
    assert any("Content Security Policy" in e and "injected.png" in e for e in errors), errors
