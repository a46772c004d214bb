"""Rate many indicators at once: the product's one evaluation path.

:func:`evaluate_many` groups indicators by their period grid, stacks each group's figures into
(k, p) arrays and rates them with one call of :func:`~.rating.rate_array` and one of
:func:`~.direction.direction_array` per group. Each indicator's
:class:`~.evaluate.IndicatorResult` is then a view of its row, made when first read
(:class:`~.lazy.LazyMapping`), whose periods are made on first read too (:class:`~.lazy.LazyRows`).
:func:`~.evaluate.evaluate_indicator` is a group of one.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from operator import attrgetter, methodcaller

import numpy as np

from .direction import Basis, Direction, direction_array
from .evaluate import IndicatorResult, PeriodResult, comparisons
from .indicators import Indicator, IndicatorData
from .lazy import LazyMapping, LazyRows, view
from .periods import UK, FinancialCalendar, Period
from .rating import Polarity, Rating, RuleVersion, rate_array, resolve_rule_arrays, rule_for_year
from .significance import Comparison

_NOT_COMPARED = Comparison.NOT_COMPARED


_PERIODS, _VALUES = attrgetter("periods"), attrgetter("values")
#: What rating an indicator needs from its definition, read in one pass.
_SETTINGS = attrgetter("polarity", "rated", "direction_basis", "benchmark", "rules")


#: Polarity codes by the identity of the enum member (an int hashes faster than an enum).
_POLARITY_CODES = {id(pol): pol.code for pol in Polarity}


def identities(items: Iterable[object], k: int) -> np.ndarray:
    """The identities of ``k`` items, to compare with a singleton's (None, an enum member)."""
    return np.fromiter(map(id, items), dtype=np.int64, count=k)


def _grids(items: list[IndicatorData]) -> list[tuple[tuple[Period, ...], list[int]]]:
    """Positions of ``items`` grouped by equal period grids (first by identity, which is cheap:
    indicators read from one file share their grid's tuple)."""
    grid_ids = list(map(id, map(_PERIODS, items)))
    if len(set(grid_ids)) <= 1:
        return [(items[0].periods, list(range(len(items))))] if items else []
    by_id: dict[int, tuple[tuple[Period, ...], list[int]]] = {}
    for i, (grid_id, item) in enumerate(zip(grid_ids, items, strict=True)):
        by_id.setdefault(grid_id, (item.periods, []))[1].append(i)
    Group = tuple[tuple[Period, ...], list[int]]
    merged: dict[tuple[int, Period | None, Period | None], list[Group]] = {}
    out: list[Group] = []
    for periods, at in by_id.values():
        shape = (len(periods), periods[0] if periods else None, periods[-1] if periods else None)
        same = next((g for g in merged.get(shape, ()) if g[0] == periods), None)
        if same is None:
            same = (periods, list[int]())
            merged.setdefault(shape, []).append(same)
            out.append(same)
        same[1].extend(at)
    return out


@dataclass
class Grid:
    """What one period grid means, worked out once for every indicator on it."""

    periods: tuple[Period, ...]
    years: list[int]
    compared_at: dict[Basis, np.ndarray]  # per basis, the column each compares with (-1: none)
    reported: np.ndarray  # bool (p,): the period ends by the as-at period

    @classmethod
    def of(cls, periods: tuple[Period, ...], cal: FinancialCalendar, as_at: Period | None) -> Grid:
        index = {p: i for i, p in enumerate(periods)}
        year_ago = [index.get(p.shifted_year(cal, -1), -1) for p in periods]
        return cls(
            periods,
            [cal.year_of(p.start) for p in periods],
            {
                Basis.PREVIOUS: np.arange(len(periods)) - 1,
                Basis.YEAR_AGO: np.array(year_ago, dtype=np.intp),
            },
            np.array([as_at is None or p.end <= as_at.end for p in periods], dtype=bool),
        )


def _rules_per_column(rules: tuple[RuleVersion, ...], years: list[int]) -> list[RuleVersion]:
    by_year: dict[int, RuleVersion] = {}
    return [by_year.get(y) or by_year.setdefault(y, rule_for_year(rules, y)) for y in years]


def _stack(data: Sequence[IndicatorData], p: int) -> tuple[np.ndarray, ...]:
    """The actual, target and floor series of every indicator as (k, p) arrays (NaN rows where
    one is missing), each copied in one call rather than row by row."""
    values = list(map(_VALUES, data))
    return tuple(_rows(list(map(methodcaller("get", name), values)), p) for name in _RATED_SERIES)


def _rows(series: list[np.ndarray | None], p: int) -> np.ndarray:
    missing = np.flatnonzero(identities(series, len(series)) == id(None)).tolist()
    if len(missing) == len(series):  # nobody has one (floors, usually): a read-only view
        return np.broadcast_to(np.nan, (len(series), p))
    blank = np.full(p, np.nan)
    for r in missing:
        series[r] = blank
    return np.array(series, dtype=float)  # each has its grid's length (IndicatorData checks)


#: The series rating reads, in the order :func:`_stack` returns them.
_RATED_SERIES = ("actual", "target", "floor")


@dataclass
class GroupRating:
    """One grid's indicators rated: (k, p) arrays, row r for ``keys[r]``."""

    grid: Grid
    actual: np.ndarray
    target: np.ndarray
    floor: np.ndarray
    computed: np.ndarray  # int8 Rating codes
    direction: np.ndarray  # int8 Direction codes
    rules: list[list[RuleVersion]]  # per row, the rule of each column
    comparison: list[list[Comparison] | None]  # per row; None: not compared
    indicators: list[Indicator]  # per row
    data: list[IndicatorData]  # per row
    rated: np.ndarray  # bool (k,): the indicator is rated

    @cached_property
    def known(self) -> np.ndarray:
        """(k, p) bool: the cell has a figure and its period ends by the as-at period."""
        return ~np.isnan(self.actual) & self.grid.reported

    @cached_property
    def latest(self) -> np.ndarray:
        """Per row, the last column by the as-at period with a figure (-1: none)."""
        known = self.known
        p = known.shape[1]
        last = p - 1 - np.argmax(known[:, ::-1], axis=1) if p else np.zeros(len(known), int)
        return np.where(known.any(axis=1), last, -1)

    @cached_property
    def first(self) -> np.ndarray:
        """Per row, the first reported column with a figure, counted among the reported columns
        (their number when there is none): where the row's chart starts."""
        known, reported = self.known, self.grid.reported
        count = int(reported.sum())
        if not known.shape[1]:
            return np.full(len(known), count)
        among = np.cumsum(reported) - 1  # each column's place among the reported ones
        return np.where(known.any(axis=1), among[np.argmax(known, axis=1)], count)


#: Cells per kernel call: the arrays of one call (a few dozen temporaries) stay in the CPU's cache
#: instead of streaming hundreds of megabytes through memory for 100,000 indicators.
CHUNK_CELLS = 1 << 15


def chunks(rows: np.ndarray, p: int, cells: int = CHUNK_CELLS) -> list[np.ndarray] | list[slice]:
    """``rows`` in pieces of about :data:`CHUNK_CELLS` cells of ``p`` columns each (slices when
    the rows are consecutive, so no piece is copied to be read)."""
    size = max(1, cells // max(p, 1))
    n = len(rows)
    if n and rows[-1] - rows[0] + 1 == n:
        first = int(rows[0])
        return [slice(first + i, first + min(i + size, n)) for i in range(0, n, size)]
    return [rows[i : i + size] for i in range(0, n, size)]


@contextmanager
def no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nested blocks are fine), restoring its
    state after. Used wherever objects are made by the hundred thousand and kept (results here,
    rows of a long data file when a pack is read or stored): each pass would walk everything
    made so far, and none of it forms a cycle to collect; at a million rows the passes took more
    than half the time of reading the file."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _rules_by_row(
    rules: Sequence[tuple[RuleVersion, ...]], years: list[int]
) -> list[tuple[list[RuleVersion], np.ndarray]]:
    """Rows grouped by equal rules (``rules``: each row's): each group's rule per column, and
    its rows."""
    if len(set(map(id, rules))) == 1:  # one set of rules (as usual)
        return [(_rules_per_column(rules[0], years), np.arange(len(rules)))]
    by_rules: dict[tuple[RuleVersion, ...], tuple[list[RuleVersion], list[int]]] = {}
    by_id: dict[int, tuple[list[RuleVersion], list[int]]] = {}  # saves hashing equal rules
    for r, own in enumerate(rules):
        entry = by_id.get(id(own))
        if entry is None:
            entry = by_rules.get(own)
            if entry is None:
                entry = by_rules[own] = (_rules_per_column(own, years), [])
            by_id[id(own)] = entry
        entry[1].append(r)
    return [(columns, np.array(rows, dtype=np.intp)) for columns, rows in by_rules.values()]


def _compared(
    grid: Grid, year_ago: np.ndarray, actual: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The figures and targets each cell's direction compares with (NaN: nothing to compare
    with): the period before, or a year earlier for the rows marked in ``year_ago``."""
    if year_ago.all() or not year_ago.any():  # one basis for every row: whole columns
        at = grid.compared_at[Basis.YEAR_AGO if year_ago.any() else Basis.PREVIOUS]
        gone = at < 0
        previous, target_previous = actual.take(at, axis=1), target.take(at, axis=1)
        previous[:, gone] = np.nan
        target_previous[:, gone] = np.nan
        return previous, target_previous
    at = np.where(
        year_ago.reshape(-1, 1), grid.compared_at[Basis.YEAR_AGO], grid.compared_at[Basis.PREVIOUS]
    )
    gone = at < 0
    here = np.arange(len(actual)).reshape(-1, 1)
    return np.where(gone, np.nan, actual[here, at]), np.where(gone, np.nan, target[here, at])


def _rate_group(grid: Grid, indicators: list[Indicator], data: list[IndicatorData]) -> GroupRating:
    p = len(grid.periods)
    actual, target, floor = _stack(data, p)
    k = len(indicators)
    # Each indicator's settings read in one pass (its object is in the cache once), then turned
    # into columns.
    pols, rated_list, bases, benchmarks, own_rules = (
        zip(*map(_SETTINGS, indicators), strict=True) if k else ((),) * 5
    )
    polarity = np.fromiter(
        map(_POLARITY_CODES.__getitem__, map(id, pols)), np.int8, count=k
    ).reshape(-1, 1)
    rated_rows = np.array(rated_list, dtype=bool)
    rated = rated_rows.reshape(-1, 1)
    year_ago = identities(bases, k) != id(Basis.PREVIOUS)
    computed = np.empty(actual.shape, dtype=np.int8)
    direction = np.empty(actual.shape, dtype=np.int8)
    by_rules = _rules_by_row(own_rules, grid.years)
    rows_rules: list[list[RuleVersion]] = [by_rules[0][0] if by_rules else []] * k
    for columns, rows in by_rules[1:]:
        for r in rows.tolist():
            rows_rules[r] = columns
    for columns, rows in by_rules:
        for part in chunks(rows, p):
            a, t = actual[part], target[part]
            rules = resolve_rule_arrays(t, columns, floor[part])
            computed[part] = rate_array(a, t, polarity[part], rules, rated[part])
            previous, target_previous = _compared(grid, year_ago[part], a, t)
            direction[part] = direction_array(a, previous, polarity[part], t, target_previous)
    compared: list[list[Comparison] | None] = [None] * k
    for r in np.flatnonzero(identities(benchmarks, k) != id(None)).tolist():
        ind = indicators[r]
        compared[r] = comparisons(ind, data[r])
        if ind.rated_by_benchmark:
            computed[r] = [
                Rating.NO_DATA if math.isnan(a) else c.rating
                for a, c in zip(actual[r].tolist(), compared[r] or (), strict=True)
            ]
    return GroupRating(grid, actual, target, floor, computed, direction, rows_rules, compared,
                       indicators, data, rated_rows)  # fmt: skip


_RATINGS = tuple(Rating)  # by code: Rating(code) is a slower call


def _value(x: float) -> float | None:
    return None if math.isnan(x) else x


class _Periods(LazyRows[PeriodResult]):
    """One indicator's row of a :class:`GroupRating`, as PeriodResults made on first read."""

    __slots__ = ("_group", "_indicator", "_overrides", "_row")

    def __init__(self, group: GroupRating, row: int, indicator: Indicator):
        super().__init__(len(group.grid.periods), self._period)
        self._group, self._row, self._indicator = group, row, indicator
        self._overrides: dict | None = None

    def _period(self, i: int) -> PeriodResult:
        g, r, ind = self._group, self._row, self._indicator
        if self._overrides is None:
            self._overrides = {o.period: o for o in ind.overrides}
        periods = g.grid.periods
        j = g.grid.compared_at[ind.direction_basis].item(i)
        compared = g.comparison[r]
        return view(
            PeriodResult,
            period=periods[i],
            actual=_value(g.actual.item(r, i)),
            target=_value(g.target.item(r, i)),
            floor=_value(g.floor.item(r, i)),
            computed=_RATINGS[g.computed.item(r, i)],
            override=self._overrides.get(periods[i]),
            direction=Direction.from_code(g.direction.item(r, i)),
            rule=g.rules[r][i],
            comparison=_NOT_COMPARED if compared is None else compared[i],
            compared_with=None if j < 0 else periods[j],
        )


class GroupRows(Mapping[str, tuple[GroupRating, int]]):
    """Where each indicator's row is when every indicator is on one grid, ``keys`` in row order:
    the mapping :func:`evaluate_many` gives, without a tuple per indicator until one is read."""

    __slots__ = ("group", "index")

    def __init__(self, group: GroupRating, keys: list[str]):
        self.group = group
        self.index = dict(zip(keys, range(len(keys)), strict=True))

    def __getitem__(self, key: str) -> tuple[GroupRating, int]:
        return self.group, self.index[key]

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


def evaluate_many(
    indicators: Mapping[str, Indicator],
    data: Mapping[str, IndicatorData],
    *,
    calendar: FinancialCalendar = UK,
    as_at: Period | None = None,
) -> tuple[Mapping[str, IndicatorResult], Mapping[str, tuple[GroupRating, int]]]:
    """Every period's rating and direction of every indicator, by id (in ``indicators`` order),
    and where each indicator's row is in its group's arrays (for the batch analysis).

    The ratings and directions are worked out here, in arrays; each indicator's
    :class:`~.evaluate.IndicatorResult` (a view of its row) is made when it is first read."""
    keys = list(indicators)
    inds = list(indicators.values())
    items = list(map(data.__getitem__, keys))
    with no_collection():
        grids = _grids(items)
        if len(grids) == 1:  # one grid (as usual): rows in register order
            group = _rate_group(Grid.of(grids[0][0], calendar, as_at), inds, items)
            rows: Mapping[str, tuple[GroupRating, int]] = GroupRows(group, keys)
        else:
            found: dict[str, tuple[GroupRating, int]] = {}
            for periods, at in grids:
                grid = Grid.of(periods, calendar, as_at)
                group = _rate_group(grid, [inds[i] for i in at], [items[i] for i in at])
                found.update(
                    zip([keys[i] for i in at], zip(repeat(group), range(len(at)), strict=False),
                        strict=True)
                )  # fmt: skip
            rows = {k: found[k] for k in keys}

    def make(key: str, where: tuple[GroupRating, int]) -> IndicatorResult:
        ind = indicators[key]
        return view(
            IndicatorResult, indicator=ind, data=data[key], periods=_Periods(*where, ind),
            as_at=as_at, calendar=calendar,
        )  # fmt: skip

    return LazyMapping(rows, make), rows


def rows_of(result: IndicatorResult) -> tuple[GroupRating, int]:
    """Where ``result``'s figures are in a batch: its own row, or a batch of one made afresh."""
    if isinstance(result.periods, _Periods):
        return result.periods._group, result.periods._row
    ind = result.indicator
    _, rows = evaluate_many(
        {ind.id: ind}, {ind.id: result.data}, calendar=result.calendar, as_at=result.as_at
    )
    return rows[ind.id]
