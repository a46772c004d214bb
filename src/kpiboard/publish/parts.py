"""What a publication covers: sections of a pack, each up to the period approved for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from ..core.analysis import Analysis
from ..core.periods import Period
from ..packs.model import Pack, Section


@dataclass(frozen=True)
class Part:
    """Some sections of ``pack``, published up to ``as_at``.

    The pack holds nothing that may not be published: a file pack as its author left it (its
    figures up to ``as_at`` count as approved), or the web's pack as it stood when the
    sections' periods were approved, with unapproved periods taken out
    (:mod:`kpiboard.web.publishing`).
    """

    pack: Pack
    section_ids: tuple[str, ...]
    as_at: Period
    approved: str = ""  # how these figures were approved, for the publication record

    @property
    def sections(self) -> list[Section]:
        return [s for s in self.pack.sections if s.id in self.section_ids]

    @property
    def indicator_ids(self) -> list[str]:
        return [i for s in self.sections for i in s.indicator_ids]

    @cached_property
    def analyses(self) -> Mapping[str, Analysis]:
        """The pack's analyses as at ``as_at``, made once for the part: the pages, the results
        table and the plan's assessment all read these (each analysed the pack again before)."""
        return self.pack.analyse(self.as_at)

    def periods(self, indicator_id: str) -> list[Period]:
        """The periods of the indicator that have any figure, up to ``as_at``."""
        data = self.pack.data[indicator_id]
        return [
            p
            for i, p in enumerate(data.periods)
            if p.end <= self.as_at.end
            and any(v[i] == v[i] for v in data.values.values())  # not NaN
        ]


def up_to(pack: Pack, as_at: Period) -> Pack:
    """``pack`` without anything after ``as_at``, targets included: nothing after the approved
    period is approved, so a publication shows none of it (:meth:`Pack.up_to`)."""
    return pack.up_to(as_at)
