"""setuptools hook: build the web assets (tools/build_assets.py) before the package is built.

Everything else about the package is in pyproject.toml. The compiled stylesheet, GOV.UK Frontend's
script and its images are build products, not committed; without this hook a wheel built from a
fresh clone would serve unstyled pages. Building them needs Node.js and npm; an sdist carries the
built files, so a wheel built from the sdist needs neither.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from build_assets import AssetBuildError, build, stale


def _ensure_assets() -> None:
    if stale():
        try:
            build()
        except AssetBuildError as exc:
            raise SystemExit(f"kpiboard: {exc}") from None


class BuildPyWithAssets(build_py):
    def run(self) -> None:
        # An editable install (make setup) serves the tree's own files, which `make assets` builds.
        if not getattr(self, "editable_mode", False):
            _ensure_assets()
        super().run()


class SdistWithAssets(sdist):
    def run(self) -> None:
        _ensure_assets()
        super().run()


setup(cmdclass={"build_py": BuildPyWithAssets, "sdist": SdistWithAssets})
