"""The reporting calendar's rules: working days, bank holidays, section overrides, fixed dates,
quarterly and annual periods, task statuses and which reminders fall due."""

from __future__ import annotations

from datetime import date

import pytest

from kpiboard.core.due_dates import (
    CalendarError,
    Milestone,
    Offset,
    ReminderKind,
    ReportingCalendar,
    Rules,
    TaskStatus,
    due_dates,
    periods_ended,
    reminder_kinds,
    task_status,
)
from kpiboard.core.periods import UK

#: England and Wales bank holidays around the cases below (given, as core takes them).
HOLIDAYS = frozenset(
    {
        date(2013, 12, 25),  # Christmas Day (Wednesday)
        date(2013, 12, 26),  # Boxing Day
        date(2014, 1, 1),  # New Year's Day
        date(2014, 4, 18),  # Good Friday
        date(2014, 4, 21),  # Easter Monday
        date(2015, 12, 25),  # Christmas Day (Friday)
        date(2015, 12, 28),  # Boxing Day, substitute Monday
    }
)
TEN = Rules()  # the defaults: figures 10 working days after the period ends


def test_offset_parse_reads_working_and_calendar_days():
    assert Offset.parse("10 working days") == Offset(10, working=True)
    assert Offset.parse("1 working day") == Offset(1, working=True)
    assert Offset.parse(" 5  days ") == Offset(5, working=False)
    assert str(Offset(1)) == "1 working day" and str(Offset(5, False)) == "5 days"


@pytest.mark.parametrize("text", ["ten working days", "10 weeks", "", "-3 days", "10"])
def test_offset_parse_refuses_what_is_not_a_count_of_days(text):
    with pytest.raises(CalendarError, match="is not a number of days"):
        Offset.parse(text)


def test_working_days_skip_weekends():
    # October 2013 ends on a Thursday: ten working days on is Thursday 14 November.
    october = UK.parse("2013-10")
    assert due_dates(october, TEN, frozenset()).figures == date(2013, 11, 14)
    # November ends on a Saturday: counting starts on Monday 2 December.
    assert due_dates(UK.parse("2013-11"), TEN, frozenset()).figures == date(2013, 12, 13)


def test_working_days_skip_christmas_and_new_year():
    # December 2013: 1 January is a holiday, so the tenth working day is 15 January.
    assert due_dates(UK.parse("2013-12"), TEN, HOLIDAYS).figures == date(2014, 1, 15)
    assert due_dates(UK.parse("2013-12"), TEN, frozenset()).figures == date(2014, 1, 14)
    # November 2015: its commentary (15 working days) crosses Christmas and the substitute
    # Boxing Day, both skipped.
    nov15 = due_dates(UK.parse("2015-11"), TEN, HOLIDAYS)
    assert nov15.commentary == date(2015, 12, 21)
    assert nov15.approval == date(2015, 12, 30)  # 25 and 28 December skipped


def test_working_days_skip_easter():
    # March 2014 ends on a Monday. Its commentary, fifteen working days on, would be due on
    # Easter Monday; with Good Friday and Easter Monday skipped it is due on Wednesday 23 April.
    assert due_dates(UK.parse("2014-03"), TEN, HOLIDAYS).commentary == date(2014, 4, 23)
    assert due_dates(UK.parse("2014-03"), TEN, frozenset()).commentary == date(2014, 4, 21)


def test_calendar_days_count_weekends_and_holidays():
    rules = TEN.overridden(offsets={Milestone.FIGURES: Offset(7, working=False)})
    assert due_dates(UK.parse("2013-12"), rules, HOLIDAYS).figures == date(2014, 1, 7)


def test_section_overrides_change_only_what_they_name():
    site = Rules()
    asc = site.overridden(offsets={Milestone.FIGURES: Offset(5)}, escalate_after=Offset(2))
    calendar = ReportingCalendar(UK.parse("2013-10"), site, {"asc": asc})
    october = UK.parse("2013-10")
    assert due_dates(october, calendar.rules_for("asc"), HOLIDAYS).figures == date(2013, 11, 7)
    assert due_dates(october, calendar.rules_for("scs"), HOLIDAYS).figures == date(2013, 11, 14)
    assert calendar.rules_for("asc").offsets[Milestone.COMMENTARY] == Offset(15)
    assert calendar.rules_for("asc").escalate_after == Offset(2)
    assert calendar.rules_for("scs").escalate_after == Offset(5)


def test_fixed_dates_win_for_their_period_only():
    site = Rules(fixed={"2013-10": {Milestone.COMMITTEE: date(2013, 12, 10)}})
    section = site.overridden(fixed={"2013-10": {Milestone.FIGURES: date(2013, 11, 8)}})
    october = due_dates(UK.parse("2013-10"), section, HOLIDAYS)
    assert october.committee == date(2013, 12, 10)  # the site's fixed date is kept
    assert october.figures == date(2013, 11, 8)
    assert october.commentary == date(2013, 11, 21)  # counted as usual
    assert due_dates(UK.parse("2013-11"), section, HOLIDAYS).figures == date(2013, 12, 13)


def test_quarterly_and_annual_indicators_fall_due_only_when_their_period_ends():
    first = UK.parse("2013-10")
    on = date(2014, 4, 2)
    assert [p.label for p in periods_ended(UK, "quarter", first, on)] == [
        "2013/14 Q3",
        "2013/14 Q4",
    ]
    assert [p.label for p in periods_ended(UK, "year", first, on)] == ["2013/14"]
    assert [p.label for p in periods_ended(UK, "year", first, date(2014, 3, 31))] == []
    months = periods_ended(UK, "month", first, on)
    assert (months[0].label, months[-1].label, len(months)) == ("2013-10", "2014-03", 6)
    assert periods_ended(UK, "irregular", first, on) == []
    quarter = UK.parse("2013/14 Q3")
    assert due_dates(quarter, TEN, HOLIDAYS).figures == date(2014, 1, 15)


def test_periods_ended_keeps_the_most_recent():
    months = periods_ended(UK, "month", UK.parse("2010-01"), date(2013, 12, 2), limit=3)
    assert [p.label for p in months] == ["2013-09", "2013-10", "2013-11"]


@pytest.mark.parametrize(
    ("started", "finished", "today", "expected"),
    [
        (False, False, date(2013, 11, 13), TaskStatus.NOT_STARTED),
        (True, False, date(2013, 11, 14), TaskStatus.IN_PROGRESS),  # due today: not yet late
        (True, False, date(2013, 11, 15), TaskStatus.OVERDUE),
        (False, False, date(2013, 11, 15), TaskStatus.OVERDUE),
        (True, True, date(2014, 1, 1), TaskStatus.COMPLETED),
    ],
)
def test_task_status_from_progress_and_the_due_date(started, finished, today, expected):
    assert task_status(started, finished, date(2013, 11, 14), today) is expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2013, 11, 8), []),  # four working days before
        (date(2013, 11, 11), [ReminderKind.BEFORE_DUE]),  # three working days before
        (date(2013, 11, 13), [ReminderKind.BEFORE_DUE]),
        (date(2013, 11, 14), [ReminderKind.DUE]),
        (date(2013, 11, 15), [ReminderKind.OVERDUE]),
        (date(2013, 11, 20), [ReminderKind.OVERDUE]),  # four working days late
        (date(2013, 11, 21), [ReminderKind.OVERDUE, ReminderKind.ESCALATION]),  # five
        (date(2013, 12, 2), [ReminderKind.OVERDUE, ReminderKind.ESCALATION]),
    ],
)
def test_reminder_kinds_before_on_and_after_the_due_date(today, expected):
    assert reminder_kinds(date(2013, 11, 14), today, Rules(), HOLIDAYS) == expected


def test_reminder_kinds_follow_the_rules_given():
    rules = Rules(remind_before=Offset(1), escalate_after=Offset(1))
    due = date(2013, 11, 14)
    assert reminder_kinds(due, date(2013, 11, 12), rules, HOLIDAYS) == []
    assert reminder_kinds(due, date(2013, 11, 13), rules, HOLIDAYS) == [ReminderKind.BEFORE_DUE]
    assert ReminderKind.ESCALATION in reminder_kinds(due, date(2013, 11, 15), rules, HOLIDAYS)
