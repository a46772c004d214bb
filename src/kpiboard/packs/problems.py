"""Validation problems, collected rather than raised, so a user sees every mistake at once."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class Problems:
    """A growing list of problems; ``report`` is the one call sites use."""

    items: list[Problem] = field(default_factory=list)
    #: What is valid but has no effect, so an edit to it would go unnoticed: ``kpiboard check``
    #: lists these under the pack's summary; they never stop a pack loading.
    warnings: list[Problem] = field(default_factory=list)

    def report(self, file: str, line: int, fld: str, message: str) -> None:
        self.items.append(Problem(file, line, fld, message))

    def warn(self, file: str, line: int, fld: str, message: str) -> None:
        self.warnings.append(Problem(file, line, fld, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items), key=lambda p: (p.file, p.line, p.field, p.message))


class PackError(Exception):
    """A pack that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} found:\n"
            + "\n".join(str(p) for p in problems)
        )
