"""The dashboard at 500 and 2,000 indicators, in one process: page size, and the dashboard after a
write rebuilt incrementally and in full.

For each size, in a child process on a fresh SQLite file: the synthetic pack of bench_web.py
(``--months`` monthly figures per indicator) is loaded, a viewer reads the dashboard once (the
full build), then a figure is saved through ``save_period_entry`` (the entry form's own write)
and the dashboard is read again; this is repeated ``--writes`` times and the median is printed
beside the time of a full build (the pack and the board from the database, as every write cost
before). The page size is that of the first page (``/``) and of every page together, with the
number of pages.

Run: .venv/bin/python bench/bench_dashboard.py [--sizes 500 2000] [--writes 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 150.0


def child(size: int, writes: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiboard.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_web import indicator_code, write_pack
    from kpiboard.web import dashboard_cache, store
    from kpiboard.web.accounts import create_person
    from kpiboard.web.models import Figure, Role
    from kpiboard.web.writes import save_period_entry

    call_command("migrate", verbosity=0)
    pack = Path(os.environ["KPIBOARD_DATA_DIR"]) / "pack"
    write_pack(pack, size)
    store.load_pack_into_db(pack)
    viewer, _ = create_person("bench-viewer", Role.VIEWER, password="x" * 20)
    analyst, _ = create_person("bench-analyst", Role.ANALYST, password="x" * 20)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)

    def dashboard(page: int = 1) -> bytes:
        response = client.get("/", {"page": str(page)})
        assert response.status_code == 200, response.status_code
        return response.content

    t0 = time.perf_counter()
    first = dashboard()
    full_page = time.perf_counter() - t0
    pages = -(-size // 100)
    total = len(first) + sum(len(dashboard(n)) for n in range(2, pages + 1))
    print(f"  page 1: {len(first) / 1024:.0f} KB; all {pages} pages: {total / 1024:.0f} KB")
    after = []
    for n in range(writes):
        code = indicator_code(3 * (n + 1))  # counts: whole numbers
        saved = Figure.objects.get(
            indicator__code=code, period="2014-03", series="actual", is_current=True
        )
        save_period_entry(
            analyst, code, "2014-03", {"actual": saved.value + 1}, {"actual": saved.revision},
            None, 0, "Benchmark",
        )  # fmt: skip
        t0 = time.perf_counter()
        dashboard()
        after.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    made = store.generation()
    dashboard_cache._build(store.build_pack(store.source_from_db()), made.version, made.pack.as_at)
    rebuild = time.perf_counter() - t0
    median = statistics.median(after) * 1000
    verdict = "PASS" if median < GOAL_MS else "FAIL"
    print(f"  first dashboard at start-up: {full_page * 1000:.0f} ms")
    print(f"  dashboard after a write (incremental), median of {writes}: {median:.1f} ms"
          f"  goal < {GOAL_MS:.0f} ms: {verdict}")  # fmt: skip
    print(f"  the pack and board built in full from the database: {rebuild * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--writes", type=int, default=5)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.writes)
        return
    for size in args.sizes:
        print(f"[{size} indicators]", flush=True)
        with tempfile.TemporaryDirectory(prefix="kpiboard-bench-dashboard-") as work:
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("KPIBOARD_", "DJANGO_"))
            }
            env |= {
                "DATABASE_URL": f"sqlite:///{work}/bench.sqlite3",
                "KPIBOARD_DATA_DIR": work,
                "PYTHONPATH": str(ROOT / "src"),
            }
            subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--writes", str(args.writes)],
                env=env, timeout=3600, check=True,
            )  # fmt: skip


if __name__ == "__main__":
    main()
