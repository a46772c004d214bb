"""The NHS trust demo: a synthetic acute trust's monthly Integrated Performance Report (IPR).

The council demo reproduces one real report; this one proves the engine is general. The words are
written by hand as ordinary pack files in ``text/`` (manifest, indicator definitions, commentary,
narrative); the figures are drawn by :mod:`.figures` from a seeded generator. :func:`write_pack`
puts the two together as a pack. The demo command, the web demo, the tests and the docs all build
it here.
"""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

from .figures import SMOKING_AT_DELIVERY, data_rows, peer_rows

#: The trust's code in the peer file, and the month the report is as at (the manifest's too).
OWN_CODE, AS_AT = "RNB", "2026-09"


def _write_csv(path: Path, header: list[str], rows: list) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _latest_own(rows: dict[str, list], indicator: str, period: str) -> float:
    return next(
        row[3]
        for file_rows in rows.values()
        for row in file_rows
        if row[:3] == (indicator, period, "actual")
    )


def write_pack(target: Path) -> Path:
    """Write the whole demo pack into ``target`` (its files replace any of the same name)."""
    text = Path(str(resources.files(__name__).joinpath("text")))
    target.mkdir(parents=True, exist_ok=True)
    for name in ("kpiboard.yaml", "benchmarks.yaml"):
        shutil.copy(text / name, target / name)
    for folder in ("indicators", "commentary", "narrative", "plan"):
        shutil.copytree(text / folder, target / folder, dirs_exist_ok=True)
    (target / "data").mkdir(exist_ok=True)
    rows = data_rows()
    for name, file_rows in rows.items():
        _write_csv(target / "data" / name, ["indicator", "period", "series", "value"], file_rows)
    (target / "peers").mkdir(exist_ok=True)
    peers = peer_rows(OWN_CODE, _latest_own(rows, "AE01", AS_AT), AS_AT)
    _write_csv(
        target / "peers" / "ae01.csv", ["indicator", "period", "organisation", "value"], peers
    )
    _fetch_benchmarks(target)
    return target


def _fetch_benchmarks(target: Path) -> None:
    """Fill the smoking at delivery figure's comparators and peers as ``kpiboard benchmarks
    fetch`` would, from the made-up download of :mod:`.fingertips`."""
    from ...packs.benchmark_files import apply_benchmarks, plan_from_downloads
    from .fingertips import fingertips_csv

    name = "Northbrook Hospitals NHS Foundation Trust"
    download = fingertips_csv(OWN_CODE, name, SMOKING_AT_DELIVERY)
    apply_benchmarks(plan_from_downloads(target, [("fingertips.csv", download)]))
