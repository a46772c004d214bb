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
Python binding never empties: about 1 MB per page of report, kept for the life of the process
(measured in bench/README.md). Compiled in the web server or the background worker itself, every
report would add its own to that process for good; in a child, it is all given back when the
report is done.

That cache is also typst's peak, so a long report is typeset in parts (:mod:`.parts`) of about
``part_size`` pages of indicators, each by a child of its own, and the parts are joined into one
PDF by another (:mod:`.join`), which writes each part out while typst typesets the next: the
peak is that of the largest part (and the join's of one part), not of the report. A report
that fits in one part is typst's own PDF, as before. Each part is checked by typst against the
standards, and part 0 (cover and contents, whose catalog and XMP the joined PDF keeps) is typeset
last, without the standards if any part could not meet them.

The page numbers of a report typeset in parts read "Page 12", not "Page 12 of 980": a part's
footer cannot know the pages of the parts typeset after it, and learning them first would mean
laying the report out twice. The cover and contents are numbered i, ii, ... and the body from 1,
so that the contents, made last, moves no page's number. A report in one part says "of N".

typst is imported on first use (in the child), so importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import subprocess
import sys
import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .parts import PART_SIZE, contents_entries, front_data, part_data, plan_parts
from .typst_markup import markdown_to_typst

if TYPE_CHECKING:
    from .model import ReportModel

__all__ = ["PDF_STANDARDS", "PdfRenderError", "PdfStandardWarning", "render_pdf", "report_data"]

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "report.typ"
#: The scripts the child processes run: typst, and the join of a report typeset in parts.
CHILD = Path(__file__).with_name("typeset.py")
JOINER = Path(__file__).with_name("join.py")

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


def render_pdf(
    model: ReportModel,
    *,
    standards: tuple[str, ...] = PDF_STANDARDS,
    part_size: int = PART_SIZE,
) -> bytes:
    """Typeset ``model`` as an A4 PDF; raises :class:`PdfRenderError` if typst fails.

    A report of more than about ``part_size`` pages is typeset in parts and joined (see the
    module's docstring); a smaller one is typst's own PDF of the whole.
    """
    data = report_data(model)
    parts = plan_parts(data, part_size)
    typeset = _Typesetter(standards)
    with tempfile.TemporaryDirectory(prefix="kpiboard-pdf-") as name:
        folder = Path(name)
        if len(parts) == 1:
            typeset(data, folder / "report.pdf")
            return (folder / "report.pdf").read_bytes()
        # The join runs beside typst: it writes each part out while typst typesets the next.
        with _Child(JOINER, "joining") as joiner:
            joiner.send(("start", str(folder / "report.pdf")))
            layouts, first_page = [], 1
            for number, part in enumerate(parts, start=1):
                layout = typeset(part_data(data, part, number, first_page), _part(folder, number))
                joiner.send(("part", number, str(_part(folder, number)), layout))
                first_page += layout["pages"]
                layouts.append(layout)
            # Part 0 last: its contents give the pages the other parts' headings fell on.
            front = typeset(front_data(data, contents_entries(layouts)), _part(folder, 0))
            joiner.send(("part", 0, str(_part(folder, 0)), front))
            joiner.send(("end",))
            failure = joiner.answer()
        if failure is not None:
            raise PdfRenderError(f"the parts of the report could not be joined: {failure}")
        return (folder / "report.pdf").read_bytes()


def _part(folder: Path, number: int) -> Path:
    return folder / f"part-{number}.pdf"


class _Typesetter:
    """typst's PDF of report data, to the standards while the report meets them: once one part
    cannot, it and every part after it are typeset as plain tagged PDFs, with one warning, and
    part 0 (typeset last, whose catalog the joined report keeps) claims no standard either."""

    def __init__(self, standards: tuple[str, ...]):
        self.standards = standards

    def __call__(self, data: dict[str, Any], output: Path) -> dict[str, Any]:
        """The layout the template records (see :mod:`kpiboard.report.typeset`)."""
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if self.standards:
            try:
                return _compile(payload, self.standards, output)
            except PdfRenderError as exc:
                if not exc.message.startswith("PDF/"):
                    raise
                warnings.warn(
                    f"the PDF report does not meet {', '.join(self.standards)} ({exc.message}); "
                    "it was written as a plain tagged PDF",
                    PdfStandardWarning,
                    stacklevel=3,
                )
                self.standards = ()
        return _compile(payload, (), output)


def _compile(payload: str, standards: tuple[str, ...], output: Path) -> dict[str, Any]:
    """typst's PDF of ``payload`` written to ``output``, typeset in a child process that ends with
    it (see above); returns the layout the template records."""
    failure, layout = _run_child(
        CHILD, (_template(), payload, standards, str(output)), "typesetting"
    )
    if failure is not None:
        raise PdfRenderError(*failure)
    return cast(dict[str, Any], layout)


def _run_child(script: Path, request: tuple[Any, ...], doing: str) -> Any:
    """The answer of ``script`` run as a child process with ``request`` (see :class:`_Child`)."""
    with _Child(script, doing) as child:
        child.send(request)
        return child.answer()


class _Child:
    """A child process running ``script``, sent pickled messages and read one pickled answer.

    The child is a fresh interpreter running the script (not a fork of a web server with its open
    connections and threads), which needs nothing of kpiboard's. Requests go to its standard
    input as they are pickled, and the child writes its PDF straight to a file, so that neither
    process holds a second copy of either while the child is at its largest. A child that dies
    (killed for want of memory, say) is reported as a :class:`PdfRenderError`; one left when its
    parent fails is told so by the end of its input, and waited for.
    """

    def __init__(self, script: Path, doing: str):
        self.script, self.doing = script, doing
        # A file, not a pipe: it never fills up. Closed by __exit__.
        self.said = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            # -P: the script's folder (this package, with its html.py) stays off the path.
            [sys.executable, "-P", str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.said,
        )

    def __enter__(self) -> _Child:
        return self

    def __exit__(self, *_: object) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
        self.process.wait()
        self.said.close()

    def send(self, message: tuple[Any, ...]) -> None:
        assert self.process.stdin is not None
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except BrokenPipeError:  # it ended before reading: its status says why, in answer()
            pass

    def answer(self) -> Any:
        """The child's answer, once it has ended."""
        assert self.process.stdin is not None and self.process.stdout is not None
        with contextlib.suppress(BrokenPipeError):  # it ended early: its status says why
            self.process.stdin.close()
        with self.process.stdout:
            answer = self.process.stdout.read()
        status = self.process.wait()
        self.said.seek(0)
        lines = self.said.read().decode("utf-8", "replace").strip().splitlines()
        if status != 0 or not answer:
            raise PdfRenderError(
                f"the {self.doing} process stopped before it finished (exit status {status}; "
                "-9 means it was killed, most often for want of memory)",
                lines[-1] if lines else "",
            )
        # The child is this kpiboard's own script, so its pickle is trusted.
        return pickle.loads(answer)
