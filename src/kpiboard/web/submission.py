"""Submitting a section's month: check the answers, explain the gaps, then submit.

Before a section's period goes to its approver, each indicator due in it must have its figure,
its commentary and (when it is rated) a target, or an explanation of why not (a
:class:`~kpiboard.web.models.GapExplanation`). A missing target is for an analyst to set; the
owner sees it here so that they can ask for it, or explain it, before the figure is reported
as "No target".
An owner checks and submits the indicators they look after; analysts see the whole section.
The explanations are saved, and the period submitted, in one transaction: nothing is submitted
while a gap is unexplained, and a refused submission saves no explanation either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..core.indicators import Indicator as CoreIndicator
from ..core.periods import Period
from ..core.units import UnitKind
from ..report.model import fmt_value
from .entry_period import due_period
from .models import CommentaryText, Figure, GapExplanation, Indicator, Section, SignoffState
from .permissions import can_edit, can_submit
from .signoff import set_signoff
from .store import bump_version, current_pack
from .targets import missing_targets
from .urlperiods import period_slug
from .writes import MAX_NOTE, SignoffRefused

#: What can be missing from an indicator's answers, and how the page names it.
MISSING_FIGURE = "figure"
MISSING_COMMENTARY = "commentary"
MISSING_TARGET = "target"
MISSING_WORDS = {
    MISSING_FIGURE: "No figure",
    MISSING_COMMENTARY: "No commentary",
    MISSING_TARGET: "No target",
}


def primary_series(ind: CoreIndicator) -> str:
    """The series whose figure makes a period 'done': the actual, or a derived actual's source."""
    if ind.derive is not None:
        return next((s for s in ind.derive.inputs if s), "actual")
    return "actual"


@dataclass
class Answer:
    """One indicator's answers for the period it falls due in."""

    indicator: CoreIndicator
    model: Indicator
    period: Period
    figure: str  # as the report writes it, "" for none
    rating: str  # "Green", "No target", ...
    note: str
    commentary: str
    explanation: str
    mine: bool  # the person may enter this indicator's figures
    missing: list[str] = field(default_factory=list)
    change: str = ""  # from the period before, e.g. "Up 1.2 percentage points from 73.0% (Sep-13)"

    @property
    def code(self) -> str:
        return self.indicator.id

    @property
    def slug(self) -> str:
        return period_slug(self.period.label)

    @property
    def gaps(self) -> list[str]:
        return [MISSING_WORDS[m] for m in self.missing]

    @property
    def unexplained(self) -> bool:
        return bool(self.missing) and not self.explanation.strip()


def section_indicators(pack, section: Section) -> list[CoreIndicator]:
    pack_section = next((s for s in pack.sections if s.id == section.code), None)
    if pack_section is None:
        return []
    return [pack.indicators[i] for i in pack_section.indicator_ids if i in pack.indicators]


def answers(user, section: Section, month: Period, *, everyone: bool = False) -> list[Answer]:
    """The answers of the section's indicators due with ``month``: those ``user`` may enter, or
    every one with ``everyone`` (the approver's review)."""
    pack = current_pack()
    models = {m.code: m for m in Indicator.objects.filter(section=section, archived=False)}
    results = pack.evaluate(month)
    no_target = {m.indicator.id for m in missing_targets(section, month)}
    out = []
    for ind in section_indicators(pack, section):
        model = models.get(ind.id)
        period = due_period(pack.calendar, ind, month)
        if model is None or period is None:
            continue
        mine = can_edit(user, model)
        if not (mine or everyone):
            continue
        answer = _answer(ind, model, period, results.get(ind.id), mine)
        if ind.id in no_target:
            answer.missing.append(MISSING_TARGET)
        out.append(answer)
    return out


def _answer(ind: CoreIndicator, model: Indicator, period: Period, result, mine: bool) -> Answer:
    figure, text, missing = _saved(ind, model, period)
    gap = GapExplanation.objects.filter(
        indicator=model, period=period.label, is_current=True
    ).first()
    at = result.at(period) if result is not None else None
    actual = at.actual if at is not None else None
    rating = at.rating.words if at is not None else "No data"
    return Answer(
        ind, model, period, fmt_value(ind, actual) if actual is not None else "", rating,
        figure.note if figure else "", text.text if text else "", gap.text if gap else "", mine,
        missing, _change(ind, result, at),
    )  # fmt: skip


def _saved(ind: CoreIndicator, model: Indicator, period: Period):
    """The current figure (of the primary series) and commentary, and what of them is missing:
    read from the database alone, so a submission can check again inside its transaction."""
    figure = Figure.objects.filter(
        indicator=model, period=period.label, series=primary_series(ind), is_current=True
    ).first()
    text = CommentaryText.objects.filter(
        indicator=model, period=period.label, is_current=True
    ).first()
    missing = []
    if figure is None or figure.value is None or math.isnan(figure.value):
        missing.append(MISSING_FIGURE)
    if text is None or not text.text.strip():
        missing.append(MISSING_COMMENTARY)
    return figure, text, missing


def _change(ind: CoreIndicator, result, at) -> str:
    """How the figure moved from the one before it: "Up 1.2 percentage points from 73.0%
    (Sep-13)", "No change from ...", or "" with nothing to compare."""
    if at is None or at.actual is None:
        return ""
    i = result.periods.index(at)
    before = next((r for r in reversed(result.periods[:i]) if r.actual is not None), None)
    if before is None:
        return ""
    difference = at.actual - before.actual
    since = f"from {fmt_value(ind, before.actual)} ({before.period.display})"
    if difference == 0:
        return f"No change {since}"
    word = "Up" if difference > 0 else "Down"
    if ind.unit.kind is UnitKind.PERCENT:
        size = f"{abs(difference):.1f} percentage points"
    else:
        size = fmt_value(ind, abs(difference))
    return f"{word} {size} {since}"


def _save_explanation(user, answer: Answer, text: str) -> None:
    text = text.strip()
    if text == answer.explanation.strip():
        return
    current = (
        GapExplanation.objects.select_for_update(of=("self",))
        .filter(indicator=answer.model, period=answer.period.label, is_current=True)
        .first()
    )
    GapExplanation.objects.append(
        current, indicator=answer.model, period=answer.period.label, text=text, author=user
    )
    answer.explanation = text


def submit_section(
    user, section: Section, month: Period, explanations: dict[str, str], base_revision: int
) -> list[Answer]:
    """Save the gap explanations given (by indicator code) and submit the section's ``month``.

    Raises ``PermissionDenied`` (not an owner of the section), or :class:`SignoffRefused` with
    an error per indicator whose gap is still unexplained (keyed ``gap-CODE``); nothing is saved
    then."""
    if not can_submit(user, section):
        raise PermissionDenied
    errors: dict[str, str] = {}
    for code, text in explanations.items():
        if len(text.strip()) > MAX_NOTE:
            errors[f"gap-{code}"] = f"Explanation must be {MAX_NOTE} characters or fewer"
    if errors:
        raise SignoffRefused(errors)
    mine = [a for a in answers(user, section, month) if a.mine]  # the pack: before the lock
    with transaction.atomic():
        bump_version()
        for answer in mine:  # again, as committed now: a figure may have been saved meanwhile
            targets = [m for m in answer.missing if m == MISSING_TARGET]
            answer.missing = _saved(answer.indicator, answer.model, answer.period)[2] + targets
        for answer in mine:
            if answer.code in explanations and answer.missing:
                _save_explanation(user, answer, explanations[answer.code])
        for answer in mine:
            if answer.unexplained:
                errors[f"gap-{answer.code}"] = gap_error(answer)
        if errors:
            raise SignoffRefused(errors)
        set_signoff(
            user, section.code, month.label, SignoffState.SUBMITTED, base_revision=base_revision
        )
    return mine


def gap_error(answer: Answer) -> str:
    """What a refused submission says about one indicator's unexplained gaps."""
    words = [w.lower() for w in answer.gaps]
    gaps = " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
    if answer.missing == [MISSING_TARGET]:
        return (
            f"{answer.code} has no target for {answer.period.display}: ask an analyst to set "
            "one, or explain why there is none"
        )
    ask = " (an analyst sets the target)" if MISSING_TARGET in answer.missing else ""
    return (
        f"{answer.code} has {gaps} for {answer.period.display}: enter them, or explain why not{ask}"
    )


def unexplained_gaps(user, section: Section, month: Period) -> list[Answer]:
    """The person's indicators in the section whose gaps are not explained."""
    return [a for a in answers(user, section, month) if a.mine and a.unexplained]
