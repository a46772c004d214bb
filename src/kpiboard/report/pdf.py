"""The committee report as a PDF, typeset by typst from the report model.

The model goes to the template (``templates/report.typ``) as one JSON string in ``sys.inputs``;
the template prints every string in it as text. The only markup it evaluates is the Typst that
:mod:`kpiboard.report.typst_markup` makes here from the Markdown fields (commentary, drafted
commentary and narrative), in which all text is escaped. SVG charts and icons are drawn as images.

The PDF is written to PDF/A-2a and PDF/UA-1 (tagged, with alt text for every chart and icon, a
language, title and heading structure) and typst checks both. Should a pack's text ever trip one
of those checks, the report is typeset again as a plain tagged PDF with a warning, rather than
not at all.

typst runs in a child process of its own (:func:`_compile`), started for each report and ended
with it. typst keeps every intermediate result of a compile in a process-wide memo cache that its
Python binding never empties: about 1.5 MB per page of report, kept for the life of the process
(measured in bench/README.md). Compiled in the web server or the background worker itself, every
report would add its own to that process for good; in a child, it is all given back when the
report is done. The peak while typst works is typst's own and is not changed by this.

typst is imported on first use (in the child), so importing this module stays cheap.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .typst_markup import markdown_to_typst

if TYPE_CHECKING:
    from .model import ReportModel

__all__ = ["PDF_STANDARDS", "PdfRenderError", "PdfStandardWarning", "render_pdf", "report_data"]

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "report.typ"
#: The script the child process runs.
CHILD = Path(__file__).with_name("typeset.py")

#: Heading shift for Markdown: a narrative's ``##`` sits under its level-2 title; commentary
#: headings sit under the page's "Commentary" label.
NARRATIVE_HEADING_OFFSET = 1
COMMENTARY_HEADING_OFFSET = 2

#: Standards the PDF is checked against (by typst) and declares.
PDF_STANDARDS = ("a-2a", "ua-1")


class PdfRenderError(RuntimeError):
    """typst could not typeset the report; the message carries typst's diagnostic."""

    def __init__(self, message: str, diagnostic: str = "", hints: list[str] | None = None):
        self.message = message
        self.diagnostic = diagnostic
        self.hints = list(hints or [])
        parts = [f"could not typeset the PDF report: {message}"]
        if diagnostic and diagnostic != message:
            parts.append(diagnostic)
        parts.extend(f"hint: {hint}" for hint in self.hints)
        super().__init__("\n".join(parts))


class PdfStandardWarning(UserWarning):
    """The report could not meet PDF/A or PDF/UA and was written as a plain tagged PDF."""


@cache
def _template() -> bytes:
    return (TEMPLATES / TEMPLATE).read_bytes()


def report_data(model: ReportModel) -> dict[str, Any]:
    """The model as plain data for the template, with Typst markup beside each Markdown field."""
    data = model.to_dict()
    for section in data["sections"]:
        for narrative in section["narrative"]:
            narrative["typst"] = markdown_to_typst(
                narrative["markdown"], heading_offset=NARRATIVE_HEADING_OFFSET
            )
        for page in section["pages"] + section["lead_pages"]:
            page["chart_alt"] = page["chart_description"] or page["chart_title"]
            # kpiboard's drafted commentary is plain text, but is read as Markdown like the
            # service's own, so that both print alike.
            for key in ("commentary", "draft"):
                commentary = page.get(key)
                if commentary:
                    commentary["typst"] = markdown_to_typst(
                        commentary["markdown"], heading_offset=COMMENTARY_HEADING_OFFSET
                    )
    return data


def render_pdf(model: ReportModel, *, standards: tuple[str, ...] = PDF_STANDARDS) -> bytes:
    """Typeset ``model`` as an A4 PDF; raises :class:`PdfRenderError` if typst fails."""
    payload = json.dumps(report_data(model), ensure_ascii=False, separators=(",", ":"))
    if standards:
        try:
            return _compile(payload, standards)
        except PdfRenderError as exc:
            if not exc.message.startswith("PDF/"):
                raise
            warnings.warn(
                f"the PDF report does not meet {', '.join(standards)} ({exc.message}); "
                "it was written as a plain tagged PDF",
                PdfStandardWarning,
                stacklevel=2,
            )
    return _compile(payload, ())


def _compile(payload: str, standards: tuple[str, ...]) -> bytes:
    """typst's PDF of ``payload``, typeset in a child process that ends with it (see above).

    The child is a fresh interpreter running :mod:`kpiboard.report.typeset` (not a fork of a web
    server with its open connections and threads), which needs nothing but typst. The request
    goes to its standard input as it is pickled, and typst writes the PDF straight to a file, so
    that neither process holds a second copy of either while typst is at its largest. A child
    that dies (killed for want of memory, say) is reported as a :class:`PdfRenderError`.
    """
    with tempfile.TemporaryDirectory(prefix="kpiboard-pdf-") as folder:
        output = Path(folder) / "report.pdf"
        request = (_template(), payload, standards, str(TEMPLATES), str(output))
        with tempfile.TemporaryFile() as said:  # a file, not a pipe: it never fills up
            child = subprocess.Popen(
                # -P: the script's folder (this package, with its html.py) stays off the path.
                [sys.executable, "-P", str(CHILD)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=said,
            )
            assert child.stdin is not None and child.stdout is not None
            try:
                with child.stdin:
                    pickle.dump(request, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            except BrokenPipeError:  # it ended before reading: its status says why, below
                pass
            with child.stdout:
                answer = child.stdout.read()
            status = child.wait()
            said.seek(0)
            lines = said.read().decode("utf-8", "replace").strip().splitlines()
        if status != 0 or not answer:
            raise PdfRenderError(
                f"the typesetting process stopped before it finished (exit status {status}; "
                "-9 means it was killed, most often for want of memory)",
                lines[-1] if lines else "",
            )
        # The child is this kpiboard's own typeset module, so its pickle is trusted.
        error = pickle.loads(answer)
        if error is not None:
            raise PdfRenderError(*error)
        return output.read_bytes()
