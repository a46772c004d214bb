"""Indicator definitions and their time series, as plain immutable values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

import numpy as np

from .direction import Basis
from .forecast import ForecastMethod
from .periods import Period
from .rating import DEFAULT_RULE, Polarity, Rating, RuleVersion
from .significance import BenchmarkOptions
from .spc_codes import Improvement
from .units import Unit, UnitKind

#: Series every indicator may carry without declaring them.
BUILTIN_SERIES = ("actual", "target", "floor", "lower", "upper", "ci_lower", "ci_upper")
#: The built-in series holding the actual's confidence interval (see core.significance).
INTERVAL_SERIES = ("ci_lower", "ci_upper")
#: Series set ahead of time (targets, floors, expected ranges): a report as at a period may show
#: them beyond it, where every other series (what happened) stops at that period.
AHEAD_SERIES = frozenset(("target", "floor", "lower", "upper"))


class IndicatorKind(StrEnum):
    KPI = "kpi"  # rated against targets
    LEAD = "lead"  # activity volume, charted against an expected range, never rated


class SeriesRole(StrEnum):
    EXTRA = "extra"  # shown in the trend table (e.g. client numbers)
    COMPARATOR = "comparator"  # a benchmark line (statistical neighbours, England)


@dataclass(frozen=True)
class SeriesDef:
    name: str
    label: str
    role: SeriesRole = SeriesRole.EXTRA
    unit: Unit | None = None  # None: the indicator's own unit


@dataclass(frozen=True)
class Override:
    """An officer's rating that replaces the computed one, always shown as an override."""

    period: Period
    rating: Rating
    reason: str
    by: str


@dataclass(frozen=True)
class Derivation:
    """How an indicator's actual is computed from monthly source series (see core.aggregate)."""

    method: str  # an Accumulation value: period (ratio only) | year_to_date | rolling_12
    how: str  # sum | mean (of ``source``) | ratio (``numerator`` over ``denominator``)
    source: str = ""
    numerator: str = ""
    denominator: str = ""
    scale: float = 1.0  # multiplies the result: 100 for a percentage, 1000 for "per 1,000"

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.numerator, self.denominator) if self.how == "ratio" else (self.source,)


class SpcChart(StrEnum):
    """Which control chart: XmR for ordinary measures, t or g for rare events (see core.spc)."""

    XMR = "xmr"
    T = "t"  # time between events
    G = "g"  # opportunities (or days) between events


class Accumulation(StrEnum):
    """What one figure covers: its own period, the financial year so far, or 12 months to date."""

    PERIOD = "period"
    YEAR_TO_DATE = "year_to_date"
    ROLLING_12 = "rolling_12"


class Aggregation(StrEnum):
    """How a year's outturn is made from its periods' figures."""

    SUM = "sum"  # a count per month: the year is the sum of its months
    LAST = "last"  # a rate, a percentage or a cumulative figure: the year is its last figure
    RATIO = "ratio"  # a derived ratio: the year's numerator over the year's denominator


class TargetProfile(StrEnum):
    """How an annual target reaches the year's months or quarters (see core.targets)."""

    FLAT = "flat"  # every period the annual figure: a percentage or a rate
    CUMULATIVE = "cumulative"  # straight line: an equal share each period, or k/12 to date
    SEASONAL = "seasonal"  # by monthly weights the pack gives

    @property
    def words(self) -> str:
        return _PROFILE_WORDS[self]


_PROFILE_WORDS = {
    TargetProfile.FLAT: "flat: every period the annual figure",
    TargetProfile.CUMULATIVE: "cumulative: a straight line through the year",
    TargetProfile.SEASONAL: "seasonal: by the monthly weights given",
}


@dataclass(frozen=True)
class AnnualTarget:
    """A target for a whole financial year, profiled to its months and quarters."""

    year: int  # the calendar year the financial year starts in
    value: float
    profile: TargetProfile = TargetProfile.FLAT
    #: seasonal only: 12 weights, from the first month of the financial year (April)
    weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class SpcOptions:
    """Ask for a statistical process control (XmR) chart; see core.spc for the rules."""

    improvement: Improvement = Improvement.INCREASE
    baseline: int | None = None  # fix the limits after this many points of each group
    rebase: tuple[Period, ...] = ()  # periods that start a new group of limits
    shift_length: int = 7
    mdc_2023: bool = False
    chart: SpcChart = SpcChart.XMR
    on: str = ""  # a series to chart instead of the actual (the monthly figures under a YTD)


@dataclass(frozen=True)
class ForecastOptions:
    method: ForecastMethod = ForecastMethod.AUTO
    cumulative: bool = False  # figures are running totals for the year (run rate applies)


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    section: str = ""
    number: str = ""
    short_title: str = ""
    kind: IndicatorKind = IndicatorKind.KPI
    tags: tuple[str, ...] = ()
    unit: Unit = field(default_factory=Unit)
    polarity: Polarity = Polarity.HIGHER
    frequency: str = "month"
    data_period: str = ""
    rated: bool = True
    not_rated_reason: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    rules: tuple[RuleVersion, ...] = (DEFAULT_RULE,)
    series: tuple[SeriesDef, ...] = ()
    overrides: tuple[Override, ...] = ()
    year_end_targets: tuple[tuple[int, float], ...] = ()
    #: Targets for whole years, profiled to their periods where no explicit target is given.
    annual_targets: tuple[AnnualTarget, ...] = ()
    #: What the direction of travel compares with; None: worked out from the accumulation.
    direction_basis_declared: Basis | None = None
    illustrative: str = ""  # why the figures are illustrative, when they are
    derive: Derivation | None = None
    spc: SpcOptions | None = None
    expected_range: str = "thresholds"  # lead indicators: thresholds (lower/upper series) or spc
    forecast: ForecastOptions | None = ForecastOptions()  # None: no year-end forecast
    peer_groups: tuple[str, ...] = ()  # peer groups (manifest) to rank this indicator in
    draft_commentary: bool = False  # print kpiboard's drafted commentary in the report
    #: What one figure covers; None: worked out from ``derive`` and ``forecast`` (see below).
    accumulation_declared: Accumulation | None = None
    #: How a year's outturn is made; None: worked out from the unit and ``derive``.
    aggregation_declared: Aggregation | None = None
    #: Compare the actual's confidence interval with a benchmark series (core.significance).
    benchmark: BenchmarkOptions | None = None

    @property
    def display_title(self) -> str:
        return self.short_title or self.title

    @property
    def accumulation(self) -> Accumulation:
        """Whether the figures are running totals: declared, or known from how they are made."""
        if self.accumulation_declared is not None:
            return self.accumulation_declared
        if self.derive is not None:
            return Accumulation(self.derive.method)
        if self.forecast is not None and self.forecast.cumulative:
            return Accumulation.YEAR_TO_DATE
        return Accumulation.PERIOD

    @property
    def aggregation(self) -> Aggregation:
        """How a year's outturn is made from the figures: declared, else from what they are.

        ============================================  =========  ================================
        the indicator                                 default    why
        ============================================  =========  ================================
        ``derive: {method: period, how: ratio}``      ``ratio``  a year's rate is its events
                                                                 over its exposure, not a mean
                                                                 of monthly rates
        ``unit: count``, accumulation ``period``,     ``sum``    a year's count is the sum of
        ``frequency: month`` or ``quarter``                      its months' (quarters') counts
        anything else                                 ``last``   a percentage, a rate, a
                                                                 year-to-date or rolling figure:
                                                                 the year-end figure is the year's
        ============================================  =========  ================================

        A count that is a snapshot (people in care at the month end) is not a flow: its pack must
        say ``aggregation: last``.
        """
        if self.aggregation_declared is not None:
            return self.aggregation_declared
        derive = self.derive
        if derive is not None and derive.how == "ratio" and derive.method == Accumulation.PERIOD:
            return Aggregation.RATIO
        if (
            self.unit.kind is UnitKind.COUNT
            and self.accumulation is Accumulation.PERIOD
            and self.frequency in ("month", "quarter")
        ):
            return Aggregation.SUM
        return Aggregation.LAST

    @property
    def direction_basis(self) -> Basis:
        """What the arrow compares with: declared, else like with like for running totals.

        A year-to-date figure restarts every April, so against the month before it "worsens"
        all year (a count grows) and "improves" every April; the same month last year covers the
        same months. A rolling 12-month figure always covers twelve months, so the month before
        is already like for like.
        """
        if self.direction_basis_declared is not None:
            return self.direction_basis_declared
        if self.accumulation is Accumulation.YEAR_TO_DATE:
            return Basis.YEAR_AGO
        return Basis.PREVIOUS

    def series_def(self, name: str) -> SeriesDef | None:
        return next((s for s in self.series if s.name == name), None)

    def unit_of(self, name: str) -> Unit:
        """The unit of series ``name``: its own when it declares one, else the indicator's."""
        definition = self.series_def(name)
        return definition.unit if definition is not None and definition.unit else self.unit

    @property
    def comparators(self) -> tuple[SeriesDef, ...]:
        return tuple(s for s in self.series if s.role is SeriesRole.COMPARATOR)

    @property
    def extras(self) -> tuple[SeriesDef, ...]:
        return tuple(s for s in self.series if s.role is SeriesRole.EXTRA)

    @property
    def rated_by_benchmark(self) -> bool:
        """Whether the benchmark comparison, not the target, decides the rating."""
        return self.rated and self.benchmark is not None and self.benchmark.rate

    @property
    def benchmark_label(self) -> str:
        """The benchmark series' label ("England average"), or "" without a benchmark."""
        if self.benchmark is None:
            return ""
        definition = self.series_def(self.benchmark.series)
        return definition.label if definition is not None else self.benchmark.series

    def year_end_target(self, year: int) -> float | None:
        """The target for the year as a whole: ``year_end_targets``, else the annual target."""
        found = dict(self.year_end_targets).get(year)
        if found is None:
            annual = self.annual_target(year)
            found = annual.value if annual is not None else None
        return found

    def annual_target(self, year: int) -> AnnualTarget | None:
        return next((a for a in self.annual_targets if a.year == year), None)

    @property
    def needs_target(self) -> bool:
        """Whether a figure is rated against a target (so a figure without one is a gap)."""
        return self.rated and self.kind is IndicatorKind.KPI and not self.rated_by_benchmark


@dataclass(frozen=True)
class IndicatorData:
    """All series of one indicator on one sorted list of periods; NaN where there is no value."""

    periods: tuple[Period, ...]
    values: dict[str, np.ndarray]
    #: Periods whose target was profiled from an annual target rather than given (core.targets).
    profiled: tuple[Period, ...] = ()

    def __post_init__(self) -> None:
        for name, arr in self.values.items():
            if arr.shape != (len(self.periods),):
                raise ValueError(f"series {name!r} has {arr.shape} values for {len(self.periods)}")

    def get(self, name: str) -> np.ndarray:
        arr = self.values.get(name)
        return arr if arr is not None else np.full(len(self.periods), np.nan)

    def has(self, name: str) -> bool:
        arr = self.values.get(name)
        return arr is not None and bool(np.any(~np.isnan(arr)))

    @cached_property
    def _index(self) -> dict[Period, int]:
        return {p: i for i, p in enumerate(self.periods)}

    def index_of(self, period: Period) -> int | None:
        """The position of ``period`` (a dict made once: reports ask for every period)."""
        return self._index.get(period)

    def up_to(self, as_at: Period, keep_ahead: frozenset[str] = frozenset()) -> IndicatorData:
        """These series without any value after ``as_at``, except those named in ``keep_ahead``
        (kept whole); a period left with no value at all after ``as_at`` goes."""
        after = np.array([p.end > as_at.end for p in self.periods], dtype=bool)
        if not after.any():
            return self
        keep = ~after
        for name in keep_ahead & self.values.keys():
            keep |= ~np.isnan(self.values[name])
        values = {
            name: (arr if name in keep_ahead else np.where(after, np.nan, arr))[keep]
            for name, arr in self.values.items()
        }
        periods = tuple(p for p, k in zip(self.periods, keep, strict=True) if k)
        kept = set(periods)
        return IndicatorData(periods, values, tuple(p for p in self.profiled if p in kept))

    @classmethod
    def from_points(cls, points: dict[str, dict[Period, float]]) -> IndicatorData:
        """Build from ``{series: {period: value}}``; the periods are the union, sorted."""
        periods = tuple(sorted({p for values in points.values() for p in values}))
        index = {p: i for i, p in enumerate(periods)}
        arrays: dict[str, np.ndarray] = {}
        for name, values in points.items():
            arr = np.full(len(periods), np.nan)
            for p, v in values.items():
                arr[index[p]] = v
            arrays[name] = arr
        return cls(periods, arrays)
