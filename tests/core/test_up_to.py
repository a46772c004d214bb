"""Cutting an indicator's series at an as-at period: what happened after it goes, series set
ahead (targets, floors, expected ranges) stay when asked for, and nothing before it changes."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.indicators import AHEAD_SERIES, IndicatorData
from kpiboard.core.periods import UK

MONTHS = tuple(UK.parse(f"2013-{m:02d}") for m in range(1, 13))
values = st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=12, max_size=12)


def data(actual, target) -> IndicatorData:
    def arr(xs):
        return np.array([np.nan if x is None else x for x in xs], dtype=float)

    return IndicatorData(MONTHS, {"actual": arr(actual), "target": arr(target)}, MONTHS[:3])


def test_up_to_keeps_targets_ahead_and_drops_later_actuals():
    cut = data([1.0] * 12, [2.0] * 12).up_to(MONTHS[8], AHEAD_SERIES)
    assert cut.periods == MONTHS  # each later month still has its target
    assert np.isnan(cut.get("actual")[9:]).all() and (cut.get("actual")[:9] == 1.0).all()
    assert (cut.get("target") == 2.0).all()


def test_up_to_without_keep_drops_every_later_period():
    cut = data([1.0] * 12, [2.0] * 12).up_to(MONTHS[8])
    assert cut.periods == MONTHS[:9] and cut.profiled == MONTHS[:3]


@given(values, values, st.integers(0, 11))
def test_up_to_never_changes_a_value_at_or_before_the_as_at_period(actual, target, at):
    whole = data(actual, target)
    cut = whole.up_to(MONTHS[at], AHEAD_SERIES)
    for i, period in enumerate(cut.periods):
        j = whole.index_of(period)
        assert j is not None
        for name in ("actual", "target"):
            old, new = whole.get(name)[j], cut.get(name)[i]
            if period.end <= MONTHS[at].end or name == "target":
                assert (np.isnan(old) and np.isnan(new)) or old == new
            else:
                assert np.isnan(new)
