"""A long report cut into parts that typst typesets one at a time (see :mod:`kpiboard.report.pdf`).

typst keeps all it lays out for the life of its process, about 1 MB a page: a 1,000-page report
would hold a gigabyte at once. Typeset in parts of a few hundred pages, each by a process of its
own, the peak is that of the largest part. The parts are:

- part 0: the cover and the contents, numbered i, ii, ... It is typeset last, when the other parts
  have told where their headings fell, and its own length moves no other page's number;
- parts 1 to n: the body, numbered on from 1: the organisation-wide summary and the key in part 1,
  then the sections, cut between sections where that keeps parts near their size, else between
  indicator pages (each of which starts a page anyway), and the priorities.

A part is given as the report's data cut down to what it prints, with a ``part`` entry that tells
the template (``templates/report.typ``) which part it is, the number of its first page and the
anchors that are in it; links to any other go by a ``kpiboard:`` address that the join
(:mod:`kpiboard.report.join`) turns into a link to the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PART_SIZE",
    "Part",
    "Piece",
    "contents_entries",
    "front_data",
    "part_data",
    "plan_parts",
]

#: About how many pages of indicators a part holds. 150 keeps typst's peak near 300 MB.
PART_SIZE = 150
#: Rows of a summary table on a page, to weigh a section's opening pages.
ROWS_A_PAGE = 40
#: A new part starts at a section rather than let a part run past this share of its size.
SECTION_BREAK_SHARE = 0.7


@dataclass
class Piece:
    """A section's share of a part: its opening (title, summary, narrative, variation), indicator
    pages ``first`` to ``stop`` (not included), its lead indicators and its business plan."""

    section: int
    head: bool = False
    first: int = 0
    stop: int = 0
    leads: bool = False
    plan: bool = False


@dataclass
class Part:
    """What one body part prints, with its weight in (about) pages."""

    key: bool = False
    pieces: list[Piece] = field(default_factory=list)
    priorities: bool = False
    weight: float = 0.0

    def piece(self, section: int) -> Piece:
        if not self.pieces or self.pieces[-1].section != section:
            self.pieces.append(Piece(section))
        return self.pieces[-1]


def _units(data: dict[str, Any]) -> list[tuple[str, int, int, float]]:
    """The report's body in the pieces it may be cut between: (kind, section, page, weight)."""
    overview = data.get("overview") or {}
    units = [("key", -1, 0, 2 + len(overview.get("rows", ())) / ROWS_A_PAGE)]
    for number, section in enumerate(data["sections"]):
        rows = len((section.get("summary") or {}).get("rows", ()))
        rows += len((section.get("variation") or {}).get("rows", ()))
        units.append(("head", number, 0, 1 + rows / ROWS_A_PAGE))
        units += [("page", number, at, 2.0) for at in range(len(section["pages"]))]
        if section["lead_pages"]:
            units.append(("leads", number, 0, 1 + 2.0 * len(section["lead_pages"])))
        if section.get("plan"):
            units.append(("plan", number, 0, 2.0))
    if data.get("priorities"):
        units.append(("priorities", -1, 0, float(len(data["priorities"]))))
    return units


def plan_parts(data: dict[str, Any], size: int = PART_SIZE) -> list[Part]:
    """The body parts (1 to n) of the report ``data``, each of about ``size`` pages; a single part
    when the whole body is no bigger."""
    parts = [Part()]
    for kind, section, at, weight in _units(data):
        part = parts[-1]
        full = part.weight > 0 and part.weight + weight > size
        early = kind == "head" and part.weight >= size * SECTION_BREAK_SHARE
        if (full or early) and kind != "plan":  # a business plan stays with its section
            part = Part()
            parts.append(part)
        part.weight += weight
        if kind == "key":
            part.key = True
        elif kind == "priorities":
            part.priorities = True
        elif kind == "head":
            part.piece(section).head = True
        elif kind == "page":
            piece = part.piece(section)
            if piece.first == piece.stop:
                piece.first = at
            piece.stop = at + 1
        else:
            setattr(part.piece(section), kind, True)
    return parts


def part_data(data: dict[str, Any], part: Part, number: int, first_page: int) -> dict[str, Any]:
    """``data`` cut down to what body part ``number`` prints, told where it stands."""
    sections = []
    anchors: dict[str, bool] = {}
    for piece in part.pieces:
        section = dict(data["sections"][piece.section])
        section["pages"] = section["pages"][piece.first : piece.stop]
        if not piece.leads:
            section["lead_pages"] = []
        if not piece.head:  # what only the section's opening prints
            section.update(summary=None, variation=None, narrative=[], metadata=[])
        section["part"] = {"head": piece.head, "leads": piece.leads, "plan": piece.plan}
        anchors.update((page["anchor"], True) for page in section["pages"])
        anchors.update((page["anchor"], True) for page in section["lead_pages"])
        sections.append(section)
    priorities = (data.get("priorities") or []) if part.priorities else []
    anchors.update((p["anchor"], True) for p in priorities if p.get("anchor"))
    return {
        **data,
        "sections": sections,
        "overview": data.get("overview") if part.key else None,
        "priorities": priorities,
        "part": {"number": number, "first_page": first_page, "key": part.key, "anchors": anchors},
    }


def front_data(data: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """``data`` cut down to part 0, the cover and the contents (``entries``)."""
    return {
        **data,
        "sections": [],
        "overview": None,
        "priorities": [],
        "part": {"number": 0, "first_page": 1, "key": False, "anchors": {}, "contents": entries},
    }


#: The deepest heading the contents lists (as ``outline(depth: 3)`` does for a whole report).
CONTENTS_DEPTH = 3


def contents_entries(layouts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The contents of a report typeset in parts, from where the body parts' headings fell
    (``layouts[k]`` is part k+1's, as :mod:`kpiboard.report.typeset` reads it)."""
    return [
        {
            "level": heading["level"],
            "title": heading["title"],
            "number": heading["number"],
            "target": f"kpiboard:heading/{number}/{index}",
        }
        for number, layout in enumerate(layouts, start=1)
        for index, heading in enumerate(layout["headings"])
        if heading["outlined"] and heading["level"] <= CONTENTS_DEPTH
    ]
