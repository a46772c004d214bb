"""The site's reporting month: the one place that says which month the site is reporting.

The dashboard, indicator pages, override lists and reports show the reporting month unless a
reader asks for an earlier one (``?period=2013-09``). It starts as the pack's as-at period when a
pack is loaded, moves forward by itself when a section's period is approved (only forward, and
only as far as the approved period), and an analyst or administrator can move it either way
(:mod:`kpiboard.web.month_moves`). Every move is a :class:`ReportingMonth` revision: who, when,
why and how.

There is one reporting month for the whole site, not one per section: a committee reads one
report as at one month, and the dashboard compares sections side by side. Sections approved to
different months are not hidden: the first approval of a month moves the site on, and sections
not yet approved show their latest figures as at that month, as the report does.
:func:`current_period` with a section says how far that section itself has been approved.

The built pack carries the reporting month as its as-at period (``store.source_from_db``), so
everything that reads ``pack.as_at`` follows it, and an exported pack writes it back as ``as_at``.

The one "current period" rule: the *reporting month* is the last month the site reports (moved
on by approvals); the *collecting month* is always the month after it, the one owners are
entering now (:func:`collecting_month`). The grid, the list of what is waiting, the task list,
the team view and check your answers all ask :func:`collecting_month`; nothing else works out
which month is being collected.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..core.periods import FinancialCalendar, Period, PeriodError, PeriodKind
from ..packs.model import Pack
from .generation import Generation
from .models import MonthMove, ReportingMonth, Section, Signoff, SignoffState, Site

#: The query-string parameter that names the month a page shows.
PERIOD_PARAM = "period"


def month_of(period: Period, calendar: FinancialCalendar) -> Period:
    """The month a period reports up to: a month itself, or the month a quarter or year ends in."""
    if period.kind is PeriodKind.MONTH:
        return period
    return calendar.containing(PeriodKind.MONTH, period.end)


def next_month(month: Period, calendar: FinancialCalendar) -> Period:
    """The month after ``month`` (after the month it ends in, for a quarter or year)."""
    return calendar.containing(PeriodKind.MONTH, month.end + timedelta(days=1))


def reporting_month(pack: Pack) -> Period:
    """The month the built pack reports: its as-at period, which :mod:`store` sets from the
    stored reporting month (the same answer as :func:`current_period` with no section)."""
    return month_of(pack.as_at, pack.calendar)


def collecting_month(pack: Pack) -> Period:
    """The month being collected now: the month after the reporting month. The site shows
    September 2013, so October is being entered; approving October moves both on a month."""
    return next_month(reporting_month(pack), pack.calendar)


def _calendar_and_manifest() -> tuple[FinancialCalendar, dict]:
    manifest = Site.objects.filter(pk=1).values_list("manifest", flat=True).first() or {}
    return FinancialCalendar(int(manifest.get("financial_year_start", 4) or 4)), manifest


def stored_label(at=None) -> str:
    """The reporting month's label as stored (now, or as it stood at time ``at``); "" before a
    month was ever recorded (a site loaded before reporting months existed)."""
    rows = ReportingMonth.objects.all()
    if at is None:
        rows = rows.filter(is_current=True)
    else:
        rows = rows.filter(created__lte=at).order_by("-revision")
    return rows.values_list("period", flat=True).first() or ""


def current_period(section: Section | str | None = None) -> Period:
    """The site's reporting month; with a section (a row or its code), the latest month that
    section has had approved, not after the site's month (the site's month when it has none).

    The calendar and other helpers (a reporting calendar, an approver's review page) should ask
    here rather than read ``pack.as_at`` or the sign-offs themselves.
    """
    calendar, manifest = _calendar_and_manifest()
    site = calendar.parse(stored_label() or str(manifest.get("as_at", "")))
    site = month_of(site, calendar)
    if section is None:
        return site
    code = section.code if isinstance(section, Section) else section
    approved = []
    for label in Signoff.objects.filter(
        section__code=code, is_current=True, state=SignoffState.APPROVED
    ).values_list("period", flat=True):
        try:
            month = month_of(calendar.parse(label), calendar)
        except PeriodError:  # pragma: no cover - labels are canonical when written
            continue
        if month <= site:
            approved.append(month)
    return max(approved, default=site)


def record(
    label: str, move: MonthMove, user, reason: str, *, current: ReportingMonth | None
) -> ReportingMonth:
    """Add a revision making ``label`` the reporting month (inside the caller's transaction,
    which has bumped the data version and locked ``current``)."""
    return ReportingMonth.objects.append(
        current, period=label, move=move.value, author=user, reason=reason[:500]
    )


def locked_current() -> ReportingMonth | None:
    """The current revision, locked until the caller's transaction ends."""
    return ReportingMonth.objects.select_for_update().filter(is_current=True).first()


def move_forward(
    month: Period, move: MonthMove, user, reason: str, calendar: FinancialCalendar
) -> ReportingMonth | None:
    """Make ``month`` the reporting month if it is later than the current one (a load or an
    approval never moves the month back); the new revision, or None when nothing moved.

    A pack load with no month stored yet records the pack's as-at period, the starting point;
    an approval then compares with the manifest's as-at period, the month the site was showing.
    """
    current = locked_current()
    label = current.period if current is not None else ""
    if not label and move is not MonthMove.LOADED:
        label = str(_calendar_and_manifest()[1].get("as_at", ""))
    if label:
        try:
            if month <= month_of(calendar.parse(label), calendar):
                return None
        except PeriodError:
            pass  # a stored label the calendar cannot read: the new month replaces it
    return record(month.label, move, user, reason, current=current)


def on_approval(user, section: Section, period: Period, calendar: FinancialCalendar) -> None:
    """Approving a section's period moves the reporting month forward to it (called by
    :func:`kpiboard.web.signoff.set_signoff` inside its transaction)."""
    move_forward(
        month_of(period, calendar),
        MonthMove.APPROVED,
        user,
        f"{section.title} approved for {period.display}",
        calendar,
    )


def months_to_view(made: Generation) -> list[Period]:
    """The months a reader can pick: every month with a figure, up to the reporting month (the
    pack's as-at period), newest first. Worked out once per generation of the data."""
    return made.fact("months to view", _months_to_view)


def _months_to_view(made: Generation) -> list[Period]:
    by_indicator = made.fact(_MONTHS_BY_INDICATOR, _months_by_indicator)
    pack = made.pack
    last = pack.as_at
    months = {last.label: last} | {
        month.label: month
        for month in set().union(*(found for _, found in by_indicator.values()))
        if month.end <= last.end
    }
    return sorted(months.values(), reverse=True)


_MONTHS_BY_INDICATOR = "months with an actual, by indicator"


def _months_by_indicator(made: Generation) -> dict[str, tuple[object, frozenset[Period]]]:
    """Each indicator's data and the months it has an actual in. After a write only the
    indicators whose data changed are worked out again: the rest share their data object with
    the generation before, and their months with it."""
    before = made.inherited.get(_MONTHS_BY_INDICATOR, {})
    calendar = made.pack.calendar
    out: dict[str, tuple[object, frozenset[Period]]] = {}
    for code, data in made.pack.data.items():
        kept = before.get(code)
        if kept is not None and kept[0] is data:
            out[code] = kept
            continue
        actual = data.values.get("actual")
        present = () if actual is None else np.flatnonzero(~np.isnan(actual))
        out[code] = (data, frozenset(month_of(data.periods[i], calendar) for i in present))
    return out


class PeriodChoice:
    """The month a page shows: the reporting month, or an earlier one the reader picked.

    ``error`` says what was wrong with a ``?period=`` that could not be shown (the page then
    shows the reporting month); ``query`` is what links add to keep the choice ("" for the
    reporting month, so its addresses stay plain).
    """

    def __init__(self, made: Generation, asked: str | None) -> None:
        pack = made.pack
        self._made = made
        self.current = pack.as_at
        self.months = months_to_view(made)
        self.period = self.current
        self.error = ""
        asked = (asked or "").strip()
        if not asked:
            return
        try:
            period = pack.calendar.parse(asked)
        except (PeriodError, ValueError):
            period = None
        shown = asked[:20]
        if period is None or period.kind is not PeriodKind.MONTH:
            self.error = f"“{shown}” is not a month: select a month from the list"
        elif self.current < period:
            self.error = (
                f"{period.long_display} is after the reporting month, "
                f"{self.current.long_display}: select that month or an earlier one"
            )
        elif period not in self.months:
            self.error = (
                f"There are no figures for {period.long_display}: select a month from the list"
            )
        else:
            self.period = period

    @property
    def errors(self) -> list[tuple[str, str]]:
        """For the error summary: the picker's field and its message."""
        return [(PERIOD_PARAM, self.error)] if self.error else []

    @property
    def is_current(self) -> bool:
        return self.period == self.current

    @property
    def query(self) -> str:
        return "" if self.is_current else f"{PERIOD_PARAM}={self.period.label}"

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(p.label, p.long_display.capitalize()) for p in self.months]

    @property
    def options(self) -> SafeString:
        """The picker's options, the month shown selected: made once per generation of the data
        and month shown (a site with five years of figures has sixty)."""
        return self._made.page(("month options", self.period.label), self._options)

    def _options(self) -> str:
        return format_html_join(
            "",
            '<option value="{}"{}>{}{}</option>',
            (
                (value, _SELECTED if value == self.period.label else "", text,
                 " (reporting month)" if value == self.current.label else "")
                for value, text in self.choices
            ),
        )  # fmt: skip


_SELECTED = mark_safe(" selected")
