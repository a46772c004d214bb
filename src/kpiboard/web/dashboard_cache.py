"""What the dashboard and indicator pages share, worked out once per data version.

Analysing every indicator, drawing SPC icons and rendering a dashboard row are the expensive
parts of a page; none of them depends on who is looking. They are built here once for each
generation of the data (:class:`kpiboard.web.generation.Generation`, one per ``Site.version``)
and each month shown (the reporting month, or an earlier one a reader picked), and kept in that
generation, so a request only filters ready-made rows. After a write that named its indicators,
the new generation's board is made from the one before with only those rows worked out again.

Everything shown comes from the report layer (``report.tables.summary_table`` and
``lead_table``): the dashboard shows what the committee report shows, computed by the same code.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from ..core.analysis import Analysis
from ..core.indicators import IndicatorKind
from ..core.periods import Period
from ..core.plan import indicator_priorities
from ..core.rating import Rating
from ..core.summary import latest_icons
from ..packs.model import Pack
from ..report.chart_frame import FONT_FAMILY
from ..report.icons import (
    ASSURANCE_LABELS,
    VARIATION_LABELS,
    assurance_icon_svg,
    variation_icon_svg,
)
from ..report.model import month_year
from ..report.overview import icon_matrix
from ..report.summary_columns import DASHBOARD_COLUMNS as COLUMNS
from ..report.tables import lead_table, summary_table
from . import store
from .reporting_month import PERIOD_PARAM

#: The order ratings are counted in on the dashboard ("3 Green, 2 Amber, 1 Red, 1 not rated").
RATING_ORDER = (
    Rating.GREEN,
    Rating.AMBER,
    Rating.RED,
    Rating.NOT_RATED,
    Rating.NO_TARGET,
    Rating.NO_DATA,
)


@dataclass(frozen=True)
class Row:
    """One indicator on the dashboard: what the filters look at, and its rendered table row."""

    code: str
    section: str
    kind: str  # "kpi" or "lead"
    tags: frozenset[str]
    rating: str  # Rating name as the summary shows it (GREEN ... NO_DATA); NOT_RATED for leads
    search: str  # lower-case code and titles, for the free-text search
    html: SafeString
    variation: str = ""  # the latest SPC variation icon's code; "" without SPC icons
    assurance: str = ""  # the assurance icon's code, "none" without one; "" without SPC icons
    priorities: frozenset[str] = frozenset()  # plan priorities it measures, with those above


@dataclass(frozen=True)
class SectionInfo:
    id: str
    title: str
    headings: tuple[tuple[str, bool], ...]  # summary column headings and whether numeric


@dataclass(frozen=True)
class Board:
    pack: Pack
    version: int
    analyses: Mapping[str, Analysis]
    as_at: str  # "September 2013"
    period: Period  # the month shown: the reporting month, or an earlier one a reader picked
    sections: tuple[SectionInfo, ...]
    rows: tuple[Row, ...]  # summary rows, in section and page order
    leads: tuple[Row, ...]  # lead indicator rows, likewise
    tags: tuple[tuple[str, str], ...]  # (tag, label) of every tag an indicator carries
    sprite: SafeString  # every SPC icon the rows use, drawn once (see _Sprite)
    matrix: SafeString  # the summary of variation and assurance ("" when nothing has SPC)
    symbols: tuple[tuple[str, str], ...] = ()  # the sprite's symbols, for a board made from it
    icons: tuple = ()  # each indicator's latest (variation, assurance) icons, as the matrix counts


#: Boards kept per generation of the data, by month shown; a few months at most (readers mostly
#: look at the reporting month, now and then at one or two before it).
_lock = threading.Lock()
MONTHS_KEPT = 6


def clear() -> None:
    """Forget every built board (with the pack they were built from)."""
    store.clear_cache()


def board(request=None, period: Period | None = None) -> Board:
    """The dashboard's data for the current pack as at ``period`` (the reporting month, the
    pack's as-at period, when None), built on the first request after a change: from the
    board of the generation before when the writes since named their indicators (only their
    rows are worked out again), otherwise in full. Kept in the data's generation."""
    made = store.generation(request)
    when = period or made.pack.as_at
    found = _cached(made.boards, when)
    if found is not None:
        return found
    with _lock:
        found = _cached(made.boards, when)
        if found is not None:
            return found
        before = made.earlier.get(when.label) if made.touched is not None else None
        if before is not None and before.pack is not made.parent:
            before = None
        built = _build(made.pack, made.version, when, before, made.touched or frozenset())
        made.boards[when.label] = built
        while len(made.boards) > MONTHS_KEPT:
            made.boards.popitem(last=False)
    return built


def _cached(boards: OrderedDict, when: Period) -> Board | None:
    found = boards.get(when.label)
    if found is not None:
        with contextlib.suppress(KeyError):  # another thread dropped it; the board is still good
            boards.move_to_end(when.label)
    return found


def analyses() -> tuple[Pack, Mapping[str, Analysis]]:
    """The current pack and its analyses as at the reporting month (cached with the board)."""
    built = board()
    return built.pack, built.analyses


def _build(
    pack: Pack,
    version: int,
    when: Period,
    before: Board | None = None,
    touched: frozenset[str] = frozenset(),
) -> Board:
    """The board in full, or from ``before`` (the same month's board of the pack this one was
    made from) with only the ``touched`` indicators analysed and rendered again."""
    analyses = _analyses(pack, when, before, touched)
    # Links from an earlier month's board keep that month; the reporting month's stay plain.
    keep = {} if when == pack.as_at else {PERIOD_PARAM: when.label}
    kept = {r.code: r for r in before.rows + before.leads} if before is not None else {}
    kept = {code: row for code, row in kept.items() if code not in touched}
    sections: list[SectionInfo] = []
    rows: list[Row] = []
    leads: list[Row] = []
    sprite = _Sprite(dict(before.symbols) if before is not None else {})
    linked = indicator_priorities(pack.plan)  # a plan change rebuilds the board in full
    for section in pack.sections:
        chosen = [analyses[i] for i in section.indicator_ids if i in analyses]
        todo = [a for a in chosen if a.indicator.id not in kept]
        kpis = [a for a in todo if a.indicator.kind is not IndicatorKind.LEAD]
        table = summary_table(pack, replace(section, summary_columns=COLUMNS), kpis, when)
        sections.append(
            SectionInfo(
                section.id,
                section.title,
                tuple((c.heading, c.numeric) for c in table.columns),
            )
        )
        made = {}
        for analysis, cells in zip(kpis, table.rows, strict=True):
            by_key = {c.key: cell for c, cell in zip(table.columns, cells, strict=True)}
            made[analysis.indicator.id] = _kpi_row(analysis, by_key, sprite, keep)
        lead_rows = lead_table(section, todo)
        lead_analyses = [a for a in todo if a.indicator.kind is IndicatorKind.LEAD]
        if lead_rows is not None:
            for analysis, lead in zip(lead_analyses, lead_rows.rows, strict=True):
                url = _url("kpiboard:indicator", [analysis.indicator.id], keep)
                html = render_to_string(
                    "kpiboard/includes/dash_lead_row.html", {"lead": lead, "url": url}
                )
                made[analysis.indicator.id] = _row(analysis, Rating.NOT_RATED.name, html)
        made = {c: replace(r, priorities=linked.get(c, frozenset())) for c, r in made.items()}
        for analysis in chosen:
            row = made.get(analysis.indicator.id) or kept[analysis.indicator.id]
            is_lead = analysis.indicator.kind is IndicatorKind.LEAD
            (leads if is_lead else rows).append(row)
    in_order = [analyses[i] for s in pack.sections for i in s.indicator_ids if i in analyses]
    icons = tuple(latest_icons(a) for a in in_order)
    if before is not None and before.icons == icons:  # a write that moved no icon
        matrix = before.matrix
    else:
        matrix = _matrix_html(icons, sprite, keep)
    used = sorted({t for ind in pack.indicators.values() for t in ind.tags})
    labelled = list(pack.tag_labels) + [t for t in used if t not in pack.tag_labels]
    return Board(
        pack=pack,
        version=version,
        analyses=analyses,
        as_at=month_year(when),
        period=when,
        sections=tuple(sections),
        rows=tuple(rows),
        leads=tuple(leads),
        tags=tuple((t, pack.tag_label(t)) for t in labelled if t in used),
        sprite=sprite.markup(),
        matrix=matrix,
        symbols=tuple(sprite.symbols.items()),
        icons=icons,
    )


def _analyses(
    pack: Pack, when: Period, before: Board | None, touched: frozenset[str]
) -> Mapping[str, Analysis]:
    """Every indicator's analysis: all worked out, or only the touched ones with the rest
    taken from ``before`` (an indicator's analysis depends on its own definition, figures and
    peers and the pack's settings, none of which an indicator-only write changes)."""
    if before is None:
        return pack.analyse(when)
    some = replace(pack, indicators={i: d for i, d in pack.indicators.items() if i in touched})
    fresh = some.analyse(when)
    return {i: fresh[i] if i in fresh else before.analyses[i] for i in pack.indicators}


def _kpi_row(analysis: Analysis, by_key: dict, sprite: _Sprite, keep: dict[str, str]) -> Row:
    ind = analysis.indicator
    html = render_to_string(
        "kpiboard/includes/dash_row.html",
        {
            "ind": ind,
            "url": _url("kpiboard:indicator", [ind.id], keep),
            "cells": by_key,
            "short_variation": _short(by_key["variation"], VARIATION_LABELS),
            "short_assurance": _short(by_key["assurance"], ASSURANCE_LABELS),
            "variation_svg": sprite.use("variation", by_key["variation"].icon),
            "assurance_svg": sprite.use("assurance", by_key["assurance"].icon),
        },
    )
    return _row(analysis, by_key["rating"].rating.code, html)


def _url(name: str, args: list[str], query: dict[str, str]) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _matrix_html(icons: tuple, sprite: _Sprite, keep: dict[str, str]) -> SafeString:
    """The report's summary matrix of the indicators' latest variation and assurance ``icons``,
    each count linking to the dashboard filtered to those indicators."""
    matrix = icon_matrix(icons, "dash")
    if not matrix.total:
        return SafeString("")
    base = reverse("kpiboard:dashboard")

    def link(count: int, words: str, **query: str) -> dict:
        return {"count": count, "words": words, "url": f"{base}?{urlencode(keep | query)}"}

    columns = [(c, sprite.use("assurance", c)) for c in matrix.columns]
    rows = []
    for row in matrix.rows:
        cells = [
            link(n, f"{row.icon.label}, {c.label}", variation=row.icon.code, assurance=c.code)
            for n, (c, _) in zip(row.counts, columns, strict=True)
        ]
        total = link(row.total, row.icon.label, variation=row.icon.code)
        rows.append({"icon": row.icon, "svg": sprite.use("variation", row.icon), "cells": cells,
                     "total": total})  # fmt: skip
    totals = [
        link(n, c.label, assurance=c.code) for n, (c, _) in zip(matrix.totals, columns, strict=True)
    ]
    html = render_to_string(
        "kpiboard/includes/dash_matrix.html",
        {"matrix": matrix, "columns": columns, "rows": rows, "totals": totals},
    )
    return SafeString(_compact(html))


class _Sprite:
    """Each SPC icon drawn once per page as an SVG ``<symbol>``; rows point at it with ``<use>``.

    Hundreds of rows each carrying full icon markup made the dashboard several times larger
    than its text. The icons stay decorative in the table (``aria-hidden``), as in the report:
    the label beside each says what it means.
    """

    _DRAW: ClassVar = {"variation": variation_icon_svg, "assurance": assurance_icon_svg}

    def __init__(self, symbols: dict[str, str]) -> None:
        self._symbols = symbols  # id -> <symbol> markup; a board made from another starts with its

    @property
    def symbols(self) -> dict[str, str]:
        return self._symbols

    def use(self, kind: str, icon) -> SafeString | None:
        if icon is None:
            return None
        symbol_id = f"icon-{kind}-{icon.code}"
        if symbol_id not in self._symbols:
            drawn = self._DRAW[kind](icon.code, icon_id=symbol_id)
            body = _SVG_OPEN.sub("", drawn).removesuffix("</svg>")
            self._symbols[symbol_id] = (
                f'<symbol id="{symbol_id}" viewBox="0 0 100 100" '
                f'font-family="{FONT_FAMILY}">{body}</symbol>'
            )
        return SafeString(
            '<svg width="40" height="40" viewBox="0 0 100 100" focusable="false">'
            f'<use href="#{symbol_id}"/></svg>'
        )

    def markup(self) -> SafeString:
        if not self._symbols:
            return SafeString("")
        symbols = "".join(self._symbols[k] for k in sorted(self._symbols))
        return SafeString(
            '<svg xmlns="http://www.w3.org/2000/svg" class="kpi-sprite" width="0" height="0" '
            f'aria-hidden="true" focusable="false">{symbols}</svg>'
        )


#: An icon's opening <svg> tag and its <title> (the symbol is decorative; the row labels it).
_SVG_OPEN = re.compile(r"^<svg[^>]*>(<title[^>]*>.*?</title>)?", re.S)


def _short(cell, labels: dict[str, str]) -> str:
    """The icon's short label (the report's own, as under its icons) for a compact table."""
    return labels.get(cell.icon.code, "") if cell.icon is not None else ""


def _compact(html: str) -> str:
    """A row's markup without the templates' line breaks and indentation (the row templates
    break lines only between tags), since a dashboard may have hundreds of rows."""
    return _BREAKS.sub("", html)


_BREAKS = re.compile(r"\n\s*")


def _row(analysis: Analysis, rating: str, html: str) -> Row:
    ind = analysis.indicator
    words = " ".join((ind.id, ind.number, ind.title, ind.short_title)).lower()
    variation, assurance = latest_icons(analysis)
    return Row(
        code=ind.id,
        section=ind.section,
        kind=ind.kind.value,
        tags=frozenset(ind.tags),
        rating=rating,
        search=words,
        html=SafeString(_compact(html)),
        variation=variation.value if variation else "",
        assurance=(assurance.value if assurance else "none") if variation else "",
    )
