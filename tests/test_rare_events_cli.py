"""A tiny NHS pack of rare events and a year-to-date count, through check, rate and report."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpiboard.cli import main

MANIFEST = """\
format: 1
title: Infection prevention
as_at: 2013-09
sections:
  - id: ipc
    title: Infection prevention and control
    summary:
      columns: [number, title, current, rating, direction, variation, assurance]
"""

INDICATORS = {
    "MRSA": """\
        id: MRSA
        section: ipc
        number: "1"
        title: MRSA bacteraemia
        unit: count
        polarity: lower_is_better
        spc: {chart: t}
        draft_commentary: true
    """,
    "NEVER": """\
        id: NEVER
        section: ipc
        number: "2"
        title: Never events
        unit: count
        polarity: lower_is_better
        spc: {chart: g, improvement: decrease}
    """,
    "FALLS": """\
        id: FALLS
        section: ipc
        number: "3"
        title: Falls with severe harm (XmR)
        unit: count
        polarity: lower_is_better
        spc: true
        draft_commentary: true
    """,
    "CDI": """\
        id: CDI
        section: ipc
        number: "4"
        title: C. difficile cases, year to date
        unit: count
        polarity: lower_is_better
        series:
          monthly: {label: Cases in the month}
        derive: {method: year_to_date, how: sum, source: monthly}
        spc: {on: monthly}
    """,
}

MRSA = [0, 1, 0, 0, 2, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0]
NEVER = [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
CDI = [3, 5, 4, 6, 2, 5, 4, 3, 5, 4, 6, 3, 4, 5, 3, 4, 5, 2, 3, 4, 5, 6, 4, 3, 4, 5, 3, 4, 2, 3]


def months(n: int) -> list[str]:
    out, year, month = [], 2011, 4
    for _ in range(n):
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    (tmp_path / "indicators").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "kpiboard.yaml").write_text(MANIFEST)
    for name, text in INDICATORS.items():
        (tmp_path / "indicators" / f"{name}.yaml").write_text(textwrap.dedent(text))
    rows = ["indicator,period,series,value"]
    for m, mrsa, never, falls, cdi in zip(months(30), MRSA, NEVER, NEVER, CDI, strict=True):
        rows += [f"MRSA,{m},actual,{mrsa}", f"MRSA,{m},target,0"]
        rows += [f"NEVER,{m},actual,{never}", f"FALLS,{m},actual,{falls}", f"FALLS,{m},target,0"]
        rows += [f"CDI,{m},monthly,{cdi}"]
    (tmp_path / "data" / "figures.csv").write_text("\n".join(rows) + "\n")
    return tmp_path


def test_rare_event_pack_checks_rates_and_reports_in_html_and_pdf(pack, tmp_path):
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(pack)])
    assert checked.exit_code == 0, checked.output
    rated = runner.invoke(main, ["rate", str(pack), "--format", "json"])
    assert rated.exit_code == 0, rated.output
    rows = {(r["indicator"], r["period"]): r for r in json.loads(rated.output)}
    # The XmR chart of a mostly-zero count judges no point; a t-chart judges each event's gap.
    assert rows[("FALLS", "2013-09")]["spc_point"] == "not_assessed"
    assert rows[("MRSA", "2013-08")]["spc_point"] == "common_cause"
    assert rows[("MRSA", "2013-09")]["spc_point"] is None  # no event in September
    html = tmp_path / "r.html"
    made = runner.invoke(main, ["report", str(pack), "--out", str(html)])
    assert made.exit_code == 0, made.output
    text = html.read_text()
    assert "MRSA bacteraemia: t-chart of the days between events" in text
    assert "Never events: g-chart of the days between events" in text
    assert "C. difficile cases, year to date: statistical process control chart of Cases" in text
    assert "SPC icons withheld: an XmR chart does not suit these figures" in text
    assert "Special cause" not in text.split('id="ind-FALLS"')[1].split('id="ind-CDI"')[0]
    pdf = tmp_path / "r.pdf"
    made = runner.invoke(main, ["report", str(pack), "--out", str(pdf)])
    assert made.exit_code == 0, made.output
    assert pdf.read_bytes().startswith(b"%PDF")


def test_check_refuses_spc_straight_on_the_year_to_date_figure(pack):
    path = pack / "indicators" / "CDI.yaml"
    path.write_text(path.read_text().replace("spc: {on: monthly}", "spc: true"))
    result = CliRunner().invoke(main, ["check", str(pack)])
    assert result.exit_code == 1
    assert "indicators/CDI.yaml:10: spc: SPC cannot chart a year-to-date" in result.output
    assert "spc: {on: monthly}" in result.output
