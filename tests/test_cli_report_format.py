"""``kpiboard report`` picks its output format from --format or the --out suffix (the registry's
names and suffixes), and says which it takes when neither names one."""

from __future__ import annotations

from click.testing import CliRunner

from kpiboard.cli import main


def test_report_format_from_an_upper_case_suffix(demo_pack_dir, tmp_path):
    out = tmp_path / "Board.PDF"
    result = CliRunner().invoke(main, ["report", str(demo_pack_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_report_format_option_wins_over_the_suffix(demo_pack_dir, tmp_path):
    out = tmp_path / "report.txt"
    args = ["report", str(demo_pack_dir), "--out", str(out), "--format", "html"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_without_a_format_names_the_formats_and_suffixes(demo_pack_dir, tmp_path):
    out = tmp_path / "report.docx"
    result = CliRunner().invoke(main, ["report", str(demo_pack_dir), "--out", str(out)])
    assert result.exit_code == 2
    assert "give --format html or pdf, or an --out ending .html or .pdf" in result.output
    assert not out.exists()
