"""Importing a CSV or spreadsheet file into the site's figures: plan first, then all or nothing.

The file is checked by the same code as a pack import (:mod:`kpiboard.packs.import_rows`), then
compared with the site's current figures. The plan remembers the revision of every figure it
would change, so applying it refuses the whole file when someone changed one of them since, as
data entry does (see :mod:`kpiboard.web.writes`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from ..packs.import_plan import ChangeCounts, FigureChange, after_importing
from ..packs.import_rows import check_import_file
from ..packs.problems import PackError, Problems
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
    add_figure,
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
    """Read a CSV or spreadsheet file, check every row against the site's pack (and, given the
    importing ``user``, against what they may change) and work out what importing it would
    change. Raises :class:`PackError` listing every problem."""
    pack = current_pack()
    checked = check_import_file(pack, path, sheet)
    if user is not None and (refused := owner_problems(user, checked.source, checked.rows)):
        raise PackError(refused.sorted())
    codes = {r.indicator for r in checked.rows}
    models = {m.code: m for m in Indicator.objects.filter(code__in=codes).select_related("section")}
    current = {
        (f.indicator.code, f.period, f.series): f
        for f in Figure.objects.filter(indicator__code__in=codes, is_current=True).select_related(
            "indicator"
        )
    }
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
            pack.indicators[code], models[code], pack.calendar, replaced
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


def _notify(locked, user, source: str, calendar) -> None:
    """Tell the approvers of each approved period the import changed (once per period)."""
    by_lock: dict[int, tuple] = {}
    for change, lock in locked:
        by_lock.setdefault(lock.pk, (lock, []))[1].append(change.indicator)
    for lock, codes in by_lock.values():
        what = f"{', '.join(dict.fromkeys(codes))} (imported from {source})"
        notify_changed_after_approval(lock, user, what, calendar)


@dataclass(frozen=True)
class ImportResult:
    new: int
    changed: int
    version: int | None


def apply_db_import(user, plan: ImportPlan, reason: str = "") -> ImportResult:
    """Write an import plan's changes in one transaction, each a Figure revision with the reason
    "Imported from FILE" (and the person's reason, which approved periods need), or nothing.

    Raises ``PermissionDenied``, :class:`ConcurrentEdit` (a figure changed since the plan was made),
    :class:`Locked` or :class:`Invalid`.
    """
    if role_of(user) not in FULL and (
        role_of(user) is not Role.OWNER or owner_problems(user, plan.source, plan.changes)
    ):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON - 100:
        raise Invalid({"reason": f"Reason must be {MAX_REASON - 100} characters or fewer"})
    stored_reason = f"Imported from {plan.source}" + (f": {reason}" if reason else "")
    todo = [c for c in plan.changes if c.status != "unchanged"]
    if not todo:
        return ImportResult(0, 0, None)
    calendar = site_calendar()
    models = {
        m.code: m
        for m in Indicator.objects.filter(code__in={c.indicator for c in todo}, archived=False)
    }
    try:
        with transaction.atomic():
            version = bump_version()
            locks = Locks(calendar)
            conflicts, locked = [], []
            pending = []
            for c in todo:
                model = models.get(c.indicator)
                if model is None:
                    raise Invalid({"": f"{c.indicator} is no longer an indicator of this site"})
                current = (
                    Figure.objects.select_for_update(of=("self",))
                    .filter(indicator=model, period=c.period, series=c.series, is_current=True)
                    .select_related("author")
                    .first()
                )
                current_rev = current.revision if current else 0
                if current_rev != c.base_revision:
                    name = f"{c.indicator} {c.period} {c.series}"
                    conflicts.append(
                        conflict(name, current, current.value if current else None, c.new)
                    )
                    continue
                lock = locks.lock(model.section_id, calendar.parse(c.period))
                if lock is not None:
                    locked.append((c, lock))
                pending.append((model, c, current))
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
            for model, c, current in pending:
                add_figure(
                    model, c.period, c.series, c.new, c.new_note, current, user, stored_reason
                )
            _notify(locked, user, plan.source, calendar)
    except IntegrityError:
        raise ConcurrentEdit([]) from None
    return ImportResult(plan.new, plan.changed, version)
