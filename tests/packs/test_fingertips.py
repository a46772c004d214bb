"""The Fingertips mapping (``benchmarks.yaml``), the download reader and the all-or-nothing write,
over a small council pack and recorded downloads in Fingertips' CSV layout (made-up figures)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.periods import UK, FinancialCalendar
from kpiboard.packs.benchmark_files import apply_benchmarks, plan_from_downloads
from kpiboard.packs.fingertips import read_fingertips_csv
from kpiboard.packs.loader import load_pack
from kpiboard.packs.problems import PackError, Problems

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fingertips"
COUNCIL = FIXTURES / "council-areas.csv"

MANIFEST = """\
format: 1
title: Public health indicators
organisation: Kent County Council
organisation_code: KENT
as_at: 2023-09
sections:
  - id: ph
    title: Public health
peer_groups:
  counties:
    label: Counties
  neighbours:
    label: Statistical neighbours
    members: [E10000011, E10000014, E10000015]
"""

PH01 = """\
id: PH01
section: ph
number: "1"
title: Adults meeting the guideline (made up)
unit: percent
polarity: higher_is_better
frequency: year
series:
  england: {label: England, role: comparator}
  region: {label: South East, role: comparator}
  stat_neighbours: {label: Statistical neighbours, role: comparator}
peer_groups: [counties, neighbours]
"""

MAPPING = """\
fingertips:
  area_code: E10000016
  area_type: 502
  neighbours: [E10000011, E10000014, E10000015]
  indicators:
    PH01:
      indicator_id: 99902
      comparators:
        england: england
        region: region
        stat_neighbours: neighbours
      peers: true
"""

ACTUALS = "indicator,period,series,value\nPH01,2021/22,actual,71\nPH01,2022/23,actual,72.5\n"


@pytest.fixture
def pack(tmp_path) -> Path:
    root = tmp_path / "pack"
    for rel, text in {"kpiboard.yaml": MANIFEST, "indicators/PH01.yaml": PH01,
                      "benchmarks.yaml": MAPPING, "data/actuals.csv": ACTUALS}.items():  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def fetch(root: Path, *files: Path):
    return plan_from_downloads(root, [(f.name, f.read_text()) for f in files])


def problems_of(root: Path, *files: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        fetch(root, *files)
    return [str(p) for p in caught.value.problems]


def table(path: Path) -> set[tuple[str, ...]]:
    return {tuple(r) for r in csv.reader(io.StringIO(path.read_text()))}


def test_fetch_fills_england_region_and_the_neighbours_mean(pack):
    apply_benchmarks(fetch(pack, COUNCIL))
    rows = table(pack / "data" / "fingertips.csv")
    assert ("PH01", "2021/22", "england", "71.4") in rows
    assert ("PH01", "2021/22", "region", "72") in rows  # Kent's parent, the South East
    assert ("PH01", "2021/22", "stat_neighbours", "73.2333333333") in rows  # (68.5 + 74.2 + 77) / 3
    assert ("PH01", "2022/23", "stat_neighbours", "73.5333333333") in rows
    assert ("PH01", "2022/23 Q1", "england", "70.2") in rows  # a Fingertips quarter is ours
    assert not any(r[1] == "2022/23" and r[2] == "region" for r in rows)  # empty in the file


def test_fetch_puts_every_county_in_the_peers_and_ours_under_our_code(pack):
    apply_benchmarks(fetch(pack, COUNCIL))
    rows = table(pack / "peers" / "fingertips.csv")
    year = {r[2]: r[3] for r in rows if r[1] == "2021/22"}
    assert year == {"KENT": "71", "E10000011": "68.5", "E10000014": "74.2", "E10000015": "77",
                    "E10000012": "69.9", "E10000020": "66.1", "E10000029": "72.4"}  # fmt: skip
    assert "E10000012" not in {r[2] for r in rows if r[1] == "2022/23"}  # no value that year


def test_fetched_peers_rank_the_council_in_each_peer_group(pack):
    apply_benchmarks(fetch(pack, COUNCIL))
    analysis = load_pack(pack).analyse()["PH01"]
    positions = {c.group: c.position.position_text for c in analysis.peers}
    # 2022/23, the latest: 72.5 behind 76.3, 74.2 and 73.8; Essex has no figure that year
    assert positions == {"counties": "4th of 6", "neighbours": "3rd of 4"}


def test_fetch_leaves_out_category_rows_and_other_sexes(pack):
    apply_benchmarks(fetch(pack, COUNCIL))
    values = {r[3] for r in table(pack / "peers" / "fingertips.csv")}
    assert "60" not in values and "68.5" in values and "66" not in values  # 68.5 - 2.5


def test_a_sex_the_download_lacks_is_named_with_the_ones_it_has(pack):
    mapping = pack / "benchmarks.yaml"
    mapping.write_text(
        mapping.read_text().replace("      peers: true\n", "      peers: true\n      sex: All\n")
    )
    assert problems_of(pack, COUNCIL) == [
        "benchmarks.yaml:6: fingertips.indicators.PH01.sex: no rows with sex 'All' "
        "(the download has 'Female', 'Male', 'Persons')"
    ]


def test_a_range_of_calendar_years_is_refused_with_its_line(pack):
    mapping = pack / "benchmarks.yaml"
    mapping.write_text(mapping.read_text().replace("99902", "99903"))
    assert problems_of(pack, COUNCIL) == [
        "council-areas.csv:77: Time period: '2021 - 23' is not a financial year (2022/23), quarter "
        "(2022/23 Q1) or month: kpiboard's periods cannot hold calendar years or ranges of years"
    ]


def test_our_area_missing_from_the_download_is_reported(pack):
    mapping = pack / "benchmarks.yaml"
    mapping.write_text(mapping.read_text().replace("area_code: E10000016", "area_code: E99"))
    assert problems_of(pack, COUNCIL) == [
        "benchmarks.yaml:6: fingertips.indicators.PH01: our area E99 is not in the download for "
        "Fingertips indicator 99902: check fingertips.area_code and area_type"
    ]


def test_a_file_without_fingertips_columns_is_refused(pack, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("indicator,period,series,value\nPH01,2021/22,england,70\n")
    [problem] = problems_of(pack, other)
    assert problem.startswith("other.csv:1: not Fingertips' CSV layout: no column 'Indicator ID'")


def test_a_value_that_is_not_a_number_is_named_by_line():
    text = COUNCIL.read_text().replace('"71.0"', '"n/a"', 1)
    problems = Problems()
    read_fingertips_csv("x.csv", text, problems)
    assert [str(p) for p in problems.items] == ["x.csv:5: Value: 'n/a' is not a number"]


def test_a_write_that_would_break_the_pack_writes_nothing(pack):
    text = COUNCIL.read_text().replace('"77.0"', '"7700"', 1)  # beyond a percentage's bound
    plan = plan_from_downloads(pack, [("big.csv", text)])
    with pytest.raises(PackError) as caught:
        apply_benchmarks(plan)
    assert any("peers/fingertips.csv" in str(p) for p in caught.value.problems)
    assert not (pack / "peers" / "fingertips.csv").exists()
    assert not (pack / "data" / "fingertips.csv").exists()


def test_a_second_fetch_lists_what_fingertips_revised(pack):
    apply_benchmarks(fetch(pack, COUNCIL))
    revised = COUNCIL.read_text().replace('"71.4"', '"71.6"', 1)
    plan = plan_from_downloads(pack, [("revised.csv", revised)])
    assert [c.describe() for c in plan.changes] == [
        "data/fingertips.csv: PH01 2021/22 england: 71.4 -> 71.6"
    ]
    assert list(plan.contents) == ["data/fingertips.csv"]  # the peer file is left as it is


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ("area_type: 502", "benchmarks.yaml:3: fingertips.area_typ: unknown key "
                           "(did you mean 'area_type'?)"),
        ("PH01:", "benchmarks.yaml:6: fingertips.indicators.PH09: no such indicator in the pack"),
        ("stat_neighbours: neighbours", "benchmarks.yaml:11: fingertips.indicators.PH01."
                                        "comparators.stat_neighbours: 'nearby' is not one of: "
                                        "england, region, neighbours"),
        ("peers: true", "benchmarks.yaml:12: fingertips.indicators.PH01.peers: must be true or "
                        "false, not 'yes'"),
    ],
)  # fmt: skip
def test_mapping_mistakes_are_reported_by_the_pack_check(pack, replace, message):
    wrong = {"area_type: 502": "area_typ: 502", "PH01:": "PH09:",
             "stat_neighbours: neighbours": "stat_neighbours: nearby",
             "peers: true": "peers: 'yes'"}[replace]  # fmt: skip
    mapping = pack / "benchmarks.yaml"
    mapping.write_text(mapping.read_text().replace(replace, wrong))
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    assert message in [str(p) for p in caught.value.problems]


def test_neighbours_comparator_needs_the_neighbours_listed(pack):
    mapping = pack / "benchmarks.yaml"
    mapping.write_text(mapping.read_text().replace(
        "  neighbours: [E10000011, E10000014, E10000015]\n", ""))  # fmt: skip
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    assert [str(p) for p in caught.value.problems] == [
        "benchmarks.yaml:10: fingertips.indicators.PH01.comparators.stat_neighbours: neighbours "
        "needs fingertips.neighbours: the areas to average"
    ]


COLUMNS = next(csv.reader(io.StringIO(COUNCIL.read_text())))
CELL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)


@given(
    st.lists(
        st.tuples(st.integers(1, 10**6), CELL, CELL, st.floats(-1e9, 1e9) | st.none()), max_size=6
    ),
    st.permutations(range(len(COLUMNS))),
)
def test_reading_a_download_gives_back_its_rows_in_any_column_order(rows, order):
    header = [COLUMNS[i] for i in order]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for ind, code, sex, value in rows:
        cells = {"Indicator ID": str(ind), "Area Code": code, "Sex": sex,
                 "Value": "" if value is None else repr(value)}  # fmt: skip
        writer.writerow([cells.get(c, "x") for c in header])
    problems = Problems()
    read = read_fingertips_csv("f.csv", out.getvalue(), problems)
    assert not problems
    assert [(r.indicator_id, r.area_code, r.sex, r.value) for r in read] == [
        (ind, code.strip(), sex.strip(), value) for ind, code, sex, value in rows
    ]


def test_a_pack_whose_year_starts_in_january_takes_no_fingertips_years(pack):
    calendar = FinancialCalendar(1)
    assert calendar.start_month != UK.start_month
    manifest = pack / "kpiboard.yaml"
    manifest.write_text(manifest.read_text() + "financial_year_start: 1\n")
    (pack / "data" / "actuals.csv").write_text("indicator,period,series,value\n")
    problems = problems_of(pack, COUNCIL)
    assert problems and all("financial years start in April and this pack's do not" in p
                            for p in problems)  # fmt: skip
