"""Two app servers on one PostgreSQL database agree: a figure saved through one is on the
other's next page. Each gunicorn keeps its own built pack and pages, filed under the data version
in the database, so the other sees the version move on and rebuilds (web/incremental.py).

Runs against the PostgreSQL on 127.0.0.1:5432 with a private database; skipped without one.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import bench_web  # noqa: E402  (scripts beside the tests, not a package)
import soak_web  # noqa: E402

DATABASE = "kpiboard_webscale_two_servers"
URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
CODE = bench_web.indicator_code(3)  # a count: whole numbers, shown with thousands commas
PATH = f"/entry/{CODE}/{soak_web.PERIOD}/"


def _postgres_or_skip() -> None:
    # Two servers share one PostgreSQL, whichever database the suite runs on; it is the slowest
    # test (two gunicorns), so it runs once, in the PostgreSQL run (make test-postgres).
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("runs in the PostgreSQL run of the suite (DATABASE_URL=postgres://...)")
    psycopg = pytest.importorskip("psycopg")
    try:
        psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3
        ).close()
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")


def _environment(work: Path) -> dict:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOARD_", "DJANGO_"))}
    return keep | {
        "KPIBOARD_ENV": "production",
        "KPIBOARD_SECRET_KEY": secrets.token_urlsafe(48),
        "KPIBOARD_ALLOWED_HOSTS": "127.0.0.1",
        "KPIBOARD_SECURE_COOKIES": "false",
        "KPIBOARD_DATA_DIR": str(work),
        "KPIBOARD_STATIC_ROOT": str(work / "static"),
        "KPIBOARD_TWO_FACTOR_REQUIRED": "none",  # the person signs in with a password alone
        "DATABASE_URL": URL,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(BENCH.parent / "src"), os.environ.get("PYTHONPATH")])
        ),
    }


def _save(port: int, cookie: str, step: int) -> tuple[int, list[str], str]:
    """Save the figure ``step`` above the one saved (near it: no plausibility question);
    returns the status, the error messages and the new value as pages show it."""
    status, _, page = bench_web.fetch(port, PATH, headers={"Cookie": cookie})
    assert status == 200
    fields = soak_web.form_fields(page.decode())
    actual = next(k for k in fields if k.endswith("actual") and not k.startswith("base-"))
    value = round(float(fields[actual].replace(",", ""))) + step
    fields.update({actual: str(value), "reason": "Seen on the other server"})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "Referer": f"http://127.0.0.1:{port}{PATH}",
    }
    status, _, body = bench_web.fetch(
        port, PATH, method="POST", body=urlencode(fields), headers=headers
    )
    summary = body.decode().split("govuk-error-summary__list")[-1].split("</ul>")[0]
    errors = re.findall(r'<a href="#[^"]*">([^<]*)</a>', summary) if status != 302 else []
    return status, errors, f"{value:,}"


def _page(port: int, cookie: str, path: str) -> str:
    status, _, page = bench_web.fetch(port, path, headers={"Cookie": cookie})
    assert status == 200
    return page.decode()


def test_two_servers_a_write_through_one_is_seen_on_the_others_next_request(tmp_path):
    _postgres_or_skip()
    bench_web.recreate_postgres(URL, DATABASE)
    env = _environment(tmp_path)
    bench_web.write_pack(tmp_path / "pack", 10)
    bench_web.manage(env, "migrate", "--no-input", "-v", "0")
    bench_web.manage(env, "collectstatic", "--no-input", "-v", "0")
    bench_web.manage(env, "loadpack", str(tmp_path / "pack"), "--reason", "Two servers")
    bench_web.manage(
        env, "addperson", soak_web.ADMIN, "--role", "administrator", "--password-stdin",
        stdin=soak_web.PASSWORD,
    )  # fmt: skip
    first = bench_web.start_gunicorn(env, tmp_path, 1)
    try:
        second = bench_web.start_gunicorn(env, tmp_path, 1)
        try:
            one, two = soak_web.sign_in(first.port), soak_web.sign_in(second.port)
            indicator = f"/indicators/{CODE}/"
            before = _page(second.port, two, indicator), _page(second.port, two, "/")  # kept
            status, errors, shown = _save(first.port, one, 13)
            assert (status, errors) == (302, [])
            assert all(shown not in page for page in before)
            assert shown in _page(second.port, two, indicator)
            assert shown in _page(second.port, two, "/")
            _page(first.port, one, "/")  # built and kept on the first server too
            status, errors, shown = _save(second.port, two, 17)  # and the other way round
            assert (status, errors) == (302, [])
            assert shown in _page(first.port, one, "/")
        finally:
            second.stop()
    finally:
        first.stop()
