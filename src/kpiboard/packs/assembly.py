"""Check figure rows against the register and build each indicator's series, a column at a time.

A 500-indicator pack has 60,000 figure rows and a large one millions. Each row is checked the
same few ways (indicator, period, series, bound, duplicate), and almost every answer repeats: a
file names a few hundred indicators, series and period labels. So each distinct label and each
(indicator, series) pair is looked at once, the rows become arrays of their numbers, and the
checks, the duplicate search and the building of each series are array operations; only rows
with a problem are visited one by one, to report it at its file and line.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from itertools import repeat

import numpy as np

from ..core.aggregate import derive, how_problem
from ..core.bounds import figure_problem, limit
from ..core.indicators import INTERVAL_SERIES, Accumulation, Indicator, IndicatorData
from ..core.periods import FinancialCalendar, Period, PeriodError, PeriodKind, month_range
from ..core.rating import REL_TOL
from ..core.targets import with_profiled_targets
from .datafiles import Row, format_number, series_problem
from .problems import Problems

Points = dict[str, dict[Period, float]]


class _Columns:
    """The rows as numbers: each distinct (indicator, series) pair and period numbered once."""

    def __init__(self, rows: Sequence[Row], calendar: FinancialCalendar):
        ids, labels, names, values, notes = list(zip(*rows, strict=True))[:5]
        n = len(rows)
        keys = list(zip(ids, names, strict=True))
        numbers = {key: k for k, key in enumerate(dict.fromkeys(keys))}
        self.rows = rows
        #: (indicator, series) by number, and each row's pair number.
        self.pairs: list[tuple[str, str]] = list(numbers)
        self.pair = np.fromiter(map(numbers.__getitem__, keys), np.intp, n)
        periods: dict[Period, int] = {}
        label_number: dict[str, int] = {}
        #: Why each label that is not a period is not one.
        self.errors: dict[str, PeriodError] = {}
        for label in dict.fromkeys(labels):
            try:
                found = calendar.parse(label)
            except PeriodError as exc:
                self.errors[label], label_number[label] = exc, -1
            else:
                label_number[label] = periods.setdefault(found, len(periods))
        #: The distinct periods by number (labels for the same period share one), and each
        #: row's period number: -1 when its label is not a period.
        self.periods: list[Period] = list(periods)
        self.period = np.fromiter(map(label_number.__getitem__, labels), np.intp, n)
        #: Whether each row has a figure, and the figure (NaN without one).
        self.present = np.fromiter(map(operator.is_not, values, repeat(None)), bool, n)
        self.value = np.array(values, dtype=float)  # None is NaN
        self.noted = any(notes)


def assemble(
    rows: Sequence[Row],
    indicators: dict[str, Indicator],
    calendar: FinancialCalendar,
    problems: Problems,
    *,
    bounded: bool = True,
) -> tuple[dict[str, IndicatorData], dict[tuple[str, Period], str]]:
    """Check rows against the register and build each indicator's series; with ``bounded``,
    each figure against the bound for its unit too (see :func:`.datafiles.value_problem`).

    A row is refused at its first problem, in this order: an unknown indicator, a label that is
    not a period, a series the indicator cannot have, a figure beyond its bound, and a repeat of
    an earlier row's indicator, period and series (the first one counts)."""
    notes: dict[tuple[str, Period], str] = {}
    groups: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {}
    columns, kept = None, np.zeros(0, bool)
    if rows:
        columns = _Columns(rows, calendar)
        kept = _checked(columns, indicators, problems, bounded)
        _notes(columns, kept, notes)
        groups = _series(columns, kept)
    data: dict[str, IndicatorData] = {}
    ranks = _Ranks(columns.periods if columns else [])
    where: dict[tuple[str, Period, str], Row] | None = None
    for ind_id, indicator in indicators.items():
        found = groups.get(ind_id, [])
        if indicator.derive is not None or any(name in INTERVAL_SERIES for name, _, _ in found):
            if where is None:
                where = _interval_rows(columns, kept) if columns is not None else {}
            built = _by_points(indicator, found, columns, where, calendar, problems)
        elif found:
            built = ranks.data(found)
        else:
            built = IndicatorData((), {})
        data[ind_id] = with_profiled_targets(indicator, built, calendar)
    return data, notes


def _checked(
    columns: _Columns, indicators: dict[str, Indicator], problems: Problems, bounded: bool
) -> np.ndarray:
    """Which rows are kept; every other row's first problem is reported."""
    count = len(columns.pairs)
    unknown, wrong = np.zeros(count, bool), np.zeros(count, bool)
    series_messages: dict[int, str] = {}
    bound = np.zeros(count)
    for k, (ind_id, name) in enumerate(columns.pairs):
        indicator = indicators.get(ind_id)
        if indicator is None:
            unknown[k] = True
        elif message := series_problem(indicator, name):
            wrong[k], series_messages[k] = True, message
        elif bounded:
            bound[k] = limit(indicator.unit_of(name).kind)
    rows, pair = columns.rows, columns.pair
    kept = np.ones(len(rows), bool)

    def refuse(mask: np.ndarray, field: str, message) -> None:
        for i in np.flatnonzero(mask).tolist():
            text = message(i)
            if text:
                problems.report(rows[i].file, rows[i].line, field, text)
                kept[i] = False

    refuse(unknown[pair], "indicator", lambda i: f"unknown indicator {rows[i].indicator!r}")
    refuse(kept & (columns.period < 0), "period", lambda i: str(columns.errors[rows[i].period]))
    refuse(kept & wrong[pair], "series", lambda i: series_messages[int(pair[i])])
    if bounded:
        with np.errstate(invalid="ignore"):  # NaN is beyond any bound
            beyond = kept & columns.present & ~(np.abs(columns.value) <= bound[pair])
        refuse(beyond, "value", lambda i: _value_problem(indicators, rows[i]))
    _refuse_repeats(columns, kept, problems)
    return kept


def _value_problem(indicators: dict[str, Indicator], row: Row) -> str | None:
    assert row.value is not None
    return figure_problem(row.value, indicators[row.indicator].unit_of(row.series))


def _refuse_repeats(columns: _Columns, kept: np.ndarray, problems: Problems) -> None:
    """Refuse (and report) each kept row that repeats an earlier kept row's pair and period."""
    index = np.flatnonzero(kept)
    keys = columns.pair[index] * max(len(columns.periods), 1) + columns.period[index]
    order = np.argsort(keys, kind="stable")  # equal keys stay in row order: the first leads
    ordered = keys[order]
    leads = np.ones(len(order), bool)
    leads[1:] = ordered[1:] != ordered[:-1]
    if leads.all():
        return
    lead_of = order[np.flatnonzero(leads)[np.cumsum(leads) - 1]]
    rows = columns.rows
    for repeat_at, lead_at in zip(
        index[order[~leads]].tolist(), index[lead_of[~leads]].tolist(), strict=True
    ):
        row, first = rows[repeat_at], rows[lead_at]
        label = columns.periods[columns.period[repeat_at]].label
        problems.report(
            row.file, row.line, "",
            f"duplicate row: {row.indicator} {label} {row.series} is already at "
            f"{first.file}:{first.line}",
        )  # fmt: skip
        kept[repeat_at] = False


def _notes(columns: _Columns, kept: np.ndarray, notes: dict[tuple[str, Period], str]) -> None:
    """Each kept row's note by indicator and period (a later row's note wins)."""
    rows = columns.rows
    if not columns.noted:
        return
    for i in np.flatnonzero(kept).tolist():
        if rows[i].note:
            notes[(rows[i].indicator, columns.periods[columns.period[i]])] = rows[i].note


def _series(
    columns: _Columns, kept: np.ndarray
) -> dict[str, list[tuple[str, np.ndarray, np.ndarray]]]:
    """Each indicator's series with figures: (name, period numbers, figures), in the order each
    series' first figure comes in the rows."""
    index = np.flatnonzero(kept & columns.present)
    if not len(index):
        return {}
    order = index[np.argsort(columns.pair[index], kind="stable")]
    pairs = columns.pair[order]
    starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    ends = np.r_[starts[1:], len(order)]
    found = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        take = order[start:end]
        ind_id, name = columns.pairs[pairs[start]]
        found.append((int(take[0]), ind_id, name, columns.period[take], columns.value[take]))
    found.sort(key=operator.itemgetter(0))
    out: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {}
    for _, ind_id, name, periods, values in found:
        out.setdefault(ind_id, []).append((name, periods, values))
    return out


class _Ranks:
    """The distinct periods in order, to build an indicator's data from period numbers."""

    def __init__(self, periods: list[Period]):
        numbers = sorted(range(len(periods)), key=periods.__getitem__)
        self.rank = np.empty(len(periods), np.intp)
        self.rank[numbers] = np.arange(len(periods))
        self.in_order = [periods[k] for k in numbers]
        self.axes: dict[bytes, tuple[Period, ...]] = {}  # indicators on the same periods share

    def data(self, found: list[tuple[str, np.ndarray, np.ndarray]]) -> IndicatorData:
        """What :meth:`IndicatorData.from_points` makes of the same figures: the union of the
        series' periods in order, NaN where a series has no figure."""
        ranks = [self.rank[periods] for _, periods, _ in found]
        axis = np.sort(np.concatenate(ranks)) if len(ranks) > 1 else np.sort(ranks[0])
        if len(ranks) > 1:  # the union (np.unique would import numpy.ma, a tenth of check)
            first = np.ones(len(axis), bool)
            np.not_equal(axis[1:], axis[:-1], out=first[1:])
            axis = axis[first]
        key = axis.tobytes()
        periods = self.axes.get(key)
        if periods is None:
            periods = self.axes[key] = tuple(map(self.in_order.__getitem__, axis.tolist()))
        values = {}
        for (name, _, figures), at in zip(found, ranks, strict=True):
            series = np.full(len(axis), np.nan)
            series[np.searchsorted(axis, at)] = figures
            values[name] = series
        return IndicatorData(periods, values)


def _by_points(
    indicator: Indicator,
    found: list[tuple[str, np.ndarray, np.ndarray]],
    columns: _Columns | None,
    where: dict[tuple[str, Period, str], Row],
    calendar: FinancialCalendar,
    problems: Problems,
) -> IndicatorData:
    """An indicator whose actual is derived or that has confidence intervals, built and checked
    from ``{series: {period: figure}}``."""
    series: Points = {}
    if columns is not None:
        for name, numbers, figures in found:
            periods = [columns.periods[k] for k in numbers.tolist()]
            series[name] = dict(zip(periods, figures.tolist(), strict=True))
    if indicator.derive is not None:
        series["actual"] = _derived_actual(indicator, series, calendar, problems)
    _check_intervals(indicator.id, series, where, problems)
    return IndicatorData.from_points(series) if series else IndicatorData((), {})


def _interval_rows(columns: _Columns, kept: np.ndarray) -> dict[tuple[str, Period, str], Row]:
    """The kept row of each confidence-interval figure, to report a problem against."""
    interval = np.array([name in INTERVAL_SERIES for _, name in columns.pairs], bool)
    out: dict[tuple[str, Period, str], Row] = {}
    for i in np.flatnonzero(kept & interval[columns.pair]).tolist():
        row = columns.rows[i]
        out[(row.indicator, columns.periods[columns.period[i]], row.series)] = row
    return out


def _check_intervals(
    ind_id: str, series: Points, rows: dict[tuple[str, Period, str], Row], problems: Problems
) -> None:
    """Each period's ``ci_lower``/``ci_upper``: both or neither, and around the actual."""
    lower, upper = (series.get(name, {}) for name in INTERVAL_SERIES)
    actual = series.get("actual", {})
    for period in sorted(set(lower) | set(upper)):
        lo, hi = lower.get(period), upper.get(period)
        given = "ci_lower" if lo is not None else "ci_upper"
        row = rows[(ind_id, period, given)]
        if lo is None or hi is None:
            missing = "ci_upper" if lo is not None else "ci_lower"
            message = f"{period.label} has {given} but no {missing}: give both or neither"
            problems.report(row.file, row.line, "series", message)
            continue
        figure = actual.get(period)
        tol = REL_TOL * max(1.0, abs(lo), abs(hi))
        if lo > hi + tol:
            problems.report(
                row.file, row.line, "value",
                f"{period.label}: ci_lower {format_number(lo)} is above ci_upper "
                f"{format_number(hi)}",
            )  # fmt: skip
        elif figure is not None and not lo - tol <= figure <= hi + tol:
            problems.report(
                row.file, row.line, "value",
                f"{period.label}: the actual {format_number(figure)} is outside its confidence "
                f"interval {format_number(lo)} to {format_number(hi)}",
            )  # fmt: skip


def _derived_actual(
    indicator: Indicator, series: Points, calendar: FinancialCalendar, problems: Problems
) -> dict[Period, float]:
    spec = indicator.derive
    assert spec is not None
    sources = {name: series.get(name, {}) for name in spec.inputs if name}
    periods = sorted({p for values in sources.values() for p in values})
    if not periods or how_problem(spec.method, spec.how):
        return {}  # nothing to derive, or a derivation the definition's reader has refused
    if spec.method == Accumulation.PERIOD:
        # One figure per period, whatever the period: nothing is summed across periods.
        axis = periods
    elif any(p.kind is not PeriodKind.MONTH for p in periods):
        problems.report(
            f"indicators/{indicator.id}.yaml", 0, "derive", "source series must be monthly figures"
        )
        return {}
    else:
        axis = month_range(periods[0], periods[-1], calendar)
    arrays = {
        name: np.array([values.get(p, np.nan) for p in axis], float)
        for name, values in sources.items()
    }
    result = derive(
        spec.method,
        spec.how,
        axis,
        arrays,
        source=spec.source or None,
        numerator=spec.numerator or None,
        denominator=spec.denominator or None,
        scale=spec.scale,
    )
    return {p: float(v) for p, v in zip(axis, result, strict=True) if not math.isnan(v)}
