"""Figures out of range are refused wherever a pack takes them: data files, imports, settings.

The rule (core.bounds): finite, a percentage within ±1,000, anything else within ±10^15.
"""

from __future__ import annotations

import pytest

from kpiboard.packs.importer import plan_import
from kpiboard.packs.loader import check_pack, load_pack
from kpiboard.packs.problems import PackError

PERCENT_RANGE = "out of range: give a number from -1,000 to 1,000 (a percentage, written without %)"
COUNT_RANGE = "out of range: give a number from -1,000,000,000,000,000 to 1,000,000,000,000,000"


def problems(root) -> list[str]:
    return [str(p) for p in check_pack(root)]


def test_check_refuses_figures_beyond_the_bound_for_their_unit(pack_dir):
    (pack_dir / "data" / "big.csv").write_text(
        "indicator,period,series,value\n"
        "ASC01,2013-10,actual,1e308\n"  # percent
        "ASC01,2013-11,actual,1000\n"  # percent at the bound: kept
        "ASC01,2013-10,clients,2e15\n"  # ASC01's clients are a count
        "ASC02,2013-10,actual,-1e16\n"  # count
        "ASC02,2013-11,target,1e15\n",  # count at the bound: kept
        encoding="utf-8",
    )
    assert problems(pack_dir) == [
        f"data/big.csv:2: value: 1e+308 is {PERCENT_RANGE}",
        f"data/big.csv:4: value: 2,000,000,000,000,000 is {COUNT_RANGE}",
        f"data/big.csv:5: value: -1e+16 is {COUNT_RANGE}",
    ]
    with pytest.raises(PackError):
        load_pack(pack_dir)


def test_a_pack_setting_must_be_finite_and_in_range(pack_dir):
    path = pack_dir / "indicators" / "ASC01.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "year_end_targets:\n  2013/14: 5000\n",
        encoding="utf-8",
    )
    assert problems(pack_dir) == [
        f"indicators/ASC01.yaml:17: year_end_targets.2013/14: 5,000 is {PERCENT_RANGE}"
    ]
    path.write_text(path.read_text(encoding="utf-8").replace("5000", ".inf"), encoding="utf-8")
    assert problems(pack_dir) == [
        "indicators/ASC01.yaml:17: year_end_targets.2013/14: inf is not a finite number"
    ]


def test_a_peer_figure_out_of_range_is_refused(pack_dir):
    (pack_dir / "peers").mkdir()
    (pack_dir / "peers" / "p.csv").write_text(
        "indicator,period,organisation,value\nASC01,2013-09,E1,73\nASC01,2013-09,E2,-1e308\n",
        encoding="utf-8",
    )
    assert problems(pack_dir) == [f"peers/p.csv:3: value: -1e+308 is {PERCENT_RANGE}"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("indicator,period,series,value\nASC01,2013-10,actual,1e308\n", "value"),
        ("indicator,series,Oct-13\nASC01,actual,1e308\n", "column C"),
    ],
)
def test_an_import_refuses_a_figure_out_of_range_and_names_its_cell(
    pack_dir, tmp_path, snapshot, text, where
):
    before = snapshot(pack_dir)
    source = tmp_path / "import.csv"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        plan_import(pack_dir, source)
    assert [str(p) for p in caught.value.problems] == [
        f"import.csv:2: {where}: 1e+308 is {PERCENT_RANGE}"
    ]
    assert snapshot(pack_dir) == before
