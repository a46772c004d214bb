"""The command line as the code defines it, and as README.md and docs/*.md show it.

Two views that :mod:`tests.test_docs_cli` compares. The code's view walks the click tree of
``kpiboard.cli:main`` and the parsers of kpiboard's own Django management commands, so a new
command or option is seen without anyone listing it here. The docs' view reads every Markdown file
once and records, in order, each *mention* of a command (``kpiboard NAME`` in code: a code span, a
heading's code span or a line of a fenced block) and each long option (``--flag``) in code,
with the command it belongs to:

* a flag belongs to the command mentioned last before it in the same *unit*: a line of a fenced
  block, or a sentence of a paragraph, list item or table row (so ```kpiboard serve --demo`
  takes `--port``` ties ``--port`` to ``serve``);
* a flag with no mention before it in its unit belongs to the command its section is about: the
  nearest heading above it that mentions one (``## `kpiboard rate` ``), until a heading of the
  same or a higher level;
* otherwise it belongs to no command.

Each mention also carries the command line written after it (up to a shell comment, ``&&``, a
pipe or a redirection), so that a test can parse it without running it.
"""

from __future__ import annotations

import argparse
import pkgutil
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

import kpiboard.web.management.commands as own_commands
from kpiboard.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
HELP = frozenset({"--help", "-h"})
#: ``kpiboard --version`` mentions the program itself
ROOT_FLAGS = HELP | {flag for param in main.params for flag in param.opts}
Path_ = tuple[str, ...]  # a command's words after ``kpiboard``: ("benchmarks", "fetch")


# --- the code's view --------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    path: Path_
    options: frozenset[str]  # long flags, hidden ones and --help left out

    @property
    def name(self) -> str:
        return " ".join(("kpiboard", *self.path))


def _long_flags(flags: list[str]) -> list[str]:
    return [f for f in flags if f.startswith("--") and f not in HELP]


def click_commands(command: click.Command = main, path: Path_ = ()) -> Iterator[Command]:
    """Every command and group under ``main`` (``main`` itself too: ``--version``)."""
    options = {
        flag
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for flag in _long_flags([*param.opts, *param.secondary_opts])
    }
    yield Command(path, frozenset(options))
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not getattr(sub, "hidden", False):
                yield from click_commands(sub, (*path, name))


def own_management_commands() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(own_commands.__path__))


def management_parser(name: str) -> argparse.ArgumentParser:
    """The parser Django builds for ``kpiboard manage NAME`` (any installed command)."""
    from django.core.management import get_commands, load_command_class

    app = get_commands().get(name)
    if app is None:
        raise click.UsageError(f"there is no management command {name!r}")
    return load_command_class(app, name).create_parser("kpiboard manage", name)


def _argparse_flags(parser: argparse.ArgumentParser) -> set[str]:
    return {
        flag
        for action in parser._actions
        if action.help != argparse.SUPPRESS
        for flag in _long_flags(action.option_strings)
    }


def management_commands() -> list[Command]:
    """kpiboard's own management commands, each with the options it adds to Django's."""
    from django.core.management.base import BaseCommand

    common = _argparse_flags(BaseCommand().create_parser("kpiboard manage", "base"))
    own = {name: _argparse_flags(management_parser(name)) for name in own_management_commands()}
    return [Command(("manage", name), frozenset(flags - common)) for name, flags in own.items()]


def all_commands() -> list[Command]:
    return [*click_commands(), *management_commands()]


# --- the docs' view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    path: Path_
    doc: str
    line: int
    argv: tuple[str, ...]  # the command line written after ``kpiboard``
    whole: bool  # a line of a fenced block (a whole command), not a code span in prose

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"


@dataclass(frozen=True)
class Flag:
    flag: str
    path: Path_ | None  # the command it belongs to, if any
    doc: str
    line: int
    whole: bool  # on a line of a fenced block (a command line), not in prose

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"


@dataclass
class Docs:
    mentions: list[Mention] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    headings: list[tuple[str, int, Path_]] = field(default_factory=list)  # doc, level, command


PROGRAM = re.compile(r"(?<![\w-])(kpiboard|manage\.py)(?=\s|$)")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
SENTENCE_END = re.compile(r"[.!?;]\s+(?=[A-Z(`])")  # a sentence (or a clause after ;) ends
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
NEW_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s|^\s*\|")
SHELL_STOP = {"#", "&&", "||", ";", "|", ">", ">>", "2>&1", "<"}


def command_path(words: list[str]) -> Path_ | None:
    """The longest command the words after ``kpiboard`` name; ``()`` for ``kpiboard --flag``;
    None when the first word is no command (``sudo -u kpiboard bash``)."""
    command: click.Command = main
    path: Path_ = ()
    for word in words:
        if path == ("manage",):
            return (*path, word) if re.fullmatch(r"[a-z_]+", word) else path
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        command, path = command.commands[word], (*path, word)
    if not path and not (words and words[0] in ROOT_FLAGS):
        return None  # also ``useradd --home /srv/kpiboard --create-home kpiboard``
    return path


def shell_words(text: str) -> list[str]:
    """The words of a command line as a shell would split them, up to anything that ends the
    command (a comment, ``&&``, a pipe, a redirection); ``$(...)`` counts as one word."""
    text = re.sub(r"\$\([^)]*\)", "X", text)
    try:
        words = shlex.split(text, comments=False)
    except ValueError:  # an unbalanced quote: the line ends inside ``bash -c '...'``
        words = [w.strip("'\"") for w in text.split()]
    out = []
    for word in words:
        if word in SHELL_STOP or word.startswith("#"):
            break
        out.append(word.rstrip(";'"))
    return out


def _mentions_in(code: str) -> Iterator[tuple[int, Path_, list[str]]]:
    """(offset, command, words after ``kpiboard``) for each mention in a piece of code."""
    for match in PROGRAM.finditer(code):
        words = shell_words(code[match.end() :])
        if match[1] == "manage.py":
            words = ["manage", *words]
        path = command_path(words)
        if path is not None:
            yield match.start(), path, words


class _Reader:
    """Reads one Markdown file into a :class:`Docs`, unit by unit."""

    def __init__(self, docs: Docs, doc: str) -> None:
        self.docs, self.doc = docs, doc
        self.sections: list[tuple[int, Path_ | None]] = []  # (level, command) of open headings

    def section(self) -> Path_ | None:
        return next((path for _, path in reversed(self.sections) if path is not None), None)

    def heading(self, level: int, text: str, line: int) -> None:
        while self.sections and self.sections[-1][0] >= level:
            self.sections.pop()
        spans = [span[2] for span in CODE_SPAN.finditer(text)]
        found = [p for span in spans for _, p, _ in _mentions_in(span)]
        path = found[0] if found else None
        self.sections.append((level, path))
        if path is not None:
            self.docs.headings.append((self.doc, level, path))
        self.unit([(line, span, 0) for span in spans], whole=False)

    def unit(self, pieces: list[tuple[int, str, int]], whole: bool) -> None:
        """Record the mentions and flags of one unit: pieces of code, each with its line number
        and the number of its sentence (a flag never belongs to a mention in an earlier one)."""
        current, sentence = self.section(), 0
        for line, code, number in pieces:
            if number != sentence:
                current, sentence = self.section(), number
            events = [(m.start(), "flag", m[0], None) for m in FLAG.finditer(code)]
            events += [(at, "mention", words, path) for at, path, words in _mentions_in(code)]
            for at, kind, value, path in sorted(events, key=lambda e: e[0]):
                here = line + code.count("\n", 0, at)
                if kind == "mention":
                    current = path
                    self.docs.mentions.append(Mention(path, self.doc, here, tuple(value), whole))
                else:
                    self.docs.flags.append(Flag(value, current, self.doc, here, whole))

    def prose(self, lines: list[tuple[int, str]]) -> None:
        """A paragraph, list item or table row: its code spans, sentence by sentence."""
        if not lines:
            return
        start, text = lines[0][0], "\n".join(t for _, t in lines)
        spans = list(CODE_SPAN.finditer(text))
        ends = [
            m.start()
            for m in SENTENCE_END.finditer(text)
            if not any(s.start() <= m.start() < s.end() for s in spans)
        ]
        pieces = [
            (
                start + text.count("\n", 0, span.start(2)),
                span[2].replace("\n", " "),
                sum(end < span.start() for end in ends),
            )
            for span in spans
        ]
        self.unit(pieces, whole=False)

    def read(self, text: str) -> None:
        fence: str | None = None
        paragraph: list[tuple[int, str]] = []
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if fence is not None:
                if stripped.startswith(fence) and not stripped[len(fence) :].strip():
                    fence = None
                else:
                    self.unit([(number, line, 0)], whole=True)
                continue
            starts_fence = re.match(r"(`{3,}|~{3,})", stripped)
            heading = HEADING.match(line)
            if starts_fence or heading or not stripped or NEW_ITEM.match(line):
                self.prose(paragraph)
                paragraph = []
            if starts_fence:
                fence = starts_fence[1]
            elif heading:
                self.heading(len(heading[1]), heading[2], number)
            elif stripped:
                paragraph.append((number, line))
        self.prose(paragraph)


def read_docs(files: tuple[Path, ...] = DOC_FILES) -> Docs:
    docs = Docs()
    for path in files:
        _Reader(docs, path.relative_to(ROOT).as_posix()).read(path.read_text(encoding="utf-8"))
    return docs


# --- parsing a documented command line --------------------------------------------------------


def _placeholders(argv: tuple[str, ...]) -> list[str]:
    """A synopsis as a command line: ``[--kind council|nhs-trust]`` is ``--kind council``,
    ``CODE ...`` is ``CODE`` (and :func:`_check_values` lets an upper-case ``CODE`` stand for any
    value)."""
    out = []
    for word in argv:
        word = word.strip("[]")
        if word in ("", "...", "…"):
            continue
        out.append(word.split("|")[0] if "|" in word and not word.startswith("|") else word)
    return out


PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_]*")  # ROLE, DATE: a synopsis' stand-in for any value


def _is_placeholder(value: object) -> bool:
    return isinstance(value, str) and PLACEHOLDER.fullmatch(value) is not None


class _OrPlaceholder(list):
    """An argparse ``choices`` that also takes a placeholder (``setrole NAME ROLE``)."""

    def __contains__(self, value: object) -> bool:
        return _is_placeholder(value) or super().__contains__(value)


def _check_values(command: click.Command, ctx: click.Context, values: dict) -> None:
    """Convert the values written for choices and numbers (paths and text are placeholders)."""
    for param in command.params:
        value = values.get(param.name)
        if value is None or isinstance(param.type, click.Path | click.types.StringParamType):
            continue
        if isinstance(param, click.Option) and (param.is_flag or param.count):
            continue
        words = [value] if isinstance(value, str) else value
        if isinstance(words, list | tuple) and all(
            isinstance(v, str) and not _is_placeholder(v) for v in words
        ):
            param.type_cast_value(ctx, value)


def _missing(command: click.Command, values: dict) -> list[str]:
    return [
        param.get_error_hint(click.Context(command))
        for param in command.params
        if param.required and values.get(param.name) in (None, (), [])
    ]


def parse_command_line(words: list[str], whole: bool) -> Path_:
    """Parse ``kpiboard WORDS`` as the CLI would, without running anything: unknown commands and
    options, a missing option value, a bad choice or number, extra arguments and (for a whole
    command line) a missing required argument raise :class:`click.UsageError` or Django's
    ``CommandError``. Returns the command's path."""
    command: click.Command = main
    ctx = click.Context(main, info_name="kpiboard", **main.context_settings)
    args, path = _placeholders(tuple(words)), ()
    while True:
        values, rest, _ = command.make_parser(ctx).parse_args(list(args))
        _check_values(command, ctx, values)
        if path == ("manage",):
            if rest[:1] and rest[0] in HELP:  # ``kpiboard manage --help``: click's help
                return path
            if rest and not _is_placeholder(rest[0]):  # ``kpiboard manage COMMAND``
                parse_management(rest, whole)
            return (*path, *rest[:1])
        if isinstance(command, click.Group) and rest:
            name, sub, rest = command.resolve_command(ctx, rest)
            assert name is not None and sub is not None
            command, path, args = sub, (*path, name), rest
            ctx = click.Context(sub, info_name=name, parent=ctx, **sub.context_settings)
            continue
        if rest:
            raise click.UsageError(f"unexpected extra argument(s): {' '.join(rest)}")
        if whole and _missing(command, values):
            raise click.UsageError(f"missing {', '.join(_missing(command, values))}")
        return path


def parse_management(words: list[str], whole: bool) -> None:
    """Parse ``kpiboard manage NAME ARGS`` with the parser Django builds for NAME; in a code span
    (a fragment) required arguments may be left out."""
    name, *args = words
    if name == "help":  # ``kpiboard manage help NAME``: Django's own help for NAME
        name, args = (args[0] if args else "help"), ["--help"]
        if name == "help" or _is_placeholder(name):
            return
    parser = management_parser(name)
    if HELP & set(args):
        return  # argparse would print the help and exit
    for action in parser._actions:
        action.required = action.required and whole
        if action.choices is not None:
            action.choices = _OrPlaceholder(action.choices)
    parser.parse_args(args)
