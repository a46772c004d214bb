"""Recent changes at a million revisions: the first page, the way it is read now and the old way.

For each database (SQLite in a temporary file; with --postgres also a private PostgreSQL database
that the script drops and creates), in a child process: migrate, load the council demo pack, add a
person, then insert ``--revisions`` (1,000,000 by default) superseded figure revisions by that
person (plain ``INSERT`` statements in batches), spread over two years, and time (best of 5,
after one untimed read):

- **now**: the view's query set (views/changes.py ``Newest``): each kind read newest first with the
  page's limit, on the index on ``created``, and merged; plus the count the page shows (each
  kind counted no further than ``COUNTED`` + 1 rows);
- **exact**: the same rows with each kind counted exactly, over every revision (the count the
  page gave before it stopped counting at ``COUNTED``);
- **before**: the UNION of every kind ordered as a whole and sliced, as the page used to read it;
- **people** / **people0**: the filter's list of people who changed something, asked person by
  person (now) and as the distinct authors of every revision (before);
- **page**: GET /changes/ through the test client (the whole view: queries, count, rendering).

Loopback only; nothing is written outside the temporary folder and the private database.

Run: .venv/bin/python bench/bench_changes.py [--revisions 1000000] [--postgres | --postgres-only]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 100.0


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

    from kpiboard.demo import pack_source
    from kpiboard.web.accounts import create_person
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

    base = Q(author__isnull=False)
    queries = [changes._rows(kind, base) for kind in changes.KINDS]

    def now_read():
        source = changes.Newest([(kind, base) for kind in changes.KINDS])
        return source[0 : changes.PER_PAGE], source.count()

    def exact_read():
        source = changes.Newest([(kind, base) for kind in changes.KINDS])
        return source[0 : changes.PER_PAGE], sum(q.order_by().count() for q in source.counted)

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

    def page():
        response = client.get("/changes/", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    reads = (
        ("now", now_read), ("exact", exact_read), ("before", before_read),
        ("people", people_now), ("people0", people_before), ("page", page),
    )  # fmt: skip
    for name, read in reads:
        read()
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            read()
            times.append(time.perf_counter() - t0)
        verdict = f"  goal < {GOAL_MS:.0f} ms: {'PASS' if min(times) * 1000 < GOAL_MS else 'FAIL'}"
        print(f"  {name:7} first page best {min(times) * 1000:8.1f} ms"
              f"{verdict if name == 'page' else ''}", flush=True)  # fmt: skip


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
