"""The manifest, ``kpiboard.yaml``: what the report is, when it is as at, how it is laid out."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.due_dates import ReportingCalendar
from ..core.periods import UK, FinancialCalendar, Period
from ..core.rating import DEFAULT_RULE, RuleVersion
from ..core.summary_columns import (
    DEFAULT_SUMMARY_COLUMNS,
    TAG_PREFIX,
    SummaryColumnKey,
    is_summary_column,
)
from ..core.units import Negatives, Unit
from .calendar_spec import read_reporting_calendar
from .fields import FieldReader
from .model import DEFAULT_RATING_KEY, PeerGroup, Subset
from .problems import Problems
from .publishing import Publishing, read_publishing
from .yamlsource import Mapping

MANIFEST = "kpiboard.yaml"
FORMAT_VERSION = 1


@dataclass
class SectionSpec:
    id: str
    title: str
    line: int
    metadata: tuple[tuple[str, str], ...] = ()
    summary_columns: tuple[str, ...] = ()
    summary_caption: str = ""
    indicator_ids: list[str] | None = None
    indicator_lines: list[int] = field(default_factory=list)
    narrative_files: list[str] = field(default_factory=list)
    narrative_lines: list[int] = field(default_factory=list)


@dataclass
class Manifest:
    title: str = ""
    subtitle: str = ""
    organisation: str = ""
    as_at: Period | None = None
    calendar: FinancialCalendar = UK
    rating_key: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RATING_KEY))
    tag_labels: dict[str, str] = field(default_factory=dict)
    default_rule: RuleVersion = DEFAULT_RULE
    sections: list[SectionSpec] = field(default_factory=list)
    subsets: dict[str, Subset] = field(default_factory=dict)
    subset_lines: dict[str, int] = field(default_factory=dict)
    organisation_code: str = ""
    peer_groups: dict[str, PeerGroup] = field(default_factory=dict)
    currency_symbol: str = "£"
    negatives: Negatives = Negatives.MINUS
    organisation_type: str = ""  # "council": peers are "other councils"
    summary_page: bool = True  # the organisation-wide summary page after the contents
    reporting_calendar: ReportingCalendar = field(default_factory=ReportingCalendar)
    publishing: Publishing = field(default_factory=Publishing)
    #: Codes of indicators retired from the pack: they have no definition, figures or pages,
    #: but the business plan may still name them (its history is kept as it was written).
    retired_indicators: tuple[str, ...] = ()

    @property
    def base_unit(self) -> Unit:
        """The house style every indicator's unit starts from."""
        return Unit(symbol=self.currency_symbol, negatives=self.negatives)


def read_currency_symbol(reader: FieldReader) -> str:
    """The ``currency_symbol``: a short mark printed before amounts (£, €, $, CHF)."""
    symbol = reader.text("currency_symbol", "£")
    if not symbol or len(symbol) > 4 or any(c.isdigit() or c in "()-+.," for c in symbol):
        reader.problem(
            "currency_symbol",
            f"{symbol!r} is not a currency symbol: give up to 4 characters such as £, € or $, "
            "without digits, signs or brackets",
        )
        return "£"
    return symbol


def read_rule_defaults(reader: FieldReader, base: RuleVersion) -> RuleVersion:
    reader.check_keys(["amber", "green", "close_amber"])
    _, amber = reader.band("amber")
    _, green = reader.band("green", allow_none=False)
    _, close_amber = reader.band("close_amber", allow_none=False)
    return RuleVersion(
        amber=amber if "amber" in reader.mapping else base.amber,
        green=green or base.green,
        close_amber=close_amber or base.close_amber,
    )


def read_manifest(data: object, problems: Problems) -> Manifest:
    manifest = Manifest()
    if not isinstance(data, Mapping):
        problems.report(MANIFEST, 1, "", "must be a mapping with title, as_at and sections")
        return manifest
    r = FieldReader(problems, MANIFEST, data)
    r.check_keys(
        [
            "format",
            "title",
            "subtitle",
            "organisation",
            "as_at",
            "financial_year_start",
            "rating_key",
            "tags",
            "rating_defaults",
            "sections",
            "subsets",
            "organisation_code",
            "peer_groups",
            "currency_symbol",
            "negatives",
            "organisation_type",
            "summary_page",
            "reporting_calendar",
            "publishing",
            "retired_indicators",
        ],
        required=["format", "title", "as_at", "sections"],
    )
    version = data.get("format")
    if version is not None and version != FORMAT_VERSION:
        r.problem("format", f"this kpiboard reads pack format {FORMAT_VERSION}, not {version!r}")
    manifest.title = r.text("title")
    manifest.subtitle = r.text("subtitle")
    manifest.organisation = r.text("organisation")
    manifest.organisation_type = r.text("organisation_type")
    manifest.summary_page = r.boolean("summary_page", True)
    manifest.retired_indicators = tuple(dict.fromkeys(r.text_list("retired_indicators")))
    start = r.integer("financial_year_start", 4, 1, 12)
    manifest.calendar = FinancialCalendar(start or 4)
    manifest.as_at = r.period("as_at", manifest.calendar)
    manifest.currency_symbol = read_currency_symbol(r)
    manifest.negatives = Negatives(
        r.choice("negatives", [n.value for n in Negatives], Negatives.MINUS.value)
    )

    if (block := r.mapping_at("publishing")) is not None:
        manifest.publishing = read_publishing(FieldReader(problems, MANIFEST, block, "publishing."))
    if (key := r.mapping_at("rating_key")) is not None:
        for colour, text in key.items():
            if colour not in ("GREEN", "AMBER", "RED"):
                problems.report(
                    MANIFEST,
                    key.line_of(colour),
                    f"rating_key.{colour}",
                    "must be GREEN, AMBER or RED",
                )
            else:
                manifest.rating_key[colour] = str(text).strip()
    if (tags := r.mapping_at("tags")) is not None:
        manifest.tag_labels = {str(k): str(v).strip() for k, v in tags.items()}
    if (defaults := r.mapping_at("rating_defaults")) is not None:
        manifest.default_rule = read_rule_defaults(
            FieldReader(problems, MANIFEST, defaults, "rating_defaults."), DEFAULT_RULE
        )

    sections = r.sequence_at("sections")
    seen: set[str] = set()
    calendar_blocks: list[tuple[str, FieldReader | None]] = []
    for i, item in enumerate(sections or []):
        prefix = f"sections[{i}]."
        if not isinstance(item, Mapping):
            assert sections is not None  # an item came from it
            problems.report(MANIFEST, sections.line_of(i), f"sections[{i}]", "must be a mapping")
            continue
        sr = FieldReader(problems, MANIFEST, item, prefix)
        sr.check_keys(
            ["id", "title", "metadata", "summary", "indicators", "narrative", "calendar"],
            required=["id", "title"],
        )
        spec = SectionSpec(id=sr.ident("id"), title=sr.text("title"), line=item.line)
        if spec.id in seen:
            sr.problem("id", f"section {spec.id!r} is defined twice")
        seen.add(spec.id)
        spec.metadata = sr.ordered_texts("metadata")
        if (summary := sr.mapping_at("summary")) is not None:
            smr = FieldReader(problems, MANIFEST, summary, prefix + "summary.")
            smr.check_keys(["caption", "columns"])
            spec.summary_caption = smr.text("caption")
            columns = smr.text_list("columns")
            for column in columns:
                if not is_summary_column(column):
                    known = ", ".join(SummaryColumnKey)
                    smr.problem(
                        "columns",
                        f"unknown column {column!r} (use {known} or {TAG_PREFIX}NAME)",
                    )
            spec.summary_columns = tuple(columns)
        else:
            spec.summary_columns = DEFAULT_SUMMARY_COLUMNS
        if "indicators" in item:
            seq = sr.sequence_at("indicators")
            spec.indicator_ids = sr.text_list("indicators")
            spec.indicator_lines = list(seq.item_lines) if seq is not None else []
        spec.narrative_files = sr.text_list("narrative")
        if (seq := item.get("narrative")) is not None and hasattr(seq, "item_lines"):
            spec.narrative_lines = list(seq.item_lines)
        manifest.sections.append(spec)
        if (block := sr.mapping_at("calendar")) is not None:
            calendar_blocks.append(
                (spec.id, FieldReader(problems, MANIFEST, block, prefix + "calendar."))
            )
    if sections is not None and not sections:
        r.problem("sections", "at least one section is needed")
    manifest.reporting_calendar = read_reporting_calendar(
        r,
        calendar_blocks,
        manifest.calendar,
        manifest.as_at,
        problems,
    )

    if (subsets := r.mapping_at("subsets")) is not None:
        for name, body in subsets.items():
            if not isinstance(body, Mapping):
                problems.report(
                    MANIFEST, subsets.line_of(name), f"subsets.{name}", "must be a mapping"
                )
                continue
            br = FieldReader(problems, MANIFEST, body, f"subsets.{name}.")
            br.check_keys(["title", "tags"], required=["tags"])
            manifest.subsets[str(name)] = Subset(
                str(name), br.text("title") or str(name), tuple(br.text_list("tags"))
            )
            manifest.subset_lines[str(name)] = subsets.line_of(name)
    manifest.organisation_code = r.text("organisation_code")
    if (groups := r.mapping_at("peer_groups")) is not None:
        for name, body in groups.items():
            where = f"peer_groups.{name}"
            if not isinstance(body, Mapping):
                problems.report(MANIFEST, groups.line_of(name), where, "must be a mapping")
                continue
            gr = FieldReader(problems, MANIFEST, body, where + ".")
            gr.check_keys(["label", "members", "illustrative"], required=["label"])
            members = tuple(gr.text_list("members")) if "members" in body else None
            manifest.peer_groups[str(name)] = PeerGroup(
                str(name), gr.text("label"), members, gr.text("illustrative")
            )
        if manifest.peer_groups and not manifest.organisation_code:
            r.problem("organisation_code", "required with peer_groups: your code in the peer files")
    return manifest
