"""The demo packs: one builder per demo, used by the demo command, the web demo, tests and docs.

- ``council``: the 2013 Families and Social Care report of a county council, rebuilt as data (the
  shipped folder ``pack/``, made from the seed by ``tools/seed_to_pack.py``);
- ``nhs-trust``: a synthetic acute trust's monthly Integrated Performance Report, written out by
  :mod:`kpiboard.demo.nhs_trust`, which proves the engine is not the council's alone.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path


class DemoKind(StrEnum):
    COUNCIL = "council"
    NHS_TRUST = "nhs-trust"


#: What each demo is, in words, for help texts and messages.
DESCRIPTIONS = {
    DemoKind.COUNCIL: "a county council's 2013 Families and Social Care report",
    DemoKind.NHS_TRUST: "a synthetic NHS acute trust's monthly Integrated Performance Report",
}

#: The date each demo takes as today in ``kpiboard serve --demo`` (``KPIBOARD_TODAY``): the
#: council's figures stop at September 2013, so its reporting cycle is shown on 2 December 2013,
#: with October overdue; the trust's figures run up to now.
DEMO_TODAY = {DemoKind.COUNCIL: date(2013, 12, 2), DemoKind.NHS_TRUST: None}


@functools.cache
def _built_nhs_trust() -> Path:
    from .nhs_trust import write_pack

    return write_pack(Path(tempfile.mkdtemp(prefix="kpiboard-nhs-demo-")) / "pack")


def pack_source(kind: DemoKind | str = DemoKind.COUNCIL) -> Path:
    """A demo pack to read (never to change): the shipped council folder, or the trust's pack
    built once per process into a temporary folder."""
    if DemoKind(kind) is DemoKind.NHS_TRUST:
        return _built_nhs_trust()
    return Path(str(resources.files("kpiboard.demo").joinpath("pack")))


def write_demo(
    target: str | Path, *, kind: DemoKind | str = DemoKind.COUNCIL, overwrite: bool = False
) -> Path:
    """Write a demo pack to ``target``; refuses to write into a non-empty folder unless told."""
    target = Path(target)
    if target.exists() and any(target.iterdir()) and not overwrite:
        raise FileExistsError(f"{target} is not empty; choose a new folder or pass overwrite=True")
    if DemoKind(kind) is DemoKind.NHS_TRUST:
        from .nhs_trust import write_pack

        return write_pack(target)
    shutil.copytree(pack_source(), target, dirs_exist_ok=True)
    return target
