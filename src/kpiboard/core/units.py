"""Units of measure and how their values are written.

A committee reads "73%", "1,249", "5.84" and "£2.1m" side by side, so the unit, not the caller,
decides how a number is printed. That includes the pack's house style: the currency symbol, figures
kept in thousands or millions (a finance return's "£k"), and accounting brackets for negatives.

Numbers are rounded half away from zero on the value as written (74.5 -> 75, 2.675 -> 2.68,
-0.5 -> -1), as spreadsheets and most published statistics round: Python's own formatting
rounds a tie to even and works on the binary value (74.5 -> 74, 2.675 -> 2.67), which would
print figures that disagree with the officer's spreadsheet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum


class UnitKind(StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    RATE = "rate"
    CURRENCY = "currency"
    RATIO = "ratio"
    DAYS = "days"


class Scale(StrEnum):
    """How the figures in the data are written: in the unit itself, or in thousands or millions
    of it (a finance indicator's -2068 in thousands is a £2,068k deficit, not £2,068)."""

    ONE = "one"
    THOUSANDS = "thousands"
    MILLIONS = "millions"

    @property
    def suffix(self) -> str:
        return {Scale.ONE: "", Scale.THOUSANDS: "k", Scale.MILLIONS: "m"}[self]


#: The unit kinds whose figures may be kept in thousands or millions: money and counts. A
#: percentage, rate, ratio or number of days in thousands means nothing a reader would expect.
SCALABLE = (UnitKind.CURRENCY, UnitKind.COUNT)


class Negatives(StrEnum):
    """How a negative figure is written: "-£2,068k", or in accounting style "(£2,068k)"."""

    MINUS = "minus"
    BRACKETS = "brackets"


DEFAULT_DECIMALS = {
    UnitKind.PERCENT: 1,
    UnitKind.COUNT: 0,
    UnitKind.RATE: 2,
    UnitKind.CURRENCY: 0,
    UnitKind.RATIO: 2,
    UnitKind.DAYS: 1,
}


def plain(number: float) -> str:
    """A number as written, in no unit: no exponent, no lost digits (1500000 -> "1,500,000",
    5e-05 -> "0.00005")."""
    if not math.isfinite(number):
        return f"{number}"
    if number == 0:
        return "0"  # not "-0"
    return f"{Decimal(repr(float(number))).normalize():,f}"


def fixed(value: float, places: int) -> str:
    """``value`` with ``places`` decimals and thousands separators, a tie rounded away from zero.

    The float's shortest repr (what a person typed or a spreadsheet shows) is what is rounded.
    """
    if not math.isfinite(value):
        return f"{value:,.{places}f}"
    exact = Decimal(repr(float(value)))
    with localcontext() as context:
        context.prec = 400  # every digit of the largest float, so quantize never overflows
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    return f"{rounded:,.{places}f}"


def places_written(value: float) -> int:
    """How many decimals ``value`` has as written (2.675 -> 3, 1500.0 -> 0)."""
    if not math.isfinite(value):
        return 0
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


#: The most decimals a listing writes (see :meth:`Unit.format_full`).
FULL_PLACES = 6


@dataclass(frozen=True)
class Unit:
    """A unit and the pack's way of writing it.

    ``scale`` says the figures are in thousands or millions of the unit: they are printed as
    written with a "k" or "m" after them ("£2,068k", "1,249k"), never multiplied out, so the
    report shows what the finance return shows. ``symbol`` and ``negatives`` come from the
    manifest (``currency_symbol``, ``negatives``) so that every output of a pack agrees.
    """

    kind: UnitKind = UnitKind.COUNT
    decimals: int | None = None
    symbol: str = "£"  # currency only
    per: str = ""  # for rates, e.g. "per 100,000 population"
    scale: Scale = Scale.ONE
    negatives: Negatives = Negatives.MINUS

    @property
    def places(self) -> int:
        return DEFAULT_DECIMALS[self.kind] if self.decimals is None else self.decimals

    def format(self, value: float | None, *, trim: bool = True) -> str:
        """The value as printed; an empty string for a missing value.

        With ``trim`` a percentage drops a trailing ".0" (73.0 -> "73%") because reports print
        whole percentages without decimals while keeping 24.9% as it is.
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return self._written(fixed(value, self.places), trim=trim)

    def format_full(self, value: float | None) -> str:
        """The value in the unit with every decimal it has, for listings where a rounded figure
        would hide a difference (the command-line table): 73.25% stays "73.25%". A computed
        figure (a derived ratio) stops at six decimals rather than print binary noise."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        places = max(self.places, min(places_written(value), FULL_PLACES))
        return self._written(fixed(value, places), trim=True)

    def _written(self, text: str, *, trim: bool) -> str:
        """A rounded figure (``fixed`` output) with the unit's symbol, scale and sign style."""
        negative = text.startswith("-")
        digits = text.removeprefix("-")
        if trim and self.kind is UnitKind.PERCENT and "." in digits:
            digits = digits.rstrip("0").rstrip(".")
        if self.kind is UnitKind.PERCENT:
            body = f"{digits}%"
        elif self.kind is UnitKind.CURRENCY:
            body = f"{self.symbol}{digits}{self.scale.suffix}"
        else:
            body = f"{digits}{self.scale.suffix}"
        if not negative:
            return body
        return f"({body})" if self.negatives is Negatives.BRACKETS else f"-{body}"

    def format_difference(self, delta: float) -> str:
        """A gap between two values (always its size): percentage points for percentages,
        otherwise an amount in the unit, scale included ("£100k")."""
        if self.kind is UnitKind.PERCENT:
            text = fixed(abs(delta), self.places).rstrip("0").rstrip(".")
            return f"{text} percentage point" + ("" if text == "1" else "s")
        return self.format(abs(delta))

    @property
    def label(self) -> str:
        """What the raw figures are in, for machine-readable exports that keep them as written:
        "%", "£", "£k", "count", "thousands", "rate"."""
        if self.kind is UnitKind.PERCENT:
            return "%"
        if self.kind is UnitKind.CURRENCY:
            return f"{self.symbol}{self.scale.suffix}"
        if self.kind is UnitKind.COUNT:
            return "count" if self.scale is Scale.ONE else self.scale.value
        return f"{self.kind.value} {self.per}".strip()
