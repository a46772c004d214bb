"""The write path for data entry, and what sign-off (:mod:`.signoff`) and imports
(:mod:`.db_import`) share with it: each write is all or nothing in one transaction.

Every write transaction calls :func:`~kpiboard.web.store.bump_version` first. That update takes the
lock on the one ``Site`` row, so writers queue up behind each other (on SQLite the transaction is
``IMMEDIATE`` anyway), and whatever a writer reads after it is what the writer before it committed.

Optimistic concurrency: a form is rendered with the revision of every value it shows (its *base*
revision). A save compares what the person typed with the base value, not with the current one,
so a value they left alone is never written back over a colleague's newer one. For a value they
did change, the current row is locked (``select_for_update``) and its revision must still be the
base revision; otherwise someone else saved in between and the *whole* save is refused with
:class:`ConcurrentEdit`, which says who changed what, to what, and when. Nothing is ever silently
overwritten. Values that did not change add no revision.

Approved periods are locked: a figure or commentary of a period covered by an approved sign-off of
the indicator's section may be changed only by people who may edit approved data
(:func:`~kpiboard.web.permissions.can_edit_approved`), and only with a reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..core.indicators import Accumulation, IndicatorKind
from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import FinancialCalendar, Period, PeriodError, PeriodKind
from ..packs.assembly import assemble
from ..packs.datafiles import Row, format_number, series_problem, value_problem
from ..packs.problems import Problems
from ..packs.textfiles import canonical_text
from .approval import notify_changed_after_approval
from .models import (
    CommentaryText,
    Figure,
    Indicator,
    Section,
    Signoff,
    SignoffState,
    Site,
)
from .permissions import (
    FULL,
    can_edit,
    can_edit_approved,
    role_of,
)
from .store import bump_version, current_pack

#: Series that hold what an indicator is judged against: only analysts and administrators set them.
THRESHOLD_SERIES = ("target", "floor", "lower", "upper")
#: The longest texts the database keeps (see models.py) or that we accept.
MAX_NOTE = 500
MAX_REASON = 500
MAX_COMMENTARY = 20_000


# --- errors and results --------------------------------------------------------------------------


class WriteError(Exception):
    """A save that was refused; ``errors`` maps a field name to a message ("" for the form)."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


class Invalid(WriteError):
    """Values that cannot be saved as given (not a number, not a series, no reason ...)."""


class Locked(WriteError):
    """The period is approved and this person may not change approved data."""


class SignoffRefused(WriteError):
    """A sign-off transition that is not allowed from the current state."""


class SignoffChanged(SignoffRefused):
    """Someone else moved the sign-off since the page showed it (a stale ``base_revision``):
    the page shown again shows the sign-off as it is now and carries its revision."""


def who(user) -> str:
    """A person as other people see them: their full name, or their username."""
    if user is None:
        return "Someone"
    return (user.get_full_name() or user.get_username()).strip() or "Someone"


def when(moment: datetime, now: datetime | None = None) -> str:
    """ "10:32" today, "10:32 on 5 March 2025" on another day, in the site's time zone."""
    local = timezone.localtime(moment)
    today = timezone.localtime(now or timezone.now()).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    return f"{clock} on {local.day} {local.strftime('%B %Y')}"


def plain_number(value: float | None) -> str:
    """A figure as typed: ``73`` not ``73.0``; empty for no figure."""
    return "" if value is None else format_number(float(value))


def _as_typed(value: float | str | None) -> str:
    return value if isinstance(value, str) else plain_number(value)


@dataclass(frozen=True)
class Conflict:
    """Someone else saved ``field`` after the form was rendered."""

    field: str  # a series name, or "commentary"
    theirs: float | str | None  # the value (or commentary text) now saved
    yours: float | str | None  # what this person tried to save
    revision: int  # the current revision, the new base for a second attempt
    author: str
    at: datetime

    @property
    def is_text(self) -> bool:
        return self.field == "commentary"

    @property
    def theirs_shown(self) -> str:
        """What is saved now, as a form shows it: the text, or the figure as typed."""
        return _as_typed(self.theirs)

    @property
    def yours_shown(self) -> str:
        """What this person tried to save, as a form shows it."""
        return _as_typed(self.yours)

    def message(self, fmt=plain_number) -> str:
        time = when(self.at)
        if self.is_text:
            return (
                f"{self.author} changed the commentary at {time} while you were editing; "
                "your change was not saved"
            )
        if self.theirs is None:
            return (
                f"{self.author} removed this figure at {time} while you were editing; "
                "your change was not saved"
            )
        return (
            f"{self.author} changed this figure to {fmt(self.theirs)} at {time} while you were "
            "editing; your change was not saved"
        )


class ConcurrentEdit(WriteError):
    """Someone else saved one of the values since the form was rendered: nothing was saved."""

    def __init__(self, conflicts: Iterable[Conflict], message: str = "", current_version: str = ""):
        self.conflicts = list(conflicts)
        #: The fingerprint of what is saved now, where the write knows it: the form shown again
        #: carries it, so a deliberate second save (after checking what is saved) goes through.
        self.current_version = current_version
        errors = {c.field: c.message() for c in self.conflicts}
        if message or not errors:
            errors[""] = message or (
                "Someone else saved these figures at the same moment; your change was not saved. "
                "Check the figures and save again"
            )
        super().__init__(errors)


@dataclass(frozen=True)
class Result:
    """What a save wrote."""

    changed: tuple[str, ...] = ()  # series given a new revision
    commentary: bool = False  # the commentary was given a new revision
    version: int | None = None  # the site's data version after the save

    @property
    def nothing_changed(self) -> bool:
        return not self.changed and not self.commentary


# --- periods and locks ---------------------------------------------------------------------------


def site_calendar() -> FinancialCalendar:
    """The site's financial calendar, without building the pack."""
    manifest = Site.objects.filter(pk=1).values_list("manifest", flat=True).first() or {}
    return FinancialCalendar(int(manifest.get("financial_year_start", 4) or 4))


def covers(signoff_period: Period, period: Period) -> bool:
    """Whether approving ``signoff_period`` locks figures of ``period``: those whose period ends
    within it (approving Sep-13 locks September's figures and the quarter to September)."""
    return signoff_period.start <= period.end <= signoff_period.end


def signoff_state(section: Section, period_label: str) -> tuple[str, Signoff | None]:
    """The current state of a section's period (``draft`` when never signed off) and its row."""
    row = (
        Signoff.objects.filter(section=section, period=period_label, is_current=True)
        .select_related("author")
        .first()
    )
    return (row.state if row else SignoffState.DRAFT.value), row


def signed_off(section: Section, period: Period, calendar: FinancialCalendar) -> bool:
    """Whether ``period`` of the section was submitted or approved (its own sign-off, or that of
    the month it ends in): a change to a saved figure then needs a reason; in a draft, none."""
    labels = {period.label, calendar.containing(PeriodKind.MONTH, period.end).label}
    return (
        Signoff.objects.filter(section=section, period__in=labels, is_current=True)
        .exclude(state=SignoffState.DRAFT)
        .exists()
    )


class Locks:
    """Every approved sign-off, read once, to tell which figures are locked."""

    def __init__(self, calendar: FinancialCalendar | None = None):
        self.calendar = calendar or site_calendar()
        self._by_section: dict[int, list[tuple[Period, Signoff]]] = {}
        rows = Signoff.objects.filter(is_current=True, state=SignoffState.APPROVED)
        for row in rows.select_related("author", "section"):
            try:
                approved = self.calendar.parse(row.period)
            except PeriodError:  # pragma: no cover - labels are canonical when written
                continue
            self._by_section.setdefault(row.section_id, []).append((approved, row))

    def any(self) -> bool:
        """Whether any period of any section is approved (else nothing is locked)."""
        return bool(self._by_section)

    def lock(self, section_id: int, period: Period) -> Signoff | None:
        """The approved sign-off that locks ``period`` of the section, if there is one."""
        for approved, row in self._by_section.get(section_id, ()):
            if covers(approved, period):
                return row
        return None


def approved_lock(
    section_id: int, period: Period, calendar: FinancialCalendar | None = None
) -> Signoff | None:
    """The approved sign-off that locks ``period`` for the section, if there is one."""
    return Locks(calendar).lock(section_id, period)


def locked_message(lock: Signoff, calendar: FinancialCalendar | None = None) -> str:
    calendar = calendar or site_calendar()
    display = calendar.parse(lock.period).display
    return (
        f"{lock.section.title} for {display} was approved by {who(lock.author)} on "
        f"{timezone.localtime(lock.created).strftime('%-d %B %Y')}, so its figures are locked. "
        "Ask an analyst to reopen the period or to make the change"
    )


# --- data entry ----------------------------------------------------------------------------------


def may_set_thresholds(user) -> bool:
    """Targets, floors and expected ranges are set by analysts and administrators."""
    return role_of(user) in FULL


def editable_series(indicator: CoreIndicator, user) -> list[str]:
    """The series a person may enter for ``indicator``, in form order."""
    names: list[str] = []
    if indicator.derive is None:
        names.append("actual")
    names += [s.name for s in indicator.extras]
    names += [s.name for s in indicator.comparators]
    if may_set_thresholds(user):
        lead = indicator.kind is IndicatorKind.LEAD
        names += ["lower", "upper"] if lead else ["target", "floor"]
    return [n for n in dict.fromkeys(names) if series_problem(indicator, n) is None]


def _clean_text(text: str | None) -> str:
    return canonical_text(text)  # the form a pack's commentary file reads back


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return float(a) == float(b)


def _validate_values(
    indicator: CoreIndicator, period: Period, values: Mapping[str, float | None]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for series, value in values.items():
        problem = series_problem(indicator, series)
        if problem:
            errors[series] = problem
            continue
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors[series] = "Enter a number, like 73 or 5.84"
                continue
            if not math.isfinite(float(value)):
                errors[series] = "Enter a number, like 73 or 5.84"
                continue
            problem = value_problem(indicator, series, float(value))
            if problem:
                errors[series] = problem[0].upper() + problem[1:]
                continue
        derive = indicator.derive
        monthly = derive is not None and derive.method != Accumulation.PERIOD
        if (
            monthly
            and derive is not None
            and series in derive.inputs
            and period.kind is not PeriodKind.MONTH
        ):
            errors[series] = (
                f"{indicator.id}'s actual is calculated from monthly figures: "
                "enter this figure for a month"
            )
    return errors


def _figure_at(indicator: Indicator, period: str, series: str, revision: int) -> Figure | None:
    if revision <= 0:
        return None
    return Figure.objects.filter(
        indicator=indicator, period=period, series=series, revision=revision
    ).first()


def indicator_problems(
    indicator: CoreIndicator,
    model: Indicator,
    calendar: FinancialCalendar,
    replaced: Mapping[tuple[str, str], tuple[float | None, str]],
    current: Iterable[tuple[str, str, float | None, str]] | None = None,
) -> list[str]:
    """What would be wrong with the indicator's figures once ``replaced`` (period label,
    series) -> (value, note) are written (e.g. a derived actual's sources). ``current``: the
    indicator's current (period, series, value, note), when the caller has read them already."""
    rows = []
    seen = set()
    if current is None:
        current = Figure.objects.filter(indicator=model, is_current=True).values_list(
            "period", "series", "value", "note"
        )
    for period, series, stored_value, stored_note in current:
        key = (period, series)
        value, note = replaced.get(key, (stored_value, stored_note))
        seen.add(key)
        rows.append(Row(indicator.id, period, series, value, note, "database", 0))
    for key, (value, note) in replaced.items():
        if key not in seen:
            rows.append(Row(indicator.id, key[0], key[1], value, note, "database", 0))
    problems = Problems()
    # New figures were checked against their bound (_validate_values); one saved before there
    # was a bound must not block every other save of the indicator.
    assemble(rows, {indicator.id: indicator}, calendar, problems, bounded=False)
    return [p.message for p in problems.sorted()]


@dataclass
class _Write:
    series: str
    value: float | None
    note: str
    current: Figure | None
    replaces_value: bool  # an existing figure gets another value (needs a reason)


def conflict(field_name: str, current, theirs, yours) -> Conflict:
    return Conflict(
        field_name, theirs, yours, current.revision if current else 0,
        who(current.author) if current else "Someone",
        current.created if current else timezone.now(),
    )  # fmt: skip


def _figure_step(
    model: Indicator, label: str, series: str, value: float | None, base_rev: int, note: str | None
) -> _Write | Conflict | None:
    """What saving ``value`` (typed over the figure of revision ``base_rev``) means: a write, a
    conflict with someone else's newer figure, or None when there is nothing to do."""
    current = (
        Figure.objects.select_for_update(of=("self",))
        .filter(indicator=model, period=label, series=series, is_current=True)
        .select_related("author")
        .first()
    )
    current_rev = current.revision if current else 0
    base = current if current_rev == base_rev else _figure_at(model, label, series, base_rev)
    base_value = base.value if base else None
    base_note = base.note if base else ""
    new_note = base_note if note is None else note.strip()
    if _same(value, base_value) and new_note == base_note:
        return None  # left as it was shown
    if current_rev != base_rev:
        if current and _same(current.value, value) and current.note == new_note:
            return None  # someone else already made the same change
        return conflict(series, current, current.value if current else None, value)
    replaces = base_value is not None and not _same(value, base_value)
    return _Write(series, value, new_note, current, replaces)


def _commentary_step(
    model: Indicator, label: str, commentary: str, base_rev: int
) -> tuple[str, CommentaryText | None] | Conflict | None:
    current = (
        CommentaryText.objects.select_for_update(of=("self",))
        .filter(indicator=model, period=label, is_current=True)
        .select_related("author")
        .first()
    )
    current_rev = current.revision if current else 0
    if current_rev == base_rev:
        base = current
    else:
        base = CommentaryText.objects.filter(
            indicator=model, period=label, revision=base_rev
        ).first()
    text = _clean_text(commentary)
    if text == _clean_text(base.text if base else ""):
        return None
    if current_rev != base_rev:
        if current is not None and _clean_text(current.text) == text:
            return None
        return conflict("commentary", current, current.text if current else "", text)
    return text, current


def save_period_entry(
    user,
    indicator_code: str,
    period_label: str,
    values: Mapping[str, float | None],
    base_revisions: Mapping[str, int],
    commentary: str | None,
    commentary_base: int,
    reason: str,
    *,
    note: str | None = None,
    token=None,
) -> Result:
    """Save one indicator's figures (and commentary, and note) for one period, all or nothing.

    ``values`` holds what the form showed, by series (None: no figure); ``base_revisions`` the
    revision each was rendered from (0, or left out: there was none). ``commentary`` None leaves
    it alone. ``note`` (None: leave alone) is kept with the actual (or the first series given).
    ``token``: the :class:`~.models.ApiToken` an API write came through, kept on each revision.
    Changing a saved figure needs a ``reason`` once the period is submitted or approved.

    Raises ``Indicator.DoesNotExist``, ``PermissionDenied``, :class:`Invalid`, :class:`Locked`
    or :class:`ConcurrentEdit`; nothing is written then.
    """
    model = Indicator.objects.select_related("section").get(code=indicator_code, archived=False)
    if not can_edit(user, model):
        raise PermissionDenied
    pack = current_pack()
    indicator = pack.indicators.get(indicator_code)
    if indicator is None:  # pragma: no cover - the database and the pack agree
        raise Indicator.DoesNotExist(indicator_code)
    try:
        period = pack.calendar.parse(period_label)
    except PeriodError as exc:
        raise Invalid({"period": str(exc)}) from None
    label = period.label
    reason = (reason or "").strip()
    errors = _validate_values(indicator, period, values)
    if note is not None and len(note.strip()) > MAX_NOTE:
        errors["note"] = f"Note must be {MAX_NOTE} characters or fewer"
    if commentary is not None and len(commentary) > MAX_COMMENTARY:
        errors["commentary"] = f"Commentary must be {MAX_COMMENTARY:,} characters or fewer"
    if len(reason) > MAX_REASON:
        errors["reason"] = f"Reason must be {MAX_REASON} characters or fewer"
    if errors:
        raise Invalid(errors)
    note_series = "actual" if "actual" in values else next(iter(values), None)
    try:
        with transaction.atomic():
            version = bump_version([indicator_code])  # first: writers queue here
            writes: list[_Write] = []
            conflicts: list[Conflict] = []
            for series, value in values.items():
                step = _figure_step(
                    model, label, series, None if value is None else float(value),
                    int(base_revisions.get(series, 0) or 0),
                    note if series == note_series else None,
                )  # fmt: skip
                if isinstance(step, Conflict):
                    conflicts.append(step)
                elif step is not None:
                    if series in THRESHOLD_SERIES and not may_set_thresholds(user):
                        errors[series] = "Only analysts can change targets and thresholds"
                    writes.append(step)
            text_write = None
            if commentary is not None:
                text_step = _commentary_step(model, label, commentary, int(commentary_base or 0))
                if isinstance(text_step, Conflict):
                    conflicts.append(text_step)
                else:
                    text_write = text_step
            if conflicts:
                raise ConcurrentEdit(conflicts)
            if not writes and text_write is None:
                transaction.set_rollback(True)  # nothing changed: not even the version
                return Result()
            lock = approved_lock(model.section_id, period, pack.calendar)
            if lock is not None:
                if not can_edit_approved(user):
                    raise Locked({"": locked_message(lock, pack.calendar)})
                if not reason:
                    errors["reason"] = "Enter a reason for changing an approved figure"
            if (
                any(w.replaces_value for w in writes)
                and not reason
                and "reason" not in errors
                and signed_off(model.section, period, pack.calendar)
            ):
                errors["reason"] = "Enter a reason for changing a figure that was already submitted"
            if not errors and writes:
                replaced = {(label, w.series): (w.value, w.note) for w in writes}
                problems = indicator_problems(indicator, model, pack.calendar, replaced)
                if problems:
                    errors[""] = "; ".join(problems)
            if errors:
                raise Invalid(errors)
            for w in writes:
                add_figure(
                    model, label, w.series, w.value, w.note, w.current, user, reason, token=token
                )
            if text_write is not None:
                text, current = text_write
                CommentaryText.objects.append(
                    current,
                    indicator=model,
                    period=label,
                    text=text,
                    author=user,
                    reason=reason,
                    api_token=token,
                )
            if lock is not None:
                what = ", ".join(w.series for w in writes) or "the commentary"
                notify_changed_after_approval(
                    lock, user, f"{indicator.id} ({what}) for {period.display}", pack.calendar
                )
    except IntegrityError:  # the partial unique index: a save slipped past the queue
        raise ConcurrentEdit([]) from None
    return Result(tuple(w.series for w in writes), text_write is not None, version)


def next_figure(model, label, series, value, note, current, user, reason, token=None) -> Figure:
    """The (unsaved) revision that follows ``current``, the figure's current revision or None."""
    return Figure.objects.following(
        current, indicator=model, period=label, series=series, value=value, note=note,
        author=user, reason=reason[:MAX_REASON], api_token=token,
    )  # fmt: skip


def add_figure(model, label, series, value, note, current, user, reason, token=None) -> Figure:
    return Figure.objects.append(
        current, indicator=model, period=label, series=series, value=value, note=note,
        author=user, reason=reason[:MAX_REASON], api_token=token,
    )  # fmt: skip
