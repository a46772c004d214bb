"""An analyst or administrator moving the site's reporting month by hand, with a reason.

The move is a write like any other (see :mod:`kpiboard.web.writes`): the data version moves on
first, the current reporting month is locked, and a move someone else made since the form was
shown is refused. The month may go back as well as forward (to correct an early approval); only
the automatic moves (:func:`kpiboard.web.reporting_month.move_forward`) are forward-only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..core.periods import PeriodError, PeriodKind
from .models import MonthMove, ReportingMonth
from .permissions import can_move_month
from .reporting_month import locked_current, record
from .store import bump_version
from .writes import MAX_REASON, ConcurrentEdit, Invalid, site_calendar, when, who


def move_month(user, label: str, reason: str, *, base_revision: int) -> ReportingMonth:
    """Make the month ``label`` the reporting month. ``base_revision`` is the reporting-month
    revision the form showed (0 for none). Raises ``PermissionDenied``, :class:`Invalid` or
    :class:`ConcurrentEdit`."""
    if not can_move_month(user):
        raise PermissionDenied
    calendar = site_calendar()
    errors: dict[str, str] = {}
    try:
        month = calendar.parse((label or "").strip())
    except (PeriodError, ValueError):
        month = None
    if month is None or month.kind is not PeriodKind.MONTH:
        errors["period"] = "Select the month the site should report"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter the reason for moving the reporting month"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Reason must be {MAX_REASON} characters or fewer"
    if errors:
        raise Invalid(errors)
    assert month is not None
    with transaction.atomic():
        bump_version()  # first: writers queue here
        current = locked_current()
        revision = current.revision if current is not None else 0
        if revision != base_revision:
            assert current is not None
            raise ConcurrentEdit(
                [],
                f"{who(current.author) if current.author_id else 'A pack load'} changed the "
                f"reporting month at {when(current.created)}; nothing was changed. Check the "
                "month and try again",
            )
        if current is not None and current.period == month.label:
            raise Invalid({"period": f"The reporting month is already {month.long_display}"})
        return record(month.label, MonthMove.MOVED, user, reason, current=current)
