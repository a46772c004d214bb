"""Statistical process control's vocabulary: the enums of "Making Data Count" and their int8 codes,
the constants of the XmR rules, the checks of their options, and how a labelled point becomes a
point type or a variation icon. :mod:`.spc_batch` applies the rules; :mod:`.spc` charts one series.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from enum import StrEnum

import numpy as np

#: Process limits: mean +/- 2.66 x MR-bar (3 sigma, with sigma estimated as MR-bar / 1.128).
LIMIT_FACTOR = 2.66
#: Edge of the near-limit band: two thirds of the way from the mean to a limit (about 2 sigma).
NEAR_FACTOR = 2 / 3 * LIMIT_FACTOR
#: Screening: moving ranges at or above 3.267 x MR-bar (the upper limit of a moving-range chart)
#: are left out of MR-bar, so one exceptional month does not widen the limits.
SCREEN_FACTOR = 3.267
#: Points in a trend (6 consecutive rising or falling steps).
TREND_POINTS = 7
SHIFT_LENGTHS = (6, 7, 8)
#: The fewest points a fixed baseline may have.
MIN_BASELINE = 12
#: Making Data Count advises at least 15 (ideally 20) points before acting on signals.
ADVISED_POINTS = 15

# --- enums and their int8 codes ----------------------------------------------------------------


class Improvement(StrEnum):
    """Which way is better: ``neutral`` for measures with no preferred direction (e.g. activity)."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"

    @property
    def code(self) -> int:
        return _IMPROVEMENT_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> Improvement:
        return _IMPROVEMENT_FROM_CODE[int(code)]


_IMPROVEMENT_CODE = {Improvement.INCREASE: 1, Improvement.DECREASE: -1, Improvement.NEUTRAL: 0}
_IMPROVEMENT_FROM_CODE = {v: k for k, v in _IMPROVEMENT_CODE.items()}


class PointType(StrEnum):
    """What one point of the chart is. Codes: -1 missing, 0 common cause, 1..4 special cause."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"
    MISSING = "missing"
    #: A figure on a chart whose icons are withheld (XmR unsuitable): no claim either way.
    NOT_ASSESSED = "not_assessed"

    @property
    def code(self) -> int:
        return _POINT_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> PointType:
        return _POINT_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _POINT_WORDS[self]


_POINT_CODE = {
    PointType.NOT_ASSESSED: -2,
    PointType.MISSING: -1,
    PointType.COMMON_CAUSE: 0,
    PointType.IMPROVEMENT: 1,
    PointType.CONCERN: 2,
    PointType.NEUTRAL_HIGH: 3,
    PointType.NEUTRAL_LOW: 4,
}
_POINT_FROM_CODE = {v: k for k, v in _POINT_CODE.items()}
_POINT_WORDS = {
    PointType.NOT_ASSESSED: "Not assessed",
    PointType.MISSING: "No data",
    PointType.COMMON_CAUSE: "Common cause",
    PointType.IMPROVEMENT: "Special cause: improvement",
    PointType.CONCERN: "Special cause: concern",
    PointType.NEUTRAL_HIGH: "Special cause: high",
    PointType.NEUTRAL_LOW: "Special cause: low",
}


class Signal(StrEnum):
    """The rule that labelled a point. Codes 1..4 in priority order; 0 is "no signal" (None)."""

    OUTSIDE_LIMITS = "outside_limits"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    SHIFT = "shift"

    @property
    def code(self) -> int:
        return _SIGNAL_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> Signal | None:
        return _SIGNAL_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _SIGNAL_WORDS[self]


_SIGNAL_CODE = {Signal.OUTSIDE_LIMITS: 1, Signal.TREND: 2, Signal.TWO_OF_THREE: 3, Signal.SHIFT: 4}
_SIGNAL_FROM_CODE: dict[int, Signal | None] = {0: None} | {v: k for k, v in _SIGNAL_CODE.items()}
_SIGNAL_WORDS = {
    Signal.OUTSIDE_LIMITS: "a point outside the process limits",
    Signal.TREND: "a trend of 7 points rising or falling",
    Signal.TWO_OF_THREE: "two of three points close to a process limit",
    Signal.SHIFT: "a run of points on one side of the mean",
}


def signal_code(signal: Signal | None) -> int:
    """The int8 code of a point's signal: 0 for none."""
    return 0 if signal is None else signal.code


class VariationIcon(StrEnum):
    """The variation icon, from the latest point: codes 0 (common cause) to 6."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"

    @property
    def code(self) -> int:
        return _VARIATION_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> VariationIcon:
        return _VARIATION_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _VARIATION_WORDS[self]


_VARIATION_CODE = {icon: code for code, icon in enumerate(VariationIcon)}
_VARIATION_FROM_CODE = {v: k for k, v in _VARIATION_CODE.items()}
_VARIATION_WORDS = {
    VariationIcon.COMMON_CAUSE: "Common cause variation: no significant change",
    VariationIcon.IMPROVEMENT_HIGH: "Special cause variation: improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "Special cause variation: improvement (low)",
    VariationIcon.CONCERN_HIGH: "Special cause variation: concern (high)",
    VariationIcon.CONCERN_LOW: "Special cause variation: concern (low)",
    VariationIcon.NEUTRAL_HIGH: "Special cause variation: neither improvement nor concern (high)",
    VariationIcon.NEUTRAL_LOW: "Special cause variation: neither improvement nor concern (low)",
}


class AssuranceIcon(StrEnum):
    """Will the process meet the target? Codes 1..3; 0 is "no icon" (None)."""

    PASS = "pass"
    FAIL = "fail"
    INCONSISTENT = "inconsistent"

    @property
    def code(self) -> int:
        return _ASSURANCE_CODE[self]

    @classmethod
    def from_code(cls, code: int) -> AssuranceIcon | None:
        return _ASSURANCE_FROM_CODE[int(code)]

    @property
    def words(self) -> str:
        return _ASSURANCE_WORDS[self]


_ASSURANCE_CODE = {AssuranceIcon.PASS: 1, AssuranceIcon.FAIL: 2, AssuranceIcon.INCONSISTENT: 3}
_ASSURANCE_FROM_CODE: dict[int, AssuranceIcon | None] = {0: None} | {
    v: k for k, v in _ASSURANCE_CODE.items()
}
_ASSURANCE_WORDS = {
    AssuranceIcon.PASS: "Assurance: the target is consistently met",
    AssuranceIcon.FAIL: "Assurance: the target will not be met without change",
    AssuranceIcon.INCONSISTENT: "Assurance: the target may or may not be met",
}


def assurance_code(icon: AssuranceIcon | None) -> int:
    """The int8 code of an assurance icon: 0 for none."""
    return 0 if icon is None else icon.code


def describe_variation(icon: VariationIcon | str | None) -> str:
    """Plain-English label of a variation icon, for reports and screen readers; None is a
    withheld icon (the chart does not suit the figures; :attr:`XmrResult.withheld` says why)."""
    if icon is None:
        return "Variation: not assessed"
    return VariationIcon(icon).words


def describe_assurance(icon: AssuranceIcon | str | None, why: str = "") -> str:
    """Plain-English label of an assurance icon; None says why there is none: ``why`` when
    given (e.g. :attr:`XmrResult.assurance_note`), else no target or no preferred direction."""
    if icon is None:
        return f"Assurance: not assessed ({why or 'no target, or no preferred direction'})"
    return AssuranceIcon(icon).words


# --- validation shared by both paths -----------------------------------------------------------


def _improvement(value: object) -> Improvement:
    if isinstance(value, str) and value in Improvement.__members__.values():
        return Improvement(value)
    choices = ", ".join(repr(str(i)) for i in Improvement)
    raise ValueError(f"improvement must be one of {choices}, not {value!r}")


def _check_options(fix_after_n_points: int | None, shift_length: int) -> None:
    if shift_length not in SHIFT_LENGTHS:
        raise ValueError(f"shift_length must be 6, 7 or 8 points, not {shift_length!r}")
    if fix_after_n_points is None:
        return
    try:
        operator.index(fix_after_n_points)
    except TypeError:
        raise ValueError(
            f"fix_after_n_points must be a whole number of points, not {fix_after_n_points!r}"
        ) from None
    if fix_after_n_points < MIN_BASELINE:
        raise ValueError(
            f"fix_after_n_points must be at least {MIN_BASELINE} (limits fixed on fewer points "
            f"are unreliable), not {fix_after_n_points!r}"
        )


def _check_finite(values: np.ndarray) -> None:
    if np.isinf(values).any():
        raise ValueError("values must be finite numbers or missing (None/NaN), not infinite")


def _point_type(signal: Signal | None, high: bool, improvement: Improvement) -> PointType:
    if signal is None:
        return PointType.COMMON_CAUSE
    if improvement is Improvement.NEUTRAL:
        return PointType.NEUTRAL_HIGH if high else PointType.NEUTRAL_LOW
    return (
        PointType.IMPROVEMENT
        if high == (improvement is Improvement.INCREASE)
        else PointType.CONCERN
    )


def _variation_icon(signal: Signal | None, high: bool, improvement: Improvement) -> VariationIcon:
    if signal is None:
        return VariationIcon.COMMON_CAUSE
    if improvement is Improvement.NEUTRAL:
        return VariationIcon.NEUTRAL_HIGH if high else VariationIcon.NEUTRAL_LOW
    if high == (improvement is Improvement.INCREASE):
        return VariationIcon.IMPROVEMENT_HIGH if high else VariationIcon.IMPROVEMENT_LOW
    return VariationIcon.CONCERN_HIGH if high else VariationIcon.CONCERN_LOW


def _group_starts(rebase_at: Iterable[int], n: int) -> list[int]:
    starts = [0]
    previous = -1
    for raw in rebase_at:
        try:
            index = operator.index(raw)
        except TypeError:
            raise ValueError(f"rebase_at must hold point indices, not {raw!r}") from None
        if not 0 <= index < n:
            raise ValueError(f"rebase_at index {index} is out of range for {n} points")
        if index <= previous:
            raise ValueError(f"rebase_at must be strictly increasing; {index} follows {previous}")
        previous = index
        if index > 0:
            starts.append(index)
    return starts
