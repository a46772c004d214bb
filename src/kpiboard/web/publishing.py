"""The web's Publish action: the site's approved figures as a static public site with open data
(:mod:`kpiboard.publish`), made by a worker as a zip file to download, and recorded.

What is published, section by section:

* a section with no approved period is left out;
* otherwise its figures up to its latest approved period (the period's current sign-off is
  approved), with its definitions, narrative and commentary as they stood when that period was
  approved;
* a figure or commentary of a period that has its own approval is published as it stood at
  that approval: a change made after it (entered by an analyst with a reason, or imported) is
  not published until the period is approved again;
* periods whose current sign-off is draft or submitted (reopened, or awaiting approval) are
  left out, and so is anything after the latest approved period;
* periods with no sign-off of their own before the latest approved one (history brought in
  with the pack, before sign-off started) are published as they stood at the latest approval,
  which the approver signed off with that history on every chart.

Each publication adds a :class:`~kpiboard.web.models.Publication` row (who, when, which
periods of which sections, as whose approval), and the zip's ``publication.json`` says the same.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.text import slugify

from ..core.periods import FinancialCalendar, Period, PeriodError
from ..packs.datafiles import Row
from ..packs.loader import build_pack
from ..packs.model import Commentary as PackCommentary
from ..packs.textfiles import canonical_text
from ..publish import Part, Publisher, PublishError, build, write_zip
from . import store
from .models import CommentaryText, Figure, Publication, Section, Signoff, SignoffState, Site
from .reporting_month import month_of
from .writes import covers, site_calendar, who

NOTHING_APPROVED = (
    "No section has an approved period yet, so there is nothing to publish: a section's "
    "period must be approved before its figures can be published"
)


@dataclass(frozen=True)
class SectionPlan:
    """What the publication holds of one section."""

    section: Section
    latest: Signoff  # the sign-off of its latest approved period
    period: Period  # that period
    approved: dict[str, Signoff]  # every approved period's sign-off, by period label
    withheld: list[Period]  # periods whose sign-off is draft or submitted

    @property
    def approved_at(self) -> datetime:
        return self.latest.created


def plan(calendar: FinancialCalendar | None = None) -> list[SectionPlan]:
    """Every section that has an approved period, in the sections' order."""
    calendar = calendar or site_calendar()
    plans = []
    current = Signoff.objects.filter(is_current=True).select_related("author", "section")
    by_section: dict[int, list[tuple[Period, Signoff]]] = {}
    for row in current:
        try:
            by_section.setdefault(row.section_id, []).append((calendar.parse(row.period), row))
        except PeriodError:  # pragma: no cover - labels are canonical when written
            continue
    for section in Section.objects.order_by("position", "code"):
        rows = by_section.get(section.pk, [])
        approved = [(p, s) for p, s in rows if s.state == SignoffState.APPROVED]
        if not approved:
            continue
        period, latest = max(approved, key=lambda item: (month_of(item[0], calendar), item[0]))
        plans.append(
            SectionPlan(
                section=section,
                latest=latest,
                period=period,
                approved={p.label: s for p, s in approved},
                withheld=[p for p, s in rows if s.state != SignoffState.APPROVED],
            )
        )
    return plans


def _cutoff(plan_: SectionPlan, period: Period, calendar: FinancialCalendar) -> datetime | None:
    """When ``period``'s figures were approved (None: they are not published)."""
    if plan_.period.end < period.end:
        return None
    if any(covers(p, period) for p in plan_.withheld):
        return None
    for label, signoff in plan_.approved.items():
        if covers(calendar.parse(label), period):
            return signoff.created
    return plan_.approved_at


def _latest_by_key(rows, key, plan_: SectionPlan, calendar: FinancialCalendar) -> dict:
    """The latest revision of each key made by its period's approval."""
    found: dict[tuple, tuple[int, object]] = {}
    cutoffs: dict[str, datetime | None] = {}
    for row in rows:
        if row.period not in cutoffs:
            cutoffs[row.period] = _cutoff(plan_, calendar.parse(row.period), calendar)
        cutoff = cutoffs[row.period]
        if cutoff is None or row.created > cutoff:
            continue
        k = key(row)
        if k not in found or row.revision > found[k][0]:
            found[k] = (row.revision, row)
    return {k: row for k, (_, row) in found.items()}


def _part(plan_: SectionPlan, calendar: FinancialCalendar) -> Part:
    source = store.source_from_db(plan_.approved_at)
    codes = set(plan_.section.indicators.values_list("code", flat=True))
    when = plan_.approved_at
    figures = Figure.objects.filter(indicator__code__in=codes, created__lte=when).select_related(
        "indicator"
    )
    latest = _latest_by_key(
        figures, lambda f: (f.indicator.code, f.period, f.series), plan_, calendar
    )
    source.rows = [
        Row(f.indicator.code, f.period, f.series, f.value, f.note, "database", 0)
        for f in latest.values()
    ]
    texts = CommentaryText.objects.filter(
        indicator__code__in=codes, created__lte=when
    ).select_related("indicator")
    commentary: dict[str, list[PackCommentary]] = {}
    for text in _latest_by_key(
        texts, lambda t: (t.indicator.code, t.period), plan_, calendar
    ).values():
        if canonical_text(text.text):
            commentary.setdefault(text.indicator.code, []).append(
                PackCommentary(calendar.parse(text.period), canonical_text(text.text))
            )
    source.commentary = {
        k: tuple(sorted(v, key=lambda c: c.period.sort_key)) for k, v in commentary.items()
    }
    approver = who(plan_.latest.author)
    return Part(
        build_pack(source),
        (plan_.section.code,),
        plan_.period,
        f"approved by {approver} on {timezone.localtime(when):%-d %B %Y at %H:%M}",
    )


def filename(when: datetime) -> str:
    manifest = Site.get().manifest
    name = slugify(str(manifest.get("title", "")))[:50] or "kpiboard"
    return f"{name}-open-data-{timezone.localtime(when):%Y-%m-%d-%H%M}"


def publish(user, deliver: Callable[[str, bytes], None], progress=None) -> Publication:
    """Make the publication, hand its zip (file name, content) to ``deliver``, and only then
    record it: a publication that never reached anyone is not in the record.
    Raises :class:`~kpiboard.publish.PublishError` when nothing is approved."""
    say = progress or (lambda *args, **kwargs: None)
    calendar = site_calendar()
    plans = plan(calendar)
    if not plans:
        raise PublishError(NOTHING_APPROVED)
    say(0, len(plans) + 1, "Collecting the approved figures", force=True)
    parts = []
    for done, item in enumerate(plans, start=1):
        parts.append(_part(item, calendar))
        say(done, len(plans) + 1, f"Collected {item.section.title}", force=True)
    now = timezone.now()
    files = build(parts, Publisher(who(user), now, "web"))
    name = filename(now)
    buffer = io.BytesIO()
    write_zip(files, buffer, name)
    deliver(f"{name}.zip", buffer.getvalue())
    record = Publication.objects.create(
        author=user,
        file_name=f"{name}.zip",
        periods=[
            {
                "section": item.section.code,
                "title": item.section.title,
                "period": item.period.label,
                "approved_by": who(item.latest.author),
                "approved_at": item.approved_at.isoformat(timespec="seconds"),
                "withheld": [p.label for p in item.withheld],
            }
            for item in plans
        ],
    )
    say(len(plans) + 1, len(plans) + 1, "Done", force=True)
    return record
