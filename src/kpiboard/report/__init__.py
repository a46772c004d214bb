"""Committee reports: a report model built from a pack, rendered by format-specific renderers.

The output formats are imported at once (the CLI offers their names); the report builder only
when first used, so that ``kpiboard --help`` does not load it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .formats import OUTPUT_FORMATS, OutputFormat, output_format

if TYPE_CHECKING:
    from .build import build_report
    from .model import ReportModel


def render(model: ReportModel, fmt: str) -> bytes:
    """The report file in format ``fmt`` (see :data:`OUTPUT_FORMATS`); ValueError for others."""
    return output_format(fmt).render(model)


def __getattr__(name: str) -> Any:
    if name == "build_report":
        from .build import build_report

        return build_report
    if name == "ReportModel":
        from .model import ReportModel

        return ReportModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write(model: ReportModel, fmt: str, path: Path) -> int:
    """Write the report to ``path`` all or nothing, and return its size in bytes.

    A file goes into a temporary file beside it, renamed over it only when complete, so that a
    failure (a full disk, typst refusing the PDF) leaves whatever was there before; a link is
    followed, and a device or pipe is written to as it is. HTML is written as it is rendered
    (:func:`kpiboard.report.html.write_html`), never held whole.
    """
    chosen = output_format(fmt)  # ValueError for an unknown format
    target = path.resolve()
    if target.exists() and not target.is_file():
        with open(target, "wb") as out:
            return chosen.write(model, out)
    # An ordinary new file ("x": never another's), so it gets the usual permissions.
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(part, "xb") as out:
            size = chosen.write(model, out)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return size


__all__ = ["OUTPUT_FORMATS", "OutputFormat", "ReportModel", "build_report", "render", "write"]
