"""YAML read with line numbers, so validation can point at the line a person must fix.

Pack YAML is hand-written configuration, so the loader refuses what a pack never needs and an
attacker would: anchors and aliases (``&a``/``*a``: a few lines of them expand to gigabytes,
the "billion laughs"), nesting deeper than :data:`MAX_DEPTH` (thousands of ``[`` exhaust the
stack) and text longer than :data:`MAX_YAML_BYTES`. Each is refused while the document is being
composed, before anything is built, as a ``yaml.YAMLError`` that names the line.

Nor does a value its constructor cannot build raise anything else (:func:`_scalar`): an unquoted
``2014-02-30`` looks like a timestamp to YAML 1.1 but no calendar has it, and it is kept as its
text, as ``'2014-02-30'`` is, for the field's own check to name; a tagged scalar that is not its
type (``!!float x``), an unknown tag and binary data are refused at their line.

libyaml's C parser does the reading when PyYAML has it (it does in every PyYAML wheel): it is about
ten times faster than the pure-Python one, which took a third of ``check`` on a 500-indicator pack.
Its composer cannot be hooked, so the refusals are made first, on the C parser's event stream
(:func:`_refuse_unsafe`), and only a document that passes is composed into nodes. The pure-Python
loader stays as the fallback.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
)

MAX_DEPTH = 50  # a pack's deepest YAML (an indicator's rules) nests about six levels
MAX_YAML_BYTES = 1_000_000  # a large manifest is a few tens of kilobytes


class TooLarge(ValueError):
    """YAML text over :data:`MAX_YAML_BYTES` (refused before it is parsed)."""

    line = 0

    def __init__(self, size: int):
        super().__init__(
            f"{size:,} bytes is larger than a pack's YAML file may be ({MAX_YAML_BYTES:,} bytes)"
        )


class _PackLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors, aliases and deep nesting while composing."""

    depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.get_event()
            raise ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed in a pack", event.start_mark
            )
        event = self.peek_event()
        if event.anchor is not None:
            raise ComposerError(
                None, None, f"anchors (&{event.anchor}) are not allowed in a pack", event.start_mark
            )
        if self.depth >= MAX_DEPTH:
            raise ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_FastLoader: type | None = getattr(yaml, "CSafeLoader", None)


def _refuse_unsafe(loader: Any) -> None:
    """Refuse anchors, aliases and nesting deeper than :data:`MAX_DEPTH` in ``loader``'s events,
    as :class:`_PackLoader` does while composing (same messages, same depth count: a node is
    refused when it has :data:`MAX_DEPTH` collections around it)."""
    depth = 0
    while _next_event(loader):
        event = loader.get_event()
        if isinstance(event, AliasEvent):
            message = f"aliases (*{event.anchor}) are not allowed in a pack"
            raise _refused(message, event.start_mark)
        if isinstance(event, NodeEvent):
            if event.anchor is not None:
                message = f"anchors (&{event.anchor}) are not allowed in a pack"
                raise _refused(message, event.start_mark)
            if depth >= MAX_DEPTH:
                message = f"nested more than {MAX_DEPTH} levels deep"
                raise _refused(message, event.start_mark)
            if isinstance(event, CollectionStartEvent):
                depth += 1
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _refused(message: str, mark: Any) -> ComposerError:
    """The composer's own error, so a refusal reads like any other YAML error with its line
    (``mark`` is a libyaml mark or a pure-Python one: both carry the line)."""
    return ComposerError(None, None, message, mark)


def _next_event(loader: Any) -> bool:
    """Whether an event follows; libyaml's own depth limit (1,000) reads as the pack's message."""
    try:
        return bool(loader.check_event())
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in str(exc.problem):
            raise
        message = f"nested more than {MAX_DEPTH} levels deep"
        raise _refused(message, exc.problem_mark) from None


_YAML_TAG = "tag:yaml.org,2002:"
_STR = _YAML_TAG + "str"
_INT = _YAML_TAG + "int"
_BINARY = _YAML_TAG + "binary"


class Mapping(dict):
    """A dict that remembers the line of each key (1-based) and of itself."""

    line: int
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list):
    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKey(ValueError):
    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line
        super().__init__(f"duplicate key {key!r}")


def _key(node: yaml.Node, constructor: yaml.constructor.SafeConstructor) -> Any:
    """A mapping key: YAML 1.1 reads ``on``, ``off``, ``yes`` and ``no`` as booleans, but as a key
    (``spc: {on: monthly}``) such a word is a name, so it keeps its text."""
    key = _convert(node, constructor)
    if isinstance(key, bool) and isinstance(node, yaml.ScalarNode):
        return node.value
    return key


def _convert(node: yaml.Node, constructor: yaml.constructor.SafeConstructor) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = Mapping()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _key(key_node, constructor)
            if isinstance(key, (Mapping, Sequence)):
                raise _not_read("a key must be text, not a mapping or a list", key_node)
            if key in out:
                raise DuplicateKey(key, key_node.start_mark.line + 1)
            out[key] = _convert(value_node, constructor)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = Sequence(_convert(item, constructor) for item in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    if node.tag == _STR:  # most scalars: their text (what the constructor would return)
        return node.value
    value = _scalar(cast(yaml.ScalarNode, node), constructor)  # neither mapping nor list
    if isinstance(value, datetime.date):
        return value.isoformat()  # "2013-09-30" is a period label here, not a date object
    return value


#: What PyYAML's constructors raise, besides their own ``ConstructorError``, on a scalar that
#: looks like its type but is not one: ``2014-02-30`` and ``2014-01-01 25:00:00`` (ValueError
#: from datetime), 5,000 digits (ValueError: Python's limit on reading an int), ``!!float ''``
#: (IndexError), ``!!bool x`` (KeyError), ``!!timestamp x`` (AttributeError).
_UNREADABLE = (yaml.constructor.ConstructorError, ValueError, ArithmeticError, LookupError,
               AttributeError, TypeError)  # fmt: skip

_LONGEST_INT = 400  # characters; a float holds at most 309 digits


def _scalar(node: yaml.ScalarNode, constructor: yaml.constructor.SafeConstructor) -> Any:
    """A scalar's value; one its constructor cannot build never raises out of the loader.

    A plain scalar typed only by its look (``next_review: 2014-02-30`` resolves as a timestamp)
    keeps its text, as if it were quoted, so the field's own check names it and its line, as it
    does for ``'2014-02-30'``. One with an explicit tag (``!!float x``, ``!foo x``) is refused as
    YAML at its line. ``!!binary`` is refused whatever it holds: a pack is text, and bytes would
    reach fields that expect text."""
    if node.tag == _BINARY:
        raise _not_read("binary data (!!binary) is not allowed in a pack", node)
    if node.tag not in constructor.yaml_constructors:  # ``<<`` and ``=`` resolve to such tags
        if _typed_by_look(node, constructor):
            return node.value
        raise _not_read(f"unknown tag {_short_tag(node.tag)} (a pack holds plain values)", node)
    try:
        if node.tag == _INT and len(node.value) > _LONGEST_INT:
            raise OverflowError  # not built: ``1:1:1:...`` (base 60) takes quadratic time
        value = constructor.construct_object(node, deep=True)
        if type(value) is int:
            float(value)  # OverflowError past a float's range: numbers are worked out as floats
        return value
    except _UNREADABLE:
        if _typed_by_look(node, constructor):
            return node.value
        raise _not_read(f"{node.value!r} cannot be read as {_short_tag(node.tag)}", node) from None


def _typed_by_look(node: yaml.ScalarNode, constructor: Any) -> bool:
    """Whether ``node`` is plain (unquoted) and its tag is the one its text resolves to, so no
    tag was written (libyaml marks a plain scalar's style ``''``, PyYAML ``None``)."""
    implicit = constructor.resolve(yaml.ScalarNode, node.value, (True, False))
    return not node.style and bool(implicit == node.tag)


def _short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:float`` as it is written in a file, ``!!float``."""
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _not_read(message: str, node: yaml.Node) -> yaml.constructor.ConstructorError:
    """A constructor's error at ``node``'s line, read like any other YAML error."""
    return yaml.constructor.ConstructorError(None, None, message, node.start_mark)


class Unreadable(yaml.YAMLError):
    """A character no YAML file may hold (a control character, a lone surrogate), with its line:
    the readers report only an offset (libyaml's in bytes, PyYAML's in characters)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks, as marks count them


def _line_at(text: str, index: int) -> int:
    """The 1-based line of ``text[index]``; 0 when ``index`` is not in the text."""
    return len(_BREAK.findall(text, 0, index)) + 1 if 0 <= index < len(text) else 0


def load(text: str) -> Any:
    """Parse one YAML document; raises ``yaml.YAMLError`` (each with its line, for
    :func:`error_line`), :class:`DuplicateKey` or :class:`TooLarge`, never another exception."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:  # a lone surrogate (JSON may carry one): libyaml raises
        message = f"unacceptable character #x{ord(text[exc.start]):04x}: a lone surrogate"
        raise Unreadable(message, _line_at(text, exc.start)) from None
    if size > MAX_YAML_BYTES:
        raise TooLarge(size)
    try:
        return _parse(text)
    except yaml.reader.ReaderError as exc:
        # The readers stop at the first character they refuse, so it is that one's first place.
        message = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        raise Unreadable(message, _line_at(text, text.find(chr(exc.character)))) from None


def _parse(text: str) -> Any:
    """:func:`load` of text that is within the size limit and encodes as UTF-8."""
    if _FastLoader is not None:
        checker = _FastLoader(text)
        try:
            _refuse_unsafe(checker)
        finally:
            checker.dispose()
        loader = _FastLoader(text)
    else:  # PyYAML built without libyaml
        loader = _PackLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(node, loader)
    finally:
        loader.dispose()


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the loader refuses anchors, so a value used twice is written twice


def dump(value: Any) -> str:
    """Plain data as YAML that :func:`load` reads back (block style, keys in their order)."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def error_line(exc: Exception) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    return getattr(exc, "line", 0)


def wrap(value: Any) -> Any:
    """Plain dicts and lists (from JSON or a database) as :class:`Mapping`/:class:`Sequence`
    without line numbers, so the same validators read them."""
    if isinstance(value, dict):
        out = Mapping((k, wrap(v)) for k, v in value.items())
        out.line = 0
        out.key_lines = {}
        return out
    if isinstance(value, (list, tuple)):
        seq = Sequence(wrap(v) for v in value)
        seq.line = 0
        seq.item_lines = [0] * len(seq)
        return seq
    return value


def plain(value: Any) -> Any:
    """The reverse of :func:`wrap`: mappings and sequences as plain dicts (string keys) and
    lists, as JSON and the database keep them."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
