"""The public site of a publication: a folder of plain HTML pages built from a report model.

It reuses the committee report's building blocks (the :class:`ReportModel`, the Jinja2 macros
in ``templates/_macros.html.j2``, the SVG charts and trend tables) and only lays them out as
separate pages: a summary, one page per section and one per indicator, and a page about the
data. Every link is relative and every page sits in the same folder, so the site works from any
web server or straight from disk; the one stylesheet is copied beside the pages, and nothing
else is loaded: no scripts, no fonts, no images but the inline SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jinja2

from .html import make_environment
from .model import ReportModel, SectionView

STYLESHEET = "site.css"
INDEX = "index.html"
DATA_PAGE = "data.html"

#: The policy every page carries: its own stylesheet, inline SVG, nothing else at all.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "img-src data:",
        "style-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)


def page_name(anchor: str) -> str:
    """The file of an indicator's page, from its anchor in the report (``ind-ASC01``)."""
    return f"{anchor}.html"


def section_page(section_id: str) -> str:
    return f"section-{section_id}.html"


@dataclass(frozen=True)
class DataFile:
    """A file of the publication's data, as the data page lists it."""

    path: str
    title: str
    description: str


@dataclass(frozen=True)
class SiteInfo:
    """What every page says about the publication besides the report model."""

    publisher: str
    licence_title: str
    licence_url: str
    published: str  # "3 December 2026"
    periods: Sequence[tuple[str, str]]  # (section title, "up to September 2013")
    files: Sequence[DataFile]
    contact: str = ""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = make_environment(page_name)
    env.globals["section_page"] = section_page
    return env


def stylesheet() -> str:
    """The report's stylesheet and the site's few additions (navigation, footer)."""
    files = resources.files("kpiboard.report").joinpath("static")
    return files.joinpath("report.css").read_text("utf-8") + files.joinpath("site.css").read_text(
        "utf-8"
    )


def _render(template: str, **context) -> str:
    return (
        _environment()
        .get_template(template)
        .render(css=STYLESHEET, csp=CONTENT_SECURITY_POLICY, **context)
    )


def render_site(model: ReportModel, info: SiteInfo) -> dict[str, str]:
    """Every page of the site (file name -> HTML), and the stylesheet."""
    for page in model.pages:
        page.draft = None  # kpiboard's drafted commentary is a writing aid, never published
    common = {"report": model, "info": info}
    pages = {
        INDEX: _render("site_index.html.j2", current=INDEX, **common),
        DATA_PAGE: _render("site_data.html.j2", current=DATA_PAGE, **common),
        STYLESHEET: stylesheet(),
    }
    for section in model.sections:
        name = section_page(section.id)
        pages[name] = _render("site_section.html.j2", current=name, section=section, **common)
        for page in section.pages + section.lead_pages:
            pages[page_name(page.anchor)] = _render(
                "site_indicator.html.j2",
                current=name,
                section=section,
                page=page,
                neighbours=_neighbours(section, page.anchor),
                **common,
            )
    return pages


def _neighbours(section: SectionView, anchor: str) -> tuple[object, object]:
    """The indicator pages before and after ``anchor`` in its section, for the page's links."""
    pages = section.pages + section.lead_pages
    at = next(i for i, p in enumerate(pages) if p.anchor == anchor)
    return (pages[at - 1] if at else None, pages[at + 1] if at + 1 < len(pages) else None)
