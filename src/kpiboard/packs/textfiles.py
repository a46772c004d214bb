"""Commentary (``commentary/ID.md``, a heading per period) and narrative sections."""

from __future__ import annotations

import re

from ..core.periods import FinancialCalendar, PeriodError
from .model import Commentary, Narrative
from .problems import Problems

_PERIOD_HEADING = re.compile(r"^##\s+(.+?)\s*$")
_TITLE = re.compile(r"^#\s+(.+?)\s*$")


def read_commentary(
    file: str, text: str, calendar: FinancialCalendar, problems: Problems
) -> tuple[Commentary, ...]:
    items: list[Commentary] = []
    seen: dict[str, int] = {}
    current: tuple[object, list[str]] | None = None
    in_fence = False

    def close() -> None:
        if current is not None and current[0] is not None:
            body = "\n".join(current[1]).strip()
            if body:
                items.append(Commentary(current[0], body))  # type: ignore[arg-type]

    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
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
