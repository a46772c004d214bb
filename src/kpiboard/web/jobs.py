"""Background jobs: large imports and reports run by a worker (``kpiboard worker``) on
django-tasks' database backend, so SQLite stays the embedded default and PostgreSQL serves many
workers.

A :class:`~kpiboard.web.models.Job` row says who started what and how it ended; the django-tasks
result row says whether a worker has it. Progress (done, total, what it is doing) is written to a
small file, ``DATA_DIR/jobs/<id>/progress.json``, replaced atomically: an import writes progress
while its one long transaction is open, and on SQLite a second connection could not write a row
until that very transaction ended. Web servers and workers share ``DATA_DIR`` already (uploads
wait there), so the page reads the file wherever the job runs. A report's file is kept beside it.

A worker killed mid-job leaves its task "running" for ever; :func:`fail_abandoned`, run when a
worker starts, marks such tasks of dead workers on this machine failed with the reason, and gives
an import's upload back so it can be applied again. Nothing of the import was written: it writes
in one transaction, which the database rolled back when the connection died.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from .models import Job, JobKind, JobOutcome, Role
from .permissions import role_of

#: Said of a job whose worker stopped (killed, or the machine restarted) while it ran.
ABANDONED = (
    "The worker running this job stopped before it finished (it was stopped or the server "
    "restarted), so nothing was changed. Start it again"
)
#: Said of a job that failed in a way nobody foresaw; the worker's log has the details.
UNEXPECTED = "Something went wrong while running this job, so nothing was changed. Try again"
KEEP_DAYS = 7  # finished jobs' files (progress, a report) are removed after a week
PROGRESS = "progress.json"
SEPARATOR = ":"


def folder(job: Job | str) -> Path:
    return Path(settings.DATA_DIR) / "jobs" / str(job.pk if isinstance(job, Job) else job)


@dataclass(frozen=True)
class Progress:
    done: int = 0
    total: int = 0
    step: str = ""

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


def read_progress(job: Job) -> Progress:
    try:
        data = json.loads((folder(job) / PROGRESS).read_text("utf-8"))
        return Progress(int(data["done"]), int(data["total"]), str(data["step"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Progress()


class Reporter:
    """Writes a job's progress, at most every ``every`` seconds unless told it matters."""

    def __init__(self, job: Job, every: float = 0.5):
        self.path = folder(job) / PROGRESS
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.every = every
        self.last = 0.0

    def __call__(self, done: int, total: int, step: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        part = self.path.with_suffix(".part")
        part.write_text(json.dumps({"done": done, "total": total, "step": step}), "utf-8")
        os.replace(part, self.path)  # readers see the old progress or the new, never half


def start(user, kind: JobKind, title: str, task, params: dict) -> Job:
    """Record a job for ``user`` and put its task on the queue (both, or neither)."""
    with transaction.atomic():
        job = Job.objects.create(owner=user, kind=kind, title=title[:300], params=params)
        result = task.enqueue(str(job.pk))
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def finish(job: Job, outcome: JobOutcome, message: str, result_file: str = "") -> None:
    job.outcome, job.message, job.result_file = outcome, message, result_file
    job.finished = timezone.now()
    job.save(update_fields=["outcome", "message", "result_file", "finished"])


def visible_to(user, job: Job) -> bool:
    """Only the person who started a job sees it, and administrators."""
    return job.owner_id == user.pk or role_of(user) is Role.ADMINISTRATOR


def task_status(job: Job) -> str:
    """The django-tasks status of the job's task (READY, RUNNING, SUCCESSFUL, FAILED), or ""."""
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(pk=job.task_id).values_list("status", flat=True).first() or ""
    )


# Workers, and the jobs of workers that died.


def worker_id() -> str:
    """This machine, this process, and a random part: what :func:`fail_abandoned` reads."""
    host = socket.gethostname()[:40].replace(SEPARATOR, "-")
    return SEPARATOR.join((host, str(os.getpid()), get_random_string(8)))


def _dead_here(ids: list[str]) -> bool:
    """Whether the last worker to claim a task ran on this machine and its process is gone."""
    if not ids:
        return False
    parts = str(ids[-1]).split(SEPARATOR)
    if len(parts) != 3 or parts[0] != socket.gethostname()[:40].replace(SEPARATOR, "-"):
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def fail_abandoned() -> int:
    """Mark failed, with the reason, the running tasks of workers on this machine that died;
    returns how many. Their jobs' clean-up (an import's upload given back) runs too."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    count = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if not _dead_here(result.worker_ids):
            continue
        with transaction.atomic():
            claimed = DBTaskResult.objects.select_for_update().filter(
                pk=result.pk, status=TaskResultStatus.RUNNING
            )
            if not claimed.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="kpiboard.web.jobs.Abandoned",
                traceback=ABANDONED,
            ):
                continue
        count += 1
        for job in Job.objects.filter(task_id=str(result.pk), outcome=""):
            abandon(job)
    return count


def abandon(job: Job) -> None:
    from .background import ON_ABANDON

    handler = ON_ABANDON.get(JobKind(job.kind))
    if handler is not None:
        handler(job)
    finish(job, JobOutcome.FAILED, ABANDONED)


def tidy() -> None:
    """Remove the files (progress, a report) of jobs finished more than a week ago."""
    cutoff = timezone.now() - timedelta(days=KEEP_DAYS)
    for job_id in Job.objects.filter(finished__lt=cutoff).values_list("pk", flat=True):
        shutil.rmtree(folder(str(job_id)), ignore_errors=True)
    Job.objects.filter(finished__lt=cutoff).exclude(result_file="").update(result_file="")
