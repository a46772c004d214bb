"""The risk heat map: a likelihood x impact grid as self-contained SVG, as the line charts are.

Each cell is filled with its band's colour and shows the number of risks scoring there, with
the band's name in the cell's ``<title>``; the report prints the same counts as a table beside
it, so nothing is known from colour alone. Cells outside the appetite carry a heavier border.
Presentation is in attributes only (typst draws the SVG with usvg), and the output is
deterministic.
"""

from __future__ import annotations

from html import escape

from ..core.risks import RiskMatrix, heat_counts
from ..core.risks import Score as RiskScore
from .chart_frame import COLOURS, FONT_FAMILY

#: Band colours: pale enough for dark text (at least 4.5:1 with #0b0c0c) in every cell.
BAND_FILL = {"green": "#cce2d8", "yellow": "#fff7bf", "amber": "#ffdfb0", "red": "#f6c7c1"}
CELL, LEFT, TOP, BOTTOM = 56, 118, 30, 54


def _label(x: float, y: float, text: str, anchor: str = "middle", size: int = 11) -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{COLOURS["text"]}">{escape(text)}</text>'
    )


def _cell(matrix: RiskMatrix, li: int, ii: int, count: int, ids: list[str]) -> str:
    rows = len(matrix.likelihood)
    score = (li + 1) * (ii + 1)
    band = matrix.band(score)
    x, y = LEFT + ii * CELL, TOP + (rows - 1 - li) * CELL
    outside = not matrix.within_appetite(score)
    stroke = ('stroke="#0b0c0c" stroke-width="2"' if outside
              else 'stroke="#ffffff" stroke-width="1"')  # fmt: skip
    names = f": {', '.join(ids)}" if ids else ""
    where = f"{band.name}, outside appetite" if outside else band.name
    tip = f"Likelihood {li + 1}, impact {ii + 1}: score {score} ({where}), {count} risk"
    tip += f"{'s' * (count != 1)}{names}"
    text = _label(x + CELL / 2, y + CELL / 2 + 6, str(count), size=16) if count else ""
    return (
        f'<g><title>{escape(tip)}</title><rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
        f'fill="{BAND_FILL.get(band.code, "#f3f2f1")}" {stroke}/>{text}</g>'
    )


def render_heat_map(
    matrix: RiskMatrix, scored: list[tuple[str, RiskScore]], chart_id: str, title: str
) -> str:
    """``scored``: (risk id, current score) pairs."""
    counts = heat_counts(matrix, [s for _, s in scored])
    rows, cols = len(matrix.likelihood), len(matrix.impact)
    width, height = LEFT + cols * CELL + 10, TOP + rows * CELL + BOTTOM
    total = sum(map(sum, counts))
    desc = (f"{total} risk{'s' * (total != 1)} by current likelihood (rows) and impact "
            f"(columns); the table beside the map gives the same counts.")  # fmt: skip
    cid = "".join(c if c.isalnum() else "-" for c in chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="{escape(FONT_FAMILY)}">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>',
    ]
    for li in range(rows):
        y = TOP + (rows - 1 - li) * CELL + CELL / 2 + 4
        parts.append(_label(LEFT - 6, y, f"{li + 1} {matrix.likelihood[li]}", "end", 10))
        for ii in range(cols):
            ids = [rid for rid, s in scored if (s.likelihood, s.impact) == (li + 1, ii + 1)]
            parts.append(_cell(matrix, li, ii, counts[li][ii], ids))
    for ii in range(cols):
        x = LEFT + ii * CELL + CELL / 2
        parts.append(_label(x, TOP + rows * CELL + 14, f"{ii + 1}", size=10))
    parts.append(_label(LEFT + cols * CELL / 2, TOP + rows * CELL + 32, "Impact", size=11))
    parts.append(_label(LEFT - 6, TOP - 12, "Likelihood", "end", 11))
    parts.append("</svg>")
    return "".join(parts)
