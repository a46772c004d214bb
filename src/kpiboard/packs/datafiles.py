"""Figures in long format: ``indicator,period,series,value[,note]`` rows, checked as a whole."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from typing import NamedTuple

import numpy as np

from ..core.aggregate import derive, how_problem
from ..core.bounds import figure_problem, limit
from ..core.indicators import (
    BUILTIN_SERIES,
    INTERVAL_SERIES,
    Accumulation,
    Indicator,
    IndicatorData,
    IndicatorKind,
)
from ..core.periods import FinancialCalendar, Period, PeriodError, PeriodKind, month_range
from ..core.rating import REL_TOL
from ..core.targets import with_profiled_targets
from ..core.units import Unit
from .problems import Problems

LONG_COLUMNS = ("indicator", "period", "series", "value")
OPTIONAL_COLUMNS = ("note",)


class Row(NamedTuple):
    """One figure row as read (a tuple: a long file makes a million of them)."""

    indicator: str
    period: str
    series: str
    value: float | None
    note: str
    file: str
    line: int


def format_number(value: float) -> str:
    """A figure as it is written to a file: whole numbers without ``.0``, others exactly."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


#: A plain decimal number as people write one (``74.2``, ``-3``, ``1.5e-3``): read straight away;
#: anything else goes through the checks below, which name what is wrong.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float | None:
    """A plain number, or None for an empty cell; raises ValueError with the reason.

    An accounting-style negative in brackets, "(2068)", is -2068: finance spreadsheets saved as
    CSV write their negatives that way. Only the digits 0-9 are read: Python's ``float`` would
    also take ``1_000`` and Arabic-Indic or full-width digits, which no one types in a figure
    on purpose, so those are refused rather than guessed at."""
    text = text.strip()
    if _PLAIN_NUMBER.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
    if not text:
        return None
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        if not inner or inner[0] in "(-+":
            raise ValueError(f"{text!r} is not a number: a bracketed negative is like (2068)")
        bracketed = parse_number(inner)
        assert bracketed is not None  # ``inner`` is not empty
        return 0.0 - bracketed  # 0.0 - 0.0 is 0.0, never -0.0
    if text.endswith("%"):
        raise ValueError(f"{text!r} is not a number: write percentages without %, e.g. {text[:-1]}")
    if "," in text:
        raise ValueError(f"{text!r} is not a number: leave out thousands separators")
    if "_" in text:
        raise ValueError(f"{text!r} is not a number: leave out the underscores")
    if not text.isascii():
        raise ValueError(f"{text!r} is not a number: write it with the digits 0-9")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def read_csv_records(
    file: str,
    text: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: Problems,
) -> list[tuple[int, dict[str, str], float | None]]:
    """(line, cells by column, value) for each row of a CSV with a ``value`` column.

    Header problems stop the file; a row's problems skip that row. Required text cells must not
    be empty.
    """
    reader = csv.reader(io.StringIO(text))
    columns = _header(file, reader, required, optional, problems)
    if columns is None:
        return []
    return [
        (line, dict(zip(columns, cells, strict=True)), value)
        for line, cells, value in _records(file, reader, columns, required, problems)
    ]


def _header(
    file: str, reader, required: tuple[str, ...], optional: tuple[str, ...], problems: Problems
) -> list[str] | None:
    """The file's columns, lower case; None (and the problem reported) when they will not do."""
    expected = ",".join(required) + "".join(f"[,{c}]" for c in optional)
    header = next(reader, None)
    if header is None:
        problems.report(file, 1, "", f"empty file: expected a header {expected}")
        return None
    columns = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in required + optional]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        problems.report(file, 1, "header", "; ".join(parts) + f" (expected {expected})")
        return None
    return columns


def _at(columns: list[str], name: str) -> int:
    """Where a column is; a column named twice counts as its last (as a dict of the row
    would have it)."""
    return len(columns) - 1 - columns[::-1].index(name)


def _records(
    file: str, reader, columns: list[str], required: tuple[str, ...], problems: Problems
) -> list[tuple[int, list[str], float | None]]:
    """(line, stripped cells, value) of each good row. The loop a million-row file goes round:
    the plain case (a cell per column, a plain number) costs a few steps."""
    width = len(columns)
    at_value = _at(columns, "value")
    needed = [(_at(columns, c), c) for c in required if c != "value"]
    plain, isfinite, strip = _PLAIN_NUMBER.fullmatch, math.isfinite, str.strip
    out: list[tuple[int, list[str], float | None]] = []
    for cells in reader:
        cells = list(map(strip, cells))
        if not any(cells):
            continue
        if len(cells) != width:
            if len(cells) > width:
                line = reader.line_num
                problems.report(file, line, "", f"{len(cells)} cells for {width} columns")
                continue
            cells += [""] * (width - len(cells))
        text = cells[at_value]
        value: float | None
        if plain(text) and isfinite(number := float(text)):
            value = number
        else:
            try:
                value = parse_number(text)
            except ValueError as exc:
                problems.report(file, reader.line_num, "value", str(exc))
                continue
        empty = [c for i, c in needed if not cells[i]]
        if empty:
            for column in empty:
                problems.report(file, reader.line_num, column, "is empty")
        else:
            out.append((reader.line_num, cells, value))
    return out


def read_long_csv(file: str, text: str, problems: Problems) -> list[Row]:
    """Rows of one long-format data file."""
    reader = csv.reader(io.StringIO(text))
    columns = _header(file, reader, LONG_COLUMNS, OPTIONAL_COLUMNS, problems)
    if columns is None:
        return []
    i, p, s = (_at(columns, c) for c in LONG_COLUMNS[:3])
    note = _at(columns, "note") if "note" in columns else None
    return [
        Row(
            cells[i], cells[p], cells[s], value, cells[note] if note is not None else "", file, line
        )
        for line, cells, value in _records(file, reader, columns, LONG_COLUMNS, problems)
    ]


def series_problem(indicator: Indicator, series: str) -> str | None:
    """Why ``series`` cannot hold figures of ``indicator``, or None when it can."""
    declared = BUILTIN_SERIES + tuple(s.name for s in indicator.series)
    if series not in declared:
        return f"{series!r} is not a series of {indicator.id} (use {', '.join(declared)})"
    if series in ("target", "floor") and not indicator.rated:
        what = "lead indicator" if indicator.kind is IndicatorKind.LEAD else "not-rated indicator"
        return f"{indicator.id} is a {what}: it has no {series}"
    if series == "actual" and indicator.derive is not None:
        return f"{indicator.id}'s actual is derived; give its source series"
    return None


def value_problem(indicator: Indicator, series: str, value: float | None) -> str | None:
    """Why ``value`` may not be stored in ``series`` of ``indicator``, or None when it may: the
    bound of the series' unit (see core.bounds), so one wild figure cannot break every report."""
    return None if value is None else figure_problem(value, indicator.unit_of(series))


def assemble(
    rows: list[Row],
    indicators: dict[str, Indicator],
    calendar: FinancialCalendar,
    problems: Problems,
    *,
    bounded: bool = True,
) -> tuple[dict[str, IndicatorData], dict[tuple[str, Period], str]]:
    """Check rows against the register and build each indicator's series; with ``bounded``,
    each figure against the bound for its unit too (see :func:`value_problem`)."""
    points: dict[str, dict[str, dict[Period, float]]] = defaultdict(lambda: defaultdict(dict))
    first_seen: dict[tuple[str, Period, str], Row] = {}
    notes: dict[tuple[str, Period], str] = {}
    # A long file repeats a few hundred labels and pairs a million times: each is worked out once.
    periods: dict[str, Period | PeriodError] = {}
    series_problems: dict[tuple[str, str], str | None] = {}
    # The unit of each series and its bound (see value_problem).
    units: dict[tuple[str, str], tuple[Unit, float]] = {}
    for row in rows:
        indicator = indicators.get(row.indicator)
        if indicator is None:
            problems.report(row.file, row.line, "indicator", f"unknown indicator {row.indicator!r}")
            continue
        period = periods.get(row.period)
        if period is None:
            try:
                period = periods[row.period] = calendar.parse(row.period)
            except PeriodError as exc:
                period = periods[row.period] = exc
        if isinstance(period, PeriodError):
            problems.report(row.file, row.line, "period", str(period))
            continue
        pair = (row.indicator, row.series)
        if pair not in series_problems:
            series_problems[pair] = series_problem(indicator, row.series)
        message = series_problems[pair]
        if message:
            problems.report(row.file, row.line, "series", message)
            continue
        message = None
        if bounded and row.value is not None:
            if pair not in units:
                unit = indicator.unit_of(row.series)
                units[pair] = (unit, limit(unit.kind))
            unit, bound = units[pair]
            if not -bound <= row.value <= bound:  # within it is fine (and finite): no call
                message = figure_problem(row.value, unit)
        if message:
            problems.report(row.file, row.line, "value", message)
            continue
        key = (row.indicator, period, row.series)
        if key in first_seen:
            first = first_seen[key]
            problems.report(
                row.file,
                row.line,
                "",
                f"duplicate row: {row.indicator} {period.label} {row.series} is already at "
                f"{first.file}:{first.line}",
            )
            continue
        first_seen[key] = row
        if row.note:
            notes[(row.indicator, period)] = row.note
        if row.value is not None:
            points[row.indicator][row.series][period] = row.value

    data: dict[str, IndicatorData] = {}
    for ind_id, indicator in indicators.items():
        series = dict(points.get(ind_id, {}))
        if indicator.derive is not None:
            series["actual"] = _derived_actual(indicator, series, calendar, problems)
        _check_intervals(ind_id, series, first_seen, problems)
        found = IndicatorData.from_points(series) if series else IndicatorData((), {})
        data[ind_id] = with_profiled_targets(indicator, found, calendar)
    return data, notes


def _check_intervals(
    ind_id: str,
    series: dict[str, dict[Period, float]],
    rows: dict[tuple[str, Period, str], Row],
    problems: Problems,
) -> None:
    """Each period's ``ci_lower``/``ci_upper``: both or neither, and around the actual."""
    lower, upper = (series.get(name, {}) for name in INTERVAL_SERIES)
    actual = series.get("actual", {})
    for period in sorted(set(lower) | set(upper)):
        lo, hi = lower.get(period), upper.get(period)
        given = "ci_lower" if lo is not None else "ci_upper"
        row = rows[(ind_id, period, given)]
        if lo is None or hi is None:
            missing = "ci_upper" if lo is not None else "ci_lower"
            message = f"{period.label} has {given} but no {missing}: give both or neither"
            problems.report(row.file, row.line, "series", message)
            continue
        figure = actual.get(period)
        tol = REL_TOL * max(1.0, abs(lo), abs(hi))
        if lo > hi + tol:
            problems.report(
                row.file, row.line, "value",
                f"{period.label}: ci_lower {format_number(lo)} is above ci_upper "
                f"{format_number(hi)}",
            )  # fmt: skip
        elif figure is not None and not lo - tol <= figure <= hi + tol:
            problems.report(
                row.file, row.line, "value",
                f"{period.label}: the actual {format_number(figure)} is outside its confidence "
                f"interval {format_number(lo)} to {format_number(hi)}",
            )  # fmt: skip


def _derived_actual(
    indicator: Indicator,
    series: dict[str, dict[Period, float]],
    calendar: FinancialCalendar,
    problems: Problems,
) -> dict[Period, float]:
    spec = indicator.derive
    assert spec is not None
    sources = {name: series.get(name, {}) for name in spec.inputs if name}
    periods = sorted({p for values in sources.values() for p in values})
    if not periods or how_problem(spec.method, spec.how):
        return {}  # nothing to derive, or a derivation the definition's reader has refused
    if spec.method == Accumulation.PERIOD:
        # One figure per period, whatever the period: nothing is summed across periods.
        axis = periods
    elif any(p.kind is not PeriodKind.MONTH for p in periods):
        problems.report(
            f"indicators/{indicator.id}.yaml", 0, "derive", "source series must be monthly figures"
        )
        return {}
    else:
        axis = month_range(periods[0], periods[-1], calendar)
    arrays = {
        name: np.array([values.get(p, np.nan) for p in axis], float)
        for name, values in sources.items()
    }
    result = derive(
        spec.method,
        spec.how,
        axis,
        arrays,
        source=spec.source or None,
        numerator=spec.numerator or None,
        denominator=spec.denominator or None,
        scale=spec.scale,
    )
    return {p: float(v) for p, v in zip(axis, result, strict=True) if not math.isnan(v)}
