"""Which actions need a progress update in a month, and which risks a review: the rules the
monthly cycle's plan tasks follow, worked by hand."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.actions import ActionStatus
from kpiboard.core.kri import KeyRiskIndicator
from kpiboard.core.periods import FinancialCalendar
from kpiboard.core.plan import Action, ActionUpdate, Risk, RiskReview, next_review, risk_state
from kpiboard.core.plan_cycle import (
    PlanTaskKind,
    due_for_review,
    has_review,
    has_update,
    needs_update,
    next_review_problem,
    offered_next_review,
)
from kpiboard.core.risks import RiskMatrix, Score

CALENDAR = FinancialCalendar(4)
OCT, NOV, SEP = (CALENDAR.parse(label) for label in ("2013-10", "2013-11", "2013-09"))


def action(start: date = date(2013, 4, 1), *updates: tuple[str, ActionStatus]) -> Action:
    made = tuple(ActionUpdate(CALENDAR.parse(p), s, 50) for p, s in updates)
    return Action("A", "An action", "s", "Owner", start, date(2014, 3, 31), updates=made)


def risk(review_date: date, *periods: str) -> Risk:
    reviews = tuple(RiskReview(CALENDAR.parse(p), Score(3, 4)) for p in periods)
    return Risk("R", "A risk", "s", "Owner", "c", "e", "f", Score(4, 5), Score(2, 2), reviews,
                review_date, kris=(KeyRiskIndicator("X"),))  # fmt: skip


def test_needs_update_from_the_month_an_action_starts():
    assert needs_update(action(date(2013, 10, 31)), OCT)
    assert not needs_update(action(date(2013, 11, 1)), OCT)


def test_needs_update_until_an_earlier_update_closes_it():
    assert needs_update(action(date(2013, 4, 1), ("2013-09", ActionStatus.AT_RISK)), OCT)
    for closed in (ActionStatus.COMPLETE, ActionStatus.CANCELLED):
        assert not needs_update(action(date(2013, 4, 1), ("2013-09", closed)), OCT)
        # closed in the month itself: that month's update is still the one due
        assert needs_update(action(date(2013, 4, 1), ("2013-10", closed)), OCT)


def test_has_update_only_for_the_month_itself():
    given_ = action(date(2013, 4, 1), ("2013-10", ActionStatus.ON_TRACK))
    assert has_update(given_, OCT) and not has_update(given_, NOV) and not has_update(given_, SEP)


def test_due_for_review_once_the_review_date_passes():
    matrix = RiskMatrix()
    late = risk(date(2013, 10, 15), "2013-09")
    assert due_for_review(risk_state(late, OCT, matrix, {}))
    assert not due_for_review(risk_state(late, SEP, matrix, {}))
    assert not due_for_review(risk_state(risk(date(2013, 10, 15), "2013-11"), OCT, matrix, {}))


def test_has_review_only_for_the_month_itself():
    reviewed = risk(date(2014, 3, 31), "2013-09", "2013-10")
    assert has_review(reviewed, OCT) and has_review(reviewed, SEP) and not has_review(reviewed, NOV)


def test_plan_task_kinds_have_words():
    assert [k.words for k in PlanTaskKind] == ["Progress update", "Risk review"]


@given(st.integers(0, 23), st.sampled_from(list(ActionStatus)))
def test_needs_update_never_after_a_closing_update_of_an_earlier_month(offset, status):
    month = CALENDAR.parse(f"{2013 + (3 + offset) // 12}-{(3 + offset) % 12 + 1:02d}")
    later = CALENDAR.parse(f"{2013 + (4 + offset) // 12}-{(4 + offset) % 12 + 1:02d}")
    made = action(date(2013, 4, 1), (month.label, status))
    assert needs_update(made, later) is (status not in (ActionStatus.COMPLETE,
                                                         ActionStatus.CANCELLED))  # fmt: skip
    assert needs_update(made, month)


def reviewed(review_date: date, *reviews: tuple[str, date | None]) -> Risk:
    """A risk with a review for each (period, next review date it set)."""
    made = tuple(RiskReview(CALENDAR.parse(p), Score(3, 4), "", d) for p, d in reviews)
    return Risk("R", "A risk", "s", "Owner", "c", "e", "f", Score(4, 5), Score(2, 2), made,
                review_date)  # fmt: skip


def test_next_review_is_the_one_the_latest_review_set_as_at_the_month():
    later = reviewed(date(2013, 9, 15), ("2013-06", None), ("2013-10", date(2014, 1, 31)))
    assert next_review(later, SEP) == date(2013, 9, 15)  # October's review had not been given
    assert next_review(later, NOV) == date(2014, 1, 31)
    # a review that sets no date leaves the one set before it standing
    kept = reviewed(date(2013, 9, 15), ("2013-09", date(2013, 12, 31)), ("2013-10", None))
    assert next_review(kept, NOV) == date(2013, 12, 31)


def test_due_for_review_follows_the_next_review_a_review_set():
    matrix = RiskMatrix()
    late = reviewed(date(2013, 9, 15), ("2013-09", None))
    assert due_for_review(risk_state(late, OCT, matrix, {}))
    moved = reviewed(date(2013, 9, 15), ("2013-09", date(2013, 12, 31)))
    state = risk_state(moved, NOV, matrix, {})
    assert not due_for_review(state) and state.review_date == date(2013, 12, 31)
    assert risk_state(moved, CALENDAR.parse("2014-01"), matrix, {}).flags == (
        "review was due 2013-12-31",
    )


def test_offered_next_review_keeps_a_planned_date_still_to_come():
    assert offered_next_review(date(2013, 12, 31), SEP) == date(2013, 12, 31)
    assert offered_next_review(date(2013, 9, 30), SEP) == date(2013, 9, 30)  # not yet passed


def test_offered_next_review_is_the_end_of_next_month_once_the_planned_one_passed():
    assert offered_next_review(date(2013, 9, 15), SEP) == date(2013, 10, 31)
    assert offered_next_review(date(2013, 1, 1), CALENDAR.parse("2014-01")) == date(2014, 2, 28)
    assert offered_next_review(date(2013, 1, 1), CALENDAR.parse("2013-12")) == date(2014, 1, 31)


def test_next_review_problem_refuses_a_date_before_the_month_reviewed_ends():
    assert next_review_problem(date(2013, 9, 30), SEP) == ""
    assert next_review_problem(date(2013, 9, 29), SEP) == (
        "must not be before the end of the period reviewed (30 September 2013)"
    )


@given(st.dates(date(2012, 1, 1), date(2016, 12, 31)), st.sampled_from([SEP, OCT, NOV]))
def test_offered_next_review_is_never_refused(scheduled, period):
    assert next_review_problem(offered_next_review(scheduled, period), period) == ""
