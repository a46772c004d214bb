"""Key risk indicators trigger from the engine's own ratings and SPC signals."""

from __future__ import annotations

import numpy as np

from kpiboard.core.analysis import analyse
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import Indicator, IndicatorData, SpcOptions
from kpiboard.core.kri import KeyRiskIndicator, SpcTrigger, check_kri
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import Rating
from kpiboard.core.spc import VariationIcon
from kpiboard.core.units import Unit, UnitKind


def analysis_of(actual, target, spc=False):
    months = month_range(UK.parse("2012-01"), UK.parse("2099-12"))[: len(actual)]
    data = IndicatorData(
        tuple(months), {"actual": np.array(actual, float), "target": np.array(target, float)}
    )
    ind = Indicator("K1", "Key measure", unit=Unit(UnitKind.PERCENT, 0),
                    spc=SpcOptions() if spc else None, forecast=None)  # fmt: skip
    return analyse(evaluate_indicator(ind, data, as_at=months[-1]))


# Default rule: Amber within 10% of the target's size below it, Red beyond.
GREEN = analysis_of([80], [80])
AMBER = analysis_of([75], [80])  # 6.25% short
RED = analysis_of([60], [80])  # 25% short


def test_kri_rating_threshold_amber_flags_amber_and_red():
    kri = KeyRiskIndicator("K1", rating=Rating.AMBER)
    assert check_kri(kri, AMBER).rating is Rating.AMBER
    assert [check_kri(kri, a).triggered for a in (GREEN, AMBER, RED)] == [False, True, True]
    assert check_kri(kri, RED).reasons == ("rated Red",)


def test_kri_rating_threshold_red_flags_red_only():
    kri = KeyRiskIndicator("K1", rating=Rating.RED)
    assert [check_kri(kri, a).triggered for a in (GREEN, AMBER, RED)] == [False, False, True]


def test_kri_without_figures_does_not_trigger():
    kri = KeyRiskIndicator("K1", rating=Rating.AMBER)
    empty = analysis_of([np.nan], [80])
    assert check_kri(kri, empty).triggered is False


# 20 steady months then a fall far below the process limits: special cause, concern (low).
STEADY = [70, 71, 69, 70, 72, 70, 69, 71, 70, 70, 71, 69, 70, 72, 70, 69, 71, 70, 70, 71]
FALL = analysis_of([*STEADY, 50], [60] * 21, spc=True)
FLAT = analysis_of(STEADY, [60] * 20, spc=True)
RISE = analysis_of([*STEADY, 90], [60] * 21, spc=True)


def test_spc_signals_are_the_engines():
    assert FALL.spc.variation_icon is VariationIcon.CONCERN_LOW
    assert FLAT.spc.variation_icon is VariationIcon.COMMON_CAUSE
    assert RISE.spc.variation_icon is VariationIcon.IMPROVEMENT_HIGH


def test_kri_spc_concern_triggers_on_concern_only():
    kri = KeyRiskIndicator("K1", spc=SpcTrigger.CONCERN)
    assert check_kri(kri, FALL).triggered
    assert check_kri(kri, FALL).reasons == ("special cause variation: concern (low)",)
    assert not check_kri(kri, FLAT).triggered
    assert not check_kri(kri, RISE).triggered


def test_kri_spc_any_triggers_on_improvement_too():
    kri = KeyRiskIndicator("K1", spc=SpcTrigger.ANY)
    assert check_kri(kri, RISE).triggered and not check_kri(kri, FLAT).triggered


def test_kri_rating_and_spc_both_give_reasons():
    kri = KeyRiskIndicator("K1", rating=Rating.RED, spc=SpcTrigger.CONCERN)
    assert check_kri(kri, FALL).reasons == ("rated Red", "special cause variation: concern (low)")


def test_kri_with_no_threshold_never_triggers():
    assert not check_kri(KeyRiskIndicator("K1"), FALL).triggered
