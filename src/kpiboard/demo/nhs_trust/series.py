"""The synthetic figures of the NHS trust demo: 36 months of plausible, reproducible data.

Every series is drawn from one seeded generator in a fixed order, so the demo pack is the same on
every machine and every run: tests, docs and screenshots can quote its figures. The shapes are
chosen to show the engine's features (a winter dip, a step change when a service opened, a rare
event, a deficit), not to describe any real trust.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The first month of data and how many months the demo covers (October 2023 to September 2026).
FIRST_YEAR, FIRST_MONTH, MONTHS = 2023, 10, 36


def month_labels() -> list[str]:
    out = []
    for i in range(MONTHS):
        index = FIRST_YEAR * 12 + FIRST_MONTH - 1 + i
        out.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return out


def financial_year(label: str) -> int:
    """The year in which the (April-start) financial year of month ``label`` begins."""
    year, month = int(label[:4]), int(label[5:7])
    return year if month >= 4 else year - 1


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def winter(label: str) -> float:
    """1 in the depth of winter (January), 0 in high summer: the NHS's seasonal pressure."""
    month = int(label[5:7])
    return (math.cos((month - 1) / 12 * 2 * math.pi) + 1) / 2


@dataclass
class Draw:
    """The demo's random source: one generator, drawn from in a fixed order."""

    rng: np.random.Generator

    @classmethod
    def seeded(cls) -> Draw:
        return cls(np.random.default_rng(20261203))

    def noise(self, sd: float) -> list[float]:
        return [float(x) for x in self.rng.normal(0.0, sd, MONTHS)]

    def events(self, months_with_events: dict[int, int]) -> list[int]:
        """A rare-event count: zero except in the given month indexes."""
        return [months_with_events.get(i, 0) for i in range(MONTHS)]

    def poisson(self, means: list[float]) -> list[int]:
        return [int(x) for x in self.rng.poisson(means)]


def ytd(values: list[float], labels: list[str]) -> list[float]:
    """Running totals that restart every April."""
    out, total, year = [], 0.0, None
    for value, label in zip(values, labels, strict=True):
        if financial_year(label) != year:
            total, year = 0.0, financial_year(label)
        total += value
        out.append(total)
    return out


def profile(annual: dict[int, float], labels: list[str]) -> list[float]:
    """A year's total spread flat over its months, as running totals (a plan or a ceiling)."""
    monthly = [annual[financial_year(label)] / 12 for label in labels]
    return ytd(monthly, labels)
