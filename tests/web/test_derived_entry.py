"""Which periods a derived indicator's source figures may be entered for."""

from __future__ import annotations

from kpiboard.core.indicators import Derivation, Indicator, SeriesDef
from kpiboard.core.periods import UK
from kpiboard.web.writes import _validate_values

SERIES = (SeriesDef("falls", "Falls"), SeriesDef("bed_days", "Bed days"))


def derived(method: str) -> Indicator:
    how = Derivation(method, "ratio", numerator="falls", denominator="bed_days", scale=1000)
    return Indicator("FALLS", "Falls per 1,000 bed days", series=SERIES, derive=how)


def test_a_per_period_ratio_takes_quarterly_source_figures():
    errors = _validate_values(derived("period"), UK.parse("2013/14 Q2"), {"falls": 9.0})
    assert errors == {}


def test_a_rolling_ratio_still_needs_monthly_source_figures():
    errors = _validate_values(derived("rolling_12"), UK.parse("2013/14 Q2"), {"falls": 9.0})
    assert errors == {
        "falls": "FALLS's actual is calculated from monthly figures: enter this figure for a month"
    }
