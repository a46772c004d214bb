"""The pack's benchmarks.yaml in the web application: ``loadpack`` keeps it (checked, with the
file's own lines in its messages), ``exportpack`` gives it back as written, so the exported pack
can fetch its benchmarks again, and a new pack's mapping replaces the one held."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import CommandError, call_command

from kpiboard.demo import DemoKind, pack_source
from kpiboard.demo.nhs_trust import OWN_CODE, SMOKING_AT_DELIVERY
from kpiboard.demo.nhs_trust.fingertips import fingertips_csv
from kpiboard.packs.benchmark_files import DATA_FILE, PEER_FILE, plan_from_downloads
from kpiboard.packs.loader import load_pack
from kpiboard.web.models import Site
from kpiboard.web.pack_benchmarks import KEPT
from kpiboard.web.store import current_pack, export_pack, load_pack_into_db

MAPPING = "benchmarks.yaml"


@pytest.fixture
def nhs_copy(tmp_path):
    return shutil.copytree(pack_source(DemoKind.NHS_TRUST), tmp_path / "nhs")


def _with_mapping(pack, text: str):
    (pack / MAPPING).write_text(text, "utf-8")
    return pack


def test_loadpack_keeps_benchmarks_yaml_and_exportpack_writes_it_back_as_loaded(db, tmp_path):
    source = pack_source(DemoKind.NHS_TRUST)
    call_command("loadpack", str(source))
    call_command("exportpack", str(tmp_path / "out"))
    assert (tmp_path / "out" / MAPPING).read_bytes() == (source / MAPPING).read_bytes()
    assert current_pack().benchmarks == load_pack(source).benchmarks is not None


def test_an_exported_pack_fetches_its_benchmarks_again(db, tmp_path):
    source = pack_source(DemoKind.NHS_TRUST)
    load_pack_into_db(source)
    exported = export_pack(tmp_path / "out")
    download = fingertips_csv(OWN_CODE, "Northbrook Hospitals NHS Foundation Trust",
                              SMOKING_AT_DELIVERY)  # fmt: skip
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


def test_loadpack_with_a_new_benchmarks_yaml_replaces_the_one_held(db, nhs_copy):
    load_pack_into_db(nhs_copy)
    text = (nhs_copy / MAPPING).read_text("utf-8").replace("area_code: RNB", "area_code: RNX")
    load_pack_into_db(_with_mapping(nhs_copy, text))
    assert Site.get().benchmarks == text
    assert current_pack().benchmarks.area_code == "RNX"


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


def test_loadpack_without_benchmarks_yaml_keeps_the_one_held(db, nhs_copy):
    load_pack_into_db(nhs_copy)
    held = Site.get().benchmarks
    (nhs_copy / MAPPING).unlink()
    load_pack_into_db(nhs_copy)
    assert Site.get().benchmarks == held
    assert current_pack().benchmarks is not None


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
    assert current_pack().benchmarks is not None  # nothing written: MAT01 still live
