"""A lead indicator's place against its expected range: an enum with its words beside it."""

from __future__ import annotations

import numpy as np
import pytest

from kpiboard.core.analysis import analyse
from kpiboard.core.evaluate import evaluate_indicator
from kpiboard.core.indicators import Indicator, IndicatorData, IndicatorKind
from kpiboard.core.periods import UK, month_range
from kpiboard.core.range_status import RangeStatus
from kpiboard.core.units import Unit, UnitKind

LEAD = Indicator("L1", "Referrals", kind=IndicatorKind.LEAD, unit=Unit(UnitKind.COUNT), rated=False)


def status_of(latest: float | None, lower=50.0, upper=100.0) -> RangeStatus | None:
    periods = month_range(UK.parse("2013-08"), UK.parse("2013-09"))
    data = IndicatorData(
        tuple(periods),
        {
            "actual": np.array([75.0, np.nan if latest is None else latest]),
            "lower": np.array([lower, lower]),
            "upper": np.array([upper, upper]),
        },
    )
    return analyse(evaluate_indicator(LEAD, data, as_at=UK.parse("2013-09"))).range_status


@pytest.mark.parametrize(
    ("latest", "status"),
    [(104, RangeStatus.ABOVE), (49, RangeStatus.BELOW), (50, RangeStatus.WITHIN)],
)
def test_range_status_of_a_lead_indicator_is_an_enum(latest, status):
    assert status_of(latest) is status


def test_range_status_is_none_without_a_range():
    assert status_of(75, lower=np.nan, upper=np.nan) is None


def test_range_status_words_are_beside_the_enum():
    assert [s.label for s in RangeStatus] == [
        "Within expected range",
        "Above expected range",
        "Below expected range",
    ]
    assert f"is {RangeStatus.ABOVE} the expected range" == "is above the expected range"
