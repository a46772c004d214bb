"""The committee report as one self-contained HTML file: inline CSS and SVG, print-ready."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup

from .markdown import to_html
from .model import ReportModel


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kpiboard.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["markdown"] = lambda text, offset=0: Markup(to_html(text, heading_offset=offset))
    # Chart SVG is built by kpiboard.report.charts, which escapes every piece of user text.
    env.filters["svg"] = Markup
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return resources.files("kpiboard.report").joinpath("static/report.css").read_text("utf-8")


def render_html(model: ReportModel) -> str:
    template = _environment().get_template("report.html.j2")
    return template.render(report=model, css=Markup(stylesheet()))
