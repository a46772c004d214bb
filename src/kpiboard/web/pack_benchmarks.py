"""The pack's ``benchmarks.yaml`` in the web application: kept, checked, and given back.

The mapping is configuration, like the manifest, and is kept on :class:`~.models.Site` as the
text of the file: read back with the pack loader's own parser, its messages name the file's
lines, and ``exportpack`` writes it out as it came in, so an exported pack can run
``kpiboard benchmarks fetch`` again. Only the export reads it: the pages, reports and
publications work from the figures, and a pack rebuilt as it stood earlier (reports as
approved) has the definitions of then, which today's mapping need not fit.

A pack with a ``benchmarks.yaml`` replaces the one held. A pack without one leaves it in place,
as a load removes nothing else already there (``loadpack --forget-benchmarks`` drops it); it
is then checked against the indicators as the load leaves them, so a definition that no longer
fits it (a comparator series dropped, an indicator retired) stops the load with the mapping's
file:line messages rather than leaving a site that no longer exports.

The fetch rewrites its own files whole, so an export must put there only what came from them:
a load records the fetch's file each figure and peer figure was read from
(``Figure.fetched_file``, ``PeerValue.fetched_file``); a figure typed on the web, sent through
the API or imported is a new revision without one, and goes to the pack's own files, where a
later fetch that has it too stops with a conflict naming it instead of replacing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import FinancialCalendar
from ..packs.benchmark_files import HEADERS
from ..packs.benchmarks import BENCHMARKS_FILE, read_benchmarks
from ..packs.datafiles import Row
from ..packs.definitions import read_indicator
from ..packs.loader import PackSource, parse_yaml
from ..packs.model import Pack
from ..packs.peers import PeerRow
from ..packs.problems import PackError, Problem, Problems
from ..packs.yamlsource import Mapping, wrap
from .models import Definition, Figure, Indicator, PeerValue, Site

Key = tuple[str, str, str]
R = TypeVar("R", Row, PeerRow)

#: Heads the problems of a mapping the pack being loaded did not bring.
KEPT = (
    "the benchmarks.yaml the web app holds (this pack has none) no longer fits the indicators: "
    "load a pack with a benchmarks.yaml to replace it, or load with --forget-benchmarks to "
    "drop it"
)

#: A load asked to forget the mapping held, of a pack that brings one.
FORGET_WITH_MAPPING = (
    "the pack has one, which would replace the one held: remove it from the pack to load it "
    "without a mapping"
)


#: The files ``kpiboard benchmarks fetch`` owns: a load keeps which of them a figure or peer
#: figure came from (``Figure.fetched_file``, ``PeerValue.fetched_file``; "" for any other).
FETCHED_FILES = frozenset(HEADERS)


def fetched_peers(rows: Iterable[PeerRow], calendar: FinancialCalendar) -> dict[Key, str]:
    """The peer figures of a pack read from a fetch's file: (indicator, period label,
    organisation) -> that file. The pack's checks have parsed every period already."""
    return {
        (row.indicator, calendar.parse(row.period).label, row.organisation): row.file
        for row in rows
        if row.file in FETCHED_FILES
    }


def refile(figures: Sequence[tuple[int, str]]) -> None:
    """Record the file current figure revisions were loaded from this time, when a load repeats
    their value and note from another file (a figure keyed in by hand, then fetched, say): the
    same figure, so no new revision and no approval to reopen, only where an export puts it."""
    by_file: dict[str, list[int]] = {}
    for pk, file in figures:
        by_file.setdefault(file, []).append(pk)
    for file, pks in by_file.items():
        for start in range(0, len(pks), 500):
            Figure.objects.filter(pk__in=pks[start : start + 500]).update(fetched_file=file)


@dataclass(frozen=True)
class Fetched:
    """The live figures and peer figures last loaded from a fetch's file and not changed since
    (on the web, through the API or by an import, which keep none): an export writes each back
    to its file, which ``kpiboard benchmarks fetch`` rewrites whole, and every other figure to
    the pack's own files, so a fetch never removes or replaces a figure someone keyed in."""

    figures: dict[Key, str]  # (indicator, period label, series) -> file
    peers: dict[Key, str]  # (indicator, period label, organisation) -> file

    @classmethod
    def from_db(cls) -> Fetched:
        figures = Figure.objects.filter(is_current=True, indicator__archived=False).exclude(
            fetched_file=""
        )
        peers = PeerValue.objects.filter(indicator__archived=False).exclude(fetched_file="")
        fields = ("indicator__code", "period")
        return cls(
            {(c, p, s): f for c, p, s, f in figures.values_list(*fields, "series", "fetched_file")},
            {
                (c, p, o): f
                for c, p, o, f in peers.values_list(*fields, "organisation", "fetched_file")
            },
        )

    def figure(self, row: Row) -> str | None:
        """The fetch's file for a figure, if it goes back to one (a fetch's file has no notes:
        a figure given a note since is the user's)."""
        return None if row.note else self.figures.get((row.indicator, row.period, row.series))

    def peer(self, row: PeerRow) -> str | None:
        return self.peers.get((row.indicator, row.period, row.organisation))

    @staticmethod
    def split(
        rows: Iterable[R], file_of: Callable[[R], str | None], own: str
    ) -> dict[str, list[R]]:
        """``rows`` by the file an export writes them to: ``own`` (first, always there) unless
        ``file_of`` names a fetch's file."""
        files: dict[str, list[R]] = {own: []}
        for row in rows:
            files.setdefault(file_of(row) or own, []).append(row)
        return files


def add_to_source(source: PackSource, site: Site) -> None:
    """Give ``source`` (the database as pack parts) the mapping held, parsed as a file would be."""
    if site.benchmarks is None:
        return
    source.benchmarks_text = site.benchmarks
    problems = Problems()
    source.benchmarks = parse_yaml(BENCHMARKS_FILE, site.benchmarks, problems)
    if problems:  # stored only after the same parse succeeded
        raise PackError(problems.sorted())


def store(site: Site, source: PackSource, pack: Pack, *, forget: bool = False) -> None:
    """Keep the loaded pack's mapping on ``site`` (saved by the caller), or check the one held;
    with ``forget``, drop the one held (the pack must bring none).

    Call after the pack's indicators are written and retired ones archived; ``pack`` is the
    validated pack, whose own mapping :func:`~kpiboard.packs.loader.read_pack` has checked."""
    if forget:
        if source.benchmarks_text is not None:
            raise PackError([Problem(BENCHMARKS_FILE, 0, "", FORGET_WITH_MAPPING)])
        site.benchmarks = None
        return
    if source.benchmarks_text is not None:
        site.benchmarks = source.benchmarks_text
        return
    if site.benchmarks is None:
        return
    problems = Problems()
    data = parse_yaml(BENCHMARKS_FILE, site.benchmarks, problems)
    if data is not None:
        read_benchmarks(data, _indicators_named(data, pack, problems), problems)
    if problems:
        raise PackError([Problem(BENCHMARKS_FILE, 0, "", KEPT), *problems.sorted()])


def _indicators_named(data: object, pack: Pack, problems: Problems) -> dict[str, CoreIndicator]:
    """The live indicators the mapping names, as their current definitions read (the pack's
    own where it defines them)."""
    fingertips = data.get("fingertips") if isinstance(data, Mapping) else None
    entries = fingertips.get("indicators") if isinstance(fingertips, Mapping) else None
    codes = {str(c) for c in entries} if isinstance(entries, Mapping) else set()
    found = {c: pack.indicators[c] for c in codes if c in pack.indicators}
    bodies = Definition.objects.filter(
        is_current=True,
        indicator__in=Indicator.objects.filter(code__in=codes - set(found), archived=False),
    ).values_list("indicator__code", "body")
    for code, body in bodies:
        rel = f"indicators/{code}.yaml"
        read = read_indicator(
            wrap(body), rel, code, pack.calendar, pack.default_rule, problems, pack.base_unit
        )
        if read is not None:
            found[code] = read[0]
    return found
