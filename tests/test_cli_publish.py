"""``kpiboard publish``: the council demo as a static public site with open data that the
``frictionless`` library validates, figures after the pack's as-at period left out, and the
manifest's ``publishing`` block."""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from frictionless import validate

from kpiboard.cli import main
from kpiboard.core.plan import assess


@pytest.fixture(scope="module")
def published(demo_pack_dir, tmp_path_factory) -> Path:
    """The demo pack, with an October figure after its as-at period (September), published."""
    pack = shutil.copytree(demo_pack_dir, tmp_path_factory.mktemp("pub") / "pack")
    with (pack / "data" / "actuals.csv").open("a", encoding="utf-8") as handle:
        handle.write("ASC01,2013-10,actual,99\n")
    out = pack.parent / "site"
    result = CliRunner().invoke(main, ["publish", str(pack), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "figures up to September 2013" in result.output
    return out


def rows(folder: Path, name: str) -> list[dict]:
    with (folder / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_publish_writes_the_site_and_the_data(published):
    for name in ("index.html", "data.html", "section-asc.html", "section-scs.html",
                 "ind-ASC01.html", "ind-LEAD01.html", "site.css", "datapackage.json",
                 "publication.json"):  # fmt: skip
        assert (published / name).is_file(), name
    for table in ("indicators", "figures", "results", "actions", "risks"):
        assert (published / "data" / f"{table}.csv").is_file()
        assert json.loads((published / "data" / f"{table}.json").read_text("utf-8"))
    assert len(list(published.glob("ind-*.html"))) == 23


def test_publish_datapackage_is_valid_for_frictionless(published):
    report = validate(published / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert len(report.tasks) == 10  # five tables, each as CSV and as JSON
    assert all(task.stats["rows"] > 0 for task in report.tasks)


def test_publish_datapackage_gives_licence_types_and_units(published):
    package = json.loads((published / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    assert package["contributors"] == [{"title": "Kent County Council", "role": "publisher"}]
    figures = next(r for r in package["resources"] if r["name"] == "figures-csv")
    types = {f["name"]: f["type"] for f in figures["schema"]["fields"]}
    assert types["value"] == "number" and types["period_end"] == "date"
    assert types["unit"] == "string"
    units = {r["indicator"]: r["unit"] for r in rows(published, "indicators")}
    assert units["ASC01"] == "%" and units["ASC03"] == "count"


def test_publish_leaves_out_figures_after_the_as_at_period(published):
    figures = rows(published, "figures")
    assert max(r["period_end"] for r in figures) <= "2013-09-30"
    asc01 = {r["period"]: r["value"] for r in figures
             if r["indicator"] == "ASC01" and r["series"] == "actual"}  # fmt: skip
    assert asc01["2013-09"] == "73" and "2013-10" not in asc01
    assert all(r["period_end"] <= "2013-09-30" for r in rows(published, "results"))
    assert "Oct-13" not in (published / "ind-ASC01.html").read_text("utf-8")
    assert "99" not in {r["value"] for r in figures if r["period"] >= "2013-10"}


def test_publish_gives_the_plans_actions_and_risks_as_assessed_at_the_as_at_period(
    published, demo_pack
):
    status = assess(demo_pack.plan, demo_pack.as_at, demo_pack.analyse())
    actions = {r["action"]: r for r in rows(published, "actions")}
    assert set(actions) == {a.action.id for a in status.actions}
    for state in status.actions:
        row = actions[state.action.id]
        assert (row["rag"], row["computed_rag"]) == (state.rag.rag.value, state.rag.computed.value)
        assert row["as_at"] == "2013-09"
    risks = {r["risk"]: r for r in rows(published, "risks")}
    assert set(risks) == {r.risk.id for r in status.risks}
    for state in status.risks:
        assert int(risks[state.risk.id]["current_score"]) == state.current.value
        assert risks[state.risk.id]["flagged"] == str(state.flagged).lower()


def test_publish_records_what_it_published(published):
    record = json.loads((published / "publication.json").read_text("utf-8"))
    assert record["how"] == "kpiboard publish" and record["published_by"]
    assert [s["id"] for s in record["sections"]] == ["asc", "scs"]
    asc = record["sections"][0]
    assert asc["published_to"] == "2013-09" and asc["periods"][-1] == "2013-09"
    assert "up to 2013-09" in asc["approved"]
    assert "data/figures.csv" in record["files"]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if "src" in attrs:
            self.loads.append(attrs["src"])
        if tag == "link":
            self.loads.append(attrs["href"])
        elif "href" in attrs:
            self.links.append(attrs["href"])


def test_publish_site_has_relative_links_only_and_loads_nothing_else(published):
    for page in published.glob("*.html"):
        parser = Links()
        parser.feed(page.read_text("utf-8"))
        assert parser.scripts == 0, page.name
        assert parser.loads == ["site.css"], page.name
        for href in parser.links:
            if href.startswith("https://"):  # the licence's text, a link for the reader
                assert "licen" in href, (page.name, href)
                continue
            assert not re.match(r"^[a-z]+:|^/", href), (page.name, href)
            target = href.split("#", 1)[0]
            assert not target or (published / target).is_file(), (page.name, href)


def test_publish_site_leaves_out_kpiboards_drafted_commentary(published):
    for page in published.glob("ind-*.html"):
        assert "Draft commentary generated by kpiboard" not in page.read_text("utf-8")


def test_publish_csv_neutralises_formulas(demo_pack_dir, tmp_path):
    pack = shutil.copytree(demo_pack_dir, tmp_path / "pack")
    definition = pack / "indicators" / "ASC02.yaml"
    definition.write_text(
        definition.read_text("utf-8").replace(
            "title: Proportion of personal budgets given as a direct payment",
            "title: '=HYPERLINK(\"http://x.example\") Proportion'",
        ),
        "utf-8",
    )
    result = CliRunner().invoke(main, ["publish", str(pack), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    titles = {r["indicator"]: r["title"] for r in rows(tmp_path / "site", "indicators")}
    assert titles["ASC02"].startswith("'=HYPERLINK(")


def test_publish_an_earlier_as_at_publishes_up_to_it(demo_pack_dir, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["publish", str(demo_pack_dir), "--out", str(out), "--as-at", "2013-06"]
    )
    assert result.exit_code == 0, result.output
    assert max(r["period_end"] for r in rows(out, "figures")) <= "2013-06-30"


def test_publish_refuses_an_as_at_after_the_packs(demo_pack_dir, tmp_path):
    result = CliRunner().invoke(
        main, ["publish", str(demo_pack_dir), "--out", str(tmp_path / "s"), "--as-at", "2013-10"]
    )
    assert result.exit_code == 2
    assert "after the pack's as_at period" in result.output
    assert not (tmp_path / "s").exists()


def test_publish_refuses_a_folder_that_is_not_empty(demo_pack_dir, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(
        main, ["publish", str(demo_pack_dir), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 1
    assert "already exists and is not empty" in result.output
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["keep.txt"]


def test_publish_uses_the_manifests_publisher_and_licence(demo_pack_dir, tmp_path):
    pack = shutil.copytree(demo_pack_dir, tmp_path / "pack")
    manifest = pack / "kpiboard.yaml"
    manifest.write_text(
        manifest.read_text("utf-8")
        + "publishing:\n  licence: CC-BY-4.0\n  publisher: Performance Team\n"
        + "  contact: open.data@example.org\n",
        "utf-8",
    )
    out = tmp_path / "site"
    assert CliRunner().invoke(main, ["publish", str(pack), "--out", str(out)]).exit_code == 0
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["contributors"][0]["title"] == "Performance Team"
    footer = (out / "index.html").read_text("utf-8")
    assert "Published by Performance Team" in footer
    assert "Creative Commons Attribution 4.0" in footer and "open.data@example.org" in footer


def test_check_names_an_unknown_licence_with_its_line(demo_pack_dir, tmp_path):
    pack = shutil.copytree(demo_pack_dir, tmp_path / "pack")
    manifest = pack / "kpiboard.yaml"
    text = manifest.read_text("utf-8")
    line = text.count("\n") + 2
    manifest.write_text(text + "publishing:\n  licence: MIT\n  publsher: Us\n", "utf-8")
    result = CliRunner().invoke(main, ["check", str(pack)])
    assert result.exit_code == 1
    assert f"kpiboard.yaml:{line}: publishing.licence: unknown licence 'MIT'" in result.output
    assert "publishing.publsher: unknown key (did you mean 'publisher'?)" in result.output


def test_publish_analyses_each_part_once(demo_pack_dir, monkeypatch):
    from datetime import UTC, datetime

    from kpiboard import publish
    from kpiboard.packs.loader import load_pack
    from kpiboard.packs.model import Pack
    from kpiboard.publish.parts import Part

    pack = load_pack(demo_pack_dir)
    ids = tuple(s.id for s in pack.sections)
    earlier = pack.calendar.parse("2013-06")
    parts = [Part(pack, ids[:2], pack.as_at), Part(pack, ids[2:], earlier)]
    assert any(r.kris for r in pack.plan.risks)  # the plan's assessment reads the analyses too
    analysed = []
    real = Pack.analyse

    def counted(self, as_at=None):
        analysed.append(as_at)
        return real(self, as_at)

    monkeypatch.setattr(Pack, "analyse", counted)
    files = publish.build(parts, publish.Publisher("test", datetime(2026, 1, 5, tzinfo=UTC), "t"))
    assert "data/results.csv" in files and "data/risks.csv" in files
    assert sorted(analysed, key=lambda p: p.sort_key) == [earlier, pack.as_at]
