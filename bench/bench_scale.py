"""How the command line scales with the size of a pack: check, rate, HTML and PDF reports.

Packs of 17 (the council demo), 100, 500, 2,000 and 5,000 monthly indicators x 60 months (the
synthetic generator of ``bench_web.py``) go through ``kpiboard check``, ``rate --format json``,
``report`` to HTML and to PDF, each in a fresh process. The table gives the wall time, the
processor time (user + system, what to compare on a shared machine) and the peak memory (maximum
resident set size) of each, and the ratio of wall times to the size before it: growth in
step with the number of indicators (x5, x4, x2.5) is linear; more is a sign of something
quadratic. The issue's goals at 500 indicators are printed beside them.

Run: .venv/bin/python bench/bench_scale.py [--sizes 17,100,500,2000,5000] [--skip-pdf-over N]
     [--steps check,rate,html,pdf]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_web import write_pack  # noqa: E402
from kpiboard.demo import write_demo  # noqa: E402

#: The issue's goals: (seconds, megabytes or None) per step, for 500 and 2,000 indicators.
GOALS = {
    500: {"check": (0.5, None), "rate": (1.0, None), "html": (2.0, None), "pdf": (5.0, 600)},
    2000: {"pdf": (20.0, 1500)},
}
STEPS = ("check", "rate", "html", "pdf")


@dataclass
class Measure:
    seconds: float
    megabytes: float
    failed: str = ""
    cpu: float = 0.0  # the child's user + system time


def run(command: list[str], timeout: float) -> Measure:
    """Wall time, processor time and peak memory of one child process (``wait4`` gives the
    child's own)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            return Measure(time.perf_counter() - started, usage.ru_maxrss / 1024, "timed out")
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    failed = "" if os.waitstatus_to_exitcode(status) == 0 else child.stderr.read().decode()[-200:]
    return Measure(seconds, usage.ru_maxrss / 1024, failed, usage.ru_utime + usage.ru_stime)


def commands(pack: Path, out: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "kpiboard.cli"]
    return {
        "check": [*cli, "check", str(pack)],
        "rate": [*cli, "rate", str(pack), "--format", "json"],
        "html": [*cli, "report", str(pack), "--out", str(out / "report.html")],
        "pdf": [*cli, "report", str(pack), "--out", str(out / "report.pdf")],
    }


def ratio(now: float, before: float | None) -> str:
    return "" if not before else f" (x{now / before:.1f})"


def goal_text(size: int, step: str, m: Measure) -> str:
    goal = GOALS.get(size, {}).get(step)
    if goal is None:
        return ""
    seconds, megabytes = goal
    met = m.seconds < seconds and (megabytes is None or m.megabytes < megabytes)
    limit = f"< {seconds:g} s" + (f", < {megabytes} MB" if megabytes else "")
    return f" [goal {limit}: {'met' if met else 'NOT met'}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="17,100,500,2000,5000")
    parser.add_argument(
        "--skip-pdf-over", type=int, default=0, help="leave out the PDF above this many indicators"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds per command")
    parser.add_argument("--steps", default=",".join(STEPS), help="which of check,rate,html,pdf")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    steps = [s for s in STEPS if s in args.steps.split(",")]
    work = Path(tempfile.mkdtemp(prefix="kpiboard-scale-"))
    print(f"{'indicators':>10}  " + "  ".join(f"{step:>36}" for step in steps))
    previous: dict[str, Measure] = {}
    for size in sizes:
        pack = work / f"pack{size}"
        if size == 17:
            write_demo(pack)
        else:
            write_pack(pack, size)
        cells, notes = [], []
        for step, command in commands(pack, work).items():
            if step not in steps:
                continue
            if step == "pdf" and args.skip_pdf_over and size > args.skip_pdf_over:
                cells.append(f"{'skipped':>36}")
                continue
            m = run(command, args.timeout)
            before = previous.get(step)
            text = f"{m.seconds:6.2f} s{ratio(m.seconds, before and before.seconds)}"
            text += f" ({m.cpu:.2f} cpu) {m.megabytes:5.0f} MB"
            cells.append(f"{text:>36}")
            if m.failed:
                notes.append(f"  {step} failed: {m.failed.strip()}")
            goal = goal_text(size, step, m)
            if goal:
                notes.append(f"  {step}{goal}")
            previous[step] = m
        print(f"{size:>10}  " + "  ".join(cells), flush=True)
        for note in notes:
            print(note)
    print(f"(packs and reports in {work}; memory is each process's peak resident set)")


if __name__ == "__main__":
    main()
