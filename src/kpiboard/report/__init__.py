"""Committee reports: a report model built from a pack, rendered by format-specific renderers.

The output formats are imported at once (the CLI offers their names); the report builder only
when first used, so that ``kpiboard --help`` does not load it.
"""

from __future__ import annotations

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


__all__ = ["OUTPUT_FORMATS", "OutputFormat", "ReportModel", "build_report", "render"]
