"""Reporting periods on a financial-year calendar.

Public bodies report by financial year (April to March in the UK), so a quarter is a quarter of the
financial year and a "year" is a financial year. Every period knows its first and last day, which is
what puts irregularly spaced points on a real time axis.

Canonical labels, the ones packs store:

==========  ===============  ===================
kind        canonical label  display label
==========  ===============  ===================
month       ``2013-09``      ``Sep-13``
quarter     ``2013/14 Q2``   ``Sep 13`` (its end)
year        ``2012/13``      ``Mar 13`` (its end)
day         ``2013-09-30``   ``30 Sep 13``
==========  ===============  ===================
"""

from __future__ import annotations

import calendar as _calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

MONTH_ABBR = tuple(_calendar.month_abbr)  # ('', 'Jan', ..., 'Dec')
_MONTH_NUMBER = {name.lower(): i for i, name in enumerate(MONTH_ABBR) if name}
_MONTH_NUMBER.update({name.lower(): i for i, name in enumerate(_calendar.month_name) if name})
_MONTH_NUMBER["sept"] = 9


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    DAY = "day"


class PeriodError(ValueError):
    """A period label that cannot be read."""


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class FinancialCalendar:
    """A financial year starting on the first day of ``start_month`` (4 = April, the UK default)."""

    start_month: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"financial year start month must be 1-12, not {self.start_month}")

    def year_of(self, day: date) -> int:
        """The calendar year in which the financial year containing ``day`` starts."""
        return day.year if day.month >= self.start_month else day.year - 1

    def year_label(self, start_year: int) -> str:
        if self.start_month == 1:
            return f"{start_year:04d}"
        return f"{start_year:04d}/{(start_year + 1) % 100:02d}"

    def year(self, start_year: int) -> Period:
        start = date(start_year, self.start_month, 1)
        end_y, end_m = _add_months(start_year, self.start_month, 11)
        return Period(PeriodKind.YEAR, start, _month_end(end_y, end_m), self.year_label(start_year))

    def quarter(self, start_year: int, number: int) -> Period:
        if not 1 <= number <= 4:
            raise PeriodError(f"quarter must be 1-4, not {number}")
        y, m = _add_months(start_year, self.start_month, 3 * (number - 1))
        end_y, end_m = _add_months(y, m, 2)
        label = f"{self.year_label(start_year)} Q{number}"
        return Period(PeriodKind.QUARTER, date(y, m, 1), _month_end(end_y, end_m), label)

    def quarter_of(self, day: date) -> Period:
        fy = self.year_of(day)
        months_in = (day.year * 12 + day.month) - (fy * 12 + self.start_month)
        return self.quarter(fy, months_in // 3 + 1)

    def month(self, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"month must be 1-12, not {month}")
        return Period(
            PeriodKind.MONTH,
            date(year, month, 1),
            _month_end(year, month),
            f"{year:04d}-{month:02d}",
        )

    def day(self, day: date) -> Period:
        return Period(PeriodKind.DAY, day, day, day.isoformat())

    def parse(self, label: str) -> Period:
        """Read a period label: canonical forms plus the spreadsheet forms people type.

        Accepted: ``2013-09``, ``Sep-13``, ``Sep 13``, ``Sep 2013``, ``September 2013`` (months);
        ``2013/14 Q2`` and ``Q2 2013/14`` (quarters); ``2013/14`` or ``FY 2013/14`` (years);
        ``2013-09-30`` (days). A bare month name with a year is always a month: a year-end must be
        written as its financial year.

        Remembered per calendar and label: a pack of 60,000 figures has a few dozen labels, and
        periods are immutable, so one can be shared.
        """
        # Spacing does not change a label: "Sep-13 " is remembered as "Sep-13".
        return _parse_remembered(self, " ".join(str(label).split()))

    def _parse(self, text: str) -> Period:
        if not text:
            raise PeriodError("empty period label")
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            try:
                return self.day(date(int(m[1]), int(m[2]), int(m[3])))
            except ValueError as exc:
                raise PeriodError(f"{text!r} is not a real date") from exc
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            first, second = int(m[1]), int(m[2])
            if 1 <= second <= 12:
                return self.month(first, second)
            if self.start_month != 1 and second == (first + 1) % 100:
                return self.year(first)  # "2013-14" cannot be a month, so it is a year
            raise PeriodError(f"{text!r}: month must be 01-12")
        if m := re.fullmatch(r"(?:FY\s*)?(\d{4})/(\d{2}|\d{4})", text, re.IGNORECASE):
            first, second = int(m[1]), int(m[2]) % 100
            if self.start_month != 1 and second == (first + 1) % 100:
                return self.year(first)
            raise PeriodError(f"{text!r} is not a financial year (expected e.g. 2013/14)")
        if m := re.fullmatch(
            r"(\d{4}[/-]\d{2,4}|\d{4})\s*Q([1-4])", text, re.IGNORECASE
        ) or re.fullmatch(r"Q([1-4])\s*(\d{4}[/-]\d{2,4}|\d{4})", text, re.IGNORECASE):
            year_text, q = (m[1], m[2]) if m[1][0] != "Q" and len(m[1]) >= 4 else (m[2], m[1])
            year = self._year_from_label(year_text, text)
            return self.quarter(year, int(q))
        if m := re.fullmatch(r"([A-Za-z]+)[\s\-/']*(\d{2}|\d{4})", text):
            month = _MONTH_NUMBER.get(m[1].lower())
            if month is None:
                raise PeriodError(f"{text!r}: {m[1]!r} is not a month name")
            year = int(m[2])
            if len(m[2]) == 2:
                year += 2000 if year < 70 else 1900
            return self.month(year, month)
        if self.start_month == 1 and re.fullmatch(r"\d{4}", text):
            return self.year(int(text))
        raise PeriodError(
            f"{text!r} is not a period label (use 2013-09, 2013/14 Q2, 2013/14 or 2013-09-30)"
        )

    def _year_from_label(self, year_text: str, whole: str) -> int:
        if m := re.fullmatch(r"(\d{4})(?:[/-](\d{2,4}))?", year_text):
            first = int(m[1])
            if m[2] is not None and int(m[2]) % 100 != (first + 1) % 100:
                raise PeriodError(f"{whole!r}: {year_text!r} is not a financial year")
            if m[2] is not None and self.start_month == 1:
                raise PeriodError(f"{whole!r}: years run January to December here; write {first}")
            return first
        raise PeriodError(f"{whole!r}: cannot read the year")

    def containing(self, kind: PeriodKind, day: date) -> Period:
        if kind is PeriodKind.MONTH:
            return self.month(day.year, day.month)
        if kind is PeriodKind.QUARTER:
            return self.quarter_of(day)
        if kind is PeriodKind.YEAR:
            return self.year(self.year_of(day))
        return self.day(day)


UK = FinancialCalendar(4)


@functools.total_ordering
@dataclass(frozen=True, order=False)
class Period:
    kind: PeriodKind
    start: date
    end: date
    label: str = field(compare=False)

    @property
    def display(self) -> str:
        """The short label a committee report prints (``Sep-13``, ``Jun 13``, ``Mar 13``)."""
        if self.kind is PeriodKind.MONTH:
            return f"{MONTH_ABBR[self.end.month]}-{self.end.year % 100:02d}"
        if self.kind is PeriodKind.DAY:
            return f"{self.end.day} {MONTH_ABBR[self.end.month]} {self.end.year % 100:02d}"
        return f"{MONTH_ABBR[self.end.month]} {self.end.year % 100:02d}"

    @property
    def long_display(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{_calendar.month_name[self.end.month]} {self.end.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"quarter to {_calendar.month_name[self.end.month]} {self.end.year}"
        if self.kind is PeriodKind.YEAR:
            return f"year {self.label}"
        return f"{self.end.day} {_calendar.month_name[self.end.month]} {self.end.year}"

    @property
    def sort_key(self) -> tuple[date, date]:
        # Periods ending the same day sort longest first, so a year precedes its last quarter.
        return (self.end, self.start)

    def __lt__(self, other: object) -> bool:
        """Periods order by end date (then longest first); ``<=``, ``>`` and ``>=`` follow from
        this and equality, so every comparison a rule or option needs works."""
        if not isinstance(other, Period):
            return NotImplemented
        return (self.end, self.start) < (other.end, other.start)  # sort_key, without the calls

    def __hash__(self) -> int:
        # Equal periods have equal labels, and a label's hash is kept by the string: hashing a
        # period (a million times when a long file is read) costs no more than hashing its label.
        return hash(self.label)

    def shifted_year(self, calendar: FinancialCalendar, years: int = -1) -> Period:
        """The same period ``years`` years away (for year-on-year comparison)."""
        if self.kind is PeriodKind.MONTH:
            return calendar.month(self.start.year + years, self.start.month)
        if self.kind is PeriodKind.QUARTER:
            fy = calendar.year_of(self.start)
            number = int(self.label.rsplit("Q", 1)[1])
            return calendar.quarter(fy + years, number)
        if self.kind is PeriodKind.YEAR:
            return calendar.year(calendar.year_of(self.start) + years)
        try:
            return calendar.day(self.start.replace(year=self.start.year + years))
        except ValueError:  # 29 February
            return calendar.day(self.start.replace(year=self.start.year + years, day=28))

    def __str__(self) -> str:
        return self.label


def month_range(first: Period, last: Period, calendar: FinancialCalendar = UK) -> list[Period]:
    """Every month from ``first`` to ``last`` inclusive."""
    out: list[Period] = []
    y, m = first.start.year, first.start.month
    while (y, m) <= (last.start.year, last.start.month):
        out.append(calendar.month(y, m))
        y, m = _add_months(y, m, 1)
    return out


def days_between(a: Period, b: Period) -> int:
    return (b.end - a.end) // timedelta(days=1)


@functools.lru_cache(maxsize=8192)
def _parse_remembered(calendar: FinancialCalendar, label: str) -> Period:
    return calendar._parse(label)
