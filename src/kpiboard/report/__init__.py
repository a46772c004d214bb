"""Committee reports: a report model built from a pack, rendered by format-specific renderers."""

from __future__ import annotations

from collections.abc import Callable

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


__all__ = ["RENDERERS", "ReportModel", "build_report", "render"]
