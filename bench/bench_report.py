"""Time the demo committee report from a cold process: HTML and PDF, beside baselines.

Each row runs a fresh Python process (imports, pack loading, evaluation, rendering, writing the
file), repeated; the table shows the median and best wall time. Baselines: a bare interpreter start
(the floor any command pays), pack loading alone, and printing the same HTML report to PDF with
headless Chromium (the usual alternative to typst), when Chromium is installed.

Run: .venv/bin/python bench/bench_report.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from kpiboard.demo import write_demo  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
]  # fmt: skip


def timed(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kpiboard-bench-"))
    pack = write_demo(work / "pack")
    py = sys.executable
    kpiboard = [py, "-m", "kpiboard.cli"]
    html, pdf = work / "report.html", work / "report.pdf"
    n = args.runs
    report = [*kpiboard, "report", str(pack)]
    rows: list[tuple[str, list[float], float | None]] = [
        ("baseline: bare python start", timed([py, "-c", "pass"], n), None),
        ("baseline: kpiboard check (load pack)", timed([*kpiboard, "check", str(pack)], n), None),
        ("kpiboard report -> HTML", timed([*report, "--out", str(html)], n), 0.5),
        ("kpiboard report -> PDF (typst)", timed([*report, "--out", str(pdf)], n), 2.0),
    ]  # fmt: skip
    if CHROMIUM:
        out = work / "chromium.pdf"
        cmd = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}",
               f"--print-to-pdf={out}", html.as_uri()]  # fmt: skip
        rows.append(("baseline: Chromium prints the HTML to PDF", timed(cmd, args.runs), None))
    print(f"Demo report ({len(list((pack / 'indicators').glob('*.yaml')))} indicators), "
          f"{args.runs} cold runs each\n")  # fmt: skip
    print(f"{'what':44} {'median s':>9} {'best s':>8} {'goal s':>7}  result")
    print("-" * 80)
    for name, times, goal in rows:
        median = statistics.median(times)
        verdict = "" if goal is None else ("PASS" if median < goal else "FAIL")
        goal_text = "" if goal is None else f"{goal:.1f}"
        print(f"{name:44} {median:9.3f} {min(times):8.3f} {goal_text:>7}  {verdict}")
    size = pdf.stat().st_size / 1024
    print(f"\nPDF {size:.0f} KiB; HTML {html.stat().st_size / 1024:.0f} KiB; files in {work}")


if __name__ == "__main__":
    main()
