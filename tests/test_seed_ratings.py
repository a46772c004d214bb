"""The demo pack reproduces every rating printed in the 2013 seed report.

The printed ratings are copied into tests/fixtures/seed_ratings.csv (indicator, period, rating);
the test never reads the seed itself.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kpiboard.core.rating import Rating

FIXTURE = Path(__file__).parent / "fixtures" / "seed_ratings.csv"


def printed_ratings() -> list[dict[str, str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_fixture_has_all_143_printed_ratings():
    rows = printed_ratings()
    assert len(rows) == 143
    assert len({(r["indicator"], r["period"]) for r in rows}) == 143


def test_demo_pack_reproduces_every_printed_rating(demo_pack):
    results = demo_pack.evaluate()
    mismatches = []
    for row in printed_ratings():
        period = demo_pack.calendar.parse(row["period"])
        result = results[row["indicator"]].at(period)
        got = result.rating.name if result else "missing"
        if got != row["rating"]:
            mismatches.append(
                f"{row['indicator']} {row['period']}: printed {row['rating']}, got {got}"
            )
    assert mismatches == []


def test_demo_pack_only_contradiction_is_an_override_with_reason(demo_pack):
    results = demo_pack.evaluate()
    overridden = [
        (ind_id, r.period.label, r.computed, r.rating)
        for ind_id, result in results.items()
        for r in result.periods
        if r.overridden
    ]
    assert overridden == [("ASC06", "2011-08", Rating.GREEN, Rating.AMBER)]
    override = results["ASC06"].at(demo_pack.calendar.parse("2011-08")).override
    assert override.reason
    assert override.by


@pytest.mark.parametrize(
    ("indicator", "rating", "current"),
    [("ASC01", Rating.AMBER, 73), ("ASC07", Rating.AMBER, 5.84), ("SCS02", Rating.RED, 75.8)],
)
def test_demo_pack_summary_current_position_matches_seed(demo_pack, indicator, rating, current):
    latest = demo_pack.evaluate()[indicator].latest
    assert latest.rating is rating
    assert latest.actual == pytest.approx(current)
