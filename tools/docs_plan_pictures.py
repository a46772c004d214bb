"""Draw the pictures of docs/business-plan.md: pages of the demos' PDF reports as PNG.

``python tools/docs_plan_pictures.py [docs/images]``: builds the council demo's report and the
NHS trust demo's, finds each page the docs show by a line of its text, and turns it into a PNG
with poppler's ``pdftoppm`` (apt-get install poppler-utils). The pictures are the PDF as a
committee prints it; the HTML report has the same pages. Look at every picture before
committing it: the page must show what the docs say it shows.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

from kpiboard.demo import DemoKind, pack_source
from kpiboard.packs.loader import load_pack
from kpiboard.report import build_report
from kpiboard.report.pdf import render_pdf

#: (demo, picture, a line of text on the page wanted). The first page after the contents
#: carrying the text is drawn.
PICTURES = (
    (DemoKind.COUNCIL, "report-milestone-timeline", "Adult Social Care: milestones as at"),
    (
        DemoKind.COUNCIL,
        "report-priority-page",
        "Get people home from hospital quickly and keep them there: indicators",
    ),
    (DemoKind.NHS_TRUST, "report-nhs-risk-register", "Safe and effective care: risk register"),
)
RESOLUTION = 80  # dots per inch: an A4 page 660 pixels wide, readable on a docs page


def _page_with(pdf: bytes, text: str) -> int:
    """The number (from 1) of the first page after the contents whose text has ``text``."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    for number, page in enumerate(pages, 1):
        words = re.sub(r"\s+", " ", page.extract_text())
        if text in words and "Contents" not in words:
            return number
    raise SystemExit(f"no page of the report has {text!r}")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pdfs: dict[DemoKind, bytes] = {}
    with tempfile.TemporaryDirectory() as work:
        for kind, name, text in PICTURES:
            if kind not in pdfs:
                pdfs[kind] = render_pdf(build_report(load_pack(pack_source(kind))))
            path = Path(work) / f"{kind.value}.pdf"
            path.write_bytes(pdfs[kind])
            number = str(_page_with(pdfs[kind], text))
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", number, "-l", number,
                 "-singlefile", str(path), str(out / name)],
                check=True,
            )  # fmt: skip
            print(f"{out / name}.png: page {number} of the {kind.value} report")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
