"""England and Wales bank holidays from the ``holidays`` package, as the calendar uses them."""

from __future__ import annotations

from datetime import date

from kpiboard.web.bank_holidays import england_and_wales


def test_england_and_wales_bank_holidays_include_christmas_easter_and_substitutes():
    found = england_and_wales([2013, 2014, 2015, 2020])
    assert {date(2013, 12, 25), date(2013, 12, 26), date(2014, 1, 1)} <= found
    assert {date(2014, 4, 18), date(2014, 4, 21)} <= found  # Good Friday, Easter Monday
    assert date(2015, 12, 28) in found  # Boxing Day on a Saturday: the Monday instead
    assert date(2020, 5, 8) in found and date(2020, 5, 4) not in found  # May Day moved for VE Day
    assert date(2014, 3, 17) not in found  # St Patrick's Day: Northern Ireland only
    assert date(2014, 1, 2) not in found  # 2 January: Scotland only
