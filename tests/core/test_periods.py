from datetime import date

import pytest

from kpiboard.core.periods import (
    UK,
    FinancialCalendar,
    Period,
    PeriodError,
    PeriodKind,
    days_between,
    month_range,
)

JAN = FinancialCalendar(1)
JUL = FinancialCalendar(7)


# --- parsing: every accepted form -------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["2013-09", "Sep-13", "Sep 13", "Sep 2013", "September 2013", "sept 13", "SEP-13", " Sep  13 "],
)
def test_parse_month_forms_give_september_2013(label):
    period = UK.parse(label)
    assert period.kind is PeriodKind.MONTH
    assert (period.start, period.end) == (date(2013, 9, 1), date(2013, 9, 30))
    assert period.label == "2013-09"


@pytest.mark.parametrize("label", ["2013/14 Q2", "Q2 2013/14", "2013-14 Q2", "q2 2013/14"])
def test_parse_quarter_forms_give_july_to_september(label):
    period = UK.parse(label)
    assert period.kind is PeriodKind.QUARTER
    assert (period.start, period.end) == (date(2013, 7, 1), date(2013, 9, 30))
    assert period.label == "2013/14 Q2"


@pytest.mark.parametrize("label", ["2013/14", "FY 2013/14", "fy2013/14", "2013-14", "2013/2014"])
def test_parse_year_forms_give_financial_year(label):
    period = UK.parse(label)
    assert period.kind is PeriodKind.YEAR
    assert (period.start, period.end) == (date(2013, 4, 1), date(2014, 3, 31))
    assert period.label == "2013/14"


def test_parse_day_iso_gives_day():
    period = UK.parse("2013-09-30")
    assert period.kind is PeriodKind.DAY
    assert period.start == period.end == date(2013, 9, 30)


def test_parse_two_digit_year_before_70_gives_2000s():
    assert UK.parse("Jan-69").start == date(2069, 1, 1)


def test_parse_two_digit_year_from_70_gives_1900s():
    assert UK.parse("Jan-70").start == date(1970, 1, 1)


def test_parse_calendar_year_with_january_start_gives_year():
    period = JAN.parse("2013")
    assert period.kind is PeriodKind.YEAR
    assert (period.start, period.end, period.label) == (
        date(2013, 1, 1),
        date(2013, 12, 31),
        "2013",
    )


def test_parse_quarter_with_january_start_gives_calendar_quarter():
    period = JAN.parse("2013 Q3")
    assert (period.start, period.end, period.label) == (
        date(2013, 7, 1),
        date(2013, 9, 30),
        "2013 Q3",
    )


def test_parse_quarter_with_july_start_gives_shifted_quarter():
    period = JUL.parse("2013/14 Q2")
    assert (period.start, period.end) == (date(2013, 10, 1), date(2013, 12, 31))


def test_parse_year_with_july_start_gives_july_to_june():
    period = JUL.parse("2013/14")
    assert (period.start, period.end) == (date(2013, 7, 1), date(2014, 6, 30))


# --- parsing: errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("2013-13", "month must be 01-12"),
        ("2013-00", "month must be 01-12"),
        ("2013/15", "not a financial year"),
        ("FY 2013/15", "not a financial year"),
        ("Q2 2013/15", "not a financial year"),
        ("Foo-13", "'Foo' is not a month name"),
        ("", "empty period label"),
        ("   ", "empty period label"),
        ("2013-02-30", "not a real date"),
        ("2013/14 Q5", "not a period label"),
        ("13 Sep", "not a period label"),
        ("2013", "not a period label"),
    ],
)
def test_parse_bad_label_raises_period_error(label, message):
    with pytest.raises(PeriodError, match=message):
        UK.parse(label)


def test_parse_slash_year_with_january_start_raises():
    with pytest.raises(PeriodError, match="not a financial year"):
        JAN.parse("2013/14")


def test_period_error_is_value_error():
    assert issubclass(PeriodError, ValueError)


def test_calendar_start_month_13_raises():
    with pytest.raises(ValueError, match="1-12"):
        FinancialCalendar(13)


def test_month_number_13_raises():
    with pytest.raises(PeriodError, match="1-12"):
        UK.month(2013, 13)


def test_quarter_number_5_raises():
    with pytest.raises(PeriodError, match="1-4"):
        UK.quarter(2013, 5)


# --- financial-year boundaries ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "day", "year"),
    [
        (UK, date(2014, 3, 31), 2013),
        (UK, date(2014, 4, 1), 2014),
        (UK, date(2014, 1, 1), 2013),
        (JAN, date(2013, 12, 31), 2013),
        (JAN, date(2014, 1, 1), 2014),
        (JUL, date(2014, 6, 30), 2013),
        (JUL, date(2014, 7, 1), 2014),
    ],
)
def test_year_of_boundary_day_gives_start_year(calendar, day, year):
    assert calendar.year_of(day) == year


@pytest.mark.parametrize(
    ("calendar", "start", "end", "label"),
    [
        (UK, date(2013, 4, 1), date(2014, 3, 31), "2013/14"),
        (JAN, date(2013, 1, 1), date(2013, 12, 31), "2013"),
        (JUL, date(2013, 7, 1), date(2014, 6, 30), "2013/14"),
    ],
)
def test_year_start_month_gives_first_and_last_day(calendar, start, end, label):
    year = calendar.year(2013)
    assert (year.start, year.end, year.label) == (start, end, label)


def test_year_1999_label_wraps_century():
    assert UK.year(1999).label == "1999/00"


def test_year_ending_in_leap_february_gives_29th():
    assert FinancialCalendar(3).year(2015).end == date(2016, 2, 29)


# --- quarter_of -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "day", "label"),
    [
        (UK, date(2013, 4, 1), "2013/14 Q1"),
        (UK, date(2013, 6, 30), "2013/14 Q1"),
        (UK, date(2013, 7, 1), "2013/14 Q2"),
        (UK, date(2014, 3, 31), "2013/14 Q4"),
        (JAN, date(2013, 3, 31), "2013 Q1"),
        (JAN, date(2013, 12, 31), "2013 Q4"),
        (JUL, date(2013, 7, 1), "2013/14 Q1"),
        (JUL, date(2014, 6, 30), "2013/14 Q4"),
    ],
)
def test_quarter_of_day_gives_financial_quarter(calendar, day, label):
    assert calendar.quarter_of(day).label == label


@pytest.mark.parametrize("kind", list(PeriodKind))
def test_containing_day_gives_period_of_kind_around_it(kind):
    day = date(2013, 9, 15)
    period = UK.containing(kind, day)
    assert period.kind is kind
    assert period.start <= day <= period.end


# --- shifted_year -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2013-09", "2012-09"),
        ("2013/14 Q2", "2012/13 Q2"),
        ("2013/14", "2012/13"),
        ("2013-09-30", "2012-09-30"),
    ],
)
def test_shifted_year_back_one_gives_same_period_year_before(label, expected):
    assert UK.parse(label).shifted_year(UK).label == expected


def test_shifted_year_forward_two_gives_two_years_later():
    assert UK.parse("2013/14 Q4").shifted_year(UK, 2).label == "2015/16 Q4"


def test_shifted_year_of_29_february_gives_28th():
    assert UK.parse("2012-02-29").shifted_year(UK, 1).label == "2013-02-28"


def test_shifted_year_quarter_with_july_start_keeps_quarter_number():
    assert JUL.parse("2013/14 Q3").shifted_year(JUL).label == "2012/13 Q3"


# --- sorting and equality ---------------------------------------------------------------------


def test_sorted_year_before_its_last_quarter_and_month():
    periods = [UK.parse("2014-03"), UK.parse("2013/14 Q4"), UK.parse("2013/14")]
    assert [p.kind for p in sorted(periods)] == [
        PeriodKind.YEAR,
        PeriodKind.QUARTER,
        PeriodKind.MONTH,
    ]


def test_sorted_mixed_periods_by_end_date():
    labels = ["2013-09", "2012/13", "2013/14 Q1", "2013-05-31"]
    assert [p.label for p in sorted(UK.parse(x) for x in labels)] == [
        "2012/13",
        "2013-05-31",
        "2013/14 Q1",
        "2013-09",
    ]


def test_equality_different_typed_labels_gives_equal_and_same_hash():
    a, b = UK.parse("Sep-13"), UK.parse("2013-09")
    assert a == b
    assert hash(a) == hash(b)


def test_equality_month_and_day_same_dates_differ():
    assert Period(PeriodKind.DAY, date(2013, 9, 1), date(2013, 9, 1), "x") != UK.parse("2013-09")


# --- display labels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "display"),
    [
        ("2013-09", "Sep-13"),
        ("2013/14 Q2", "Sep 13"),
        ("2012/13", "Mar 13"),
        ("2013-09-30", "30 Sep 13"),
        ("2009-01-05", "5 Jan 09"),
    ],
)
def test_display_each_kind_gives_report_label(label, display):
    assert UK.parse(label).display == display


@pytest.mark.parametrize(
    ("label", "long"),
    [
        ("2013-09", "September 2013"),
        ("2013/14 Q2", "quarter to September 2013"),
        ("2012/13", "year 2012/13"),
        ("2013-09-30", "30 September 2013"),
    ],
)
def test_long_display_each_kind_gives_words(label, long):
    assert UK.parse(label).long_display == long


def test_str_period_gives_canonical_label():
    assert str(UK.parse("Sep-13")) == "2013-09"


# --- helpers ----------------------------------------------------------------------------------


def test_month_range_across_year_end_gives_every_month():
    months = month_range(UK.parse("2013-11"), UK.parse("2014-02"))
    assert [m.label for m in months] == ["2013-11", "2013-12", "2014-01", "2014-02"]


def test_month_range_last_before_first_gives_empty():
    assert month_range(UK.parse("2014-02"), UK.parse("2013-11")) == []


def test_days_between_month_ends_gives_days():
    assert days_between(UK.parse("2013-08"), UK.parse("2013-09")) == 30


def test_parse_split_year_quarter_with_calendar_year_raises():
    from kpiboard.core.periods import FinancialCalendar, PeriodError

    with pytest.raises(PeriodError, match="years run January to December"):
        FinancialCalendar(1).parse("2013/14 Q2")


def test_parse_remembers_a_label_and_gives_the_same_period():
    first = UK.parse("Sep-13")
    assert UK.parse("Sep-13") is first  # parsed once per calendar and label
    assert UK.parse("2013-09") == first
    assert FinancialCalendar(1).parse("2013 Q1") != UK.parse("2013/14 Q1")  # per calendar


def test_parse_of_a_bad_label_raises_every_time():
    for _ in range(2):
        with pytest.raises(PeriodError):
            UK.parse("Smarch-13")
