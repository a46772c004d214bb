"""Importing a CSV or spreadsheet file into the site's figures: plan first, then all or nothing.

The file is checked by the same code as a pack import (:mod:`kpiboard.packs.import_rows`), then
compared with the site's current figures. The plan remembers the revision of every figure it
would change, so applying it refuses the whole file when someone changed one of them since, as
data entry does (see :mod:`kpiboard.web.writes`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from ..packs.import_plan import ChangeCounts, FigureChange, after_importing
from ..packs.import_rows import check_import_file
from ..packs.problems import PackError, Problems
from . import bulk_figures
from .approval import notify_changed_after_approval
from .models import Figure, Indicator, Role
from .permissions import FULL, can_edit_approved, editable_indicators, role_of
from .store import bump_version, current_pack
from .writes import (
    MAX_REASON,
    THRESHOLD_SERIES,
    ConcurrentEdit,
    Invalid,
    Locked,
    Locks,
    conflict,
    indicator_problems,
    locked_message,
    site_calendar,
)


@dataclass(frozen=True, kw_only=True)
class ImportChange(FigureChange):
    """What an import does to one figure, and the revision it was planned against."""

    base_revision: int  # 0: no figure yet


@dataclass
class ImportPlan(ChangeCounts):
    """What importing a file into the site's figures would change."""

    source: str  # the file name problems and reasons name
    layout: str  # long | wide
    changes: tuple[ImportChange, ...]
    locked: tuple[tuple[str, str], ...] = ()  # (section title, period display) approved
    sections: dict[str, str] = field(default_factory=dict)  # indicator -> section title

    @property
    def digest(self) -> str:
        """A fingerprint of the changes and their base revisions, to tell a stale preview."""
        text = "\n".join(
            f"{c.indicator}|{c.period}|{c.series}|{c.status}|{c.new!r}|{c.new_note}|"
            f"{c.base_revision}"
            for c in self.changes
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class _Stored:
    """A current figure as the plan needs it (read as values: a file may touch 100,000)."""

    value: float | None
    note: str
    revision: int


def owner_problems(user, source: str, rows) -> Problems:
    """The rows an owner may not import: indicators they do not enter, and targets and
    thresholds (which analysts set). Analysts and administrators may import every row."""
    problems = Problems()
    if role_of(user) in FULL:
        return problems
    mine = set(editable_indicators(user).values_list("code", flat=True))
    for row in rows:
        if row.indicator not in mine:
            problems.report(
                source, row.line, "indicator",
                f"you do not enter figures for {row.indicator}: leave its rows out",
            )  # fmt: skip
        elif row.series in THRESHOLD_SERIES:
            problems.report(
                source, row.line, "series",
                f"only analysts set targets and thresholds ({row.series}): leave the row out",
            )  # fmt: skip
    return problems


def plan_db_import(path: str | Path, sheet: str | None = None, user=None) -> ImportPlan:
    """Read a CSV or spreadsheet file, check every row against the site's pack and work out what
    importing it would change. Raises :class:`PackError` listing every problem."""
    pack = current_pack()
    checked = check_import_file(pack, path, sheet)
    if user is not None and (refused := owner_problems(user, checked.source, checked.rows)):
        raise PackError(refused.sorted())
    codes = {r.indicator for r in checked.rows}
    models = {m.code: m for m in Indicator.objects.filter(code__in=codes).select_related("section")}
    current: dict[tuple[str, str, str], _Stored] = {}
    stored_of: dict[str, list[tuple[str, str, float | None, str]]] = {code: [] for code in codes}
    read = Figure.objects.filter(indicator__code__in=codes, is_current=True).values_list(
        "indicator__code", "period", "series", "value", "note", "revision"
    )
    for code, period, series, value, note, revision in read.iterator(chunk_size=5000):
        current[code, period, series] = _Stored(value, note, revision)
        stored_of[code].append((period, series, value, note))
    changes = []
    for row in checked.rows:
        if row.gives_figure:
            fig = current.get((row.indicator, row.period.label, row.series))
            changes.append(ImportChange.of(row, fig, base_revision=fig.revision if fig else 0))
    # The figures after the import must still make a valid pack (e.g. derived series).
    after = Problems()
    by_indicator: dict[str, dict[tuple[str, str], tuple[float | None, str]]] = {}
    for c in changes:
        if c.status != "unchanged":
            by_indicator.setdefault(c.indicator, {})[c.period, c.series] = (c.new, c.new_note)
    for code, replaced in by_indicator.items():
        for message in indicator_problems(
            pack.indicators[code], models[code], pack.calendar, replaced, stored_of[code]
        ):
            after.report(checked.source, 0, code, after_importing(message, checked.source))
    if after:
        raise PackError(after.sorted())
    locked = []
    locks = Locks(pack.calendar)
    for code, replaced in by_indicator.items():
        for period_label, _series in replaced:
            lock = locks.lock(models[code].section_id, pack.calendar.parse(period_label))
            if lock is not None:
                item = (lock.section.title, pack.calendar.parse(lock.period).display)
                if item not in locked:
                    locked.append(item)
    return ImportPlan(
        checked.source,
        checked.layout,
        tuple(changes),
        tuple(locked),
        {code: m.section.title for code, m in models.items()},
    )


@dataclass(frozen=True)
class ImportResult:
    new: int
    changed: int
    version: int | None


def precheck_reason(user, reason: str, plan: ImportPlan) -> str:
    """Analysts and administrators import anything, owners only the figures of what they enter
    (:func:`owner_problems`); the reason must fit. Returns the reason stripped."""
    role = role_of(user)
    if role not in FULL and (
        role is not Role.OWNER or owner_problems(user, plan.source, plan.changes)
    ):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON - 100:
        raise Invalid({"reason": f"Reason must be {MAX_REASON - 100} characters or fewer"})
    return reason


def precheck(user, plan: ImportPlan, reason: str = "") -> str:
    """The checks that need no writing, made before an apply is queued and again when it runs:
    raises ``PermissionDenied`` or :class:`Locked` or :class:`Invalid`; returns the reason as
    it will be stored."""
    reason = precheck_reason(user, reason, plan)
    if plan.locked:
        if not can_edit_approved(user):
            section, period = plan.locked[0]
            raise Locked({"": f"{section} for {period} has been approved and is locked"})
        if not reason:
            raise Invalid({"reason": "Enter a reason for changing approved figures"})
    return reason


#: ``progress(done, total, step, force=False)``: told how far applying is (see web.jobs.Reporter).
Progress = Callable[..., None]


def _report(progress: Progress | None, done: int, total: int, force: bool = False) -> None:
    if progress is not None:
        progress(done, total, "Writing the figures", force=force)


def _current_figures(models: list[Indicator]) -> dict[tuple[str, str, str], Figure]:
    """The current figures of the indicators, locked until the transaction ends."""
    found = {}
    for start in range(0, len(models), 50):
        chunk = models[start : start + 50]
        rows = (
            Figure.objects.select_for_update(of=("self",))
            .filter(indicator__in=chunk, is_current=True)
            .select_related("author", "indicator")
        )
        for f in rows:
            found[f.indicator.code, f.period, f.series] = f
    return found


def _write(pending: list, user, reason: str, progress: Progress | None, total: int) -> None:
    """Retire the current revisions, then add the new ones (by the bulk path when there are
    many: see :mod:`kpiboard.web.bulk_figures`)."""
    bulk_figures.retire([current.pk for _, _, current in pending if current is not None])
    revisions = [
        (model.id, c.period, c.series, c.new, c.new_note, current.revision + 1 if current else 1)
        for model, c, current in pending
    ]
    rows = [(*row, "") for row in revisions]  # none from a fetch's file: see Figure.fetched_file

    def written(done: int, _count: int, _step: str, force: bool = False) -> None:
        _report(progress, total + done, total * 2, force)

    bulk_figures.add(rows, user, reason[:MAX_REASON], written)


def _notify(locked, user, source: str, calendar) -> None:
    """Tell the approvers of each approved period the import changed (once per period)."""
    by_lock: dict[int, tuple] = {}
    for change, lock in locked:
        by_lock.setdefault(lock.pk, (lock, []))[1].append(change.indicator)
    for lock, codes in by_lock.values():
        what = f"{', '.join(dict.fromkeys(codes))} (imported from {source})"
        notify_changed_after_approval(lock, user, what, calendar)


def apply_db_import(
    user, plan: ImportPlan, reason: str = "", progress: Progress | None = None
) -> ImportResult:
    """Write an import plan's changes in one transaction, each a Figure revision with the reason
    "Imported from FILE" (and the person's reason, which approved periods need), or nothing.

    ``progress(done, total, step, force=False)``, if given, hears how far the writing is; it is
    called inside the transaction, so it must not write to the database (see web.jobs).
    Raises ``PermissionDenied``, :class:`ConcurrentEdit` (a figure changed since the plan was made),
    :class:`Locked` or :class:`Invalid`.
    """
    reason = precheck_reason(user, reason, plan)
    stored_reason = f"Imported from {plan.source}" + (f": {reason}" if reason else "")
    todo = [c for c in plan.changes if c.status != "unchanged"]
    if not todo:
        return ImportResult(0, 0, None)
    calendar = site_calendar()
    models = {
        m.code: m
        for m in Indicator.objects.filter(code__in={c.indicator for c in todo}, archived=False)
    }
    total = len(todo)
    try:
        with transaction.atomic():
            version = bump_version({c.indicator for c in todo})  # only their figures
            _report(progress, 0, total * 2, force=True)
            figures = _current_figures(list(models.values()))
            locks = Locks(calendar)
            conflicts, locked, pending = [], [], []
            for done, c in enumerate(todo, 1):
                model = models.get(c.indicator)
                if model is None:
                    raise Invalid({"": f"{c.indicator} is no longer an indicator of this site"})
                current = figures.get((c.indicator, c.period, c.series))
                if (current.revision if current else 0) != c.base_revision:
                    name = f"{c.indicator} {c.period} {c.series}"
                    conflicts.append(
                        conflict(name, current, current.value if current else None, c.new)
                    )
                    continue
                lock = locks.lock(model.section_id, calendar.parse(c.period))
                if lock is not None:
                    locked.append((c, lock))
                pending.append((model, c, current))
                _report(progress, done, total * 2)
            if conflicts:
                raise ConcurrentEdit(
                    conflicts,
                    "Figures in this file were changed by someone else since you checked it; "
                    "nothing was imported. Check the changes again",
                )
            if locked:
                if not can_edit_approved(user):
                    raise Locked({"": locked_message(locked[0][1], calendar)})
                if not reason:
                    raise Invalid({"reason": "Enter a reason for changing approved figures"})
            _report(progress, total, total * 2, force=True)  # checked: now the writing
            _write(pending, user, stored_reason, progress, total)
            _notify(locked, user, plan.source, calendar)
            _report(progress, total * 2, total * 2, force=True)
    except IntegrityError:
        raise ConcurrentEdit([]) from None
    return ImportResult(plan.new, plan.changed, version)
