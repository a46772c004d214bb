"""Which indicator and period an import problem is about, read back from the file's own cells.

The importer names a problem by row and column, as a spreadsheet does; people fixing a return
think in indicators and months. For each problem's row this finds the indicator (the row's
``indicator`` cell) and the period (the row's ``period`` cell in the long layout, or the problem
column's heading in the wide one), as typed in the file.
"""

from __future__ import annotations

from pathlib import Path

from ..packs.problems import PackError, Problem
from ..packs.tables import column_letter, is_long_header, load_table


def locate(path: Path, problems: list[Problem]) -> dict[tuple[int, str], tuple[str, str]]:
    """(line, field) -> (indicator, period) as the file gives them, for the problems it can
    place; a file that cannot be read again places none."""
    try:
        table = load_table(path)
    except (PackError, OSError):
        return {}
    start = next((i for i, cells in enumerate(table.rows) if any(c.strip() for c in cells)), None)
    if start is None:
        return {}
    header = [c.strip().lower() for c in table.rows[start]]
    long = is_long_header(header)
    letters = {column_letter(j): j for j in range(len(header))}
    by_line = dict(zip(table.lines, table.rows, strict=True))
    out = {}
    for p in problems:
        cells = by_line.get(p.line)
        if not p.line or cells is None or p.line == table.lines[start]:
            continue

        def cell(j: int | None, cells: list[str] = cells) -> str:
            return cells[j].strip() if j is not None and j < len(cells) else ""

        indicator = cell(header.index("indicator") if "indicator" in header else None)
        if long:
            period = cell(header.index("period"))
        else:
            j = letters.get(p.field.removeprefix("column ").strip())
            period = table.rows[start][j].strip() if j is not None and j >= 2 else ""
        out[p.line, p.field] = (indicator, period)
    return out
