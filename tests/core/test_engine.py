"""The one engine: a pack evaluated and analysed in batches gives what each indicator gives alone.

``Pack.evaluate`` and ``Pack.analyse`` rate and chart indicators grid by grid, in pieces of a few
thousand cells; ``evaluate_indicator`` and ``analyse`` are batches of one. These tests hold them
equal on the demo packs (every rating, direction, comparison, chart line, point label, icon and
warning), with pieces small enough that a pack spans many of them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpiboard.core import analyse_many, engine
from kpiboard.core.analysis import analyse
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import Indicator, IndicatorData, SpcOptions
from kpiboard.core.lazy import LazyMapping, LazyRows, LazyTuple
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import Band, Polarity, Rating, RuleVersion
from kpiboard.demo import DemoKind, write_demo
from kpiboard.packs.loader import load_pack
from kpiboard.packs.model import Pack, Section

SPC_FIELDS = ("values", "mean", "lower_limit", "upper_limit", "near_lower", "near_upper", "group")
SPC_LABELS = ("point_type", "signal", "variation_icon", "assurance_icon", "warnings", "chart",
              "withheld", "assurance_note", "open_interval", "dates")  # fmt: skip


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def _assert_same_analysis(batch, alone) -> None:
    assert tuple(batch.result.periods) == tuple(alone.result.periods)
    assert batch.spc_periods == alone.spc_periods
    assert batch.peers == alone.peers
    assert repr(batch.forecast) == repr(alone.forecast)  # NaN bounds: equal by their repr
    assert (batch.range_status, batch.range_lower, batch.range_upper) == (
        alone.range_status, alone.range_lower, alone.range_upper)  # fmt: skip
    assert (batch.spc is None) == (alone.spc is None)
    if batch.spc is not None:
        for name in SPC_FIELDS:
            assert _same_array(getattr(batch.spc, name), getattr(alone.spc, name)), name
        for name in SPC_LABELS:
            assert tuple_or(getattr(batch.spc, name)) == tuple_or(getattr(alone.spc, name)), name


def tuple_or(value):
    return tuple(value) if isinstance(value, (list, tuple, LazyTuple)) else value


@pytest.fixture(params=[DemoKind.COUNCIL, DemoKind.NHS_TRUST], ids=["council", "nhs"])
def pack(request, tmp_path, monkeypatch) -> Pack:
    monkeypatch.setattr(engine, "CHUNK_CELLS", 50)  # a few indicators per piece
    monkeypatch.setattr(analyse_many, "SPC_CHUNK_CELLS", 50)
    return load_pack(write_demo(tmp_path / "pack", kind=request.param))


def test_pack_analyse_matches_each_indicator_alone(pack):
    analyses = pack.analyse()
    assert list(analyses) == list(pack.indicators)
    for ind_id, ind in pack.indicators.items():
        result = evaluate_indicator(
            ind, pack.data[ind_id], calendar=pack.calendar, as_at=pack.as_at
        )
        peers = pack._peer_values().get(ind_id)
        labels = {g.id: (g.label, g.illustrative) for g in pack.peer_groups.values()}
        alone = analyse(
            result, peer_values=peers, peer_labels=labels, own_code=pack.organisation_code
        )
        _assert_same_analysis(analyses[ind_id], alone)


def test_pack_evaluate_matches_pack_analyse(pack):
    evaluated = pack.evaluate()
    analysed = pack.analyse()
    assert {k: tuple(r.periods) for k, r in evaluated.items()} == {
        k: tuple(a.result.periods) for k, a in analysed.items()
    }


def _mixed_pack(n: int) -> Pack:
    """Indicators on two grids, with three sets of rules (one changing by year), both bases and
    every polarity, so the batches split by grid and by rules."""
    months = month_range(UK.parse("2021-04"), UK.parse("2024-03"))
    quarters_from = month_range(UK.parse("2022-04"), UK.parse("2024-03"))
    rules = [
        (RuleVersion(),),
        (RuleVersion(amber=Band(5.0, relative=False)),),
        (RuleVersion(), RuleVersion(from_year=2023, amber=None, floor=90.0)),
    ]
    rng = np.random.default_rng(7)
    indicators, data = {}, {}
    for i in range(n):
        periods = months if i % 3 else quarters_from
        key = f"M{i:03d}"
        actual = rng.normal(100, 8, len(periods)).round(0)
        actual[rng.random(len(periods)) < 0.1] = np.nan
        indicators[key] = Indicator(
            id=key,
            title=key,
            polarity=list(Polarity)[i % 3],
            rules=rules[i % 3],
            rated=i % 11 != 0,
            spc=SpcOptions(improvement=("increase", "decrease", "neutral")[i % 3]),
            forecast=None,
        )
        data[key] = IndicatorData(
            periods, {"actual": actual, "target": np.full(len(periods), 100.0)}
        )
    section = Section(id="s", title="S", indicator_ids=tuple(indicators))
    return Pack("Mixed", months[-1], (section,), indicators, data)


def test_mixed_grids_and_rules_match_each_indicator_alone(monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_CELLS", 100)
    pack = _mixed_pack(60)
    analyses = pack.analyse()
    for ind_id, ind in pack.indicators.items():
        alone = analyse(evaluate_indicator(ind, pack.data[ind_id], as_at=pack.as_at))
        _assert_same_analysis(analyses[ind_id], alone)
    ratings = {a.result.latest.computed for a in analyses.values() if a.result.latest}
    assert {Rating.GREEN, Rating.RED, Rating.NOT_RATED} <= ratings


def test_evaluate_many_groups_indicators_by_grid():
    pack = _mixed_pack(9)
    _, rows = engine.evaluate_many(pack.indicators, pack.data, as_at=pack.as_at)
    groups = {id(group) for group, _ in rows.values()}
    assert len(groups) == 2


def test_lazy_rows_make_each_item_once_and_equal_a_tuple():
    made = []
    rows = LazyRows(3, lambda i: made.append(i) or i * 10)
    assert rows[-1] == 20 and made == [2]
    assert rows == (0, 10, 20) and made == [2, 0, 1]
    assert rows[1:] == (10, 20) and list(reversed(rows)) == [20, 10, 0]


def test_lazy_tuple_is_made_on_first_read():
    calls = []
    lazy = LazyTuple(lambda a: calls.append(a) or (a, a), "x")
    assert calls == []
    assert len(lazy) == 2 and lazy == ("x", "x") and calls == ["x"]


def test_xmr_row_reads_its_batch_only_when_asked():
    pack = _mixed_pack(3)
    chart = pack.analyse()["M001"].spc
    assert "point_type" not in vars(chart)
    assert len(chart.point_type) == len(chart.values)
    assert "point_type" in vars(chart)
    assert not math.isnan(chart.mean[-1])


def test_lazy_mapping_makes_each_value_on_first_read_and_keeps_it():
    made = []
    mapping = LazyMapping({"a": 1, "b": 2}, lambda key, arg: made.append(key) or (key, arg))
    assert made == [] and list(mapping) == ["a", "b"] and len(mapping) == 2
    assert mapping["b"] == ("b", 2) and made == ["b"]
    assert mapping["b"] is mapping["b"] and made == ["b"]
    assert "a" in mapping and "c" not in mapping and mapping.get("c") is None
    assert dict(mapping) == {"a": ("a", 1), "b": ("b", 2)} and made == ["b", "a"]


def test_pack_analyse_makes_each_analysis_once_when_first_read():
    pack = _mixed_pack(6)
    analyses = pack.analyse()
    assert list(analyses) == list(pack.indicators)
    first = analyses["M004"]
    assert analyses["M004"] is first and first.result is analyses["M004"].result
    assert first.spc is not None and first.spc.variation_icon is not None


def test_one_grid_rows_are_found_through_a_key_index():
    pack = _mixed_pack(9)
    one_grid = {k: v for k, v in pack.indicators.items() if int(k[1:]) % 3}
    _, rows = engine.evaluate_many(one_grid, pack.data, as_at=pack.as_at)
    assert isinstance(rows, engine.GroupRows)
    assert [rows[k][1] for k in one_grid] == list(range(len(one_grid)))
