"""``annual_targets`` in a pack: read, checked with file:line messages, profiled into the figures,
and kept out of the figures an export writes (they belong to the definition)."""

import pytest

from kpiboard.core.indicators import AnnualTarget, TargetProfile
from kpiboard.core.rating import Rating
from kpiboard.packs.exporter import export_wide, result_rows, wide_rows
from kpiboard.packs.import_plan import plan_import
from kpiboard.packs.loader import check_pack, load_pack
from kpiboard.report.pages import indicator_page

from .conftest import ASC01, ASC02, ASC03


def write(pack_dir, rel: str, text: str) -> None:
    (pack_dir / rel).write_text(text, encoding="utf-8")


def add_actual(pack_dir, line: str) -> None:
    with (pack_dir / "data" / "actuals.csv").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def messages(pack_dir) -> list[str]:
    return [str(p) for p in check_pack(pack_dir)]


def test_a_flat_annual_target_reaches_a_new_month_and_rates_it(pack_dir):
    write(pack_dir, "indicators/ASC01.yaml", ASC01 + "annual_targets:\n  2013/14: 75\n")
    add_actual(pack_dir, "ASC01,2013-11,actual,76,")
    pack = load_pack(pack_dir)
    assert pack.indicators["ASC01"].annual_targets == (
        AnnualTarget(2013, 75.0, TargetProfile.FLAT),
    )
    result = pack.evaluate(pack.calendar.parse("2013-11"))["ASC01"]
    november = result.at(pack.calendar.parse("2013-11"))
    assert (november.target, november.computed) == (75.0, Rating.GREEN)
    september = result.at(pack.calendar.parse("2013-09"))
    assert september.target == 72.0  # the explicit target wins


def test_a_count_defaults_to_an_equal_share_each_month(pack_dir):
    write(pack_dir, "indicators/ASC02.yaml", ASC02 + "annual_targets:\n  2013/14: 120\n")
    add_actual(pack_dir, "ASC02,2013-10,actual,12,")
    pack = load_pack(pack_dir)
    annual = pack.indicators["ASC02"].annual_targets[0]
    assert annual.profile is TargetProfile.CUMULATIVE
    data = pack.data["ASC02"]
    assert data.get("target")[data.index_of(pack.calendar.parse("2013-10"))] == 10.0


def test_the_mapping_form_and_the_indicator_default_profile(pack_dir):
    weights = "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"
    write(
        pack_dir,
        "indicators/ASC02.yaml",
        ASC02 + "target_profile: seasonal\n"
        f"seasonal_weights: {weights}\n"
        "annual_targets:\n"
        "  2013/14: 120\n"
        "  2014/15: {target: 96, profile: cumulative}\n",
    )
    found = load_pack(pack_dir).indicators["ASC02"].annual_targets
    assert found == (
        AnnualTarget(2013, 120.0, TargetProfile.SEASONAL, (1.0,) * 12),
        AnnualTarget(2014, 96.0, TargetProfile.CUMULATIVE),
    )


@pytest.mark.parametrize(
    ("file", "extra", "message"),
    [
        ("ASC02", "annual_targets:\n  2013/14: 120\n  2013-09: 5\n",
         "indicators/ASC02.yaml:11: annual_targets.2013-09: must be a financial year: 2013/14"),
        ("ASC02", "annual_targets:\n  2013/14: lots\n",
         "indicators/ASC02.yaml:10: annual_targets.2013/14: must be a number, not 'lots'"),
        ("ASC02", "annual_targets:\n  2013/14: {target: 120, profile: flat}\n",
         "indicators/ASC02.yaml:10: annual_targets.2013/14.target: flat gives every month the "
         "annual figure, but these monthly counts add up over the year (aggregation: sum): use "
         "cumulative (an equal share each month) or seasonal"),
        ("ASC02", "annual_targets:\n  2013/14: {target: 120, profile: weekly}\n",
         "indicators/ASC02.yaml:10: annual_targets.2013/14.profile: 'weekly' is not one of: "
         "flat, cumulative, seasonal"),
        ("ASC02", "annual_targets:\n  2013/14: {target: 120, profile: seasonal}\n",
         "indicators/ASC02.yaml:10: annual_targets.2013/14.target: a seasonal profile needs "
         "seasonal_weights: 12 numbers, one for each month from the first month of the "
         "financial year"),
        ("ASC02", "target_profile: seasonal\nseasonal_weights: [1, 2, 3]\nannual_targets:\n"
         "  2013/14: 120\n",
         "indicators/ASC02.yaml:10: seasonal_weights: must be 12 numbers, one for each month of "
         "the year, not 3"),
        ("ASC02", "annual_targets:\n  2013/14:\n    target: 120\n    profile: seasonal\n"
         "    seasonal_weights: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n",
         "indicators/ASC02.yaml:13: annual_targets.2013/14.seasonal_weights: must not all be 0 "
         "(there would be nothing to share the target by)"),
        ("ASC02", "annual_targets:\n  2013/14:\n    target: 120\n"
         "    seasonal_weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n",
         "indicators/ASC02.yaml:12: annual_targets.2013/14.seasonal_weights: only used with "
         "profile: seasonal (this year's profile is cumulative)"),
        ("ASC02", "year_end_targets:\n  2013/14: 100\nannual_targets:\n  2013/14: 120\n",
         "indicators/ASC02.yaml:12: annual_targets.2013/14: 2013/14 also has a year_end_targets "
         "entry: give the year's target once, in annual_targets"),
        ("ASC03", "annual_targets:\n  2013/14: 120\n",
         "indicators/ASC03.yaml:10: annual_targets: a not-rated or lead indicator has no targets"),
        ("ASC02", "target_profile: flat\n",
         "indicators/ASC02.yaml:9: target_profile: only used with annual_targets"),
        ("ASC01", "annual_targets:\n  2013/14: 5000\n",
         "indicators/ASC01.yaml:17: annual_targets.2013/14: 5,000 is out of range: give a "
         "number from -1,000 to 1,000 (a percentage, written without %)"),
    ],
)  # fmt: skip
def test_check_names_the_file_line_and_field_of_each_mistake(pack_dir, file, extra, message):
    base = {"ASC01": ASC01, "ASC02": ASC02, "ASC03": ASC03}[file]
    write(pack_dir, f"indicators/{file}.yaml", base + extra)
    assert message in messages(pack_dir)


def test_the_evaluation_export_carries_the_profiled_target(pack_dir):
    write(pack_dir, "indicators/ASC02.yaml", ASC02 + "annual_targets:\n  2013/14: 120\n")
    add_actual(pack_dir, "ASC02,2013-10,actual,12,")
    pack = load_pack(pack_dir)
    rows = {
        (r["indicator"], r["period"]): r for r in result_rows(pack, pack.calendar.parse("2013-10"))
    }
    assert rows["ASC02", "2013-10"]["target"] == 10.0
    assert rows["ASC02", "2013-10"]["rating"] == "RED"


def test_the_wide_export_leaves_profiled_targets_to_the_definition(pack_dir):
    write(pack_dir, "indicators/ASC02.yaml", ASC02 + "annual_targets:\n  2013/14: 120\n")
    add_actual(pack_dir, "ASC02,2013-10,actual,12,")
    _labels, rows = wide_rows(load_pack(pack_dir))
    target = next(r for r in rows if (r["indicator"], r["series"]) == ("ASC02", "target"))
    assert "2013-09" in target and "2013-10" not in target


def test_a_wide_export_imports_back_with_nothing_to_change(pack_dir, tmp_path):
    """The profiled October target is not written out as a figure, so the import finds every
    figure it reads already in the pack, and none it would add."""
    write(pack_dir, "indicators/ASC02.yaml", ASC02 + "annual_targets:\n  2013/14: 120\n")
    add_actual(pack_dir, "ASC02,2013-10,actual,12,")
    out = tmp_path / "wide.csv"
    export_wide(load_pack(pack_dir), out)
    plan = plan_import(pack_dir, out)
    assert (plan.new, plan.changed) == (0, 0)
    assert plan.unchanged == 23  # the conftest pack's 22 figures and October's actual


def test_the_report_page_notes_each_annual_target_and_its_profile(pack_dir):
    write(pack_dir, "indicators/ASC02.yaml", ASC02 + "annual_targets:\n  2013/14: 120\n")
    pack = load_pack(pack_dir)
    page = indicator_page(pack, pack.analyse()["ASC02"])
    assert (
        "Annual target 2013/14",
        "120, profiled to the months (cumulative: a straight line through the year)",
    ) in page.notes
