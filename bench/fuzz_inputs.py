"""Fuzzing: hostile and broken inputs to the pack loader and the CSV/XLSX importers.

Every generated input must either load or be refused with problems that name a file (and, for
rows, a line); anything else (an exception, a refusal with no message) is a crash. The inputs are
mutations of real files (the council demo's manifest, an indicator, its data, a long and a wide
import in CSV and XLSX) by a seeded random mutator that flips bytes, drops and repeats lines,
truncates, and splices in tokens known to break parsers (YAML aliases and deep nesting, NUL bytes,
impossible dates, tags, huge and odd numbers, period labels that are nearly right, Markdown
headings, formulas).

    .venv/bin/python bench/fuzz_inputs.py [--count 100000] [--seed 1] [--out out/fuzz]

Crashing inputs are saved under ``--out`` with the error, to turn into tests. A plain random
mutator (rather than hypothesis) is used here because it reaches 100,000 inputs in minutes on two
cores; the property tests in tests/ use hypothesis on the same functions with shrinking.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

try:
    import kpiboard  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kpiboard.demo import pack_source
from kpiboard.packs.import_rows import check_import_file
from kpiboard.packs.loader import check_pack, load_pack
from kpiboard.packs.problems import PackError

TOKENS = [
    b"&a [1, 2]", b"*a", b"[" * 60, b"{" * 60, b"\x00", b"\xff\xfe", b"1e308", b"-1e308", b"nan",
    b"inf", b"1_000", "\u0663\u0664".encode(), b"2013-13", b"2013/14 Q5", b"Sept-13", b"FY 2013/15",
    b"## 2013-09", b"```", b"=HYPERLINK(\"x\")", b"+1", b"@SUM(A1)", b"\r\n", b"\t", b'"', b"'",
    b",,,,,,", b"x" * 5000, b"- - -", b": :", b"!!python/object:os.system", b"%YAML 1.1",
    b"---", b"...", b"? ", b"|", b">", b"true", b"null", b"~", b"0x1F", b"1.5e-324", b"-0",
    b"2014-02-30", b"2014-01-01 25:00:00", b"!!float x", b"!!binary x", b"!foo", b"<<: ",
    b"0x" + b"f" * 300, b"1:" * 300,
]  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of ``data``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        pos = rng.randrange(len(out) + 1)
        if choice < 0.35:
            out[pos:pos] = rng.choice(TOKENS)
        elif choice < 0.5 and out:
            out[min(pos, len(out) - 1)] = rng.randrange(256)
        elif choice < 0.65:
            lines = bytes(out).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[rng.randrange(len(lines))])
            out = bytearray(b"\n".join(lines))
        elif choice < 0.8:
            lines = bytes(out).split(b"\n")
            if len(lines) > 1:
                del lines[rng.randrange(len(lines))]
            out = bytearray(b"\n".join(lines))
        elif choice < 0.9:
            del out[pos:]
        else:
            end = min(len(out), pos + rng.randrange(1, 40))
            out[pos:end] = b""
    return bytes(out)


class Target:
    """One file to mutate and the function that must take any version of it."""

    def __init__(self, name: str, path: Path, run: Callable[[Path], None]):
        self.name, self.path, self.run = name, path, run
        self.original = path.read_bytes()


def _clear(problems: list) -> bool:
    return all(p.file and p.message for p in problems)


def _check_pack(root: Path) -> Callable[[Path], None]:
    def run(_: Path) -> None:
        problems = check_pack(root)
        if not _clear(problems):
            raise AssertionError(f"unclear problem: {problems}")
        if not problems:  # valid: it must evaluate and analyse too
            load_pack(root).analyse()

    return run


def _check_import(pack_root: Path) -> Callable[[Path], None]:
    pack = load_pack(pack_root)

    def run(path: Path) -> None:
        try:
            check_import_file(pack, path)
        except PackError as exc:
            if not exc.problems or not _clear(exc.problems):
                raise AssertionError(f"unclear refusal: {exc}") from exc

    return run


def _xlsx(rows: list[list[object]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Figures")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


MANIFEST = """\
format: 1
title: Fuzz pack
organisation: Fuzz council
as_at: 2013-09
tags: {bold-steps: Bold Steps}
sections:
  - id: asc
    title: Adult Social Care
    summary: {columns: [number, title, outturn, target, current, rating, direction, variation]}
"""


def small_pack(root: Path) -> Path:
    """Two of the council demo's indicators with their data and commentary: small enough to check
    a few hundred times a second, rich enough (rules by year, SPC, extra series) to be broken."""
    demo = pack_source()
    for folder in ("indicators", "data", "commentary"):
        (root / folder).mkdir(parents=True)
    (root / "kpiboard.yaml").write_text(MANIFEST, encoding="utf-8")
    for ind in ("ASC01", "ASC07"):
        shutil.copy(demo / "indicators" / f"{ind}.yaml", root / "indicators")
        shutil.copy(demo / "commentary" / f"{ind}.md", root / "commentary")
    for name in ("actuals.csv", "targets.csv", "extra.csv"):
        lines = (demo / "data" / name).read_text(encoding="utf-8").splitlines()
        keep = [lines[0]] + [x for x in lines[1:] if x.startswith(("ASC01,", "ASC07,"))]
        (root / "data" / name).write_text("\n".join(keep) + "\n", encoding="utf-8")
    return root


def targets(work: Path) -> list[Target]:
    pack = small_pack(work / "pack")
    imports = work / "imports"
    imports.mkdir()
    long_csv = imports / "long.csv"
    long_csv.write_text(
        "indicator,period,series,value\nASC01,2013-10,actual,75\nASC07,2013-10,actual,5.9\n"
        "ASC01,2013-10,target,72\n",
        encoding="utf-8",
    )
    wide_csv = imports / "wide.csv"
    wide_csv.write_text(
        "indicator,series,Sep-13,Oct-13\nASC01,actual,74,75\nASC07,actual,5.84,5.9\n",
        encoding="utf-8",
    )
    wide_xlsx = imports / "wide.xlsx"
    wide_xlsx.write_bytes(
        _xlsx([["indicator", "series", "Sep-13", "Oct-13"], ["ASC01", "actual", 74, 75]])
    )
    unmutated = check_pack(pack)
    assert not unmutated, f"the fuzz pack itself does not load: {unmutated}"
    check, read = _check_pack(pack), _check_import(pack)
    base = load_pack(pack)
    for path in (long_csv, wide_csv, wide_xlsx):
        check_import_file(base, path)  # each import file is valid before it is mutated
    return [
        Target("manifest", pack / "kpiboard.yaml", check),
        Target("indicator", pack / "indicators" / "ASC07.yaml", check),
        Target("data", pack / "data" / "actuals.csv", check),
        Target("targets", pack / "data" / "targets.csv", check),
        Target("commentary", pack / "commentary" / "ASC01.md", check),
        Target("import long csv", long_csv, read),
        Target("import wide csv", wide_csv, read),
        Target("import wide xlsx", wide_xlsx, read),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("out/fuzz"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    done: Counter[str] = Counter()
    crashes: Counter[str] = Counter()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kpiboard-fuzz-") as tmp:
        all_targets = targets(Path(tmp))
        for i in range(args.count):
            target = all_targets[i % len(all_targets)]
            data = mutate(target.original, rng)
            target.path.write_bytes(data)
            try:
                target.run(target.path)
            except Exception as exc:  # a crash: keep the input to make a test of it
                crashes[target.name] += 1
                if crashes[target.name] <= 5:
                    args.out.mkdir(parents=True, exist_ok=True)
                    stem = args.out / f"{target.name.replace(' ', '-')}-{i}"
                    stem.with_suffix(target.path.suffix).write_bytes(data)
                    stem.with_suffix(".txt").write_text(
                        "".join(traceback.format_exception(exc)), encoding="utf-8"
                    )
            finally:
                target.path.write_bytes(target.original)
            done[target.name] += 1
            if (i + 1) % 5000 == 0:
                rate = (i + 1) / (time.perf_counter() - start)
                print(f"  {i + 1:,} inputs, {sum(crashes.values())} crashes, {rate:,.0f}/s")
    seconds = time.perf_counter() - start
    print(f"\n{sum(done.values()):,} inputs in {seconds:,.0f} s (seed {args.seed})")
    print(f"{'target':<18} {'inputs':>8} {'crashes':>8}")
    for target in done:
        print(f"{target:<18} {done[target]:>8,} {crashes[target]:>8,}")
    if crashes:
        print(f"\nCrashing inputs and their errors: {args.out}/")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
