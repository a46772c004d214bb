"""Put a report together: the model for a pack, a subset of it, as at a period."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from ..core.analysis import Analysis
from ..core.direction import YEAR_AGO_KEY_NOTE, Basis, Direction
from ..core.indicators import AHEAD_SERIES, IndicatorKind
from ..core.periods import Period
from ..core.plan import assess
from ..core.rating import Rating
from ..core.significance import KEY_NOTE
from ..packs.model import DEFAULT_DIRECTION_KEY, Pack
from .model import ARROWS, KeyEntry, NarrativeView, ReportModel, SectionView, month_year
from .overview import overview_rows
from .pages import indicator_page
from .plan_pages import plan_section
from .priority_pages import priority_pages
from .tables import lead_table, summary_table, variation_table


def build_report(
    pack: Pack,
    *,
    tags: tuple[str, ...] = (),
    as_at: Period | None = None,
    subset_title: str = "",
    today: date | None = None,
    progress: Callable[[int], object] | None = None,
    analyses: Mapping[str, Analysis] | None = None,
) -> ReportModel:
    """The report for ``pack`` (only indicators carrying one of ``tags``, when given).

    ``progress`` is called with 1 after each indicator page, for progress bars. ``analyses``:
    the pack's analyses as at ``as_at`` when the caller has them already (a publication reads
    them for its data tables too): those of ``pack.up_to(as_at, AHEAD_SERIES)``, or of ``pack``
    itself when it holds nothing after ``as_at`` (a publication's parts).
    """
    when = as_at or pack.as_at
    # Nothing that happened after the as-at period is reported (figures entered for the next
    # month, say); targets set ahead still show where the year is meant to go.
    pack = pack.up_to(when, AHEAD_SERIES)
    if analyses is None:
        analyses = pack.analyse(when)
    model = ReportModel(
        title=pack.title,
        subtitle=pack.subtitle,
        organisation=pack.organisation,
        as_at=month_year(when),
        generated=(today or date.today()).isoformat(),
        subset=subset_title,
        summary_page=pack.summary_page,
        rating_key=[
            KeyEntry(code, Rating[code].words, text) for code, text in pack.rating_key.items()
        ],
        direction_key=[
            KeyEntry(code, Direction(code).words, text, ARROWS[Direction(code)])
            for code, text in DEFAULT_DIRECTION_KEY.items()
        ],
    )
    shown = [ind for s in pack.sections for ind in pack.indicators_of(s, tags)]
    if any(ind.rated_by_benchmark for ind in shown):
        model.key_notes.append(KEY_NOTE)
    if any(ind.direction_basis is Basis.YEAR_AGO for ind in shown):
        model.key_notes.append(YEAR_AGO_KEY_NOTE)
    plan = assess(pack.plan, when, analyses) if pack.plan and not tags else None
    for section in pack.sections:
        indicators = pack.indicators_of(section, tags)
        if not indicators:
            continue
        chosen = [analyses[ind.id] for ind in indicators]
        pages = []
        for analysis in chosen:
            pages.append(indicator_page(pack, analysis))
            if progress is not None:
                progress(1)
        model.sections.append(
            SectionView(
                id=section.id,
                title=section.title,
                metadata=list(section.metadata),
                summary=summary_table(pack, section, chosen, when),
                narrative=[]
                if tags
                else [NarrativeView(n.title, n.markdown) for n in section.narrative],
                pages=[p for p in pages if p.kind != IndicatorKind.LEAD.value],
                lead_pages=[p for p in pages if p.kind == IndicatorKind.LEAD.value],
                variation=variation_table(section, chosen),
                leads=lead_table(section, chosen),
                overview=overview_rows(section.title, chosen),
                plan=plan_section(plan, section.id, section.title, when.end) if plan else None,
            )
        )
    if plan is not None:
        by_id = {p.id: p for p in model.pages}
        model.priorities = priority_pages(plan, by_id, when.end)
    return model
