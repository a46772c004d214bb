"""Annual targets set in the application, and the figures that are due without a target.

An annual target lives in the indicator's definition (``annual_targets:`` in the pack format), so
setting one adds a definition revision, audited like an override: who, when, why, and the
definition before it. The new definition is read by the pack validator before anything is
written. :func:`missing_targets` is the one place that says which due figures have no target;
the entry form, the entry list and the check before submission all ask it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..core.indicators import AnnualTarget, TargetProfile
from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import Period, PeriodError, PeriodKind
from ..core.targets import PeriodTarget, target_at
from ..packs.annual_targets import annual_targets_body
from ..packs.model import Pack
from . import entry_period
from .models import Definition, Indicator, Section
from .overrides import check_definition, locked_definition
from .permissions import can_edit_approved
from .store import bump_version, current_pack
from .writes import MAX_REASON, Invalid


def may_set_targets(user) -> bool:
    """Targets are what a committee judges by: analysts and administrators set them."""
    return can_edit_approved(user)


def period_target(pack: Pack, ind: CoreIndicator, period: Period) -> PeriodTarget:
    """The target of ``period``: its own, else profiled from the year's annual target."""
    return target_at(ind, pack.data[ind.id], period, pack.calendar)


def due_period(pack: Pack, ind: CoreIndicator, period: Period) -> Period | None:
    """The period of ``ind``'s figure that is due when ``period`` is signed off (September's
    month, or the quarter to September), or None when none is due then (a quarterly figure in
    August, or any figure on a single day): :func:`kpiboard.web.entry_period.due_period`."""
    if period.kind is PeriodKind.DAY:
        return None
    return entry_period.due_period(pack.calendar, ind, period)


@dataclass(frozen=True)
class MissingTarget:
    """A figure that is due but has no target, so it would be reported as "No target"."""

    indicator: CoreIndicator
    period: Period


def missing_targets(section: Section | str, period: Period) -> list[MissingTarget]:
    """The section's rated indicators whose figure due for ``period`` has no target, explicit
    or profiled from an annual target, in page order."""
    pack = current_pack()
    code = section if isinstance(section, str) else section.code
    pack_section = next((s for s in pack.sections if s.id == code), None)
    if pack_section is None:
        return []
    out = []
    for ind_id in pack_section.indicator_ids:
        ind = pack.indicators.get(ind_id)
        if ind is None or not ind.needs_target:
            continue
        due = due_period(pack, ind, period)
        if due is not None and period_target(pack, ind, due).value is None:
            out.append(MissingTarget(ind, due))
    return out


def _weights_problem(profile: TargetProfile, weights: Sequence[float] | None) -> str:
    if profile is TargetProfile.SEASONAL and not weights:
        return "Enter a weight for every month"
    return ""


#: The input a message about the seasonal weights as a whole points to.
WEIGHTS_FIELD = "weight-1"


def set_annual_target(
    user,
    code: str,
    year_label: str,
    value: float,
    profile: TargetProfile,
    weights: Sequence[float] | None,
    reason: str,
    *,
    base_revision: int,
) -> Definition:
    """Set the annual target of ``code`` for a financial year, with its profile.

    ``base_revision`` is the definition revision the form showed: if it has moved on, nothing is
    written and :class:`ConcurrentEdit` says who changed it. Raises ``Indicator.DoesNotExist``,
    ``PermissionDenied`` or :class:`Invalid` (with the field the message belongs to).
    """
    if not may_set_targets(user):
        raise PermissionDenied
    model = Indicator.objects.get(code=code, archived=False)
    pack = current_pack()
    errors: dict[str, str] = {}
    try:
        year = pack.calendar.parse(year_label)
    except PeriodError:
        year = None
    if year is None or year.kind is not PeriodKind.YEAR:
        errors["year"] = "Choose a financial year"
    if not math.isfinite(value):
        errors["target"] = "Enter the annual target as a number, like 85 or 1200"
    if message := _weights_problem(profile, weights):
        errors[WEIGHTS_FIELD] = message
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter the reason for the target, for the record"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Reason must be {MAX_REASON} characters or fewer"
    if errors:
        raise Invalid(errors)
    assert year is not None
    start = pack.calendar.year_of(year.start)
    annual = AnnualTarget(
        start,
        float(value),
        profile,
        tuple(weights or ()) if profile is TargetProfile.SEASONAL else (),
    )
    with transaction.atomic():
        bump_version()  # first: writers queue here (see writes.py)
        current = locked_definition(model, base_revision, "the annual targets")
        ind = pack.indicators[code]
        kept = tuple(a for a in ind.annual_targets if a.year != start)
        body = dict(current.body)
        body["annual_targets"] = annual_targets_body((*kept, annual), pack.calendar)
        _drop_year_end_target(body, start, pack)  # the annual target is now the year's target
        body.pop("target_profile", None)  # every year now says its own profile
        body.pop("seasonal_weights", None)
        check_definition(body, code, pack)
        return Definition.objects.append(
            current, indicator=model, body=body, author=user,
            reason=(f"Annual target for {year.label} set to {value:g} ({profile.value}): "
                    f"{reason}")[:MAX_REASON],
        )  # fmt: skip


def _drop_year_end_target(body: dict, start: int, pack: Pack) -> None:
    """Remove the year's ``year_end_targets`` entry, which the annual target replaces (the
    definition before the change keeps it, in the history)."""
    given = body.get("year_end_targets")
    if not isinstance(given, dict):
        return
    left = {}
    for key, value in given.items():
        try:
            same = pack.calendar.year_of(pack.calendar.parse(str(key)).start) == start
        except PeriodError:
            same = False
        if not same:
            left[key] = value
    if left:
        body["year_end_targets"] = left
    else:
        body.pop("year_end_targets", None)
