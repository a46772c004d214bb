"""Headless Debian Chromium for browser tests, and axe-core for accessibility checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def require_browser() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    if not AXE.exists():
        pytest.skip("axe-core is not installed (run npm install, as make test does)")
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page for WCAG 2.2 A/AA rules; returns its violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in violations
        ],
        indent=2,
    )


class Journey:
    """The browser page, with an accessibility check of every page it lands on."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base = base_url
        self.checked: list[str] = []
        self.violations: dict[str, list[dict]] = {}
        self.failures: list[str] = []
        page.on("response", self._response)
        page.on("console", self._console)

    def _response(self, response):
        # Chromium asks for /favicon.ico by itself; the site has none (a 404 nobody sees).
        if response.status >= 400 and urlsplit(response.url).path != "/favicon.ico":
            self.failures.append(
                f"{response.status} {response.request.resource_type} {response.url}"
            )

    def _console(self, message):
        # A Content-Security-Policy refusal, a script error... (failed loads: see _response)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.failures.append(f"console error on {self.page.url}: {message.text}")

    def assert_accessible(self) -> None:
        """No WCAG 2.2 A/AA violation on any page checked, with each one described if any."""
        assert not self.violations, "axe-core WCAG 2.2 A/AA violations:\n" + "\n".join(
            f"{where}:\n{describe(found)}" for where, found in self.violations.items()
        )

    def check(self, what: str) -> None:
        """axe-core on the page as it is now, recorded against ``what`` (and its address)."""
        self.page.wait_for_load_state("load")
        path = urlsplit(self.page.url)
        where = f"{what} ({path.path}{'?' + path.query if path.query else ''})"
        self.checked.append(where)
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_TAGS,
        )
        found = result["violations"]
        if found:
            self.violations[where] = found

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, username: str) -> None:
        page = self.page
        assert page.get_by_role("heading", name="Sign in").is_visible()
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state("load")

    def nav(self, name: str) -> None:
        self.page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()
        self.page.wait_for_load_state("load")

    def banner_text(self) -> str:
        return " ".join(self.page.locator(".govuk-notification-banner").all_inner_texts())
