"""The drafted progress summary of a section's business plan, checked word for word."""

from __future__ import annotations

from datetime import date

from kpiboard.core.actions import ActionRag, ActionStatus, RagOverride
from kpiboard.core.kri import KeyRiskIndicator
from kpiboard.core.periods import UK
from kpiboard.core.plan import Action, ActionUpdate, Plan, Risk, RiskReview, assess
from kpiboard.core.plan_draft import draft_plan_summary
from kpiboard.core.rating import Rating
from kpiboard.core.risks import Score

SEP, JUN = UK.parse("2013-09"), UK.parse("2013-06")


def action(ident, status, progress, override=None, due=date(2014, 3, 31)):
    update = ActionUpdate(SEP, status, progress, "", override)
    return Action(ident, f"Action {ident}", "s", "Owner", date(2013, 4, 1), due, updates=(update,))


def risk(ident, before, now, review_date=date(2013, 12, 31), kris=()):
    reviews = (RiskReview(JUN, Score(*before)), RiskReview(SEP, Score(*now)))
    return Risk(ident, f"Risk {ident}", "s", "Owner", "c", "e", "f", Score(5, 5), Score(1, 1),
                reviews, review_date, kris=kris)  # fmt: skip


def test_draft_counts_actions_names_red_and_overridden_and_flagged_risks():
    plan = Plan(
        actions=(
            action("A1", ActionStatus.ON_TRACK, 50),
            action("A2", ActionStatus.OFF_TRACK, 40),
            action("A3", ActionStatus.ON_TRACK, 30, RagOverride(ActionRag.GREEN, "Agreed")),
            action("A4", ActionStatus.COMPLETE, 100),
        ),
        risks=(
            risk("R1", (2, 2), (3, 4)),  # 12: outside the default appetite of 9, rising
            risk("R2", (3, 3), (2, 2), review_date=date(2013, 9, 1)),
            risk("R3", (2, 2), (2, 2), kris=(KeyRiskIndicator("X", rating=Rating.AMBER),)),
        ),
    )
    text = draft_plan_summary(assess(plan, SEP, {}), "s")
    assert text == (
        "4 actions: 1 Complete, 2 Green, 1 Red. "
        "Action A2 (A2) is Red: The owner reports it off track. "
        "Action A3 (A3) is shown Green by its owner; the dates and progress give Amber. "
        "3 risks on the register, 1 outside appetite. Rising since the last review: R1. "
        "Risk R2 (R2) is flagged for review: review was due 2013-09-01."
    )


def test_draft_of_a_section_with_no_plan_is_empty():
    assert draft_plan_summary(assess(Plan(), SEP, {}), "s") == ""
