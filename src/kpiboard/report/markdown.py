"""Markdown to safe HTML for commentary and narrative: raw HTML in the source is shown as text."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def to_html(text: str, *, heading_offset: int = 0) -> str:
    """Render Markdown; ``heading_offset`` pushes headings down so they nest under the page's."""
    parser = _parser()
    tokens = parser.parse(text or "")
    if heading_offset:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                level = min(6, int(token.tag[1]) + heading_offset)
                token.tag = f"h{level}"
    return parser.renderer.render(tokens, parser.options, {})
