"""Scales and text metrics for the report's charts: where values and periods go on the axes.

Round y-axis ticks that cover the data, periods in date order, and label widths estimated from
Arial's metrics (no font engine), so the x axis can be thinned to labels that do not collide.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from html import escape
from typing import TypeVar

from kpiboard.core.bounds import LIMIT
from kpiboard.core.periods import Period
from kpiboard.core.units import Unit, UnitKind

_T = TypeVar("_T")
_INF = math.inf

#: The largest magnitude a y axis reaches: a thousand times the largest stored figure. Only a
#: computed figure (a ratio over a tiny denominator) or a row stored before the bound goes
#: further; it is drawn at the axis's end, and its marker's title still says its value. Without
#: a limit, a span like -1e308 to 1e308 overflows to infinity and no tick fits it.
AXIS_LIMIT = 1_000 * LIMIT
#: The smallest tick step considered: below it, spans are one value (5e-324 and 0 alike).
_TINY = 1e-300


def on_axis(value: float) -> float:
    """``value`` within :data:`AXIS_LIMIT` (see there), so axis arithmetic cannot overflow."""
    return min(max(value, -AXIS_LIMIT), AXIS_LIMIT)


# Advance widths of Arial (and the metric-compatible Liberation Sans) in 1/1000 em, used to lay
# out legends and thin axis labels without a font engine.
_ARIAL_WIDTHS: dict[str, int] = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333,
    ")": 333, "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278,
    "<": 584, "=": 584, ">": 584, "?": 556, "@": 1015, "[": 278, "]": 278, "_": 556, "£": 556,
    "€": 556, "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722,
    "I": 278, "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778,
    "R": 722, "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222,
    "j": 222, "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333,
    "s": 500, "t": 278, "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
}  # fmt: skip
for _digit in "0123456789":
    _ARIAL_WIDTHS[_digit] = 556


@lru_cache(maxsize=4096)
def text_width(text: str, size: float) -> float:
    """Estimated rendered width of ``text`` in Arial at ``size`` pixels."""
    return sum(_ARIAL_WIDTHS.get(ch, 600) for ch in text) * size / 1000


# --------------------------------------------------------------------------------------------
# Scales


def period_order(periods: Sequence[Period]) -> list[int] | None:
    """The indices of ``periods`` in date order; None when they are in order already."""
    keys = [p.sort_key for p in periods]
    return None if keys == sorted(keys) else sorted(range(len(periods)), key=keys.__getitem__)


def in_order(seq: Sequence[_T], order: list[int] | None) -> list[_T]:
    """``seq`` rearranged into drawing order (see :func:`period_order`)."""
    return list(seq) if order is None else [seq[i] for i in order]


def clean_values(values: Sequence[float | None], order: list[int] | None) -> list[float | None]:
    """Values in drawing order; NaN and infinities count as missing (NaN fails both tests)."""
    if order is not None:
        values = [values[i] for i in order]
    return [v if v is not None and -_INF < v < _INF else None for v in values]


def _decimals(step: float) -> int:
    """How many decimals ``step`` needs; 0 for a step too large to have any (or not finite)."""
    for d in range(10):
        scaled = step * 10**d
        if not math.isfinite(scaled) or abs(scaled) >= 2.0**52:  # every such float is whole
            return d
        if round(scaled) > 0 and abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return d  # (a step of 1e-69 is not whole at 0 decimals: it needs more than 10)
    return 10


def nice_ticks(
    lo: float, hi: float, count: int = 5, max_decimals: int = 6
) -> tuple[list[float], int]:
    """Evenly spaced round tick values covering ``[lo, hi]`` and how many decimals they need.

    Steps are 1, 2, 2.5 or 5 times a power of ten, about ``count`` ticks, and never finer than
    ``max_decimals`` decimal places (a count axis does not get a tick at 2.5). The first tick is
    at or below ``lo`` and the last at or above ``hi``; there are always at least two. Any
    finite range is taken, clamped to :data:`AXIS_LIMIT`.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("tick range must be finite")
    lo, hi = sorted((on_axis(lo), on_axis(hi)))
    if hi == lo:
        half = abs(lo) * 0.05 or 0.5
        lo, hi = lo - half, hi + half
    raw = max((hi - lo) / max(1, count - 1), _TINY)
    top = math.floor(math.log10(raw)) + 1
    exponent = top - 2
    best: tuple[float, float, int, int] | None = None  # (score, step, first, last)
    fallback: tuple[float, int, int] | None = None  # the finest step that is allowed at all
    while exponent <= top or fallback is None:
        base = 10.0**exponent
        exponent += 1
        for multiple in (1, 2, 2.5, 5):
            step = multiple * base
            if _decimals(step) > max_decimals or step < raw / 3:
                continue
            first = math.floor(lo / step + 1e-9)
            last = max(math.ceil(hi / step - 1e-9), first + 1)  # a span, even of a tiny range
            n = last - first + 1
            if n > count + 2:
                continue
            if fallback is None:
                fallback = (step, first, last)
            if n < 3 and step > raw * 1.5:
                continue
            # Prefer axes the data fill, with about ``count`` ticks, on 1-2-5 steps over 2.5.
            coverage = (hi - lo) / ((last - first) * step)
            score = coverage - 0.1 * abs(n - count) - (0.1 if multiple == 2.5 else 0)
            if best is None or score > best[0] + 1e-12:
                best = (score, step, first, last)
    if best is not None:
        _, step, first, last = best
    else:
        assert fallback is not None
        step, first, last = fallback
    decimals = _decimals(step)
    return [round(i * step, decimals) + 0.0 for i in range(first, last + 1)], decimals


def value_range(values: list[float], unit: Unit) -> tuple[float, float]:
    """The span the y axis must show: the data, padded, reaching zero only when near it.

    Values beyond :data:`AXIS_LIMIT` count as at it, so the span and its padding stay finite.
    """
    data_lo, data_hi = lo, hi = on_axis(min(values)), on_axis(max(values))
    if hi == lo:  # one value, or all equal: centre it in a band a fifth of its size
        half = abs(hi) * 0.1 or 0.5
        lo, hi = lo - half, hi + half
        if data_lo >= 0:
            lo = max(lo, 0.0)
    # Reach zero when the data sit in the lowest quarter above it (or the mirror for negatives).
    if 0 < lo < 0.25 * hi:
        lo = 0.0
    elif 0 > hi > 0.25 * lo:
        hi = 0.0
    pad = (hi - lo) * 0.06
    new_lo, new_hi = lo - pad, hi + pad
    if data_lo >= 0:  # never show negatives the data do not have
        new_lo = max(new_lo, 0.0)
    elif data_hi <= 0:
        new_hi = min(new_hi, 0.0)
    if unit.kind is UnitKind.PERCENT and data_hi <= 100:
        new_hi = min(new_hi, 100.0)
    return new_lo, new_hi


@lru_cache(maxsize=512)
def axis_labels(unit: Unit, ticks: tuple[float, ...], decimals: int) -> tuple[str, ...]:
    """Escaped y-axis labels, every one with the decimals the tick step needs."""
    axis_unit = replace(unit, decimals=decimals)
    return tuple(escape(axis_unit.format(t, trim=False)) for t in ticks)


#: Label every k-th period for the first k here that fits: calendar-friendly strides.
_STRIDES = (1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120)


def label_indices(xs: list[float], widths: list[float], gap: float = 10.0) -> list[int]:
    """Which x labels to print: every k-th, counted back from the latest, for the smallest k that
    keeps neighbouring labels ``gap`` pixels apart (k from :data:`_STRIDES`, then any)."""
    n = len(xs)
    for k in (*_STRIDES, *range(_STRIDES[-1] + 1, n + 1)):
        chosen = list(range(n - 1, -1, -k))
        if all(
            xs[a] - xs[b] >= (widths[a] + widths[b]) / 2 + gap
            for a, b in itertools.pairwise(chosen)
        ):
            return chosen[::-1]
    return [n - 1] if n else []
