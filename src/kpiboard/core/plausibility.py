"""Is a figure someone typed plausible? Warnings the owner confirms, never refusals.

A figure can be storable (within :mod:`.bounds`) and still almost certainly a slip: 740 for a
percentage that has run at 70-80 for years, or 12490 for a count that is usually 1249. Refusing
such figures would stop the rare real one, so these checks warn, and the owner confirms the
figure is right before it is saved. The rules:

- **Outside the unit's range**: a percentage below 0 or over 100, or a negative count or number
  of days. (Some percentages can pass 100, such as a caseload over capacity; hence a warning.)
- **Outside the recent run's limits**: beyond the process limits of the last
  :data:`RUN_LENGTH` figures (an XmR chart's mean +/- 2.66 mean moving ranges), when there are
  at least :data:`MIN_RUN` of them.
- **Ten times the last figure**, or a tenth of it: a decimal point or a zero in the wrong place.

Also here: reading a number as people type it into a form, with thousands commas and a
trailing % (``1,249`` and ``74%``), which a pack's CSV files do not accept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from .units import UnitKind

#: How many recent figures make the run the limits are worked out from.
RUN_LENGTH = 24
#: The fewest figures the limits are worked out from.
MIN_RUN = 6
#: How far from the last figure (as a factor either way) is far enough to warn.
JUMP = 10.0
#: The XmR chart's constant: limits at the mean +/- 2.66 times the mean moving range.
XMR_CONSTANT = 2.66

_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
NUMBER_EXAMPLE = "like 73, 1,249 or 5.84"


def read_entered_number(text: str, unit: UnitKind) -> float | None:
    """The number someone typed into a form, or None for an empty box.

    Thousands commas (``1,249``, ``12,345.5``), an accounting negative in brackets (``(2,068)``)
    and, for a percentage, a trailing % (``74%``) are accepted. Anything else raises
    ``ValueError`` with a message that says what to type."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if text.startswith("(") and text.endswith(")") and text[1:2] not in ("(", "-", "+", ")"):
        value = read_entered_number(text[1:-1], unit)  # an accounting negative: (2,068)
        return None if value is None else 0.0 - value
    if text.endswith("%"):
        if unit is not UnitKind.PERCENT:
            raise ValueError(f"Enter a number without the % sign, {NUMBER_EXAMPLE}")
        text = text[:-1]
    if not _NUMBER.fullmatch(text):
        if "," in text:
            raise ValueError(
                "Enter the number with commas only between thousands, like 1,249 or 12,345.5"
            )
        raise ValueError(f"Enter a number, {NUMBER_EXAMPLE}")
    value = float(text.replace(",", ""))
    if not math.isfinite(value):  # 1e999
        raise ValueError(f"Enter a number, {NUMBER_EXAMPLE}")
    return value


class Concern(StrEnum):
    """Why a figure looks implausible."""

    OVER_100 = "over_100"
    NEGATIVE = "negative"
    OUTSIDE_LIMITS = "outside_limits"
    JUMP = "jump"


@dataclass(frozen=True)
class PlausibilityWarning:
    concern: Concern
    message: str


@dataclass(frozen=True)
class Limits:
    lower: float
    upper: float


def run_limits(history: Sequence[float]) -> Limits | None:
    """Process limits of the last :data:`RUN_LENGTH` finite figures (oldest first), or None with
    fewer than :data:`MIN_RUN`, or when every figure is the same (no variation to judge by)."""
    run = [float(v) for v in history if v is not None and math.isfinite(v)][-RUN_LENGTH:]
    if len(run) < MIN_RUN:
        return None
    mean = sum(run) / len(run)
    ranges = [abs(b - a) for a, b in pairwise(run)]
    spread = sum(ranges) / len(ranges)
    if spread == 0 or not math.isfinite(mean) or not math.isfinite(spread):
        return None  # no variation, or figures so large the arithmetic overflows
    return Limits(mean - XMR_CONSTANT * spread, mean + XMR_CONSTANT * spread)


def _range_warning(value: float, unit: UnitKind) -> PlausibilityWarning | None:
    if unit is UnitKind.PERCENT and value > 100:
        return PlausibilityWarning(Concern.OVER_100, "is a percentage over 100")
    if unit is UnitKind.PERCENT and value < 0:
        return PlausibilityWarning(Concern.NEGATIVE, "is a negative percentage")
    if unit in (UnitKind.COUNT, UnitKind.DAYS) and value < 0:
        return PlausibilityWarning(Concern.NEGATIVE, "is below zero")
    return None


def _jump_warning(value: float, last: float | None, shown: str) -> PlausibilityWarning | None:
    if last is None or not math.isfinite(last) or last == 0 or value == 0:
        return None
    if (value > 0) != (last > 0):
        return None  # a change of sign: the limits, not the ratio, speak to that
    ratio = abs(value / last)
    if ratio >= JUMP:
        return PlausibilityWarning(Concern.JUMP, f"is ten times or more the last figure ({shown})")
    if ratio <= 1 / JUMP:
        return PlausibilityWarning(Concern.JUMP, f"is a tenth or less of the last figure ({shown})")
    return None


def plausibility_warnings(
    value: float | None,
    unit: UnitKind,
    history: Sequence[float],
    show=lambda v: f"{v:g}",
) -> list[PlausibilityWarning]:
    """What looks wrong with ``value`` for an indicator of ``unit`` whose earlier figures are
    ``history`` (oldest first; NaN for a gap). ``show`` writes a number for the messages.
    Each message completes a sentence that starts with the figure ("740 is ...")."""
    if value is None or not math.isfinite(value):
        return []
    warnings = []
    in_range = _range_warning(value, unit)
    if in_range:
        warnings.append(in_range)
    limits = run_limits(history)
    if limits is not None and not limits.lower <= value <= limits.upper:
        warnings.append(
            PlausibilityWarning(
                Concern.OUTSIDE_LIMITS,
                f"is outside the range the recent figures run in ({show(limits.lower)} to "
                f"{show(limits.upper)})",
            )
        )
    finite = [float(v) for v in history if v is not None and math.isfinite(v)]
    jump = _jump_warning(value, finite[-1] if finite else None, show(finite[-1]) if finite else "")
    if jump:
        warnings.append(jump)
    return warnings
