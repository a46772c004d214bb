"""Making a committee report file from the choices of the reports page: one code path, whether
the request makes it at once (a small report) or a worker does (a large one, see web.background)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

from django.utils import timezone
from django.utils.text import slugify

from ..core.periods import Period
from ..packs.model import Pack
from ..report import build_report
from ..report.formats import DEFAULT_FORMAT, format_of_path, output_format
from ..report.model import ReportModel
from ..report.pdf import PdfRenderError
from . import store
from .models import Signoff, SignoffState

#: The suffix and content type of a publication (web.publishing), downloaded from its job's page
#: like a report.
ZIP = (".zip", "application/zip")


def content_type(filename: str) -> str:
    """The content type a job's file is downloaded with: a report's by its format's suffix."""
    fmt = format_of_path(filename)
    if fmt is not None:
        return fmt.content_type
    return ZIP[1] if filename.lower().endswith(ZIP[0]) else "application/octet-stream"


class ReportUnavailable(Exception):
    """The report cannot be made; the message says why, for the person who asked."""

    def __init__(self, message: str, field: str = "format"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReportChoices:
    """What the reports form asked for (checked by the view)."""

    section: str = ""
    tag: str = ""
    period: str = ""
    format: str = DEFAULT_FORMAT
    version: str = "now"

    def as_params(self) -> dict:
        return asdict(self)


def approvals(pack: Pack, chosen: ReportChoices, period: Period) -> dict[str, Signoff]:
    """The latest approval of the period for each section the report covers; raises
    :class:`ReportUnavailable` naming the sections that have none."""
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
        raise ReportUnavailable(
            f"{names} {'has' if len(missing) == 1 else 'have'} not been approved for "
            f"{period.long_display}: select “As it stands now”, or a period that has been "
            "approved",
            field="version",
        )
    return found


def indicator_count(pack: Pack, chosen: ReportChoices) -> int:
    """How many indicators the report covers: what makes it large."""
    sections = [s for s in pack.sections if not chosen.section or s.id == chosen.section]
    tags = (chosen.tag,) if chosen.tag else ()
    return sum(len(pack.indicators_of(s, tags)) for s in sections)


def _subset_title(pack: Pack, chosen: ReportChoices, found: dict[str, Signoff]) -> str:
    parts = []
    if chosen.section:
        parts.append(pack.section(chosen.section).title)
    if chosen.tag:
        subset = next((s for s in pack.subsets.values() if s.tags == (chosen.tag,)), None)
        parts.append(subset.title if subset else pack.tag_label(chosen.tag))
    if found:
        days = {timezone.localtime(s.created).date() for s in found.values()}
        when = f" on {_day(days.pop())}" if len(days) == 1 else ""
        parts.append(f"as approved{when}")
    return " · ".join(parts)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _model(pack: Pack, chosen: ReportChoices, period: Period, subset: str) -> ReportModel:
    tags = (chosen.tag,) if chosen.tag else ()
    model = build_report(pack, tags=tags, as_at=period, subset_title=subset)
    if chosen.section:
        model.sections = [s for s in model.sections if s.id == chosen.section]
        model.priorities = []  # they join every section's indicators, actions and risks
    return model


def _approved_model(chosen: ReportChoices, period: Period, found, subset: str) -> ReportModel:
    """Each section as it stood when it was approved; one pack per approval time."""
    model = None
    built = {}
    for when in sorted({s.created for s in found.values()}):
        past = store.pack_at(when)
        built[when] = _model(past, chosen, past.calendar.parse(period.label), subset)
        model = model or built[when]
    assert model is not None
    model.sections = [
        view
        for code, signoff in found.items()
        for view in built[signoff.created].sections
        if view.id == code
    ]
    order = {s.id: i for i, s in enumerate(store.current_pack().sections)}
    model.sections.sort(key=lambda view: order.get(view.id, len(order)))
    return model


def filename(pack: Pack, chosen: ReportChoices, period: Period) -> str:
    parts = [slugify(pack.title)[:50] or "report"]
    parts += [slugify(p) for p in (chosen.section, chosen.tag) if p]
    parts.append(slugify(period.label.replace("/", "-")))
    if chosen.version == "approved":
        parts.append("approved")
    return "-".join(parts) + output_format(chosen.format).suffix


def make(chosen: ReportChoices, progress: Callable[..., None] | None = None) -> tuple[str, bytes]:
    """The report's file name and content. ``progress(done, total, step, force=False)`` hears
    each step. Raises :class:`ReportUnavailable`."""
    say = progress or (lambda *args, **kwargs: None)
    pack = store.current_pack()
    try:
        period = pack.calendar.parse(chosen.period)
    except ValueError:
        raise ReportUnavailable("Select the period the report should be as at", "period") from None
    say(0, 2, "Working out ratings and charts", force=True)
    found = approvals(pack, chosen, period) if chosen.version == "approved" else {}
    subset = _subset_title(pack, chosen, found)
    if found:
        model = _approved_model(chosen, period, found, subset)
    else:
        model = _model(pack, chosen, period, subset)
    fmt = output_format(chosen.format)
    say(1, 2, fmt.making, force=True)
    try:
        content = fmt.render(model)
    except PdfRenderError as error:  # a PDF the typesetter refuses
        raise ReportUnavailable(
            f"The PDF could not be made ({error}): download the web page"
        ) from None
    say(2, 2, "Done", force=True)
    return filename(pack, chosen, period), content
