"""Import figures from a CSV or spreadsheet file: upload and check, preview, then apply.

Every row is checked against the site's pack with the pack importer's own reading and checking
(:func:`kpiboard.packs.importer.load_table` and ``read_import``), and every problem is shown with
its row and column (and the indicator and period of its row); owners import only the figures of
what they own. Nothing changes until the person has seen the changes and pressed Apply, and
then a background job (:mod:`kpiboard.web.background`) writes everything in one transaction or
nothing (:func:`db_import.apply_db_import`), while the job's page shows its progress. However
large the file, the preview stays small: the counts, the first :data:`CHANGES_SHOWN` changes, and
the first :data:`PROBLEMS_SHOWN` problems row by row with the rest grouped by column and kind.

The uploaded file waits in ``DATA_DIR/imports/<token>/`` (see :mod:`kpiboard.web.uploads`)
between the check and the apply; the preview re-reads it against the figures as they are then.
A file that is refused is removed at once. An upload larger than :data:`MAX_BYTES` is refused
from the length the request declares, before its body is read (Django never reads past that
length), so a huge file is neither held in memory nor written to disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ...packs.importer import SPREADSHEET_SUFFIXES
from ...packs.problems import PackError, Problem
from ...packs.tables import ACCEPTED
from ...report.model import fmt_value
from .. import jobs, uploads
from ..background import apply_import
from ..db_import import plan_db_import, precheck
from ..import_where import locate
from ..models import Job, JobKind
from ..permissions import can_import
from ..store import current_pack
from ..uploads import Upload
from ..writes import Invalid, Locked

MAX_BYTES = 5 * 1024 * 1024
FORM_BYTES = 64 * 1024  # the rest of the form: boundaries, headers, the CSRF token
TOO_BIG = "The selected file must be smaller than 5MB"
SUFFIXES = (".csv", *SPREADSHEET_SUFFIXES)
#: The preview lists this many changes, and the problems table this many problems; the rest are
#: counted (changes) or grouped by column and kind (problems), so a page stays small.
CHANGES_SHOWN = 200
PROBLEMS_SHOWN = 200


@dataclass
class ProblemRow:
    row: str
    column: str
    message: str
    indicator: str = ""
    period: str = ""


@dataclass
class ProblemGroup:
    column: str
    message: str  # with the file's values left out, e.g. "'…' is not a number"
    rows: str  # e.g. "203 to 9,000, 9,005"
    count: int


def _column(problem: Problem) -> str:
    column = problem.field
    if column.startswith("column ") and len(column) <= 10:
        column = column.removeprefix("column ")
    return column


def _ranges(rows: list[int]) -> str:
    parts, start, end = [], None, None
    for row in sorted(set(rows)):
        if end is not None and row == end + 1:
            end = row
            continue
        if start is not None:
            parts.append(f"{start:,}" if start == end else f"{start:,} to {end:,}")
        start = end = row
    if start is not None:
        parts.append(f"{start:,}" if start == end else f"{start:,} to {end:,}")
    return ", ".join(parts)


QUOTED = re.compile(r"'[^']*'")


def _problem_context(problems: list[Problem], path: Path | None = None) -> dict:
    """The first problems row by row, each with the indicator and period of its row when the
    file at ``path`` still names them, and every one after them grouped by column and kind."""
    first = problems[:PROBLEMS_SHOWN]
    where = locate(path, first) if path is not None else {}
    shown = [
        ProblemRow(
            str(p.line) if p.line else "", _column(p), p.message,
            *where.get((p.line, p.field), ("", "")),
        )
        for p in first
    ]  # fmt: skip
    grouped: dict[tuple[str, str], list[int]] = {}
    for p in problems[PROBLEMS_SHOWN:]:
        grouped.setdefault((_column(p), QUOTED.sub("‘…’", p.message)), []).append(p.line)
    groups = [
        ProblemGroup(column, message, _ranges([r for r in rows if r]), len(rows))
        for (column, message), rows in grouped.items()
    ]
    return {
        "problems": shown,
        "problem_count": len(problems),
        "problem_rest": len(problems) - len(shown),
        "problem_more": len(problems) - min(10, len(shown)),  # past the error summary's ten
        "problem_groups": groups,
    }


def _check_file(uploaded) -> str:
    if uploaded is None:
        return "Select a CSV or Excel file"
    suffix = Path(uploaded.name).suffix.lower()
    if suffix not in SUFFIXES:
        return f"The selected file must be a CSV or Excel file ({ACCEPTED})"
    if uploaded.size == 0:
        return "The selected file is empty"
    if uploaded.size > MAX_BYTES:
        return TOO_BIG
    return ""


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt  # the CSRF check reads the whole body; the inner view makes it after the size check
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    """Refuse an upload larger than the limit from its declared length, before reading it."""
    if not can_import(request.user):
        raise PermissionDenied
    if request.method == "POST" and _declared_length(request) > MAX_BYTES + FORM_BYTES:
        context = {"errors": {"file": TOO_BIG}, "problems": [], "name": ""}
        return render(request, "kpiboard/import_upload.html", context, status=413)
    return _upload(request)


def _checked(request, stored: Upload, context: dict):
    """Check the stored file; a refused (or failing) file is removed at once."""
    try:
        plan_db_import(stored.path, user=request.user)
    except PackError as exc:
        try:
            context.update(_problem_context(exc.problems, stored.path))
        finally:
            stored.remove()
        count = len(exc.problems)
        context["errors"] = {
            "file": f"{stored.name} has {count} problem{'s' if count != 1 else ''}: "
            "nothing was imported. Correct the file and upload it again"
        }
        context["name"] = stored.name
        return render(request, "kpiboard/import_upload.html", context, status=400)
    except BaseException:
        stored.remove()
        raise
    return redirect("kpiboard:import_preview", stored.token)


@csrf_protect
def _upload(request):
    context: dict = {"errors": {}, "problems": [], "name": ""}
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        error = _check_file(uploaded)
        if error:
            context["errors"] = {"file": error}
            return render(request, "kpiboard/import_upload.html", context, status=400)
        uploads.tidy()
        return _checked(request, uploads.store(request.user, uploaded), context)
    return render(request, "kpiboard/import_upload.html", context)


@dataclass
class ChangeRow:
    indicator: str
    title: str
    period: str
    series: str
    status: str
    old: str
    new: str
    note: str
    line: int


def _rows(changes) -> list[ChangeRow]:
    pack = current_pack()
    out = []
    for c in changes:
        ind = pack.indicators.get(c.indicator)
        period = pack.calendar.parse(c.period)
        definition = ind.series_def(c.series) if ind else None
        series = definition.label if definition else c.series.capitalize()

        def show(value, ind=ind, c=c):
            return "" if value is None or ind is None else fmt_value(ind, value, c.series)

        note = c.new_note if c.new_note != c.old_note else ""
        out.append(
            ChangeRow(
                c.indicator, ind.display_title if ind else "", period.display, series, c.status,
                show(c.old), show(c.new), note, c.line,
            )
        )  # fmt: skip
    return out


#: Said to the second of two "Apply" posts of one preview (or to one after a cancel).
TAKEN = (
    "This file has already been applied, or is being applied, or was cancelled: see Recent "
    "changes for what was imported"
)
STALE = (
    "Figures have changed since you checked this file, so the changes below are different. "
    "Check them again before you apply the import"
)
NO_FIT = "The file no longer fits the figures as they are now: nothing was imported"


@require_http_methods(["GET", "HEAD", "POST"])
def preview(request, token: str):
    """The preview of an upload (GET); Apply (POST) checks it again and queues the job that
    applies it, keeping the upload claimed until the job has applied it or given it back."""
    if not can_import(request.user):
        raise PermissionDenied
    stored = uploads.find(token, request.user.pk)
    if stored is None:
        return _taken(request, token)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        stored.remove()
        messages.info(request, f"The import of {stored.name} was cancelled: nothing was changed")
        return redirect("kpiboard:import")
    if request.method != "POST":
        return _checked_page(request, stored, token)
    claimed = stored.claim()
    if claimed is None:
        return _message(request, stored, token, TAKEN, 409)
    queued = False
    try:
        response, queued = _queue(request, claimed, token)
    finally:
        if not queued:
            claimed.release()
    return response


def _taken(request, token: str):
    """An upload being applied: its job's page (the person's own), or the 409 of a late Apply."""
    claimed = uploads.find(token, request.user.pk, claimed=True)
    if claimed is None:
        raise Http404("No such import: it was applied, cancelled or has expired")
    if request.method == "POST":
        return _message(request, claimed, token, TAKEN, 409)
    job = (
        Job.objects.filter(owner=request.user, kind=JobKind.IMPORT, params__contains=token)
        .order_by("-created")
        .first()
    )
    if job is None:
        return _message(request, claimed, token, TAKEN, 409)
    return redirect("kpiboard:job", job.pk)


def _message(request, stored: Upload, token: str, message: str, status: int):
    context = {"name": stored.name, "token": token, "problems": [], "errors": {"problems": message}}
    return render(request, "kpiboard/import_preview.html", context, status=status)


def _no_fit(request, stored: Upload, token: str, exc: PackError, status: int):
    """The figures changed under the file so that it no longer fits."""
    context = {"name": stored.name, "token": token, "errors": {"problems": NO_FIT}}
    context.update(_problem_context(exc.problems, stored.path))
    return render(request, "kpiboard/import_preview.html", context, status=status)


def _checked_page(request, stored: Upload, token: str):
    try:
        plan = plan_db_import(stored.path, user=request.user)
    except PackError as exc:
        return _no_fit(request, stored, token, exc, 200)
    return _page(request, stored, token, plan)


def _queue(request, claimed: Upload, token: str):
    """Check the claimed upload as the preview did; when it still says the same, queue its job.
    Returns the response and whether the job was queued (which then owns the claim)."""
    reason = request.POST.get("reason", "").strip()
    try:
        plan = plan_db_import(claimed.path, user=request.user)
    except PackError as exc:
        return _no_fit(request, claimed, token, exc, 409), False
    if request.POST.get("digest") != plan.digest:
        return _page(request, claimed, token, plan, notice=STALE, reason=reason, status=409), False
    try:
        precheck(request.user, plan, reason)
    except (Locked, Invalid) as exc:
        errors = {key or "apply": message for key, message in exc.errors.items()}
        page = _page(request, claimed, token, plan, errors=errors, reason=reason, status=400)
        return page, False
    params = {"token": token, "digest": plan.digest, "reason": reason}
    job = jobs.start(
        request.user, JobKind.IMPORT, f"Import of {claimed.name}", apply_import, params
    )
    return redirect("kpiboard:job", job.pk), True


def _page(request, stored, token, plan, *, errors=None, notice="", reason="", status=200):
    """The preview: the counts, the first changes, and how many more there are."""
    changed = [c for c in plan.changes if c.status != "unchanged"]
    rows = _rows(changed[:CHANGES_SHOWN])
    context = {
        "name": stored.name,
        "token": token,
        "plan": plan,
        "changes": rows,
        "more_changes": len(changed) - len(rows),
        "errors": errors or {},
        "notice": notice,
        "reason": reason,
        "problems": [],
    }
    return render(request, "kpiboard/import_preview.html", context, status=status)
