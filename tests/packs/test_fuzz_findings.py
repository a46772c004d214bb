"""Inputs that bench/fuzz_inputs.py found crashing, kept as they were found: each must now be
refused with one clear problem naming the file, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpiboard.packs.import_rows import check_import_file
from kpiboard.packs.problems import PackError

FOUND = sorted((Path(__file__).parent.parent / "fixtures" / "fuzz").glob("*.xlsx"))


@pytest.mark.parametrize("path", FOUND, ids=[p.name for p in FOUND])
def test_fuzz_finding_is_refused_with_a_clear_problem(demo_pack, path):
    with pytest.raises(PackError) as refused:
        check_import_file(demo_pack, path)
    (problem,) = refused.value.problems
    assert problem.file and "not a readable spreadsheet" in problem.message


def test_fuzz_findings_are_kept():
    assert len(FOUND) >= 3
