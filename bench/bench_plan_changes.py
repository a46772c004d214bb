"""The approver's review page with a big business plan changed all month after the approval.

In a child process, for a database (SQLite in a temporary file; with --postgres a private
PostgreSQL database that the script drops and creates): the council demo pack made into ten
sections with ``--actions`` actions (300 by default) spread across them, each with six monthly
updates, loaded; Adult Social Care's September approved; then ``--revisions`` revisions of the
actions file (a month of updates after the approval, 300 by default), each giving one action's
September update in turn, spread over the thirty days after it. Then, as processor time (best of
``--repeat``):

- **changes**: ``approval.changes_since_approval`` for the approved section and month, as the
  review page, the approvals list and a re-approval each ask it (its first call after a write
  is what the list of sections waiting pays once per section and month);
- **cold**: the same, the first time in a process (nothing worked out yet);
- **page**: GET of the approver's review page through the test client, already built once (the
  pack is built by then);
- **first**: the same page, the first time after another revision of the actions file (the
  version moved on: the pack is built again).

``--src`` runs the same against another checkout's ``src`` (for before and after). Loopback
only; nothing is written outside the temporary folder and the private database.

Run: .venv/bin/python bench/bench_plan_changes.py [--actions 300] [--revisions 300]
     [--postgres] [--src /path/to/other/src]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Ten sections: the demo's two, with their indicators, and eight with actions only.
SECTIONS = ("asc", "scs", *(f"extra{n}" for n in range(1, 9)))
MONTHS = ("2013-04", "2013-05", "2013-06", "2013-07", "2013-08", "2013-09")


def make_pack(target: Path, actions: int) -> None:
    """The demo pack with ten sections and ``actions`` actions (the demo's and made ones)."""
    import yaml

    from kpiboard.demo import pack_source

    shutil.copytree(pack_source(), target)
    manifest = yaml.safe_load((target / "kpiboard.yaml").read_text("utf-8"))
    manifest["sections"] += [
        {"id": code, "title": f"Section {code}", "indicators": []} for code in SECTIONS[2:]
    ]
    (target / "kpiboard.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), "utf-8")
    plan = yaml.safe_load((target / "plan" / "actions.yaml").read_text("utf-8"))
    codes = SECTIONS
    for n in range(actions - len(plan["actions"])):
        plan["actions"].append({
            "id": f"ACT-{n:04d}", "title": f"Made action {n}", "section": codes[n % len(codes)],
            "owner": "Head of Service", "start": "2013-04-01", "due": "2014-03-31",
            "description": "An action made for the benchmark, with a line of description.",
            "milestones": [{"title": "Half way", "due": "2013-09-30"}],
            "updates": [{"period": m, "status": "on_track", "progress": 10 * (i + 1),
                         "text": f"Progress in {m}: the work is going to plan so far."}
                        for i, m in enumerate(MONTHS)],
        })  # fmt: skip
    (target / "plan" / "actions.yaml").write_text(yaml.safe_dump(plan, sort_keys=False), "utf-8")


def child(actions: int, revisions: int, repeat: int) -> None:
    """Runs inside the child process, with DATABASE_URL set for it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiboard.web.settings")
    import django

    django.setup()
    import copy

    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from kpiboard.packs.plan import ACTIONS
    from kpiboard.web import approval
    from kpiboard.web.accounts import create_person
    from kpiboard.web.models import CommentaryText, Figure, PlanFile, Role, Section, Signoff
    from kpiboard.web.store import bump_version, clear_cache, current_pack, load_pack_into_db

    call_command("migrate", verbosity=0)
    pack_dir = Path(os.getcwd()) / "pack"
    make_pack(pack_dir, actions)
    load_pack_into_db(pack_dir)
    approver, _ = create_person("bench-approver", Role.APPROVER, password="x" * 20,
                                sections=["asc"])  # fmt: skip
    section = Section.objects.get(code="asc")
    start = timezone.now() - timedelta(days=31)
    row = Signoff.objects.create(section=section, period="2013-09", state="approved",
                                 revision=1, author=approver)  # fmt: skip
    Signoff.objects.filter(pk=row.pk).update(created=start)
    for model in (Figure, CommentaryText, PlanFile):  # the pack was loaded before the approval
        model.objects.update(created=start - timedelta(days=1))
    current = PlanFile.objects.get(name=ACTIONS, is_current=True)
    body = copy.deepcopy(current.body)
    started = time.perf_counter()
    for n in range(revisions):
        action = body["actions"][n % len(body["actions"])]
        update = {"period": "2013-09", "status": "at_risk", "progress": 55,
                  "text": f"Corrected after approval ({n})."}  # fmt: skip
        action["updates"] = [u for u in action["updates"] if u["period"] != "2013-09"] + [update]
        current = PlanFile.objects.append(current, name=ACTIONS, body=body, author=approver,
                                          reason=f"Correction {n}")  # fmt: skip
        at = start + timedelta(days=30) * (n + 1) / (revisions + 1)
        PlanFile.objects.filter(pk=current.pk).update(created=at)
    bump_version()
    clear_cache()
    print(f"  {revisions} revisions of {len(body['actions'])} actions in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    calendar = current_pack().calendar
    found = approval.changes_since_approval(section, "2013-09", calendar)
    asc = sum(1 for a in body["actions"] if a["section"] == "asc")
    print(f"  {len(found)} changes since approval found (asc has {asc} actions)", flush=True)
    client = Client()
    client.force_login(approver)
    url = "/sections/asc/2013-09/review/"

    def changes() -> None:
        approval.changes_since_approval(section, "2013-09", calendar)

    def page() -> None:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    def cold() -> None:
        memo = getattr(approval, "REVISION_ENTRIES", None)  # none before it was kept
        if memo is not None:
            memo.clear()
        changes()

    def first() -> None:
        nonlocal current
        current = PlanFile.objects.append(current, name=ACTIONS, body=body, author=approver,
                                          reason="One more")  # fmt: skip
        bump_version()
        page()

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(cold)
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    page()
    for name, work in (("changes", changes), ("cold", cold), ("page", page), ("first", first)):
        times = []
        for _ in range(repeat):
            t0 = time.process_time()
            work()
            times.append(time.process_time() - t0)
        print(f"  {name:8} CPU best {min(times) * 1000:8.1f} ms, "
              f"median {sorted(times)[len(times) // 2] * 1000:8.1f} ms", flush=True)  # fmt: skip


def run(label: str, url: str, args: argparse.Namespace) -> int:
    print(f"[{label}] src={args.src}", flush=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIBOARD_", "DJANGO_"))}
    env |= {"DATABASE_URL": url, "PYTHONPATH": str(args.src)}
    with tempfile.TemporaryDirectory(prefix="kpiboard-bench-plan-") as work:
        env["KPIBOARD_DATA_DIR"] = work
        command = [sys.executable, __file__, "--child", "--actions", str(args.actions),
                   "--revisions", str(args.revisions), "--repeat", str(args.repeat)]  # fmt: skip
        return subprocess.run(command, env=env, timeout=3600, cwd=work).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--revisions", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL too")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/kpiboard_bench_plan",
        help="server and database to drop and create (default: %(default)s)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.actions, args.revisions, args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="kpiboard-bench-plan-") as work:
        status = run("sqlite", f"sqlite:///{work}/bench.sqlite3", args)
    if args.postgres:
        sys.path.insert(0, str(ROOT / "bench"))
        from bench_web import recreate_postgres
        from kpiboard.web.env import database_from_url

        recreate_postgres(args.postgres_url, database_from_url(args.postgres_url)["NAME"])
        status |= run("postgres", args.postgres_url, args)
    sys.exit(status)


if __name__ == "__main__":
    if "--child" not in sys.argv:  # the child reads the src its PYTHONPATH names
        sys.path.insert(0, str(ROOT / "src"))
    main()
