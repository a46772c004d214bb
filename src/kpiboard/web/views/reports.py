"""Committee reports to download: all sections or one, a programme, as at a period, as the data
stands now or as it stood when the section's period was approved. Every role may download."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ...core.periods import Period, PeriodError
from ...packs.model import Pack
from ...report.formats import DEFAULT_FORMAT, OUTPUT_FORMATS
from .. import jobs, report_files, store
from ..background import make_report
from ..models import JobKind, Signoff, SignoffState
from ..permissions import can_publish
from ..report_files import ReportChoices

VERSIONS = {
    "now": ("As it stands now", "The latest figures and commentary."),
    "approved": (
        "As approved",
        "The figures and commentary as they were when the section's period was signed off.",
    ),
}


@dataclass
class Choices:
    section: str = ""
    tag: str = ""
    period: str = ""
    format: str = DEFAULT_FORMAT
    version: str = "now"
    errors: dict[str, str] = field(default_factory=dict)


def _periods(pack: Pack) -> list[Period]:
    """Every period with a figure in the pack, up to today (newest first), and the as-at."""
    today = timezone.localdate()
    found = {pack.as_at}
    for data in pack.data.values():
        actual = data.values.get("actual")
        if actual is None:
            continue
        for period, present in zip(data.periods, ~np.isnan(actual), strict=True):
            if present and period.end <= today:
                found.add(period)
    return sorted(found, reverse=True)


def _tags(pack: Pack) -> list[tuple[str, str]]:
    used = {t for ind in pack.indicators.values() for t in ind.tags}
    ordered = [t for t in pack.tag_labels if t in used] + sorted(used - set(pack.tag_labels))
    return [(t, pack.tag_label(t)) for t in ordered]


def _read(request, pack: Pack, periods: list[Period]) -> Choices:
    get = request.GET
    chosen = Choices(
        section=get.get("section", ""),
        tag=get.get("tag", ""),
        period=get.get("period", pack.as_at.label),
        format=get.get("format", ""),
        version=get.get("version", ""),
    )
    errors = chosen.errors
    if chosen.section and chosen.section not in {s.id for s in pack.sections}:
        errors["section"] = "Select a section from the list"
    if chosen.tag and chosen.tag not in dict(_tags(pack)):
        errors["tag"] = "Select a programme from the list"
    if chosen.period not in {p.label for p in periods}:
        errors["period"] = "Select the period the report should be as at"
    if chosen.format not in OUTPUT_FORMATS:
        errors["format"] = "Select whether you want a web page or a PDF"
    if chosen.version not in VERSIONS:
        errors["version"] = "Select whether you want the report as it stands now or as approved"
    if not errors and chosen.section and chosen.tag:
        section = pack.section(chosen.section)
        if not pack.indicators_of(section, (chosen.tag,)):
            errors["tag"] = (
                f"No indicators in {section.title} belong to {pack.tag_label(chosen.tag)}: "
                "select another programme, or all programmes"
            )
    return chosen


def _form(request, pack: Pack, periods: list[Period], chosen: Choices, status: int = 200):
    recent = (
        Signoff.objects.filter(state=SignoffState.APPROVED, is_current=True)
        .select_related("section", "author")
        .order_by("-created")[:12]
    )
    approvals = []
    for signoff in recent:
        try:
            display = pack.calendar.parse(signoff.period).long_display
        except (PeriodError, ValueError):
            display = signoff.period
        approvals.append({"signoff": signoff, "period": display})
    order = ("section", "tag", "period", "format", "version")
    errors = [(f, chosen.errors[f]) for f in order if f in chosen.errors]
    return render(
        request,
        "kpiboard/reports.html",
        {
            "chosen": chosen,
            "errors": errors,
            "error": chosen.errors,
            "sections": [(s.id, s.title) for s in pack.sections],
            "tags": _tags(pack),
            "periods": [(p.label, p.long_display.capitalize()) for p in periods],
            "formats": OUTPUT_FORMATS,
            "versions": VERSIONS,
            "as_at": pack.as_at,
            "approvals": approvals,
            "can_publish": can_publish(request.user),
        },
        status=status,
    )


@require_safe
def reports(request):
    pack = store.current_pack()
    periods = _periods(pack)
    chosen = Choices(
        section=request.GET.get("section", ""),
        tag=request.GET.get("tag", ""),
        period=request.GET.get("period", pack.as_at.label),
    )
    return _form(request, pack, periods, chosen)


def _large(pack: Pack, chosen: ReportChoices) -> bool:
    """Reports covering more indicators than REPORT_JOB_INDICATORS are made by a worker."""
    return report_files.indicator_count(pack, chosen) > settings.REPORT_JOB_INDICATORS


@require_safe
def download(request):
    """The report file at once when it is small, or a background job making it (its page shows
    progress and then the download) when it is large; both run report_files.make."""
    pack = store.current_pack()
    periods = _periods(pack)
    form = _read(request, pack, periods)
    if form.errors:
        return _form(request, pack, periods, form, status=400)
    period = next(p for p in periods if p.label == form.period)
    chosen = ReportChoices(form.section, form.tag, form.period, form.format, form.version)
    try:
        if chosen.version == "approved":
            report_files.approvals(pack, chosen, period)
        if _large(pack, chosen):
            title = f"Report {report_files.filename(pack, chosen, period)}"
            job = jobs.start(request.user, JobKind.REPORT, title, make_report, chosen.as_params())
            return redirect("kpiboard:job", job.pk)
        name, content = report_files.make(chosen)
    except report_files.ReportUnavailable as error:
        form.errors[error.field] = str(error)
        status = 500 if error.field == "format" else 400
        return _form(request, pack, periods, form, status=status)
    content_type = OUTPUT_FORMATS[chosen.format].content_type
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
