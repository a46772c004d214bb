"""Analyse many indicators at once: XmR charts of every grid in one :func:`~.spc.xmr_many` call.

:func:`analyse_many` takes :func:`~.engine.evaluate_many`'s results and rows, groups the XmR
charts that share a grid, a first charted period and options, and charts each group in one
batch; each indicator's chart is a view of its row (:meth:`~.spc.ChartRows.chart`), and its
:class:`~.analysis.Analysis` is made when first read (:class:`~.lazy.LazyMapping`). t- and
g-charts, peers, forecasts and expected ranges use :mod:`.analysis`'s rules per indicator, in the
call. :func:`~.analysis.analyse` is a batch of one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter, itemgetter
from typing import TypeVar

import numpy as np

from .analysis import (
    Analysis,
    PeerComparison,
    _forecast,
    _peer_comparisons,
    _range,
    _rebase_at,
    _withheld,
    on_series_note,
    run_spc,
    spc_options,
)
from .engine import GroupRating, GroupRows, chunks, identities, no_collection, rows_of
from .evaluate import IndicatorResult
from .indicators import Indicator, IndicatorKind, SpcChart, SpcOptions
from .lazy import LazyMapping, view
from .periods import Period
from .range_status import RangeStatus
from .spc import ChartRows, XmrResult, xmr_many
from .spc_codes import _group_starts, _improvement
from .spc_rare import unsuitable_many, xmr_unsuitable

Chart = tuple[XmrResult, tuple[Period, ...]]
PeerValues = Mapping[Period, Mapping[str, Mapping[str, float]]]


_CODES: dict[str, int] = {}


def _improvement_code(options: SpcOptions) -> int:
    code = _CODES.get(options.improvement)
    if code is None:
        code = _CODES[options.improvement] = _improvement(options.improvement).code
    return code


#: Cells per XmR kernel call: its sums go row by row (one numpy call per time point), so it
#: takes bigger pieces than the rating rules.
SPC_CHUNK_CELLS = 1 << 17


@dataclass
class _Batch:
    """XmR charts to draw in one call (piece by piece): rows of one grid, from reported column
    ``lo``, sharing ``options``' baseline, rebase, rules and charted series (each row keeps its
    own improvement direction). ``values`` holds each row's charted series when it is not the
    actual (``options.on``)."""

    group: GroupRating
    lo: int
    options: SpcOptions
    rows: list[np.ndarray] = field(default_factory=list)
    codes: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)


class _Piece:
    """Row ``i`` of a charted piece as an :class:`XmrResult`, with the assurance note of a chart
    of another series and the withheld icons of a series XmR does not suit (``unsuited``)."""

    def __init__(self, rows: ChartRows, periods: tuple[Period, ...], noted: np.ndarray,
                 on: str | None, unsuited: dict[int, str]):  # fmt: skip
        self.rows, self.periods, self.noted, self.on, self.unsuited = (
            rows, periods, noted, on, unsuited)  # fmt: skip

    def chart(self, i: int) -> Chart:
        chart = self.rows.chart(i)
        if self.on is not None and bool(self.noted[i]):
            chart = replace(chart, assurance_note=on_series_note(self.on))
        reason = self.unsuited.get(i)
        if reason is not None:
            chart = _withheld(chart, reason)
        return chart, self.periods


def _chart_piece(batch: _Batch, rows: np.ndarray, codes: np.ndarray,
                 values: np.ndarray | None) -> _Piece:  # fmt: skip
    """XmR charts of ``rows`` of ``batch``'s group (``values``: their charted series when not
    the actual) in one :func:`~.spc.xmr_many` call."""
    group, options = batch.group, batch.options
    cols = np.flatnonzero(group.grid.reported)[batch.lo :]
    periods = tuple(group.grid.periods[c] for c in cols)
    source = group.actual.take(rows, axis=0) if values is None else values
    y = source if len(cols) == source.shape[1] else source[:, cols]  # from the first column
    latest = group.latest[rows]
    rated = group.rated[rows]
    latest_target = np.where(latest >= 0, group.target[rows, np.maximum(latest, 0)], np.nan)
    rebase = _rebase_at(periods, options.rebase)
    mask = np.zeros(y.shape, dtype=bool)
    mask[:, list(rebase)] = True
    charted = xmr_many(
        y,
        improvement=codes,
        target=np.where(rated & (not options.on), latest_target, np.nan),
        fix_after_n_points=options.baseline,
        rebase_mask=mask,
        shift_length=options.shift_length,
        mdc_2023=options.mdc_2023,
    )
    dates = tuple(p.end for p in periods)
    chart_rows = ChartRows(y, charted, _group_starts(rebase, len(cols)), dates)
    last_group = y[:, rebase[-1] if rebase else 0 :]
    unsuited = {
        i: xmr_unsuitable(last_group[i])
        for i in np.flatnonzero(unsuitable_many(last_group)).tolist()
    }
    noted = rated & ~np.isnan(latest_target)
    return _Piece(chart_rows, periods, noted, options.on or None, unsuited)


def _first_known(values: np.ndarray) -> np.ndarray:
    """Per row, the first column with a figure (the row's length when none)."""
    known = ~np.isnan(values)
    return np.where(known.any(axis=1), np.argmax(known, axis=1), values.shape[1])


class _Drawn:
    """Where each row's chart is: per group (by id), each row's piece (-1: no chart) and its
    place in the piece, set a piece at a time."""

    def __init__(self) -> None:
        self.pieces: list[_Piece] = []
        self.at: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.read: dict[int, tuple[list[int], list[int]]] = {}  # ``at`` as lists, once read

    def add(self, group: GroupRating, rows: np.ndarray, piece: _Piece) -> None:
        found = self.at.get(id(group))
        if found is None:
            k = len(group.indicators)
            found = self.at[id(group)] = (np.full(k, -1, np.intp), np.zeros(k, np.intp))
        found[0][rows] = len(self.pieces)
        found[1][rows] = np.arange(len(rows))
        self.pieces.append(piece)

    def chart(self, group: GroupRating, row: int) -> Chart | None:
        read = self.read.get(id(group))
        if read is None:
            found = self.at.get(id(group))
            if found is None:
                return None
            read = self.read[id(group)] = (found[0].tolist(), found[1].tolist())
        piece = read[0][row]
        return None if piece < 0 else self.pieces[piece].chart(read[1][row])


#: What the analysis needs from an indicator's definition, read in one pass: its chart,
#: forecast options and kind.
_SETTINGS = attrgetter("spc", "forecast", "kind")


class _Batches:
    """XmR charts to draw, grouped by grid, first charted column and shared options."""

    def __init__(self) -> None:
        self.batches: dict[tuple, _Batch] = {}

    def _batch(self, group: GroupRating, lo: int, options: SpcOptions) -> _Batch:
        key = (id(group), lo, options.baseline, options.shift_length, options.mdc_2023,
               options.rebase, options.on)  # fmt: skip
        batch = self.batches.get(key)
        if batch is None:
            batch = self.batches[key] = _Batch(group, lo, options)
        return batch

    def add_rows(self, group: GroupRating, rows: np.ndarray, options: SpcOptions) -> None:
        """Charts of the actual figures of ``rows`` under ``options``."""
        code = _improvement_code(options)
        los = group.first[rows]
        for lo in np.unique(los).tolist():
            at = rows[los == lo]
            batch = self._batch(group, lo, options)
            batch.rows.append(at)
            batch.codes.append(np.full(len(at), code, dtype=np.int8))

    def add_on(self, group: GroupRating, row: int, options: SpcOptions) -> None:
        """The chart of another series (``options.on``) of one indicator."""
        values = group.data[row].get(options.on or "actual")
        lo = int(_first_known(values[group.grid.reported].reshape(1, -1))[0])
        batch = self._batch(group, lo, options)
        batch.rows.append(np.array([row], dtype=np.intp))
        batch.codes.append(np.array([_improvement_code(options)], dtype=np.int8))
        batch.values.append(values)

    def charts(self) -> _Drawn:
        """Every batch charted, piece by piece."""
        drawn = _Drawn()
        for batch in self.batches.values():
            rows = np.concatenate(batch.rows)
            codes = np.concatenate(batch.codes)
            values = np.stack(batch.values) if batch.values else None
            width = int(batch.group.grid.reported.sum()) - batch.lo
            for part in chunks(np.arange(len(rows)), width, SPC_CHUNK_CELLS):
                some = None if values is None else values[part]
                piece = _chart_piece(batch, rows[part], codes[part], some)
                drawn.add(batch.group, rows[part], piece)
        return drawn


def chart_xmr(result: IndicatorResult, options: SpcOptions) -> Chart:
    """One indicator's XmR chart: a batch of one."""
    batches = _Batches()
    group, row = rows_of(result)
    if options.on:
        batches.add_on(group, row, options)
    else:
        batches.add_rows(group, np.array([row], dtype=np.intp), options)
    chart = batches.charts().chart(group, row)
    assert chart is not None  # a row asked for is always charted
    return chart


def analyse_many(
    results: Mapping[str, IndicatorResult],
    rows: Mapping[str, tuple[GroupRating, int]],
    *,
    peer_values: Mapping[str, PeerValues] | None = None,
    peer_labels: Mapping[str, tuple[str, str]] | None = None,
    own_code: str = "",
) -> Mapping[str, Analysis]:
    """Ratings plus SPC, peer positions, forecasts and expected ranges, by indicator id (in
    ``rows`` order).

    ``peer_values`` maps indicator id -> period -> peer group id -> organisation -> value, each
    group already filtered to its members; ``peer_labels`` maps group id -> (label, notice).
    Every chart is drawn here, in arrays; an indicator's :class:`~.analysis.Analysis` is made
    when it is first read, except those with work of their own (a forecast, an expected range,
    peers, a t- or g-chart), which are made here.
    """
    with no_collection():
        return _analyse_many(results, rows, peer_values or {}, peer_labels or {}, own_code)


def _by_group(
    rows: Mapping[str, tuple[GroupRating, int]],
) -> list[tuple[GroupRating, list[str], np.ndarray]]:
    """The rows asked for, group by group: each group's keys and their rows."""
    if isinstance(rows, GroupRows):  # one grid, rows in key order
        return [(rows.group, list(rows.index), np.arange(len(rows.index)))]
    groups = {id(g): g for g in map(itemgetter(0), rows.values())}
    if len(groups) == 1:  # one grid: no need to sort the keys out one by one
        (group,) = groups.values()
        found = np.fromiter(map(itemgetter(1), rows.values()), dtype=np.intp, count=len(rows))
        return [(group, list(rows), found)]
    keys: dict[int, list[str]] = {gid: [] for gid in groups}
    at: dict[int, list[int]] = {gid: [] for gid in groups}
    for key, (group, row) in rows.items():
        keys[id(group)].append(key)
        at[id(group)].append(row)
    return [(g, keys[gid], np.array(at[gid], dtype=np.intp)) for gid, g in groups.items()]


T = TypeVar("T")


def _by_value(items: list[T]) -> list[tuple[T, np.ndarray]]:
    """Positions of equal ``items``, grouped in order of first appearance: by identity first,
    then by value (a pack read from files gives every indicator its own equal options)."""
    if not items:
        return []
    ids = np.fromiter(map(id, items), dtype=np.int64, count=len(items))
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    by_value: dict[T, int] = {}
    bucket = np.array([by_value.setdefault(items[f], len(by_value)) for f in first.tolist()])
    of_item = bucket[inverse.reshape(-1)]
    order = np.argsort(of_item, kind="stable")
    ends = np.cumsum(np.bincount(of_item, minlength=len(by_value)))
    return list(zip(by_value, np.split(order, ends[:-1]), strict=True))


def _eager(
    keys: list[str],
    inds: list[Indicator],
    settings: tuple[tuple, ...],
    rated: np.ndarray,
    peer_values: Mapping[str, PeerValues],
) -> list[str]:
    """The keys whose analyses have work of their own (a forecast, an expected range, peers);
    ``settings`` holds each indicator's forecast options and kind (:data:`_SETTINGS`)."""
    k = len(inds)
    forecast = identities(settings[1], k) != id(None)
    need = (forecast & rated) | (identities(settings[2], k) == id(IndicatorKind.LEAD))
    if peer_values:
        at = {key: i for i, key in enumerate(keys)}
        for key, values in peer_values.items():
            i = at.get(key)
            if i is not None and values and inds[i].peer_groups:
                need[i] = True
    return [keys[i] for i in np.flatnonzero(need).tolist()]


def _analyse_many(
    results: Mapping[str, IndicatorResult],
    rows: Mapping[str, tuple[GroupRating, int]],
    peer_values: Mapping[str, PeerValues],
    peer_labels: Mapping[str, tuple[str, str]],
    own_code: str,
) -> Mapping[str, Analysis]:
    batches = _Batches()
    charts: dict[str, Chart] = {}
    eager: list[str] = []  # analyses with work of their own, made now
    for group, keys, found in _by_group(rows):
        inds = group.indicators
        if len(found) != len(inds) or (found != np.arange(len(found))).any():
            inds = [inds[r] for r in found.tolist()]  # some of the group's rows
        settings = tuple(zip(*map(_SETTINGS, inds), strict=True)) or ((), (), ())
        eager.extend(_eager(keys, inds, settings, group.rated[found], peer_values))
        charted = np.flatnonzero(group.latest[found] >= 0)
        asked = settings[0]
        for spc, at in _by_value([asked[i] for i in charted.tolist()]):
            some = charted[at].tolist()
            if spc is None:  # an expected range from SPC asks for a neutral chart
                for i in some:
                    options = spc_options(inds[i])
                    if options is not None:
                        batches.add_rows(group, found[[i]], options)
            elif spc.chart is not SpcChart.XMR:
                charts.update((keys[i], run_spc(results[keys[i]], spc)) for i in some)
            elif spc.on:
                for i in some:
                    batches.add_on(group, int(found[i]), spc)
            else:
                batches.add_rows(group, found[some], spc)
    drawn = batches.charts()

    def make(key: str, where: tuple[GroupRating, int]) -> Analysis:
        chart = drawn.chart(*where) or charts.get(key)
        spc, spc_periods = chart if chart is not None else (None, ())
        return _analysis(results[key], spc, spc_periods, peer_values.get(key), peer_labels,
                         own_code)  # fmt: skip

    return LazyMapping(rows, make, {key: make(key, rows[key]) for key in eager})


def _analysis(
    result: IndicatorResult,
    spc: XmrResult | None,
    spc_periods: tuple[Period, ...],
    peer_values: PeerValues | None,
    peer_labels: Mapping[str, tuple[str, str]],
    own_code: str,
) -> Analysis:
    ind = result.indicator
    status: RangeStatus | None = None
    lower: float | None = None
    upper: float | None = None
    if ind.kind is IndicatorKind.LEAD:
        status, lower, upper = _range(result, spc)
    peers: tuple[PeerComparison, ...] = ()
    if peer_values and ind.peer_groups:
        peers = _peer_comparisons(result, peer_values, peer_labels, own_code)
    return view(
        Analysis,
        result=result,
        spc=spc if ind.spc is not None or ind.expected_range == "spc" else None,
        spc_periods=spc_periods,
        peers=peers,
        forecast=_forecast(result),
        range_status=status,
        range_lower=lower,
        range_upper=upper,
    )
