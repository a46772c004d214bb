"""The manifest's ``reporting_calendar`` and each section's ``calendar`` overrides.

Every problem names the file, line and field, like the rest of the manifest. What is read
becomes a :class:`~kpiboard.core.due_dates.ReportingCalendar`; the web keeps the manifest as
written, so an export writes the calendar back unchanged.
"""

from __future__ import annotations

from datetime import date

from ..core.due_dates import CalendarError, Milestone, Offset, ReportingCalendar, Rules
from ..core.periods import FinancialCalendar, Period, PeriodError
from .fields import FieldReader
from .problems import Problems
from .yamlsource import Mapping

#: Keys a rule block may hold: the milestones, when reminders go and when lateness escalates.
RULE_KEYS = [m.value for m in Milestone] + ["remind_before", "escalate_after"]


def _offsets(reader: FieldReader) -> dict[str, Offset]:
    found: dict[str, Offset] = {}
    for key in RULE_KEYS:
        if key not in reader.mapping:
            continue
        try:
            found[key] = Offset.parse(reader.text(key))
        except CalendarError as exc:
            reader.problem(key, str(exc))
    return found


def _fixed_dates(
    reader: FieldReader, calendar: FinancialCalendar, problems: Problems
) -> dict[str, dict[Milestone, date]]:
    """``dates: {PERIOD: {MILESTONE: YYYY-MM-DD}}``: dates fixed outright for one period."""
    block = reader.mapping_at("dates")
    if block is None:
        return {}
    fixed: dict[str, dict[Milestone, date]] = {}
    for label, body in block.items():
        where = f"{reader.prefix}dates.{label}"
        try:
            period = calendar.parse(str(label))
        except PeriodError as exc:
            problems.report(reader.file, block.line_of(label), where, str(exc))
            continue
        if not isinstance(body, Mapping):
            problems.report(reader.file, block.line_of(label), where, "must be a mapping")
            continue
        inner = FieldReader(problems, reader.file, body, where + ".")
        inner.check_keys([m.value for m in Milestone])
        for key in body:
            if key not in Milestone._value2member_map_:
                continue
            try:
                day = date.fromisoformat(inner.text(str(key)))
            except ValueError:
                inner.problem(str(key), f"{body[key]!r} is not a date (write e.g. 2014-01-28)")
                continue
            fixed.setdefault(period.label, {})[Milestone(key)] = day
    return fixed


def _rules(
    reader: FieldReader, base: Rules, calendar: FinancialCalendar, problems: Problems
) -> Rules:
    offsets = _offsets(reader)
    return base.overridden(
        offsets={Milestone(k): v for k, v in offsets.items() if k in Milestone._value2member_map_},
        fixed=_fixed_dates(reader, calendar, problems),
        **{k: v for k, v in offsets.items() if k in ("remind_before", "escalate_after")},
    )


def _check_order(reader: FieldReader, rules: Rules) -> None:
    """Milestones counted the same way must come in order: figures, commentary, approval,
    committee. (Mixed working and calendar days are not compared.)"""
    previous: tuple[Milestone, Offset] | None = None
    for milestone in Milestone:
        offset = rules.offsets[milestone]
        if previous and previous[1].working == offset.working and offset.days < previous[1].days:
            reader.problem(
                milestone.value,
                f"{offset} comes before {previous[0].value} ({previous[1]}): the milestones run "
                "figures, commentary, approval, committee",
            )
        previous = (milestone, offset)


def read_reporting_calendar(
    manifest: FieldReader,
    sections: list[tuple[str, FieldReader | None]],
    calendar: FinancialCalendar,
    as_at: Period | None,
    problems: Problems,
) -> ReportingCalendar:
    """The pack's calendar: ``reporting_calendar`` in the manifest, then each section's
    ``calendar`` (given as (section id, reader of its ``calendar`` block or None))."""
    rules = Rules()
    first = None
    block = manifest.mapping_at("reporting_calendar")
    if block is not None:
        reader = FieldReader(problems, manifest.file, block, "reporting_calendar.")
        reader.check_keys([*RULE_KEYS, "first_period", "dates"])
        first = reader.period("first_period", calendar)
        rules = _rules(reader, rules, calendar, problems)
        _check_order(reader, rules)
    if first is None and as_at is not None:
        first = calendar.month(*_month_after(as_at))
    by_section: dict[str, Rules] = {}
    for section_id, section_reader in sections:
        if section_reader is None:
            continue
        reader = section_reader
        reader.check_keys([*RULE_KEYS, "dates"])
        by_section[section_id] = _rules(reader, rules, calendar, problems)
        _check_order(reader, by_section[section_id])
    return ReportingCalendar(first_period=first, rules=rules, sections=by_section)


def _month_after(period: Period) -> tuple[int, int]:
    """The month after the report's period: the first one still being collected."""
    year, month = period.end.year, period.end.month + 1
    return (year + 1, 1) if month == 13 else (year, month)
