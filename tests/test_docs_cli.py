"""The docs cover every command and option of the command line, and every command line they show
works (the developers' guide: "every documented option and example works").

The rule, for each ``kpiboard`` command and group (walked from ``kpiboard.cli:main``, so a new one
is checked without being listed here) and each of kpiboard's own Django management commands (run
as ``kpiboard manage NAME`` or ``manage.py NAME``):

* README.md or a page of docs/ mentions it in code: ```kpiboard benchmarks fetch``` (a group
  counts as mentioned when one of its commands is);
* each of its long options (``--dry-run``; hidden options and ``--help`` aside) is written in code
  where it belongs to that command: after a mention of the command in the same line of a code
  block, paragraph, list item or table row, or, with no mention before it there, under a heading
  that names the command (how docs/cli.md lists them);
* docs/cli.md, the command line reference, has a heading for each command and group, and for
  nothing else, and describes each option in words (in a list item or sentence of the command's
  section, not only in its synopsis);
* no option written where it belongs to one of these commands is missing from it (a renamed or
  dropped option cannot linger in the docs);
* every command line shown parses: each ``kpiboard ...`` in a code block or code span is parsed
  by click (and ``kpiboard manage NAME ...`` by Django's parser for NAME) without running it.
  Placeholders are read as a synopsis: ``[--today DATE]`` is ``--today DATE``, ``csv|json`` is
  ``csv``. Unknown commands and options, a missing option value, a bad choice or number and extra
  arguments fail everywhere; a missing required argument fails only on a line of a code block (a
  code span in prose may show part of a command).

How a flag is tied to a command is in :mod:`tests.docs_cli`.
"""

from __future__ import annotations

import click
import pytest
from django.core.management.base import CommandError

from .docs_cli import (
    HELP,
    Docs,
    _Reader,
    all_commands,
    parse_command_line,
    read_docs,
)

COMMANDS = all_commands()
BY_PATH = {c.path: c for c in COMMANDS}
DOCS = read_docs()
REFERENCE = "docs/cli.md"


def test_the_command_tree_holds_commands_groups_and_management_commands():
    assert BY_PATH[("benchmarks", "fetch")].options >= {"--dry-run", "--from-file"}
    assert ("token",) in BY_PATH and ("token", "create") in BY_PATH
    assert BY_PATH[("manage", "addperson")].options >= {"--role", "--email"}
    assert "--verbosity" not in BY_PATH[("manage", "addperson")].options  # Django's own
    assert BY_PATH[()].options == {"--version"}
    assert all("--help" not in c.options for c in COMMANDS)


def test_the_docs_mention_every_command():
    mentioned = {m.path[:n] for m in DOCS.mentions for n in range(len(m.path) + 1)}
    missing = [c.name for c in COMMANDS if c.path not in mentioned]
    assert not missing, "no page of the docs mentions these commands in code: " + ", ".join(missing)


def test_the_docs_give_every_option_with_its_command():
    shown = {(f.path, f.flag) for f in DOCS.flags}
    missing = [
        f"{c.name} {option}"
        for c in COMMANDS
        for option in sorted(c.options)
        if (c.path, option) not in shown
    ]
    assert not missing, (
        "these options appear nowhere in the docs where they belong to their command (a line "
        "with the command, or a section headed by it, as in docs/cli.md):\n  "
        + "\n  ".join(missing)
    )


def test_the_docs_give_no_command_an_option_it_does_not_have():
    wrong = [
        f"{f.where}: {f.flag} is written for {BY_PATH[f.path].name}, which has no such option"
        for f in DOCS.flags
        if f.path in BY_PATH and f.flag not in BY_PATH[f.path].options | HELP
    ]
    assert not wrong, "\n".join(wrong)


def test_the_cli_reference_describes_every_option_in_words():
    described = {(f.path, f.flag) for f in DOCS.flags if f.doc == REFERENCE and not f.whole}
    missing = [
        f"{c.name} {option}"
        for c in COMMANDS
        for option in sorted(c.options)
        if (c.path, option) not in described
    ]
    assert not missing, (
        f"{REFERENCE} shows these options in no sentence of their command's section (a synopsis "
        "line is not enough):\n  " + "\n  ".join(missing)
    )


def test_the_cli_reference_has_a_section_for_each_command_and_no_other():
    headed = [path for doc, _, path in DOCS.headings if doc == REFERENCE]
    expected = {c.path for c in COMMANDS if c.path}
    assert sorted(expected - set(headed)) == []
    assert sorted(set(headed) - expected) == []
    assert len(headed) == len(set(headed)), "a command has two sections in docs/cli.md"


@pytest.mark.parametrize("mention", DOCS.mentions, ids=[m.where for m in DOCS.mentions])
def test_every_documented_command_line_parses(mention):
    try:
        parse_command_line(list(mention.argv), mention.whole)
    except (click.UsageError, CommandError) as exc:
        pytest.fail(f"{mention.where}: kpiboard {' '.join(mention.argv)}: {exc}")


# --- the checks above can fail ----------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        ["rate", "my-pack", "--colour", "red"],  # no such option
        ["report", "my-pack", "--out", "r.docx", "--format", "docx"],  # not a choice
        ["token", "create", "ann", "--scope", "write", "--days", "thirty"],  # not a number
        ["check", "my-pack", "other-pack"],  # an extra argument
        ["benchmarks", "pull", "my-pack"],  # no such command
        ["report", "my-pack"],  # --out is required
        ["manage", "addperson", "ann", "--rank", "owner"],  # Django: no such option
        ["manage", "setrole", "ann", "boss"],  # Django: not a choice
        ["manage", "loadpack"],  # Django: PACK is required
        ["manage", "help", "addpeople"],  # Django: no such command to help with
    ],
)
def test_a_command_line_that_would_fail_does_not_parse(words):
    with pytest.raises((click.UsageError, CommandError)):
        parse_command_line(words, whole=True)


def test_a_code_span_may_leave_out_required_arguments():
    assert parse_command_line(["export", "--layout", "wide"], whole=False) == ("export",)
    assert parse_command_line(["manage", "loadpack"], whole=False) == ("manage", "loadpack")
    assert parse_command_line(["manage", "help", "setrole"], whole=True) == ("manage", "help")
    assert parse_command_line(["remind", "[--dry-run]", "[--format", "text|json]"], True) == (
        "remind",
    )


def test_a_flag_belongs_to_the_command_before_it_or_to_its_section():
    docs = Docs()
    _Reader(docs, "x.md").read(
        "## `kpiboard rate`\n\n"
        "- `--format`: how.\n\n"
        "`kpiboard serve --demo` takes `--port`, and\n`kpiboard export` takes `--layout`.\n\n"
        "```sh\nsudo -u kpiboard bash -c 'kpiboard manage loadpack P --reason why'"
        "  # --by next\n```\n"
        "## Elsewhere\n\n`--as-at` alone.\n"
    )
    assert [(f.flag, f.path, f.line) for f in docs.flags] == [
        ("--format", ("rate",), 3),
        ("--demo", ("serve",), 5),
        ("--port", ("serve",), 5),
        ("--layout", ("export",), 6),
        ("--reason", ("manage", "loadpack"), 9),
        ("--by", ("manage", "loadpack"), 9),  # a shell comment on the line counts
        ("--as-at", None, 13),
    ]
    assert [(m.path, m.argv) for m in docs.mentions][-1] == (
        ("manage", "loadpack"),
        ("manage", "loadpack", "P", "--reason", "why"),
    )
