"""Import figures from a CSV or spreadsheet file: upload and check, preview, then apply.

Every row is checked against the site's pack with the pack importer's own reading and checking
(:func:`kpiboard.packs.importer.load_table` and ``read_import``), and every problem is shown with
its row and column (and the indicator and period of its row); owners import only the figures of
what they own. Nothing changes until the person has seen the changes and pressed Apply, and
then everything is written in one transaction or nothing is (:func:`db_import.apply_db_import`).

The uploaded file waits in ``DATA_DIR/imports/<token>/`` (with who uploaded it) between the check
and the apply; the preview re-reads it against the figures as they are then. A file that is
refused is removed at once. An upload larger than :data:`MAX_BYTES` is refused from the length
the request declares, before its body is read (Django never reads past that length), so a huge
file is neither held in memory nor written to disk.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ...packs.importer import SPREADSHEET_SUFFIXES
from ...packs.problems import PackError, Problem
from ...packs.tables import ACCEPTED
from ...report.model import fmt_value
from ..db_import import ImportPlan, apply_db_import, plan_db_import
from ..import_where import locate
from ..permissions import can_import
from ..store import current_pack
from ..writes import ConcurrentEdit, Invalid, Locked

MAX_BYTES = 5 * 1024 * 1024
FORM_BYTES = 64 * 1024  # the rest of the form: boundaries, headers, the CSRF token
TOO_BIG = "The selected file must be smaller than 5MB"
SUFFIXES = (".csv", *SPREADSHEET_SUFFIXES)
KEEP_SECONDS = 24 * 3600  # uploads not applied or cancelled are removed after a day
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
META = "upload.json"


def _root() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _tidy() -> None:
    """Remove uploads older than a day."""
    root = _root()
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # pragma: no cover - a race with another process tidying
            continue


#: Appended to an upload's folder while one request applies it.
CLAIMED = ".applying"


@dataclass
class Upload:
    token: str
    folder: Path
    name: str  # the original file name
    path: Path
    uploader: int

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def claim(self) -> Upload | None:
        """Take the upload for applying, or None when another request has taken (or applied or
        cancelled) it: renaming its folder is atomic, so of two "Apply" posts of one preview
        only one goes on. :meth:`release` gives it back when applying stopped short."""
        claimed = self.folder.with_name(self.folder.name + CLAIMED)
        try:
            self.folder.rename(claimed)
        except OSError:
            return None
        return Upload(self.token, claimed, self.name, claimed / self.path.name, self.uploader)

    def release(self) -> None:
        with contextlib.suppress(OSError):  # applied and removed, or tidied away meanwhile
            self.folder.rename(self.folder.with_name(self.folder.name.removesuffix(CLAIMED)))


def _store(request, uploaded) -> Upload:
    token = secrets.token_urlsafe(24)
    folder = _root() / token
    folder.mkdir(parents=True, mode=0o700)
    name = Path(uploaded.name).name
    safe = get_valid_filename(name) or "upload.csv"
    path = folder / safe
    try:
        with path.open("xb") as handle:
            for chunk in uploaded.chunks():
                handle.write(chunk)
        meta = {"name": name, "file": safe, "uploader": request.user.pk, "at": time.time()}
        (folder / META).write_text(json.dumps(meta), "utf-8")
    except BaseException:  # e.g. the disk is full: leave nothing half-written behind
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Upload(token, folder, name, path, request.user.pk)


def _load(request, token: str) -> Upload:
    if not TOKEN.fullmatch(token):
        raise Http404("No such import")
    folder = _root() / token
    try:
        meta = json.loads((folder / META).read_text("utf-8"))
    except (OSError, ValueError):
        raise Http404("No such import: it was applied, cancelled or has expired") from None
    if meta.get("uploader") != request.user.pk:
        raise Http404("No such import")
    return Upload(token, folder, meta["name"], folder / meta["file"], meta["uploader"])


@dataclass
class ProblemRow:
    row: str
    column: str
    message: str
    indicator: str = ""
    period: str = ""


def _problem_rows(problems: list[Problem], path: Path | None = None) -> list[ProblemRow]:
    """The problems as the table shows them, each with the indicator and period of its row."""
    where = locate(path, problems) if path is not None else {}
    out = []
    for p in problems:
        column = p.field
        if column.startswith("column ") and len(column) <= 10:
            column = column.removeprefix("column ")
        indicator, period = where.get((p.line, p.field), ("", ""))
        out.append(ProblemRow(str(p.line) if p.line else "", column, p.message, indicator, period))
    return out


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
            problems = _problem_rows(exc.problems, stored.path)
        finally:
            stored.remove()
        count = len(exc.problems)
        context["errors"] = {
            "file": f"{stored.name} has {count} problem{'s' if count != 1 else ''}: "
            "nothing was imported. Correct the file and upload it again"
        }
        context["problems"] = problems
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
        _tidy()
        return _checked(request, _store(request, uploaded), context)
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


def _rows(plan: ImportPlan) -> list[ChangeRow]:
    pack = current_pack()
    out = []
    for c in plan.changes:
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


@require_http_methods(["GET", "HEAD", "POST"])
def preview(request, token: str):
    if not can_import(request.user):
        raise PermissionDenied
    stored = _load(request, token)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        stored.remove()
        messages.info(request, f"The import of {stored.name} was cancelled: nothing was changed")
        return redirect("kpiboard:import")
    claimed = None
    if request.method == "POST":
        claimed = stored.claim()
        if claimed is None:
            return _message(request, stored, token, TAKEN, 409)
        stored = claimed
    try:
        return _preview_or_apply(request, stored, token)
    finally:
        if claimed is not None:
            claimed.release()  # still there only when it was not applied


#: Said to the second of two "Apply" posts of one preview (or to one after a cancel).
TAKEN = (
    "This file has already been applied, or is being applied, or was cancelled: see Recent "
    "changes for what was imported"
)


def _message(request, stored: Upload, token: str, message: str, status: int):
    context = {"name": stored.name, "token": token, "problems": [], "errors": {"problems": message}}
    return render(request, "kpiboard/import_preview.html", context, status=status)


def _preview_or_apply(request, stored: Upload, token: str):
    """The preview of ``stored`` (GET), or applying it (POST, with the upload claimed)."""
    errors: dict[str, str] = {}
    notice = ""
    reason = request.POST.get("reason", "").strip()
    try:
        plan = plan_db_import(stored.path, user=request.user)
    except PackError as exc:  # the figures changed under the file so that it no longer fits
        return render(
            request,
            "kpiboard/import_preview.html",
            {
                "name": stored.name,
                "token": token,
                "problems": _problem_rows(exc.problems, stored.path),
                "errors": {
                    "problems": "The file no longer fits the figures as they are now: "
                    "nothing was imported"
                },
            },
            status=409 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        if request.POST.get("digest") != plan.digest:
            notice = (
                "Figures have changed since you checked this file, so the changes below are "
                "different. Check them again before you apply the import"
            )
        else:
            try:
                result = apply_db_import(request.user, plan, reason)
            except ConcurrentEdit as exc:
                notice = exc.errors.get("", "")
                plan = plan_db_import(stored.path, user=request.user)
            except (Locked, Invalid) as exc:
                for key, message in exc.errors.items():
                    errors[key or "apply"] = message
            else:
                stored.remove()
                parts = []
                if result.new:
                    parts.append(f"{result.new} new figure{'s' if result.new != 1 else ''}")
                if result.changed:
                    parts.append(
                        f"{result.changed} changed figure{'s' if result.changed != 1 else ''}"
                    )
                what = " and ".join(parts) or "no changes"
                messages.success(request, f"Imported {what} from {stored.name}")
                return redirect("kpiboard:import")
    rows = _rows(plan)
    status = 200
    if request.method == "POST" and (errors or notice):
        status = 409 if notice else 400
    return render(
        request,
        "kpiboard/import_preview.html",
        {
            "name": stored.name,
            "token": token,
            "plan": plan,
            "changes": [r for r in rows if r.status != "unchanged"],
            "unchanged": [r for r in rows if r.status == "unchanged"],
            "errors": errors,
            "notice": notice,
            "reason": reason,
            "problems": [],
        },
        status=status,
    )
