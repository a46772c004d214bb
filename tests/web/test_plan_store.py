"""The business plan files kept in the database: revisions, the site's pack, and export."""

from __future__ import annotations

import shutil

import pytest
import yaml

from kpiboard.core.plan import assess
from kpiboard.packs.loader import load_pack
from kpiboard.packs.plan import PLAN_FILES
from kpiboard.web.models import Figure, Indicator, PlanFile
from kpiboard.web.store import (
    bump_version,
    clear_cache,
    current_pack,
    export_pack,
    load_pack_into_db,
)

pytestmark = pytest.mark.django_db


def test_demo_site_holds_each_plan_file_once(demo_site):
    assert sorted(PlanFile.objects.filter(is_current=True).values_list("name", flat=True)) == (
        sorted(PLAN_FILES)
    )


def test_site_pack_has_the_same_plan_as_the_pack_folder(demo_site, demo_pack):
    clear_cache()
    assert current_pack().plan == demo_pack.plan
    assert len(current_pack().plan.actions) == 13


def test_export_writes_the_plan_and_reads_back_the_same(demo_site, demo_pack, tmp_path):
    folder = export_pack(tmp_path / "backup")
    assert sorted(str(p.relative_to(folder)) for p in (folder / "plan").iterdir()) == sorted(
        PLAN_FILES
    )
    assert load_pack(folder).plan == demo_pack.plan


def test_a_changed_plan_file_gets_a_new_revision(demo_site, demo_pack_dir, tmp_path):
    changed = tmp_path / "pack"
    shutil.copytree(demo_pack_dir, changed)
    risks = changed / "plan" / "risks.yaml"
    risks.write_text(risks.read_text("utf-8").replace("appetite: 9", "appetite: 10"), "utf-8")
    load_pack_into_db(changed, reason="Appetite raised")
    rows = PlanFile.objects.filter(name="plan/risks.yaml").order_by("revision")
    assert [(r.revision, r.is_current, r.reason) for r in rows][-1] == (2, True, "Appetite raised")
    assert rows.first().is_current is False
    clear_cache()
    assert current_pack().plan.matrix.appetite == 10


def test_a_retired_indicator_named_by_the_plan_leaves_the_site_working(demo_site):
    Indicator.objects.filter(code="ASC07").update(archived=True)
    bump_version()
    clear_cache()
    pack = current_pack()
    assert "ASC07" not in pack.indicators
    hosp = next(r for r in pack.plan.risks if r.id == "R-HOSP")
    assert [k.indicator for k in hosp.kris] == ["ASC07", "ASC04"]  # kept as written
    status = assess(pack.plan, pack.as_at, pack.analyse())
    state = next(r for r in status.risks if r.risk.id == "R-HOSP")
    assert [k.kri.indicator for k in state.kris] == ["ASC04"]  # no trigger from a retired one
    clear_cache()


def retire_in_pack(folder, code: str) -> None:
    """Retire ``code`` the way a pack author does: its files go, its code is listed."""
    (folder / "indicators" / f"{code}.yaml").unlink()
    (folder / "commentary" / f"{code}.md").unlink(missing_ok=True)
    for data in (folder / "data").glob("*.csv"):
        lines = data.read_text("utf-8").splitlines(keepends=True)
        data.write_text("".join(line for line in lines if not line.startswith(f"{code},")), "utf-8")
    manifest = folder / "kpiboard.yaml"
    body = yaml.safe_load(manifest.read_text("utf-8"))
    body["retired_indicators"] = [code]
    for section in body["sections"]:
        if code in section.get("indicators", []):
            section["indicators"].remove(code)
    manifest.write_text(yaml.safe_dump(body, sort_keys=False), "utf-8")


def test_loadpack_retires_an_indicator_the_manifest_lists(demo_site, demo_pack_dir, tmp_path):
    folder = tmp_path / "pack"
    shutil.copytree(demo_pack_dir, folder)
    retire_in_pack(folder, "ASC07")
    load_pack_into_db(folder, reason="ASC07 retired")
    clear_cache()
    assert Indicator.objects.get(code="ASC07").archived
    assert "ASC07" not in current_pack().indicators
    # Nothing deleted: its figures stay in the database.
    assert Figure.objects.filter(indicator__code="ASC07").exists()
    clear_cache()


def test_export_after_retiring_an_indicator_the_plan_names_reads_back(demo_site, tmp_path):
    Indicator.objects.filter(code="ASC07").update(archived=True)
    bump_version()
    clear_cache()
    folder = export_pack(tmp_path / "backup")
    exported = load_pack(folder)
    assert "ASC07" not in exported.indicators
    assert "retired_indicators:\n- ASC07" in (folder / "kpiboard.yaml").read_text("utf-8")
    assert exported.plan == current_pack().plan  # the plan still names ASC07, as written
    clear_cache()


def test_loading_the_export_again_keeps_the_indicator_retired(demo_site, tmp_path):
    Indicator.objects.filter(code="ASC07").update(archived=True)
    bump_version()
    clear_cache()
    folder = export_pack(tmp_path / "backup")
    Indicator.objects.filter(code="ASC07").update(archived=False)
    load_pack_into_db(folder, reason="restored")
    assert Indicator.objects.get(code="ASC07").archived
    clear_cache()


def test_a_pack_that_defines_an_indicator_again_brings_it_back(demo_site, demo_pack_dir):
    Indicator.objects.filter(code="ASC07").update(archived=True)
    load_pack_into_db(demo_pack_dir, reason="back again")
    assert not Indicator.objects.get(code="ASC07").archived
    clear_cache()
