"""The computed action RAG, worked by hand from dates and progress (rule in core/actions.py)."""

from __future__ import annotations

from datetime import date

import pytest

from kpiboard.core.actions import (
    ActionRag,
    ActionStatus,
    Milestone,
    RagOverride,
    RagTolerance,
    compute_rag,
    expected_progress,
)

START, DUE = date(2013, 4, 1), date(2014, 3, 31)  # 364 days
DAY = date(2013, 9, 30)  # 182 days in: 50% expected


def rag(status=ActionStatus.ON_TRACK, progress=50.0, day=DAY, **kw):
    return compute_rag(status=status, progress=progress, start=START, due=DUE, day=day, **kw)


def test_expected_progress_is_a_straight_line_from_start_to_due():
    assert expected_progress(START, DUE, DAY) == 50.0
    assert expected_progress(START, DUE, date(2013, 3, 1)) == 0.0
    assert expected_progress(START, DUE, date(2014, 6, 1)) == 100.0
    assert expected_progress(DUE, DUE, DUE) == 100.0


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (50, ActionRag.GREEN),  # on the line
        (40, ActionRag.GREEN),  # 10 points behind: at the amber tolerance, not beyond it
        (39, ActionRag.AMBER),  # 11 behind
        (25, ActionRag.AMBER),  # 25 behind: at the red tolerance
        (24, ActionRag.RED),  # 26 behind
        (90, ActionRag.GREEN),  # ahead
    ],
)
def test_rag_behind_straight_line_by_more_than_tolerance(progress, expected):
    assert rag(progress=progress).computed is expected


def test_rag_tolerances_are_configurable():
    tight = RagTolerance(amber_after=2, red_after=5)
    assert rag(progress=47, tolerance=tight).computed is ActionRag.AMBER
    assert rag(progress=44, tolerance=tight).computed is ActionRag.RED


def test_rag_tolerance_out_of_order_is_refused():
    with pytest.raises(ValueError, match="amber_after <= red_after"):
        RagTolerance(amber_after=30, red_after=10)


def test_rag_past_due_and_not_complete_is_red_whatever_the_progress():
    result = rag(progress=95, day=date(2014, 4, 1))
    assert result.computed is ActionRag.RED
    assert result.reasons == ("Past its due date (2014-03-31) and not complete",)


def test_rag_on_due_date_not_complete_is_judged_against_100_percent():
    assert rag(progress=95, day=DUE).computed is ActionRag.GREEN
    assert rag(progress=80, day=DUE).computed is ActionRag.AMBER


def test_rag_complete_and_cancelled():
    assert rag(status=ActionStatus.COMPLETE, progress=60).computed is ActionRag.COMPLETE
    assert rag(progress=100, day=date(2015, 1, 1)).computed is ActionRag.COMPLETE
    assert rag(status=ActionStatus.CANCELLED, progress=0).computed is ActionRag.NOT_RATED


def test_rag_overdue_milestone_makes_it_at_least_amber():
    late = Milestone("Business case approved", date(2013, 7, 31))
    done = Milestone("Pilot started", date(2013, 6, 30), done=date(2013, 6, 20))
    result = rag(milestones=(late, done))
    assert result.computed is ActionRag.AMBER
    assert result.reasons == ("Milestone overdue: Business case approved",)
    assert rag(milestones=(done,)).computed is ActionRag.GREEN


def test_rag_milestone_done_after_the_day_still_counts_as_overdue_then():
    milestone = Milestone("Pilot", date(2013, 8, 31), done=date(2013, 10, 15))
    assert rag(milestones=(milestone,)).computed is ActionRag.AMBER
    assert rag(milestones=(milestone,), day=date(2013, 10, 31), progress=58).computed is (
        ActionRag.GREEN
    )


def test_rag_owner_status_sets_a_floor():
    assert rag(status=ActionStatus.AT_RISK).computed is ActionRag.AMBER
    assert rag(status=ActionStatus.OFF_TRACK).computed is ActionRag.RED
    assert rag(status=ActionStatus.AT_RISK, progress=20).computed is ActionRag.RED


def test_rag_override_shown_with_computed_kept():
    override = RagOverride(ActionRag.GREEN, "Funding confirmed after the period", "A. Owner")
    result = rag(progress=20, override=override)
    assert (result.rag, result.computed, result.overridden) == (
        ActionRag.GREEN,
        ActionRag.RED,
        True,
    )
    assert result.override.reason == "Funding confirmed after the period"
