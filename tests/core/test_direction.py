import math

import numpy as np
import pytest

from kpiboard.core.direction import Direction, direction, direction_array
from kpiboard.core.rating import Polarity

HIGHER, LOWER, CLOSE = Polarity.HIGHER, Polarity.LOWER, Polarity.CLOSE


@pytest.mark.parametrize(
    ("polarity", "current", "previous", "expected"),
    [
        (HIGHER, 75.0, 70.0, Direction.IMPROVED),
        (HIGHER, 65.0, 70.0, Direction.WORSENED),
        (LOWER, 5.0, 6.0, Direction.IMPROVED),
        (LOWER, 6.5, 6.0, Direction.WORSENED),
        (HIGHER, -1.0, -2.0, Direction.IMPROVED),
        (LOWER, -1.0, -2.0, Direction.WORSENED),
    ],
)
def test_direction_each_polarity_follows_better(polarity, current, previous, expected):
    assert direction(current, previous, polarity) is expected


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
def test_direction_equal_values_gives_no_change(polarity):
    assert direction(70.0, 70.0, polarity) is Direction.NO_CHANGE


def test_direction_floating_point_noise_gives_no_change():
    assert direction(0.1 + 0.2, 0.3, HIGHER) is Direction.NO_CHANGE
    assert direction(6 * 1.1, 6.6, LOWER) is Direction.NO_CHANGE


def test_direction_small_real_change_gives_direction():
    assert direction(70.01, 70.0, HIGHER) is Direction.IMPROVED


@pytest.mark.parametrize(
    ("current", "previous"), [(math.nan, 1.0), (1.0, math.nan), (None, 1.0), (1.0, None)]
)
@pytest.mark.parametrize("polarity", list(Polarity))
def test_direction_missing_value_gives_not_comparable(current, previous, polarity):
    assert direction(current, previous, polarity, 1.0, 1.0) is Direction.NOT_COMPARABLE


def test_direction_close_nearer_target_gives_improved():
    assert direction(102.0, 95.0, CLOSE, 100.0, 100.0) is Direction.IMPROVED


def test_direction_close_further_from_target_gives_worsened():
    assert direction(90.0, 105.0, CLOSE, 100.0, 100.0) is Direction.WORSENED


def test_direction_close_same_distance_other_side_gives_no_change():
    assert direction(95.0, 105.0, CLOSE, 100.0, 100.0) is Direction.NO_CHANGE


def test_direction_close_uses_each_periods_target():
    # Value unchanged but the target moved towards it: closer to this period's target.
    assert direction(100.0, 100.0, CLOSE, 101.0, 110.0) is Direction.IMPROVED
    # Value moved up with the target: same distance, no change.
    assert direction(105.0, 95.0, CLOSE, 110.0, 100.0) is Direction.NO_CHANGE


@pytest.mark.parametrize(("target_now", "target_then"), [(None, 100.0), (100.0, math.nan)])
def test_direction_close_missing_target_gives_not_comparable(target_now, target_then):
    assert direction(99.0, 98.0, CLOSE, target_now, target_then) is Direction.NOT_COMPARABLE


def test_direction_higher_ignores_missing_targets():
    assert direction(2.0, 1.0, HIGHER, None, None) is Direction.IMPROVED


def test_direction_codes_round_trip():
    assert all(Direction.from_code(d.code) is d for d in Direction)
    assert [d.code for d in Direction] == [1, -1, 0, 2]


def test_direction_words_give_text():
    assert Direction.NOT_COMPARABLE.words == "Not comparable"


def test_direction_array_known_cells_give_codes():
    current = np.array([75.0, 5.0, 70.0, np.nan, 102.0, 99.0])
    previous = np.array([70.0, 6.0, 70.0, 1.0, 95.0, 98.0])
    polarity = np.array([1, -1, 1, 1, 0, 0])
    target_now = np.array([np.nan, np.nan, np.nan, np.nan, 100.0, np.nan])
    target_then = np.array([np.nan, np.nan, np.nan, np.nan, 100.0, 100.0])
    out = direction_array(current, previous, polarity, target_now, target_then)
    assert [Direction.from_code(c) for c in out] == [
        Direction.IMPROVED,
        Direction.IMPROVED,
        Direction.NO_CHANGE,
        Direction.NOT_COMPARABLE,
        Direction.IMPROVED,
        Direction.NOT_COMPARABLE,
    ]
    assert out.dtype == np.int8
