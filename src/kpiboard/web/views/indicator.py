"""One indicator's page: the committee report's indicator page, a drafted commentary to start
from, and the history of every figure and commentary revision."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from ...core.draft import draft_commentary
from ...core.indicators import Indicator as CoreIndicator
from ...core.periods import Period, PeriodError
from ...core.units import plain
from ...report.markdown import to_html
from ...report.model import Commentary, fmt_value
from ...report.pages import indicator_page
from .. import dashboard_cache, store
from ..models import CommentaryText, Figure, Indicator
from ..overrides import may_override
from ..permissions import can_edit, can_move_month
from ..plain_sql import PlainQuery, aware
from ..reporting_month import PERIOD_PARAM, PeriodChoice
from ..targets import may_set_targets
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
    when: datetime
    reason: str
    note: str = ""
    is_text: bool = False
    diff: list[tuple[str, str]] = field(default_factory=list)  # commentary: (same|del|ins, words)


@dataclass
class PeriodHistory:
    label: str
    display: str
    changes: list[Change] = field(default_factory=list)


def series_label(ind: CoreIndicator | None, series: str) -> str:
    """A series as revisions name it: the definition's label, or a standard name (``ind`` None:
    an indicator no longer on the site)."""
    definition = ind.series_def(series) if ind is not None else None
    if definition is not None and definition.label:
        return definition.label
    return SERIES_LABELS.get(series, series.replace("_", " ").capitalize())


def period_display(pack, label: str) -> str:
    """A stored period label as pages print it; as stored when the calendar cannot read it."""
    if not label:
        return ""
    try:
        return pack.calendar.parse(label).display
    except (PeriodError, ValueError):
        return label


#: Who a revision is by when no person made it: it came in with a pack.
PACK_LOAD = "pack load"


@dataclass
class History:
    periods: list[PeriodHistory]  # the latest ``limit`` periods with revisions, latest first
    revisions: int  # revisions in every period
    older: int  # periods with revisions beyond ``periods``


def _history(model: Indicator, ind: CoreIndicator, pack, limit: int | None = None) -> History:
    """Revisions of every figure and commentary, grouped by period (latest period first); within
    a period by series, newest revision first, each with the value it replaced. With ``limit``,
    only the latest periods are read in full: the rest are only counted."""
    counts: dict[str, int] = {}
    for period, n in _REVISIONS_BY_PERIOD.all([model.pk, model.pk]):
        counts[period] = counts.get(period, 0) + n

    def when(label: str):
        try:
            return (0, pack.calendar.parse(label).sort_key, label)
        except (PeriodError, ValueError):
            return (1, None, label)

    labels = sorted(counts, key=when, reverse=True)
    shown = labels if limit is None else labels[:limit]
    some = len(shown) < len(labels)
    figures, texts = _revision_reads(len(shown) if some else 0)
    params = [model.pk, *shown] if some else [model.pk]
    keyed = _changes(ind, figures.all(params), texts.all(params))
    out = []
    for label in shown:
        changes = [c for _, c in sorted(keyed[label], key=lambda item: item[0])]
        out.append(PeriodHistory(label, period_display(pack, label), changes))
    return History(out, sum(counts.values()), len(labels) - len(shown))


#: An indicator's figure and commentary revisions, counted by period (every indicator page
#: asks; see web/plain_sql.py).
_REVISIONS_BY_PERIOD = PlainQuery(
    "SELECT {figure__period}, COUNT(*) FROM {figure} WHERE {figure__indicator_id} = %s"
    " GROUP BY {figure__period} UNION ALL SELECT {text__period}, COUNT(*) FROM {text}"
    " WHERE {text__indicator_id} = %s GROUP BY {text__period}",
    figure=Figure,
    text=CommentaryText,
)


#: The author's columns a history row reads (NULL for a pack load): their name is shown, or
#: their username if none.
AUTHOR = "{user}.{user__first_name}, {user}.{user__last_name}, {user}.{user__username}"


@functools.cache
def _revision_reads(periods: int) -> tuple[PlainQuery, PlainQuery]:
    """An indicator's figure and commentary revisions with their authors, oldest first in each
    period (and series), in ``periods`` periods named as parameters (0: every period), as plain
    SQL (see web/plain_sql.py): putting the two query sets together cost four times the
    processor time of running them, on every indicator page."""
    only = ""
    if periods:
        only = " AND {t}.{t__period} IN (" + ", ".join(["%s"] * periods) + ")"
    body = (
        " FROM {t} LEFT OUTER JOIN {user} ON {t}.{t__author_id} = {user}.{user__id}"
        " WHERE {t}.{t__indicator_id} = %s" + only
    )
    user = get_user_model()
    figures = PlainQuery(
        "SELECT {t}.{t__period}, {t}.{t__series}, {t}.{t__revision}, {t}.{t__value}, {t}.{t__note},"
        " {t}.{t__reason}, {t}.{t__created}, " + AUTHOR + body
        + " ORDER BY {t}.{t__period}, {t}.{t__series}, {t}.{t__revision}",
        t=Figure, user=user,
    )  # fmt: skip
    texts = PlainQuery(
        "SELECT {t}.{t__period}, {t}.{t__revision}, {t}.{t__text}, {t}.{t__reason},"
        " {t}.{t__created}, " + AUTHOR + body + " ORDER BY {t}.{t__period}, {t}.{t__revision}",
        t=CommentaryText, user=user,
    )  # fmt: skip
    return figures, texts


def _author(first: str | None, last: str | None, username: str | None) -> str:
    """As :func:`..accounts.display_name` says a person, from a plain row; a pack load if nobody."""
    if username is None:
        return PACK_LOAD
    return f"{first} {last}".strip() or username


def _changes(
    ind: CoreIndicator, figures: list[tuple], texts: list[tuple]
) -> dict[str, list[tuple[tuple, Change]]]:
    """Each revision as a Change with the value it replaced, by period, with its sort key, from
    the rows of :func:`_revision_reads` (plain rows: a long history has hundreds)."""
    order = {name: i for i, name in enumerate(SERIES_LABELS)}
    keyed: dict[str, list[tuple[tuple, Change]]] = {}
    previous: dict[tuple[str, str], tuple[float | None, str]] = {}
    for period, series, revision, value, note, reason, created, *author in figures:
        before = previous.get((period, series))
        change = Change(
            series=series_label(ind, series),
            revision=revision,
            old="" if before is None else figure_text(ind, before[0], series),
            new=figure_text(ind, value, series),
            author=_author(*author),
            when=aware(created),
            reason=reason,
            note=note if before is None or before[1] != note else "",
        )
        rank = (order.get(series, len(order)), series, -revision)
        keyed.setdefault(period, []).append((rank, change))
        previous[(period, series)] = (value, note)
    last_text: dict[str, str] = {}
    for period, revision, text, reason, created, *author in texts:
        change = Change(
            series=COMMENTARY,
            revision=revision,
            old=last_text.get(period, ""),
            new=text,
            author=_author(*author),
            when=aware(created),
            reason=reason,
            is_text=True,
            diff=_word_diff(last_text.get(period, ""), text),
        )
        keyed.setdefault(period, []).append(((len(order) + 1, "", -revision), change))
        last_text[period] = text
    return keyed


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


def figure_text(ind: CoreIndicator | None, value: float | None, series: str) -> str:
    """A revision's value in the indicator's unit; plainly for an indicator no longer on the
    site; "withdrawn" for a figure taken away."""
    if value is None:
        return "withdrawn"
    return fmt_value(ind, value, series) if ind is not None else plain(value)


def _markdown(commentary: Commentary | None):
    if commentary is None:
        return None
    # report.markdown renders with raw HTML off: any HTML in the text comes out as text.
    return mark_safe(to_html(commentary.markdown, heading_offset=2))


def _history_html(history: History) -> SafeString:
    """The revision history as the full history page shows it (a Jinja2 template, see
    web/jinja.py, which the indicator page's body includes for its latest periods)."""
    return mark_safe(render_to_string(HISTORY_TEMPLATE, {"history": history}, using="jinja2"))


#: Jinja2 templates (see web/jinja.py).
HISTORY_TEMPLATE = "kpiboard/history.html"
BODY_TEMPLATE = "kpiboard/indicator_body.html"

#: Periods of revision history on the indicator page; the history page has them all.
RECENT_PERIODS = 12


def _indicator_or_404(request, code: str, period: Period | None = None):
    """The live indicator's row, the board (as at ``period``, the reporting month when None)
    and the indicator's analysis. The row is read only when something asks for it (an owner's
    right to edit, a page middle not yet kept): the board already says the indicator is live,
    since an archived one is left out of the pack."""
    board = dashboard_cache.board(request, period)
    if code not in board.analyses:
        raise Http404("No such indicator")
    return SimpleLazyObject(lambda: _live_row(code)), board, board.analyses[code]


def _live_row(code: str) -> Indicator:
    """The indicator's row as far as its pages use it (its key and section; the section itself
    is read only if asked for), in one plain query (see web/plain_sql.py)."""
    row = _LIVE_ROW.one([code, False])
    if row is None:  # archived since the board was built; the next request has a new board
        raise Http404("No such indicator")
    return Indicator(id=row[0], code=code, section_id=row[1], archived=False)


_LIVE_ROW = PlainQuery(
    "SELECT {ind__id}, {ind__section_id} FROM {ind} WHERE {ind__code} = %s"
    " AND {ind__archived} = %s",
    ind=Indicator,
)


@require_safe
def indicator(request, code: str):
    made = store.generation(request)
    choice = PeriodChoice(made, request.GET.get(PERIOD_PARAM))
    model, board, analysis = _indicator_or_404(request, code, choice.period)
    # Entering figures and overriding ratings are for the reporting month, not a look back.
    editable = choice.is_current and can_edit(request.user, model)
    overridable = choice.is_current and may_override(request.user) and analysis.indicator.rated
    targets = may_set_targets(request.user) and analysis.indicator.needs_target

    mover = can_move_month(request.user)
    picker = {"choice": choice, "picker_keeps": [], "current_url": request.path,
              "can_move_month": mover}  # fmt: skip

    def body() -> SafeString:
        context = _page_context(model, board.pack, analysis, editable) | picker
        context |= {
            "can_override": overridable,
            "can_set_targets": targets,
            "as_at": choice.period.long_display,
        }
        # A Jinja2 template (see web/jinja.py), autoescaped: what it gives is safe HTML.
        return mark_safe(render_to_string(BODY_TEMPLATE, context, using="jinja2"))

    if choice.error:  # the message echoes what was asked: not worth keeping
        html = body()
    else:  # all the body knows of its reader, and the month it shows
        key = ("indicator", code, choice.period.label, editable, overridable, mover, targets)
        html = made.page(key, body)
    return render(
        request,
        "kpiboard/indicator.html",
        {"ind": analysis.indicator, "choice": choice, "body": html},
        status=400 if choice.error else 200,
    )


@require_safe
def indicator_history(request, code: str):
    model, board, analysis = _indicator_or_404(request, code)
    ind = analysis.indicator

    def body() -> str:
        return _history_html(_history(model, ind, board.pack))

    return render(
        request,
        "kpiboard/indicator_history.html",
        {
            "ind": ind,
            "section_title": _section_title(board.pack, ind, model),
            "body": store.generation(request).page(("history", code), body),
        },
    )


def _section_title(pack, ind: CoreIndicator, model: Indicator) -> str:
    section = next((s for s in pack.sections if s.id == ind.section), None)
    return section.title if section else model.section.title


def _page_context(model: Indicator, pack, analysis, editable: bool) -> dict:
    page = indicator_page(pack, analysis)
    ind = analysis.indicator
    draft = page.draft
    latest = analysis.result.latest
    if draft is None and latest is not None:
        text = draft_commentary(analysis)
        draft = Commentary(latest.period.display, text, draft=True) if text else None
    entry_period = latest.period if latest is not None else pack.as_at
    history = _history(model, ind, pack, RECENT_PERIODS)
    return {
        "page": page,
        "ind": ind,
        "section_title": _section_title(pack, ind, model),
        "as_at": pack.as_at.long_display,
        "commentary_html": _markdown(page.commentary),
        "draft": draft,
        "draft_html": _markdown(draft),
        "can_edit": editable,
        "entry_period": entry_period,
        "entry_slug": period_slug(entry_period.label),
        "history": history,
    }
