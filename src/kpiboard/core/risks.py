"""Risk scoring on a likelihood x impact matrix, with bands and an appetite.

A score is likelihood times impact, each on a scale of 1 to ``size`` (5 by default, so scores run
1 to 25). Bands name ranges of score ("Low" up to 4, ...); the appetite is the highest score the
organisation accepts: a risk scoring above it is outside appetite and needs treatment. Scales,
bands and appetite are the organisation's own (``plan/risks.yaml``, ``matrix:``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Band:
    name: str
    up_to: int  # the highest score in the band
    code: str  # the colour code reports use: green, amber, red, ...


@dataclass(frozen=True)
class Score:
    likelihood: int
    impact: int

    @property
    def value(self) -> int:
        return self.likelihood * self.impact


DEFAULT_LIKELIHOOD = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
DEFAULT_IMPACT = ("Minor", "Moderate", "Significant", "Serious", "Major")
DEFAULT_BANDS = (
    Band("Low", 4, "green"),
    Band("Medium", 9, "yellow"),
    Band("High", 15, "amber"),
    Band("Very high", 25, "red"),
)


@dataclass(frozen=True)
class RiskMatrix:
    likelihood: tuple[str, ...] = DEFAULT_LIKELIHOOD  # labels, lowest first
    impact: tuple[str, ...] = DEFAULT_IMPACT
    bands: tuple[Band, ...] = DEFAULT_BANDS  # in rising order; the last reaches the top score
    appetite: int = 9  # the highest score accepted

    def __post_init__(self) -> None:
        problem = self.problem()
        if problem:
            raise ValueError(problem)

    def problem(self) -> str:
        """What is wrong with the matrix, or "" (pack validation reports the same words)."""
        if not 2 <= len(self.likelihood) <= 10 or not 2 <= len(self.impact) <= 10:
            return "likelihood and impact need 2 to 10 levels each"
        tops = [b.up_to for b in self.bands]
        if not tops or tops != sorted(set(tops)) or tops[-1] != self.top:
            return f"band up_to values must rise and the last must be {self.top}"
        if not 1 <= self.appetite <= self.top:
            return f"appetite must be a score from 1 to {self.top}"
        return ""

    @property
    def top(self) -> int:
        return len(self.likelihood) * len(self.impact)

    def check(self, score: Score) -> str:
        """What is wrong with a score on this matrix, or ""."""
        if not 1 <= score.likelihood <= len(self.likelihood):
            return f"likelihood must be from 1 to {len(self.likelihood)}"
        if not 1 <= score.impact <= len(self.impact):
            return f"impact must be from 1 to {len(self.impact)}"
        return ""

    def band(self, value: int) -> Band:
        return next(b for b in self.bands if value <= b.up_to)

    def within_appetite(self, value: int, appetite: int | None = None) -> bool:
        return value <= (self.appetite if appetite is None else appetite)

    def describe(self, score: Score) -> str:
        """ "12 High (likelihood 3 Possible, impact 4 Serious)"."""
        return (
            f"{score.value} {self.band(score.value).name} (likelihood {score.likelihood} "
            f"{self.likelihood[score.likelihood - 1]}, impact {score.impact} "
            f"{self.impact[score.impact - 1]})"
        )


class Trend(StrEnum):
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    NEW = "new"

    @property
    def words(self) -> str:
        return _TREND_WORDS[self]


_TREND_WORDS = {
    Trend.RISING: "Rising",
    Trend.STEADY: "No change",
    Trend.FALLING: "Falling",
    Trend.NEW: "New",
}


def trend(current: Score, previous: Score | None) -> Trend:
    if previous is None:
        return Trend.NEW
    if current.value > previous.value:
        return Trend.RISING
    if current.value < previous.value:
        return Trend.FALLING
    return Trend.STEADY


def heat_counts(matrix: RiskMatrix, scores: list[Score]) -> list[list[int]]:
    """Risks per cell: ``counts[likelihood - 1][impact - 1]``."""
    counts = [[0] * len(matrix.impact) for _ in matrix.likelihood]
    for score in scores:
        counts[score.likelihood - 1][score.impact - 1] += 1
    return counts
