"""Commentary files: any text a person saves survives writing and reading back exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.core.periods import UK
from kpiboard.packs.model import Commentary
from kpiboard.packs.problems import Problems
from kpiboard.packs.textfiles import (
    canonical_text,
    escape_line,
    read_commentary,
    unescape_line,
    write_commentary,
)

PERIODS = [UK.parse(label) for label in ("2013-07", "2013-08", "2013-09")]

# Text rich in what the file format gives meaning to: headings, fences, backslashes, line ends.
PIECES = ["#", "## ", "```", "`", "\\", " ", "\t", "\n", "\r", "2013-08", "a", "\u2028", "\x85"]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
LINE = st.one_of(TRICKY, st.text()).map(lambda s: s.replace("\r", "").replace("\n", ""))


def round_trip(texts: list[str]) -> tuple[list[Commentary], Problems]:
    items = [Commentary(period, text) for period, text in zip(PERIODS, texts, strict=False)]
    problems = Problems()
    read = read_commentary("commentary/X.md", write_commentary(items), UK, problems)
    return list(read), problems


@given(LINE)
def test_escaping_a_line_is_undone_by_reading_it(line):
    assert unescape_line(escape_line(line)) == line


@given(st.lists(st.one_of(TRICKY, st.text()), min_size=1, max_size=3))
@settings(max_examples=300)
def test_any_text_round_trips_exactly_in_its_canonical_form(texts):
    read, problems = round_trip(texts)
    assert not problems, problems.items
    pairs = zip(PERIODS, texts, strict=False)
    want = [(p.label, canonical_text(t)) for p, t in pairs if canonical_text(t)]
    assert [(c.period.label, c.text) for c in read] == want


def test_a_heading_line_in_the_text_stays_in_its_period():
    text = "Figures below.\n## 2013-08\nThis line belongs to September."
    read, problems = round_trip(["Earlier text.", "", text])
    assert not problems
    assert [(c.period.label, c.text) for c in read] == [
        ("2013-07", "Earlier text."),
        ("2013-09", text),
    ]
    written = write_commentary([Commentary(PERIODS[2], text)])
    assert "\n\\## 2013-08\n" in written  # readable Markdown: the line shows with a backslash


def test_an_unclosed_fence_does_not_swallow_the_next_period():
    read, problems = round_trip(["```\nunclosed code", "August text", "September text"])
    assert not problems
    assert [c.text for c in read] == ["```\nunclosed code", "August text", "September text"]


def test_backslashes_before_a_heading_keep_their_number():
    for text in ("\\## 2013-08", "\\\\## 2013-08", "\\```", "\\ not special", "\\"):
        assert [c.text for c in round_trip([text])[0]] == [text]


def test_a_hand_written_file_with_windows_line_ends_reads_as_with_unix_ones():
    text = "## 2013-09\r\n\r\nFirst line.\r\nSecond line.\r\n"
    read = read_commentary("commentary/X.md", text, UK, Problems())
    assert read[0].text == "First line.\nSecond line."


def test_a_heading_inside_a_closed_fence_is_text_in_a_hand_written_file():
    text = "## 2013-09\n\n```\n## 2013-08\n```\n"
    problems = Problems()
    read = read_commentary("commentary/X.md", text, UK, problems)
    assert not problems
    assert [(c.period.label, c.text) for c in read] == [("2013-09", "```\n## 2013-08\n```")]


def test_form_feeds_and_unicode_line_separators_are_text_not_line_ends():
    text = "one\x0ctwo\u2028## 2013-08"
    assert [c.text for c in round_trip([text])[0]] == [text]
