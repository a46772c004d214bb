"""Drafted commentary: a factual first draft, written from the results, for an officer to edit.

Officers write the same kinds of sentence every month (what the figure is, how it moved, where it
stands against target, whether the change is real, where the year will end). Drafting them from
the numbers saves that time and keeps them accurate; the report always labels a draft as a draft
and never mixes it with the officer's own words.

The text is deterministic: the same results always give the same words.
"""

from __future__ import annotations

import calendar as _calendar

from .analysis import Analysis
from .direction import Basis
from .evaluate import IndicatorResult, PeriodResult
from .indicators import IndicatorKind, SpcChart
from .periods import Period, PeriodKind
from .rating import Polarity, Rating
from .spc import AssuranceIcon, Signal, VariationIcon, XmrResult
from .units import fixed

_UNIT_WORD = {"month": "month", "quarter": "quarter", "year": "year"}


def when(period: Period) -> str:
    """A period as it reads in a sentence: "September 2013", "the quarter to June 2013"."""
    month = _calendar.month_name[period.end.month]
    if period.kind is PeriodKind.MONTH:
        return f"{month} {period.end.year}"
    if period.kind is PeriodKind.QUARTER:
        return f"the quarter to {month} {period.end.year}"
    if period.kind is PeriodKind.YEAR:
        return period.label
    return f"{period.end.day} {month} {period.end.year}"


def _step_word(result: IndicatorResult) -> str:
    kinds = {r.period.kind for r in result.periods if r.actual is not None}
    if len(kinds) == 1:
        return _UNIT_WORD.get(next(iter(kinds)).value, "period")
    return "period"


def _plural(word: str, count: int) -> str:
    return word if count == 1 else f"{word}s"


def _change(text: str, now: float, then: PeriodResult, fmt, aside: str = "") -> str:
    """``text`` plus how ``now`` compares with ``then``'s figure (``aside`` ends the clause)."""
    assert then.actual is not None
    if now == then.actual:
        return text + f", unchanged from {when(then.period)}{aside}."
    word = "up" if now > then.actual else "down"
    return text + f", {word} from {fmt(then.actual)} in {when(then.period)}{aside}."


def _movement(result: IndicatorResult, fmt) -> str:
    """The figure and how it moved, against the same figure the direction arrow compares with:
    the same point last year for year-to-date figures (see Indicator.direction_basis)."""
    latest, previous = result.latest, result.previous
    assert latest is not None and latest.actual is not None
    text = f"{fmt(latest.actual)} in {when(latest.period)}"
    if result.indicator.direction_basis is Basis.YEAR_AGO:
        year_ago = latest.period.shifted_year(result.calendar, -1)
        then = result.at(year_ago)
        if then is None or then.actual is None:
            return text + f"; there is no figure for {when(year_ago)} to compare it with."
        return _change(text, latest.actual, then, fmt, ", a year earlier")
    if previous is None or previous.actual is None:
        return text + ", the first figure reported."
    return _change(text, latest.actual, previous, fmt)


def _met(r: PeriodResult) -> bool | None:
    if r.computed in (Rating.NO_DATA, Rating.NO_TARGET, Rating.NOT_RATED):
        return None
    return r.computed is Rating.GREEN


def _streak(result: IndicatorResult) -> int:
    """How many latest periods in a row share the latest period's met/missed status."""
    latest = result.latest
    if latest is None or _met(latest) is None:
        return 0
    status = _met(latest)
    count = 0
    for r in reversed(result.periods):
        if result.as_at is not None and r.period.end > result.as_at.end:
            continue
        if r.actual is None:
            continue
        if _met(r) is not status:
            break
        count += 1
    return count


def _target_position(result: IndicatorResult, fmt, gap_fmt) -> list[str]:
    ind = result.indicator
    latest = result.latest
    assert latest is not None and latest.actual is not None
    if not ind.rated or latest.target is None:
        return []
    actual, target = latest.actual, latest.target
    rating = latest.rating.words
    override = f", set by {latest.override.by}" if latest.override else ""
    if ind.polarity is Polarity.CLOSE:
        gap = abs(actual - target)
        if gap == 0:
            position = f"Exactly on the {fmt(target)} target ({rating}{override})."
        else:
            position = f"{gap_fmt(gap)} from the {fmt(target)} target ({rating}{override})."
        return [position]
    better = actual > target if ind.polarity is Polarity.HIGHER else actual < target
    side_bad = "below" if ind.polarity is Polarity.HIGHER else "above"
    side_good = "above" if ind.polarity is Polarity.HIGHER else "below"
    label = f"the {fmt(target)} target ({rating}{override})"
    if actual == target:
        sentence = f"Exactly on {label}"
    else:
        side = side_good if better else side_bad
        sentence = f"{gap_fmt(abs(actual - target))} {side} {label}"
    floor = (
        latest.floor if latest.floor is not None else latest.rule.floor_for(target, ind.polarity)
    )
    if not better and actual != target:
        if floor is None:
            sentence += ", with no Amber band"
        elif latest.computed is Rating.AMBER:
            sentence += f", within the floor of {fmt(floor)}"
        elif latest.computed is Rating.RED:
            sentence += f", beyond the floor of {fmt(floor)}"
    sentences = [sentence + "."]
    run = _streak(result)
    step = _step_word(result)
    met = _met(latest)
    if run >= 2:
        state = "met the target" if met else "been behind target"
        sentences.append(f"It has {state} for {run} {_plural(step, run)} running.")
    elif run == 1 and result.previous is not None and _met(result.previous) is not None:
        change = "met the target again" if met else "fell behind target"
        sentences.append(f"It {change} this {step}.")
    return sentences


def _signal_words(signal: Signal | None, high: bool) -> str:
    side = "above" if high else "below"
    if signal is Signal.OUTSIDE_LIMITS:
        return f"the latest point is {side} the process limits"
    if signal is Signal.TREND:
        return f"the points have been {'rising' if high else 'falling'} for 7 or more in a row"
    if signal is Signal.TWO_OF_THREE:
        return f"two of the last three points are close to the {'upper' if high else 'lower'} limit"
    if signal is Signal.SHIFT:
        return f"the latest points have stayed {side} the average for a sustained run"
    return "a special cause pattern"


_WITHHELD = {
    SpcChart.XMR: (
        "No SPC judgement is drawn: an XmR chart does not suit these figures, which rarely "
        "change from one period to the next."
    ),
    SpcChart.T: "No SPC judgement is drawn: the figures are not whole counts of events.",
    SpcChart.G: "No SPC judgement is drawn: the figures are not whole counts of events.",
}
_RARE_WORDS = {SpcChart.T: "t-chart", SpcChart.G: "g-chart"}


def _variation(spc: XmrResult) -> str:
    rare = spc.chart is not SpcChart.XMR
    icon = spc.variation_icon
    assert icon is not None  # withheld charts (no icon) are worded before this is asked
    if icon is VariationIcon.COMMON_CAUSE:
        if rare:
            return "No special cause variation in the time between events."
        return "No special cause variation: the change is within normal variation."
    kind = icon.value.split("_")[0]  # improvement, concern or neutral
    signal = next((s for s in reversed(spc.signal) if s is not None), None)
    high = icon.value.endswith("_high")
    where = " in the time between events" if rare else ""
    return f"Special cause variation ({kind}){where}: {_signal_words(signal, high)}."


def _assurance(spc: XmrResult) -> list[str]:
    assurance = spc.assurance_icon
    if assurance is AssuranceIcon.PASS:
        return ["On current variation the target will be met consistently."]
    if assurance is AssuranceIcon.FAIL:
        return ["On current variation the target will not be met without a change."]
    if assurance is AssuranceIcon.INCONSISTENT:
        return ["On current variation the target will be met in some periods and missed in others."]
    if spc.assurance_note:
        return [f"The chart gives no assurance against the target: {spc.assurance_note}."]
    return []


def _spc(analysis: Analysis) -> list[str]:
    spc = analysis.spc
    if spc is None or analysis.indicator.spc is None:
        return []
    if spc.withheld:
        return [_WITHHELD[spc.chart]]
    sentences = [_variation(spc), *_assurance(spc)]
    if spc.open_interval is not None:
        sentences.append(f"{_days(spc.open_interval)} have passed since the latest event.")
    latest_group = spc.group[-1] if len(spc.group) else 0
    points = int(
        sum(1 for g, v in zip(spc.group, spc.values, strict=True) if g == latest_group and v == v)
    )
    if points < 15:
        what = "gaps between events" if spc.chart is not SpcChart.XMR else "points"
        sentences.append(f"(The chart rests on {points} {what}; 15 or more are advised.)")
    return sentences


def _days(value: float) -> str:
    whole = fixed(value, 0)
    return f"{whole} {'day' if whole == '1' else 'days'}"


def _range(analysis: Analysis, fmt) -> list[str]:
    if analysis.indicator.kind is not IndicatorKind.LEAD or not analysis.range_status:
        return []
    lo, hi = analysis.range_lower, analysis.range_upper
    span = f" ({fmt(lo)} to {fmt(hi)})" if lo is not None and hi is not None else ""
    return [f"This is {analysis.range_status} the expected range{span}."]


def _peers(analysis: Analysis) -> list[str]:
    out = []
    for comparison in analysis.peers:
        p = comparison.position
        label = comparison.label
        group = label[:1].lower() + label[1:] if label[1:2].islower() else label
        out.append(
            f"Ranked {p.rank_text} of {p.of} among {group} in {when(comparison.period)} "
            f"({p.quartile_label})."
        )
    return out


def _forecast(analysis: Analysis, fmt) -> list[str]:
    f = analysis.forecast
    if f is None or f.target is None:
        return []
    met = f.rating is Rating.GREEN
    if f.is_actual:
        verdict = "was met" if met else "was not met"
        return [f"The year-end target of {fmt(f.target)} {verdict} (outturn {fmt(f.value)})."]
    verdict = "will be met" if met else "will not be met"
    spread = ""
    if f.has_range and fmt(f.lower) != fmt(f.upper):
        spread = f", likely range {fmt(f.lower)} to {fmt(f.upper)}"
    return [
        f"At this rate the year-end target of {fmt(f.target)} {verdict} "
        f"(forecast {fmt(f.value)}{spread})."
    ]


def draft_commentary(analysis: Analysis) -> str:
    """A paragraph of plain English about the latest figure; empty when there is no figure."""
    result = analysis.result
    latest = result.latest
    if latest is None or latest.actual is None:
        return ""
    unit = result.indicator.unit
    fmt = unit.format
    gap_fmt = unit.format_difference
    sentences = [_movement(result, fmt)]
    sentences += _target_position(result, fmt, gap_fmt)
    if not result.indicator.rated and result.indicator.kind is not IndicatorKind.LEAD:
        sentences.append("This indicator is not rated against a target.")
    sentences += _range(analysis, fmt)
    sentences += _spc(analysis)
    sentences += _peers(analysis)
    sentences += _forecast(analysis, fmt)
    return " ".join(sentences)
