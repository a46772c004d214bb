"""Install a built wheel into a clean virtual environment and check the demo site it serves.

``python tools/wheel_smoke.py dist/kpiboard-*.whl``: a new venv (outside the source tree, so
nothing is imported from it), ``pip install`` of the wheel, ``kpiboard serve --demo`` on a free
port, then sign in as the administrator it prints and fetch the dashboard, the stylesheet, the
GOV.UK script and an image the stylesheet points at. Exit 0 when every one is served, 1 with the
reason otherwise. CI runs it (``make wheel-smoke``), since a wheel without its assets serves pages
without their styles and no test inside the tree can see that.
"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import venv
from pathlib import Path

ASSETS = {
    "/static/kpiboard/kpiboard.css": "text/css",
    "/static/kpiboard/init.js": "javascript",
    "/static/kpiboard/govuk-frontend.min.js": "javascript",
    "/static/kpiboard/govuk/assets/images/govuk-crest.svg": "image/svg+xml",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install(wheel: Path, where: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    return where / "bin" / "kpiboard"


def wait_for_login(server: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    """The administrator's username and password from the server's output, once it listens."""
    deadline = time.monotonic() + timeout
    assert server.stdout is not None
    said = []
    for line in server.stdout:
        said.append(line)
        found = re.search(r"Sign in as:\s+(\S+)\s+/\s+(\S+)", line)
        if found:
            return found.group(1), found.group(2)
        if time.monotonic() > deadline:
            break
    print("".join(said[-30:]), file=sys.stderr, end="")
    raise SystemExit(f"wheel smoke: the server printed no sign-in (exit {server.poll()})")


def fetch(opener, url: str, data: dict | None = None, tries: int = 60):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    for _ in range(tries):
        try:
            return opener.open(url, body, timeout=10)
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.5)
    raise SystemExit(f"wheel smoke: nothing answers at {url}")


def check_site(base: str, username: str, password: str) -> list[str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = fetch(opener, f"{base}/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    opener.addheaders = [("Referer", f"{base}/sign-in/")]
    dashboard = fetch(opener, f"{base}/sign-in/", form).read().decode()
    problems = [] if "Sign out" in dashboard else ["signing in did not reach the dashboard"]
    for path, kind in ASSETS.items():
        if path not in dashboard and path.endswith((".css", "init.js")):
            problems.append(f"the dashboard does not link {path}")
        try:
            response = opener.open(base + path, timeout=10)
        except urllib.error.HTTPError as exc:
            problems.append(f"{path}: HTTP {exc.code}")
            continue
        content_type = response.headers.get("Content-Type", "")
        size = len(response.read())
        if kind not in content_type or size < 100:
            problems.append(f"{path}: {content_type}, {size} bytes")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: wheel_smoke.py WHEEL", file=sys.stderr)
        return 2
    wheel = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory(prefix="kpiboard-wheel-") as tmp:
        kpiboard = install(wheel, Path(tmp) / "venv")
        port = free_port()
        server = subprocess.Popen(
            [kpiboard, "serve", "--demo", "--port", str(port), "--workers", "1"],
            cwd=tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            username, password = wait_for_login(server)
            problems = check_site(f"http://127.0.0.1:{port}", username, password)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for problem in problems:
        print(f"wheel smoke: {problem}", file=sys.stderr)
    if not problems:
        print(f"wheel smoke: {wheel.name} installs and serves its pages, styles and images")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
