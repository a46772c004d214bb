"""A million figures from one long CSV into the database: ``load_pack_into_db``, timed.

Writes a synthetic pack to a temporary folder (2,000 monthly indicators x 250 months x actual and
target: 1,000,000 rows in data/figures.csv, fixed numbers) and loads it into a fresh database,
once through the ORM's ``bulk_create`` ("orm", the path every load took before) and once
through the fast path ("bulk": ``executemany`` on SQLite, ``COPY`` on PostgreSQL), each into
its own new database. Prints the time of checking the pack alone, of each whole load (checking
included), the CPU time of the load (this process, and on PostgreSQL its server process too:
the figure that matters on a busy machine), rows per second and the goal: under 15 s.

Run: .venv/bin/python bench/bench_bulk.py [--postgres] [--indicators 2000] [--months 250]
     [--only bulk]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 15.0
PG_URL = "postgres://postgres@127.0.0.1:5432/kpiboard_bench_bulk"


def month_labels(count: int, first_year: int = 2000) -> list[str]:
    """``count`` consecutive months from April of ``first_year``."""
    return [f"{first_year + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in range(count)]


def write_pack(target: Path, indicators: int, months: int) -> int:
    """A valid pack of ``indicators`` x ``months`` x 2 series; returns its number of figures."""
    (target / "indicators").mkdir(parents=True)
    (target / "data").mkdir()
    labels = month_labels(months)
    codes = [f"B{n:05d}" for n in range(1, indicators + 1)]
    for n, code in enumerate(codes, 1):
        (target / "indicators" / f"{code}.yaml").write_text(
            f'id: {code}\nsection: main\nnumber: "{n}"\ntitle: Bulk indicator {n}\n'
            "unit: count\ndecimals: 0\npolarity: higher_is_better\nfrequency: month\n",
            "utf-8",
        )
    with (target / "data" / "figures.csv").open("w", encoding="utf-8") as out:
        out.write("indicator,period,series,value\n")
        for n, code in enumerate(codes, 1):
            base = 100 + (n * 37) % 4900
            for i, label in enumerate(labels):
                out.write(f"{code},{label},actual,{base + (i * 7919 + n) % 97}\n")
                out.write(f"{code},{label},target,{base}\n")
    (target / "kpiboard.yaml").write_text(
        f"format: 1\ntitle: Bulk load\norganisation: Bulk Borough Council\nas_at: {labels[-1]}\n"
        "sections:\n  - id: main\n    title: Main\n",
        "utf-8",
    )
    return indicators * months * 2


def _fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's own database."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_one(pack: str, path: str, database: str) -> None:
    """In this (child) process: migrate a fresh database, then load the pack once."""
    folder = Path(tempfile.mkdtemp(prefix="kpiboard-bench-bulk-db-"))
    os.environ["KPIBOARD_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kpiboard.web.settings"
    os.environ.setdefault("KPIBOARD_DEBUG", "false")
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        _fresh_postgres(database)
        os.environ["DATABASE_URL"] = database
    import django

    django.setup()
    from django.core.management import call_command

    from kpiboard.packs.loader import read_pack
    from kpiboard.web.models import Figure
    from kpiboard.web.store import load_pack_into_db

    call_command("migrate", verbosity=0, interactive=False)
    if database != "sqlite":
        from django.db import connection

        with connection.cursor() as cursor:  # every index built in the one backend timed, not
            cursor.execute("SET max_parallel_maintenance_workers = 0")  # in helpers unseen
    started = time.perf_counter()
    read_pack(pack)
    checked = time.perf_counter() - started
    server = _server_cpu()
    cpu, started = time.process_time(), time.perf_counter()
    load_pack_into_db(pack, reason="Benchmark", bulk=path == "bulk")
    took = time.perf_counter() - started
    cpu = time.process_time() - cpu + _server_cpu() - server
    rows = Figure.objects.count()
    print(f"{checked:.2f} {took:.2f} {cpu:.2f} {rows}")


def _server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (on this machine), so
    the CPU column counts the server's work too; 0 on SQLite, which works in this process."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # another machine: only the client's CPU is counted
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL")
    parser.add_argument("--postgres-url", default=PG_URL)
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--months", type=int, default=250)
    parser.add_argument("--only", choices=["orm", "bulk"], help="only one path")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(*args.child)
        return
    pack = Path(tempfile.mkdtemp(prefix="kpiboard-bench-bulk-")) / "pack"
    figures = write_pack(pack, args.indicators, args.months)
    print(f"pack: {args.indicators:,} indicators x {args.months} months x 2 = {figures:,} figures")
    print(
        f"{'database':<11}{'path':<6}{'check s':>9}{'load s':>9}{'cpu s':>8}{'rows/s':>11}"
        f"  goal < {GOAL_S:g} s"
    )
    databases = ["sqlite"] + ([args.postgres_url] if args.postgres else [])
    met = True
    for database in databases:
        for path in [args.only] if args.only else ["orm", "bulk"]:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(pack), path, database],
                capture_output=True, text=True, check=True,
            ).stdout.split()  # fmt: skip
            checked, took, cpu, rows = float(out[0]), float(out[1]), float(out[2]), int(out[3])
            assert rows == figures, f"{rows} rows stored, {figures} expected"
            label = "sqlite" if database == "sqlite" else "postgresql"
            ok = took < GOAL_S
            met &= ok or path == "orm"
            print(
                f"{label:<11}{path:<6}{checked:>9.2f}{took:>9.2f}{cpu:>8.2f}"
                f"{figures / took:>11,.0f}  {'met' if ok else 'missed'}"
            )
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
