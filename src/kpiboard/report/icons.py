"""Variation and assurance icons for SPC indicators, in the spirit of NHS "Making Data Count".

Each icon is a small self-contained SVG drawn here (not MDC's artwork): a white disc with a
coloured ring and a glyph inside.

* **Variation**: a seven-point sparkline. Common cause is a grey zigzag; a special cause signal
  raises (high) or lowers (low) its last three points, coloured, with the letter "H" or "L" above.
  Blue is improvement, orange concern and purple neutral (neither better nor worse).
  ``"none"`` (icons withheld: the chart does not suit the figures) is the dashed "not assessed"
  ring described next.
* **Assurance**: the letter "P" (target consistently met, blue), "F" (consistently missed, orange)
  or "?" (may or may not be met, grey) over a dashed horizontal target line. With no target the
  icon is a dashed grey ring around a dash, titled "No target" - an icon rather than an empty
  string, so that rows of icons stay aligned and a screen reader still hears why nothing is shown.

Every icon is ``role="img"`` labelled by a ``<title>`` with the plain-English label, so meaning
never rests on colour; the letter and glyph carry it too. Colours have at least 4.5:1 contrast on
white (the letters are text). Output is deterministic, and every element id derives from
``icon_id`` so several icons can share a page. The markup uses presentation attributes only, so
typst (usvg) renders it in the PDF.
"""

from __future__ import annotations

from html import escape

from kpiboard.report.chart_frame import FONT_FAMILY, sanitise_id
from kpiboard.report.spc_chart import SPC_COLOURS, _spc_marker

__all__ = ["ASSURANCE_LABELS", "VARIATION_LABELS", "assurance_icon_svg", "variation_icon_svg"]

#: Short labels for the variation icons, keyed by icon name.
VARIATION_LABELS = {
    "common_cause": "Common cause",
    "improvement_high": "Improvement (high)",
    "improvement_low": "Improvement (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Neutral (high)",
    "neutral_low": "Neutral (low)",
    "none": "Not assessed",
}

#: Short labels for the assurance icons; ``None`` is accepted for ``"none"`` (no target).
#: ``"not_applicable"``: a target exists but the chart cannot judge it (rare events, icons
#: withheld, a chart of another series).
ASSURANCE_LABELS = {
    "pass": "Target consistently met",
    "fail": "Target consistently missed",
    "inconsistent": "Target may or may not be met",
    "none": "No target",
    "not_applicable": "Not applicable",
}

_GREY = SPC_COLOURS["common"]  # 4.6:1
_COLOUR = {
    "improvement": SPC_COLOURS["improvement"],
    "concern": SPC_COLOURS["concern"],
    "neutral": SPC_COLOURS["neutral"],
}
_ASSURANCE = {  # name -> (colour, letter)
    "pass": (SPC_COLOURS["improvement"], "P"),
    "fail": (SPC_COLOURS["concern"], "F"),
    "inconsistent": (_GREY, "?"),
}

# Sparkline x positions and y values in the icon's 100 x 100 viewBox, kept clear of the ring.
_SPARK_X = (20, 30, 40, 50, 60, 70, 80)
_SPARK_Y = {
    "common": (45, 56, 47, 57, 44, 55, 50),
    "high": (67, 62, 68, 63, 53, 49, 54),
    "low": (51, 56, 50, 55, 63, 68, 64),
}


def _open(icon_id: str, size: int, label: str) -> list[str]:
    """The opening ``<svg>`` tag and ``<title>``: the markup every icon starts with."""
    iid = sanitise_id(icon_id)
    size = int(size)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-labelledby="{iid}-title" '
        f'font-family="{FONT_FAMILY}" id="{iid}">',
        f'<title id="{iid}-title">{escape(label)}</title>',
    ]


def _ring(colour: str, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<circle cx="50" cy="50" r="44" fill="#ffffff" stroke="{colour}" '
        f'stroke-width="7"{dashed}/>'
    )


def _letter(text: str, colour: str, y: float, size: float) -> str:
    return (
        f'<text x="50" y="{y:g}" font-size="{size:g}" font-weight="bold" text-anchor="middle" '
        f'fill="{colour}">{escape(text)}</text>'
    )


def _not_assessed() -> list[str]:
    """A dashed grey ring around a dash: no icon, said as an icon so rows stay aligned."""
    return [
        _ring(_GREY, "9.2 4.6"),
        f'<path d="M34 50H66" fill="none" stroke="{_GREY}" stroke-width="7" '
        'stroke-linecap="round"/>',
        "</svg>",
    ]


def variation_icon_svg(icon: str | None, *, size: int = 40, icon_id: str) -> str:
    """The variation icon ``icon`` (a key of :data:`VARIATION_LABELS`) as an ``<svg>`` string.

    ``None`` (or ``"none"``) is the "Not assessed" icon of withheld icons. Raises
    ``ValueError`` for an unknown icon name.
    """
    icon = "none" if icon is None else icon
    if icon not in VARIATION_LABELS:
        raise ValueError(
            f"unknown variation icon {icon!r}; expected one of {', '.join(VARIATION_LABELS)}"
        )
    out = _open(icon_id, size, VARIATION_LABELS[icon])
    if icon == "none":
        return "".join(out + _not_assessed())
    if icon == "common_cause":
        colour, shape, signal, nature = _GREY, "common", 0, ""
    else:
        nature, shape = icon.rsplit("_", 1)
        colour, signal = _COLOUR[nature], 3
    points = list(zip(_SPARK_X, _SPARK_Y[shape], strict=True))
    out.append(_ring(colour))
    if signal:
        out.append(_letter("H" if shape == "high" else "L", colour, 39, 30))
    line = "M" + "L".join(f"{x} {y}" for x, y in points)
    out.append(
        f'<path d="{line}" fill="none" stroke="{_GREY}" stroke-width="2.5" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
    )
    # Signal points take the chart's marker shapes (circle, square, triangle up or down) as well
    # as its colours, so improvement and concern differ in more than colour.
    marker = icon if nature == "neutral" else nature
    for k, (x, y) in enumerate(points):
        if k >= len(points) - signal:
            out.append(_spc_marker(marker, x, y, 5))
        else:
            out.append(f'<circle cx="{x}" cy="{y}" r="4" fill="{_GREY}"/>')
    out.append("</svg>")
    return "".join(out)


def assurance_icon_svg(icon: str | None, *, size: int = 40, icon_id: str) -> str:
    """The assurance icon ``icon`` (a key of :data:`ASSURANCE_LABELS`) as an ``<svg>`` string.

    ``None`` (or ``"none"``) gives the neutral "No target" icon, never an empty string. Raises
    ``ValueError`` for an unknown icon name.
    """
    name = "none" if icon is None else icon
    if name not in ASSURANCE_LABELS:
        raise ValueError(
            f"unknown assurance icon {icon!r}; expected one of {', '.join(ASSURANCE_LABELS)}"
        )
    out = _open(icon_id, size, ASSURANCE_LABELS[name])
    if name in ("none", "not_applicable"):
        return "".join(out + _not_assessed())
    colour, letter = _ASSURANCE[name]
    out.append(_ring(colour))
    out.append(_letter(letter, colour, 57, 42))
    out.append(
        f'<path d="M22 72H78" fill="none" stroke="{colour}" stroke-width="5" '
        'stroke-dasharray="8 4"/>'
    )
    out.append("</svg>")
    return "".join(out)
