"""Markdown to Typst markup: every construct typesets, and no text can run as Typst."""

from __future__ import annotations

import io
import re

import pytest
import typst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from kpiboard.report.typst_markup import escape_text, markdown_to_typst, typst_string

# A document that evaluates converted markup exactly as the report template does, then asserts
# inside typst that the plain text of the result is the expected string.
PLAIN = """
#let plain(c) = {
  if c == none { "" }
  else if type(c) == str { c }
  else if c.func() == smartquote { if c.at("double", default: true) { "\\"" } else { "'" } }
  else if c.func() == [ ].func() { " " }
  else if c.func() == linebreak { " " }
  else if c.func() == parbreak { " " }
  else if c.has("text") { c.text }
  else if c.has("children") { c.children.map(plain).join(default: "") }
  else if c.has("body") { plain(c.body) }
  else { "" }
}
#let body = eval(sys.inputs.markup, mode: "markup")
#body
#assert.eq(plain(body).split().join(" ", default: ""), sys.inputs.expected)
"""


def compile_markup(markup: str) -> bytes:
    doc = '#set text(font: "Liberation Sans")\n#eval(sys.inputs.markup, mode: "markup")\n'
    return typst.compile(doc.encode(), format="pdf", sys_inputs={"markup": markup})


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')


def squash(text: str) -> str:
    return " ".join(text.split())


def assert_plain(markup: str, expected: str) -> None:
    """typst evaluates ``markup`` and its plain text equals ``expected`` (whitespace squashed)."""
    typst.compile(
        PLAIN.encode(), format="pdf", sys_inputs={"markup": markup, "expected": squash(expected)}
    )


def render(markdown: str, **kwargs) -> tuple[str, str]:
    markup = markdown_to_typst(markdown, **kwargs)
    return markup, pdf_text(compile_markup(markup))


# ------------------------------------------------------------------------------- constructs


def test_paragraphs_are_separated_by_a_blank_line():
    markup, text = render("First paragraph\nstill first.\n\nSecond paragraph.")
    assert markup == "First paragraph still first\\.\n\nSecond paragraph\\."
    assert "First paragraph still first." in text
    assert "Second paragraph." in text


def test_emphasis_strong_and_nesting():
    markup, text = render("Some *emphasis*, **strong** and **both *at once***.")
    assert "#emph[emphasis]" in markup
    assert "#strong[strong]" in markup
    assert "#strong[both #emph[at once]]" in markup
    assert squash(text) == "Some emphasis, strong and both at once."


def test_intraword_emphasis_uses_function_syntax():
    markup, text = render("un*frigging*believable and snake_case_name")
    assert "un#emph[frigging]believable" in markup
    assert "unfriggingbelievable and snake_case_name" in squash(text)


def test_inline_code_is_raw_and_literal():
    markup, text = render('Run `#import "x": * $y$ [z]` now')
    assert '#raw("#import \\"x\\": * $y$ [z]")' in markup
    assert '#import "x": * $y$ [z]' in text


def test_links_to_web_and_mail_addresses_are_links():
    markup, _ = render("See [the guidance](https://example.org/a_b?c=1) or <mailto:a@b.org>.")
    assert '#link("https://example.org/a_b?c=1")[the guidance]' in markup
    assert '#link("mailto:a@b.org")' in markup
    reader = PdfReader(io.BytesIO(compile_markup(markup)))
    uris = [
        annot.get_object()["/A"]["/URI"]
        for annot in reader.pages[0].get("/Annots", [])
        if "/A" in annot.get_object()
    ]
    assert "https://example.org/a_b?c=1" in uris


@pytest.mark.parametrize("href", ["page.html", "#anchor", "file:///etc/passwd", "ftp://x.org/a"])
def test_other_links_are_just_their_text(href):
    markup, text = render(f"A [link text]({href}) here")
    assert "#link" not in markup
    assert "link text" in text


def test_images_show_their_description_only():
    markup, text = render("![Bar chart of *costs*](chart.png)")
    assert "#image" not in markup
    assert "[Image: Bar chart of costs]" in text


def test_headings_are_shifted_and_kept_out_of_outline_and_bookmarks():
    markup, text = render("# Top\n\n## Second\n\n###### Deepest\n\nBody", heading_offset=1)
    assert "#heading(level: 2, outlined: false, bookmarked: false)[Top]" in markup
    assert "#heading(level: 3, outlined: false, bookmarked: false)[Second]" in markup
    assert "#heading(level: 4, outlined: false, bookmarked: false)[Deepest]" in markup
    for word in ("Top", "Second", "Deepest", "Body"):
        assert word in text
    doc = '#outline()\n#eval(sys.inputs.markup, mode: "markup")\n'
    reader = PdfReader(
        io.BytesIO(typst.compile(doc.encode(), format="pdf", sys_inputs={"markup": markup}))
    )
    assert reader.outline == []
    contents = reader.pages[0].extract_text()
    assert "Second" not in contents.split("Contents", 1)[1].split("Top", 1)[0]


def test_heading_levels_are_never_skipped():
    # PDF/UA forbids jumping from a level-2 heading to a level-5 one.
    markup = markdown_to_typst("#### Deep first\n\n###### Deeper\n\n# Back up\n\n### Down")
    levels = [int(n) for n in re.findall(r"#heading\(level: (\d)", markup)]
    assert levels == [3, 4, 2, 3]


def test_heading_offset_zero_and_large():
    assert markdown_to_typst("## Two", heading_offset=0).startswith("#heading(level: 2,")
    assert markdown_to_typst("## Two", heading_offset=9).startswith("#heading(level: 6,")


def test_bullet_and_numbered_lists_nest():
    md = "- apples\n- pears\n  1. conference\n  2. williams\n     - ripe\n- plums\n"
    markup, text = render(md)
    assert markup.startswith("#list(tight: true, [apples], [pears\n#enum(tight: true,")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines == ["• apples", "• pears", "1. conference", "2. williams", "‣ ripe", "• plums"]


def test_numbered_list_keeps_its_start_and_loose_items():
    markup, text = render("3. third\n\n   more about it\n4. fourth\n")
    assert markup.startswith("#enum(tight: false, start: 3, ")
    assert "3. third" in text
    assert "4. fourth" in text
    assert "more about it" in text


def test_block_quote():
    markup, text = render("> Quoted *words*\n> continue\n\nAfter")
    assert markup.startswith("#quote(block: true)[Quoted #emph[words] continue]")
    assert "Quoted words continue" in squash(text)


def test_table_with_alignment_header_and_missing_cells():
    md = "| Area | Count | Share |\n|:-----|------:|:----:|\n| North | 1,249 | 7% |\n| South |\n"
    markup, text = render(md)
    assert markup.startswith("#table(columns: 3, align: (left, right, center,),")
    assert "table.header([#strong[Area]], [#strong[Count]], [#strong[Share]])" in markup
    assert "[South], [], []" in markup
    flat = squash(text)
    assert "Area Count Share" in flat
    assert "North 1,249 7%" in flat


def test_table_cells_are_escaped():
    markup, text = render("| a |\n|---|\n| x \\| #y ] [ |\n")
    assert "x | #y ] [" in text
    assert "\\#y \\] \\[" in markup


def test_hard_and_soft_breaks():
    markup, text = render("one  \ntwo\\\nthree\nfour")
    assert markup == "one#linebreak()two#linebreak()three four"
    assert [line.strip() for line in text.splitlines()] == ["one", "two", "three four"]


def test_fenced_code_block_is_literal():
    markup, text = render("```python\nx = '#set page(width: 1cm)'\n```\n")
    assert markup == "#raw(block: true, \"x = '#set page(width: 1cm)'\")"
    assert "x = '#set page(width: 1cm)'" in text


def test_thematic_break():
    markup, _ = render("above\n\n---\n\nbelow")
    assert "#line(length: 100%" in markup


def test_raw_html_is_printed_as_text():
    markup, text = render('<div class="x">#hi</div>\n\nInline <b>bold</b> & <br/>')
    assert '<div class="x">#hi</div>' in text
    assert "Inline <b>bold</b> & <br/>" in text
    assert "#strong" not in markup


def test_empty_markdown_is_empty_markup():
    assert markdown_to_typst("") == ""
    assert markdown_to_typst("\n\n   \n") == ""


# ------------------------------------------------------------------------------- hostile text

HOSTILE = [
    '#import "x"',
    '#import "/report.typ": *',
    '#read("/etc/passwd")',
    "#{ panic() }",
    "#set page(width: 1cm)",
    "#show: none",
    "$x^2$ and $$",
    "<label> and <ind-ASC01>",
    "@ref and me@example.org",
    "back\\slash \\#not-code \\",
    "trailing backslash \\",
    "\\u{1F600} is not an emoji",
    "] unbalanced ] brackets [",
    "`` ticks ` and ~ tildes ~",
    "= not a heading",
    "+ not an item",
    "/ term: not a term",
    "// not a comment /* nor this */",
    "1. not a list? it is in markdown",
    "a -- b --- c ... d -? e",
    "http://not.a.link/path_with_underscores",
    "x*y*z and a_b_c",
    "#strong[a].b and #x.y(z);",
    "semi; colon: pipe | caret ^ braces {} parens ()",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_escaped(hostile):
    markup = escape_text(hostile)
    assert_plain(markup, hostile)
    assert squash(hostile) in squash(pdf_text(compile_markup(markup)))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_inside_markdown_constructs_stays_text(hostile):
    # Markdown may itself interpret some characters (\\, *, `, [...]); what it leaves as text must
    # reach the PDF unchanged and never run as Typst.
    for md in (
        f"{hostile}",
        f"## {hostile}",
        f"- {hostile}",
        f"> {hostile}",
        f"| h |\n|---|\n| {hostile.replace('|', '')} |",
    ):
        markup = markdown_to_typst(md)
        compile_markup(markup)  # must not raise


def test_markdown_escapes_are_honoured_and_typst_is_not_run():
    md = '\\#import "x" \\$x\\$ \\<label\\> \\@ref \\\\ back \\*not strong\\*'
    markup, text = render(md)
    assert squash(text) == '#import "x" $x$ <label> @ref \\ back *not strong*'
    assert_plain(markup, '#import "x" $x$ <label> @ref \\ back *not strong*')


def test_control_characters_and_separators_do_not_break_lines():
    text = "one\u2028- two\u2029= three\x0bfour\x00five\tsix"
    markup = escape_text(text)
    assert "\n" not in markup
    assert_plain(markup, "one - two = three fourfive six")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40))
def test_any_text_round_trips(text):
    assert_plain(escape_text(text), text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=st.sampled_from(list("#*_$@<>[]`~/=-+.\\\"' ()a1\n|:;{}^&!?")), max_size=60)
)
def test_any_markdown_compiles(md):
    compile_markup(markdown_to_typst(md))


# ------------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    "value",
    ["plain", 'quote " and \\ backslash', "new\nline\ttab\rreturn", "\x00\x1f\x7f", "ünï ☃ 😀", ""],
)
def test_typst_string_round_trips(value):
    literal = typst_string(value)
    assert literal.startswith('"')
    assert literal.endswith('"')
    doc = f"#assert.eq({literal}, sys.inputs.value)"
    typst.compile(doc.encode(), format="pdf", sys_inputs={"value": value})


def test_escape_text_only_adds_backslashes():
    text = "Cost: £1,249 (7%) — up 3.2% on 2012/13 #1"
    assert re.sub(r"\\(.)", r"\1", escape_text(text)) == text
