"""Take the screenshots of docs/monthly-cycle.md from the council demo, at 1280 px wide.

``python tools/docs_screenshots.py [docs/images]``: starts ``kpiboard serve --demo`` on a free
port, runs the month as each role would (the owner's reminders, task list, an action's
progress update, grid and check your answers; the approver's team view and review; the
analyst's reporting month, annual targets and a late import; the administrator's people),
saves a PNG of each page, then stops the demo.
Needs Playwright and Chromium (as the browser tests do). Look at every picture before committing
it: the page must show what the docs say it shows.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("KPIBOARD_CHROMIUM", "/usr/bin/chromium")
LATE_CSV = b"indicator,period,series,value\nASC01,2013-10,actual,76\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(port: int) -> tuple[subprocess.Popen, dict[str, str], str]:
    """The demo server, its people's passwords and its database's folder."""
    log = Path(tempfile.mkdtemp(prefix="kpiboard-shots-")) / "demo.log"
    with log.open("w") as out:  # the child keeps its own copy of the file
        server = subprocess.Popen(
            [sys.executable, "-m", "kpiboard.cli", "serve", "--demo", "--port", str(port),
             "--workers", "1"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/healthz"
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    text = log.read_text()
    passwords = dict(re.findall(r"(?:Sign in as|or):\s+(\S+)\s+/\s+(\S+)", text))
    database = re.search(r"Demo data loaded into (\S+)", text)
    if not passwords or database is None:
        raise SystemExit(f"the demo did not start:\n{text}")
    return server, passwords, str(Path(database.group(1)).parent)


def send_reminders(data_dir: str) -> None:
    """``kpiboard remind`` on the demo's database, as the morning's cron job would."""
    env = dict(os.environ, KPIBOARD_DATA_DIR=data_dir)
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", "remind", "--today", "2013-12-02"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip


class Shots:
    def __init__(self, page, base: str, passwords: dict[str, str], out: Path) -> None:
        self.page, self.base, self.passwords, self.out = page, base, passwords, out

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")

    def click(self, role: str, name: str) -> None:
        self.page.get_by_role(role, name=name).first.click()
        self.page.wait_for_load_state("load")

    def sign_in(self, name: str) -> None:
        self.go("/sign-in/")
        self.page.get_by_label("Username").fill(name)
        self.page.get_by_label("Password").fill(self.passwords[name])
        self.click("button", "Sign in")

    def sign_out(self) -> None:
        self.click("button", "Sign out")

    def shot(self, name: str, height: int = 900) -> None:
        """The top of the page (a busy page cut shorter, to keep its PNG under ~150 KB)."""
        clip = {"x": 0, "y": 0, "width": 1280, "height": height}
        self.page.screenshot(path=str(self.out / f"{name}.png"), clip=clip)
        print(self.out / f"{name}.png")


def owner(s: Shots) -> None:
    s.sign_in("asc-owner")
    s.shot("owner-task-list")
    s.go("/messages/")
    s.shot("owner-messages", height=700)
    s.go("/plan/actions/ACT-DP/update/2013-10/")
    s.shot("owner-plan-update")
    s.go("/enter/")
    s.shot("owner-grid")
    s.page.locator("input[name$='-figure']").first.fill("75")
    s.page.locator("textarea[name$='-commentary']").first.fill("Steady: on the plan.")
    s.click("button", "Save and check Adult Social Care")
    s.click("button", "Submit for approval")
    s.shot("owner-check-answers-gaps", height=720)
    for box in s.page.locator("textarea[name^='gap-']").all():
        box.fill("The provider's return arrives on the 10th")
    s.click("button", "Submit for approval")
    s.sign_out()


def approver(s: Shots) -> None:
    s.sign_in("asc-approver")
    s.go("/team/")
    s.shot("approver-team")
    s.go("/sections/asc/2013-10/review/")
    s.shot("approver-review")
    s.page.get_by_label("Approve", exact=True).check()
    s.click("button", "Confirm decision")
    s.go("/dashboard/")
    s.shot("approver-dashboard-new-month")
    s.sign_out()


def analyst(s: Shots) -> None:
    s.sign_in("admin")
    s.go("/reporting-month/")
    s.shot("analyst-reporting-month")
    s.go("/indicators/ASC01/targets/")
    s.shot("analyst-annual-targets")
    s.go("/import/")
    s.page.set_input_files("#file", files=[{"name": "late.csv", "mimeType": "text/csv",
                                            "buffer": LATE_CSV}])  # fmt: skip
    s.click("button", "Check the file")
    s.page.get_by_label("Reason for the import").fill("The provider corrected October")
    s.click("button", "Apply the import")
    s.page.get_by_text(re.compile(r"Imported .* from late\.csv")).wait_for(timeout=60_000)
    s.go("/sections/asc/2013-10/review/")
    s.shot("analyst-changed-since-approval")
    s.go("/people/")
    s.shot("admin-people")
    s.sign_out()


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server, passwords, data_dir = start_demo(port)
    try:
        send_reminders(data_dir)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page.set_default_timeout(30_000)
            shots = Shots(page, f"http://127.0.0.1:{port}", passwords, out)
            owner(shots)
            approver(shots)
            analyst(shots)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the demo and the worker it started
        server.wait(timeout=30)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
