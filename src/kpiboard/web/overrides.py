"""Rating overrides set in the application: an officer's rating in place of the computed one.

An override lives in the indicator's definition (``overrides:`` in the pack format), so setting
or removing one adds a definition revision, audited like every other write: who, when, why, and
the definition before it. The new definition is read by the same validator as a pack file before
anything is written, so a site can never be left with a definition it cannot load. The computed
rating stays visible beside the override in the report and on the dashboard.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..core.evaluate import evaluate_indicator
from ..core.periods import PeriodError
from ..packs.definitions import OVERRIDE_RATINGS, read_indicator
from ..packs.problems import Problems
from ..packs.yamlsource import wrap
from .models import Definition, Indicator
from .permissions import can_edit_approved
from .store import bump_version, current_pack
from .writes import MAX_REASON, ConcurrentEdit, Invalid, who


def definition_revision(model: Indicator) -> int:
    """The revision of the indicator's current definition: the base the override and annual
    target forms carry (read before the values they show, see :mod:`.views.conflicts`)."""
    return Definition.objects.only("revision").get(indicator=model, is_current=True).revision


def locked_definition(model, base_revision: int, what: str) -> Definition:
    """The indicator's current definition, locked for this transaction, or
    :class:`ConcurrentEdit` when someone changed it since the page showed ``base_revision``
    (``what`` names what to check again: "the overrides", "the annual targets")."""
    current = (
        Definition.objects.select_for_update(of=("self",))
        .select_related("author")
        .get(indicator=model, is_current=True)
    )
    if current.revision != base_revision:
        raise ConcurrentEdit(
            [],
            f"{who(current.author) if current.author_id else 'A pack load'} changed "
            f"{model.code}'s definition since you opened this page; nothing was changed. "
            f"Check {what} and try again",
        )
    return current


def may_override(user) -> bool:
    """Overrides change what a committee is told: analysts and administrators only."""
    return can_edit_approved(user)


def set_override(
    user,
    code: str,
    period_label: str,
    rating: str,
    reason: str,
    *,
    base_revision: int,
) -> Definition:
    """Override the rating of ``code`` for a period (``rating`` "" removes the override).

    ``base_revision`` is the definition revision the form showed: if the definition has moved on
    since, nothing is written and :class:`ConcurrentEdit` says who changed it. Raises
    ``Indicator.DoesNotExist``, ``PermissionDenied`` or :class:`Invalid`.
    """
    if not may_override(user):
        raise PermissionDenied
    model = Indicator.objects.get(code=code, archived=False)
    pack = current_pack()
    errors: dict[str, str] = {}
    try:
        period = pack.calendar.parse(period_label)
    except (PeriodError, ValueError):
        period = None
    if period is None or period not in {r.period for r in overridable_periods(pack, code)}:
        errors["period"] = "Choose a period with a figure to override"
    if rating and rating not in OVERRIDE_RATINGS:
        errors["rating"] = "Choose a rating"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter the reason for the override, as the report will print it"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Reason must be {MAX_REASON} characters or fewer"
    if errors:
        raise Invalid(errors)
    assert period is not None
    with transaction.atomic():
        bump_version()  # first: writers queue here (see writes.py)
        current = locked_definition(model, base_revision, "the overrides")
        body = dict(current.body)
        # A pack may write the period its own way ("Sep-13"): compare periods, not labels.
        kept = [o for o in body.get("overrides", []) if _period(pack, o) != period]
        if rating:
            by = user.get_full_name() or user.get_username()
            kept.append({"period": period.label, "rating": rating, "reason": reason, "by": by})
            kept.sort(key=lambda o: _period(pack, o).sort_key)
        elif len(kept) == len(body.get("overrides", [])):
            raise Invalid({"rating": f"{period.display} has no override to remove"})
        if kept:
            body["overrides"] = kept
        else:
            body.pop("overrides", None)
        check_definition(body, code, pack)
        return Definition.objects.append(
            current, indicator=model, body=body, author=user,
            reason=(f"Rating for {period.display} " + ("overridden" if rating else "restored")
                    + f": {reason}")[:MAX_REASON],
        )  # fmt: skip


def overridable_periods(pack, code: str) -> list:
    """The periods a rating can be overridden for: those with a figure up to the reporting
    period, latest first (each with its computed rating, as :class:`PeriodResult`)."""
    if code not in pack.indicators:
        return []
    return evaluate_indicator(
        pack.indicators[code], pack.data[code], calendar=pack.calendar, as_at=pack.as_at
    ).reported


def _period(pack, override: dict):
    return pack.calendar.parse(str(override.get("period", "")))


def check_definition(body: dict, code: str, pack) -> None:
    """The definition as a pack would read it: refuse what the site could not load."""
    problems = Problems()
    read_indicator(
        wrap(body),
        f"indicators/{code}.yaml",
        code,
        pack.calendar,
        pack.default_rule,
        problems,
        pack.base_unit,
    )
    if problems:
        raise Invalid({"": "; ".join(p.message for p in problems.sorted())})
