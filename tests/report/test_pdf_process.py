"""typst runs in a child process for each PDF report, so a long-lived process (the web server,
the background worker) gets its memory back when the report is done."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpiboard.report import pdf as pdf_module
from kpiboard.report.model import ReportModel
from kpiboard.report.pdf import PdfRenderError, render_pdf

ROOT = Path(__file__).resolve().parents[2]

# Three PDFs of the demo pack in one process: the process never imports typst, and its size
# after the third is no more than after the first (typst in-process kept ~55 MB more per report).
THREE_REPORTS = textwrap.dedent(
    """
    import gc, sys
    from kpiboard.demo import pack_source
    from kpiboard.packs.loader import load_pack
    from kpiboard.report import build_report
    from kpiboard.report.pdf import render_pdf

    def resident_mb():
        with open("/proc/self/status") as status:
            line = next(l for l in status if l.startswith("VmRSS"))
        return int(line.split()[1]) // 1024

    model = build_report(load_pack(pack_source()))
    sizes = []
    for _ in range(3):
        assert render_pdf(model).startswith(b"%PDF-")
        gc.collect()
        sizes.append(resident_mb())
    print("typst" in sys.modules, sizes[2] - sizes[0])
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc for its size")
def test_pdf_reports_leave_no_typst_memory_in_the_process():
    done = subprocess.run(
        [sys.executable, "-c", THREE_REPORTS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    imported, growth = done.stdout.split()
    assert imported == "False"
    assert int(growth) < 20


def test_typesetting_process_that_dies_is_a_clear_error(tmp_path, monkeypatch):
    killer = tmp_path / "killed.py"
    killer.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    monkeypatch.setattr(pdf_module, "CHILD", killer)
    model = ReportModel("T", "", "", "Sep-13", "2013-10-01", "", [], [])
    with pytest.raises(PdfRenderError, match=r"stopped before it finished \(exit status -9"):
        render_pdf(model)
