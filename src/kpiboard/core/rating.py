"""RAG rating: one figure against its target, under the rule in force for its financial year.

The key printed on committee reports defines the boundaries: meeting the target exactly is Green;
behind target but at or within the minimum acceptable level (the floor) is Amber; beyond the floor
is Red. Missing figures or targets are states of their own, never a colour.

The key is written once, in :func:`rate_array`, which rates millions of cells with numpy;
:func:`rate` is a view of one cell for callers with a single figure. The hand-worked cases in
``tests/core/test_rating.py`` pin the key's boundaries.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

from .units import plain


class Rating(IntEnum):
    NO_DATA = 0
    NO_TARGET = 1
    NOT_RATED = 2
    RED = 3
    AMBER = 4
    GREEN = 5

    @property
    def is_colour(self) -> bool:
        return self >= Rating.RED

    @property
    def words(self) -> str:
        return _WORDS[self]


_WORDS = {
    Rating.NO_DATA: "No data",
    Rating.NO_TARGET: "No target",
    Rating.NOT_RATED: "Not rated",
    Rating.RED: "Red",
    Rating.AMBER: "Amber",
    Rating.GREEN: "Green",
}


class Polarity(StrEnum):
    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"
    CLOSE = "close_to_target"

    @property
    def code(self) -> int:
        return _POLARITY_CODE[self]

    @property
    def words(self) -> str:
        return {
            Polarity.HIGHER: "Higher is better",
            Polarity.LOWER: "Lower is better",
            Polarity.CLOSE: "As close to target as possible",
        }[self]


_POLARITY_CODE = {Polarity.HIGHER: 1, Polarity.LOWER: -1, Polarity.CLOSE: 0}

#: Relative tolerance for "exactly on the target or floor": values typed to two decimals must not
#: flip colour because 6 * 1.1 is 6.6000000000000005 in binary floating point.
REL_TOL = 1e-9


@dataclass(frozen=True)
class Band:
    """A distance from the target: a share of it (``relative``) or an amount in the unit."""

    value: float
    relative: bool = True

    def width(self, target: float) -> float:
        return self.value * abs(target) if self.relative else self.value

    def describe(self, amount: Callable[[float], str] = plain) -> str:
        """In words; ``amount`` writes an absolute width (e.g. "3 percentage points")."""
        if self.relative:
            return f"{plain(round(self.value * 100, 9))}% of the target"  # 0.07 * 100 = 7.000...01
        return amount(self.value)


@dataclass(frozen=True)
class RuleVersion:
    """How an indicator is rated from a financial year onwards.

    ``amber`` is the band behind target that is still Amber (``None``: no Amber at all); ``floor``,
    when set, is the explicit minimum acceptable level and takes the place of the band. ``green``
    is used by close-to-target indicators only: how far either side of the target is still Green
    (their ``amber`` is then the outer band).
    """

    from_year: int | None = None  # first financial year (start year); None = from the beginning
    amber: Band | None = Band(0.10)
    floor: float | None = None
    green: Band = Band(0.05)
    close_amber: Band = Band(0.15)

    def floor_for(self, target: float, polarity: Polarity) -> float | None:
        """The minimum acceptable level for ``target``: the explicit floor or the band's edge.

        None for close-to-target indicators (two-sided) and for rules without Amber.
        """
        if polarity is Polarity.CLOSE:
            return None
        if self.floor is not None:
            return self.floor
        if self.amber is None:
            return None
        width = self.amber.width(target)
        return target - width if polarity is Polarity.HIGHER else target + width

    def describe(
        self,
        polarity: Polarity,
        value: Callable[[float], str] = plain,
        amount: Callable[[float], str] = plain,
    ) -> str:
        """The rule in words; ``value`` writes a level (the floor) and ``amount`` a band width,
        in the indicator's unit (``Unit.format`` and ``Unit.format_difference``)."""
        if polarity is Polarity.CLOSE:
            text = f"Green within {self.green.describe(amount)} either side"
            if self.amber is None:
                return text + "; Red beyond it (no Amber band)"
            return text + f"; Amber within {self.close_amber.describe(amount)}; Red beyond"
        if self.floor is not None:
            # The minimum acceptable level is below the target, or above it when lower is better.
            way = "up" if polarity is Polarity.LOWER else "down"
            return f"Amber {way} to a floor of {value(self.floor)}; Red beyond the floor"
        if self.amber is None:
            return "No Amber band: Red as soon as the target is missed"
        return f"Amber within {self.amber.describe(amount)}; Red beyond"


DEFAULT_RULE = RuleVersion()


def rule_for_year(rules: tuple[RuleVersion, ...], year: int) -> RuleVersion:
    """The rule in force for financial year ``year`` (rules sorted by ``from_year``)."""
    chosen = rules[0] if rules else DEFAULT_RULE
    for rule in rules:
        if rule.from_year is None or rule.from_year <= year:
            chosen = rule
    return chosen


def _nan_if_missing(value: float | None) -> float:
    return math.nan if value is None else float(value)


def rate(
    actual: float | None,
    target: float | None,
    polarity: Polarity,
    rule: RuleVersion = DEFAULT_RULE,
    *,
    rated: bool = True,
    floor: float | None = None,
) -> Rating:
    """Rate one figure. ``floor`` (a per-period floor) wins over the rule's floor and band.

    A view over :func:`rate_array`, the one implementation of the key: one cell of it.
    """
    target_cell = np.array([_nan_if_missing(target)])
    rules = resolve_rule_arrays(target_cell, [rule], np.array([_nan_if_missing(floor)]))
    code = rate_array(
        np.array([_nan_if_missing(actual)]), target_cell, polarity.code, rules, np.array([rated])
    )
    return Rating(int(code[0]))


@dataclass(frozen=True)
class RuleArrays:
    """A rule resolved per cell, for :func:`rate_array`. NaN means "not set"."""

    amber_width: np.ndarray  # allowed shortfall; NaN = no amber (ignored where floor is set)
    floor: np.ndarray
    green_width: np.ndarray  # close-to-target only
    close_amber_width: np.ndarray  # close-to-target only; NaN = no amber


def rule_widths(
    rule: RuleVersion, target: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``rule``'s (amber, floor, green, close amber) for every cell of ``target``, any shape.

    The one place a rule becomes widths. Cells without a target get NaN (they are No target);
    a ``floor`` value that is set wins over the rule's floor, as in :func:`rate`.
    """
    missing = np.isnan(target)
    size = np.abs(target)

    def width(band: Band | None) -> np.ndarray:
        if band is None:
            return np.full(target.shape, np.nan)
        if band.relative:
            return band.value * size  # NaN where the target is missing
        out = np.full(target.shape, float(band.value))
        out[missing] = np.nan
        return out

    floors = np.asarray(floor, dtype=float)
    if rule.floor is not None:
        floors = floors.copy()
        floors[np.isnan(floors) & ~missing] = rule.floor
    close_amber = width(rule.close_amber if rule.amber is not None else None)
    return width(rule.amber), floors, width(rule.green), close_amber


def resolve_rule_arrays(
    target: np.ndarray, rules: list[RuleVersion], floor_series: np.ndarray | None = None
) -> RuleArrays:
    """Widths for each cell of ``target`` (shape (p,) or (k, p)) under ``rules[j]`` for column j.

    A per-period ``floor_series`` value wins over the rule's floor, as in :func:`rate`.
    """
    target = np.asarray(target, dtype=float)
    shape = target.shape
    floor = np.full(shape, np.nan) if floor_series is None else np.asarray(floor_series, float)
    if len({id(rule) for rule in rules}) == 1 and len(rules) == shape[-1]:
        return RuleArrays(*rule_widths(rules[0], target, floor))  # one rule for every column
    arrays = RuleArrays(*(np.full(shape, np.nan) for _ in range(4)))
    columns: dict[int, tuple[RuleVersion, list[int]]] = {}
    for j, rule in enumerate(rules):
        columns.setdefault(id(rule), (rule, []))[1].append(j)
    for rule, cols in columns.values():
        at = (..., cols) if len(cols) < shape[-1] else (...,)
        widths = rule_widths(rule, target[at], floor[at])
        for name, value in zip(
            ("amber_width", "floor", "green_width", "close_amber_width"), widths, strict=True
        ):
            getattr(arrays, name)[at] = value
    return arrays


def _spread(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return mask if mask.shape == shape else np.broadcast_to(mask, shape)


def rate_array(
    actual: npt.ArrayLike,
    target: npt.ArrayLike,
    polarity: npt.ArrayLike,
    rules: RuleArrays,
    rated: npt.ArrayLike | None = None,
) -> np.ndarray:
    """The key, for whole arrays: exactly on or past the target is Green; behind it but within
    the floor (or the Amber band's width) is Amber; beyond is Red. Close-to-target indicators are
    Green within ``green_width`` either side and Amber within ``close_amber_width``. Missing
    figures are No data, missing targets No target. Arrays broadcast together; returns ``int8``
    :class:`Rating` codes.

    ``polarity`` holds :attr:`Polarity.code` values (1 higher, -1 lower, 0 close).
    """
    actual, target, polarity = (
        np.asarray(actual, float),
        np.asarray(target, float),
        np.asarray(polarity),
    )
    shape = np.broadcast_shapes(actual.shape, target.shape, polarity.shape)
    tol = np.abs(target)
    np.maximum(tol, 1.0, out=tol)
    tol *= REL_TOL
    close = polarity == 0  # in polarity's own shape: broadcast below
    with np.errstate(invalid="ignore"):
        # How far behind the target the figure is, and the edges of Green and Amber: for
        # close-to-target indicators the gap either side and their two bands; for the others
        # the shortfall by the polarity and the floor's (or the Amber band's) allowance.
        sign = np.where(polarity < 0, -1.0, 1.0)
        behind = np.where(close, np.abs(actual - target), sign * (target - actual))
        floor_allowed = sign * (target - rules.floor)
        allowed = np.where(np.isnan(rules.floor), rules.amber_width, floor_allowed)
        green_edge = np.where(close, rules.green_width + tol, tol)
        amber_edge = np.where(close, rules.close_amber_width, allowed)
        amber_edge += tol
        out = np.where(
            behind <= green_edge,
            np.int8(Rating.GREEN),
            np.where(behind <= amber_edge, np.int8(Rating.AMBER), np.int8(Rating.RED)),
        )
    full = np.broadcast_shapes(shape, out.shape)
    if out.shape != full:
        out = np.array(np.broadcast_to(out, full))
    out[_spread(np.isnan(target), full)] = Rating.NO_TARGET
    out[_spread(np.isnan(actual), full)] = Rating.NO_DATA
    if rated is not None:
        out[_spread(~np.asarray(rated, bool), full)] = Rating.NOT_RATED
    return out
