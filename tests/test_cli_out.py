"""``--out`` paths that cannot be written: one clear line and exit status 1, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpiboard.cli import main


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = [ln for ln in result.output.splitlines() if not ln.startswith("Building")]
    assert "Traceback" not in result.output
    return line


@pytest.mark.parametrize("command", ["report", "export"])
def test_a_folder_as_out_is_refused(demo_pack_dir, tmp_path, command):
    line = run(command, str(demo_pack_dir), "--out", str(tmp_path))
    assert line == f"Error: cannot write {tmp_path}: it is a folder; give a file name"


@pytest.mark.parametrize(("command", "name"), [("report", "r.html"), ("export", "r.csv")])
def test_a_file_where_a_folder_should_be_is_refused(demo_pack_dir, tmp_path, command, name):
    (tmp_path / "notes.txt").write_text("x")
    out = tmp_path / "notes.txt" / "deeper" / name
    line = run(command, str(demo_pack_dir), "--out", str(out))
    assert line == f"Error: cannot write {out}: {tmp_path / 'notes.txt'} is not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder")
@pytest.mark.parametrize(("command", "name"), [("report", "r.html"), ("export", "r.xlsx")])
def test_a_folder_without_write_permission_is_refused(demo_pack_dir, tmp_path, command, name):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        line = run(command, str(demo_pack_dir), "--out", str(locked / name))
    finally:
        locked.chmod(0o700)
    assert line == f"Error: cannot write {locked / name}: no permission to write in {locked}"


@pytest.mark.skipif(not Path("/proc/version").exists(), reason="needs Linux /proc")
def test_a_place_the_system_does_not_allow_files_is_refused(demo_pack_dir):
    line = run("export", str(demo_pack_dir), "--out", "/proc/kpiboard-results.csv")
    assert line.startswith("Error: cannot write /proc/kpiboard-results.csv: ")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_refused(demo_pack_dir):
    line = run("report", str(demo_pack_dir), "--out", "/dev/full", "--format", "html")
    assert line == "Error: cannot write /dev/full: No space left on device"
