"""Export a pack's evaluation (figures, targets, ratings) and its data to CSV or XLSX.

:func:`export_results` writes one row per indicator and period, for analysis in a spreadsheet.
:func:`export_wide` writes the pack's figures as a trend table (``indicator, series`` and one
column per period), the wide layout :mod:`kpiboard.packs.importer` reads back: export, edit in a
spreadsheet, import.

Every text cell goes through :func:`~kpiboard.packs.spreadsheet_safety.neutralise_formula`, so
text that a spreadsheet would run as a formula (an override reason starting with ``=``) is shown
as text; figures stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..core.analysis import Analysis
from ..core.engine import no_collection
from ..core.indicators import BUILTIN_SERIES, INTERVAL_SERIES, Indicator
from ..core.periods import Period
from ..core.rating import Rating
from ..core.summary import latest_icons
from .datafiles import format_number
from .model import Pack
from .plan_export import ACTION_COLUMNS, RISK_COLUMNS, action_rows, plan_status, risk_rows
from .spreadsheet_safety import neutralise_formula

RESULT_COLUMNS = (
    "indicator",
    "title",
    "section",
    "period",
    "period_label",
    "period_start",
    "period_end",
    "actual",
    "target",
    "floor",
    "unit",
    "ci_lower",
    "ci_upper",
    "comparison",
    "rating",
    "computed_rating",
    "overridden",
    "override_reason",
    "override_by",
    "direction",
    "spc_point",
    "variation",
    "assurance",
    "peer_group",
    "peer_rank",
    "peer_of",
    "peer_quartile",
)
#: The export's Summary sheet: raw figures and codes for other tools to read, not the report's
#: summary table columns (those are kpiboard.report.summary_columns).
SUMMARY_COLUMNS = (
    "indicator",
    "title",
    "section",
    "latest_period",
    "latest_period_label",
    "actual",
    "target",
    "unit",
    "rating",
    "direction",
    "variation",
    "assurance",
    "forecast_value",
    "forecast_lower",
    "forecast_upper",
    "forecast_rating",
    "range_status",
)
SUFFIXES = (".csv", ".xlsx")
MAX_WIDTH = 60


def _as_at(pack: Pack, as_at: Period | str | None) -> Period:
    if as_at is None:
        return pack.as_at
    return pack.calendar.parse(as_at) if isinstance(as_at, str) else as_at


def spc_icons(analysis: Analysis) -> tuple[str | None, str | None]:
    """The indicator's latest variation and assurance icons as their enum values (the machine
    codes in docs/spc.md), None where it has no SPC chart or no such icon."""
    variation, assurance = latest_icons(analysis)
    return (variation.value if variation else None), (assurance.value if assurance else None)


def result_rows(
    pack: Pack, as_at: Period | str | None = None, analyses: Mapping[str, Analysis] | None = None
) -> list[dict]:
    """One row per indicator and period up to the as-at period (the pack's, by default), from
    ``analyses`` when the caller already has them as at that period.

    ``spc_point`` is the period's SPC point type; ``variation`` and ``assurance`` are the
    indicator's latest icons, repeated on each of its rows like its title."""
    when = _as_at(pack, as_at)
    if analyses is None:
        analyses = pack.analyse(when)
    rows: list[dict] = []
    texts: dict[str, tuple[str, str, str, str]] = {}
    with no_collection():  # sixty rows an indicator, none in a cycle
        for ind_id, indicator in pack.indicators.items():
            rows += _indicator_rows(indicator, analyses[ind_id], when, texts)
    return rows


def _indicator_rows(
    indicator: Indicator,
    analysis: Analysis,
    when: Period,
    texts: dict[str, tuple[str, str, str, str]],
) -> list[dict]:
    """:func:`result_rows` of one indicator. What every row of it repeats is worked out once,
    and each period's label and dates (``texts``, by label) once for all indicators."""
    result = analysis.result
    spc_points = {}
    if analysis.spc is not None:
        spc_points = {
            p.label: t.value
            for p, t in zip(analysis.spc_periods, analysis.spc.point_type, strict=True)
        }
    first_peer = {c.period: c for c in reversed(analysis.peers)}
    variation, assurance = spc_icons(analysis)
    ind_id, title, section = indicator.id, indicator.title, indicator.section
    unit = indicator.unit.label
    compared = bool(indicator.benchmark)
    intervals = any(name in result.data.values for name in INTERVAL_SERIES)
    rows = []
    for r in result.periods:
        period = r.period
        if period.end > when.end:
            continue
        text = texts.get(period.label)  # a label's hash is kept; a Period's is a Python call
        if text is None:
            text = texts[period.label] = (
                period.label, period.display, period.start.isoformat(), period.end.isoformat()
            )  # fmt: skip
        peer = first_peer.get(period) if first_peer else None
        override = r.override
        # Enum members' _name_ and _value_ are what .name and .value return, without the call.
        rows.append(
            {
                "indicator": ind_id,
                "title": title,
                "section": section,
                "period": text[0],
                "period_label": text[1],
                "period_start": text[2],
                "period_end": text[3],
                "actual": r.actual,
                "target": r.target,
                "floor": r.floor,
                "unit": unit,
                "ci_lower": result.series_value("ci_lower", period) if intervals else None,
                "ci_upper": result.series_value("ci_upper", period) if intervals else None,
                "comparison": r.comparison._value_ if compared else None,
                "rating": r.rating._name_,
                "computed_rating": r.computed._name_,
                "overridden": r.overridden,
                "override_reason": override.reason if override else "",
                "override_by": override.by if override else "",
                "direction": r.direction._value_,
                "spc_point": spc_points.get(text[0]) if spc_points else None,
                "variation": variation,
                "assurance": assurance,
                "peer_group": peer.group if peer else None,
                "peer_rank": peer.position.rank if peer else None,
                "peer_of": peer.position.of if peer else None,
                "peer_quartile": peer.position.quartile if peer else None,
            }
        )
    return rows


def summary_rows(pack: Pack, as_at: Period | str | None = None) -> list[dict]:
    """One row per indicator: its latest figure up to the as-at period, rating and direction."""
    analyses = pack.analyse(_as_at(pack, as_at))
    rows = []
    for ind_id, indicator in pack.indicators.items():
        analysis = analyses[ind_id]
        latest = analysis.result.latest
        forecast = analysis.forecast
        variation, assurance = spc_icons(analysis)
        if latest is None:
            rating = Rating.NO_DATA if indicator.rated else Rating.NOT_RATED
        else:
            rating = latest.rating
        rows.append(
            {
                "indicator": ind_id,
                "title": indicator.title,
                "section": indicator.section,
                "latest_period": latest.period.label if latest else "",
                "latest_period_label": latest.period.display if latest else "",
                "actual": latest.actual if latest else None,
                "target": latest.target if latest else None,
                "unit": indicator.unit.label,
                "rating": rating.name,
                "direction": latest.direction.value if latest else "",
                "variation": variation or "",
                "assurance": assurance or "",
                "forecast_value": forecast.value if forecast else None,
                "forecast_lower": forecast.lower if forecast and forecast.has_range else None,
                "forecast_upper": forecast.upper if forecast and forecast.has_range else None,
                "forecast_rating": forecast.rating.name if forecast else "",
                "range_status": analysis.range_status or "",
            }
        )
    return rows


def _suffix(out_path: Path) -> str:
    suffix = out_path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"cannot export to {out_path.name!r}: the file name must end in .csv or .xlsx"
        )
    return suffix


def csv_cell(value: object) -> str:
    """``value`` as CSV text: figures as written in data files, flags as true/false, and text
    neutralised against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    return str(neutralise_formula(str(value)))


def _write_csv(out_path: Path, columns: Sequence[str], rows: list[dict]) -> None:
    # utf-8-sig: Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
    with open(out_path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([csv_cell(c) for c in columns])
        for row in rows:
            writer.writerow([csv_cell(row[c]) for c in columns])


class _Sheets:
    """An XlsxWriter workbook with the formats every sheet shares."""

    def __init__(self, out_path: Path):
        import xlsxwriter

        # Cells are written with typed calls (write_string, never write_formula); these options
        # also stop XlsxWriter's generic write() from turning text into formulas, links or numbers.
        self.book = xlsxwriter.Workbook(
            str(out_path),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        self.bold = self.book.add_format({"bold": True})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(
        self,
        name: str,
        columns: Sequence[str],
        rows: list[dict],
        *,
        dates: Sequence[str] = (),
        freeze_columns: int = 0,
    ) -> None:
        ws = self.book.add_worksheet(name)
        widths = [len(c) for c in columns]
        for j, column in enumerate(columns):
            ws.write_string(0, j, str(neutralise_formula(column)), self.bold)
        for i, row in enumerate(rows, start=1):
            for j, column in enumerate(columns):
                value = row[column]
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                    text = "FALSE"
                elif isinstance(value, (int, float)):
                    ws.write_number(i, j, value)
                    text = format_number(float(value))
                elif column in dates:
                    ws.write_datetime(i, j, dt.date.fromisoformat(value), self.date)
                    text = value
                else:
                    text = str(neutralise_formula(str(value)))
                    ws.write_string(i, j, text)
                widths[j] = max(widths[j], len(text))
        for j, width in enumerate(widths):
            ws.set_column(j, j, min(width + 2, MAX_WIDTH))
        ws.freeze_panes(1, freeze_columns)
        if rows:
            ws.autofilter(0, 0, len(rows), len(columns) - 1)

    def close(self) -> None:
        self.book.close()


def export_results(pack: Pack, out_path: str | Path, as_at: Period | str | None = None) -> None:
    """Write the evaluation to ``out_path``: ``.csv`` (results only) or ``.xlsx`` (a Results
    sheet and a Summary sheet with each indicator's latest position, and with a business plan,
    an Actions sheet and a Risks sheet, a row each)."""
    out_path = Path(out_path)
    suffix = _suffix(out_path)
    rows = result_rows(pack, as_at)
    if suffix == ".csv":
        _write_csv(out_path, RESULT_COLUMNS, rows)
        return
    sheets = _Sheets(out_path)
    sheets.sheet("Results", RESULT_COLUMNS, rows, dates=("period_start", "period_end"))
    sheets.sheet("Summary", SUMMARY_COLUMNS, summary_rows(pack, as_at))
    if pack.plan:
        when = _as_at(pack, as_at)
        status = plan_status(pack, when)
        sheets.sheet("Actions", ACTION_COLUMNS, action_rows(status, when), dates=("start", "due"))
        sheets.sheet("Risks", RISK_COLUMNS, risk_rows(status), dates=("review_date",))
    sheets.close()


def wide_rows(pack: Pack) -> tuple[list[str], list[dict]]:
    """The pack's figures as a trend table: the period labels, and one row per indicator and
    series (``{"indicator", "series", LABEL: value, ...}``), in report order.

    Derived actuals are left out: they are computed from their source series, which are included.
    """
    periods: set[Period] = set()
    rows = []
    for ind_id, indicator in pack.indicators.items():
        data = pack.data[ind_id]
        names = [*BUILTIN_SERIES, *(s.name for s in indicator.series)]
        for name in names:
            if name not in data.values or (name == "actual" and indicator.derive is not None):
                continue
            values = data.values[name]
            row: dict = {"indicator": ind_id, "series": name}
            # A profiled target comes from the definition's annual target, not from the data.
            profiled = set(data.profiled) if name == "target" else set()
            for period, value in zip(data.periods, values, strict=True):
                if value == value and period not in profiled:  # not NaN
                    row[period.label] = float(value)
                    periods.add(period)
            if len(row) > 2:
                rows.append(row)
    labels = [p.label for p in sorted(periods)]
    return labels, rows


def export_wide(pack: Pack, out_path: str | Path) -> None:
    """Write the pack's figures in the wide layout (CSV or XLSX), ready to edit and import."""
    out_path = Path(out_path)
    suffix = _suffix(out_path)
    labels, rows = wide_rows(pack)
    columns = ["indicator", "series", *labels]
    full = [{c: row.get(c) for c in columns} for row in rows]
    if suffix == ".csv":
        _write_csv(out_path, columns, full)
        return
    sheets = _Sheets(out_path)
    sheets.sheet("Data", columns, full, freeze_columns=2)
    sheets.close()
