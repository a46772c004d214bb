"""Check an import file's rows against the pack: every figure it gives, or every problem it has.

Two layouts are read (see ``docs/pack-format.md``):

- **long**: ``indicator, period, series, value[, note]``, one figure per row;
- **wide**: ``indicator, series`` and then one column per period, headed with a period label.

Problems name cells the way the person sees them: by column letter in a spreadsheet or the wide
layout, by column name in a long CSV file. The pack's and the web's importers both start here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.indicators import Indicator
from ..core.periods import Period, PeriodError, PeriodKind
from .datafiles import (
    LONG_COLUMNS,
    OPTIONAL_COLUMNS,
    parse_number,
    series_problem,
    value_problem,
)
from .model import Pack
from .problems import PackError, Problems
from .tables import Table, column_letter, is_long_header, load_table

WIDE_START = ("indicator", "series")
_EVERY = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
UNSAVED_FORMULA = (
    "a formula with no saved result, so no figure: open the file in the spreadsheet program "
    "and save it, or paste the figures as values"
)


@dataclass(frozen=True)
class ImportRow:
    """One figure read from the import file, checked against the pack."""

    indicator: str
    period: Period
    series: str
    value: float | None  # None: no figure given
    note: str
    line: int  # row number in the import file

    @property
    def gives_figure(self) -> bool:
        """Whether the row sets anything: an empty cell never deletes a figure."""
        return self.value is not None or bool(self.note)


class _Checker:
    """Checks cells against the pack, naming cells the way the user sees them."""

    def __init__(self, pack: Pack, table: Table, problems: Problems, by_letter: bool):
        self.pack, self.table, self.problems = pack, table, problems
        self.by_letter = by_letter or table.spreadsheet

    def where(self, column: int, name: str) -> str:
        return f"column {column_letter(column)}" if self.by_letter else name

    def report(self, line: int, column: int, name: str, message: str) -> None:
        self.problems.report(self.table.label, line, self.where(column, name), message)

    def line_word(self, line: int) -> str:
        return f"row {line}" if self.table.spreadsheet else f"line {line}"

    def indicator(self, text: str, line: int, column: int) -> Indicator | None:
        if not text:
            self.report(line, column, "indicator", "is empty")
            return None
        found = self.pack.indicators.get(text)
        if found is None:
            same = [i for i in self.pack.indicators if i.lower() == text.lower()]
            hint = f" (did you mean {same[0]}?)" if same else ""
            self.report(line, column, "indicator", f"unknown indicator {text!r}{hint}")
        return found

    def series(self, indicator: Indicator | None, text: str, line: int, column: int) -> bool:
        if not text:
            self.report(line, column, "series", "is empty")
            return False
        if indicator is None:
            return False
        message = series_problem(indicator, text)
        if message:
            self.report(line, column, "series", message)
        return message is None

    def period(self, text: str, line: int, column: int) -> Period | None:
        if not text:
            self.report(line, column, "period", "is empty")
            return None
        try:
            return self.pack.calendar.parse(text)
        except PeriodError as exc:
            self.report(line, column, "period", str(exc))
            return None

    def day_problem(self, indicator: Indicator, period: Period) -> str:
        """Why a day cannot be a figure of ``indicator``, or ``""``.

        A spreadsheet date such as 15 Oct 2013 is read as that day; on an indicator with
        monthly (quarterly, yearly) figures it would become a stray day figure, so the period
        the date falls in is named instead.
        """
        every = _EVERY.get(indicator.frequency)
        if period.kind is not PeriodKind.DAY or every is None:
            return ""
        meant = self.pack.calendar.containing(PeriodKind(indicator.frequency), period.start)
        return (
            f"{period.label} is a day, but {indicator.id} has {every} figures: the date falls "
            f"in {meant.label} ({meant.display}); write that period instead"
        )

    def number(
        self, text: str, line: int, column: int, name: str, target: tuple[Indicator, str] | None
    ) -> tuple[bool, float | None]:
        """The cell's figure; with ``target`` (indicator, series), also within its bound."""
        try:
            value = parse_number(text)
        except ValueError as exc:
            self.report(line, column, name, str(exc))
            return False, None
        message = value_problem(*target, value) if target is not None else None
        if message:
            self.report(line, column, name, message)
            return False, None
        return True, value


def _beyond(check: _Checker, cells: list[str], width: int, line: int) -> None:
    for j in range(width, len(cells)):
        if cells[j].strip():
            check.report(line, j, f"column {j + 1}", "a cell beyond the last headed column")
            return


def _read_long(check: _Checker, header: list[str], start: int) -> list[ImportRow]:
    table = check.table
    where = {name: j for j, name in enumerate(header) if name}
    rows: list[ImportRow] = []
    seen: dict[tuple[str, Period, str], int] = {}
    for cells, line in zip(table.rows[start + 1 :], table.lines[start + 1 :], strict=True):
        if not any(c.strip() for c in cells):
            continue
        _beyond(check, cells, len(header), line)

        def get(name: str, cells: list[str] = cells) -> str:
            j = where.get(name)
            return cells[j].strip() if j is not None and j < len(cells) else ""

        indicator = check.indicator(get("indicator"), line, where["indicator"])
        period = check.period(get("period"), line, where["period"])
        series_ok = check.series(indicator, get("series"), line, where["series"])
        target = (indicator, get("series")) if indicator and series_ok else None
        value_ok, value = check.number(get("value"), line, where["value"], "value", target)
        if indicator and period and (stray := check.day_problem(indicator, period)):
            check.report(line, where["period"], "period", stray)
            continue
        if not (indicator and period and series_ok and value_ok):
            continue
        key = (indicator.id, period, get("series"))
        if key in seen:
            check.report(
                line, where["indicator"], "",
                f"duplicate row: {indicator.id} {period.label} {key[2]} is already at "
                f"{check.line_word(seen[key])}",
            )  # fmt: skip
            continue
        seen[key] = line
        rows.append(ImportRow(indicator.id, period, key[2], value, get("note"), line))
    return rows


def _read_wide(check: _Checker, header: list[str], start: int) -> list[ImportRow]:
    table = check.table
    line = table.lines[start]
    periods: dict[int, Period] = {}
    bad_columns: set[int] = set()
    first_column: dict[Period, int] = {}
    for j in range(2, len(header)):
        text = table.rows[start][j].strip()
        if not text:
            continue
        try:
            period = check.pack.calendar.parse(text)
        except PeriodError as exc:
            check.problems.report(table.label, line, f"column {column_letter(j)}", str(exc))
            bad_columns.add(j)
            continue
        if period in first_column:
            other = column_letter(first_column[period])
            check.problems.report(
                table.label, line, f"column {column_letter(j)}",
                f"{text!r} is the same period ({period.label}) as column {other}",
            )  # fmt: skip
            bad_columns.add(j)
            continue
        first_column[period] = j
        periods[j] = period
    if not periods and not bad_columns:
        check.problems.report(
            table.label, line, "header",
            "no period columns: after indicator and series, head one column per period",
        )  # fmt: skip

    rows: list[ImportRow] = []
    seen: dict[tuple[str, str], int] = {}
    for cells, line in zip(table.rows[start + 1 :], table.lines[start + 1 :], strict=True):
        if not any(c.strip() for c in cells):
            continue
        ind_text = cells[0].strip() if cells else ""
        series = cells[1].strip() if len(cells) > 1 else ""
        indicator = check.indicator(ind_text, line, 0)
        series_ok = check.series(indicator, series, line, 1)
        figures: list[ImportRow] = []
        for j in range(2, len(cells)):
            text = cells[j].strip()
            if not text or j in bad_columns:
                continue
            if j not in periods:
                check.problems.report(
                    table.label, line, f"column {column_letter(j)}",
                    "a figure in a column with no period heading",
                )  # fmt: skip
                continue
            target = (indicator, series) if indicator and series_ok else None
            ok, value = check.number(text, line, j, f"column {column_letter(j)}", target)
            if indicator and (stray := check.day_problem(indicator, periods[j])):
                check.report(line, j, "", stray)
                continue
            if ok and value is not None and indicator and series_ok:
                figures.append(ImportRow(indicator.id, periods[j], series, value, "", line))
        if not (indicator and series_ok):
            continue
        if (indicator.id, series) in seen:
            check.problems.report(
                table.label, line, "column A",
                f"duplicate row: {indicator.id} {series} is already at "
                f"{check.line_word(seen[indicator.id, series])}",
            )  # fmt: skip
            continue
        seen[indicator.id, series] = line
        rows.extend(figures)
    return rows


def read_import(pack: Pack, table: Table, problems: Problems) -> tuple[str, list[ImportRow]]:
    """The layout (``long`` or ``wide``) and the checked figures of ``table``."""
    for row, column in table.unsaved_formulas:
        problems.report(table.label, row, f"column {column_letter(column)}", UNSAVED_FORMULA)
    start = next((i for i, cells in enumerate(table.rows) if any(c.strip() for c in cells)), None)
    if start is None:
        problems.report(table.label, 0, "", "empty: expected a header row")
        return "", []
    line = table.lines[start]
    header = [c.strip().lower() for c in table.rows[start]]
    while header and not header[-1]:
        header.pop()
    if header[:2] == list(WIDE_START) and not is_long_header(header):
        return "wide", _read_wide(_Checker(pack, table, problems, True), header, start)
    if is_long_header(header):
        allowed = LONG_COLUMNS + OPTIONAL_COLUMNS
        unknown = [name for name in header if name and name not in allowed]
        doubled = sorted({name for name in header if name and header.count(name) > 1})
        if unknown or doubled:
            parts = [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
            parts += [f"column(s) {', '.join(doubled)} given twice"] if doubled else []
            problems.report(
                table.label, line, "header",
                "; ".join(parts) + " (expected indicator,period,series,value[,note])",
            )  # fmt: skip
            return "long", []
        return "long", _read_long(_Checker(pack, table, problems, False), header, start)
    problems.report(
        table.label, line, "header",
        "expected the long layout indicator,period,series,value[,note] or the wide layout "
        "indicator,series then one column per period",
    )  # fmt: skip
    return "", []


@dataclass(frozen=True)
class CheckedImport:
    """An import file's figures, every row checked against the pack."""

    source: str  # the file (and sheet) problems and reasons name
    layout: str  # long | wide
    rows: tuple[ImportRow, ...]


def check_import_file(pack: Pack, file: str | Path, sheet: str | None = None) -> CheckedImport:
    """Read ``file`` and check every row against ``pack``.

    Raises :class:`PackError` listing every problem in the file, so it can be corrected at once.
    """
    table = load_table(file, sheet)
    problems = Problems()
    layout, rows = read_import(pack, table, problems)
    if problems:
        raise PackError(problems.sorted())
    return CheckedImport(table.label, layout, tuple(rows))
