"""Build the web application's stylesheet, script and images from GOV.UK Frontend.

One recipe for every way the assets get built: ``make assets`` runs it for developers, and the
setuptools hook in ``setup.py`` runs it when a wheel or sdist is built, so a ``pip install`` of the
wheel serves styled pages with no further step. The outputs are build products (gitignored):

* ``kpiboard.css`` compiled by Dart Sass from ``web/assets/kpiboard.scss``;
* ``govuk-frontend.min.js`` and ``govuk/assets/images/`` copied from ``node_modules``.

Needs Node.js and npm (``npm ci`` is run when ``node_modules`` is missing). Usage:
``python tools/build_assets.py [--if-stale]``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "src" / "kpiboard" / "web" / "assets"
STATIC = ROOT / "src" / "kpiboard" / "web" / "static" / "kpiboard"
FRONTEND = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"

#: What the build makes, relative to STATIC; the wheel is incomplete without any of them.
OUTPUTS = ("kpiboard.css", "govuk-frontend.min.js", "govuk/assets/images/govuk-crest.svg")


class AssetBuildError(RuntimeError):
    """The assets could not be built; the message says what is missing."""


def stale() -> bool:
    """True when an output is missing or older than a stylesheet source."""
    built = [STATIC / name for name in OUTPUTS]
    if not all(p.is_file() for p in built):
        return True
    newest_source = max(p.stat().st_mtime for p in SOURCES.glob("*.scss"))
    return (STATIC / "kpiboard.css").stat().st_mtime < newest_source


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise AssetBuildError(
            f"building the web assets needs {command[0]!r} (Node.js and npm) on the PATH"
        )
    completed = subprocess.run(command, cwd=ROOT, check=False)
    if completed.returncode:
        raise AssetBuildError(f"{' '.join(command)} failed (exit {completed.returncode})")


def build() -> None:
    """Install the front-end packages if needed, compile the stylesheet, copy scripts/images."""
    if not (ROOT / "node_modules" / ".bin" / "sass").exists():
        lock = (ROOT / "package-lock.json").is_file()
        _run(["npm", "ci" if lock else "install", "--no-audit", "--no-fund", "--loglevel=error"])
    STATIC.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "npx",
            "sass",
            "--load-path=node_modules",
            "--no-source-map",
            "--style=compressed",
            "--quiet-deps",
            "--silence-deprecation=import",
            str(SOURCES / "kpiboard.scss"),
            str(STATIC / "kpiboard.css"),
        ]
    )
    shutil.copy2(FRONTEND / "govuk-frontend.min.js", STATIC / "govuk-frontend.min.js")
    images = STATIC / "govuk" / "assets" / "images"
    shutil.rmtree(images, ignore_errors=True)
    shutil.copytree(FRONTEND / "assets" / "images", images)


def main(argv: list[str]) -> int:
    if "--if-stale" in argv and not stale():
        return 0
    try:
        build()
    except AssetBuildError as exc:
        print(f"build_assets: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
