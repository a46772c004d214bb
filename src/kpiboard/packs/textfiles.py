"""Commentary (``commentary/ID.md``, a heading per period) and narrative sections.

A commentary file is read and written here, by one pair of functions that agree on every line:
a line of commentary that the reader would take for structure (a ``## period`` heading or a
```` ``` ```` fence, after any leading backslashes) is written with one more backslash in front,
and read back with one fewer. That escape is a bijection on lines, so any text survives the
round trip exactly (see docs/pack-format.md, "Commentary").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.periods import FinancialCalendar, PeriodError
from .model import Commentary, Narrative
from .problems import Problems

_PERIOD_HEADING = re.compile(r"^##\s+(.+?)\s*$")
_TITLE = re.compile(r"^#\s+(.+?)\s*$")
_FENCE = "```"
_ESCAPE = "\\"


def canonical_text(text: str | None) -> str:
    """Commentary as it is stored: line ends as ``\\n`` and no blank lines or spaces around it.

    The web form, the pack reader and the export all store this form, so "the same commentary"
    means the same string everywhere (a file saved on Windows reads the same as one from Linux).
    """
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _lines(text: str) -> list[str]:
    """Lines split at line ends only (``str.splitlines`` would also split at form feeds and
    Unicode separators, which commentary may hold as text)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_fence(line: str) -> bool:
    return line.lstrip().startswith(_FENCE)


def _needs_escape(line: str) -> bool:
    """A line the reader would take for a heading or a fence once its backslashes are gone."""
    core = line.lstrip(_ESCAPE)
    return bool(_PERIOD_HEADING.match(core)) or _is_fence(core)


def escape_line(line: str) -> str:
    """One line of commentary as written in the file."""
    return _ESCAPE + line if _needs_escape(line) else line


def unescape_line(line: str) -> str:
    """One line of a commentary file as text (the inverse of :func:`escape_line`)."""
    return line[1:] if line.startswith(_ESCAPE) and _needs_escape(line) else line


def write_commentary(items: Iterable[Commentary]) -> str:
    """A commentary file that :func:`read_commentary` reads back to the same items (each text
    in :func:`canonical_text` form; empty ones are left out, as the reader drops them)."""
    blocks = []
    for item in items:
        text = canonical_text(item.text)
        if text:
            body = "\n".join(escape_line(line) for line in _lines(text))
            blocks.append(f"## {item.period.label}\n\n{body}\n")
    return "\n".join(blocks)


def read_commentary(
    file: str, text: str, calendar: FinancialCalendar, problems: Problems
) -> tuple[Commentary, ...]:
    items: list[Commentary] = []
    seen: dict[str, int] = {}
    current: tuple[object, list[str]] | None = None
    in_fence = False

    def close() -> None:
        if current is not None and current[0] is not None:
            body = canonical_text("\n".join(unescape_line(line) for line in current[1]))
            if body:
                items.append(Commentary(current[0], body))  # type: ignore[arg-type]

    for number, line in enumerate(_lines(text), start=1):
        if _is_fence(line):
            in_fence = not in_fence
        match = None if in_fence else _PERIOD_HEADING.match(line)
        if match:
            close()
            label = match[1]
            try:
                period = calendar.parse(label)
            except PeriodError as exc:
                problems.report(file, number, "heading", str(exc))
                current = (None, [])
                continue
            if period.label in seen:
                problems.report(
                    file,
                    number,
                    "heading",
                    f"{period.label} already has commentary at line {seen[period.label]}",
                )
            seen[period.label] = number
            current = (period, [])
        elif current is None:
            if line.strip():
                problems.report(
                    file,
                    number,
                    "",
                    "text before the first '## period' heading belongs to no period",
                )
                current = (None, [])
        else:
            current[1].append(line)
    close()
    return tuple(items)


def read_narrative(name: str, text: str, problems: Problems) -> Narrative:
    lines = text.splitlines()
    title = ""
    body_start = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if match := _TITLE.match(line):
            title = match[1]
            body_start = i + 1
        break
    if not title:
        problems.report(f"narrative/{name}", 1, "", "must start with a '# Title' heading")
    return Narrative(name, title, "\n".join(lines[body_start:]).strip())
