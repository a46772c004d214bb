"""The pack's benchmarks.yaml in the web application: ``loadpack`` keeps it (checked, with the
file's own lines in its messages), ``exportpack`` gives it back as written, so the exported pack
can fetch its benchmarks again, and a new pack's mapping replaces the one held. The export puts
back into the fetch's own files only the figures loaded from them and not changed since, so a
fetch never removes a figure someone keyed in; and the mapping, today's, stays out of the pack
as it stood earlier (reports as approved, publishing)."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kpiboard.demo import DemoKind, pack_source
from kpiboard.demo.nhs_trust import OWN_CODE, SMOKING_AT_DELIVERY
from kpiboard.demo.nhs_trust.fingertips import fingertips_csv
from kpiboard.packs.benchmark_files import DATA_FILE, PEER_FILE, plan_from_downloads
from kpiboard.packs.loader import load_pack
from kpiboard.packs.problems import PackError
from kpiboard.web import publishing
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Figure, Role, Section, Signoff, SignoffState, Site
from kpiboard.web.pack_benchmarks import FORGET_WITH_MAPPING, KEPT
from kpiboard.web.report_files import ReportChoices, make
from kpiboard.web.store import export_pack, load_pack_into_db
from kpiboard.web.writes import save_period_entry

MAPPING = "benchmarks.yaml"
DOWNLOAD = fingertips_csv(OWN_CODE, "Northbrook Hospitals NHS Foundation Trust",
                          SMOKING_AT_DELIVERY)  # fmt: skip


@pytest.fixture
def nhs_copy(tmp_path):
    return shutil.copytree(pack_source(DemoKind.NHS_TRUST), tmp_path / "nhs")


def _with_mapping(pack, text: str):
    (pack / MAPPING).write_text(text, "utf-8")
    return pack


def _fetch(pack) -> str:
    """What ``kpiboard benchmarks fetch`` would do to ``pack`` with the demo's download."""
    return plan_from_downloads(pack, [("fingertips.csv", DOWNLOAD)]).describe()


def _lines(path) -> list[str]:
    return path.read_text("utf-8").splitlines() if path.exists() else []


def _move_row(pack, row: str, source: str, target: str) -> None:
    """Move a figure's line from one of ``pack``'s files to another (made with a header)."""
    lines = _lines(pack / source)
    assert row in lines
    (pack / source).write_text("".join(f"{x}\n" for x in lines if x != row), "utf-8")
    header = _lines(pack / source)[0]
    (pack / target).write_text("\n".join(_lines(pack / target) or [header]) + f"\n{row}\n")


def test_loadpack_keeps_benchmarks_yaml_and_exportpack_writes_it_back_as_loaded(db, tmp_path):
    source = pack_source(DemoKind.NHS_TRUST)
    call_command("loadpack", str(source))
    call_command("exportpack", str(tmp_path / "out"))
    assert (tmp_path / "out" / MAPPING).read_bytes() == (source / MAPPING).read_bytes()
    assert load_pack(tmp_path / "out").benchmarks == load_pack(source).benchmarks is not None


def test_an_exported_pack_fetches_its_benchmarks_again(db, tmp_path):
    source = pack_source(DemoKind.NHS_TRUST)
    load_pack_into_db(source)
    exported = export_pack(tmp_path / "out")
    download = DOWNLOAD
    plan = plan_from_downloads(exported, [("fingertips.csv", download)])
    fetched = sum(
        len((source / rel).read_text("utf-8").splitlines()) - 1 for rel in (DATA_FILE, PEER_FILE)
    )
    assert fetched > 0 and plan.unchanged == fetched  # the same download: every figure as held
    assert not plan.changes and not plan.contents
    revised = download.replace('"England","Female","All ages","","","2022/23","9.9"',
                               '"England","Female","All ages","","","2022/23","9.8"')  # fmt: skip
    assert revised != download
    plan = plan_from_downloads(exported, [("fingertips.csv", revised)])
    assert [(c.key[1:], c.old, c.new) for c in plan.changes] == [(("2022/23", "england"), 9.9, 9.8)]


def test_loadpack_with_a_new_benchmarks_yaml_replaces_the_one_held(db, nhs_copy, tmp_path):
    load_pack_into_db(nhs_copy)
    text = (nhs_copy / MAPPING).read_text("utf-8").replace("area_code: RNB", "area_code: RNX")
    load_pack_into_db(_with_mapping(nhs_copy, text))
    assert Site.get().benchmarks == text
    assert load_pack(export_pack(tmp_path / "out")).benchmarks.area_code == "RNX"


def test_loadpack_refuses_a_bad_benchmarks_yaml_by_file_and_line_and_keeps_the_one_held(
    db, nhs_copy
):
    load_pack_into_db(nhs_copy)
    held = Site.get().benchmarks
    text = held.replace("    MAT01:", "    NOPE01:")
    line = text.splitlines().index("    NOPE01:") + 1
    with pytest.raises(CommandError) as caught:
        call_command("loadpack", str(_with_mapping(nhs_copy, text)))
    assert f"{MAPPING}:{line}: fingertips.indicators.NOPE01: no such indicator" in str(caught.value)
    assert Site.get().benchmarks == held


def test_loadpack_without_benchmarks_yaml_keeps_the_one_held(db, nhs_copy, tmp_path):
    load_pack_into_db(nhs_copy)
    held = Site.get().benchmarks
    (nhs_copy / MAPPING).unlink()
    load_pack_into_db(nhs_copy)
    assert Site.get().benchmarks == held
    assert (export_pack(tmp_path / "out") / MAPPING).read_text("utf-8") == held


def test_loadpack_without_benchmarks_yaml_refuses_a_change_the_held_mapping_no_longer_fits(
    db, nhs_copy
):
    load_pack_into_db(nhs_copy)
    (nhs_copy / MAPPING).unlink()
    manifest = nhs_copy / "kpiboard.yaml"
    text = manifest.read_text("utf-8").replace(", MAT01]", "]")
    manifest.write_text(text + "retired_indicators: [MAT01]\n", "utf-8")
    (nhs_copy / "indicators" / "MAT01.yaml").unlink()
    (nhs_copy / "commentary" / "MAT01.md").unlink(missing_ok=True)
    for csv_file in [*(nhs_copy / "data").iterdir(), *(nhs_copy / "peers").iterdir()]:
        lines = csv_file.read_text("utf-8").splitlines(keepends=True)
        csv_file.write_text("".join(x for x in lines if not x.startswith("MAT01,")), "utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("loadpack", str(nhs_copy))
    message = str(caught.value)
    assert KEPT in message and "fingertips.indicators.MAT01: no such indicator" in message
    assert Site.get().benchmarks is not None  # nothing written: MAT01 still live
    call_command("loadpack", str(nhs_copy), "--forget-benchmarks")  # the way out KEPT names
    assert Site.get().benchmarks is None


def test_loadpack_forget_benchmarks_drops_the_held_mapping_from_the_export(db, nhs_copy, tmp_path):
    load_pack_into_db(nhs_copy)
    (nhs_copy / MAPPING).unlink()
    call_command("loadpack", str(nhs_copy), "--forget-benchmarks")
    exported = export_pack(tmp_path / "out")
    assert Site.get().benchmarks is None and not (exported / MAPPING).exists()
    assert load_pack(exported).benchmarks is None


def test_loadpack_forget_benchmarks_refuses_a_pack_that_brings_one(db, nhs_copy):
    load_pack_into_db(nhs_copy)
    held = Site.get().benchmarks
    text = held.replace("area_code: RNB", "area_code: RNX")
    with pytest.raises(CommandError) as caught:
        call_command("loadpack", str(_with_mapping(nhs_copy, text)), "--forget-benchmarks")
    assert f"{MAPPING}: {FORGET_WITH_MAPPING}" in str(caught.value)
    assert Site.get().benchmarks == held


def test_export_leaves_figures_keyed_in_out_of_the_files_a_fetch_rewrites(db, nhs_copy, tmp_path):
    (nhs_copy / "data" / "comparators.csv").write_text(
        "indicator,period,series,value\nMAT01,2021/22,england,11.2\n", "utf-8"
    )
    (nhs_copy / "peers" / "manual.csv").write_text(
        "indicator,period,organisation,value\nMAT01,2023/24,T999,7.5\n", "utf-8"
    )
    assert " 0 removed, " in _fetch(nhs_copy)
    load_pack_into_db(nhs_copy)
    exported = export_pack(tmp_path / "out")
    plan = plan_from_downloads(exported, [("fingertips.csv", DOWNLOAD)])
    assert not plan.changes and not plan.contents  # nothing the user keyed in is removed
    assert "MAT01,2021/22,england,11.2," in _lines(exported / "data" / "figures.csv")
    assert "MAT01,2023/24,T999,7.5" in _lines(exported / "peers" / "peers.csv")
    assert not any("2021/22" in x or "T999" in x for x in _lines(exported / DATA_FILE))
    assert not any("T999" in x for x in _lines(exported / PEER_FILE))


def test_a_fetched_figure_corrected_on_the_web_is_exported_as_the_users_and_a_fetch_names_it(
    db, nhs_copy, tmp_path
):
    load_pack_into_db(nhs_copy)
    analyst, _ = create_person("analyst", Role.ANALYST)
    current = Figure.objects.get(
        indicator__code="MAT01", period="2023/24", series="england", is_current=True
    )
    save_period_entry(analyst, "MAT01", "2023/24", {"england": 9.0},
                      {"england": current.revision}, None, 0, "Corrected")  # fmt: skip
    exported = export_pack(tmp_path / "out")
    figures = _lines(exported / "data" / "figures.csv")
    assert "MAT01,2023/24,england,9.0," in figures
    assert not any(x.startswith("MAT01,2023/24,england,") for x in _lines(exported / DATA_FILE))
    with pytest.raises(PackError) as caught:
        _fetch(exported)
    line = figures.index("MAT01,2023/24,england,9.0,") + 1
    assert f"data/figures.csv:{line}: MAT01 2023/24 england is here already" in str(caught.value)


def test_a_figure_keyed_in_then_fetched_goes_back_to_the_fetch_file_without_a_new_revision(
    db, nhs_copy, tmp_path
):
    row = "MAT01,2022/23,england,9.9"
    _move_row(nhs_copy, row, DATA_FILE, "data/comparators.csv")
    load_pack_into_db(nhs_copy)
    keyed = export_pack(tmp_path / "keyed")
    assert f"{row}," in _lines(keyed / "data" / "figures.csv")
    _move_row(nhs_copy, row, "data/comparators.csv", DATA_FILE)  # fetched the same, loaded again
    load_pack_into_db(nhs_copy)
    fetched = export_pack(tmp_path / "fetched")
    assert row in _lines(fetched / DATA_FILE)
    assert " 0 removed, " in _fetch(fetched) and " 0 added, " in _fetch(fetched)
    key = {"indicator__code": "MAT01", "period": "2022/23", "series": "england"}
    assert Figure.objects.filter(**key).count() == 1


def _before_mapping(pack):
    """``pack`` as it stood before its benchmarks: no benchmarks.yaml, MAT01 without its region
    comparator series (and figures)."""
    (pack / MAPPING).unlink()
    definition = pack / "indicators" / "MAT01.yaml"
    text = definition.read_text("utf-8")
    region = "  region: {label: Region, role: comparator}\n"
    assert region in text
    definition.write_text(text.replace(region, ""), "utf-8")
    lines = _lines(pack / DATA_FILE)
    (pack / DATA_FILE).write_text("".join(f"{x}\n" for x in lines if ",region," not in x))
    return pack


def test_a_section_approved_before_a_mapping_its_old_definitions_do_not_fit_still_reports(
    db, nhs_copy, tmp_path
):
    old = _before_mapping(shutil.copytree(nhs_copy, tmp_path / "old"))
    load_pack_into_db(old)
    approver, _ = create_person("approver", Role.APPROVER, sections=["quality"])
    analyst, _ = create_person("analyst", Role.ANALYST)
    approved = Signoff.objects.create(
        section=Section.objects.get(code="quality"), period="2026-09",
        state=SignoffState.APPROVED, revision=1, author=approver,
    )  # fmt: skip
    while timezone.now() <= approved.created:  # the load below is strictly after the approval
        pass
    load_pack_into_db(nhs_copy)  # MAT01 gains its region series, and the mapping comes
    name, content = make(ReportChoices(section="quality", period="2026-09", version="approved"))
    assert name.endswith("-approved.html") and b"as approved on" in content
    published: list[str] = []
    record = publishing.publish(analyst, lambda filename, _zip: published.append(filename))
    assert published == [record.file_name]
    assert [p["section"] for p in record.periods] == ["quality"]
