"""The pack's ``benchmarks.yaml`` in the web application: kept, checked, and given back.

The mapping is configuration, like the manifest, and is kept on :class:`~.models.Site` as the
text of the file: read back with the pack loader's own parser, its messages name the file's
lines, and ``exportpack`` writes it out as it came in, so an exported pack can run
``kpiboard benchmarks fetch`` again.

A pack with a ``benchmarks.yaml`` replaces the one held. A pack without one leaves it in place,
as a load removes nothing else already there; it is then checked against the indicators as the
load leaves them, so a definition that no longer fits it (a comparator series dropped, an
indicator retired) stops the load with the mapping's file:line messages rather than leaving a
site whose pack no longer builds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.indicators import Indicator as CoreIndicator
from ..packs.benchmarks import BENCHMARKS_FILE, BenchmarkMapping, read_benchmarks
from ..packs.datafiles import Row
from ..packs.definitions import read_indicator
from ..packs.loader import PackSource, parse_yaml
from ..packs.model import Pack
from ..packs.peers import PeerRow
from ..packs.problems import PackError, Problem, Problems
from ..packs.yamlsource import Mapping, wrap
from .models import Definition, Indicator, Site

#: Heads the problems of a mapping the pack being loaded did not bring.
KEPT = (
    "the benchmarks.yaml the web app holds (this pack has none) no longer fits the indicators: "
    "load a pack with a benchmarks.yaml to replace it"
)


@dataclass(frozen=True)
class Fed:
    """The figures a mapping feeds: an export writes them to the files ``kpiboard benchmarks
    fetch`` owns (its own figures beside them would be refused as already there). A figure
    with a note stays in figures.csv: a fetch, which writes no notes, must not drop it quietly."""

    series: frozenset[tuple[str, str]] = frozenset()  # (indicator, comparator series)
    peers: frozenset[str] = frozenset()  # indicators whose peer figures are fetched

    @classmethod
    def of(cls, mapping: BenchmarkMapping | None) -> Fed:
        if mapping is None:
            return cls()
        series = {(link.indicator, name) for link in mapping.links for name, _ in link.comparators}
        return cls(frozenset(series), frozenset(lk.indicator for lk in mapping.links if lk.peers))

    def figure(self, row: Row) -> bool:
        return not row.note and (row.indicator, row.series) in self.series

    def peer(self, row: PeerRow) -> bool:
        return row.indicator in self.peers


def add_to_source(source: PackSource, site: Site) -> None:
    """Give ``source`` (the database as pack parts) the mapping held, parsed as a file would be."""
    if site.benchmarks is None:
        return
    source.benchmarks_text = site.benchmarks
    problems = Problems()
    source.benchmarks = parse_yaml(BENCHMARKS_FILE, site.benchmarks, problems)
    if problems:  # stored only after the same parse succeeded
        raise PackError(problems.sorted())


def store(site: Site, source: PackSource, pack: Pack) -> None:
    """Keep the loaded pack's mapping on ``site`` (saved by the caller), or check the one held.

    Call after the pack's indicators are written and retired ones archived; ``pack`` is the
    validated pack, whose own mapping :func:`~kpiboard.packs.loader.read_pack` has checked."""
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
