"""Risk scores on the likelihood x impact matrix, bands, appetite and trend."""

from __future__ import annotations

import pytest

from kpiboard.core.risks import Band, RiskMatrix, Score, Trend, heat_counts, trend

MATRIX = RiskMatrix()  # 5 x 5, appetite 9


@pytest.mark.parametrize(
    ("likelihood", "impact", "value", "band", "within"),
    [
        (1, 1, 1, "Low", True),
        (2, 2, 4, "Low", True),
        (3, 3, 9, "Medium", True),  # at the appetite: accepted
        (2, 5, 10, "High", False),  # one above it
        (3, 5, 15, "High", False),
        (4, 4, 16, "Very high", False),
        (5, 5, 25, "Very high", False),
    ],
)
def test_score_is_likelihood_times_impact_with_band_and_appetite(
    likelihood, impact, value, band, within
):
    score = Score(likelihood, impact)
    assert score.value == value
    assert MATRIX.band(value).name == band
    assert MATRIX.within_appetite(value) is within


def test_a_risk_may_have_its_own_appetite():
    assert MATRIX.within_appetite(12, appetite=12)
    assert not MATRIX.within_appetite(6, appetite=4)


def test_describe_names_the_scale_labels():
    assert MATRIX.describe(Score(3, 4)) == "12 High (likelihood 3 Possible, impact 4 Serious)"


def test_matrix_is_configurable_and_checked():
    small = RiskMatrix(
        likelihood=("Low", "Medium", "High"),
        impact=("Low", "Medium", "High"),
        bands=(Band("Tolerable", 3, "green"), Band("Intolerable", 9, "red")),
        appetite=3,
    )
    assert small.top == 9
    assert small.band(4).name == "Intolerable"
    assert small.check(Score(4, 1)) == "likelihood must be from 1 to 3"
    with pytest.raises(ValueError, match="last must be 25"):
        RiskMatrix(bands=(Band("Low", 4, "green"), Band("High", 20, "red")))
    with pytest.raises(ValueError, match="appetite must be a score from 1 to 25"):
        RiskMatrix(appetite=30)


def test_trend_compares_with_the_previous_review():
    assert trend(Score(3, 4), Score(3, 3)) is Trend.RISING
    assert trend(Score(2, 4), Score(4, 2)) is Trend.STEADY
    assert trend(Score(2, 2), Score(3, 3)) is Trend.FALLING
    assert trend(Score(2, 2), None) is Trend.NEW


def test_heat_counts_places_each_risk_in_its_cell():
    counts = heat_counts(MATRIX, [Score(3, 4), Score(3, 4), Score(1, 5)])
    assert counts[2][3] == 2 and counts[0][4] == 1
    assert sum(map(sum, counts)) == 3
