"""Committee reports to download: all sections or one, a programme, as at a period, as the data
stands now or as it stood when the section's period was approved. Every role may download."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from ...core.periods import Period, PeriodError
from ...packs.model import Pack
from ...report import build_report
from ...report import render as render_report
from ...report.model import ReportModel
from ...report.pdf import PdfRenderError
from .. import store
from ..models import Signoff, SignoffState

FORMATS = {
    "html": ("Web page (HTML)", "A single file that opens in any browser and prints well."),
    "pdf": ("PDF document", "Accessible, tagged PDF for committee papers."),
}
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
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
    format: str = "html"
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
    if chosen.format not in FORMATS:
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


def _approvals(pack: Pack, chosen: Choices, period: Period) -> dict[str, Signoff]:
    """The latest approval of the period for each section the report covers; the form's error
    says which sections have none."""
    wanted = [s for s in pack.sections if not chosen.section or s.id == chosen.section]
    if chosen.tag:
        wanted = [s for s in wanted if pack.indicators_of(s, (chosen.tag,))]
    found: dict[str, Signoff] = {}
    approved = (
        Signoff.objects.filter(
            section__code__in=[s.id for s in wanted],
            period=period.label,
            state=SignoffState.APPROVED,
        )
        .select_related("section")
        .order_by("section_id", "-revision")
    )
    for signoff in approved:
        found.setdefault(signoff.section.code, signoff)
    missing = [s.title for s in wanted if s.id not in found]
    if missing:
        names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        chosen.errors["version"] = (
            f"{names} {'has' if len(missing) == 1 else 'have'} not been approved for "
            f"{period.long_display}: select “As it stands now”, or a period that has been approved"
        )
    return found


def _subset_title(pack: Pack, chosen: Choices, approvals: dict[str, Signoff]) -> str:
    parts = []
    if chosen.section:
        parts.append(pack.section(chosen.section).title)
    if chosen.tag:
        subset = next((s for s in pack.subsets.values() if s.tags == (chosen.tag,)), None)
        parts.append(subset.title if subset else pack.tag_label(chosen.tag))
    if approvals:
        days = {timezone.localtime(s.created).date() for s in approvals.values()}
        when = f" on {_day(days.pop())}" if len(days) == 1 else ""
        parts.append(f"as approved{when}")
    return " · ".join(parts)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _model(pack: Pack, chosen: Choices, period: Period, subset: str) -> ReportModel:
    tags = (chosen.tag,) if chosen.tag else ()
    model = build_report(pack, tags=tags, as_at=period, subset_title=subset)
    if chosen.section:
        model.sections = [s for s in model.sections if s.id == chosen.section]
    return model


def _approved_model(chosen: Choices, period: Period, approvals, subset: str) -> ReportModel:
    """Each section as it stood when it was approved; one pack per approval time."""
    model = None
    built = {}
    for when in sorted({s.created for s in approvals.values()}):
        past = store.pack_at(when)
        built[when] = _model(past, chosen, past.calendar.parse(period.label), subset)
        model = model or built[when]
    assert model is not None
    model.sections = [
        view
        for code, signoff in approvals.items()
        for view in built[signoff.created].sections
        if view.id == code
    ]
    order = {s.id: i for i, s in enumerate(store.current_pack().sections)}
    model.sections.sort(key=lambda view: order.get(view.id, len(order)))
    return model


def _filename(pack: Pack, chosen: Choices, period: Period) -> str:
    parts = [slugify(pack.title)[:50] or "report"]
    parts += [slugify(p) for p in (chosen.section, chosen.tag) if p]
    parts.append(slugify(period.label.replace("/", "-")))
    if chosen.version == "approved":
        parts.append("approved")
    return "-".join(parts) + "." + chosen.format


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
            "formats": FORMATS,
            "versions": VERSIONS,
            "as_at": pack.as_at,
            "approvals": approvals,
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


@require_safe
def download(request):
    pack = store.current_pack()
    periods = _periods(pack)
    chosen = _read(request, pack, periods)
    if chosen.errors:
        return _form(request, pack, periods, chosen, status=400)
    period = next(p for p in periods if p.label == chosen.period)
    approvals = _approvals(pack, chosen, period) if chosen.version == "approved" else {}
    if chosen.errors:
        return _form(request, pack, periods, chosen, status=400)
    subset = _subset_title(pack, chosen, approvals)
    if approvals:
        model = _approved_model(chosen, period, approvals, subset)
    else:
        model = _model(pack, chosen, period, subset)
    try:
        content = render_report(model, chosen.format)
    except PdfRenderError as error:  # a PDF the typesetter refuses: say so on the form
        chosen.errors["format"] = f"The PDF could not be made ({error}): download the web page"
        return _form(request, pack, periods, chosen, status=500)
    response = HttpResponse(content, content_type=CONTENT_TYPES[chosen.format])
    response["Content-Disposition"] = f'attachment; filename="{_filename(pack, chosen, period)}"'
    response["Cache-Control"] = "private, no-store"
    return response
