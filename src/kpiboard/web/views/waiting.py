"""The data entry list: what is waiting for each person, and the sign-offs they can act on.

An owner sees, for each indicator they look after, the next period after its latest figure and
any period of this financial year with a target but no figure; an approver sees their sections'
periods to sign off. A form at the foot opens the entry form for any other indicator and period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ...core.due_dates import FREQUENCY_KINDS
from ...core.indicators import Indicator as CoreIndicator
from ...core.indicators import IndicatorKind
from ...core.periods import FinancialCalendar, Period, PeriodError, PeriodKind
from ...report.model import fmt_value
from ..approval import changes_since_approval
from ..models import Profile, Role, Section, Signoff, SignoffState
from ..permissions import (
    FULL,
    can_approve,
    can_edit_approved,
    can_submit,
    editable_indicators,
    role_of,
)
from ..reporting_month import collecting_month
from ..signoff import allowed_actions
from ..store import current_pack
from ..targets import MissingTarget, missing_targets, period_target
from ..urlperiods import period_slug
from ..writes import (
    Locks,
    signoff_state,
    site_calendar,
    when,
    who,
)
from .entry import ACTION_LABELS


def primary_series(ind: CoreIndicator) -> str:
    """The series whose figure makes a period 'done': the actual, or a derived actual's source."""
    if ind.derive is not None:
        return next((s for s in ind.derive.inputs if s), "actual")
    return "actual"


def next_period(calendar: FinancialCalendar, kind: PeriodKind, after: Period) -> Period:
    return calendar.containing(kind, after.end + timedelta(days=1))


@dataclass
class WaitingItem:
    indicator: CoreIndicator
    period: Period
    why: str
    url: str
    latest: str = ""  # the latest figure and its period, e.g. "73% (Sep-13)"
    locked: bool = False
    no_target: bool = False  # a rated figure that would have no target (see web.targets)


@dataclass
class SignoffItem:
    period: Period
    state: str
    row: Signoff | None
    actions: list[tuple[str, str]]  # (action, button label)
    slug: str
    can_withdraw: bool = False  # an owner may take the submission back (check your answers)
    may_review: bool = False  # an approver's review page
    changed: bool = False  # approved, then changed: waiting to be approved again

    @property
    def revision(self) -> int:
        return self.row.revision if self.row else 0

    @property
    def by(self) -> str:
        if self.row is None:
            return ""
        return f"{who(self.row.author)}, {when(self.row.created)}"


@dataclass
class SectionBlock:
    section: Section
    waiting: list[WaitingItem] = field(default_factory=list)
    editable: bool = False  # the person may enter figures for some of its indicators
    signoffs: list[SignoffItem] = field(default_factory=list)
    #: For analysts: figures due in the periods still to be approved that have no target.
    missing: list[MissingTarget] = field(default_factory=list)


def _latest(pack, ind: CoreIndicator) -> Period | None:
    data = pack.data.get(ind.id)
    if data is None:
        return None
    values = data.get(primary_series(ind))
    found = [p for p, v in zip(data.periods, values, strict=True) if not math.isnan(v)]
    return found[-1] if found else None


def _latest_text(pack, ind: CoreIndicator) -> str:
    latest = _latest(pack, ind)
    if latest is None:
        return ""
    data = pack.data[ind.id]
    series = primary_series(ind)
    value = data.get(series)[data.index_of(latest)]
    return f"{fmt_value(ind, float(value), series)} ({latest.display})"


def waiting_periods(pack, ind: CoreIndicator) -> list[tuple[Period, str]]:
    """The periods an indicator's figures are waiting for: the next one after the latest actual,
    and any period of that financial year with a target but no actual, up to the next one."""
    calendar = pack.calendar
    kind = FREQUENCY_KINDS.get(ind.frequency)
    latest = _latest(pack, ind)
    upcoming = None
    if kind is not None:
        upcoming = (
            next_period(calendar, kind, latest)
            if latest is not None
            else calendar.containing(kind, pack.as_at.end)
        )
    horizon = upcoming or pack.as_at
    year = calendar.year(calendar.year_of(horizon.start))
    data = pack.data.get(ind.id)
    out: list[tuple[Period, str]] = []
    if data is not None:
        primary = data.get(primary_series(ind))
        expected = ("lower", "upper") if ind.kind is IndicatorKind.LEAD else ("target",)
        for i, p in enumerate(data.periods):
            has_target = any(not math.isnan(data.get(s)[i]) for s in expected)
            if (
                has_target
                and math.isnan(primary[i])
                and p.start >= year.start
                and p.end <= horizon.end
                and p != upcoming
            ):
                word = "An expected range" if ind.kind is IndicatorKind.LEAD else "A target"
                out.append((p, f"{word} is set but there is no figure"))
    if upcoming is not None:
        out.append((upcoming, "Next period"))
    return sorted(out, key=lambda item: item[0].sort_key)


def _signoff_periods(pack, section: Section, indicators: list[CoreIndicator]) -> list[Period]:
    calendar = pack.calendar
    periods: set[Period] = set()
    for ind in indicators:
        kind = FREQUENCY_KINDS.get(ind.frequency)
        if kind is None:
            continue
        latest = _latest(pack, ind)
        if latest is not None:
            periods.add(calendar.containing(kind, latest.end))
            periods.add(next_period(calendar, kind, latest))
        else:
            periods.add(calendar.containing(kind, pack.as_at.end))
    for label in Signoff.objects.filter(
        section=section, is_current=True, state="submitted"
    ).values_list("period", flat=True):
        try:
            periods.add(calendar.parse(label))
        except PeriodError:  # pragma: no cover - labels are canonical when written
            continue
    return sorted(periods, key=lambda p: p.sort_key, reverse=True)


def _missing(section: Section, signoffs: list[SignoffItem]) -> list[MissingTarget]:
    """Due figures without a target, over the section's periods not yet approved."""
    found: dict[tuple[str, Period], MissingTarget] = {}
    for item in signoffs:
        if item.state != SignoffState.APPROVED:
            for gap in missing_targets(section, item.period):
                found.setdefault((gap.indicator.id, gap.period), gap)
    return sorted(found.values(), key=lambda g: (g.period.sort_key, g.indicator.id))


def _signoff_item(user, section: Section, period: Period) -> SignoffItem:
    state, row = signoff_state(section, period.label)
    actions = [(a, ACTION_LABELS[a]) for a in allowed_actions(user, section, state)]
    may_review = can_approve(user, section)
    changed = (
        may_review
        and state == SignoffState.APPROVED
        and bool(changes_since_approval(section, period.label, site_calendar()))
    )
    return SignoffItem(
        period, state, row, actions, period_slug(period.label),
        can_withdraw=can_submit(user, section), may_review=may_review, changed=changed,
    )  # fmt: skip


def _approver_sections(user):
    role = role_of(user)
    if role in FULL:
        return Section.objects.all()
    if role is Role.APPROVER:
        return Profile.objects.get(user=user).sections.all()
    return Section.objects.none()


@require_http_methods(["GET", "HEAD"])
def waiting(request):
    """What is waiting for this person: figures to enter and periods to sign off."""
    role = role_of(request.user)
    if role not in (*FULL, Role.OWNER, Role.APPROVER):
        raise PermissionDenied
    pack = current_pack()
    editable = list(editable_indicators(request.user))
    editable_codes = {m.code for m in editable}
    blocks: dict[int, SectionBlock] = {}
    sections = list(Section.objects.all())
    approvable = {s.pk for s in _approver_sections(request.user)}
    by_code_section = {m.code: m.section_id for m in editable}
    errors: dict[str, str] = {}
    chosen_code = request.GET.get("indicator", "")
    chosen_period = request.GET.get("period", "").strip()
    if "indicator" in request.GET or "period" in request.GET:
        target = _another_period(pack, editable_codes, chosen_code, chosen_period, errors)
        if target:
            return redirect(target)
    locks = Locks(pack.calendar)
    may_edit_approved = can_edit_approved(request.user)
    for section in sections:
        if section.pk not in approvable and section.pk not in by_code_section.values():
            continue
        block = SectionBlock(section)
        pack_section = next((s for s in pack.sections if s.id == section.code), None)
        section_indicators = (
            [pack.indicators[i] for i in pack_section.indicator_ids if i in pack.indicators]
            if pack_section
            else []
        )
        for ind in section_indicators:
            if ind.id not in editable_codes:
                continue
            block.editable = True
            latest_text = _latest_text(pack, ind)
            for period, why in waiting_periods(pack, ind):
                url = reverse("kpiboard:entry_form", args=[ind.id, period_slug(period.label)])
                locked = locks.lock(section.pk, period) is not None and not may_edit_approved
                no_target = ind.needs_target and period_target(pack, ind, period).value is None
                block.waiting.append(
                    WaitingItem(ind, period, why, url, latest_text, locked, no_target)
                )
        block.signoffs = [
            _signoff_item(request.user, section, p)
            for p in _signoff_periods(pack, section, section_indicators)
        ]
        if role in FULL:
            block.missing = _missing(section, block.signoffs)
        blocks[section.pk] = block
    choices = [
        (m.code, f"{m.code} {pack.indicators[m.code].display_title}")
        for m in editable
        if m.code in pack.indicators
    ]
    status = 400 if errors else 200
    return render(
        request,
        "kpiboard/entry_list.html",
        {
            "blocks": list(blocks.values()),
            "as_at": pack.as_at,
            "choices": choices,
            "errors": errors,
            "chosen_code": chosen_code,
            "chosen_period": chosen_period,
            "may_enter": bool(editable),
            "grid_month": collecting_month(pack),
            "waiting_count": sum(len(b.waiting) for b in blocks.values()),
            "path": request.get_full_path(),
        },
        status=status,
    )


def _another_period(pack, editable_codes, code, text, errors) -> str | None:
    """The entry form URL for the indicator and period chosen on the waiting list."""
    if code not in editable_codes:
        errors["indicator"] = "Select an indicator"
    period = None
    if not text:
        errors["period"] = "Enter a period, like Oct-13, 2013/14 Q3 or 2013-10"
    else:
        try:
            period = pack.calendar.parse(text)
        except PeriodError:
            errors["period"] = "Enter a period, like Oct-13, 2013/14 Q3 or 2013-10"
    if errors or period is None:
        return None
    url = reverse("kpiboard:entry_form", args=[code, period_slug(period.label)])
    return url
