"""The committee report as one self-contained HTML file: inline CSS and SVG, print-ready.

The file carries a Content-Security-Policy (:func:`content_security_policy`) that lets it load
nothing at all: no scripts, no fonts, no frames, no images except ``data:`` URIs, and only its
own stylesheet. A report opened from disk or an email attachment cannot call out to any server,
even if something in a pack's text got past the escaping.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import IO

import jinja2
from markupsafe import Markup

from .markdown import to_html
from .model import ReportModel


def make_environment(href: Callable[[str], str]) -> jinja2.Environment:
    """The report templates' Jinja2 environment; ``href`` says where a link to an indicator
    page goes (an anchor in one file here, the indicator's own page on the public site)."""
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
    env.filters["href"] = href
    return env


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # Links to indicator pages are anchors in this one file (the public site's environment,
    # kpiboard.report.site, sends them to each indicator's own page instead).
    return make_environment(lambda anchor: "#" + anchor)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return resources.files("kpiboard.report").joinpath("static/report.css").read_text("utf-8")


@lru_cache(maxsize=1)
def content_security_policy() -> str:
    """The report's policy: its one ``<style>`` element is allowed by its SHA-256 hash (the
    report has no ``style`` attributes; chart SVG uses presentation attributes)."""
    digest = base64.b64encode(hashlib.sha256(stylesheet().encode("utf-8")).digest()).decode()
    return "; ".join(
        (
            "default-src 'none'",
            "img-src data:",
            f"style-src 'sha256-{digest}'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


def render_html(model: ReportModel) -> str:
    template = _environment().get_template("report.html.j2")
    return template.render(report=model, css=Markup(stylesheet()), csp=content_security_policy())


def write_html(model: ReportModel, out: IO[bytes]) -> int:
    """Write the report to ``out`` in UTF-8 piece by piece as the template renders it, and
    return the number of bytes: the same as :func:`render_html`, without ever holding the whole
    file as one string (a 2,000-indicator report is 30 million characters)."""
    template = _environment().get_template("report.html.j2")
    context = {"report": model, "css": Markup(stylesheet()), "csp": content_security_policy()}
    return sum(out.write(piece.encode("utf-8")) for piece in template.generate(context))
