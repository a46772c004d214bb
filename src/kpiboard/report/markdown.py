"""Markdown to safe HTML for commentary and narrative: raw HTML in the source is shown as text.

Images are never fetched. A report is often opened from disk or forwarded by email, and an image
from another server (``![chart](https://tracker.example/pixel.png)``) would tell that server who
read the report and when, so an image whose address is not a ``data:`` URI is replaced by a
visible note with its description (:func:`dropped_image_text`, the same words the PDF uses).
markdown-it only accepts ``data:image/`` PNG, JPEG, GIF and WebP addresses, so no SVG with
scripts gets through either; the report's Content-Security-Policy allows ``data:`` images only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

__all__ = ["dropped_image_text", "is_embedded", "to_html"]


def is_embedded(src: str) -> bool:
    """Whether an image address carries the image itself (a ``data:`` URI), so showing it
    makes no request."""
    return src.strip().lower().startswith("data:")


def dropped_image_text(alt: str, src: str = "") -> str:
    """The note that stands in for an image that is not shown: its description, or failing
    that its address (never a ``data:`` URI's contents)."""
    description = " ".join(alt.split()) or ("" if is_embedded(src) else src.strip())
    return f"[Image: {description}]" if description else "[Image]"


def _image(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if is_embedded(src):
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(token.children or [], options, env)
    return f'<em class="image-dropped">{escapeHtml(dropped_image_text(alt, src))}</em>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    parser.add_render_rule("image", _image)
    return parser


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
