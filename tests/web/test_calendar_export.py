"""The reporting calendar lives in the database as the pack gave it, and ``exportpack`` writes
it back, so a backup restores the same due dates."""

from __future__ import annotations

import shutil

from kpiboard.core.due_dates import Milestone, Offset
from kpiboard.packs.loader import load_pack
from kpiboard.web.store import current_pack, export_pack, load_pack_into_db

CALENDAR = """\
reporting_calendar:
  first_period: 2013-08
  figures_due: 7 working days
  dates:
    2013-12:
      committee: 2014-02-11
"""


def test_calendar_loaded_into_the_database_and_exported_back(db, demo_pack_dir, tmp_path):
    pack_dir = shutil.copytree(demo_pack_dir, tmp_path / "pack")
    manifest = (pack_dir / "kpiboard.yaml").read_text("utf-8")
    manifest = manifest.replace("as_at: 2013-09\n", "as_at: 2013-09\n" + CALENDAR)
    manifest = manifest.replace(
        "  - id: scs\n", "  - id: scs\n    calendar:\n      figures_due: 5 working days\n"
    )
    (pack_dir / "kpiboard.yaml").write_text(manifest, "utf-8")
    load_pack_into_db(pack_dir)
    loaded = current_pack().reporting_calendar
    assert loaded.first_period.label == "2013-08"
    assert loaded.rules.offsets[Milestone.FIGURES] == Offset(7)
    assert loaded.rules_for("scs").offsets[Milestone.FIGURES] == Offset(5)
    exported = load_pack(export_pack(tmp_path / "backup")).reporting_calendar
    assert exported == loaded
