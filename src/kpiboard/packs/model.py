"""A loaded pack: the manifest, the indicator register, the figures and the words around them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.due_dates import ReportingCalendar
from ..core.engine import evaluate_many
from ..core.evaluate import IndicatorResult
from ..core.indicators import Indicator, IndicatorData
from ..core.periods import UK, FinancialCalendar, Period
from ..core.plan import Plan
from ..core.rating import DEFAULT_RULE, RuleVersion
from ..core.units import Negatives, Unit
from .benchmarks import BenchmarkMapping
from .problems import Problem
from .publishing import Publishing

if TYPE_CHECKING:
    from ..core.analysis import Analysis

DEFAULT_RATING_KEY = {
    "GREEN": "Target achieved or exceeded",
    "AMBER": "Behind target, but within the acceptable range",
    "RED": "Significantly behind target: below the minimum acceptable level (the floor)",
}
DEFAULT_DIRECTION_KEY = {
    "improved": "Performance has improved since the previous period",
    "worsened": "Performance has worsened since the previous period",
    "no_change": "No change since the previous period",
}


@dataclass(frozen=True)
class Narrative:
    name: str  # file name in narrative/
    title: str
    markdown: str  # the body, without its title heading


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    metadata: tuple[tuple[str, str], ...] = ()
    summary_columns: tuple[str, ...] = ()
    summary_caption: str = ""
    indicator_ids: tuple[str, ...] = ()  # in page order
    narrative: tuple[Narrative, ...] = ()


@dataclass(frozen=True)
class Subset:
    name: str
    title: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class PeerGroup:
    """A named comparison group: ``members`` are organisation codes; None means everyone."""

    id: str
    label: str
    members: tuple[str, ...] | None = None
    illustrative: str = ""

    def values(self, peers: dict[str, float]) -> dict[str, float]:
        if self.members is None:
            return dict(peers)
        return {code: v for code, v in peers.items() if code in self.members}


@dataclass(frozen=True)
class Commentary:
    period: Period
    text: str  # Markdown


@dataclass
class Pack:
    title: str
    as_at: Period
    sections: tuple[Section, ...]
    indicators: dict[str, Indicator]
    data: dict[str, IndicatorData]
    calendar: FinancialCalendar = UK
    subtitle: str = ""
    organisation: str = ""
    rating_key: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RATING_KEY))
    tag_labels: dict[str, str] = field(default_factory=dict)
    default_rule: RuleVersion = DEFAULT_RULE
    subsets: dict[str, Subset] = field(default_factory=dict)
    commentary: dict[str, tuple[Commentary, ...]] = field(default_factory=dict)
    data_notes: dict[tuple[str, Period], str] = field(default_factory=dict)
    organisation_code: str = ""
    peer_groups: dict[str, PeerGroup] = field(default_factory=dict)
    peers: dict[tuple[str, Period], dict[str, float]] = field(default_factory=dict)
    path: Path | None = None
    currency_symbol: str = "£"
    negatives: Negatives = Negatives.MINUS
    organisation_type: str = ""  # singular: "council", "NHS trust"
    summary_page: bool = True
    reporting_calendar: ReportingCalendar = field(default_factory=ReportingCalendar)
    publishing: Publishing = field(default_factory=Publishing)
    plan: Plan = field(default_factory=Plan)  # the business plan (plan/ files), if any
    benchmarks: BenchmarkMapping | None = None  # benchmarks.yaml: where comparators come from
    #: What ``kpiboard check`` warns of: valid, but without effect (see Problems.warnings).
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def base_unit(self) -> Unit:
        """The manifest's house style (currency symbol, negatives) that indicators' units share."""
        return Unit(symbol=self.currency_symbol, negatives=self.negatives)

    def tag_label(self, tag: str) -> str:
        return self.tag_labels.get(tag, tag.replace("-", " ").replace("_", " ").title())

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def indicators_of(self, section: Section, tags: tuple[str, ...] = ()) -> list[Indicator]:
        chosen = [self.indicators[i] for i in section.indicator_ids]
        if tags:
            chosen = [ind for ind in chosen if set(ind.tags) & set(tags)]
        return chosen

    def evaluate(self, as_at: Period | None = None) -> Mapping[str, IndicatorResult]:
        """Every indicator's ratings and directions, rated grid by grid in array calls; each
        indicator's result is made when it is first read (a read-only mapping, in register
        order)."""
        return evaluate_many(
            self.indicators, self.data, calendar=self.calendar, as_at=as_at or self.as_at
        )[0]

    def analyse(self, as_at: Period | None = None) -> Mapping[str, Analysis]:
        """Ratings plus SPC, peer positions, forecasts and expected ranges, by indicator id:
        the one engine (core.engine, core.analyse_many), in batches of indicators. A read-only
        mapping in register order whose analyses are made when first read (every rating,
        direction and chart is worked out here, in arrays)."""
        from ..core.analyse_many import analyse_many

        results, rows = evaluate_many(
            self.indicators, self.data, calendar=self.calendar, as_at=as_at or self.as_at
        )
        labels = {g.id: (g.label, g.illustrative) for g in self.peer_groups.values()}
        return analyse_many(
            results, rows, peer_values=self._peer_values(), peer_labels=labels,
            own_code=self.organisation_code,
        )  # fmt: skip

    def _peer_values(self) -> dict[str, dict[Period, dict[str, dict[str, float]]]]:
        """Indicator id -> period -> peer group -> organisation -> value, each group's members."""
        out: dict[str, dict[Period, dict[str, dict[str, float]]]] = {}
        for (ind_id, period), values in self.peers.items():
            ind = self.indicators.get(ind_id)
            if ind is None or not ind.peer_groups:
                continue
            out.setdefault(ind_id, {})[period] = {
                group: self.peer_groups[group].values(values)
                for group in ind.peer_groups
                if group in self.peer_groups
            }
        return out

    def commentary_for(self, indicator_id: str, as_at: Period | None = None) -> Commentary | None:
        """The commentary for the as-at period, or the latest one before it."""
        when = as_at or self.as_at
        best = None
        for item in self.commentary.get(indicator_id, ()):
            if item.period.end <= when.end and (best is None or best.period < item.period):
                best = item
        return best

    def up_to(self, as_at: Period, keep_ahead: frozenset[str] = frozenset()) -> Pack:
        """This pack without anything after ``as_at``: figures of every series but those in
        ``keep_ahead`` (see :meth:`IndicatorData.up_to`), commentary, data notes and peer
        values. Nothing after the as-at period is reported on: a report keeps the targets set
        ahead (``core.indicators.AHEAD_SERIES``), a publication nothing after it."""
        return replace(
            self,
            as_at=as_at,
            data={k: d.up_to(as_at, keep_ahead) for k, d in self.data.items()},
            commentary={
                ind_id: tuple(c for c in items if c.period.end <= as_at.end)
                for ind_id, items in self.commentary.items()
            },
            data_notes={k: v for k, v in self.data_notes.items() if k[1].end <= as_at.end},
            peers={k: v for k, v in self.peers.items() if k[1].end <= as_at.end},
        )
