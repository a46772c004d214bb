"""Recent changes at a million revisions: the first page and pages deep in the list, the way they
are read now and the old ways.

For each database (SQLite in a temporary file; with --postgres also a private PostgreSQL database
that the script drops and creates), in a child process: migrate, load the council demo pack, add a
person, then insert ``--revisions`` (1,000,000 by default) superseded figure revisions by that
person (plain ``INSERT`` statements in batches), spread over two years, ``ANALYZE`` PostgreSQL's
tables (as autovacuum does on a server where it is on), and time (best of 5, after one untimed
read):

- **now**: the view's reading of the first page (views/changes.py ``_read``): each kind read newest
  first with the page's limit, on the index on ``created``, and merged; plus the count the page
  shows (``_count``: each kind counted no further than ``COUNTED`` + 1 rows);
- **exact**: the same rows with each kind counted exactly, over every revision (the count the
  page gave before it stopped counting at ``COUNTED``);
- **before**: the UNION of every kind ordered as a whole and sliced, as the page used to read it;
- **people** / **people0**: the filter's list of people who changed something, asked person by
  person (now) and as the distinct authors of every revision (before);
- **page**: GET /changes/ through the test client (the whole view: queries, count, rendering);
- **middle**: GET /changes/?before=CURSOR of the change 5,000 back (the view counts both the
  changes above the page and the total, each up to ``COUNTED``);
- **deep**: GET /changes/?before=CURSOR of the change ``--revisions`` / 2 back (500,000 by
  default), the page an Older link reaches there (keyset paging: no offset to walk past);
- **deep+1**: the page its Older link leads to, followed from the deep page's HTML.

Each is given as the best elapsed time and the best processor time of this process (on SQLite
the queries' work too; PostgreSQL's is in the server, so there the elapsed time is the measure).
The machine may be shared: on SQLite, judge by the processor time.

Loopback only; nothing is written outside the temporary folder and the private database.

Run: .venv/bin/python bench/bench_changes.py [--revisions 1000000] [--postgres | --postgres-only]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 100.0
PAGES = ("page", "middle", "deep", "deep+1")  # whole requests, each held to the goal


def child(revisions: int) -> None:
    """Runs inside the child process, with DATABASE_URL set for it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiboard.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.test import Client
    from django.utils import timezone
    from django.utils.http import urlencode

    from kpiboard.demo import pack_source
    from kpiboard.web.accounts import create_person
    from kpiboard.web.change_cursor import of_row
    from kpiboard.web.models import Figure, Indicator, Role
    from kpiboard.web.store import load_pack_into_db
    from kpiboard.web.views import changes

    call_command("migrate", verbosity=0)
    load_pack_into_db(pack_source())
    user, _ = create_person("bench-analyst", Role.ANALYST, password="x" * 20)
    ids = list(Indicator.objects.values_list("pk", flat=True))
    now, started = timezone.now(), time.perf_counter()
    step = timedelta(days=730) / revisions
    created = Figure._meta.get_field("created")
    fields = {f.name: f.column for f in Figure._meta.concrete_fields}
    columns = ["indicator", "period", "series", "value", "note", "revision", "is_current",
               "author", "reason", "created"]  # fmt: skip
    sql = (
        f"INSERT INTO {Figure._meta.db_table} ({', '.join(fields[c] for c in columns)})"
        f" VALUES ({', '.join(['%s'] * len(columns))})"
    )  # plain inserts, as many as bulk_create would make but without a model per row
    with connection.cursor() as cursor:
        for first in range(0, revisions, 20_000):
            cursor.executemany(
                sql,
                [
                    (ids[n % len(ids)], "2013-09", f"bench{n % 97}", float(n), "", n + 1, False,
                     user.pk, "bench",
                     created.get_db_prep_value(now - step * (revisions - n), connection))
                    for n in range(first, min(first + 20_000, revisions))
                ],
            )  # fmt: skip
    print(f"  {revisions:,} revisions inserted in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":  # the statistics autovacuum keeps (off on some servers)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    base = Q(author__isnull=False)
    listed = [(kind, base) for kind in changes.KINDS]
    queries = [changes._rows(kind, base) for kind in changes.KINDS]
    limit = changes.PER_PAGE + 1

    def now_read():
        return changes._read(listed, None, True, limit), changes._count(listed)

    def exact_read():
        counted = sum(m.objects.filter(base).order_by().count() for _, m in changes.KINDS.values())
        return changes._read(listed, None, True, limit), counted

    def people_now():
        return changes._people()

    def people_before():
        return {
            pk
            for _, model in changes.KINDS.values()
            for pk in model.objects.filter(author__isnull=False)
            .order_by()
            .values_list("author_id", flat=True)
            .distinct()
        }

    def before_read():
        union = queries[0].union(*queries[1:], all=True).order_by("-created", "-pk")
        return list(union[0 : changes.PER_PAGE]), union.count()

    client = Client()
    client.force_login(user)

    def get(query: str, says: str) -> str:
        response = client.get("/changes/" + query, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
        html = response.content.decode()
        assert says in html, says
        return html

    def back(n: int) -> str:
        """The Older link's query of a page ending at the n-th newest change (read once)."""
        pk, made = (
            Figure.objects.filter(base).order_by("-created", "-pk").values_list("pk", "created")
        )[n - 1]
        return "?" + urlencode({changes.OLDER: of_row("figure", pk, made).text})

    middle, deep = back(5_000), back(revisions // 2)
    deeper = re.search(r'href="(\?[^"]*)" rel="next"', get(deep, "older than the newest"))
    assert deeper, "the deep page has an Older link"
    reads = (
        ("now", now_read), ("exact", exact_read), ("before", before_read),
        ("people", people_now), ("people0", people_before),
        ("page", lambda: get("", "Changes 1 to 50 of")),
        ("middle", lambda: get(middle, "Changes 5,001 to 5,050 of")),
        ("deep", lambda: get(deep, "older than the newest")),
        ("deep+1", lambda: get(html.unescape(deeper.group(1)), "older than the newest")),
    )  # fmt: skip
    for name, read in reads:
        read()
        times, cpu = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            read()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        verdict = f"  goal < {GOAL_MS:.0f} ms: {'PASS' if min(times) * 1000 < GOAL_MS else 'FAIL'}"
        print(f"  {name:7} best {min(times) * 1000:8.1f} ms ({min(cpu) * 1000:6.1f} ms CPU here)"
              f"{verdict if name in PAGES else ''}", flush=True)  # fmt: skip


def run(label: str, url: str, revisions: int) -> int:
    print(f"[{label}]", flush=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOARD_", "DJANGO_"))}
    env |= {"DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory(prefix="kpiboard-bench-changes-") as work:
        env["KPIBOARD_DATA_DIR"] = work
        return subprocess.run(
            [sys.executable, __file__, "--child", "--revisions", str(revisions)],
            env=env, timeout=3600, cwd=work,
        ).returncode  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL")
    parser.add_argument("--postgres-only", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/kpiboard_bench_changes",
        help="server and database to drop and create (default: %(default)s)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.revisions)
        return
    status = 0
    if not args.postgres_only:
        with tempfile.TemporaryDirectory(prefix="kpiboard-bench-changes-") as work:
            status = run("sqlite", f"sqlite:///{work}/bench.sqlite3", args.revisions)
    if args.postgres or args.postgres_only:
        sys.path.insert(0, str(ROOT / "bench"))
        from bench_web import recreate_postgres
        from kpiboard.web.env import database_from_url

        recreate_postgres(args.postgres_url, database_from_url(args.postgres_url)["NAME"])
        status |= run("postgres", args.postgres_url, args.revisions)
    sys.exit(status)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
