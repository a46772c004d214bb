"""The background tasks a worker runs (see :mod:`kpiboard.web.jobs`): applying an import,
making a report file, and publishing the approved figures as open data. Each records its outcome
on its :class:`~kpiboard.web.models.Job`; an import that stops short, for any reason, gives its
upload back so it can be checked again."""

from __future__ import annotations

import logging

from django_tasks import task

from ..packs.problems import PackError
from . import jobs, uploads
from .db_import import apply_db_import, plan_db_import, precheck
from .models import Job, JobKind, JobOutcome
from .writes import ConcurrentEdit, Invalid, Locked

log = logging.getLogger(__name__)

GONE = "The file is no longer there: it was applied, cancelled or has expired"
STALE = (
    "Figures have changed since you checked this file, so nothing was imported. Check the "
    "changes again before you apply the import"
)
NO_FIT = "The file no longer fits the figures as they are now: nothing was imported"


def _plural(count: int, what: str) -> str:
    return f"{count:,} {what}{'s' if count != 1 else ''}"


def imported_message(new: int, changed: int, name: str) -> str:
    parts = []
    if new:
        parts.append(_plural(new, "new figure"))
    if changed:
        parts.append(_plural(changed, "changed figure"))
    return f"Imported {' and '.join(parts) or 'no changes'} from {name}"


@task()
def apply_import(job_id: str) -> None:
    """Apply the upload the job names, all or nothing, with progress."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    params = job.params
    upload = uploads.find(params["token"], job.owner_id, claimed=True)
    if upload is None:
        jobs.finish(job, JobOutcome.FAILED, GONE)
        return
    report = jobs.Reporter(job)
    try:
        report(0, 0, "Checking the file", force=True)
        plan = plan_db_import(upload.path, user=job.owner)
        if plan.digest != params["digest"]:
            raise Invalid({"": STALE})
        precheck(job.owner, plan, params.get("reason", ""))
        result = apply_db_import(job.owner, plan, params.get("reason", ""), progress=report)
    except PackError:
        _stopped(job, upload, NO_FIT)
    except ConcurrentEdit as exc:
        _stopped(job, upload, exc.errors.get("", "") or STALE)
    except (Locked, Invalid) as exc:
        _stopped(job, upload, "; ".join(exc.errors.values()))
    except BaseException:
        _stopped(job, upload, jobs.UNEXPECTED)
        raise
    else:
        upload.remove()
        jobs.finish(job, JobOutcome.DONE, imported_message(result.new, result.changed, upload.name))


def _stopped(job: Job, upload: uploads.Upload, message: str) -> None:
    upload.release()
    jobs.finish(job, JobOutcome.FAILED, message)


def _give_back_upload(job: Job) -> None:
    upload = uploads.find(job.params.get("token", ""), job.owner_id, claimed=True)
    if upload is not None:
        upload.release()


@task()
def make_report(job_id: str) -> None:
    """Make the report file the job's choices describe, and keep it for download."""
    from .report_files import ReportChoices, ReportUnavailable, make

    job = Job.objects.get(pk=job_id)
    report = jobs.Reporter(job, every=0)
    try:
        filename, content = make(ReportChoices(**job.params), report)
    except ReportUnavailable as exc:
        jobs.finish(job, JobOutcome.FAILED, str(exc))
        return
    except BaseException:
        jobs.finish(job, JobOutcome.FAILED, jobs.UNEXPECTED)
        raise
    target = jobs.folder(job) / filename
    target.write_bytes(content)
    jobs.finish(job, JobOutcome.DONE, f"{filename} is ready", result_file=filename)


@task()
def publish_site(job_id: str) -> None:
    """Publish the approved figures (kpiboard.web.publishing) as a zip kept for download."""
    from ..publish import PublishError
    from .publishing import publish

    job = Job.objects.select_related("owner").get(pk=job_id)
    report = jobs.Reporter(job, every=0)
    made: list[str] = []

    def deliver(filename: str, content: bytes) -> None:
        (jobs.folder(job) / filename).write_bytes(content)
        made.append(filename)

    try:
        record = publish(job.owner, deliver, report)
    except PublishError as exc:
        jobs.finish(job, JobOutcome.FAILED, str(exc))
    except BaseException:
        jobs.finish(job, JobOutcome.FAILED, jobs.UNEXPECTED)
        raise
    else:
        sections = ", ".join(f"{p['title']} to {p['period']}" for p in record.periods)
        jobs.finish(job, JobOutcome.DONE, f"{made[0]} is ready: {sections}", result_file=made[0])


#: What to tidy when a job's worker died mid-job (see jobs.fail_abandoned).
ON_ABANDON = {JobKind.IMPORT: _give_back_upload}
