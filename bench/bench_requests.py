"""Server processor time per request, in one process: bench_web.py's pages without the load test.

On a machine shared with other work a load test's latencies say more about the neighbours than
about the code; the processor time a request takes in the server does not. This script loads
bench_web.py's synthetic pack (500 indicators x 60 months) into a database, in production
settings (sessions in the database, every middleware), signs in a viewer, and calls the WSGI
application directly, as a gunicorn worker does, with the viewer's session cookie. For each page
it prints the processor time (``time.process_time``) and the wall time of a request, median and
p95 of ``--repeat`` requests after one warm-up, and the database queries a request makes:

- ``/healthz`` (the baseline: middleware and one ``SELECT 1``), the dashboard, the dashboard
  filtered to Amber, an SPC indicator's page and its revision history: pages already built;
- indicator pages each asked for once (``--cold`` of them): pages never built before;
- the dashboard after a write: a figure saved through ``save_period_entry`` (the entry form's
  write), then the dashboard once (the request that brings the pack and rows up to date).

With 16 clients on 2 workers a page's p95 is about 16 / (requests per second), and a worker's
requests per second is at most 1 / (processor time per request), so processor time is what the
load test's goals come down to. ``--profile PAGE`` prints the cProfile summary of that page's
requests (``dashboard``, ``amber``, ``indicator``, ``history``, ``healthz``, ``cold``,
``write``).

The database: a SQLite file in a temporary folder, or with ``--postgres-url`` a PostgreSQL
database that is dropped and created (``--reuse`` keeps one this script already loaded).

Run: .venv/bin/python bench/bench_requests.py [--postgres-url URL [--reuse]] [--repeat 200]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from bench_web import (  # noqa: E402
    WRITE_PERIOD,
    indicator_code,
    production_settings,
    recreate_postgres,
    write_pack,
)

VIEWER = "bench-viewer"
ANALYST = "bench-analyst"


class Meter:
    """Processor and wall time, and queries, of each call of ``run``."""

    def __init__(self, profile: bool) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.queries: list[int] = []
        self.profiler = cProfile.Profile(time.process_time) if profile else None

    def run(self, call: Callable[[], object]) -> None:
        from django.db import connection

        count = [0]

        def counted(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            if self.profiler is not None:
                self.profiler.enable()
            wall, cpu = time.perf_counter(), time.process_time()
            call()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if self.profiler is not None:
                self.profiler.disable()
        self.cpu.append(cpu)
        self.wall.append(wall)
        self.queries.append(count[0])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "kpiboard.web.settings"}
        | production_settings(database_url, data_dir)
    )
    import django

    django.setup()


def load(pack: Path, size: int, reuse: bool) -> None:
    """Migrate, load the pack and add the two people (unless ``reuse`` finds them there)."""
    from django.core.management import call_command

    from kpiboard.web import store
    from kpiboard.web.accounts import create_person
    from kpiboard.web.models import Indicator, Role

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    if reuse and Indicator.objects.count() == size:
        return
    write_pack(pack, size)
    store.load_pack_into_db(pack, reason="Benchmark")
    create_person(VIEWER, Role.VIEWER, password="x" * 20)
    create_person(ANALYST, Role.ANALYST, password="x" * 20)


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def requester(cookie: str) -> Callable[[str], Callable[[], None]]:
    """``get(path)``: a call that asks the WSGI application for ``path`` as gunicorn would."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    app = WSGIHandler()
    factory = RequestFactory()

    def get(path: str) -> Callable[[], None]:
        url, _, query = path.partition("?")
        environ = factory._base_environ(
            PATH_INFO=url, QUERY_STRING=query, REQUEST_METHOD="GET", HTTP_COOKIE=cookie,
            SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1",
        )  # fmt: skip

        def call() -> None:
            status: list[str] = []
            body = app(dict(environ), lambda s, h, *a: status.append(s))
            b"".join(body)
            body.close()
            if not status[0].startswith("200"):
                raise SystemExit(f"GET {path} gave {status[0]}")

        return call

    return get


def save_figure(step: int) -> None:
    """An analyst saves one figure through the entry form's write."""
    from django.contrib.auth import get_user_model

    from kpiboard.web.models import Figure
    from kpiboard.web.writes import save_period_entry

    code = indicator_code(3 * (1 + step % 150))  # counts: whole numbers
    saved = Figure.objects.get(
        indicator__code=code, period=WRITE_PERIOD, series="actual", is_current=True
    )
    analyst = get_user_model().objects.get(username=ANALYST)
    save_period_entry(
        analyst, code, WRITE_PERIOD, {"actual": saved.value + 1}, {"actual": saved.revision},
        None, 0, "Benchmark",
    )  # fmt: skip


def measure(args, get) -> list[tuple[str, Meter]]:
    indicator = f"/indicators/{indicator_code(1)}/"  # an SPC indicator
    built = [
        ("healthz", "/healthz (baseline)", "/healthz"),
        ("dashboard", "dashboard /", "/"),
        ("amber", "dashboard ?rating=AMBER", "/?rating=AMBER"),
        ("indicator", f"indicator {indicator}", indicator),
        ("history", "revision history (60 periods)", f"{indicator}history/"),
    ]
    rows = []
    for key, name, path in built:
        call = get(path)
        call()  # built once
        meter = Meter(args.profile == key)
        for _ in range(args.repeat):
            meter.run(call)
        rows.append((key, name, meter))
    meter = Meter(args.profile == "cold")
    for n in range(2, 2 + args.cold):
        meter.run(get(f"/indicators/{indicator_code(n)}/"))
    rows.append(("cold", f"indicator pages, each once ({args.cold})", meter))
    meter = Meter(args.profile == "write")
    dashboard = get("/")
    for n in range(args.writes):
        save_figure(n)
        meter.run(dashboard)
    rows.append(("write", f"dashboard, first after a write ({args.writes})", meter))
    return rows


def report(rows, label: str, args) -> None:
    print(f"\n{label}: processor and wall time per request, ms; queries per request")
    print(f"{'page':<44} {'cpu p50':>8} {'cpu p95':>8} {'wall p50':>9} {'wall p95':>9} {'q':>4}")
    for _key, name, m in rows:
        print(
            f"{name:<44} {percentile(m.cpu, 50) * 1000:8.2f} {percentile(m.cpu, 95) * 1000:8.2f}"
            f" {percentile(m.wall, 50) * 1000:9.2f} {percentile(m.wall, 95) * 1000:9.2f}"
            f" {percentile(m.queries, 50):4d}"
        )
    for key, _name, m in rows:
        if m.profiler is not None:
            out = io.StringIO()
            stats = pstats.Stats(m.profiler, stream=out).sort_stats(args.sort)
            stats.print_stats(args.lines)
            print(f"\ncProfile of {key} ({len(m.cpu)} requests):\n{out.getvalue()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200, help="requests per built page")
    parser.add_argument("--cold", type=int, default=100, help="indicator pages asked for once")
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--postgres-url", help="PostgreSQL database to drop, create and use")
    parser.add_argument("--reuse", action="store_true", help="keep the database if loaded")
    parser.add_argument("--profile", choices=["healthz", "dashboard", "amber", "indicator",
                                              "history", "cold", "write"])  # fmt: skip
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--lines", type=int, default=40, help="cProfile lines printed")
    args = parser.parse_args()
    if not (1 <= args.repeat <= 5000 and 0 <= args.cold < args.indicators and args.writes <= 150):
        parser.error("keep it bounded: --repeat 1..5000, --cold below --indicators, --writes 150")
    work = Path(tempfile.mkdtemp(prefix="kpiboard-bench-requests-"))
    try:
        if args.postgres_url:
            url, label = args.postgres_url, "PostgreSQL"
            if not args.reuse:
                from kpiboard.web.env import database_from_url

                recreate_postgres(url, database_from_url(url)["NAME"])
        else:
            url, label = f"sqlite:///{work / 'bench.sqlite3'}", "SQLite"
        setup_django(url, work)
        t0 = time.perf_counter()
        load(work / "pack", args.indicators, args.reuse)
        print(f"database ready in {time.perf_counter() - t0:.1f} s", flush=True)
        get = requester(session_cookie(VIEWER))
        t0 = time.perf_counter()
        get("/")()
        print(f"first dashboard (pack and board built in full): {time.perf_counter() - t0:.2f} s")
        report(measure(args, get), label, args)
        print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
