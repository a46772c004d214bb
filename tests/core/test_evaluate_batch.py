"""Property tests: the numpy paths give exactly what the scalar reference gives, cell by cell.

Values are drawn around the boundaries that matter (on the target, exactly on a floor built from
the target, a hair either side) as well as anywhere, so that a vector path that rounds or compares
differently from the key is caught.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiboard.core.direction import Direction, direction, direction_array
from kpiboard.core.evaluate import evaluate_batch, evaluate_indicator
from kpiboard.core.indicators import Indicator, IndicatorData
from kpiboard.core.periods import UK, month_range
from kpiboard.core.rating import (
    Band,
    Polarity,
    Rating,
    RuleArrays,
    RuleVersion,
    rate,
    rate_array,
    resolve_rule_arrays,
    rule_for_year,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAN = math.nan
POLARITIES = list(Polarity)

plain = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
typed = st.sampled_from([0.0, 0.1, 0.7, 1.0, 5.4, 6.0, 6.6, 8.0, 33.3, 66.2, 80.0, 100.0, 1249.0])
fractions = st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.2, 0.25]) | st.floats(0, 1)
amounts = st.sampled_from([0.5, 1.0, 2.5, 10.0]) | st.floats(0, 1e3)

targets = st.one_of(st.just(NAN), typed, plain, typed.map(lambda x: -x))
bands = st.builds(Band, fractions, st.just(True)) | st.builds(Band, amounts, st.just(False))
rules = st.builds(
    RuleVersion,
    amber=st.none() | bands,
    floor=st.none() | typed | plain,
    green=bands,
    close_amber=bands,
)


KINDS = st.integers(0, 11)
BOOLS = st.booleans()
POLARITY = st.sampled_from(POLARITIES)
# Steps around REL_TOL (1e-9) probe the "within floating-point noise" edge on both sides.
STEPS = st.sampled_from([1e-12, 1e-10, 0.999999e-9, 1e-9, 1.000001e-9, 1e-8, 1e-3])


def near(target: float, draw) -> float:
    """A value on the target, exactly a band from it, a hair beside it, missing, or anywhere."""
    kind = draw(KINDS)
    if kind == 0 or (math.isnan(target) and kind < 6):
        return NAN
    if kind == 1 or math.isnan(target):
        return draw(plain)
    if kind == 2:
        return target
    if kind in (3, 4, 5, 6):
        frac = draw(fractions)
        value = target * (1 - frac) if kind % 2 else target * (1 + frac)
        return round(value, 2) if kind >= 5 else value  # typed to two decimals, or exact
    if kind in (7, 8):
        amount = draw(amounts)
        return target - amount if kind == 7 else target + amount
    step = max(1.0, abs(target)) * draw(STEPS)
    return target + step if kind % 2 else target - step


@st.composite
def rating_cells(draw):
    target = draw(targets)
    actual = near(target, draw)
    floor = near(target, draw)
    rule = draw(rules)
    if draw(BOOLS):
        # The key's edge case: the actual exactly on the floor in force (per-period, else rule).
        in_force = floor if not math.isnan(floor) else rule.floor
        actual = actual if in_force is None else in_force
    return actual, target, draw(POLARITY), rule, floor, draw(BOOLS)


@SETTINGS
@given(st.lists(rating_cells(), min_size=1, max_size=30))
def test_rate_array_random_cells_equals_rate(cells):
    actual, target, polarity, cell_rules, floor, rated = zip(*cells, strict=True)
    target_arr = np.array(target, float)
    arrays = resolve_rule_arrays(target_arr, list(cell_rules), np.array(floor, float))
    vector = rate_array(
        np.array(actual, float),
        target_arr,
        np.array([p.code for p in polarity]),
        arrays,
        np.array(rated),
    )
    scalar = [rate(a, t, p, r, rated=ok, floor=f) for a, t, p, r, f, ok in cells]
    assert [Rating(v) for v in vector] == scalar


@st.composite
def direction_cells(draw):
    previous = draw(targets)
    current = previous if draw(BOOLS) else near(previous, draw)
    target_previous = draw(targets)
    target_current = near(target_previous, draw)
    return current, previous, draw(POLARITY), target_current, target_previous


@SETTINGS
@given(st.lists(direction_cells(), min_size=1, max_size=30))
def test_direction_array_random_cells_equals_direction(cells):
    current, previous, polarity, target_current, target_previous = zip(*cells, strict=True)
    vector = direction_array(
        np.array(current, float),
        np.array(previous, float),
        np.array([p.code for p in polarity]),
        np.array(target_current, float),
        np.array(target_previous, float),
    )
    assert [Direction.from_code(v) for v in vector] == [direction(*cell) for cell in cells]


def _month_after(first, months):
    index = first.start.year * 12 + first.start.month - 1 + months
    return UK.month(index // 12, index % 12 + 1)


@st.composite
def indicator_grids(draw):
    """``n`` indicators with their own polarity, rules and series over ``p`` consecutive months."""
    first = UK.month(draw(st.integers(2011, 2014)), draw(st.integers(1, 12)))
    p = draw(st.integers(1, 14))
    periods = month_range(first, _month_after(first, p - 1))
    indicators = []
    for i in range(draw(st.integers(1, 5))):
        base = draw(st.lists(rules, min_size=1, max_size=3))
        years = sorted(
            draw(st.lists(st.integers(2011, 2015), min_size=len(base), max_size=len(base)))
        )
        versioned = tuple(
            replace(r, from_year=None if k == 0 else years[k]) for k, r in enumerate(base)
        )
        target = [draw(targets) for _ in periods]
        actual = [near(t, draw) for t in target]
        floor = [near(t, draw) if draw(BOOLS) else NAN for t in target]
        indicator = Indicator(
            id=f"I{i}",
            title=f"Indicator {i}",
            polarity=draw(POLARITY),
            rated=draw(BOOLS) or draw(BOOLS),
            rules=versioned,
        )
        values = {"actual": actual, "target": target, "floor": floor}
        data = IndicatorData(tuple(periods), {k: np.array(v, float) for k, v in values.items()})
        indicators.append((indicator, data))
    return indicators


@SETTINGS
@given(indicator_grids())
def test_evaluate_batch_random_grid_equals_evaluate_indicator(grid):
    periods = grid[0][1].periods
    per_indicator = [
        resolve_rule_arrays(
            data.get("target"),
            [rule_for_year(ind.rules, UK.year_of(p.start)) for p in periods],
            data.get("floor"),
        )
        for ind, data in grid
    ]
    arrays = RuleArrays(
        *(
            np.vstack([getattr(r, f) for r in per_indicator])
            for f in RuleArrays.__dataclass_fields__
        )
    )
    batch = evaluate_batch(
        np.vstack([data.get("actual") for _, data in grid]),
        np.vstack([data.get("target") for _, data in grid]),
        np.array([ind.polarity.code for ind, _ in grid]),
        arrays,
        np.array([ind.rated for ind, _ in grid]),
    )
    for i, (indicator, data) in enumerate(grid):
        result = evaluate_indicator(indicator, data)
        assert [Rating(v) for v in batch.ratings[i]] == [r.computed for r in result.periods]
        assert [Direction.from_code(v) for v in batch.directions[i]] == [
            r.direction for r in result.periods
        ]
