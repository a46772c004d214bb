"""Key risk indicators: an indicator whose rating or SPC signal crosses a threshold flags a risk.

A risk names its key risk indicators and, for each, what should trigger a review: a rating at or
below a level (``amber`` flags Amber and Red; ``red`` flags Red only), and/or an SPC signal
(``concern``: the latest point is special-cause variation in the worse direction; ``any``: any
special cause, better or worse, since either says the process the risk assumed has changed).
Both are read from the engine's results (:class:`~kpiboard.core.analysis.Analysis`), so a key
risk indicator says exactly what the indicator's own page says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .rating import Rating
from .spc import VariationIcon

if TYPE_CHECKING:
    from .analysis import Analysis


class SpcTrigger(StrEnum):
    NONE = "none"
    CONCERN = "concern"
    ANY = "any"


_CONCERN = {VariationIcon.CONCERN_HIGH, VariationIcon.CONCERN_LOW}
#: The ratings a key risk indicator may be set to trigger at (it triggers at this or worse).
TRIGGER_RATINGS = {"amber": Rating.AMBER, "red": Rating.RED}


@dataclass(frozen=True)
class KeyRiskIndicator:
    indicator: str  # indicator id
    rating: Rating | None = None  # trigger at this rating or worse (AMBER or RED)
    spc: SpcTrigger = SpcTrigger.NONE


@dataclass(frozen=True)
class KriResult:
    kri: KeyRiskIndicator
    triggered: bool
    reasons: tuple[str, ...]  # why it triggered (empty when not)
    rating: Rating  # the indicator's latest rating
    variation: VariationIcon | None


def _latest_rating(analysis: Analysis) -> Rating:
    latest = analysis.result.latest
    if latest is None:
        return Rating.NO_DATA
    return latest.override.rating if latest.override is not None else latest.computed


def check_kri(kri: KeyRiskIndicator, analysis: Analysis) -> KriResult:
    """Whether ``analysis`` (the indicator's results as at the report) trips ``kri``."""
    rating = _latest_rating(analysis)
    spc = analysis.spc
    variation = spc.variation_icon if spc is not None else None
    reasons = []
    if kri.rating is not None and rating.is_colour and rating <= kri.rating:
        reasons.append(f"rated {rating.words}")
    concern = variation in _CONCERN and kri.spc is not SpcTrigger.NONE
    special = kri.spc is SpcTrigger.ANY and variation not in (None, VariationIcon.COMMON_CAUSE)
    if variation is not None and (concern or special):
        reasons.append(variation.words.lower())
    return KriResult(kri, bool(reasons), tuple(reasons), rating, variation)
