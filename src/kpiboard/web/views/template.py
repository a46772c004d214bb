"""Spreadsheets to fill in: a month's template of a person's indicators, or every figure.

The template is in the import's long layout (indicator, period, series, value, note), one row per
indicator due in the month with its saved figure if any, so it can be edited and brought back
through Import as it is. ``?all=1`` gives every figure in the wide layout instead.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from ...packs.exporter import export_wide
from ..grid import grid_rows, initial
from ..permissions import editable_indicators
from ..store import current_pack
from .grid import month_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("indicator", "period", "series", "value", "note")


def template_workbook(rows, values) -> bytes:
    """The long-layout template, with the indicator's title as a cell comment for the reader."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Figures")
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    for j, name in enumerate(COLUMNS):
        sheet.write_string(0, j, name, bold)
    for i, (row, saved) in enumerate(zip(rows, values, strict=True), start=1):
        sheet.write_string(i, 0, row.indicator.id)
        sheet.write_comment(i, 0, row.indicator.display_title)
        sheet.write_string(i, 1, row.period.label, text)
        sheet.write_string(i, 2, "actual")
        if saved["figure"]:
            sheet.write_number(i, 3, float(saved["figure"]))
        if saved["note"]:
            sheet.write_string(i, 4, saved["note"])
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 2, 12)
    sheet.set_column(4, 4, 40)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _all_figures() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figures.xlsx"
        export_wide(current_pack(), path)
        return path.read_bytes()


@require_http_methods(["GET", "HEAD"])
def entry_template(request, period: str):
    if not editable_indicators(request.user).exists():
        raise PermissionDenied
    pack = current_pack()
    month = month_or_404(period, pack.calendar)
    if request.GET.get("all"):
        body, name = _all_figures(), f"kpiboard-all-figures-{month.label}.xlsx"
    else:
        rows = grid_rows(request.user, month)
        body, name = template_workbook(rows, initial(rows)), f"kpiboard-{month.label}.xlsx"
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
