"""Units of measure and how their values are written.

A committee reads "73%", "1,249", "5.84" and "£2.1m" side by side, so the unit, not the caller,
decides how a number is printed.

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


@dataclass(frozen=True)
class Unit:
    kind: UnitKind = UnitKind.COUNT
    decimals: int | None = None
    symbol: str = "£"  # currency only
    per: str = ""  # for rates, e.g. "per 100,000 population"

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
        text = fixed(value, self.places)
        if trim and self.kind is UnitKind.PERCENT and "." in text:
            text = text.rstrip("0").rstrip(".")
        if self.kind is UnitKind.PERCENT:
            return f"{text}%"
        if self.kind is UnitKind.CURRENCY:
            return f"-{self.symbol}{text[1:]}" if text.startswith("-") else f"{self.symbol}{text}"
        return text

    def format_difference(self, delta: float) -> str:
        """A gap between two values: percentage points for percentages."""
        if self.kind is UnitKind.PERCENT:
            text = fixed(abs(delta), self.places).rstrip("0").rstrip(".")
            return f"{text} percentage point" + ("" if text == "1" else "s")
        return Unit(self.kind, self.decimals, self.symbol).format(abs(delta))
