"""A small valid pack written into a temporary folder for each test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

MANIFEST = """\
format: 1
title: Test performance report
organisation: Test Council
as_at: 2013-09
sections:
  - id: asc
    title: Adult Social Care
"""

ASC01 = """\
id: ASC01
section: asc
number: "1"
title: Percentage of clients receiving a personal budget
unit: percent
polarity: higher_is_better
frequency: month
data_period: 12M
series:
  clients: {label: Number of clients, role: extra, unit: count}
overrides:
  - period: 2013-08
    rating: AMBER
    reason: Figure under review
    by: Head of Performance
"""

ASC02 = """\
id: ASC02
section: asc
number: "2"
title: Delayed transfers of care
unit: count
polarity: lower_is_better
frequency: month
data_period: Month
"""

ASC03 = """\
id: ASC03
section: asc
number: "3"
title: Safeguarding referrals
unit: count
polarity: lower_is_better
frequency: month
rated: false
not_rated_reason: Activity measure; a target would be inappropriate
"""

ACTUALS = """\
indicator,period,series,value,note
ASC01,2013-06,actual,70,
ASC01,2013-07,actual,71.5,
ASC01,2013-08,actual,73,Provisional figure
ASC01,2013-09,actual,74,
ASC02,2013-06,actual,12,
ASC02,2013-07,actual,10,
ASC02,2013-08,actual,11,
ASC02,2013-09,actual,9,
ASC03,2013-07,actual,120,
ASC03,2013-08,actual,130,
ASC03,2013-09,actual,125,
"""

TARGETS = """\
indicator,period,series,value
ASC01,2013-06,target,72
ASC01,2013-07,target,72
ASC01,2013-08,target,72
ASC01,2013-09,target,72
ASC01,2013-10,target,72
ASC02,2013-06,target,10
ASC02,2013-07,target,10
ASC02,2013-08,target,10
ASC02,2013-09,target,10
"""

EXTRA = """\
indicator,period,series,value
ASC01,2013-08,clients,10612
ASC01,2013-09,clients,11541
"""

COMMENTARY = """\
## 2013-09

Performance improved for the third month running.
"""

FILES = {
    "kpiboard.yaml": MANIFEST,
    "indicators/ASC01.yaml": ASC01,
    "indicators/ASC02.yaml": ASC02,
    "indicators/ASC03.yaml": ASC03,
    "data/actuals.csv": ACTUALS,
    "data/targets.csv": TARGETS,
    "data/extra.csv": EXTRA,
    "commentary/ASC01.md": COMMENTARY,
}


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    """A valid pack: three indicators (a monthly percentage, higher is better; a count, lower is
    better; a not-rated count), figures in three data files and one commentary file."""
    root = tmp_path / "pack"
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    """Every file under a folder and its bytes, to prove a failed import changed nothing."""
    return _snapshot
