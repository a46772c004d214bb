"""Peer benchmarking: where one organisation stands among a comparison group.

Councils compare themselves with all 152 English councils and with their statistical neighbours,
so a committee wants "13th of 152 (top quartile)" beside the figure. Ranks follow the indicator's
polarity: 1 is the best (highest for higher-is-better, lowest for lower-is-better). A
close-to-target indicator has no rank: "best" means "nearest the target", and peers do not share
our target, so any order would be invented.

Ranking is "competition" ranking (1, 2, 2, 4): organisations with the same value share the best
rank of their group. Values are "the same" within the floating-point tolerance ratings use, so
figures typed to one decimal tie as a reader expects. Quartiles come from the rank:
``quartile = ceil(4 * rank / of)``, so rank 38 of 152 (exactly 25%) is still top quartile and
tied organisations always share a quartile.

:func:`peer_position` is the reference and says everything about one figure; :func:`rank_many`
ranks many indicators at once with numpy. A property test holds them equal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .rating import REL_TOL, Polarity

QUARTILE_LABELS = ("top quartile", "second quartile", "third quartile", "bottom quartile")


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``; 11th, 12th, 13th (and 111th ...) as English has them."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def quartile_of(rank: int, of: int) -> int:
    """``ceil(4 * rank / of)`` in whole numbers, so exact boundaries never round the wrong way."""
    if not 1 <= rank <= of:
        raise ValueError(f"rank {rank} is not within 1..{of}")
    return (4 * rank + of - 1) // of


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _tol(a: float, b: float) -> float:
    return REL_TOL * max(1.0, abs(a), abs(b))


@dataclass(frozen=True)
class PeerPosition:
    """One organisation's place in its comparison group (the group includes it)."""

    own_value: float
    polarity: Polarity
    rank: int  # 1 = best; tied organisations share the best rank of their group
    of: int  # organisations with a value, own included
    ties: int  # other organisations with exactly own's value
    quartile: int  # 1 = best quarter ... 4 = worst: ceil(4 * rank / of)
    mean: float  # of the whole group, own included
    median: float
    distance_from_mean: float  # own - mean, in the indicator's unit (sign is numeric, not "better")
    better_than_mean: bool | None  # by polarity; None when level with the mean
    percentile: float  # share of the others own is strictly better than, 0-100; NaN if no others

    @property
    def quartile_label(self) -> str:
        return QUARTILE_LABELS[self.quartile - 1]

    @property
    def joint(self) -> bool:
        return self.ties > 0

    @property
    def rank_text(self) -> str:
        """``13th``, or ``joint 13th`` when others share the value."""
        return f"{'joint ' if self.joint else ''}{ordinal(self.rank)}"

    @property
    def position_text(self) -> str:
        """``13th of 152``, or ``joint 13th of 152``."""
        return f"{self.rank_text} of {self.of}"

    def describe(
        self,
        unit_format: Callable[[float], str] = str,
        difference_format: Callable[[float], str] | None = None,
    ) -> str:
        """One line for a report, e.g. ``13th of 152 (top quartile); peer mean 75.5%, median
        76.0%; 10.3 points above the mean``.

        ``unit_format`` prints a value; ``difference_format`` prints the (positive) gap to the mean
        and defaults to ``unit_format`` (pass ``Unit.format_difference`` for percentage points).
        """
        gap_format = difference_format or unit_format
        if self.better_than_mean is None:
            versus = "level with the mean"
        else:
            side = "above" if self.distance_from_mean > 0 else "below"
            versus = f"{gap_format(abs(self.distance_from_mean))} {side} the mean"
        return (
            f"{self.position_text} ({self.quartile_label}); "
            f"peer mean {unit_format(self.mean)}, median {unit_format(self.median)}; {versus}"
        )


def _other_values(
    peer_values: Mapping[str, float | None] | Iterable[float | None], own_code: str | None
) -> list[float]:
    if isinstance(peer_values, Mapping):
        items: Iterable[float | None] = (
            v for code, v in peer_values.items() if own_code is None or code != own_code
        )
    else:
        if own_code is not None:
            raise TypeError("own_code needs peer_values as a mapping of organisation to value")
        items = peer_values
    return [float(v) for v in items if v is not None and not math.isnan(v)]


def peer_position(
    own_value: float | None,
    peer_values: Mapping[str, float | None] | Sequence[float | None] | np.ndarray,
    polarity: Polarity,
    *,
    own_code: str | None = None,
) -> PeerPosition | None:
    """Where ``own_value`` stands among ``peer_values`` (the comparison group's figures).

    With a mapping and ``own_code`` present in it, that entry is the own organisation: it is
    replaced by ``own_value`` rather than counted twice. Otherwise ``own_value`` joins the group.
    Missing values (None, NaN) are left out. Returns None when ``own_value`` is missing or the
    polarity is close-to-target (a rank needs a "best", and peers do not share our target).
    """
    if polarity is Polarity.CLOSE or _missing(own_value):
        return None
    assert own_value is not None
    own = float(own_value)
    others = _other_values(peer_values, own_code)
    sign = 1.0 if polarity is Polarity.HIGHER else -1.0
    better = ties = worse = 0
    for x in others:
        diff = sign * (x - own)
        if diff > _tol(x, own):
            better += 1
        elif diff < -_tol(x, own):
            worse += 1
        else:
            ties += 1
    of = len(others) + 1
    rank = better + 1
    group = np.array([own, *others])
    mean = float(group.mean())
    median = float(np.median(group))
    ahead = sign * (own - mean)
    better_than_mean = None if abs(ahead) <= _tol(own, mean) else ahead > 0
    return PeerPosition(
        own_value=own,
        polarity=polarity,
        rank=rank,
        of=of,
        ties=ties,
        quartile=quartile_of(rank, of),
        mean=mean,
        median=median,
        distance_from_mean=own - mean,
        better_than_mean=better_than_mean,
        percentile=100.0 * worse / len(others) if others else math.nan,
    )


def rank_many(
    own: np.ndarray,
    peers: np.ndarray,
    polarity: np.ndarray,
    *,
    own_column: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :func:`peer_position` ranks: ``(rank, of, quartile)`` for ``k`` indicators.

    ``own`` has shape (k,), ``peers`` (k, p) with NaN where an organisation has no value and
    ``polarity`` (k,) holds :attr:`Polarity.code` values. ``own`` joins each row's group unless
    ``own_column`` names the column of ``peers`` that is the own organisation (it is then left
    out of the peers). Rows :func:`peer_position` would give None for (own missing,
    close-to-target) are 0 in all three arrays.
    """
    own = np.asarray(own, float)
    peers = np.asarray(peers, float)
    polarity = np.asarray(polarity)
    if peers.ndim != 2 or own.shape != (peers.shape[0],) or polarity.shape != own.shape:
        raise ValueError(
            f"expected own (k,), peers (k, p), polarity (k,); got {own.shape}, "
            f"{peers.shape}, {polarity.shape}"
        )
    valid = ~np.isnan(peers)
    if own_column is not None:
        valid[:, own_column] = False
    sign = np.where(polarity < 0, -1.0, 1.0)[:, None]
    with np.errstate(invalid="ignore"):
        diff = sign * (peers - own[:, None])
        tol = REL_TOL * np.maximum(1.0, np.maximum(np.abs(peers), np.abs(own)[:, None]))
        better = valid & (diff > tol)
    rank = 1 + better.sum(axis=1)
    of = 1 + valid.sum(axis=1)
    quartile = (4 * rank + of - 1) // of
    unranked = np.isnan(own) | (polarity == 0)

    def blank(a: np.ndarray) -> np.ndarray:
        return np.where(unranked, 0, a).astype(np.int64)

    return blank(rank), blank(of), blank(quartile)
