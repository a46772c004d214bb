"""Committee reports: a report model built from a pack, rendered by format-specific renderers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .build import build_report
from .model import ReportModel


def _html(model: ReportModel) -> bytes:
    from .html import render_html

    return render_html(model).encode("utf-8")


def _pdf(model: ReportModel) -> bytes:
    from .pdf import render_pdf

    return render_pdf(model)


#: Output renderers by format name; each turns a report model into file bytes.
RENDERERS: dict[str, Callable[[ReportModel], bytes]] = {"html": _html, "pdf": _pdf}


def render(model: ReportModel, fmt: str) -> bytes:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r} (use {', '.join(RENDERERS)})") from None
    return renderer(model)


def write(model: ReportModel, fmt: str, path: Path) -> int:
    """Write the report to ``path`` all or nothing, and return its size in bytes.

    A file goes into a temporary file beside it, renamed over it only when complete, so that a
    failure (a full disk, typst refusing the PDF) leaves whatever was there before; a link is
    followed, and a device or pipe is written to as it is. HTML is written as it is rendered
    (:func:`kpiboard.report.html.write_html`), never held whole.
    """
    if fmt not in RENDERERS:
        render(model, fmt)  # the one message for an unknown format
    target = path.resolve()
    if target.exists() and not target.is_file():
        return _write_to(model, fmt, target, "wb")
    # An ordinary new file ("x": never another's), so it gets the usual permissions.
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        size = _write_to(model, fmt, part, "xb")
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return size


def _write_to(model: ReportModel, fmt: str, path: Path, mode: str) -> int:
    with open(path, mode) as out:
        if fmt == "html":
            from .html import write_html

            return write_html(model, out)
        return out.write(render(model, fmt))


__all__ = ["RENDERERS", "ReportModel", "build_report", "render", "write"]
