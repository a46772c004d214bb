"""Which actions need a progress update in a month, and which risks a review: the rules the
monthly cycle's plan tasks follow, worked by hand."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.actions import ActionStatus
from kpiboard.core.kri import KeyRiskIndicator
from kpiboard.core.periods import FinancialCalendar
from kpiboard.core.plan import Action, ActionUpdate, Risk, RiskReview, risk_state
from kpiboard.core.plan_cycle import (
    PlanTaskKind,
    due_for_review,
    has_review,
    has_update,
    needs_update,
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
