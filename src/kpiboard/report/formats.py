"""The report's output formats, in one registry.

Each :class:`OutputFormat` holds all there is to know about one kind of report file: the name
the CLI and the web form take, the words the reports page offers it with, the content type and
file suffix a download carries, what a job's progress says while it is made, and the renderer.
The CLI (``kpiboard report``, ``kpiboard demo --report``), the web reports page, its downloads and
the background job all read this one list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from .model import ReportModel


@dataclass(frozen=True)
class OutputFormat:
    name: str
    label: str
    description: str
    content_type: str
    suffix: str
    making: str  # the progress step while the file is made
    render: Callable[[ReportModel], bytes]
    #: Writes the file to a binary stream, returning its size: as it renders, where the
    #: format allows (HTML), so a large report is never held whole.
    write: Callable[[ReportModel, IO[bytes]], int]


def _html(model: ReportModel) -> bytes:
    from .html import render_html

    return render_html(model).encode("utf-8")


def _write_html(model: ReportModel, out: IO[bytes]) -> int:
    from .html import write_html

    return write_html(model, out)


def _pdf(model: ReportModel) -> bytes:
    from .pdf import render_pdf

    return render_pdf(model)


def _write_pdf(model: ReportModel, out: IO[bytes]) -> int:
    return out.write(_pdf(model))


_FORMATS = (
    OutputFormat(
        "html",
        "Web page (HTML)",
        "A single file that opens in any browser and prints well.",
        "text/html; charset=utf-8",
        ".html",
        "Writing the web page",
        _html,
        _write_html,
    ),
    OutputFormat(
        "pdf",
        "PDF document",
        "Accessible, tagged PDF for committee papers.",
        "application/pdf",
        ".pdf",
        "Typesetting the PDF",
        _pdf,
        _write_pdf,
    ),
)

#: The output formats by name, in the order they are offered.
OUTPUT_FORMATS: dict[str, OutputFormat] = {f.name: f for f in _FORMATS}
#: The format offered first and chosen when none is given.
DEFAULT_FORMAT = _FORMATS[0].name


def output_format(name: str) -> OutputFormat:
    """The format called ``name``; raises ValueError naming the formats there are."""
    try:
        return OUTPUT_FORMATS[name]
    except KeyError:
        raise ValueError(
            f"unknown report format {name!r} (use {', '.join(OUTPUT_FORMATS)})"
        ) from None


def format_of_path(path: str | PurePath) -> OutputFormat | None:
    """The format a file name's suffix names (``report.PDF`` is a PDF), or None."""
    suffix = PurePath(path).suffix.lower()
    return next((f for f in _FORMATS if f.suffix == suffix), None)


def one_of(words: list[str]) -> str:
    """Alternatives as a reader is told them: "html or pdf", "a, b or c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
