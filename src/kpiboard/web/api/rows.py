"""The rows the read endpoints serve, from the database and the analysed pack. Results come from
:func:`kpiboard.packs.exporter.result_rows`, the rows ``kpiboard rate`` prints, with each
indicator's forecast and expected range added; they are worked out once per data version."""

from __future__ import annotations

from ...core.periods import FinancialCalendar, Period, PeriodError
from ...packs.exporter import result_rows
from ...packs.model import Pack
from .. import store
from ..models import CommentaryText, Figure, PeerValue, Signoff
from ..writes import who
from .http import bad_field, clean_number, in_window, period_window

#: The name of the API's result rows among a data generation's facts.
RESULTS = "api results"


def check_section(pack: Pack, section: str | None) -> None:
    """An unknown section filter is an error naming the filter."""
    if section and section not in {s.id for s in pack.sections}:
        raise bad_field("section", f"There is no section {section!r}")


def chosen_indicators(pack: Pack, section: str | None, tag: str | None, indicator: str | None):
    """The indicator codes the filters leave, in the pack's order; an unknown section, tag or
    indicator is an error naming the filter (an empty answer would hide a typo)."""
    check_section(pack, section)
    if indicator and indicator not in pack.indicators:
        raise bad_field("indicator", f"There is no indicator {indicator!r}")
    if tag and not any(tag in ind.tags for ind in pack.indicators.values()):
        raise bad_field("tag", f"No indicator has the tag {tag!r}")
    return [
        code
        for code, ind in pack.indicators.items()
        if (not section or ind.section == section)
        and (not tag or tag in ind.tags)
        and (not indicator or code == indicator)
    ]


def _parse(calendar: FinancialCalendar, label: str) -> Period | None:
    try:
        return calendar.parse(label)
    except PeriodError:  # pragma: no cover - stored labels are canonical
        return None


def _forecast_fields(analysis) -> dict:
    fc = analysis.forecast
    return {
        "forecast": clean_number(fc.value) if fc else None,
        "forecast_lower": clean_number(fc.lower) if fc else None,
        "forecast_upper": clean_number(fc.upper) if fc else None,
        "forecast_method": fc.method.value if fc else None,
        "forecast_rating": fc.rating.name if fc else None,
        "forecast_year_end": fc.year_end.label if fc else None,
        "range_lower": clean_number(analysis.range_lower),
        "range_upper": clean_number(analysis.range_upper),
        "range_status": analysis.range_status or "",  # a RangeStatus value, or "" for none
    }


def all_results(pack: Pack) -> list[dict]:
    """Every indicator's results as at the reporting month, with its forecast and expected
    range."""
    analyses = pack.analyse(pack.as_at)
    extra = {code: _forecast_fields(a) for code, a in analyses.items()}
    rows = []
    for row in result_rows(pack, pack.as_at, analyses):
        for key in ("actual", "target", "floor", "ci_lower", "ci_upper"):
            row[key] = clean_number(row[key])
        rows.append({**row, **extra[row["indicator"]]})
    return rows


def results(request, filters, rating: str | None) -> list[dict]:
    """The results the filters choose, from this data generation's rows (worked out once)."""
    made = store.generation(request)
    pack = made.pack
    codes = set(chosen_indicators(pack, filters.section, filters.tag, filters.indicator))
    window = period_window(pack.calendar, filters.since, filters.until)
    return [
        r
        for r in made.fact(RESULTS, lambda g: all_results(g.pack))
        if r["indicator"] in codes
        and (not rating or r["rating"] == rating)
        and in_window(pack.calendar.parse(r["period"]), window)
    ]


def _dated(pack: Pack, rows, filters):
    """``rows`` (with ``indicator__code`` and ``period``) of the chosen indicators and periods,
    in the pack's indicator order, then by period."""
    codes = chosen_indicators(pack, filters.section, filters.tag, filters.indicator)
    order = {code: i for i, code in enumerate(codes)}
    window = period_window(pack.calendar, filters.since, filters.until)
    kept = []
    for row in rows.filter(indicator__code__in=codes):
        period = _parse(pack.calendar, row.period)
        if period is not None and in_window(period, window):
            kept.append((order[row.indicator.code], period.start, period.end, row))
    kept.sort(key=lambda k: k[:3])
    return [k[3] for k in kept]


def figures(pack: Pack, filters, series: str | None) -> list[dict]:
    rows = Figure.objects.filter(is_current=True, value__isnull=False).select_related(
        "indicator__section", "author"
    )
    if series:
        rows = rows.filter(series=series)
    return [
        {
            "indicator": f.indicator.code,
            "section": f.indicator.section.code,
            "period": f.period,
            "series": f.series,
            "value": clean_number(f.value),
            "unit": pack.indicators[f.indicator.code].unit.label,
            "note": f.note,
            "revision": f.revision,
            "author": who(f.author) if f.author_id else "",
            "recorded": f.created,
        }
        for f in _dated(pack, rows, filters)
        if clean_number(f.value) is not None
    ]


def peers(pack: Pack, filters) -> list[dict]:
    rows = PeerValue.objects.select_related("indicator__section").order_by("organisation")
    found = _dated(pack, rows, filters)  # a stable sort: organisations stay in order
    return [
        {
            "indicator": p.indicator.code,
            "section": p.indicator.section.code,
            "period": p.period,
            "organisation": p.organisation,
            "value": p.value,
        }
        for p in found
    ]


def commentary(pack: Pack, filters) -> list[dict]:
    rows = CommentaryText.objects.filter(is_current=True).exclude(text="")
    return [
        {
            "indicator": c.indicator.code,
            "section": c.indicator.section.code,
            "period": c.period,
            "text": c.text,
            "revision": c.revision,
            "author": who(c.author) if c.author_id else "",
            "recorded": c.created,
        }
        for c in _dated(pack, rows.select_related("indicator__section", "author"), filters)
    ]


def signoffs(pack: Pack, section: str | None, since: str | None, until: str | None) -> list[dict]:
    check_section(pack, section)
    window = period_window(pack.calendar, since, until)
    rows = Signoff.objects.filter(is_current=True).select_related("section", "author")
    if section:
        rows = rows.filter(section__code=section)
    kept = []
    for s in rows:
        period = _parse(pack.calendar, s.period)
        if period is not None and in_window(period, window):
            kept.append((s.section.position, s.section.code, period.start, period.end, s))
    kept.sort(key=lambda k: k[:4])
    return [
        {
            "section": s.section.code,
            "period": s.period,
            "state": s.state,
            "revision": s.revision,
            "author": who(s.author) if s.author_id else "",
            "recorded": s.created,
        }
        for *_, s in kept
    ]
