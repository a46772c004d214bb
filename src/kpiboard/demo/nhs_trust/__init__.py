"""The NHS trust demo: a synthetic acute trust's monthly Integrated Performance Report (IPR).

The council demo reproduces one real report; this one proves the engine is general. Its
definitions (:mod:`.definitions`) and figures (:mod:`.figures`) are written out as an ordinary pack
by :func:`write_pack`, with commentary and narrative written by hand in ``text/``. The demo
command, the web demo, the tests and the docs all build it here.
"""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

import yaml

from .definitions import AS_AT, OWN_CODE, indicators, manifest
from .figures import data_rows, peer_rows


def _dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


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
    header = "# The kpiboard NHS trust demo: a synthetic acute trust's board performance report.\n"
    target.mkdir(parents=True, exist_ok=True)
    (target / "kpiboard.yaml").write_text(header + _dump(manifest()), encoding="utf-8")
    (target / "indicators").mkdir(exist_ok=True)
    for definition in indicators():
        path = target / "indicators" / f"{definition['id']}.yaml"
        path.write_text(_dump(definition), encoding="utf-8")
    (target / "data").mkdir(exist_ok=True)
    rows = data_rows()
    for name, file_rows in rows.items():
        _write_csv(target / "data" / name, ["indicator", "period", "series", "value"], file_rows)
    (target / "peers").mkdir(exist_ok=True)
    peers = peer_rows(OWN_CODE, _latest_own(rows, "AE01", AS_AT), AS_AT)
    _write_csv(target / "peers" / "ae01.csv", ["indicator", "period", "organisation", "value"],
               peers)  # fmt: skip
    text = Path(str(resources.files(__name__).joinpath("text")))
    for folder in ("commentary", "narrative"):
        shutil.copytree(text / folder, target / folder, dirs_exist_ok=True)
    return target
