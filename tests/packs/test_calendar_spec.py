"""The manifest's reporting calendar: read into rules, and every mistake reported with file,
line and field."""

from __future__ import annotations

from datetime import date

from kpiboard.core.due_dates import Milestone, Offset
from kpiboard.packs.loader import check_pack, load_pack

CALENDAR = """\
format: 1
title: Test performance report
organisation: Test Council
as_at: 2013-09
reporting_calendar:
  first_period: 2013-07
  figures_due: 8 working days
  commentary_due: 12 working days
  remind_before: 2 working days
  dates:
    2013-12:
      committee: 2014-01-28
sections:
  - id: asc
    title: Adult Social Care
    calendar:
      figures_due: 6 working days
      escalate_after: 10 days
      dates:
        2013-10:
          figures_due: 2013-11-12
"""


def test_reporting_calendar_read_from_the_manifest(pack_dir):
    (pack_dir / "kpiboard.yaml").write_text(CALENDAR, "utf-8")
    calendar = load_pack(pack_dir).reporting_calendar
    assert calendar.first_period.label == "2013-07"
    site = calendar.rules
    assert site.offsets[Milestone.FIGURES] == Offset(8)
    assert site.offsets[Milestone.APPROVAL] == Offset(20)  # the default
    assert site.remind_before == Offset(2)
    assert site.fixed == {"2013-12": {Milestone.COMMITTEE: date(2014, 1, 28)}}
    asc = calendar.rules_for("asc")
    assert asc.offsets[Milestone.FIGURES] == Offset(6)
    assert asc.offsets[Milestone.COMMENTARY] == Offset(12)  # the manifest's, not overridden
    assert asc.escalate_after == Offset(10, working=False)
    assert asc.fixed["2013-10"] == {Milestone.FIGURES: date(2013, 11, 12)}
    assert asc.fixed["2013-12"] == {Milestone.COMMITTEE: date(2014, 1, 28)}


def test_reporting_calendar_defaults_to_the_month_after_the_report(pack_dir):
    calendar = load_pack(pack_dir).reporting_calendar  # no reporting_calendar in the manifest
    assert calendar.first_period.label == "2013-10"  # as_at is 2013-09
    assert calendar.rules.offsets[Milestone.FIGURES] == Offset(10)
    assert calendar.sections == {}


def test_reporting_calendar_mistakes_reported_with_file_line_and_field(pack_dir):
    bad = (
        CALENDAR.replace("8 working days", "eight working days")
        .replace("first_period: 2013-07", "first_period: Smarch-13")
        .replace("committee: 2014-01-28", "committee: 28/01/2014")
        .replace(
            "      escalate_after: 10 days", "      escalate_after: 10 days\n      remind: 3 days"
        )
        .replace("        2013-10:", "        2013-13:")
    )
    (pack_dir / "kpiboard.yaml").write_text(bad, "utf-8")
    lines = [str(p) for p in check_pack(pack_dir)]
    assert any(
        line.startswith("kpiboard.yaml:6: reporting_calendar.first_period:") for line in lines
    )
    assert (
        "kpiboard.yaml:7: reporting_calendar.figures_due: 'eight working days' is not a number "
        "of days (write e.g. '10 working days' or '5 days')"
    ) in lines
    assert (
        "kpiboard.yaml:12: reporting_calendar.dates.2013-12.committee: '28/01/2014' is not a date "
        "(write e.g. 2014-01-28)"
    ) in lines
    assert any(
        line.startswith("kpiboard.yaml:19: sections[0].calendar.remind: unknown key")
        for line in lines
    )
    assert any(
        line.startswith("kpiboard.yaml:21: sections[0].calendar.dates.2013-13:") for line in lines
    )
    assert len(lines) == 5


def test_reporting_calendar_milestones_must_come_in_order(pack_dir):
    (pack_dir / "kpiboard.yaml").write_text(
        CALENDAR.replace("commentary_due: 12 working days", "commentary_due: 4 working days"),
        "utf-8",
    )
    lines = [str(p) for p in check_pack(pack_dir)]
    assert any(
        line.startswith(
            "kpiboard.yaml:8: reporting_calendar.commentary_due: "
            "4 working days comes before figures_due"
        )
        for line in lines
    )
