"""Every ```yaml block of ``docs/*.md`` as a pack that kpiboard can run.

The documentation promises that each of its YAML examples is valid (see the "Docs examples"
convention): a whole manifest, a whole indicator file, or a fragment of indicator or manifest keys.
This module finds the blocks, works out which of the four each is, and writes a small pack around
it with plausible figures for every series it needs, so that a test can run the whole command line
over it. It also records which keys the pack loader checks while reading such a pack, so that a
test can ask whether every key the loader accepts is shown by some example.

Nothing here knows today's list of options: the keys are whatever the loader's ``check_keys``
calls accept, and the data follow what the example declares.
"""

from __future__ import annotations

import ast
import math
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

import kpiboard.packs
from kpiboard.core.periods import FinancialCalendar, Period, PeriodKind
from kpiboard.packs.fields import FieldReader
from kpiboard.packs.loader import load_pack
from kpiboard.packs.manifest import MANIFEST
from kpiboard.packs.problems import PackError
from kpiboard.packs.yamlsource import load as load_yaml
from kpiboard.packs.yamlsource import plain

DOCS = Path(__file__).resolve().parents[1] / "docs"
PACKS_SRC = Path(kpiboard.packs.__file__).resolve().parent
INDICATOR_ID = "DOC01"  # the synthetic indicator an indicator fragment is laid over
MONTHS = 36  # months of figures in every generated pack, ending at the manifest's as_at
PEER_CODES = tuple(f"P{n:02d}" for n in range(1, 10))  # made-up organisations for peer groups


# --- the blocks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    doc: str  # file name under docs/
    line: int  # line of the opening fence
    text: str

    @property
    def where(self) -> str:
        return f"docs/{self.doc}:{self.line}"


def yaml_blocks(docs: Path = DOCS) -> list[Block]:
    """Every fenced block whose info string is ``yaml``, in file and line order."""
    blocks = []
    for path in sorted(docs.glob("*.md")):
        fence: tuple[int, str] | None = None
        body: list[str] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if fence is None and stripped.startswith("```"):
                info = stripped[3:].split()
                fence, body = (number, info[0].lower() if info else ""), []
            elif fence is not None and stripped == "```":
                if fence[1] == "yaml":
                    blocks.append(Block(path.name, fence[0], "\n".join(body) + "\n"))
                fence = None
            elif fence is not None:
                body.append(line)
    return blocks


class Kind(StrEnum):
    MANIFEST = "manifest"  # a whole kpiboard.yaml
    INDICATOR = "indicator"  # a whole indicators/ID.yaml
    INDICATOR_KEYS = "indicator keys"  # top-level indicator keys, laid over a synthetic indicator
    MANIFEST_KEYS = "manifest keys"  # top-level manifest keys, laid over a synthetic manifest
    PLAN = "plan file"  # a whole plan/*.yaml file (docs/business-plan.md)
    BENCHMARKS = "benchmark mapping"  # a whole benchmarks.yaml (docs/pack-format.md)


#: Each business plan file by the top-level keys it may have (a block is the file its keys fit).
PLAN_FILE_KEYS = {
    "plan/priorities.yaml": {"priorities"},
    "plan/actions.yaml": {"rag", "actions"},
    "plan/risks.yaml": {"matrix", "risks"},
}


def plan_file(data: dict) -> str | None:
    """The plan file a block's keys make it, or None."""
    return next((f for f, keys in PLAN_FILE_KEYS.items() if set(data) <= keys), None)


class NotAnExample(ValueError):
    """A ```yaml block that fits none of the four kinds."""


def parse(block: Block) -> Any:
    try:
        return plain(load_yaml(block.text))
    except yaml.YAMLError as exc:
        raise NotAnExample(f"{block.where}: not valid YAML: {exc}") from exc


def candidate_kinds(block: Block) -> list[Kind]:
    """What the block may be: a whole file when it has ``format``/``id``, else a fragment of the
    file kinds whose top-level keys (as the loader accepts them) include all of the block's."""
    data = parse(block)
    if not isinstance(data, dict) or not data:
        raise NotAnExample(f"{block.where}: a ```yaml example must be a mapping of keys")
    if set(data) == {"fingertips"}:
        return [Kind.BENCHMARKS]
    if "format" in data:
        return [Kind.MANIFEST]
    if "id" in data:
        return [Kind.INDICATOR]
    if plan_file(data):
        return [Kind.PLAN]
    keys = set(data)
    indicator_keys, manifest_keys = top_level_keys()
    kinds = [Kind.INDICATOR_KEYS] if keys <= indicator_keys else []
    kinds += [Kind.MANIFEST_KEYS] if keys <= manifest_keys else []
    if not kinds:
        unknown = sorted(keys - indicator_keys - manifest_keys) or sorted(keys)
        raise NotAnExample(
            f"{block.where}: {', '.join(unknown)} is neither an indicator nor a manifest key "
            "(use ```text for a block that is not meant to load)"
        )
    return kinds


# --- what the loader accepts ------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One ``check_keys`` call in the pack loader: a kind of mapping with a fixed set of keys."""

    path: Path
    first_line: int
    last_line: int
    literal: tuple[str, ...] | None  # the allowed keys, when written as a list literal

    @property
    def where(self) -> str:
        return f"src/kpiboard/packs/{self.path.name}:{self.first_line}"


@dataclass(frozen=True)
class Check:
    """One mapping the loader checked: in which file, at which prefix, allowing which keys."""

    site: Site | None
    file: str
    prefix: str
    allowed: tuple[str, ...]


@cache
def check_sites() -> tuple[Site, ...]:
    """Every ``.check_keys(...)`` call in ``kpiboard/packs``, read from the source."""
    sites = []
    for path in sorted(PACKS_SRC.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "check_keys"
            ):
                continue
            literal = None
            if node.args and isinstance(node.args[0], ast.List):
                items = node.args[0].elts
                if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in items):
                    literal = tuple(e.value for e in items)
            sites.append(Site(path, node.lineno, node.end_lineno or node.lineno, literal))
    return tuple(sorted(sites, key=lambda s: (s.path.name, s.first_line)))


def _site_of(frame_file: str, line: int) -> Site | None:
    for site in check_sites():
        if Path(frame_file).resolve() == site.path and site.first_line <= line <= site.last_line:
            return site
    return None


@contextmanager
def recording_checks() -> Iterator[list[Check]]:
    """Within the block, every ``FieldReader.check_keys`` call is noted (and still done)."""
    checks: list[Check] = []
    original = FieldReader.check_keys

    def check_keys(reader: FieldReader, allowed, required=()):
        allowed = tuple(allowed)
        caller = sys._getframe(1)
        checks.append(
            Check(
                _site_of(caller.f_code.co_filename, caller.f_lineno),
                reader.file,
                reader.prefix,
                allowed,
            )
        )
        return original(reader, allowed, required)

    with mock.patch.object(FieldReader, "check_keys", check_keys):
        yield checks


@cache
def top_level_keys() -> tuple[frozenset[str], frozenset[str]]:
    """(indicator keys, manifest keys) as the loader accepts them at the top of each file."""
    with tempfile.TemporaryDirectory() as tmp, recording_checks() as checks:
        root = Path(tmp) / "pack"
        manifest = base_manifest("base", ())
        write_pack(root, manifest, {INDICATOR_ID: base_indicator(INDICATOR_ID, "base")}, {})
        load_pack(root)
    indicator = {a for c in checks if c.file.startswith("indicators/") and not c.prefix
                 for a in c.allowed}  # fmt: skip
    top = {a for c in checks if c.file == MANIFEST and not c.prefix for a in c.allowed}
    return frozenset(indicator), frozenset(top)


# --- the synthetic pack -----------------------------------------------------------------------


def base_manifest(section: str, groups: tuple[str, ...]) -> dict:
    """The smallest manifest an indicator example needs: its section and its peer groups."""
    manifest: dict[str, Any] = {
        "format": 1,
        "title": "Docs example pack",
        "organisation": "Example Council",
        "as_at": "2013-09",
        "organisation_code": "OWN",
        "sections": [{"id": section, "title": "Example section"}],
    }
    if groups:
        manifest["peer_groups"] = {g: {"label": f"Group {g}"} for g in groups}
    return manifest


def base_indicator(ind_id: str, section: str, **extra: Any) -> dict:
    """A monthly percentage, higher is better: what an indicator fragment is laid over."""
    return {
        "id": ind_id,
        "section": section,
        "number": "1",
        "title": f"Example indicator {ind_id}",
        "unit": "percent",
        "polarity": "higher_is_better",
        "frequency": "month",
        **extra,
    }


def indicators_for(manifest: dict) -> dict[str, dict]:
    """Indicators for a manifest example: those its sections list (one per section otherwise),
    carrying every tag it names and in every peer group it defines."""
    tags = list(manifest.get("tags") or {})
    for subset in (manifest.get("subsets") or {}).values():
        tags += [t for t in (subset or {}).get("tags", []) if t not in tags]
    groups = list(manifest.get("peer_groups") or {})
    out = {}
    for n, section in enumerate(manifest.get("sections") or [], 1):
        ids = section.get("indicators") or [f"S{n}X1"]
        for m, ind_id in enumerate(ids, 1):
            extra: dict[str, Any] = {"number": str(m), "spc": True}
            extra |= {"tags": tags} if tags else {}
            extra |= {"peer_groups": groups} if groups else {}
            out[str(ind_id)] = base_indicator(str(ind_id), str(section["id"]), **extra)
    return out


def _periods(kind: PeriodKind, count: int, as_at: Period, calendar: FinancialCalendar):
    """The ``count`` periods of ``kind`` ending with the one holding the as-at period's end."""
    period = calendar.containing(kind, as_at.end)
    out = [period]
    while len(out) < count:
        period = calendar.containing(kind, period.start - timedelta(days=1))
        out.append(period)
    return out[::-1]


_FREQUENCY_KIND = {"quarter": (PeriodKind.QUARTER, 12), "year": (PeriodKind.YEAR, 4)}
_UNIT_BASE = {"percent": 70.0, "rate": 6.0, "ratio": 1.5, "days": 20.0, "currency": 25000.0}


def _wave(base: float, i: int, seed: str, step: float = 0.01) -> float:
    """A deterministic, plausible figure: a gentle trend with some month-to-month noise."""
    phase = sum(map(ord, seed)) % 7
    return round(base * (1 + 0.06 * math.sin(1.7 * i + phase) + step * i / 12), 2)


def data_rows(indicator: dict, as_at: Period, calendar: FinancialCalendar) -> list[tuple]:
    """(indicator, period label, series, value) rows for every series the indicator has."""
    ind_id, kind = str(indicator["id"]), indicator.get("kind", "kpi")
    rated = bool(indicator.get("rated", kind != "lead"))
    derive = indicator.get("derive") if isinstance(indicator.get("derive"), dict) else None
    period_kind, count = _FREQUENCY_KIND.get(indicator.get("frequency"), (PeriodKind.MONTH, MONTHS))
    periods = _periods(period_kind, count, as_at, calendar)
    months = _periods(PeriodKind.MONTH, MONTHS, as_at, calendar)
    base = _UNIT_BASE.get(indicator.get("unit"), 150.0)
    rows = []
    for i, p in enumerate(periods):
        if derive is None:
            value = _wave(base, i, ind_id)
            rows.append((ind_id, p.label, "actual", value))
            if "benchmark" in indicator:  # an interval around the figure, to compare
                rows += [(ind_id, p.label, "ci_lower", round(value * 0.95, 2))]
                rows += [(ind_id, p.label, "ci_upper", round(value * 1.05, 2))]
        if rated:
            rows.append((ind_id, p.label, "target", round(base * 1.02, 2)))
        if kind == "lead":
            rows += [(ind_id, p.label, "lower", base * 0.9), (ind_id, p.label, "upper", base * 1.1)]
    sources = (
        {str(derive.get(k)) for k in ("source", "numerator", "denominator")} if derive else set()
    )
    for name, body in (indicator.get("series") or {}).items():
        unit = (body or {}).get("unit") if isinstance(body, dict) else None
        size = _UNIT_BASE.get(unit or indicator.get("unit"), 150.0)
        size *= 2 if derive and name == derive.get("denominator") else 1
        for i, p in enumerate(months if name in sources else periods):
            rows.append((ind_id, p.label, name, _wave(size, i, name, 0.0)))
    return rows


def peer_rows(indicator: dict, manifest: dict, as_at: Period, calendar) -> list[tuple]:
    """Peer figures at the indicator's latest period, for everyone in its peer groups."""
    groups = manifest.get("peer_groups") or {}
    codes = list(PEER_CODES)
    for name in indicator.get("peer_groups") or []:
        codes += [str(c) for c in (groups.get(name) or {}).get("members") or [] if c not in codes]
    kind, _ = _FREQUENCY_KIND.get(indicator.get("frequency"), (PeriodKind.MONTH, 0))
    latest = _periods(kind, 1, as_at, calendar)[0].label
    base = _UNIT_BASE.get(indicator.get("unit"), 150.0)
    return [(indicator["id"], latest, code, _wave(base, n, code)) for n, code in enumerate(codes)]


def _csv(header: str, rows: list[tuple]) -> str:
    return header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_pack(
    root: Path, manifest: dict, indicators: dict[str, dict], texts: dict[str, str]
) -> None:
    """Write the pack: ``texts`` holds files written verbatim (the docs' own text), the rest is
    dumped from the dicts; figures, peers, commentary and narrative are generated."""
    calendar = FinancialCalendar(int(manifest.get("financial_year_start") or 4))
    as_at = calendar.parse(str(manifest["as_at"]))
    files = {MANIFEST: _dump(manifest)}
    files |= {f"indicators/{i}.yaml": _dump(d) for i, d in indicators.items()}
    files |= texts
    rows, peers = [], []
    for ind_id, indicator in indicators.items():
        rows += data_rows(indicator, as_at, calendar)
        if indicator.get("peer_groups"):
            peers += peer_rows(indicator, manifest, as_at, calendar)
        files[f"commentary/{ind_id}.md"] = f"## {as_at.label}\n\nFigures as expected.\n"
    files["data/figures.csv"] = _csv("indicator,period,series,value", rows)
    if peers:
        files["peers/peers.csv"] = _csv("indicator,period,organisation,value", peers)
    for section in manifest.get("sections") or []:
        for name in section.get("narrative") or []:
            files[f"narrative/{name}"] = f"# {name}\n\nA paragraph of narrative.\n"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@dataclass
class Example:
    """A block as a pack: its kind, the pack folder, the file holding the block's keys, and the
    block's data (for telling its keys from those the synthetic pack adds)."""

    block: Block
    kind: Kind
    root: Path
    file: str
    data: dict
    manifest: dict = field(default_factory=dict)


def _plan_references(data: dict) -> tuple[list[str], list[str]]:
    """(section ids, indicator ids) a plan file names."""
    sections: list[str] = []
    indicators: list[str] = []
    for item in [*(data.get("priorities") or []), *(data.get("actions") or []),
                 *(data.get("risks") or [])]:  # fmt: skip
        if item.get("section") and item["section"] not in sections:
            sections.append(str(item["section"]))
        for ref in item.get("indicators") or []:
            ind = str(ref["indicator"] if isinstance(ref, dict) else ref)
            indicators += [ind] if ind not in indicators else []
    return sections, indicators


def _build_plan(block: Block, root: Path) -> Example:
    """A plan block in a pack with the other plan blocks of its page (they name each other's
    ids), a section for each section they name and an indicator for each indicator."""
    texts: dict[str, str] = {}
    sections, indicators = ["base"], []
    for other in yaml_blocks():
        data = parse(other)
        if other.doc != block.doc or not isinstance(data, dict) or not plan_file(data):
            continue
        texts.setdefault(str(plan_file(data)), other.text)
        more_sections, more_indicators = _plan_references(data)
        sections += [s for s in more_sections if s not in sections]
        indicators += [i for i in more_indicators if i not in indicators]
    manifest = base_manifest("base", ())
    manifest["sections"] = [{"id": s, "title": f"Section {s}"} for s in sections]
    made = {i: base_indicator(i, "base", spc=True) for i in indicators}
    for n, section in enumerate(sections, 1):
        made.setdefault(f"S{n}X1", base_indicator(f"S{n}X1", section))
    write_pack(root, manifest, made, texts)
    data = parse(block)
    return Example(block, Kind.PLAN, root, str(plan_file(data)), data, manifest)


def _build_benchmarks(block: Block, root: Path) -> Example:
    """A mapping block in a pack with each indicator it names, declaring the comparator series
    it fills and, where it fetches peers, in a peer group."""
    data = parse(block)
    manifest = base_manifest("base", ("all",))
    made = {}
    for ind_id, link in ((data.get("fingertips") or {}).get("indicators") or {}).items():
        link = link if isinstance(link, dict) else {}
        series = {str(s): {"label": str(s), "role": "comparator"}
                  for s in link.get("comparators") or {}}  # fmt: skip
        extra: dict[str, Any] = {"series": series} if series else {}
        extra |= {"peer_groups": ["all"]} if link.get("peers") else {}
        made[str(ind_id)] = base_indicator(str(ind_id), "base", **extra)
    write_pack(root, manifest, made, {"benchmarks.yaml": block.text})
    return Example(block, Kind.BENCHMARKS, root, "benchmarks.yaml", data, manifest)


def _build(block: Block, kind: Kind, root: Path) -> Example:
    if kind is Kind.PLAN:
        return _build_plan(block, root)
    if kind is Kind.BENCHMARKS:
        return _build_benchmarks(block, root)
    data = parse(block)
    texts: dict[str, str] = {}
    if kind in (Kind.MANIFEST, Kind.MANIFEST_KEYS):
        manifest = data if kind is Kind.MANIFEST else base_manifest("base", ()) | data
        indicators = indicators_for(manifest)
        if kind is Kind.MANIFEST:
            texts[MANIFEST] = block.text
        file = MANIFEST
    else:
        indicator = data if kind is Kind.INDICATOR else base_indicator(INDICATOR_ID, "base") | data
        groups = tuple(indicator.get("peer_groups") or ())
        manifest = base_manifest(str(indicator.get("section") or "base"), groups)
        indicators = {str(indicator["id"]): indicator}
        file = f"indicators/{indicator['id']}.yaml"
        if kind is Kind.INDICATOR:
            texts[file] = block.text
    write_pack(root, manifest, indicators, texts)
    return Example(block, kind, root, file, data, manifest)


def build_example(block: Block, folder: Path) -> Example:
    """The block as a pack under ``folder``; a fragment whose keys fit both an indicator and a
    manifest is taken as the first kind that gives a valid pack."""
    kinds = candidate_kinds(block)
    first = None
    for kind in kinds:
        example = _build(block, kind, folder / kind.name.lower())
        first = first or example
        try:
            load_pack(example.root)
        except PackError:
            continue
        return example
    assert first is not None
    return first


# --- which keys the examples show -------------------------------------------------------------


def _resolve(data: Any, prefix: str) -> Any:
    """The part of ``data`` a reader prefix such as ``rules[1].`` or ``series.a.b.`` names, or
    None when the block does not hold it (the synthetic pack added it)."""
    rest = prefix
    while rest:
        if m := re.match(r"\[(\d+)\]\.?", rest):
            index = int(m[1])
            if not isinstance(data, list) or index >= len(data):
                return None
            data, rest = data[index], rest[m.end() :]
            continue
        if not isinstance(data, dict):
            return None
        keys = sorted((k for k in data if rest.startswith(k) and rest[len(k) : len(k) + 1] in ".["),
                      key=len, reverse=True)  # fmt: skip
        if not keys:
            return None
        data, rest = data[keys[0]], rest[len(keys[0]) :].removeprefix(".")
    return data


def shown_keys(example: Example, checks: list[Check]) -> list[tuple[Check, set[str]]]:
    """Each check the loader made, with the keys of it the block itself wrote."""
    out = []
    for check in checks:
        part = _resolve(example.data, check.prefix) if check.file == example.file else None
        out.append((check, set(part) if isinstance(part, dict) else set()))
    return out


def load_recording(example: Example) -> list[Check]:
    # A pack that does not load is reported by the test that runs the commands over it.
    with recording_checks() as checks, suppress(PackError):
        load_pack(example.root)
    return checks


def summary_columns(example: Example) -> set[str]:
    """The summary columns a manifest example lists."""
    if example.kind not in (Kind.MANIFEST, Kind.MANIFEST_KEYS):
        return set()
    columns = set()
    for section in example.data.get("sections") or []:
        summary = section.get("summary") if isinstance(section, dict) else None
        columns |= set((summary or {}).get("columns") or []) if isinstance(summary, dict) else set()
    return {str(c) for c in columns}
