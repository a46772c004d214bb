"""A publication's data as open data: CSV and JSON tables described by a Frictionless Data
Package (``datapackage.json``: each column's type, each indicator's unit, the licence).

Three tables, each as CSV and as JSON with the same columns: the indicators (definitions and
units), every figure of every series (the values as the pack holds them, in the unit the row
names) and every period's result (rating, direction, SPC point, peer rank: the columns of
``kpiboard rate``); and, when the published sections have a business plan, its actions and
risks (:mod:`.plan_data`). Text cells of the CSV files are passed through
:func:`~kpiboard.packs.spreadsheet_safety.neutralise_formula`, so nothing opens as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..packs.exporter import result_rows
from ..packs.publishing import Licence
from ..packs.spreadsheet_safety import neutralise_formula
from . import plan_data
from .parts import Part

#: Table Schema types of every column of every table, with what each column means.
INDICATOR_FIELDS = (
    ("indicator", "string", "The indicator's id"),
    ("section", "string", "The id of the section it reports to"),
    ("section_title", "string", "The section's title"),
    ("number", "string", "The indicator's number in the report"),
    ("title", "string", "The indicator's title"),
    ("kind", "string", "kpi (rated against targets) or lead (activity, not rated)"),
    ("unit", "string", "The unit of its figures: %, count, £, £k, rate per ..."),
    ("polarity", "string", "Whether a higher or a lower figure is better"),
    ("frequency", "string", "How often figures are reported: month, quarter or year"),
    ("published_to", "string", "The last period published (its canonical label)"),
)
FIGURE_FIELDS = (
    ("indicator", "string", "The indicator's id"),
    ("period", "string", "The period's canonical label: 2013-09, 2013/14 Q2 or 2013/14"),
    ("period_label", "string", "The period as the report prints it"),
    ("period_start", "date", "The period's first day"),
    ("period_end", "date", "The period's last day"),
    ("series", "string", "actual, target, floor or another series the indicator defines"),
    ("series_label", "string", "The series' name in words"),
    ("value", "number", "The figure, in the unit of the unit column"),
    ("unit", "string", "The unit of the value: %, count, £, £k, rate per ..."),
)
_RESULT_TYPES = {
    "period_start": "date",
    "period_end": "date",
    "actual": "number",
    "target": "number",
    "floor": "number",
    "ci_lower": "number",
    "ci_upper": "number",
    "overridden": "boolean",
    "peer_rank": "integer",
    "peer_of": "integer",
    "peer_quartile": "integer",
}
#: Columns of ``kpiboard rate`` left out of the open data: the name of the officer who
#: overrode a rating is personal data (the reason for the override is published).
_PRIVATE_RESULT_COLUMNS = ("override_by",)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: Sequence[tuple[str, str, str]]  # (name, Table Schema type, description)
    rows: list[dict]


def _indicator_rows(parts: Sequence[Part]) -> list[dict]:
    rows = []
    for part in parts:
        for section in part.sections:
            for ind in part.pack.indicators_of(section):
                rows.append({
                    "indicator": ind.id, "section": section.id, "section_title": section.title,
                    "number": ind.number, "title": ind.title, "kind": ind.kind.value,
                    "unit": ind.unit.label, "polarity": ind.polarity.value,
                    "frequency": ind.frequency, "published_to": part.as_at.label,
                })  # fmt: skip
    return rows


def _figure_rows(parts: Sequence[Part]) -> list[dict]:
    rows = []
    for part in parts:
        for ind_id in part.indicator_ids:
            ind, data = part.pack.indicators[ind_id], part.pack.data[ind_id]
            for name in sorted(data.values):
                definition = ind.series_def(name)
                label = definition.label if definition else name.replace("_", " ").capitalize()
                unit = ind.unit_of(name).label
                for period, value in zip(data.periods, data.values[name], strict=True):
                    if np.isnan(value) or period.end > part.as_at.end:
                        continue
                    rows.append({
                        "indicator": ind_id, "period": period.label,
                        "period_label": period.display, "period_start": period.start.isoformat(),
                        "period_end": period.end.isoformat(), "series": name,
                        "series_label": label, "value": float(value), "unit": unit,
                    })  # fmt: skip
    return rows


def _result_rows(parts: Sequence[Part]) -> tuple[list[str], list[dict]]:
    rows = []
    for part in parts:
        wanted = set(part.indicator_ids)
        for row in result_rows(part.pack, part.as_at, part.analyses):
            if row["indicator"] in wanted:
                rows.append({k: v for k, v in row.items() if k not in _PRIVATE_RESULT_COLUMNS})
    columns = list(rows[0]) if rows else ["indicator"]
    return columns, rows


def tables(parts: Sequence[Part]) -> list[Table]:
    columns, results = _result_rows(parts)
    result_fields = [(c, _RESULT_TYPES.get(c, "string"), "") for c in columns]
    return [
        Table(
            "indicators",
            "Indicators",
            "Each indicator: its section, title, unit and the last period published.",
            INDICATOR_FIELDS,
            _indicator_rows(parts),
        ),
        Table(
            "figures",
            "Figures",
            "Every published figure of every series (actual, target, floor and others), one "
            "row per indicator, period and series.",
            FIGURE_FIELDS,
            _figure_rows(parts),
        ),
        Table(
            "results",
            "Ratings and results",
            "Each indicator's rating, direction of travel, statistical process control point "
            "and peer rank for every published period.",
            result_fields,
            results,
        ),
        *_plan_tables(parts),
    ]


def _plan_tables(parts: Sequence[Part]) -> list[Table]:
    """The business plan's actions and risks, when the published sections have any."""
    actions, risks = plan_data.plan_rows(parts)
    found = []
    if actions:
        found.append(Table(
            "actions", "Business plan actions",
            "Each action of the business plan as at the published period: status, progress, "
            "RAG (as reported and as computed), milestones and the latest update.",
            plan_data.ACTION_FIELDS, actions,
        ))  # fmt: skip
    if risks:
        found.append(Table(
            "risks", "Risk register",
            "Each risk as at the published period: inherent, current and target scores, band, "
            "appetite, trend, and flags from the published key risk indicators.",
            plan_data.RISK_FIELDS, risks,
        ))  # fmt: skip
    return found


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return neutralise_formula(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [name for name, _, _ in table.fields]
    writer.writerow(names)
    for row in table.rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return out.getvalue().encode("utf-8")


def _clean(value: object) -> object:
    return None if isinstance(value, float) and math.isnan(value) else value


def to_json(table: Table) -> bytes:
    names = [name for name, _, _ in table.fields]
    rows = [{n: _clean(row.get(n)) for n in names} for row in table.rows]
    return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _schema(table: Table) -> dict:
    fields = []
    for name, kind, description in table.fields:
        field: dict = {"name": name, "type": kind}
        if description:
            field["description"] = description
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def datapackage(
    name: str, title: str, description: str, publisher: str, licence: Licence,
    created: str, tables_: Sequence[Table],
) -> dict:  # fmt: skip
    """The Data Package descriptor: one CSV and one JSON resource per table."""
    resources = []
    for table in tables_:
        for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
            resources.append({
                "name": f"{table.name}-{fmt}", "type": "table",
                "path": f"data/{table.name}.{fmt}",
                "title": f"{table.title} ({fmt.upper()})", "description": table.description,
                "format": fmt, "mediatype": media, "encoding": "utf-8",
                "schema": _schema(table),
            })  # fmt: skip
    return {
        "name": name,
        "title": title,
        "description": description,
        "created": created,
        "licenses": [{"name": licence.id, "title": licence.title, "path": licence.url}],
        "contributors": [{"title": publisher, "role": "publisher"}],
        "resources": resources,
    }
