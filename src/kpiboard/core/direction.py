"""Direction of travel: has performance got better or worse since the comparison period?

"Better" follows the indicator's polarity; for close-to-target indicators it means closer to the
target of each period. Equal values (within floating-point noise) are "no change".
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from .rating import REL_TOL, Polarity

#: The key's line for indicators whose direction compares with a year earlier.
YEAR_AGO_KEY_NOTE = (
    "Year-to-date figures, and any indicator set to compare with a year earlier, show the "
    "direction since the same period last year rather than since the period before."
)


class Direction(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    NO_CHANGE = "no_change"
    NOT_COMPARABLE = "not_comparable"

    @property
    def code(self) -> int:
        return _CODES[self]

    @classmethod
    def from_code(cls, code: int) -> Direction:
        return _FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return {
            Direction.IMPROVED: "Improved",
            Direction.WORSENED: "Worsened",
            Direction.NO_CHANGE: "No change",
            Direction.NOT_COMPARABLE: "Not comparable",
        }[self]


_CODES = {
    Direction.WORSENED: -1,
    Direction.NO_CHANGE: 0,
    Direction.IMPROVED: 1,
    Direction.NOT_COMPARABLE: 2,
}
_FROM_CODE = {v: k for k, v in _CODES.items()}


class Basis(StrEnum):
    PREVIOUS = "previous"  # the period before in the series
    YEAR_AGO = "year_ago"  # the same period a year earlier


def _cell(x: float | None) -> np.ndarray:
    return np.array([math.nan if x is None else float(x)])


def direction(
    current: float | None,
    previous: float | None,
    polarity: Polarity,
    target_current: float | None = None,
    target_previous: float | None = None,
) -> Direction:
    """Compare two figures of one indicator: a view of one cell of :func:`direction_array`."""
    code = direction_array(
        _cell(current), _cell(previous), polarity.code, _cell(target_current),
        _cell(target_previous),
    )  # fmt: skip
    return Direction.from_code(int(code[0]))


def direction_array(
    current: npt.ArrayLike,
    previous: npt.ArrayLike,
    polarity: npt.ArrayLike,
    target_current: npt.ArrayLike,
    target_previous: npt.ArrayLike,
) -> np.ndarray:
    """The rule, for whole arrays: better or worse by the polarity (closer to each period's target
    for close-to-target indicators), equal within floating-point noise is No change, and a
    missing figure (or target, when closeness is judged) is Not comparable. Returns ``int8``
    :attr:`Direction.code` values."""
    current, previous, target_current, target_previous = (
        np.asarray(x, float) for x in (current, previous, target_current, target_previous)
    )
    polarity = np.asarray(polarity)  # kept in its own shape (one per row): broadcast below
    shape = np.broadcast_shapes(
        current.shape, previous.shape, polarity.shape, target_current.shape, target_previous.shape
    )
    with np.errstate(invalid="ignore", over="ignore"):  # huge figures: an infinite difference
        sign = np.where(polarity < 0, -1.0, 1.0)
        close = polarity == 0
        now = np.where(close, -np.abs(current - target_current), sign * current)
        then = np.where(close, -np.abs(previous - target_previous), sign * previous)
        tol = np.maximum(np.abs(now), np.abs(then))
        np.maximum(tol, 1.0, out=tol)
        tol *= REL_TOL
        diff = now - then
        out = np.where(np.abs(diff) <= tol, np.int8(0), np.where(diff > 0, np.int8(1), np.int8(-1)))
    out[np.isnan(now) | np.isnan(then)] = Direction.NOT_COMPARABLE.code
    if out.shape != shape:
        out = np.array(np.broadcast_to(out, shape))
    return out
