"""Markdown (commentary and narrative) to Typst markup, for the PDF report.

The Markdown is parsed with markdown-it (CommonMark plus tables) and every construct is written
with Typst's function syntax (``#strong[...]``, ``#list(...)``, ``#table(...)``) rather than its
markup shorthands, so nothing depends on where a line starts or what the next character is.

Text is never trusted: every character that means something in Typst markup is escaped with a
backslash, so a pack's commentary cannot run Typst code, read files, set labels or references,
or open maths. Raw HTML in the Markdown is printed as text, links go out only to ``http``,
``https`` and ``mailto`` addresses, and an image is never embedded or fetched: the HTML report's
note (:func:`~kpiboard.report.markdown.dropped_image_text`) stands in for it.

Headings become ``#heading(outlined: false, bookmarked: false)``: they keep their structure (and
PDF tags) but never appear in the contents page or the bookmarks, which belong to the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from .markdown import dropped_image_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

__all__ = ["escape_text", "markdown_to_typst", "typst_string"]

# ASCII punctuation with a meaning somewhere in Typst markup (or right after an embedded
# expression, e.g. ``.`` field access, ``(`` and ``[`` arguments, ``;`` terminator), escaped with a
# backslash. Quotes stay as they are (Typst makes them typographic); ``, ! ? % &`` are inert.
_SPECIAL = set("\\#*_$@<>[]`~/=-+.():;{}|^")
_ESCAPE_TABLE = {ord(ch): "\\" + ch for ch in _SPECIAL}
# Line and paragraph separators Typst treats as newlines, and other control characters.
_BREAKING = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_ALIGN = {"left": "left", "right": "right", "center": "center"}

TABLE_STYLE = (
    "stroke: 0.5pt + luma(170), inset: (x: 4pt, y: 3pt), fill: (_, y) => if y == 0 { luma(232) }"
)


def escape_text(text: str) -> str:
    """``text`` as Typst markup that prints exactly that text (newlines become spaces)."""
    text = _CONTROL.sub("", _BREAKING.sub(" ", text)).replace("\t", " ")
    return text.translate(_ESCAPE_TABLE)


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal, quotes included."""
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def markdown_to_typst(markdown: str, *, heading_offset: int = 1) -> str:
    """Typst markup for ``markdown``, to be evaluated with ``eval(x, mode: "markup")``.

    The markup is meant to sit under a heading of level ``heading_offset + 1``. Markdown heading
    levels are shifted down by ``heading_offset`` (``##`` becomes level 3 with the default),
    capped at 6, and never go more than one level deeper than the heading before them (PDF/UA
    forbids skipped levels: ``#### Notes`` straight under the section becomes level 3).
    """
    from markdown_it.tree import SyntaxTreeNode

    tree = SyntaxTreeNode(_parser().parse(markdown))
    return _Writer(heading_offset).blocks(tree.children)


class _Writer:
    def __init__(self, heading_offset: int) -> None:
        self.heading_offset = heading_offset
        self.previous_level = min(6, max(1, heading_offset + 1))

    # ---------------------------------------------------------------- blocks

    def blocks(self, nodes: list[SyntaxTreeNode]) -> str:
        parts: list[str] = []
        tight = False
        for node in nodes:
            text = self.block(node)
            if text:
                # Paragraphs of a tight list are "hidden": no paragraph break around them.
                sep = "\n" if tight or (node.type == "paragraph" and node.hidden) else "\n\n"
                parts.append(sep if parts else "")
                parts.append(text)
                tight = node.type == "paragraph" and node.hidden
        return "".join(parts)

    def block(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        if kind == "paragraph":
            return self.inline_of(node)
        if kind == "heading":
            level = min(6, max(1, int(node.tag[1:]) + self.heading_offset))
            level = min(level, self.previous_level + 1)
            self.previous_level = level
            return (
                f"#heading(level: {level}, outlined: false, bookmarked: false)"
                f"[{self.inline_of(node)}]"
            )
        if kind in ("bullet_list", "ordered_list"):
            return self.list(node)
        if kind == "blockquote":
            return f"#quote(block: true)[{self.blocks(node.children)}]"
        if kind in ("fence", "code_block"):
            code = node.content[:-1] if node.content.endswith("\n") else node.content
            return f"#raw(block: true, {typst_string(code)})"
        if kind == "html_block":
            lines = [escape_text(line) for line in node.content.rstrip("\n").split("\n")]
            return " #linebreak()\n".join(lines)
        if kind == "hr":
            return "#line(length: 100%, stroke: 0.5pt + luma(150))"
        if kind == "table":
            return self.table(node)
        if kind == "inline":
            return self.inlines(node.children)
        # Anything else (a future plugin's block): its text, escaped.
        if node.children:
            return self.blocks(node.children)
        return escape_text(node.content)

    def list(self, node: SyntaxTreeNode) -> str:
        items = [child for child in node.children if child.type == "list_item"]
        tight = all(
            grand.hidden for item in items for grand in item.children if grand.type == "paragraph"
        )
        args = [f"tight: {'true' if tight else 'false'}"]
        function = "list"
        if node.type == "ordered_list":
            function = "enum"
            start = node.attrs.get("start", 1)
            if isinstance(start, int) and start != 1 and start >= 0:
                args.append(f"start: {start}")
        args.extend(f"[{self.blocks(item.children)}]" for item in items)
        return f"#{function}({', '.join(args)})"

    def table(self, node: SyntaxTreeNode) -> str:
        header: list[str] = []
        body: list[str] = []
        aligns: list[str] = []
        for part in node.children:
            for row in part.children:
                cells = []
                for cell in row.children:
                    content = self.inline_of(cell)
                    if part.type == "thead":
                        style = str(cell.attrs.get("style", ""))
                        aligns.append(_ALIGN.get(style.partition(":")[2].strip(), "left"))
                        content = f"#strong[{content}]" if content else ""
                    cells.append(f"[{content}]")
                (header if part.type == "thead" else body).extend(cells)
        columns = max(1, len(aligns))
        args = [f"columns: {columns}", f"align: ({', '.join(aligns or ['left'])},)", TABLE_STYLE]
        if header:
            args.append(f"table.header({', '.join(header)})")
        args.extend(body)
        return f"#table({', '.join(args)})"

    # ---------------------------------------------------------------- inlines

    def inline_of(self, node: SyntaxTreeNode) -> str:
        return "".join(
            self.inlines(child.children) if child.type == "inline" else self.block(child)
            for child in node.children
        )

    def inlines(self, nodes: Sequence[SyntaxTreeNode]) -> str:
        return "".join(self.inline(node) for node in nodes)

    def inline(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        if kind == "text":
            return escape_text(node.content)
        if kind == "softbreak":
            return " "
        if kind == "hardbreak":
            return "#linebreak()"
        if kind == "em":
            return f"#emph[{self.inlines(node.children)}]"
        if kind == "strong":
            return f"#strong[{self.inlines(node.children)}]"
        if kind == "code_inline":
            return f"#raw({typst_string(node.content)})"
        if kind == "link":
            inner = self.inlines(node.children)
            href = str(node.attrs.get("href", ""))
            if href.lower().startswith(_SAFE_SCHEMES):
                return f"#link({typst_string(href)})[{inner}]"
            return inner
        if kind == "image":
            # No images in the PDF (none fetched, none embedded): the same note as the HTML
            # report's stands in for it, with the image's description.
            note = dropped_image_text(_plain_text(node), str(node.attrs.get("src", "")))
            return f"#emph[{escape_text(note)}]"
        if kind == "html_inline":
            return escape_text(node.content)
        if node.children:
            return self.inlines(node.children)
        return escape_text(node.content)


def _plain_text(node: SyntaxTreeNode) -> str:
    """The text of ``node``'s inline content without its marks (an image's description)."""
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(_plain_text(child) for child in node.children)
