"""Load a pack folder into a :class:`~kpiboard.packs.model.Pack`, or report every problem in it."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core.engine import no_collection
from ..core.indicators import Indicator
from .assembly import assemble
from .benchmarks import BENCHMARKS_FILE, read_benchmarks
from .datafiles import Row, read_long_csv
from .definitions import read_indicator
from .manifest import MANIFEST, Manifest, read_manifest
from .model import Commentary, Pack, Section
from .peers import PeerRow, assemble_peers, read_peer_csv
from .plan import read_plan
from .problems import PackError, Problem, Problems
from .textfiles import read_commentary, read_narrative
from .yamlsource import MAX_YAML_BYTES, DuplicateKey, TooLarge, error_line, load

OUTSIDE = "is a link to {target}, outside the pack folder; a pack reads only its own files"


def _outside(path: Path, root: Path) -> str | None:
    """Where ``path`` really is, when links take it out of the pack folder ``root``; None when
    it stays inside (links within the pack, say a shared narrative file, are allowed)."""
    try:
        target = path.resolve()
        inside = target.is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return str(path)
    return None if inside else str(target)


def _read_text(root: Path, rel: str, problems: Problems, limit: int | None = None) -> str | None:
    """The text of the pack file ``rel``, or None with the reason reported: a link out of the
    pack, something other than a plain file (a pipe would never end), over ``limit`` bytes, not
    UTF-8.

    Only a link is resolved to see where it leads: any other file is where its folder is, and
    :func:`_files` has checked each folder (the manifest's is the pack itself). Resolving every
    file of a large pack took a tenth of ``check``."""
    path = root / rel
    target = _outside(path, root) if path.is_symlink() else None
    if target is not None:
        problems.report(rel, 0, "", OUTSIDE.format(target=target))
        return None
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.report(rel, 0, "", "is not a plain file")
            return None
        if limit is not None and info.st_size > limit:
            problems.report(rel, 0, "", f"{info.st_size:,} bytes is larger than this file may "
                            f"be ({limit:,} bytes)")  # fmt: skip
            return None
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.report(rel, 0, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        problems.report(rel, 0, "", f"cannot be read: {exc.strerror}")
    return None


def _read_yaml(root: Path, rel: str, problems: Problems) -> object | None:
    text = _read_text(root, rel, problems, MAX_YAML_BYTES)
    return None if text is None else parse_yaml(rel, text, problems)


def parse_yaml(rel: str, text: str, problems: Problems) -> object | None:
    """The YAML text of pack file ``rel`` parsed with its lines, or None with the reason reported
    (the web app parses the files it keeps as text, such as benchmarks.yaml, the same way)."""
    try:
        return load(text)
    except TooLarge as exc:
        problems.report(rel, 0, "", str(exc))
    except DuplicateKey as exc:
        problems.report(rel, exc.line, str(exc.key), "appears twice in the same mapping")
    except yaml.YAMLError as exc:
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.report(rel, error_line(exc), "", f"not valid YAML: {detail}")
    return None


def _files(folder: Path, problems: Problems) -> list[Path]:
    """The files of a pack folder, in name order; hidden files (editor and import temporaries)
    are not part of the pack. A folder that is a link out of the pack is refused whole."""
    if not folder.is_dir():
        return []
    target = _outside(folder, folder.parent)
    if target is not None:
        problems.report(f"{folder.name}/", 0, "", OUTSIDE.format(target=target))
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _sort_key(indicator: Indicator) -> tuple:
    number = indicator.number
    numeric = (0, float(number), "") if number.replace(".", "", 1).isdigit() else (1, 0.0, number)
    return (*numeric, indicator.id)


def _sections(
    manifest: Manifest, indicators: dict[str, Indicator], section_lines: dict[str, int],
    narratives: dict[str, str], problems: Problems
) -> tuple[Section, ...]:  # fmt: skip
    known = {s.id for s in manifest.sections}
    for ind in indicators.values():
        if ind.section and ind.section not in known:
            have = ", ".join(sorted(known)) or "none"
            message = f"unknown section {ind.section!r} (the manifest has {have})"
            rel = f"indicators/{ind.id}.yaml"
            problems.report(rel, section_lines.get(ind.id, 0), "section", message)
    sections = []
    for spec in manifest.sections:
        members = sorted((i for i in indicators.values() if i.section == spec.id), key=_sort_key)
        ids = [i.id for i in members]
        if spec.indicator_ids is not None:
            for pos, ind_id in enumerate(spec.indicator_ids):
                line = spec.indicator_lines[pos] if pos < len(spec.indicator_lines) else spec.line
                if ind_id not in indicators:
                    problems.report(
                        MANIFEST,
                        line,
                        f"sections.{spec.id}.indicators",
                        f"unknown indicator {ind_id!r}",
                    )
                elif indicators[ind_id].section != spec.id:
                    problems.report(
                        MANIFEST, line, f"sections.{spec.id}.indicators",
                        f"{ind_id} belongs to section {indicators[ind_id].section!r}",
                    )  # fmt: skip
            listed = [i for i in spec.indicator_ids if i in ids]
            ids = listed + [i for i in ids if i not in listed]
        narrative = []
        for pos, name in enumerate(spec.narrative_files):
            if name not in narratives:
                line = spec.narrative_lines[pos] if pos < len(spec.narrative_lines) else spec.line
                field = f"sections.{spec.id}.narrative"
                problems.report(MANIFEST, line, field, f"narrative/{name} does not exist")
                continue
            narrative.append(read_narrative(name, narratives[name], problems))
        sections.append(
            Section(
                id=spec.id, title=spec.title, metadata=spec.metadata,
                summary_columns=spec.summary_columns, summary_caption=spec.summary_caption,
                indicator_ids=tuple(ids), narrative=tuple(narrative),
            )
        )  # fmt: skip
    return tuple(sections)


def check_pack(root: str | Path) -> list[Problem]:
    """Every problem in the pack; an empty list when it is valid."""
    try:
        load_pack(root)
    except PackError as exc:
        return exc.problems
    return []


@dataclass
class PackSource:
    """A pack's parts before validation: read from a folder, or assembled from a database."""

    manifest: object  # the parsed manifest
    indicators: list[tuple[str, str, object]]  # (file, expected id, parsed definition)
    rows: list[Row] = field(default_factory=list)
    commentary_files: list[tuple[str, str, str]] = field(default_factory=list)  # (file, id, text)
    commentary: dict[str, tuple[Commentary, ...]] = field(default_factory=dict)  # already parsed
    narrative: dict[str, str] = field(default_factory=dict)  # file name -> Markdown
    peer_rows: list[PeerRow] = field(default_factory=list)
    plan: dict[str, object] = field(default_factory=dict)  # plan/ file -> parsed YAML
    benchmarks: object | None = None  # benchmarks.yaml, parsed, when the pack has one
    #: benchmarks.yaml as written (the web app keeps the text, so an export gives it back as is)
    benchmarks_text: str | None = None
    root: Path | None = None
    #: Whether figures are checked against their bound (core.bounds). A database may hold
    #: figures saved before there was one: its pages must still show (and chart) them.
    bounded: bool = True


def read_source(root: str | Path, problems: Problems) -> PackSource:
    """Read a pack folder's files; file-level problems (encoding, YAML syntax) are reported."""
    root = Path(root)
    source = PackSource(_read_yaml(root, MANIFEST, problems), [], root=root)
    if (root / BENCHMARKS_FILE).exists():
        text = _read_text(root, BENCHMARKS_FILE, problems, MAX_YAML_BYTES)
        if text is not None:
            source.benchmarks_text = text
            source.benchmarks = parse_yaml(BENCHMARKS_FILE, text, problems)
    for path in _files(root / "indicators", problems):
        rel = f"indicators/{path.name}"
        if path.suffix not in (".yaml", ".yml"):
            if path.is_file():
                problems.report(rel, 0, "", "only .yaml files belong in indicators/")
            continue
        source.indicators.append((rel, path.stem, _read_yaml(root, rel, problems)))
    for path in _files(root / "data", problems):
        rel = f"data/{path.name}"
        if path.suffix != ".csv":
            if path.is_file():
                message = "only .csv files belong in data/ (use kpiboard import for spreadsheets)"
                problems.report(rel, 0, "", message)
            continue
        text = _read_text(root, rel, problems)
        if text is not None:
            source.rows.extend(read_long_csv(rel, text, problems))
    for path in _files(root / "commentary", problems):
        rel = f"commentary/{path.name}"
        if path.suffix != ".md":
            if path.is_file():
                problems.report(rel, 0, "", "only .md files belong in commentary/")
            continue
        text = _read_text(root, rel, problems)
        if text is not None:
            source.commentary_files.append((rel, path.stem, text))
    for path in _files(root / "narrative", problems):
        if path.is_dir():
            continue
        text = _read_text(root, f"narrative/{path.name}", problems)
        if text is not None:
            source.narrative[path.name] = text
    for path in _files(root / "peers", problems):
        rel = f"peers/{path.name}"
        if path.suffix != ".csv":
            if path.is_file():
                problems.report(rel, 0, "", "only .csv files belong in peers/")
            continue
        text = _read_text(root, rel, problems)
        if text is not None:
            source.peer_rows.extend(read_peer_csv(rel, text, problems))
    for path in _files(root / "plan", problems):
        rel = f"plan/{path.name}"
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            problems.report(rel, 0, "", "only the plan's .yaml files belong in plan/")
            continue
        data = _read_yaml(root, rel, problems)
        if data is not None:
            source.plan[rel] = data
    return source


def load_pack(root: str | Path) -> Pack:
    """Read and validate a pack; raises :class:`PackError` listing every problem found."""
    return read_pack(root)[1]


def read_pack(root: str | Path) -> tuple[PackSource, Pack]:
    """A pack's parts as read and the pack validated from them (the web store keeps both, and
    reads each file once, so what it stores is exactly what was checked)."""
    root = Path(root)
    if not (root / MANIFEST).is_file():
        raise PackError([Problem(str(root), 0, "", f"not a pack: {MANIFEST} not found")])
    problems = Problems()
    with no_collection():  # a long data file makes a million objects, none in a cycle
        source = read_source(root, problems)
        return source, build_pack(source, problems)


def build_pack(source: PackSource, problems: Problems | None = None) -> Pack:
    """Validate a pack's parts and assemble the :class:`Pack`; raises :class:`PackError`."""
    problems = problems if problems is not None else Problems()
    manifest = read_manifest(source.manifest, problems)
    calendar = manifest.calendar

    indicators: dict[str, Indicator] = {}
    section_lines: dict[str, int] = {}
    broken: set[str] = set()
    for rel, stem, data in source.indicators:
        read = None
        if data is not None:
            read = read_indicator(
                data, rel, stem, calendar, manifest.default_rule, problems, manifest.base_unit
            )
        if read is None:
            broken.add(stem)  # already reported; spare the user its data rows' echoes
        else:
            indicator, section_line = read
            if indicator.id in indicators:
                problems.report(rel, 1, "id", f"indicator {indicator.id} is defined twice")
                continue
            if indicator.id in manifest.retired_indicators:
                problems.report(
                    rel, 1, "id",
                    f"indicator {indicator.id} is listed under retired_indicators in {MANIFEST}: "
                    "remove it from that list to bring it back, or remove this file",
                )  # fmt: skip
            indicators[indicator.id] = indicator
            section_lines[indicator.id] = section_line
    if not indicators:
        problems.report("indicators/", 0, "", "no indicator definitions found")

    rows = [row for row in source.rows if row.indicator not in broken] if broken else source.rows
    data, data_notes = assemble(rows, indicators, calendar, problems, bounded=source.bounded)

    commentary: dict[str, tuple[Commentary, ...]] = dict(source.commentary)
    for rel, stem, text in source.commentary_files:
        if stem in broken:
            continue
        if stem not in indicators:
            problems.report(rel, 0, "", f"no indicator {stem!r} for this commentary")
            continue
        items = read_commentary(rel, text, calendar, problems)
        commentary[stem] = tuple(sorted(items, key=lambda c: c.period.sort_key))

    peers = assemble_peers(source.peer_rows, indicators, calendar, problems, bounded=source.bounded)
    for ind in indicators.values():
        for group in ind.peer_groups:
            if group not in manifest.peer_groups:
                problems.report(
                    f"indicators/{ind.id}.yaml", 0, "peer_groups",
                    f"unknown peer group {group!r} (the manifest has "
                    f"{', '.join(manifest.peer_groups) or 'none'})",
                )  # fmt: skip

    benchmarks = None
    if source.benchmarks is not None:
        benchmarks = read_benchmarks(source.benchmarks, indicators, problems)

    sections = _sections(manifest, indicators, section_lines, source.narrative, problems)
    all_tags = {t for ind in indicators.values() for t in ind.tags}
    for name, subset in manifest.subsets.items():
        for tag in subset.tags:
            if tag not in all_tags:
                problems.report(
                    MANIFEST,
                    manifest.subset_lines[name],
                    f"subsets.{name}.tags",
                    f"no indicator has tag {tag!r}",
                )

    plan = read_plan(source.plan, problems, calendar, {s.id for s in manifest.sections},
                     set(indicators) | set(manifest.retired_indicators))  # fmt: skip

    if problems:
        raise PackError(problems.sorted())
    assert manifest.as_at is not None
    return Pack(
        title=manifest.title,
        subtitle=manifest.subtitle,
        organisation=manifest.organisation,
        as_at=manifest.as_at,
        calendar=calendar,
        sections=sections,
        indicators={i: indicators[i] for s in sections for i in s.indicator_ids},
        data=data,
        rating_key=manifest.rating_key,
        tag_labels=manifest.tag_labels,
        default_rule=manifest.default_rule,
        subsets=manifest.subsets,
        commentary=commentary,
        data_notes=data_notes,
        organisation_code=manifest.organisation_code,
        peer_groups=manifest.peer_groups,
        peers=peers,
        path=source.root,
        currency_symbol=manifest.currency_symbol,
        negatives=manifest.negatives,
        organisation_type=manifest.organisation_type,
        summary_page=manifest.summary_page,
        reporting_calendar=manifest.reporting_calendar,
        publishing=manifest.publishing,
        plan=plan,
        benchmarks=benchmarks,
        warnings=tuple(sorted(set(problems.warnings))),
    )
