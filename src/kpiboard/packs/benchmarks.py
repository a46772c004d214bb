"""The benchmark mapping, ``benchmarks.yaml``: which Fingertips indicator feeds which of ours.

``kpiboard benchmarks fetch`` fills a pack's comparator series (England, the region, the average
of the statistical neighbours) and its peer figures from Fingertips, the public health data tool
of the UK Health Security Agency. A Fingertips indicator is not a kpiboard indicator: it has its own
number, its own area codes and splits by sex and age. This small file says, once, how the two
meet, and is checked with the rest of the pack (``kpiboard check``), so a typing slip is named by
file and line before anything is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..core.indicators import Indicator, SeriesRole
from .fields import FieldReader
from .problems import Problems
from .yamlsource import Mapping

BENCHMARKS_FILE = "benchmarks.yaml"
#: Fingertips' area type of regions, the parent areas a region comparator is read from unless
#: the mapping names another (``parent_area_type``).
DEFAULT_PARENT_AREA_TYPE = 6
#: The sex Fingertips calls the whole population; the default filter.
DEFAULT_SEX = "Persons"


class ComparatorSource(StrEnum):
    """Where in a Fingertips download a comparator series' figures come from."""

    ENGLAND = "england"  # the England row
    REGION = "region"  # the row of our area's parent (its region)
    NEIGHBOURS = "neighbours"  # the mean of the mapping's neighbours that have a figure


@dataclass(frozen=True)
class IndicatorLink:
    """One kpiboard indicator fed by one Fingertips indicator."""

    indicator: str  # our indicator id
    fingertips_id: int
    sex: str
    age: str  # "" : the file must hold one age only
    comparators: tuple[tuple[str, ComparatorSource], ...]  # (our series, where from)
    peers: bool  # every area's figure into the peer file
    line: int  # where in benchmarks.yaml, for messages


@dataclass(frozen=True)
class BenchmarkMapping:
    area_code: str  # our area in Fingertips (a local authority's ONS code, a trust's ODS code)
    area_type: int  # Fingertips' area type id of our area: the download's child_area_type_id
    parent_area_type: int
    neighbours: tuple[str, ...]
    links: tuple[IndicatorLink, ...]


def read_benchmarks(
    data: object, indicators: dict[str, Indicator], problems: Problems
) -> BenchmarkMapping | None:
    """Check ``benchmarks.yaml`` against the pack's indicators; every problem is reported."""
    file = BENCHMARKS_FILE
    if not isinstance(data, Mapping):
        problems.report(file, 1, "", "must be a mapping with the key fingertips")
        return None
    top = FieldReader(problems, file, data)
    top.check_keys(["fingertips"], required=["fingertips"])
    body = top.mapping_at("fingertips")
    if body is None:
        return None
    r = FieldReader(problems, file, body, "fingertips.")
    r.check_keys(
        ["area_code", "area_type", "parent_area_type", "neighbours", "indicators"],
        required=["area_code", "area_type", "indicators"],
    )
    neighbours = tuple(r.text_list("neighbours"))
    links = []
    entries = r.mapping_at("indicators")
    if entries is not None:
        for ind_id in entries:
            link = _read_link(r, entries, str(ind_id), indicators, bool(neighbours))
            if link is not None:
                links.append(link)
    return BenchmarkMapping(
        area_code=r.text("area_code"),
        area_type=r.integer("area_type", 0, 1, 1_000_000) or 0,
        parent_area_type=r.integer("parent_area_type", DEFAULT_PARENT_AREA_TYPE, 1, 1_000_000)
        or DEFAULT_PARENT_AREA_TYPE,
        neighbours=neighbours,
        links=tuple(links),
    )


def _read_link(
    r: FieldReader,
    entries: Mapping,
    ind_id: str,
    indicators: dict[str, Indicator],
    has_neighbours: bool,
) -> IndicatorLink | None:
    where = f"{r.prefix}indicators.{ind_id}"
    indicator = indicators.get(ind_id)
    if indicator is None:
        r.problems.report(r.file, entries.line_of(ind_id), where, "no such indicator in the pack")
        return None
    body = entries[ind_id]
    if not isinstance(body, Mapping):
        r.problems.report(r.file, entries.line_of(ind_id), where, "must be a mapping")
        return None
    e = FieldReader(r.problems, r.file, body, f"{where}.")
    e.check_keys(["indicator_id", "sex", "age", "comparators", "peers"], required=["indicator_id"])
    comparators = _read_comparators(e, indicator, has_neighbours)
    peers = e.boolean("peers", False)
    if peers and not indicator.peer_groups:
        e.problem("peers", f"{ind_id} has no peer_groups to rank its peers in")
    if not comparators and not peers:
        e.problems.report(e.file, e.line(), where, "names no comparators and no peers")
    return IndicatorLink(
        indicator=ind_id,
        fingertips_id=e.integer("indicator_id", 0, 1, 10_000_000) or 0,
        sex=e.text("sex", DEFAULT_SEX),
        age=e.text("age"),
        comparators=comparators,
        peers=peers,
        line=entries.line_of(ind_id),
    )


def _read_comparators(
    e: FieldReader, indicator: Indicator, has_neighbours: bool
) -> tuple[tuple[str, ComparatorSource], ...]:
    body = e.mapping_at("comparators")
    if body is None:
        return ()
    c = FieldReader(e.problems, e.file, body, f"{e.prefix}comparators.")
    out = []
    for series in body:
        name = str(series)
        declared = indicator.series_def(name)
        if declared is None or declared.role is not SeriesRole.COMPARATOR:
            have = ", ".join(s.name for s in indicator.comparators) or "none"
            c.problem(name, f"not a comparator series of {indicator.id} (it has {have})")
            continue
        source = c.choice(name, [s.value for s in ComparatorSource], "")
        if not source:
            continue
        if source == ComparatorSource.NEIGHBOURS and not has_neighbours:
            c.problem(name, "neighbours needs fingertips.neighbours: the areas to average")
            continue
        out.append((name, ComparatorSource(source)))
    return tuple(out)
