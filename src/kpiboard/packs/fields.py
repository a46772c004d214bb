"""Reading typed fields out of YAML mappings, reporting what is wrong instead of raising."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any, Literal

from ..core.bounds import number_problem
from ..core.periods import FinancialCalendar, Period, PeriodError
from ..core.rating import Band
from .problems import Problems
from .yamlsource import Mapping, Sequence

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class FieldReader:
    """Reads one YAML mapping from one file; every problem goes into ``problems``."""

    def __init__(self, problems: Problems, file: str, mapping: Mapping, prefix: str = ""):
        self.problems, self.file, self.mapping, self.prefix = problems, file, mapping, prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def line(self, key: str | None = None) -> int:
        return self.mapping.line_of(key) if key is not None else self.mapping.line

    def problem(self, key: str, message: str) -> None:
        self.problems.report(self.file, self.line(key), self.name(key), message)

    def warning(self, key: str, message: str) -> None:
        self.problems.warn(self.file, self.line(key), self.name(key), message)

    def check_keys(self, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        allowed = list(allowed)
        for key in self.mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problems.report(
                    self.file, self.line(key), self.name(str(key)), f"unknown key{hint}"
                )
        for key in required:
            if key not in self.mapping or self.mapping[key] in (None, ""):
                self.problems.report(self.file, self.line(), self.name(key), "required but missing")

    def text(self, key: str, default: str = "") -> str:
        value = self.mapping.get(key)
        if value is None:
            return default
        if isinstance(value, (Mapping, Sequence, bool)):
            self.problem(key, "must be text")
            return default
        return str(value).strip()

    def ident(self, key: str) -> str:
        value = self.text(key)
        if value and not ID_PATTERN.fullmatch(value):
            self.problem(key, f"{value!r} is not a valid id (letters, digits, '-', '_', '.')")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.mapping.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, not {value!r}")
            return default
        return value

    def integer(self, key: str, default: int | None, low: int, high: int) -> int | None:
        value = self.mapping.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(key, f"must be a whole number from {low} to {high}, not {value!r}")
            return default
        return value

    def number(self, key: str) -> float | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(key, f"must be a number, not {value!r}")
            return None
        problem = number_problem(float(value))  # YAML's .inf and .nan, or a slip like 1e308
        if problem:
            self.problem(key, problem)
            return None
        return float(value)

    def choice(self, key: str, options: Iterable[str], default: str) -> str:
        value = self.mapping.get(key)
        if value is None:
            return default
        options = list(options)
        if str(value) not in options:
            self.problem(key, f"{value!r} is not one of: {', '.join(options)}")
            return default
        return str(value)

    def text_list(self, key: str) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, Sequence):
            self.problem(key, "must be a list, e.g. [a, b]")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, (Mapping, Sequence)) or item is None:
                self.problems.report(
                    self.file, value.line_of(i), f"{self.name(key)}[{i}]", "must be text"
                )
            else:
                out.append(str(item))
        return out

    def ordered_texts(self, key: str) -> tuple[tuple[str, str], ...]:
        """A mapping of label to text, kept in file order (metadata, notes)."""
        value = self.mapping.get(key)
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            self.problem(key, "must be a mapping of label: text")
            return ()
        out = []
        for label, text in value.items():
            if isinstance(text, (Mapping, Sequence)):
                self.problems.report(
                    self.file, value.line_of(label), f"{self.name(key)}.{label}", "must be text"
                )
            elif text is not None and str(text).strip():
                out.append((str(label), str(text).strip()))
        return tuple(out)

    def mapping_at(self, key: str) -> Mapping | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.problem(key, "must be a mapping (key: value lines)")
            return None
        return value

    def sequence_at(self, key: str) -> Sequence | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, Sequence):
            self.problem(key, "must be a list")
            return None
        return value

    def period(self, key: str, calendar: FinancialCalendar) -> Period | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        return parse_period(self, key, value, calendar)

    def band(self, key: str, allow_none: bool = True) -> tuple[bool, Band | None]:
        """(given, band): ``10%`` is relative, ``2.5`` an amount, ``none`` no band."""
        if key not in self.mapping:
            return False, None
        value = self.mapping[key]
        band = parse_band(value)
        if band is False:
            hint = ", or none" if allow_none else ""
            self.problem(
                key, f"{value!r} is not a band: write a share like 10% or an amount like 2.5{hint}"
            )
            return False, None
        if band is None and not allow_none:
            self.problem(key, "cannot be none here")
            return False, None
        return True, band


def parse_band(value: Any) -> Band | Literal[False] | None:
    """A :class:`Band`, ``None`` for "none", or ``False`` when unreadable."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return Band(float(value), relative=False) if value >= 0 else False
    text = str(value).strip()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", text):
        return Band(float(m[1]) / 100, relative=True)
    return False


def parse_period(
    reader: FieldReader, key: str, value: Any, calendar: FinancialCalendar
) -> Period | None:
    try:
        return calendar.parse(str(value))
    except PeriodError as exc:
        reader.problem(key, str(exc))
        return None
