"""How the command line scales with the size of a pack: check, rate, HTML and PDF reports.

Packs of 17 (the council demo), 100, 500, 2,000 and 5,000 monthly indicators x 60 months (the
synthetic generator of ``bench_web.py``) go through ``kpiboard check``, ``rate --format json``,
``report`` to HTML and to PDF, each in a fresh process. The table gives the wall time and the
peak memory (resident set, with the command's child processes: the PDF is typeset in them) of
each, with processor time on the line below, and the ratio to the size before it: growth in
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
    cpu: float = 0.0  # processor seconds, child processes included


def tree_megabytes(pid: int) -> float:
    """The resident memory of ``pid`` and all its descendants now (0 once it has ended)."""
    total, waiting = 0, [pid]
    while waiting:
        p = waiting.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:  # ended meanwhile (or no /proc: then only wait4's figure counts)
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)  # fmt: skip
        waiting.extend(int(c) for c in children)
    return total / 1024


def run(command: list[str], timeout: float) -> Measure:
    """Wall time and peak memory of one command. The memory is that of the process and its
    children together (the PDF report typesets in a child process): sampled every 10 ms, and
    never less than the largest single process's peak, which ``wait4`` gives."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = started + timeout
    peak = 0.0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_megabytes(child.pid))
        if time.perf_counter() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            return Measure(time.perf_counter() - started, usage.ru_maxrss / 1024, "timed out")
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    failed = "" if os.waitstatus_to_exitcode(status) == 0 else child.stderr.read().decode()[-200:]
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(seconds, max(peak, usage.ru_maxrss / 1024), failed, cpu)


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
        cells, notes, cpu = [], [], []
        for step, command in commands(pack, work).items():
            if step not in steps:
                continue
            if step == "pdf" and args.skip_pdf_over and size > args.skip_pdf_over:
                cells.append(f"{'skipped':>36}")
                continue
            m = run(command, args.timeout)
            before = previous.get(step)
            text = f"{m.seconds:6.2f} s{ratio(m.seconds, before and before.seconds)}"
            text += f" {m.megabytes:5.0f} MB"
            cells.append(f"{text:>26}")
            cpu.append(f"{step} {m.cpu:.2f} s")
            if m.failed:
                notes.append(f"  {step} failed: {m.failed.strip()}")
            goal = goal_text(size, step, m)
            if goal:
                notes.append(f"  {step}{goal}")
            previous[step] = m
        print(f"{size:>10}  " + "  ".join(cells), flush=True)
        print(f"{'':>10}  processor time: {', '.join(cpu)}")
        for note in notes:
            print(note)
    print(f"(packs and reports in {work}; memory is each command's peak resident set, its child "
          "processes included)")  # fmt: skip


if __name__ == "__main__":
    main()
