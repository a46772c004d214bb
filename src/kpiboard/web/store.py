"""Between the database and kpiboard's packs: load a pack in, build a Pack out, export it back.

The web application never re-implements a rule: it assembles the same :class:`PackSource` the
file loader reads and hands it to :func:`build_pack`, then uses the core like the CLI does. The
built pack is cached per process and keyed by ``Site.version``, which every change bumps.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..core.periods import FinancialCalendar, PeriodError
from ..packs.compare import differences
from ..packs.datafiles import Row
from ..packs.loader import PackSource, build_pack, load_pack, read_pack
from ..packs.manifest import MANIFEST
from ..packs.model import Commentary as PackCommentary
from ..packs.model import Pack
from ..packs.peers import PeerRow
from ..packs.problems import PackError
from ..packs.textfiles import canonical_text, write_commentary
from ..packs.yamlsource import dump as dump_yaml
from ..packs.yamlsource import wrap
from . import fragments, reporting_month
from .models import (
    CommentaryText,
    DataChange,
    Definition,
    Figure,
    Indicator,
    MonthMove,
    Narrative,
    PeerValue,
    Section,
    Site,
)

#: DataChange rows older than this many versions are dropped: a worker that far behind builds
#: the pack again in full rather than replaying them.
CHANGES_KEPT = 1000


def bump_version(indicators: Iterable[str] | None = None) -> int:
    """Mark the data as changed (inside the caller's transaction); returns the new version.

    ``indicators``: the codes whose figures or commentary alone the write changes, so other
    workers rebuild only those (see web/incremental.py); None (the default, always safe) when it
    may change anything else.
    """
    Site.get()
    Site.objects.filter(pk=1).update(version=F("version") + 1)
    version = Site.objects.values_list("version", flat=True).get(pk=1)
    codes = None if indicators is None else sorted(set(indicators))
    DataChange.objects.filter(version__lte=version - CHANGES_KEPT).delete()
    DataChange.objects.update_or_create(version=version, defaults={"indicators": codes})
    return version


def _plain(value):
    """yamlsource mappings and sequences as plain JSON-able dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _next(model, **key) -> tuple[object | None, int]:
    current = model.objects.select_for_update().filter(is_current=True, **key).first()
    return current, (current.revision + 1 if current else 1)


def _supersede(current) -> None:
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])


@transaction.atomic
def load_pack_into_db(pack_dir: str | Path, *, user=None, reason: str = "") -> Site:
    """Bring a pack into the database: new things are created, changed things get a revision,
    nothing already there is removed. The pack is validated first (``PackError``).

    Figures and commentary of approved (locked) periods are changed only as the web's write path
    allows: by a ``user`` who may change approved figures, with a ``reason``; otherwise
    :class:`~kpiboard.web.writes.Locked` is raised and nothing is written.
    """
    pack_dir = Path(pack_dir)
    # Validation (every problem, before anything is written); each file is read once, and what
    # is stored below is what was checked.
    source, pack = read_pack(pack_dir)
    given_reason = reason.strip()
    reason = given_reason or f"Loaded from pack {pack_dir.name}"
    manifest = _plain(source.manifest)
    bodies = {stem: _plain(body) for _rel, stem, body in source.indicators}
    site = Site.get()
    site.manifest = manifest
    site.loaded_at = timezone.now()
    site.save()

    sections = {}
    for position, spec in enumerate(manifest["sections"]):
        section, _ = Section.objects.update_or_create(
            code=spec["id"],
            defaults={"title": spec["title"], "position": position, "definition": spec},
        )
        sections[section.code] = section
    by_code = {}
    for position, (ind_id, ind) in enumerate(pack.indicators.items()):
        body = bodies[ind_id]
        indicator, _ = Indicator.objects.update_or_create(
            code=ind_id,
            defaults={"section": sections[ind.section], "title": ind.title, "position": position},
        )
        by_code[ind_id] = indicator
        current, number = _next(Definition, indicator=indicator)
        if current is None or current.body != body:
            _supersede(current)
            Definition.objects.create(
                indicator=indicator, body=body, revision=number, author=user, reason=reason
            )

    current = {
        (f.indicator_id, f.period, f.series): f
        for f in Figure.objects.filter(is_current=True, indicator__in=list(by_code.values()))
    }
    superseded, created = [], []
    for row in source.rows:
        indicator = by_code[row.indicator]
        period = pack.calendar.parse(row.period).label
        before = current.get((indicator.id, period, row.series))
        if before is not None and before.value == row.value and before.note == row.note:
            continue
        if before is not None:
            superseded.append(before.pk)
        created.append(
            Figure(
                indicator=indicator, period=period, series=row.series, value=row.value,
                note=row.note, revision=before.revision + 1 if before else 1, author=user,
                reason=reason,
            )
        )  # fmt: skip
    texts = []
    for ind_id, items in pack.commentary.items():
        for item in items:
            current, number = _next(
                CommentaryText, indicator=by_code[ind_id], period=item.period.label
            )
            if current is None or current.text != item.text:
                texts.append((current, by_code[ind_id], item, number))
    touched = [(f.indicator, f.period, f.series) for f in created]
    touched += [(model, item.period.label, "commentary") for _, model, item, _ in texts]
    _check_locks(pack, touched, user, given_reason)

    for start in range(0, len(superseded), 500):
        Figure.objects.filter(pk__in=superseded[start : start + 500]).update(is_current=False)
    Figure.objects.bulk_create(created, batch_size=1000)
    for current, model, item, number in texts:
        _supersede(current)
        CommentaryText.objects.create(
            indicator=model, period=item.period.label, text=item.text,
            revision=number, author=user, reason=reason,
        )  # fmt: skip

    for name, text in sorted(source.narrative.items()):
        current, number = _next(Narrative, name=name)
        if current is not None and current.text == text:
            continue
        _supersede(current)
        Narrative.objects.create(name=name, text=text, revision=number, author=user, reason=reason)

    for (ind_id, period), values in pack.peers.items():
        for organisation, value in values.items():
            PeerValue.objects.update_or_create(
                indicator=by_code[ind_id], period=period.label, organisation=organisation,
                defaults={"value": value},
            )  # fmt: skip
    # The pack's as-at period starts the reporting month, and a later one moves it on; an
    # earlier one (an old pack loaded again) never moves it back.
    reporting_month.move_forward(
        reporting_month.month_of(pack.as_at, pack.calendar), MonthMove.LOADED, user, reason,
        pack.calendar,
    )  # fmt: skip
    bump_version()
    return Site.get()


def _check_locks(pack: Pack, touched: list[tuple[Indicator, str, str]], user, reason: str) -> None:
    """Refuse (:class:`~kpiboard.web.writes.Locked`) a load that changes figures or commentary
    of approved periods, unless ``user`` may change approved figures and gives a ``reason``:
    the same rule as entering a figure on the web."""
    from .permissions import can_edit_approved
    from .writes import Locked, Locks, locked_message

    locks = Locks(pack.calendar)
    hits: dict[int, list[str]] = {}
    signoffs = {}
    for indicator, label, series in touched:
        lock = locks.lock(indicator.section_id, pack.calendar.parse(label))
        if lock is not None:
            signoffs[lock.pk] = lock
            hits.setdefault(lock.pk, []).append(f"{indicator.code} {series} {label}")
    if not hits or (user is not None and can_edit_approved(user) and reason):
        return
    lines = []
    for pk, items in hits.items():
        shown = ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")
        lines.append(f"{locked_message(signoffs[pk], pack.calendar)} ({shown})")
    how = (
        "a reason"
        if user is not None and can_edit_approved(user)
        else "the name of an analyst or administrator and a reason"
    )
    raise Locked(
        {"": "The pack changes approved periods. " + "; ".join(lines) + f". Give {how} to load it"}
    )


def _as_of(queryset, key: tuple[str, ...], at):
    """The current revisions, or with ``at`` the latest revision per key created by then."""
    if at is None:
        return queryset.filter(is_current=True)
    latest: dict[tuple, int] = {}
    for row in queryset.filter(created__lte=at).values("pk", "revision", *key):
        k = tuple(row[f] for f in key)
        if k not in latest or row["revision"] > latest[k][0]:
            latest[k] = (row["revision"], row["pk"])
    return queryset.filter(pk__in=[pk for _, pk in latest.values()])


def _calendar_pinned(manifest: dict) -> dict:
    """The manifest with its reporting calendar's start written down when the pack left it to
    the as-at period. The calendar starts after the pack's own as-at period; the as-at period
    then moves with the reporting month, and a calendar that moved with it would drop one
    section's late tasks when another section's approval moved the month on."""
    calendar = dict(manifest.get("reporting_calendar") or {})
    if "first_period" in calendar or not manifest.get("as_at"):
        return manifest
    year_start = manifest.get("financial_year_start", 4)
    try:
        as_at = FinancialCalendar(int(year_start)).parse(str(manifest["as_at"]))
    except (PeriodError, TypeError, ValueError):
        return manifest  # the pack's own checks name the problem
    end = as_at.end
    year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
    calendar["first_period"] = f"{year:04d}-{month:02d}"
    return {**manifest, "reporting_calendar": calendar}


def source_from_db(at=None) -> PackSource:
    """The database as pack parts: as it stands, or as it stood at time ``at``."""
    site = Site.get()
    indicators = list(
        Indicator.objects.filter(archived=False).select_related("section").order_by("position")
    )
    # Definitions as they stood too: rules and rating overrides change what a report says.
    definitions = {
        d.indicator_id: d.body
        for d in _as_of(
            Definition.objects.filter(indicator_id__in=[i.id for i in indicators]),
            ("indicator_id",),
            at,
        )
    }
    indicators = [i for i in indicators if i.id in definitions]  # not yet defined at ``at``
    live = {i.id: i.code for i in indicators}
    manifest = _calendar_pinned(dict(site.manifest))
    # The reporting month is the pack's as-at period: what every page and an export start from.
    manifest["as_at"] = reporting_month.stored_label(at) or manifest.get("as_at", "")
    codes = set(live.values())
    manifest["sections"] = [
        {**spec, "indicators": [c for c in spec["indicators"] if c in codes]}
        if "indicators" in spec
        else spec
        for spec in manifest.get("sections", [])
    ]  # archived indicators leave the sections' page order
    source = PackSource(
        manifest=wrap(manifest),
        indicators=[
            (f"indicators/{i.code}.yaml", i.code, wrap(definitions[i.id])) for i in indicators
        ],
        root=None,
        bounded=False,  # figures saved before the bound still show; new ones are refused
    )
    source.rows = figure_rows(live, at)
    calendar = FinancialCalendar(int(site.manifest.get("financial_year_start", 4) or 4))
    source.commentary = commentary_items(live, calendar, at)
    source.narrative = dict(
        _as_of(Narrative.objects.all(), ("name",), at).values_list("name", "text")
    )
    for ind_id, period, organisation, value in PeerValue.objects.filter(
        indicator_id__in=live
    ).values_list("indicator_id", "period", "organisation", "value"):
        source.peer_rows.append(PeerRow(live[ind_id], period, organisation, value, "database", 0))
    return source


def figure_rows(live: dict[int, str], at=None) -> list[Row]:
    """The figures of indicators ``live`` (id -> code) as pack data rows."""
    figures = _as_of(
        Figure.objects.filter(indicator_id__in=live), ("indicator_id", "period", "series"), at
    )
    return [
        Row(live[ind_id], period, series, value, note, "database", 0)
        for ind_id, period, series, value, note in figures.values_list(
            "indicator_id", "period", "series", "value", "note"
        )
    ]


def commentary_items(
    live: dict[int, str], calendar: FinancialCalendar, at=None
) -> dict[str, tuple[PackCommentary, ...]]:
    """The commentary of indicators ``live`` (id -> code) as the pack holds it, by code."""
    commentary: dict[str, list[PackCommentary]] = {}
    texts = _as_of(
        CommentaryText.objects.filter(indicator_id__in=live), ("indicator_id", "period"), at
    )
    for ind_id, period, text in texts.values_list("indicator_id", "period", "text"):
        text = canonical_text(text)  # as a pack file holds it, so an export reads back the same
        if text:
            commentary.setdefault(live[ind_id], []).append(
                PackCommentary(calendar.parse(period), text)
            )
    return {k: tuple(sorted(v, key=lambda c: c.period.sort_key)) for k, v in commentary.items()}


@dataclass(eq=False)
class Generation:
    """One generation of the data in this process: everything built for one ``version``.

    The pack, and the dashboard's boards by month shown (filled in by web/dashboard_cache.py),
    in one object, so that nothing built from one version outlives it or mixes with another.
    ``parent`` is the pack it was made from, ``touched`` the indicators read again for it (None:
    built in full) and ``earlier`` the parent's boards, from which the dashboard redoes only the
    touched rows.

    Kept in process memory, not in Django's cache framework: its local-memory backend pickles
    every value on the way in and out, and a 500-indicator board takes about 150 ms to unpickle
    (the pack about 7 ms), more than a page may take; a shared cache server would add the same
    cost and a round trip. Servers agree because the key, the data version, is in the database.
    """

    version: int
    pack: Pack
    parent: Pack | None = None
    touched: frozenset[str] | None = None
    earlier: dict = field(default_factory=dict)
    boards: OrderedDict = field(default_factory=OrderedDict)


_cache: dict[str, Generation] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget the built pack and the pages rendered from it (tests reset the database under a
    live process, so a version number can come round again with other data)."""
    _cache.clear()
    fragments.clear()


def pack_at(at) -> Pack:
    """The pack as it stood at time ``at`` (for reports as approved); not cached."""
    return build_pack(source_from_db(at))


def site_row(request=None) -> tuple[int, dict]:
    """The data version and the manifest, read once per request (every page shows the
    organisation's name, and most pages need the version)."""
    memo = getattr(request, "_kpiboard_site", None)
    if memo is not None:
        return memo
    row = Site.objects.filter(pk=1).values_list("version", "manifest").first()
    found = (row[0], row[1] or {}) if row else (0, {})
    if request is not None:
        request._kpiboard_site = found
    return found


def current(request=None) -> tuple[int, Pack]:
    """The data version and the site's pack as it stands at (or just after) that version."""
    found = generation(request)
    return found.version, found.pack


def generation(request=None) -> Generation:
    """This process's generation of the data for the version the database holds now.

    The pack is rebuilt only when the version has moved on, and then, when the writes since
    named the indicators they touched, only those (see web/incremental.py). The version is read
    first, so the pack is never older than the version it is filed under.
    """
    version = site_row(request)[0]
    cached = _cache.get("pack")
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        cached = _cache.get("pack")
        if cached is not None and cached.version == version:
            return cached
        made = _next_generation(cached, version)
        _cache["pack"] = made
    return made


def _next_generation(cached: Generation | None, version: int) -> Generation:
    from .incremental import touched_since, updated

    if cached is not None:
        touched = touched_since(cached.version, version)
        if touched is not None:
            pack = updated(cached.pack, touched)
            if pack is not None:
                return Generation(version, pack, cached.pack, touched, cached.boards)
    return Generation(version, build_pack(source_from_db()))


def current_pack() -> Pack:
    """The site's pack as it stands, rebuilt only when the data version has moved on."""
    return current()[1]


class ExportError(Exception):
    """An export that was not written, or did not read back as the database's pack."""


def export_pack(target: str | Path) -> Path:
    """Write the database out as a new pack folder, and prove it by reading it back.

    The pack is written into a hidden folder beside ``target``, loaded with ``load_pack`` and
    compared with the database's pack; only an exact match is renamed to ``target``. On any
    difference the hidden folder is removed and :class:`ExportError` says what differed, so a
    backup that would not restore is never left looking like one.
    """
    target = Path(target)
    if target.exists() and not (target.is_dir() and not any(target.iterdir())):
        raise ExportError(f"{target} already exists: export to a new (or empty) folder")
    source = source_from_db()
    try:
        expected = build_pack(source)
    except PackError as exc:
        message = f"the database does not make a valid pack, so it was not exported: {exc}"
        raise ExportError(message) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _write_pack(work, source)
        try:
            written = load_pack(work)
        except PackError as exc:
            raise ExportError(f"the exported pack would not load: {exc}") from None
        found = differences(expected, written)
        if found:
            raise ExportError(
                "the exported pack reads back differently from the database:\n" + "\n".join(found)
            )
        if target.exists():
            target.rmdir()
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def _write_pack(target: Path, source: PackSource) -> None:
    """The pack's files (manifest, definitions, figures, commentary, narrative, peers)."""
    (target / "indicators").mkdir()
    (target / MANIFEST).write_text(dump_yaml(_plain(source.manifest)), "utf-8")
    for rel, _stem, body in source.indicators:
        (target / rel).write_text(dump_yaml(_plain(body)), "utf-8")
    (target / "data").mkdir()
    with (target / "data" / "figures.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["indicator", "period", "series", "value", "note"])
        for row in sorted(source.rows, key=lambda r: (r.indicator, r.series, r.period)):
            value = "" if row.value is None else repr(row.value)
            writer.writerow([row.indicator, row.period, row.series, value, row.note])
    if source.commentary:
        (target / "commentary").mkdir()
        for ind_id, items in source.commentary.items():
            (target / "commentary" / f"{ind_id}.md").write_text(write_commentary(items), "utf-8")
    if source.narrative:
        (target / "narrative").mkdir()
        for name, text in source.narrative.items():
            (target / "narrative" / name).write_text(text, "utf-8")
    if source.peer_rows:
        (target / "peers").mkdir()
        with (target / "peers" / "peers.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["indicator", "period", "organisation", "value"])
            for r in sorted(
                source.peer_rows, key=lambda r: (r.indicator, r.period, r.organisation)
            ):
                writer.writerow([r.indicator, r.period, r.organisation, repr(r.value)])
