"""Every environment variable the code reads is documented in docs/web.md (a setting nobody can
find is a setting nobody can use), and the docs name no variable the code has dropped."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIABLE = re.compile(r"\b(KPIBOARD_[A-Z][A-Z0-9_]*[A-Z0-9]|DATABASE_URL)\b")


def variables_in(paths) -> set[str]:
    return {name for path in paths for name in VARIABLE.findall(path.read_text(encoding="utf-8"))}


def test_every_variable_the_code_reads_is_in_the_web_docs():
    code = variables_in((ROOT / "src" / "kpiboard").rglob("*.py"))
    documented = variables_in([ROOT / "docs" / "web.md"])
    assert "KPIBOARD_SECRET_KEY" in code
    assert sorted(code - documented) == []


def test_the_web_docs_name_no_variable_the_code_does_not_read():
    code = variables_in((ROOT / "src" / "kpiboard").rglob("*.py"))
    code |= variables_in((ROOT / "tests").rglob("*.py"))  # set by the test setup, documented too
    documented = variables_in([ROOT / "docs" / "web.md"])
    assert sorted(documented - code) == []
