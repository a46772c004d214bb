"""Sign-off of a section's period: ``draft -> submitted -> approved``.

A submitted period can be returned to draft by an approver, an approved one reopened by an
analyst, each with a reason. With ``SEPARATE_DUTIES`` (the default) whoever submitted a period
cannot also approve it. Approving a period moves the site's reporting month forward to it
(:mod:`kpiboard.web.reporting_month`). Every transition is a new
:class:`~kpiboard.web.models.Signoff` revision, written like every other write (see
:mod:`kpiboard.web.writes`): the data version moves on first, and a move someone else made since
the page was shown is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..core.periods import PeriodError
from .approval import changes_since_approval
from .models import Section, Signoff, SignoffState
from .permissions import can_approve, can_edit_approved, can_submit
from .reporting_month import on_approval
from .store import bump_version
from .writes import MAX_REASON, SignoffChanged, SignoffRefused, site_calendar, when, who

#: The moves between states: (from, to) -> (action name, who may, reason required).
TRANSITIONS = {
    (SignoffState.DRAFT, SignoffState.SUBMITTED): ("submit", can_submit, False),
    (SignoffState.SUBMITTED, SignoffState.APPROVED): ("approve", can_approve, False),
    (SignoffState.SUBMITTED, SignoffState.DRAFT): ("return", can_approve, True),
    (SignoffState.APPROVED, SignoffState.DRAFT): (
        "reopen",
        lambda user, section: can_edit_approved(user),
        True,
    ),
}
ACTIONS = {name: target for (_, target), (name, _, _) in TRANSITIONS.items()}
#: An owner taking back their own submission before it is approved (submitted -> draft).
WITHDRAW = ("withdraw", can_submit, False)
#: Approving again a period that was changed since it was approved (approved -> approved).
REAPPROVE = ("approve", can_approve, False)


def allowed_actions(user, section: Section, state: str) -> list[str]:
    """The sign-off actions ``user`` may take on a section's period in ``state``."""
    return [
        name
        for (source, _), (name, allowed, _) in TRANSITIONS.items()
        if source == state and allowed(user, section)
    ]


def set_signoff(
    user,
    section_code: str,
    period_label: str,
    state: str,
    note: str = "",
    *,
    base_revision: int | None = None,
    withdraw: bool = False,
) -> Signoff:
    """Move a section's period to ``state`` (a new :class:`Signoff` revision).

    ``base_revision`` (the sign-off revision the page showed; 0 for none) refuses the move when
    someone else moved the period since (:class:`SignoffChanged`). Approving records the site's
    data version; a period changed since it was approved may be approved again. ``withdraw``
    takes a submission back to draft as one of the section's owners (instead of an approver
    returning it).
    Raises ``Section.DoesNotExist``, ``PermissionDenied`` or :class:`SignoffRefused`.
    """
    section = Section.objects.get(code=section_code)
    calendar = site_calendar()
    try:
        period = calendar.parse(period_label)
    except PeriodError as exc:
        raise SignoffRefused({"period": str(exc)}) from None
    try:
        target = SignoffState(state)
    except ValueError:
        raise SignoffRefused({"state": f"{state!r} is not a sign-off state"}) from None
    if withdraw:
        if target is not SignoffState.DRAFT:
            raise SignoffRefused({"state": "Only a submission can be withdrawn"})
        if not can_submit(user, section):
            raise PermissionDenied
    elif not any(
        allowed(user, section) for (_, to), (_, allowed, _) in TRANSITIONS.items() if to == target
    ):
        raise PermissionDenied  # before anything about the period is looked at
    note = (note or "").strip()
    if len(note) > MAX_REASON:
        raise SignoffRefused({"note": f"Reason must be {MAX_REASON} characters or fewer"})
    with transaction.atomic():
        version = bump_version()
        current = (
            Signoff.objects.select_for_update(of=("self",))
            .filter(section=section, period=period.label, is_current=True)
            .select_related("author")
            .first()
        )
        source = SignoffState(current.state) if current else SignoffState.DRAFT
        current_rev = current.revision if current else 0
        if base_revision is not None and base_revision != current_rev:
            if current is None:  # the page showed a sign-off that never was: a stale or odd form
                raise SignoffChanged(
                    {"": f"{section.title} for {period.display} is a draft; nothing was changed"}
                )
            raise SignoffChanged(
                {
                    "": f"{who(current.author)} changed the sign-off of {section.title} for "
                    f"{period.display} to {current.get_state_display().lower()} at "
                    f"{when(current.created)}; nothing was changed"
                }
            )
        move = _move(source, target, withdraw, section, period)
        if move is None:
            if source == target:
                message = f"{section.title} for {period.display} is already {target.label.lower()}"
            elif target is SignoffState.APPROVED:
                message = "Only a submitted period can be approved: submit it first"
            else:
                message = (
                    f"{section.title} for {period.display} is {source.label.lower()}: "
                    f"it cannot be made {target.label.lower()}"
                )
            raise SignoffRefused({"": message})
        name, allowed, needs_reason = move
        if not allowed(user, section):
            raise PermissionDenied
        if name == "approve" and current is not None and source is SignoffState.SUBMITTED:
            _check_separation(user, current, f"{section.title} for {period.display}")
        if needs_reason and not note:
            what = "reopening" if name == "reopen" else "returning"
            raise SignoffRefused({"note": f"Enter a reason for {what} this period"})
        if name == "approve":
            on_approval(user, section, period, calendar)  # the site's month moves on with it
        return Signoff.objects.append(
            current, section=section, period=period.label, state=target.value, author=user,
            reason=note, site_version=version,
        )  # fmt: skip


def _move(source: SignoffState, target: SignoffState, withdraw: bool, section, period):
    """The transition from ``source`` to ``target``: (name, who may, reason required) or None."""
    if withdraw:
        return WITHDRAW if source is SignoffState.SUBMITTED else None
    if source is target is SignoffState.APPROVED:
        changed = changes_since_approval(section, period.label, site_calendar())
        return REAPPROVE if changed else None
    return TRANSITIONS.get((source, target))


def _check_separation(user, submitted: Signoff, what: str) -> None:
    """With ``SEPARATE_DUTIES`` on, the person who submitted a period may not approve it: a
    second pair of eyes is the point of approval."""
    if settings.SEPARATE_DUTIES and submitted.author_id == user.pk:
        raise SignoffRefused(
            {"": f"You submitted {what}, so someone else must approve it (separation of duties)"}
        )
