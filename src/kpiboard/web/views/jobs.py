"""A background job's page: its progress while it waits or runs (the page refreshes itself with
JavaScript, and has a link to look again without it), then what it did and, for a report, the
download. Only the person who started a job sees it, and administrators."""

from __future__ import annotations

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import jobs, uploads
from ..models import Job, JobKind, JobOutcome
from ..report_files import content_type

WAITING = "Waiting for a worker to start it"


def _job(request, job_id) -> Job:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not jobs.visible_to(request.user, job):
        raise Http404("No such job")
    return job


def _state(job: Job) -> dict:
    progress = jobs.read_progress(job)
    running = not job.outcome
    step = (progress.step or WAITING) if running else job.message
    if running and jobs.task_status(job) == "FAILED":  # failed before it could say so
        running, step = False, jobs.UNEXPECTED
    return {
        "running": running,
        "waiting": running and not progress.step,
        "failed": job.outcome == JobOutcome.FAILED or (not running and not job.outcome),
        "percent": 100 if job.outcome == JobOutcome.DONE else progress.percent,
        "step": step,
    }


@require_safe
def job(request, job_id):
    job = _job(request, job_id)
    state = _state(job)
    if request.GET.get("format") == "json":
        return JsonResponse({k: state[k] for k in ("running", "failed", "percent", "step")})
    again = None
    if job.kind == JobKind.IMPORT and state["failed"]:
        token = job.params.get("token", "")
        if uploads.find(token, job.owner_id) is not None:
            again = token
    return render(request, "kpiboard/job.html", {"job": job, "state": state, "again": again})


@require_safe
def download(request, job_id):
    job = _job(request, job_id)
    if job.outcome != JobOutcome.DONE or not job.result_file:
        raise Http404("Nothing to download: the job has not finished, or its file was removed")
    path = jobs.folder(job) / job.result_file
    if not path.is_file():
        raise Http404("The file was removed: make the report again")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.result_file,
        content_type=content_type(job.result_file),
    )
    response["Cache-Control"] = "private, no-store"
    return response
