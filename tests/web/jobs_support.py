"""Running queued background jobs in a test: now, in this process, by the same worker code
``kpiboard worker`` runs (django-tasks' database worker, which stops when the queue is empty)."""

from __future__ import annotations

import re

from django.core.management import call_command


def run_jobs() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def job_url(response) -> str:
    """The job page a request sent the person to."""
    assert response.status_code == 302, response.status_code
    assert re.fullmatch(r"/jobs/[0-9a-f-]{36}/", response.url), response.url
    return response.url
