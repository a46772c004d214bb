"""The demo pack: the 2013 Families and Social Care report as kpiboard data.

One builder serves the demo command, the tests and the docs, so they always show the same pack.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path


def pack_source() -> Path:
    """The shipped demo pack inside the installed package (read-only use)."""
    return Path(str(resources.files("kpiboard.demo").joinpath("pack")))


def write_demo(target: str | Path, *, overwrite: bool = False) -> Path:
    """Copy the demo pack to ``target``; refuses to write into a non-empty folder unless told."""
    target = Path(target)
    if target.exists() and any(target.iterdir()) and not overwrite:
        raise FileExistsError(f"{target} is not empty; choose a new folder or pass overwrite=True")
    shutil.copytree(pack_source(), target, dirs_exist_ok=True)
    return target
