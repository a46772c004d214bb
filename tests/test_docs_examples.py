"""Every ```yaml example in docs/*.md works: dropped into a pack, it passes ``kpiboard check`` and
every command that reads a pack runs over it without an error (issue 8: the documented
``spc: {rebase: [2013-04]}`` passed the check and then crashed every report). And every key the
pack loader accepts is shown by at least one example, so a new option cannot go undocumented (or
untried) by accident.
"""

from __future__ import annotations

import re
import traceback
from collections import defaultdict

import pytest
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.core.summary_columns import SummaryColumnKey

from .docs_examples import (
    Block,
    build_example,
    check_sites,
    load_recording,
    shown_keys,
    summary_columns,
    yaml_blocks,
)

BLOCKS = yaml_blocks()

#: Every command that reads a pack, and the file it writes (if any).
COMMANDS = [
    (["check"], None),
    (["rate", "--format", "table"], None),
    (["rate", "--format", "csv"], None),
    (["rate", "--format", "json"], None),
    (["report", "--out"], "report.html"),
    (["report", "--out"], "report.pdf"),
    (["export", "--out"], "results.csv"),
    (["export", "--out"], "results.xlsx"),
    (["export", "--layout", "wide", "--out"], "wide.csv"),
    (["draft"], None),
    (["draft", "--format", "json"], None),
    (["publish", "--out"], "site"),
]


def _run(block: Block, args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    trace = ""
    if result.exc_info and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info))
    assert result.exit_code == 0 and result.exception is None, (
        f"{block.where}: `kpiboard {' '.join(args)}` exited {result.exit_code}\n"
        f"{result.output}\n{trace}"
    )


def test_the_docs_have_yaml_examples():
    assert len(BLOCKS) >= 4
    assert {b.doc for b in BLOCKS} >= {"pack-format.md", "spc.md"}


@pytest.mark.parametrize("block", BLOCKS, ids=[b.where for b in BLOCKS])
def test_docs_example_runs_through_every_command(block, tmp_path):
    example = build_example(block, tmp_path)
    pack = str(example.root)
    for args, out in COMMANDS:
        target = [str(tmp_path / out)] if out else []
        _run(block, [args[0], pack, *args[1:], *target])
        if out:
            written = tmp_path / out
            empty = not any(written.iterdir()) if written.is_dir() else not written.stat().st_size
            assert not empty, f"{block.where}: {out} is empty"
    for subset in example.manifest.get("subsets") or {}:
        _run(block, ["report", pack, "--subset", str(subset), "--out", str(tmp_path / "s.html")])


def _readable(prefix: str) -> str:
    return re.sub(r"\[\d+\]", "[]", prefix)


def test_every_key_the_loader_accepts_has_a_docs_example(tmp_path):
    """A key the loader's ``check_keys`` accepts (anywhere: indicator, manifest, spc, rules,
    derive, series, sections ...) that no ```yaml example writes is named here."""
    allowed: dict[object, set[str]] = defaultdict(set)
    shown: dict[object, set[str]] = defaultdict(set)
    prefix: dict[object, str] = {}
    for n, block in enumerate(BLOCKS):
        example = build_example(block, tmp_path / str(n))
        for check, keys in shown_keys(example, load_recording(example)):
            site = check.site or (check.file.split("/")[0], _readable(check.prefix))
            allowed[site] |= set(check.allowed)
            shown[site] |= keys
            kind = "indicator" if check.file.startswith("indicators/") else "manifest"
            prefix.setdefault(site, f"{kind} key {_readable(check.prefix)}")
    missing = []
    for site in check_sites():
        if site not in allowed:
            keys = ", ".join(site.literal or ("(its keys)",))
            missing.append(f"no example reaches the mapping checked at {site.where}: {keys}")
    for site, keys in allowed.items():
        where = f" (checked at {site.where})" if hasattr(site, "where") else ""
        missing += [f"{prefix[site]}{key}{where}" for key in sorted(keys - shown[site])]
    assert not missing, (
        "these keys the pack loader accepts appear in no ```yaml example in docs/*.md; "
        "document each with a real example:\n  " + "\n  ".join(missing)
    )


def test_every_summary_column_has_a_docs_example(tmp_path):
    shown = set()
    for n, block in enumerate(BLOCKS):
        shown |= summary_columns(build_example(block, tmp_path / str(n)))
    columns = set(SummaryColumnKey)
    missing = sorted(columns - shown)
    if not any(c.startswith("tag:") for c in shown):
        missing.append("tag:NAME")
    assert not missing, (
        "these summary columns appear in no manifest example's sections[].summary.columns in "
        f"docs/*.md: {', '.join(missing)}"
    )
