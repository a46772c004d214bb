"""Analyse many indicators at once: XmR charts of every grid in one :func:`~.spc.xmr_many` call.

:func:`analyse_many` takes :func:`~.engine.evaluate_many`'s results and rows, groups the XmR
charts that share a grid, a first charted period and options, and charts each group in one
batch; each indicator's chart is a view of its row (:func:`~.spc.chart_rows`). t- and g-charts,
peers, forecasts and expected ranges use :mod:`.analysis`'s rules per indicator.
:func:`~.analysis.analyse` is a batch of one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

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
from .engine import GroupRating, chunks, no_collection, rows_of
from .evaluate import IndicatorResult
from .indicators import IndicatorKind, SpcChart, SpcOptions
from .lazy import view
from .periods import Period
from .range_status import RangeStatus
from .spc import XmrResult, chart_rows, xmr_many
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


#: XmR's kernel loops over time points, so it takes bigger pieces than the rating rules.
SPC_CHUNK_CELLS = 1 << 16

Item = tuple[str, IndicatorResult, int, SpcOptions, np.ndarray]


def _chart_batch(
    group: GroupRating, lo: int, options: SpcOptions, items: list[Item]
) -> list[Chart]:
    """XmR charts of ``items`` (key, result, row, options, figures), all from reported column
    ``lo`` of ``group``'s grid, sharing ``options``' baseline, rebase and rules, in one call."""
    cols = np.flatnonzero(group.grid.reported)[lo:]
    periods = tuple(group.grid.periods[c] for c in cols)
    y = np.stack([item[4][cols] for item in items]).reshape(len(items), len(cols))
    rows = np.array([item[2] for item in items], dtype=np.intp)
    latest = group.latest[rows]
    rated = np.array([item[1].indicator.rated for item in items], dtype=bool)
    on = np.array([bool(item[3].on) for item in items], dtype=bool)
    latest_target = np.where(latest >= 0, group.target[rows, np.maximum(latest, 0)], np.nan)
    rebase = _rebase_at(periods, options.rebase)
    mask = np.zeros(y.shape, dtype=bool)
    mask[:, list(rebase)] = True
    batch = xmr_many(
        y,
        improvement=np.array([_improvement_code(item[3]) for item in items], dtype=np.int8),
        target=np.where(rated & ~on, latest_target, np.nan),
        fix_after_n_points=options.baseline,
        rebase_mask=mask,
        shift_length=options.shift_length,
        mdc_2023=options.mdc_2023,
    )
    dates = tuple(p.end for p in periods)
    charts = chart_rows(y, batch, _group_starts(rebase, len(cols)), dates)
    last_group = y[:, rebase[-1] if rebase else 0 :]
    unsuited = unsuitable_many(last_group)
    noted = rated & on & ~np.isnan(latest_target)
    for i in np.flatnonzero(noted | unsuited).tolist():
        chart = charts[i]
        if noted[i]:
            chart = replace(chart, assurance_note=on_series_note(items[i][3].on))
        if unsuited[i]:
            chart = _withheld(chart, xmr_unsuitable(last_group[i]))
        charts[i] = chart
    return [(chart, periods) for chart in charts]


def _first_known(values: np.ndarray) -> np.ndarray:
    """Per row, the first column with a figure (the row's length when none)."""
    known = ~np.isnan(values)
    return np.where(known.any(axis=1), np.argmax(known, axis=1), values.shape[1])


class _Batches:
    """XmR charts to draw, grouped by grid, first charted column and shared options."""

    def __init__(self) -> None:
        self.batches: dict[tuple, tuple[GroupRating, int, SpcOptions, list[Item]]] = {}
        self.first: dict[int, np.ndarray] = {}

    def add(self, key: str, result: IndicatorResult, group: GroupRating, row: int,
            options: SpcOptions) -> None:  # fmt: skip
        reported = group.grid.reported
        if options.on:
            values = result.data.get(options.on)
            lo = int(_first_known(values[reported].reshape(1, -1))[0])
        else:
            values = group.actual[row]
            first = self.first.get(id(group))
            if first is None:
                first = self.first[id(group)] = _first_known(group.actual[:, reported])
            lo = int(first[row])
        batch = (id(group), lo, options.baseline, options.shift_length, options.mdc_2023,
                 options.rebase)  # fmt: skip
        self.batches.setdefault(batch, (group, lo, options, []))[3].append(
            (key, result, row, options, values)
        )

    def charts(self) -> dict[str, Chart]:
        out: dict[str, Chart] = {}
        for group, lo, options, items in self.batches.values():
            width = int(group.grid.reported.sum()) - lo
            for part in chunks(np.arange(len(items)), width, SPC_CHUNK_CELLS):
                some = items[part] if isinstance(part, slice) else [items[i] for i in part]
                for item, chart in zip(some, _chart_batch(group, lo, options, some), strict=True):
                    out[item[0]] = chart
        return out


def chart_xmr(result: IndicatorResult, options: SpcOptions) -> Chart:
    """One indicator's XmR chart: a batch of one."""
    batches = _Batches()
    group, row = rows_of(result)
    batches.add("", result, group, row, options)
    return batches.charts()[""]


def analyse_many(
    results: Mapping[str, IndicatorResult],
    rows: Mapping[str, tuple[GroupRating, int]],
    *,
    peer_values: Mapping[str, PeerValues] | None = None,
    peer_labels: Mapping[str, tuple[str, str]] | None = None,
    own_code: str = "",
) -> dict[str, Analysis]:
    """Ratings plus SPC, peer positions, forecasts and expected ranges, by indicator id.

    ``peer_values`` maps indicator id -> period -> peer group id -> organisation -> value, each
    group already filtered to its members; ``peer_labels`` maps group id -> (label, notice).
    """
    with no_collection():
        return _analyse_many(results, rows, peer_values or {}, peer_labels or {}, own_code)


def _analyse_many(
    results: Mapping[str, IndicatorResult],
    rows: Mapping[str, tuple[GroupRating, int]],
    peer_values: Mapping[str, PeerValues],
    peer_labels: Mapping[str, tuple[str, str]],
    own_code: str,
) -> dict[str, Analysis]:
    batches = _Batches()
    charts: dict[str, Chart] = {}
    for key, result in results.items():
        options = spc_options(result.indicator)
        group, row = rows[key]
        if options is None or group.latest[row] < 0:
            continue
        if options.chart is SpcChart.XMR:
            batches.add(key, result, group, row, options)
        else:
            charts[key] = run_spc(result, options)
    charts.update(batches.charts())
    out = {}
    for key, result in results.items():
        spc, spc_periods = charts.get(key, (None, ()))
        out[key] = _analysis(result, spc, spc_periods, peer_values.get(key), peer_labels, own_code)
    return out


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
