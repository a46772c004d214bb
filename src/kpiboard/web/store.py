"""Between the database and kpiboard's packs: load a pack in, build a Pack out, export it back.

The web application never re-implements a rule: it assembles the same :class:`PackSource` the
file loader reads and hands it to :func:`build_pack`, then uses the core like the CLI does. The
built pack is kept per process in a :class:`~kpiboard.web.generation.Generation` filed under
``Site.version``, which every change bumps.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import threading
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..core.engine import no_collection
from ..core.periods import FinancialCalendar, PeriodError
from ..packs import benchmark_files
from ..packs.benchmarks import BENCHMARKS_FILE
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
from ..packs.yamlsource import plain as plain_json
from ..packs.yamlsource import wrap
from . import bulk_figures, pack_benchmarks, reporting_month
from .generation import Generation
from .models import (
    CommentaryText,
    DataChange,
    Definition,
    Figure,
    Indicator,
    MonthMove,
    Narrative,
    PeerValue,
    PlanFile,
    Section,
    Signoff,
    Site,
)
from .plain_sql import PlainQuery

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


CHECKING = "Checking the pack"


def load_pack_into_db(
    pack_dir: str | Path,
    *,
    user=None,
    reason: str = "",
    progress: bulk_figures.Progress | None = None,
    bulk: bool | None = None,
    forget_benchmarks: bool = False,
) -> Site:
    """Bring a pack into the database: new things are created, changed things get a revision,
    nothing already there is removed (indicators the manifest lists under ``retired_indicators``
    are archived, and keep their history). The pack is validated first (``PackError``).

    Figures and commentary of approved (locked) periods are changed only as the web's write path
    allows: by a ``user`` who may change approved figures, with a ``reason``; otherwise
    :class:`~kpiboard.web.writes.Locked` is raised and nothing is written.

    ``progress(done, total, step, force=False)`` hears how far the load is; ``bulk`` chooses how
    the figures are written (see :mod:`kpiboard.web.bulk_figures`; None: by their number).
    ``forget_benchmarks``: drop the benchmarks.yaml held (the pack must have none).
    """
    with no_collection(), transaction.atomic():  # a million rows make no cycles
        return _load(Path(pack_dir), user, reason, progress, bulk, forget_benchmarks)


def _load(
    pack_dir: Path, user, reason: str, progress, bulk: bool | None, forget_benchmarks: bool
) -> Site:
    if progress is not None:
        progress(0, 0, CHECKING, force=True)
    # Validation (every problem, before anything is written); each file is read once, and what
    # is stored below is what was checked.
    source, pack = read_pack(pack_dir)
    given_reason = reason.strip()
    reason = given_reason or f"Loaded from pack {pack_dir.name}"
    manifest = plain_json(source.manifest)
    bodies = {stem: plain_json(body) for _rel, stem, body in source.indicators}
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
    by_code = _indicators(pack, bodies, sections, user, reason)
    _retire(manifest.get("retired_indicators") or (), by_code)
    pack_benchmarks.store(site, source, pack, forget=forget_benchmarks)
    site.save(update_fields=["benchmarks"])
    superseded, created, refiled = _figure_changes(pack, source.rows, by_code)
    texts = []
    for ind_id, items in pack.commentary.items():
        for item in items:
            stored = CommentaryText.objects.current_for_update(
                indicator=by_code[ind_id], period=item.period.label
            )
            if stored is None or stored.text != item.text:
                texts.append((stored, by_code[ind_id], item))
    sections_of = {i.id: i.section_id for i in by_code.values()}
    codes_of = {i.id: i.code for i in by_code.values()}
    touched = chain(
        ((sections_of[f[0]], codes_of[f[0]], f[1], f[2]) for f in created),
        ((m.section_id, m.code, item.period.label, "commentary") for _, m, item in texts),
    )  # walked once: a million changes need not be listed again
    _check_locks(pack, touched, user, given_reason)

    bulk_figures.retire(superseded)
    bulk_figures.add(created, user, reason, progress, bulk=bulk, set_aside=True)
    pack_benchmarks.refile(refiled)
    for stored, model, item in texts:
        CommentaryText.objects.append(
            stored, indicator=model, period=item.period.label, text=item.text, author=user,
            reason=reason,
        )  # fmt: skip

    for name, text in sorted(source.narrative.items()):
        narrative = Narrative.objects.current_for_update(name=name)
        if narrative is not None and narrative.text == text:
            continue
        Narrative.objects.append(narrative, name=name, text=text, author=user, reason=reason)

    for name, body in sorted(source.plan.items()):
        body = plain_json(body)
        plan_file = PlanFile.objects.current_for_update(name=name)
        if plan_file is not None and plan_file.body == body:
            continue
        PlanFile.objects.append(plan_file, name=name, body=body, author=user, reason=reason)

    fetched = pack_benchmarks.fetched_peers(source.peer_rows, pack.calendar)
    for (ind_id, period), values in pack.peers.items():
        for organisation, value in values.items():
            PeerValue.objects.update_or_create(
                indicator=by_code[ind_id], period=period.label, organisation=organisation,
                defaults={
                    "value": value,
                    "fetched_file": fetched.get((ind_id, period.label, organisation), ""),
                },
            )  # fmt: skip
    # The pack's as-at period starts the reporting month, and a later one moves it on; an
    # earlier one (an old pack loaded again) never moves it back.
    reporting_month.move_forward(
        reporting_month.month_of(pack.as_at, pack.calendar), MonthMove.LOADED, user, reason,
        pack.calendar,
    )  # fmt: skip
    bump_version()
    return Site.get()


def _retire(codes: Iterable[str], defined: dict) -> None:
    """Archive the indicators the manifest lists as retired, and bring back any it defines.

    Nothing is deleted: a retired indicator's figures, commentary and revisions stay in the
    database (Recent changes and a restore still show them); it leaves the pages, the reports
    and the exports, and an export lists its code under ``retired_indicators`` again.
    """
    Indicator.objects.filter(code__in=list(codes), archived=False).update(archived=True)
    back = [i.pk for i in defined.values() if i.archived]
    if back:
        Indicator.objects.filter(pk__in=back).update(archived=False)


def _indicators(pack: Pack, bodies: dict, sections: dict, user, reason: str) -> dict:
    """Create or update each indicator, and give it a new definition revision when its body
    changed; read and written in a few queries, not several per indicator (a large site has
    thousands)."""
    existing = {i.code: i for i in Indicator.objects.filter(code__in=list(pack.indicators))}
    definitions = {
        d.indicator_id: d
        for d in Definition.objects.select_for_update().filter(
            is_current=True, indicator__in=list(existing.values())
        )
    }
    by_code, new, changed = {}, [], []
    for position, (ind_id, ind) in enumerate(pack.indicators.items()):
        wanted = {"section": sections[ind.section], "title": ind.title, "position": position}
        indicator = existing.get(ind_id)
        if indicator is None:
            indicator = Indicator(code=ind_id, **wanted)
            new.append(indicator)
        elif any(getattr(indicator, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(indicator, k, v)
            changed.append(indicator)
        by_code[ind_id] = indicator
    if connection.features.can_return_rows_from_bulk_insert:
        Indicator.objects.bulk_create(new, batch_size=500)  # their primary keys come back
    else:  # pragma: no cover - SQLite and PostgreSQL both return them
        for indicator in new:
            indicator.save(force_insert=True)
    Indicator.objects.bulk_update(changed, ["section", "title", "position"], batch_size=500)
    retired, added = [], []
    for ind_id, indicator in by_code.items():
        current = definitions.get(indicator.id)
        if current is None or current.body != bodies[ind_id]:
            if current is not None:
                retired.append(current.pk)
            added.append(
                Definition(
                    indicator=indicator, body=bodies[ind_id], author=user, reason=reason,
                    revision=current.revision + 1 if current else 1,
                )
            )  # fmt: skip
    for start in range(0, len(retired), 500):
        Definition.objects.filter(pk__in=retired[start : start + 500]).update(is_current=False)
    Definition.objects.bulk_create(added, batch_size=500)
    return by_code


def _figure_changes(
    pack: Pack, rows: list[Row], by_code: dict[str, Indicator]
) -> tuple[list[int], list[bulk_figures.NewFigure], list[tuple[int, str]]]:
    """The current figure revisions a load retires, the new revisions it adds, and the current
    revisions whose value and note the pack repeats from another file than before, as (primary
    key, the fetch's file or "": see ``Figure.fetched_file``): a row that repeats the current
    value and note changes nothing else. Read as plain values, not models: a long file may hold
    a million rows."""
    current: dict[tuple[int, str, str], tuple[int, float | None, str, int, str]] = {}
    stored = Figure.objects.filter(is_current=True, indicator__in=list(by_code.values()))
    for pk, ind, period, series, value, note, revision, fetched in stored.values_list(
        "pk", "indicator_id", "period", "series", "value", "note", "revision", "fetched_file"
    ).iterator(chunk_size=20_000):
        current[ind, period, series] = (pk, value, note, revision, fetched)
    # As written -> canonical: a long file repeats a few hundred labels a million times.
    labels = {written: pack.calendar.parse(written).label for written in {r.period for r in rows}}
    ids = {code: indicator.id for code, indicator in by_code.items()}
    owned = pack_benchmarks.FETCHED_FILES  # a row's file kept only when it is one of these
    if not current:  # a first load: every row is a first revision, made in one pass
        return [], [
            (ids[r.indicator], labels[r.period], r.series, r.value, r.note, 1,
             r.file if r.file in owned else "")
            for r in rows
        ], []  # fmt: skip
    superseded: list[int] = []
    created: list[bulk_figures.NewFigure] = []
    refiled: list[tuple[int, str]] = []
    for row in rows:
        ind, label = ids[row.indicator], labels[row.period]
        fetched = row.file if row.file in owned else ""
        before = current.get((ind, label, row.series))
        if before is None:
            created.append((ind, label, row.series, row.value, row.note, 1, fetched))
        elif before[1] != row.value or before[2] != row.note:
            superseded.append(before[0])
            created.append((ind, label, row.series, row.value, row.note, before[3] + 1, fetched))
        elif before[4] != fetched:
            refiled.append((before[0], fetched))
    return superseded, created, refiled


def _check_locks(
    pack: Pack, touched: Iterable[tuple[int, str, str, str]], user, reason: str
) -> None:
    """Refuse (:class:`~kpiboard.web.writes.Locked`) a load that changes figures or commentary
    of approved periods, unless ``user`` may change approved figures and gives a ``reason``:
    the same rule as entering a figure on the web. ``touched``: (section id, indicator code,
    period label, series) of each change."""
    from .permissions import can_edit_approved
    from .writes import Locked, Locks, locked_message

    locks = Locks(pack.calendar)
    if not locks.any():
        return  # nothing approved, nothing locked: a million changes need not be walked
    hits: dict[int, list[str]] = {}
    signoffs: dict[int, Signoff] = {}
    found: dict[tuple[int, str], Signoff | None] = {}  # (section, period) -> its lock, once
    for section_id, code, label, series in touched:
        key = (section_id, label)
        if key not in found:
            found[key] = locks.lock(section_id, pack.calendar.parse(label))
        lock = found[key]
        if lock is not None:
            signoffs[lock.pk] = lock
            hits.setdefault(lock.pk, []).append(f"{code} {series} {label}")
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
    latest: dict[tuple, tuple[int, int]] = {}  # key -> (revision, pk)
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
    """The database as pack parts: as it stands, or as it stood at time ``at``.

    Without the pack's benchmarks.yaml, which nothing built from the database uses: it maps
    today's indicators, so it would not fit their definitions at an earlier ``at``, and
    :func:`export_pack` adds it (:func:`~kpiboard.web.pack_benchmarks.add_to_source`)."""
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
    # Retired indicators keep their codes in the manifest, so the plan's history that names
    # them still reads, here and in an exported pack.
    retired = set(manifest.get("retired_indicators") or ()) | set(
        Indicator.objects.filter(archived=True).values_list("code", flat=True)
    )
    if retired - codes:
        manifest["retired_indicators"] = sorted(retired - codes)
    else:
        manifest.pop("retired_indicators", None)
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
    source.plan = {
        name: wrap(body)
        for name, body in _as_of(PlanFile.objects.all(), ("name",), at).values_list("name", "body")
    }
    for ind_id, period, organisation, value in PeerValue.objects.filter(
        indicator_id__in=live
    ).values_list("indicator_id", "period", "organisation", "value"):
        source.peer_rows.append(PeerRow(live[ind_id], period, organisation, value, "database", 0))
    # No benchmarks.yaml: the mapping held is today's, and only the export writes it out (with
    # it, a pack rebuilt as it stood before a load changed its indicators would not build).
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


_cache: dict[str, Generation] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget the generation held, with everything built from it (tests reset the database
    under a live process, so a version number can come round again with other data)."""
    _cache.clear()


def pack_at(at) -> Pack:
    """The pack as it stood at time ``at`` (for reports as approved); not cached."""
    return build_pack(source_from_db(at))


def site_row(request=None) -> tuple[int, dict]:
    """The data version and the manifest, read once per request (every page shows the
    organisation's name, and most pages need the version)."""
    memo = getattr(request, "_kpiboard_site", None)
    if memo is not None:
        return memo
    row = _SITE_ROW.one()
    found = (row[0], json.loads(row[1]) if row[1] else {}) if row else (0, {})
    if request is not None:
        request._kpiboard_site = found
    return found


#: Every request but the lightest reads the version: as plain SQL, a tenth of the processor time
#: the query set takes to put together (the manifest is JSON text, see models.OrderedJSONField).
_SITE_ROW = PlainQuery(
    "SELECT {site__version}, {site__manifest} FROM {site} WHERE {site__id} = 1", site=Site
)


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
                return cached.successor(version, pack, touched)
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
    pack_benchmarks.add_to_source(source, Site.get())
    try:
        expected = build_pack(source)
    except PackError as exc:
        message = f"the database does not make a valid pack, so it was not exported: {exc}"
        raise ExportError(message) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _write_pack(work, source, pack_benchmarks.Fetched.from_db())
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


def _write_pack(target: Path, source: PackSource, fetched: pack_benchmarks.Fetched) -> None:
    """The pack's files (manifest, benchmark mapping, definitions, figures, commentary,
    narrative, plan, peers). A figure loaded from a file ``kpiboard benchmarks fetch`` owns,
    and not changed since, goes back to that file, so the exported pack can fetch again; every
    other figure goes to data/figures.csv or peers/peers.csv, where the fetch never writes."""
    (target / "indicators").mkdir()
    (target / MANIFEST).write_text(dump_yaml(plain_json(source.manifest)), "utf-8")
    if source.benchmarks_text is not None:  # as it was loaded, line for line
        with (target / BENCHMARKS_FILE).open("w", encoding="utf-8", newline="") as handle:
            handle.write(source.benchmarks_text)
    for rel, _stem, body in source.indicators:
        (target / rel).write_text(dump_yaml(plain_json(body)), "utf-8")
    (target / "data").mkdir()
    rows = sorted(source.rows, key=lambda r: (r.indicator, r.series, r.period))
    for rel, part in fetched.split(rows, fetched.figure, FIGURES).items():  # FIGURES first
        header = FIGURES_HEADER if rel == FIGURES else benchmark_files.HEADERS[rel]
        lines = ([r.indicator, r.period, r.series, _number(r.value), r.note] for r in part)
        _write_csv(target / rel, header, (line[: len(header)] for line in lines))  # theirs: no note
    if source.commentary:
        (target / "commentary").mkdir()
        for ind_id, items in source.commentary.items():
            (target / "commentary" / f"{ind_id}.md").write_text(write_commentary(items), "utf-8")
    if source.narrative:
        (target / "narrative").mkdir()
        for name, text in source.narrative.items():
            (target / "narrative" / name).write_text(text, "utf-8")
    if source.plan:
        (target / "plan").mkdir()
        for rel, body in sorted(source.plan.items()):
            (target / rel).write_text(dump_yaml(plain_json(body)), "utf-8")
    if source.peer_rows:
        (target / "peers").mkdir()
        peers = sorted(source.peer_rows, key=lambda r: (r.indicator, r.period, r.organisation))
        for rel, held in fetched.split(peers, fetched.peer, PEERS).items():
            lines = ([r.indicator, r.period, r.organisation, repr(r.value)] for r in held)
            if held:
                _write_csv(target / rel, ["indicator", "period", "organisation", "value"], lines)


#: Where an export writes the figures and peer figures the fetch's files do not hold.
FIGURES, PEERS = "data/figures.csv", "peers/peers.csv"
FIGURES_HEADER = ("indicator", "period", "series", "value", "note")


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
