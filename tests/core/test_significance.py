"""Benchmark comparison (Fingertips method), worked by hand against a benchmark of 100."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpiboard.core.rating import Polarity, Rating
from kpiboard.core.significance import (
    BenchmarkOptions,
    Comparison,
    against,
    compare,
    compare_array,
    describe_method,
)

HIGHER, LOWER, CLOSE = Polarity.HIGHER, Polarity.LOWER, Polarity.CLOSE


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "expected"),
    [
        (101.0, 109.0, HIGHER, Comparison.BETTER),  # wholly above, higher is better
        (101.0, 109.0, LOWER, Comparison.WORSE),  # wholly above, lower is better (an HSMR)
        (91.0, 99.5, HIGHER, Comparison.WORSE),  # wholly below
        (91.0, 99.5, LOWER, Comparison.BETTER),
        (96.0, 104.0, HIGHER, Comparison.SIMILAR),  # straddles the benchmark
        (96.0, 104.0, LOWER, Comparison.SIMILAR),
        (100.0, 108.0, LOWER, Comparison.SIMILAR),  # lower limit touches: includes it
        (92.0, 100.0, HIGHER, Comparison.SIMILAR),  # upper limit touches: includes it
        (101.0, 109.0, CLOSE, Comparison.HIGHER),  # no better side: higher, lower, similar
        (91.0, 99.0, CLOSE, Comparison.LOWER),
        (96.0, 104.0, CLOSE, Comparison.SIMILAR),
    ],
)
def test_compare_against_benchmark_100(lower, upper, polarity, expected):
    assert compare(lower, upper, 100.0, polarity) is expected


def test_touching_allows_floating_point_noise():
    # 0.1 * 3 is 0.30000000000000004: a limit typed as the benchmark still touches it.
    assert compare(0.1 * 3, 0.5, 0.3, LOWER) is Comparison.SIMILAR
    assert compare(0.3000001, 0.5, 0.3, LOWER) is Comparison.WORSE


@pytest.mark.parametrize(
    ("lower", "upper", "benchmark"),
    [(None, 104.0, 100.0), (96.0, None, 100.0), (96.0, 104.0, None), (math.nan, 1.0, 0.0)],
)
def test_missing_interval_or_benchmark_is_not_compared(lower, upper, benchmark):
    assert compare(lower, upper, benchmark, HIGHER) is Comparison.NOT_COMPARED


def test_compare_array_over_periods_matches_one_at_a_time():
    lower = np.array([101.0, 96.0, 91.0, np.nan, 100.0])
    upper = np.array([109.0, 104.0, 99.0, 104.0, 108.0])
    bench = np.array([100.0, 100.0, 100.0, 100.0, np.nan])
    codes = compare_array(lower, upper, bench, LOWER)
    assert [Comparison.from_code(c) for c in codes] == [
        Comparison.WORSE,
        Comparison.SIMILAR,
        Comparison.BETTER,
        Comparison.NOT_COMPARED,
        Comparison.NOT_COMPARED,
    ]
    # a scalar benchmark broadcasts over the periods
    assert compare_array(lower[:3], upper[:3], 100.0, LOWER).tolist() == codes[:3].tolist()


def test_comparison_ratings_colour_only_better_similar_worse():
    assert [c.rating for c in Comparison] == [
        Rating.GREEN,
        Rating.AMBER,
        Rating.RED,
        Rating.NOT_RATED,
        Rating.NOT_RATED,
        Rating.NO_DATA,
    ]


def test_wording():
    assert against(Comparison.BETTER, "England") == "Better than England"
    assert against(Comparison.SIMILAR, "England") == "Similar to England"
    assert against(Comparison.WORSE, "England") == "Worse than England"
    assert against(Comparison.HIGHER, "England") == "Higher than England"
    assert against(Comparison.NOT_COMPARED, "England") == "Not compared with England"


def test_describe_method_says_level_side_and_colours():
    rated = describe_method(BenchmarkOptions("england", 99.8, rate=True), "England", LOWER)
    assert "99.8% confidence interval" in rated
    assert "better (lower) or worse (higher)" in rated
    assert "Better is Green, similar Amber, worse Red" in rated
    shown = describe_method(BenchmarkOptions("england"), "England", CLOSE)
    assert "95% confidence interval" in shown
    assert "significantly higher or lower" in shown
    assert "Green" not in shown
