"""Hostile pack files: YAML bombs, deep nesting, huge files and links out of the pack are
refused quickly, each with a file:line message, never a traceback or a memory blow-up."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kpiboard.core.periods import UK
from kpiboard.packs import yamlsource
from kpiboard.packs.importer import apply_import, plan_import
from kpiboard.packs.loader import check_pack, load_pack
from kpiboard.packs.yamlsource import MAX_YAML_BYTES, dump, load


@pytest.fixture(autouse=True, params=["libyaml", "pure Python"])
def yaml_reader(request, monkeypatch):
    """Every refusal holds for both readers: libyaml's C parser (used when PyYAML has it) and the
    pure-Python fallback, with the same messages and lines."""
    if request.param == "pure Python":
        monkeypatch.setattr(yamlsource, "_FastLoader", None)
    elif yamlsource._FastLoader is None:  # pragma: no cover - PyYAML wheels carry libyaml
        pytest.skip("PyYAML was built without libyaml")
    return request.param


def problems_of(pack: Path) -> list[str]:
    started = time.perf_counter()
    found = [str(p) for p in check_pack(pack)]
    assert time.perf_counter() - started < 1.0
    return found


def alias_bomb(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_the_manifest_is_refused_at_its_first_anchor(pack_dir):
    manifest = pack_dir / "kpiboard.yaml"
    manifest.write_text(manifest.read_text() + alias_bomb())
    found = problems_of(pack_dir)  # the manifest is unreadable, so its sections are unknown too
    assert "kpiboard.yaml:8: not valid YAML: anchors (&l0) are not allowed in a pack" in found
    assert not any("Error" in message for message in found)


def test_an_alias_to_an_anchor_is_refused_with_its_line(pack_dir):
    path = pack_dir / "indicators" / "ASC02.yaml"
    path.write_text("x: &base {a: 1}\n" + path.read_text())
    assert problems_of(pack_dir) == [
        "indicators/ASC02.yaml:1: not valid YAML: anchors (&base) are not allowed in a pack"
    ]
    with pytest.raises(Exception, match=r"aliases \(\*a\) are not allowed"):
        load("x: *a\n")


@pytest.mark.parametrize(
    "nested",
    ["tags: " + "[" * 5000 + "]" * 5000, "tags: " + "{a: " * 5000 + "1" + "}" * 5000],
)
def test_deep_nesting_is_refused_without_a_recursion_error(pack_dir, nested):
    path = pack_dir / "indicators" / "ASC02.yaml"
    path.write_text(path.read_text() + nested + "\n")
    assert problems_of(pack_dir) == [
        "indicators/ASC02.yaml:9: not valid YAML: nested more than 50 levels deep"
    ]


def test_a_yaml_file_over_the_size_limit_is_refused_unread(pack_dir):
    path = pack_dir / "indicators" / "ASC02.yaml"
    path.write_text(path.read_text() + "# " + "x" * MAX_YAML_BYTES + "\n")
    (message,) = problems_of(pack_dir)
    assert message.startswith("indicators/ASC02.yaml: 1,000,")
    assert "is larger than this file may be (1,000,000 bytes)" in message


def test_yaml_written_by_kpiboard_never_uses_aliases():
    shared = {"label": "Shared"}
    text = dump({"a": shared, "b": shared})
    assert "&" not in text and "*" not in text
    assert load(text) == {"a": shared, "b": shared}


def test_a_link_to_a_file_outside_the_pack_is_not_followed(pack_dir, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("## 2013-09\n\nprivate words\n")
    (pack_dir / "commentary" / "ASC02.md").symlink_to(secret)
    (pack_dir / "narrative").mkdir()
    (pack_dir / "narrative" / "passwd.md").symlink_to("/etc/passwd")
    assert problems_of(pack_dir) == [
        f"commentary/ASC02.md: is a link to {secret}, outside the pack folder; "
        "a pack reads only its own files",
        "narrative/passwd.md: is a link to /etc/passwd, outside the pack folder; "
        "a pack reads only its own files",
    ]


def test_a_folder_that_links_out_of_the_pack_is_refused_whole(pack_dir, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "ASC02.md").write_text("## 2013-09\n\nfrom elsewhere\n")
    (pack_dir / "commentary" / "ASC01.md").unlink()
    (pack_dir / "commentary").rmdir()
    (pack_dir / "commentary").symlink_to(outside)
    assert problems_of(pack_dir) == [
        f"commentary/: is a link to {outside}, outside the pack folder; "
        "a pack reads only its own files"
    ]


def test_links_that_stay_inside_the_pack_are_followed(pack_dir):
    shared = pack_dir / "shared.md"
    shared.write_text("## 2013-09\n\nShared words.\n")
    (pack_dir / "commentary" / "ASC02.md").symlink_to(Path("..") / "shared.md")
    assert problems_of(pack_dir) == []


def test_a_pipe_in_the_pack_is_refused_rather_than_read_forever(pack_dir):
    os.mkfifo(pack_dir / "indicators" / "ASC04.yaml")
    assert problems_of(pack_dir) == ["indicators/ASC04.yaml: is not a plain file"]


def test_an_import_edits_the_data_file_the_loader_reads_not_a_hidden_copy(pack_dir, tmp_path):
    hidden = pack_dir / "data" / ".actuals.csv"
    hidden.write_text((pack_dir / "data" / "actuals.csv").read_text())
    before = hidden.read_bytes()
    upload = tmp_path / "new.csv"
    upload.write_text("indicator,period,series,value\nASC02,2013-09,actual,8\n")
    apply_import(plan_import(pack_dir, upload))
    data = load_pack(pack_dir).data["ASC02"]
    assert data.get("actual")[data.index_of(UK.parse("2013-09"))] == 8
    assert hidden.read_bytes() == before
