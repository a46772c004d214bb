"""YAML values the loader cannot build: an impossible unquoted date (``2014-02-30``), a tagged
scalar that is not its type (``!!float x``), a number past a float's range, binary data, a
character no YAML file may hold. Each is reported with its file and line, as any other mistake in
a pack, never raised as a traceback; values that can be built load as they always did."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.packs import yamlsource
from kpiboard.packs.loader import check_pack, load_pack, parse_yaml
from kpiboard.packs.problems import Problems
from kpiboard.packs.yamlsource import MAX_YAML_BYTES, load

READERS = ["libyaml", "pure Python"]


@contextmanager
def reading_with(reader: str) -> Iterator[None]:
    """libyaml's C parser (PyYAML's wheels carry it) or the pure-Python fallback: each case holds
    for both, with the same lines."""
    if reader == "libyaml" and yamlsource._FastLoader is None:  # pragma: no cover
        pytest.skip("PyYAML was built without libyaml")
    kept = yamlsource._FastLoader
    if reader == "pure Python":
        yamlsource._FastLoader = None
    try:
        yield
    finally:
        yamlsource._FastLoader = kept


@pytest.fixture(params=READERS)
def reader(request):
    with reading_with(request.param):
        yield request.param


def problems_of(text: str, rel: str = "f.yaml") -> list[str]:
    problems = Problems()
    parse_yaml(rel, text, problems)
    return [str(p) for p in problems.items]


#: Dates and times YAML 1.1 reads as timestamps by their look, that no calendar has.
IMPOSSIBLE = [
    "2014-02-30", "2013-02-29", "2014-13-01", "2014-00-10", "0000-01-01", "2014-01-01 25:00:00",
    "2014-01-01T10:61:00", "2014-01-01 10:00:60", "2014-01-01 10:00:00 +99:00",
]  # fmt: skip


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_an_impossible_unquoted_date_loads_as_its_text_like_a_quoted_one(reader, value):
    assert load(f"next_review: {value}\n") == {"next_review": value}
    assert load(f"next_review: {value}\n") == load(f"next_review: '{value}'\n")


@pytest.mark.parametrize(
    "value",
    ["2016-02-29", "2013-09-30", "2014-1-2", "2014-01-01 10:00:00", "2014-01-01T10:00:00Z",
     "2014-01-01t10:00:00.5+01:00", "12", "0x1F", "0o17", "1_000", "1:30", "1.5", "-.inf", "true",
     "~", "9" * 300],
)  # fmt: skip
def test_a_value_that_can_be_built_loads_as_before(reader, value):
    expected = yaml.safe_load(f"a: {value}\n")["a"]
    if hasattr(expected, "isoformat"):
        expected = expected.isoformat()  # a date is kept as its label, as it always was
    assert load(f"a: {value}\n") == {"a": expected}


def _digits(low: int, high: int, widths: tuple[int, ...]) -> st.SearchStrategy[str]:
    return st.builds(lambda n, w: str(n).zfill(w), st.integers(low, high), st.sampled_from(widths))


#: Text YAML 1.1's timestamp pattern matches: a date, with or without a time and a zone, each
#: part in range or not.
TIMESTAMPS = st.builds(
    "{}-{}-{}{}".format,
    _digits(0, 9999, (4,)),
    _digits(0, 99, (1, 2)),
    _digits(0, 99, (1, 2)),
    st.one_of(
        st.just(""),
        st.builds(
            "{}{}:{}:{}{}{}".format,
            st.sampled_from(["T", "t", " ", "  "]),
            _digits(0, 99, (1, 2)),
            _digits(0, 99, (2,)),
            _digits(0, 99, (2,)),
            st.sampled_from(["", ".", ".5", ".123456789"]),
            st.sampled_from(["", "Z", " Z", "+1", "-05:30", "+99:00", " +23:59", "-24"]),
        ),
    ),
)


@given(TIMESTAMPS)
@settings(max_examples=200, deadline=None)
def test_any_timestamp_loads_as_safe_load_reads_it_or_as_its_text(value):
    try:
        expected = yaml.safe_load(f"a: {value}\n")["a"]
    except ValueError:  # not a real date or time: PyYAML itself raises
        expected = value
    if not isinstance(expected, str):  # a date, kept as its label (a one-digit month or day
        expected = expected.isoformat()  # without a time is not a timestamp: it stays text)
    for name in READERS:
        with reading_with(name):
            assert load(f"a: {value}\n") == {"a": expected}


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("!!float x", "'x' cannot be read as !!float"),
        ("!!float ''", "'' cannot be read as !!float"),
        ("!!float 1:x", "'1:x' cannot be read as !!float"),
        ("!!int x", "'x' cannot be read as !!int"),
        ("!!int", "'' cannot be read as !!int"),
        ("!!bool maybe", "'maybe' cannot be read as !!bool"),
        ("!!timestamp soon", "'soon' cannot be read as !!timestamp"),
        ("!!timestamp '2014-02-30'", "'2014-02-30' cannot be read as !!timestamp"),
        ("!!map x", "'x' cannot be read as !!map"),
        ("!!binary aGVsbG8=", "binary data (!!binary) is not allowed in a pack"),
        ("!!binary '@@@'", "binary data (!!binary) is not allowed in a pack"),
        ("!!python/object:os.system x", "unknown tag !!python/object:os.system "
         "(a pack holds plain values)"),
        ("!!python/name:os.system ''", "unknown tag !!python/name:os.system "
         "(a pack holds plain values)"),
        ("!foo x", "unknown tag !foo (a pack holds plain values)"),
    ],
)  # fmt: skip
def test_a_tagged_value_that_cannot_be_built_is_refused_at_its_line(reader, snippet, message):
    text = f"title: Delayed transfers\n\nvalue: {snippet}\nunit: count\n"
    assert problems_of(text) == [f"f.yaml:3: not valid YAML: {message}"]


def test_binary_data_as_a_key_is_refused_at_its_line(reader):
    text = "a: 1\n!!binary aGVsbG8=: 2\n"
    expected = "f.yaml:2: not valid YAML: binary data (!!binary) is not allowed in a pack"
    assert problems_of(text) == [expected]


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "0x" + "f" * 300, "0b" + "1" * 1100, "1:" * 3000 + "1", "-" + "9" * 401],
    ids=["5000 digits", "hex past a float", "binary past a float", "base 60", "401 digits"],
)
def test_a_whole_number_past_a_floats_range_keeps_its_text(reader, value):
    assert load(f"a: {value}\n") == {"a": value}


def test_a_base_60_number_as_long_as_a_file_may_be_is_read_quickly(reader):
    value = "1:" * ((MAX_YAML_BYTES - 10) // 2) + "1"
    started = time.process_time()
    assert load(f"a: {value}\n") == {"a": value}
    assert time.process_time() - started < {"libyaml": 2.0, "pure Python": 10.0}[reader]


def test_yaml_merge_and_value_keys_are_plain_keys(reader):
    assert load("<<: {a: 1}\nb: =\n") == {"<<": {"a": 1}, "b": "="}


@pytest.mark.parametrize("text", ["a: 1\n{b: 1}: 2\n", "a: 1\n? [b]\n: 2\n"])
def test_a_key_that_is_a_mapping_or_a_list_is_refused_at_its_line(reader, text):
    expected = "f.yaml:2: not valid YAML: a key must be text, not a mapping or a list"
    assert problems_of(text) == [expected]


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\nb: \x01\n", 2), ("a: \u00e9\u00e9\nb: \u00e9\x00\n", 2),
     ("a: 1\r\nb: 2\r\nc: \x07", 3), ("a: 1\rb: \x01", 2), ("a: 1\n\nb: \ud800\n", 3)],
    ids=["control", "after accents", "CRLF", "CR", "lone surrogate"],
)  # fmt: skip
def test_a_character_yaml_refuses_is_reported_at_its_line(reader, text, line):
    (problem,) = problems_of(text)
    assert problem.startswith(f"f.yaml:{line}: not valid YAML: unacceptable character #x")


#: Pieces of YAML that break readers and constructors, spliced anywhere into a pack file.
HOSTILE = [
    "2014-02-30", "2014-01-01 25:00:00", "0000-01-01", "!!float x", "!!int", "!!bool y",
    "!!binary @@", "!!timestamp x", "!!python/object:os.system", "!foo", "!", "<<", "=", "&a",
    "*a", "0x" + "f" * 300, "1:" * 300, "9" * 500, "? ", ": ", "- ", "{", "}", "[", "]", "'", '"',
    "\x00", "\x01", "\ud800", "\r", "\u2028", "\x85", "\t", "|", ">", "%YAML 1.1\n---", "---",
    "...", "!!set", "!!omap", "!!map", "!!seq", "!!null", "#", "\ufeff", ",", "\n  ", "\n",
    "key: ", "!<tag:yaml.org,2002:int> x", ".inf", "1.0e+999",
]  # fmt: skip

INDICATOR = """\
id: ASC01
section: asc
number: "1"
title: Percentage of clients receiving a personal budget
series:
  clients: {label: Number of clients, role: extra, unit: count}
overrides:
  - period: 2013-08
    rating: AMBER
    review: 2013-09-30
"""


@given(st.lists(st.tuples(st.integers(0, len(INDICATOR)), st.sampled_from(HOSTILE)), max_size=5))
@settings(max_examples=300, deadline=None)
def test_hostile_yaml_is_loaded_or_refused_with_its_file_and_line(edits):
    text = INDICATOR
    for position, piece in edits:
        text = text[:position] + piece + text[position:]
    lines = len(yamlsource._BREAK.findall(text)) + 2  # the end of the text may be a line on
    for name in READERS:
        with reading_with(name):
            problems = Problems()
            parse_yaml("indicators/ASC01.yaml", text, problems)  # raises nothing
            for problem in problems.items:
                assert problem.file == "indicators/ASC01.yaml"
                assert 1 <= problem.line <= lines, problem
                assert problem.message


#: Dates in each kind of pack file: (file, text there, the text with ``{d}`` for the date).
PACK_DATES = [
    ("plan/risks.yaml", "ahead of winter.}", "ahead of winter., next_review: {d}}"),
    ("plan/risks.yaml", "review_date: 2013-12-31", "review_date: {d}"),
    ("plan/actions.yaml", "due: 2014-03-31", "due: {d}"),
    ("plan/actions.yaml", "done: 2013-05-20", "done: {d}"),
    ("kpiboard.yaml", "financial_year_start: 4\n", "financial_year_start: 4\n"
     "reporting_calendar:\n  dates:\n    2013-12:\n      committee: {d}\n"),
]  # fmt: skip


@pytest.fixture
def pack_with(demo_pack_dir, tmp_path):
    """A copy of the demo pack with one date of one file written as given."""

    def make(case: tuple[str, str, str], date: str) -> Path:
        rel, old, new = case
        root = Path(shutil.copytree(demo_pack_dir, tmp_path / date.replace("'", "q")))
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new.replace("{d}", date), 1), encoding="utf-8")
        return root

    return make


@pytest.mark.parametrize("case", PACK_DATES, ids=[f"{c[0]} {c[1][:12]}" for c in PACK_DATES])
@pytest.mark.parametrize("date", ["2014-02-30", "2014-01-01 25:00:00"])
def test_check_reports_an_impossible_date_in_a_pack_file_as_it_does_a_quoted_one(
    pack_with, case, date
):
    problems = [str(p) for p in check_pack(pack_with(case, date))]
    assert problems == [str(p) for p in check_pack(pack_with(case, f"'{date}'"))]
    (problem,) = problems
    assert problem.startswith(f"{case[0]}:")
    assert f"'{date}' is not a date" in problem
    assert not check_pack(pack_with(case, "2014-02-28"))


def test_an_impossible_date_in_free_text_is_kept_as_written(demo_pack_dir, tmp_path):
    root = Path(shutil.copytree(demo_pack_dir, tmp_path / "pack"))
    path = root / "indicators" / "ASC01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Cabinet member: Graham Gibbens", "Reviewed: 2014-02-30"))
    assert not check_pack(root)
    asc01 = load_pack(root).indicators["ASC01"]
    assert ("Reviewed", "2014-02-30") in asc01.metadata
