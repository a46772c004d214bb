"""Rebuild only the indicators a write touched, instead of the whole pack.

Every write bumps ``Site.version`` and, in the same transaction, records a
:class:`~kpiboard.web.models.DataChange` row naming the indicators whose figures or commentary it
changed (null when it may have changed more: definitions, the manifest, sections, the reporting
month, a pack load). A worker holding the pack of version ``old`` that sees version ``new`` reads
the rows in between; when every one of them is there and names indicators, it reads those
indicators' figures and commentary again and puts them into a copy of its pack. The rest of the
pack (definitions, sections, peers, narrative) is shared with the older copy.

Why this is safe with many workers and app servers: the version is read before the data, and a
DataChange row commits with its version, so every change after ``old`` is named by a row with a
greater version. A rebuilt indicator may be newer than ``new`` (a write committed meanwhile);
that write's own row then makes the next request rebuild it again, so a pack is never older than
the version it is filed under. Anything missing (rows pruned, a gap, an unknown code) falls back
to building in full, which is always right.
"""

from __future__ import annotations

from dataclasses import replace

from ..packs.assembly import assemble
from ..packs.model import Pack
from ..packs.problems import Problems
from .models import DataChange, Indicator

#: More versions than this between two requests: build in full (replaying costs more then).
MAX_STEPS = 200


def touched_since(old: int, new: int) -> frozenset[str] | None:
    """The codes of the indicators changed after version ``old`` up to ``new``; None when the
    changes cannot be told apart (something beyond indicators changed, or rows are missing)."""
    if not 0 <= old < new or new - old > MAX_STEPS:
        return None
    rows = list(
        DataChange.objects.filter(version__gt=old, version__lte=new).values_list("indicators")
    )
    named = [codes for (codes,) in rows]
    if len(named) != new - old or any(codes is None for codes in named):
        return None
    return frozenset(code for codes in named if codes is not None for code in codes)


def updated(pack: Pack, codes: frozenset[str]) -> Pack | None:
    """A copy of ``pack`` with the figures and commentary of ``codes`` read again from the
    database; None when that cannot be done here (build the pack in full instead)."""
    from .store import commentary_items, figure_rows

    if not codes <= pack.indicators.keys():
        return None
    live = dict(Indicator.objects.filter(code__in=codes, archived=False).values_list("id", "code"))
    if set(live.values()) != codes:
        return None
    problems = Problems()
    chosen = {code: pack.indicators[code] for code in pack.indicators if code in codes}
    data, notes = assemble(figure_rows(live), chosen, pack.calendar, problems, bounded=False)
    if problems:
        return None  # a full build reports it as it always has
    commentary = commentary_items(live, pack.calendar)
    return replace(
        pack,
        data={code: data.get(code, found) for code, found in pack.data.items()},
        data_notes={k: v for k, v in pack.data_notes.items() if k[0] not in codes} | notes,
        commentary={k: v for k, v in pack.commentary.items() if k not in codes} | commentary,
    )
