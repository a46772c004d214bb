"""SPC (XmR) charts: structure, accessibility, markers, rebases, limits and embedding in typst."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from kpiboard.core.units import Unit, UnitKind
from kpiboard.report.spc_chart import POINT_TYPES, SPC_COLOURS, SpcChart, render_spc_chart
from tests.report import svg_checks
from tests.report.svg_checks import NS, find_group, group, legend_texts, months, parse, path_points

PERCENT = Unit(UnitKind.PERCENT)
COUNT = Unit(UnitKind.COUNT)


def make_chart(**changes) -> SpcChart:
    """Eight months in one group: mean 72, limits 62 and 82, one improvement point."""
    n = 8
    base = SpcChart(
        chart_id="spc-ind-1",
        title="Patients seen within 18 weeks",
        description="SPC chart of patients seen within 18 weeks, April to November 2013.",
        periods=months(2013, 4, n),
        values=[71.0, 73.0, 70.0, 74.0, 72.0, 85.0, 71.0, 73.0],
        mean=[72.0] * n,
        lower_limit=[62.0] * n,
        upper_limit=[82.0] * n,
        point_types=["common_cause"] * 5 + ["special_cause_improvement"] + ["common_cause"] * 2,
        unit=PERCENT,
    )
    return replace(base, **changes)


def rebased_chart(**changes) -> SpcChart:
    """Ten months, rebased after the fifth: group 0 mean 72 (62-82), group 1 mean 60 (54-66)."""
    n = 10
    chart = make_chart(
        periods=months(2013, 4, n),
        values=[71.0, 73.0, 70.0, 74.0, 72.0, 60.0, 58.0, 61.0, 62.0, 59.0],
        mean=[72.0] * 5 + [60.0] * 5,
        lower_limit=[62.0] * 5 + [54.0] * 5,
        upper_limit=[82.0] * 5 + [66.0] * 5,
        point_types=["common_cause"] * n,
        groups=[0] * 5 + [1] * 5,
    )
    return replace(chart, **changes)


def paths(root: ET.Element, suffix: str) -> list[ET.Element]:
    g = find_group(root, suffix)
    return [] if g is None else [el for el in g if el.tag == f"{NS}path"]


def data_paths(root: ET.Element) -> list[ET.Element]:
    return [el for el in paths(root, "-data") if el.find(f"{NS}title") is None]


def markers(root: ET.Element) -> list[ET.Element]:
    return [el for el in group(root, "-data") if el.find(f"{NS}title") is not None]


def y_axis(root: ET.Element) -> list[tuple[float, float]]:
    """(value, pixel y) for every y tick label."""
    out = []
    for t in group(root, "-y-axis").iter(f"{NS}text"):
        value = float(re.sub(r"[^-\d.]", "", t.text))
        out.append((value, float(t.get("y")) - 4))
    return out


def value_to_y(root: ET.Element, value: float) -> float:
    (v0, y0), (v1, y1) = y_axis(root)[0], y_axis(root)[-1]
    return y0 + (value - v0) * (y1 - y0) / (v1 - v0)


# ---------------------------------------------------------------------------------------------
# Structure and accessibility


def test_render_valid_chart_parses_as_svg_with_size_viewbox_role_and_font():
    svg_checks.assert_svg_root(parse(render_spc_chart(make_chart(width=600, height=240))), 600, 240)


def test_render_title_and_desc_referenced_by_aria_labelledby():
    chart = make_chart()
    svg_checks.assert_labelled_by_title_and_desc(
        parse(render_spc_chart(chart)), chart.title, chart.description
    )


def test_render_element_ids_unique_sanitised_and_distinct_between_charts():
    root = parse(render_spc_chart(rebased_chart(chart_id='9 SPC/<b>"x"', target=[75.0] * 10)))
    svg_checks.assert_ids_unique_and_safe(root)
    other = parse(render_spc_chart(rebased_chart(chart_id="other", target=[75.0] * 10)))
    assert not set(svg_checks.element_ids(root)) & set(svg_checks.element_ids(other))


def test_render_user_text_with_markup_is_escaped():
    nasty = "Waits <script>alert(\"x\")</script> & 'delays'"
    svg = render_spc_chart(make_chart(title=nasty, description=nasty))
    assert "<script" not in svg
    root = parse(svg)
    assert root.find(f"{NS}title").text == nasty
    assert root.find(f"{NS}desc").text == nasty


def test_render_has_no_scripts_styles_classes_or_external_refs():
    svg_checks.assert_self_contained(render_spc_chart(rebased_chart(target=[75.0] * 10)))


def test_render_same_input_twice_identical_output():
    assert render_spc_chart(rebased_chart()) == render_spc_chart(rebased_chart())


def test_render_every_colour_meets_wcag_contrast_on_white():
    types = [t for t in POINT_TYPES if t != "missing"]
    n = len(types)
    chart = make_chart(
        periods=months(2013, 4, n),
        values=[60.0 + k for k in range(n)],
        mean=[62.0] * n,
        lower_limit=[50.0] * n,
        upper_limit=[74.0] * n,
        point_types=types,
        target=[70.0] * n,
        groups=[0, 0, 1, 1, 1, 1],
    )
    # background, marker halo, gridlines
    svg_checks.assert_contrast_on_white(
        parse(render_spc_chart(chart)), {"#ffffff", "none", "#e3e6e8"}
    )


def test_spc_colours_concern_is_darker_than_mdc_orange_and_meets_3_to_1():
    assert svg_checks.contrast_on_white("#fab428") < 3  # why MDC's own orange is not used
    for name in ("improvement", "concern", "neutral", "common", "data", "mean", "limit", "target"):
        assert svg_checks.contrast_on_white(SPC_COLOURS[name]) >= 3, name


# ---------------------------------------------------------------------------------------------
# Markers


@pytest.mark.parametrize(
    ("point_type", "tag", "colour", "words"),
    [
        ("common_cause", "circle", SPC_COLOURS["common"], "common cause"),
        ("special_cause_improvement", "circle", SPC_COLOURS["improvement"], "(improvement)"),
        ("special_cause_concern", "rect", SPC_COLOURS["concern"], "(concern)"),
        ("special_cause_neutral_high", "path", SPC_COLOURS["neutral"], "(neutral, high)"),
        ("special_cause_neutral_low", "path", SPC_COLOURS["neutral"], "(neutral, low)"),
    ],
)
def test_render_marker_shape_colour_and_title_by_point_type(point_type, tag, colour, words):
    chart = make_chart(point_types=[point_type] * 8)
    found = markers(parse(render_spc_chart(chart)))
    assert len(found) == 8
    assert {el.tag for el in found} == {f"{NS}{tag}"}
    assert {el.get("fill") for el in found} == {colour}
    assert all(el.find(f"{NS}title").text.endswith(words) for el in found)


def test_render_marker_title_reads_period_value_and_classification():
    titles = [el.find(f"{NS}title").text for el in markers(parse(render_spc_chart(make_chart())))]
    assert titles[0] == "Apr-13: 71% — common cause"
    assert titles[5] == "Sep-13: 85% — special cause (improvement)"


def test_render_special_cause_markers_larger_than_common_cause():
    root = parse(render_spc_chart(make_chart()))
    radii = [float(el.get("r")) for el in markers(root)]
    assert radii[5] > max(radii[:5] + radii[6:])


def test_render_neutral_triangles_point_up_for_high_and_down_for_low():
    chart = make_chart(
        point_types=["special_cause_neutral_high"] * 4 + ["special_cause_neutral_low"] * 4
    )
    found = markers(parse(render_spc_chart(chart)))
    for k, el in enumerate(found):
        apex_y = path_points(el.get("d"))[0][1]
        _, centre_y = svg_checks.marker_centre(el)
        assert (apex_y < centre_y) if k < 4 else (apex_y > centre_y)


def test_render_marker_positions_match_values_on_y_axis():
    chart = make_chart()
    root = parse(render_spc_chart(chart))
    for el, value in zip(markers(root), chart.values, strict=True):
        assert svg_checks.marker_centre(el)[1] == pytest.approx(value_to_y(root, value), abs=0.6)


def test_render_legend_keys_only_the_marker_types_shown():
    texts = legend_texts(parse(render_spc_chart(make_chart())))
    assert texts == ["Data", "Mean", "Process limits", "Common cause", "Improvement"]
    types = ["special_cause_concern", "special_cause_neutral_low"] + ["common_cause"] * 6
    texts = legend_texts(parse(render_spc_chart(make_chart(point_types=types))))
    assert "Concern" in texts
    assert "Neutral (low)" in texts
    assert "Improvement" not in texts
    assert "Neutral (high)" not in texts


def test_render_legend_marker_swatches_use_the_chart_shapes():
    legend = group(
        parse(render_spc_chart(make_chart(point_types=["special_cause_concern"] * 8))), "-legend"
    )
    swatches = [el for g in legend.iter(f"{NS}g") if g is not legend for el in g]
    assert [(el.tag, el.get("fill")) for el in swatches] == [(f"{NS}rect", SPC_COLOURS["concern"])]


def test_render_unknown_point_type_raises_value_error():
    with pytest.raises(ValueError, match="unknown point type"):
        render_spc_chart(make_chart(point_types=["special_cause_worse"] * 8))


def test_render_empty_point_types_draws_common_cause_markers():
    found = markers(parse(render_spc_chart(make_chart(point_types=[]))))
    assert len(found) == 8
    assert {el.get("fill") for el in found} == {SPC_COLOURS["common"]}


def test_render_mismatched_lengths_raise_value_error():
    with pytest.raises(ValueError, match="values"):
        render_spc_chart(make_chart(values=[1.0, 2.0]))
    with pytest.raises(ValueError, match="upper_limit"):
        render_spc_chart(make_chart(upper_limit=[80.0] * 7))
    with pytest.raises(ValueError, match="groups"):
        render_spc_chart(make_chart(groups=[0] * 9))
    with pytest.raises(ValueError, match="target"):
        render_spc_chart(make_chart(target=[75.0]))
    with pytest.raises(ValueError, match="point types"):
        render_spc_chart(make_chart(point_types=["common_cause"] * 3))


# ---------------------------------------------------------------------------------------------
# The data line: gaps and rebases


def test_render_no_gaps_one_group_draws_one_data_segment_through_every_point():
    root = parse(render_spc_chart(make_chart()))
    segments = data_paths(root)
    assert len(segments) == 1
    assert len(path_points(segments[0].get("d"))) == 8


def test_render_missing_value_breaks_data_line_and_has_no_marker():
    values = [71.0, 73.0, 70.0, None, 72.0, 85.0, 71.0, 73.0]
    types = [*["common_cause"] * 3, "missing", *["common_cause"] * 4]
    root = parse(render_spc_chart(make_chart(values=values, point_types=types)))
    assert [len(path_points(p.get("d"))) for p in data_paths(root)] == [3, 4]
    assert len(markers(root)) == 7


def test_render_nan_value_treated_as_missing():
    values = [71.0, math.nan, 70.0, 74.0, 72.0, math.inf, 71.0, 73.0]
    root = parse(render_spc_chart(make_chart(values=values)))
    assert len(markers(root)) == 6
    assert len(data_paths(root)) == 2


def test_render_rebase_breaks_data_mean_and_limits_into_groups():
    root = parse(render_spc_chart(rebased_chart()))
    data = [path_points(p.get("d")) for p in data_paths(root)]
    mean = [path_points(p.get("d")) for p in paths(root, "-mean")]
    limits = [path_points(p.get("d")) for p in paths(root, "-limits")]
    assert [len(run) for run in data] == [5, 5]
    assert [len(run) for run in mean] == [5, 5]
    assert len(limits) == 4
    # a visible gap: the second group's lines start right of where the first group's end
    assert mean[1][0][0] > mean[0][-1][0] + 5
    assert data[1][0][0] > data[0][-1][0] + 5


def test_render_limits_and_mean_drawn_at_each_groups_values():
    chart = rebased_chart()
    root = parse(render_spc_chart(chart))
    mean = [path_points(p.get("d")) for p in paths(root, "-mean")]
    limits = sorted({pt[1] for p in paths(root, "-limits") for pt in path_points(p.get("d"))})
    assert [y for _, y in mean[0]] == pytest.approx([value_to_y(root, 72.0)] * 5, abs=0.6)
    assert [y for _, y in mean[1]] == pytest.approx([value_to_y(root, 60.0)] * 5, abs=0.6)
    expected = sorted(value_to_y(root, v) for v in (82.0, 62.0, 66.0, 54.0))
    assert limits == pytest.approx(expected, abs=0.6)


def test_render_limits_dashed_and_mean_solid():
    root = parse(render_spc_chart(make_chart()))
    assert all(p.get("stroke-dasharray") for p in paths(root, "-limits"))
    assert all(p.get("stroke-dasharray") is None for p in paths(root, "-mean"))
    assert all(p.get("stroke-dasharray") is None for p in data_paths(root))


def test_render_rebase_marker_dotted_line_between_groups_labelled_rebased():
    root = parse(render_spc_chart(rebased_chart()))
    rebases = group(root, "-rebases")
    lines = [el for el in rebases if el.tag == f"{NS}path"]
    assert len(lines) == 1
    assert lines[0].get("stroke-dasharray")
    x = path_points(lines[0].get("d"))[0][0]
    data = [path_points(p.get("d")) for p in data_paths(root)]
    assert data[0][-1][0] < x < data[1][0][0]
    assert [t.text for t in rebases.iter(f"{NS}text")] == ["Rebased"]


def test_render_two_rebases_draw_two_markers_and_three_groups():
    chart = rebased_chart(groups=[0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
    root = parse(render_spc_chart(chart))
    assert len([el for el in group(root, "-rebases") if el.tag == f"{NS}path"]) == 2
    assert len(paths(root, "-mean")) == 3
    assert len(data_paths(root)) == 3


def test_render_no_rebase_draws_no_rebase_marker():
    root = parse(render_spc_chart(make_chart(groups=[3] * 8)))
    assert find_group(root, "-rebases") is None
    assert "Rebased" not in render_spc_chart(make_chart())


def test_render_lone_point_group_gets_short_level_mean_stroke():
    chart = rebased_chart(groups=[0] * 9 + [1])
    root = parse(render_spc_chart(chart))
    mean = [path_points(p.get("d")) for p in paths(root, "-mean")]
    assert len(mean) == 2
    (x0, y0), (x1, y1) = mean[1]
    assert y0 == y1
    assert x1 - x0 == pytest.approx(18, abs=0.2)


def test_render_unsorted_periods_drawn_in_time_order():
    chart = make_chart()
    order = [3, 0, 7, 5, 1, 2, 6, 4]
    shuffled = replace(
        chart,
        periods=[chart.periods[i] for i in order],
        values=[chart.values[i] for i in order],
        point_types=[chart.point_types[i] for i in order],
    )
    assert render_spc_chart(shuffled) == render_spc_chart(chart)


# ---------------------------------------------------------------------------------------------
# Target and y range


def test_render_target_line_drawn_only_when_given():
    without = parse(render_spc_chart(make_chart()))
    assert find_group(without, "-target") is None
    assert "Target" not in legend_texts(without)
    with_target = parse(render_spc_chart(make_chart(target=[75.0] * 8)))
    lines = paths(with_target, "-target")
    assert len(lines) == 1
    assert lines[0].get("stroke") == SPC_COLOURS["target"]
    assert lines[0].get("stroke-dasharray")
    assert "Target" in legend_texts(with_target)
    ys = [y for _, y in path_points(lines[0].get("d"))]
    assert ys == pytest.approx([value_to_y(with_target, 75.0)] * 8, abs=0.6)


def test_render_target_continues_across_rebase_and_breaks_at_gaps():
    root = parse(render_spc_chart(rebased_chart(target=[75.0] * 10)))
    assert len(paths(root, "-target")) == 1
    target = [75.0] * 4 + [None] + [70.0] * 5
    root = parse(render_spc_chart(rebased_chart(target=target)))
    assert len(paths(root, "-target")) == 2


def test_render_all_none_target_draws_no_target():
    root = parse(render_spc_chart(make_chart(target=[None] * 8)))
    assert find_group(root, "-target") is None


def test_render_y_range_includes_limits_and_target():
    chart = make_chart(
        lower_limit=[30.0] * 8, upper_limit=[96.0] * 8, target=[20.0] * 8, unit=COUNT
    )
    ticks = [v for v, _ in y_axis(parse(render_spc_chart(chart)))]
    assert ticks[0] <= 20.0
    assert ticks[-1] >= 96.0


def test_render_negative_lower_limit_extends_axis_below_zero():
    chart = make_chart(
        values=[2.0, 5.0, 1.0, 3.0, 4.0, 12.0, 2.0, 3.0],
        mean=[4.0] * 8,
        lower_limit=[-3.5] * 8,
        upper_limit=[11.5] * 8,
        unit=COUNT,
    )
    ticks = [v for v, _ in y_axis(parse(render_spc_chart(chart)))]
    assert ticks[0] <= -3.5
    assert ticks[-1] >= 12.0


# ---------------------------------------------------------------------------------------------
# No data


@pytest.mark.parametrize(
    "chart",
    [
        make_chart(
            values=[None] * 8,
            mean=[None] * 8,
            lower_limit=[None] * 8,
            upper_limit=[None] * 8,
            point_types=["missing"] * 8,
        ),
        make_chart(periods=[], values=[], mean=[], lower_limit=[], upper_limit=[], point_types=[]),
    ],
    ids=["all-missing", "no-periods"],
)
def test_render_no_data_shows_no_data_text_and_no_markers(chart):
    root = parse(render_spc_chart(chart))
    assert "No data" in [t.text for t in root.iter(f"{NS}text")]
    assert markers(root) == []
    assert find_group(root, "-mean") is None


def test_render_single_point_draws_marker_and_short_mean():
    chart = make_chart(
        periods=months(2013, 9, 1),
        values=[73.0],
        mean=[73.0],
        lower_limit=[None],
        upper_limit=[None],
        point_types=["common_cause"],
    )
    root = parse(render_spc_chart(chart))
    assert len(markers(root)) == 1
    assert len(paths(root, "-mean")) == 1
    assert find_group(root, "-limits") is None


# ---------------------------------------------------------------------------------------------
# Embedding in the PDF


def _full_chart() -> SpcChart:
    types = [t for t in POINT_TYPES if t not in ("missing", "not_assessed")] * 2
    return rebased_chart(
        values=[71.0, 73.0, None, 74.0, 72.0, 60.0, 58.0, 61.0, 62.0, 59.0],
        point_types=types,
        target=[75.0] * 10,
        title='Title with <tags> & "quotes"',
    )


@pytest.mark.parametrize(
    "chart",
    [
        _full_chart(),
        make_chart(values=[None] * 8, point_types=["missing"] * 8),
        make_chart(
            periods=months(2013, 9, 1),
            values=[73.0],
            mean=[73.0],
            lower_limit=[60.0],
            upper_limit=[86.0],
            point_types=["special_cause_concern"],
        ),
    ],
    ids=["full", "no-data", "single-point"],
)
def test_typst_embed_spc_chart_svg_compiles_to_pdf(chart):
    assert len(svg_checks.svg_as_pdf(render_spc_chart(chart))) > 1000


def test_render_rebases_in_adjacent_periods_label_only_the_first():
    chart = rebased_chart(groups=[0, 0, 0, 0, 0, 1, 2, 2, 2, 2], width=300)
    rebases = group(parse(render_spc_chart(chart)), "-rebases")
    assert len([el for el in rebases if el.tag == f"{NS}path"]) == 2
    assert [t.text for t in rebases.iter(f"{NS}text")] == ["Rebased"]
