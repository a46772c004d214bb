"""Comparison with a benchmark: is a figure significantly better, similar or worse?

Mortality ratios (HSMR, SHMI) and many public-health rates come with a confidence interval, and
are judged by whether that interval excludes a benchmark such as the England value. This is the
method Public Health England's Fingertips tool uses:

* the whole interval above the benchmark value: significantly **higher**;
* the whole interval below it: significantly **lower**;
* otherwise (the interval includes the benchmark): **similar**.

An interval that only touches the benchmark (a limit equal to it, within the floating-point
tolerance ratings use) includes it, so it is *similar*: the figure is not significantly different.
Polarity turns higher and lower into better and worse; a close-to-target indicator has no better
side, so it stays higher, lower or similar, without colour. A period missing its figure's
interval or the benchmark value is *not compared*.

:func:`compare_array` is the one implementation, over whole arrays of periods; :func:`compare`
asks it about one period. All wording is here (:attr:`Comparison.words`, :func:`against`,
:func:`describe_method`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from .rating import REL_TOL, Polarity, Rating


class Comparison(StrEnum):
    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    HIGHER = "higher"  # significantly higher, where no side is better (close to target)
    LOWER = "lower"
    NOT_COMPARED = "not_compared"  # no interval or no benchmark value

    @property
    def code(self) -> int:
        return _CODES[self]

    @classmethod
    def from_code(cls, code: int) -> Comparison:
        return _FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _WORDS[self]

    @property
    def rating(self) -> Rating:
        """The rating this comparison gives when the comparison is the rating rule."""
        return _RATINGS[self]


_CODES = {
    Comparison.NOT_COMPARED: 0,
    Comparison.WORSE: 1,
    Comparison.SIMILAR: 2,
    Comparison.BETTER: 3,
    Comparison.LOWER: 4,
    Comparison.HIGHER: 5,
}
_FROM_CODE = {v: k for k, v in _CODES.items()}
_WORDS = {
    Comparison.BETTER: "Better",
    Comparison.SIMILAR: "Similar",
    Comparison.WORSE: "Worse",
    Comparison.HIGHER: "Higher",
    Comparison.LOWER: "Lower",
    Comparison.NOT_COMPARED: "Not compared",
}
#: Fingertips colours better, similar and worse; higher and lower carry no judgement.
_RATINGS = {
    Comparison.BETTER: Rating.GREEN,
    Comparison.SIMILAR: Rating.AMBER,
    Comparison.WORSE: Rating.RED,
    Comparison.HIGHER: Rating.NOT_RATED,
    Comparison.LOWER: Rating.NOT_RATED,
    Comparison.NOT_COMPARED: Rating.NO_DATA,
}

#: Confidence levels an interval may be declared at (Fingertips uses 95% and 99.8%).
LEVELS = (95.0, 99.8)


@dataclass(frozen=True)
class BenchmarkOptions:
    """Compare each period's confidence interval (``ci_lower``/``ci_upper``) with a series."""

    series: str  # a comparator series holding the benchmark value per period (e.g. england)
    level: float = 95.0  # the interval's confidence level, for wording
    rate: bool = False  # True: the comparison is the rating (better Green, similar Amber, ...)


def compare_array(
    lower: npt.ArrayLike, upper: npt.ArrayLike, benchmark: npt.ArrayLike, polarity: Polarity
) -> np.ndarray:
    """Each period's comparison, as ``int8`` :attr:`Comparison.code` values.

    ``lower``, ``upper`` and ``benchmark`` broadcast together; NaN means missing.
    """
    lower, upper, benchmark = np.broadcast_arrays(
        np.asarray(lower, float), np.asarray(upper, float), np.asarray(benchmark, float)
    )
    tol = REL_TOL * np.maximum(1.0, np.abs(benchmark))
    with np.errstate(invalid="ignore"):
        above = lower - benchmark > tol
        below = benchmark - upper > tol
    if polarity is Polarity.CLOSE:
        high, low = Comparison.HIGHER.code, Comparison.LOWER.code
    elif polarity is Polarity.HIGHER:
        high, low = Comparison.BETTER.code, Comparison.WORSE.code
    else:
        high, low = Comparison.WORSE.code, Comparison.BETTER.code
    out = np.where(above, high, np.where(below, low, Comparison.SIMILAR.code)).astype(np.int8)
    out[np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark)] = Comparison.NOT_COMPARED.code
    return out


def compare(
    lower: float | None, upper: float | None, benchmark: float | None, polarity: Polarity
) -> Comparison:
    """One period's comparison (see :func:`compare_array`); None means missing."""

    def value(x: float | None) -> float:
        return np.nan if x is None else x

    code = compare_array(value(lower), value(upper), value(benchmark), polarity)
    return Comparison.from_code(int(code))


def against(comparison: Comparison, benchmark_label: str) -> str:
    """``Better than England``, ``Similar to England``, ``Not compared with England``."""
    if comparison is Comparison.SIMILAR:
        return f"Similar to {benchmark_label}"
    if comparison is Comparison.NOT_COMPARED:
        return f"Not compared with {benchmark_label}"
    return f"{comparison.words} than {benchmark_label}"


def level_text(level: float) -> str:
    """``95%`` or ``99.8%``."""
    return f"{level:g}%"


#: The key's line for indicators rated by their interval rather than by a target.
KEY_NOTE = (
    "Some indicators are rated by their confidence interval against a benchmark instead of a "
    "target (their page says how): Green when significantly better than the benchmark, Amber "
    "when similar to it, Red when significantly worse."
)


def describe_method(options: BenchmarkOptions, benchmark_label: str, polarity: Polarity) -> str:
    """How the comparison works, in a sentence or two for the indicator's page."""
    ci = f"{level_text(options.level)} confidence interval"
    if polarity is Polarity.CLOSE:
        sides = "significantly higher or lower"
    elif polarity is Polarity.HIGHER:
        sides = "significantly better (higher) or worse (lower)"
    else:
        sides = "significantly better (lower) or worse (higher)"
    text = (
        f"Compared with {benchmark_label}: {sides} where the whole {ci} lies above or below "
        f"the {benchmark_label} value; similar where the interval includes it (touching counts "
        "as including)"
    )
    if options.rate and polarity is not Polarity.CLOSE:
        text += ". Better is Green, similar Amber, worse Red; a period without an interval or "
        text += f"a value for {benchmark_label} is No data"
    return text + "."
