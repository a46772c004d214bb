"""Jobs and real worker processes: ``kpiboard worker`` runs a queued import; a worker killed in
the middle of writing it leaves nothing half-applied, and the next worker to start marks the job
failed with its reason and gives the upload back to be applied again.

These run the CLI in subprocesses on a SQLite file of their own (the test database lives in this
process's memory, where a worker process cannot reach it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SETUP = """
import json, sys
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from kpiboard.demo import pack_source
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Figure, Role
from kpiboard.web.store import load_pack_into_db

call_command("migrate", verbosity=0, interactive=False)
load_pack_into_db(pack_source(), reason="Demo pack")
user, _ = create_person("analyst", Role.ANALYST)
rows = ["indicator,period,series,value"]
for f in Figure.objects.filter(is_current=True, value__isnull=False).select_related("indicator"):
    rows.append(f"{f.indicator.code},{f.period},{f.series},{f.value + 1}")
client = Client()
client.force_login(user)
upload = SimpleUploadedFile("all.csv", ("\\n".join(rows) + "\\n").encode())
preview = client.post("/import/", {"file": upload})["Location"]
page = client.get(preview).content.decode()
digest = page.split('name="digest" value="')[1].split('"')[0]
job = client.post(preview, {"action": "apply", "digest": digest})["Location"]
last = Figure.objects.get(pk=f.pk)  # the file's last row: the import writes it last
print(json.dumps({
    "job": job.split("/")[2], "preview": preview, "rows": len(rows) - 1,
    "last": [last.indicator_id, last.period, last.series, last.revision + 1],
    "table": Figure._meta.db_table,
}))
"""

STATE = """
import json, sys
from django_tasks_db.models import DBTaskResult
from kpiboard.web.models import Figure, Job, Site
job = Job.objects.get(pk=sys.argv[1])
task = DBTaskResult.objects.get(pk=job.task_id)
print(json.dumps({
    "figures": Figure.objects.count(), "version": Site.objects.get().version,
    "task": task.status, "outcome": job.outcome, "message": job.message,
}))
"""


@pytest.fixture
def site(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        KPIBOARD_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="kpiboard.web.settings",
        KPIBOARD_DEBUG="false",
        KPIBOARD_ALLOWED_HOSTS="testserver",
        PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2] / "src"), str(Path.cwd())]),
    )
    return env


def python(env: dict, code: str, *args: str) -> dict:
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", "worker", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_kpiboard_worker_runs_a_queued_import(site):
    queued = python(site, SETUP)
    before = python(site, STATE, queued["job"])
    assert before["task"] == "READY" and before["outcome"] == ""
    done = worker(site, "--batch")
    assert done.returncode == 0, done.stderr[-3000:]
    after = python(site, STATE, queued["job"])
    assert after["task"] == "SUCCESSFUL" and after["outcome"] == "done"
    assert after["figures"] == before["figures"] + queued["rows"]
    assert after["message"] == f"Imported {queued['rows']:,} changed figures from all.csv"


#: The PostgreSQL suite's server (Makefile: TEST_DATABASE_URL); the test makes its own database.
SERVER = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kpiboard")
PG = SERVER.rsplit("/", 1)[0]


@pytest.fixture
def postgres_site(site):
    """The same, on a PostgreSQL database of its own (dropped after)."""
    psycopg = pytest.importorskip("psycopg")
    # A name of this run's own: two suites on one server (helpers, CI) never share it.
    name = f"kpiboard_jobs_worker_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no PostgreSQL server to test against")
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {name}")
    yield {**site, "DATABASE_URL": f"{PG}/{name}"}
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def test_a_worker_killed_mid_import_leaves_nothing_half_applied(postgres_site, tmp_path):
    """The worker is killed while it waits, part-way through writing the figures (it has retired
    their current revisions and is inserting the new ones), on a row this test holds; then the
    next worker to start marks the job failed and gives the upload back."""
    import psycopg

    env = postgres_site
    queued = python(env, SETUP)
    before = python(env, STATE, queued["job"])
    indicator, period, series, revision = queued["last"]
    blocker = psycopg.connect(env["DATABASE_URL"])  # holds the last figure's next revision
    blocker.execute(
        f"INSERT INTO {queued['table']} (indicator_id, period, series, value, note, revision, "
        "is_current, created, reason) VALUES (%s, %s, %s, 0, '', %s, false, now(), 'test')",
        (indicator, period, series, revision),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "kpiboard.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watcher = psycopg.connect(env["DATABASE_URL"], autocommit=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the worker waits on the row held above
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'INSERT INTO%%'"
            ).fetchone()[0]
            if waiting:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the worker never got to writing the figures")
        progress = json.loads((tmp_path / "jobs" / queued["job"] / "progress.json").read_text())
        assert progress["step"] == "Writing the figures" and progress["done"] > 0
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        blocker.rollback()
        blocker.close()
    others = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + 30
    # The killed worker's session ends, its transaction rolled back.
    while watcher.execute(others).fetchone()[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    watcher.close()
    killed = python(env, STATE, queued["job"])
    assert killed["task"] == "RUNNING" and killed["outcome"] == ""  # nobody said otherwise
    assert (killed["figures"], killed["version"]) == (before["figures"], before["version"])

    started = worker(env, "--batch")  # the next worker on this machine
    assert "Marked 1 job(s) failed" in started.stdout
    failed = python(env, STATE, queued["job"])
    assert failed["task"] == "FAILED" and failed["outcome"] == "failed"
    assert failed["message"].startswith("The worker running this job stopped before it finished")
    assert (failed["figures"], failed["version"]) == (before["figures"], before["version"])
    token = queued["preview"].strip("/").split("/")[-1]
    assert (tmp_path / "imports" / token).is_dir()  # given back: it can be applied again
