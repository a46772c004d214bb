"""Running queued background jobs in a test: now, in this process, by the same worker code
``kpiboard worker`` runs (django-tasks' database worker, which stops when the queue is empty)."""

from __future__ import annotations

import re
from unittest import mock

from django.core.management import call_command


def run_jobs() -> None:
    # Between jobs a worker process drops database connections that are no longer usable, and to
    # Django a connection inside a transaction counts as such; here that connection holds the
    # test's own transaction (on PostgreSQL it would really be closed), so it is left open.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def job_url(response) -> str:
    """The job page a request sent the person to."""
    assert response.status_code == 302, response.status_code
    assert re.fullmatch(r"/jobs/[0-9a-f-]{36}/", response.url), response.url
    return response.url
