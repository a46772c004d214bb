"""One indicator's page: the committee report's indicator page, a drafted commentary to start
from, and the history of every figure and commentary revision."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from ...core.draft import draft_commentary
from ...core.indicators import Indicator as CoreIndicator
from ...core.periods import PeriodError
from ...report.markdown import to_html
from ...report.model import Commentary, fmt_value
from ...report.pages import indicator_page
from .. import dashboard_cache
from ..models import CommentaryText, Figure, Indicator
from ..permissions import can_edit
from ..urlperiods import period_slug

#: Names of the series every indicator may have; others are named by the indicator's definition.
SERIES_LABELS = {
    "actual": "Actual",
    "target": "Target",
    "floor": "Floor",
    "lower": "Lower threshold",
    "upper": "Upper threshold",
}
COMMENTARY = "Commentary"


@dataclass
class Change:
    series: str
    revision: int
    old: str
    new: str
    author: str
    when: object
    reason: str
    note: str = ""
    is_text: bool = False
    diff: list[tuple[str, str]] = field(default_factory=list)  # commentary: (same|del|ins, words)


@dataclass
class PeriodHistory:
    label: str
    display: str
    changes: list[Change] = field(default_factory=list)


def _series_label(ind: CoreIndicator, series: str) -> str:
    definition = ind.series_def(series)
    if definition is not None and definition.label:
        return definition.label
    return SERIES_LABELS.get(series, series.replace("_", " ").capitalize())


def _author(revision) -> str:
    return revision.author.get_username() if revision.author_id else "pack load"


def _history(model: Indicator, ind: CoreIndicator, pack) -> list[PeriodHistory]:
    """Every revision of every figure and commentary, grouped by period (latest period first);
    within a period by series, newest revision first, each with the value it replaced."""
    order = {name: i for i, name in enumerate(SERIES_LABELS)}
    keyed: dict[str, list[tuple[tuple, Change]]] = {}
    figures = (
        Figure.objects.filter(indicator=model)
        .select_related("author")
        .order_by("period", "series", "revision")
    )
    previous: dict[tuple[str, str], Figure] = {}
    for fig in figures:
        before = previous.get((fig.period, fig.series))
        change = Change(
            series=_series_label(ind, fig.series),
            revision=fig.revision,
            old="" if before is None else _figure_text(ind, before),
            new=_figure_text(ind, fig),
            author=_author(fig),
            when=fig.created,
            reason=fig.reason,
            note=fig.note if before is None or before.note != fig.note else "",
        )
        rank = (order.get(fig.series, len(order)), fig.series, -fig.revision)
        keyed.setdefault(fig.period, []).append((rank, change))
        previous[(fig.period, fig.series)] = fig
    texts = (
        CommentaryText.objects.filter(indicator=model)
        .select_related("author")
        .order_by("period", "revision")
    )
    last_text: dict[str, str] = {}
    for item in texts:
        change = Change(
            series=COMMENTARY,
            revision=item.revision,
            old=last_text.get(item.period, ""),
            new=item.text,
            author=_author(item),
            when=item.created,
            reason=item.reason,
            is_text=True,
            diff=_word_diff(last_text.get(item.period, ""), item.text),
        )
        keyed.setdefault(item.period, []).append(((len(order) + 1, "", -item.revision), change))
        last_text[item.period] = item.text

    def when(label: str):
        try:
            return (0, pack.calendar.parse(label).sort_key, label)
        except (PeriodError, ValueError):
            return (1, None, label)

    out = []
    for label in sorted(keyed, key=when, reverse=True):
        try:
            display = pack.calendar.parse(label).display
        except (PeriodError, ValueError):
            display = label
        changes = [c for _, c in sorted(keyed[label], key=lambda item: item[0])]
        out.append(PeriodHistory(label, display, changes))
    return out


def _word_diff(old: str, new: str, context: int = 8) -> list[tuple[str, str]]:
    """What changed between two texts, word by word: unchanged runs longer than twice
    ``context`` words are shortened to their ends around an ellipsis."""
    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                first = [] if not out else words[:context]
                last = [] if i2 == len(a) and j2 == len(b) else words[-context:]
                words = [*first, "…", *last]
            out.append(("same", " ".join(words)))
            continue
        if op in ("delete", "replace"):
            out.append(("del", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("ins", " ".join(b[j1:j2])))
    return out


def _figure_text(ind: CoreIndicator, fig: Figure) -> str:
    return "withdrawn" if fig.value is None else fmt_value(ind, fig.value, fig.series)


def _markdown(commentary: Commentary | None):
    if commentary is None:
        return None
    # report.markdown renders with raw HTML off: any HTML in the text comes out as text.
    return mark_safe(to_html(commentary.markdown, heading_offset=2))


@require_safe
def indicator(request, code: str):
    model = Indicator.objects.filter(code=code, archived=False).select_related("section").first()
    if model is None:
        raise Http404("No such indicator")
    pack, analyses = dashboard_cache.analyses()
    if code not in analyses:
        raise Http404("No such indicator")
    analysis = analyses[code]
    page = indicator_page(pack, analysis)
    ind = analysis.indicator
    draft = page.draft
    latest = analysis.result.latest
    if draft is None and latest is not None:
        text = draft_commentary(analysis)
        draft = Commentary(latest.period.display, text, draft=True) if text else None
    entry_period = latest.period if latest is not None else pack.as_at
    section = next((s for s in pack.sections if s.id == ind.section), None)
    history = _history(model, ind, pack)
    return render(
        request,
        "kpiboard/indicator.html",
        {
            "page": page,
            "ind": ind,
            "section_title": section.title if section else model.section.title,
            "as_at": pack.as_at.long_display,
            "commentary_html": _markdown(page.commentary),
            "draft": draft,
            "draft_html": _markdown(draft),
            "can_edit": can_edit(request.user, model),
            "entry_period": entry_period,
            "entry_slug": period_slug(entry_period.label),
            "history": history,
            "revision_count": sum(len(p.changes) for p in history),
        },
    )
