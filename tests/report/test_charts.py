"""SVG line charts: structure, accessibility, geometry and embedding in typst."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from kpiboard.core.periods import UK
from kpiboard.core.rating import Rating
from kpiboard.core.units import Unit, UnitKind
from kpiboard.report.charts import (
    COLOURS,
    COMPARATOR_COLOURS,
    EXTRA_COLOURS,
    ChartLine,
    LineChart,
    nice_ticks,
    render_line_chart,
)
from tests.report import svg_checks
from tests.report.svg_checks import NS, group, legend_texts, months, parse, path_points

PERCENT = Unit(UnitKind.PERCENT)


def make_chart(**changes) -> LineChart:
    periods = months(2013, 4, 6)
    base = LineChart(
        chart_id="chart-ind-1",
        title="Calls answered within 20 seconds",
        description="Line chart of calls answered, April to September 2013.",
        periods=periods,
        actual=[71.0, 72.5, 74.0, 76.0, 73.0, 75.5],
        ratings=[Rating.RED, Rating.AMBER, Rating.AMBER, Rating.GREEN, Rating.AMBER, Rating.GREEN],
        unit=PERCENT,
        lines=[ChartLine("Target", [75.0] * 6, "target")],
    )
    return replace(base, **changes)


def actual_paths(root: ET.Element) -> list[ET.Element]:
    return [
        el for el in group(root, "-actual") if el.tag == f"{NS}path" and el.get("fill") == "none"
    ]


def markers(root: ET.Element) -> list[ET.Element]:
    return [el for el in group(root, "-actual") if el.find(f"{NS}title") is not None]


def y_tick_labels(root: ET.Element) -> list[str]:
    return [t.text or "" for t in group(root, "-y-axis").iter(f"{NS}text")]


def x_tick_labels(root: ET.Element) -> list[ET.Element]:
    return list(group(root, "-x-axis").iter(f"{NS}text"))


# ---------------------------------------------------------------------------------------------
# Structure and accessibility


def test_render_root_svg_has_size_viewbox_role_and_font():
    svg_checks.assert_svg_root(
        parse(render_line_chart(make_chart(width=600, height=240))), 600, 240
    )


def test_render_title_and_desc_referenced_by_aria_labelledby():
    chart = make_chart()
    svg_checks.assert_labelled_by_title_and_desc(
        parse(render_line_chart(chart)), chart.title, chart.description
    )


def test_render_element_ids_unique_and_sanitised():
    root = parse(render_line_chart(make_chart(chart_id='Chart 1/<b>"x"')))
    svg_checks.assert_ids_unique_and_safe(root)
    svg_id = root.get("id")
    assert root.get("aria-labelledby").split() == [f"{svg_id}-title", f"{svg_id}-desc"]


def test_render_chart_id_starting_with_digit_gets_letter_prefix():
    root = parse(render_line_chart(make_chart(chart_id="42")))
    assert root.get("id")[0].isalpha()
    assert root.get("id").endswith("42")


def test_render_two_charts_different_ids_share_no_element_ids():
    a = parse(render_line_chart(make_chart(chart_id="ind-a")))
    b = parse(render_line_chart(make_chart(chart_id="ind-b")))
    assert not set(svg_checks.element_ids(a)) & set(svg_checks.element_ids(b))


def test_render_user_text_with_markup_is_escaped():
    nasty = "Calls <script>alert(\"x\")</script> & 'waits'"
    chart = make_chart(
        title=nasty,
        description=nasty,
        actual_label=nasty,
        lines=[ChartLine(nasty, [75.0] * 6, "comparator")],
    )
    svg = render_line_chart(chart)
    assert "<script" not in svg
    root = parse(svg)
    assert not list(root.iter(f"{NS}script"))
    assert root.find(f"{NS}title").text == nasty
    assert root.find(f"{NS}desc").text == nasty
    assert legend_texts(root).count(nasty) == 2


def test_render_any_chart_has_no_scripts_styles_classes_or_external_refs():
    chart = make_chart(
        lines=[
            ChartLine("Target", [75.0] * 6, "target"),
            ChartLine("Neighbours", [70.0] * 6, "comparator"),
        ],
        band=([68.0] * 6, [78.0] * 6),
    )
    svg_checks.assert_self_contained(render_line_chart(chart))


def test_render_same_input_twice_identical_output():
    chart = make_chart(band=([68.0] * 6, [78.0] * 6))
    assert render_line_chart(chart) == render_line_chart(chart)
    assert render_line_chart(chart) == render_line_chart(make_chart(band=([68.0] * 6, [78.0] * 6)))


# ---------------------------------------------------------------------------------------------
# The actual series


def test_render_gap_in_actual_splits_line_into_segments():
    chart = make_chart(actual=[71.0, 72.0, None, 74.0, 75.0, 76.0])
    paths = actual_paths(parse(render_line_chart(chart)))
    assert [len(path_points(p.get("d"))) for p in paths] == [2, 3]


def test_render_no_gaps_draws_one_actual_segment():
    paths = actual_paths(parse(render_line_chart(make_chart())))
    assert [len(path_points(p.get("d"))) for p in paths] == [6]


def test_render_lone_point_between_gaps_has_marker_but_no_segment():
    chart = make_chart(actual=[71.0, None, 73.0, None, 75.0, 76.0])
    root = parse(render_line_chart(chart))
    assert [len(path_points(p.get("d"))) for p in actual_paths(root)] == [2]
    assert len(markers(root)) == 4


def test_render_nan_and_infinite_values_treated_as_gaps():
    chart = make_chart(actual=[71.0, math.nan, 73.0, math.inf, 75.0, 76.0])
    root = parse(render_line_chart(chart))
    assert [len(path_points(p.get("d"))) for p in actual_paths(root)] == [2]
    assert len(markers(root)) == 4


def test_render_irregular_dates_give_proportional_x_spacing():
    periods = [UK.year(2010), UK.year(2011), UK.quarter(2012, 2), UK.quarter(2012, 3)]
    chart = make_chart(
        periods=periods, actual=[60.0, 62.0, 64.0, 66.0], ratings=[None] * 4, lines=[]
    )
    xs = [svg_checks.marker_centre(m)[0] for m in markers(parse(render_line_chart(chart)))]
    days = [p.end.toordinal() for p in periods]
    for i in range(1, 3):
        expected = (days[i + 1] - days[i]) / (days[1] - days[0])
        assert (xs[i + 1] - xs[i]) / (xs[1] - xs[0]) == pytest.approx(expected, abs=0.01)
    assert xs[1] - xs[0] > 2 * (xs[3] - xs[2])  # a year apart versus a quarter apart


def test_render_unsorted_periods_drawn_in_time_order():
    chart = make_chart()
    order = [3, 0, 5, 1, 4, 2]
    shuffled = replace(
        chart,
        periods=[chart.periods[i] for i in order],
        actual=[chart.actual[i] for i in order],
        ratings=[chart.ratings[i] for i in order],
        lines=[ChartLine("Target", [75.0] * 6, "target")],
    )
    assert render_line_chart(shuffled) == render_line_chart(chart)


@pytest.mark.parametrize(
    ("rating", "tag", "fill"),
    [
        (Rating.GREEN, "circle", COLOURS["green"]),
        (Rating.AMBER, "path", COLOURS["amber"]),
        (Rating.RED, "rect", COLOURS["red"]),
        (None, "circle", "#ffffff"),
        (Rating.NO_TARGET, "circle", "#ffffff"),
        (Rating.NOT_RATED, "circle", "#ffffff"),
    ],
)
def test_render_rating_marker_has_shape_and_colour(rating, tag, fill):
    chart = make_chart(periods=months(2013, 9, 1), actual=[73.0], ratings=[rating], lines=[])
    (marker,) = markers(parse(render_line_chart(chart)))
    assert marker.tag == f"{NS}{tag}"
    assert marker.get("fill") == fill
    if fill == "#ffffff":
        assert marker.get("stroke") == COLOURS["actual"]


def test_render_marker_titles_give_period_value_and_rating():
    chart = make_chart(
        periods=months(2013, 8, 2), actual=[73.0, 68.25], ratings=[Rating.AMBER, None], lines=[]
    )
    titles = [m.find(f"{NS}title").text for m in markers(parse(render_line_chart(chart)))]
    assert titles == ["Aug-13: 73% (Amber)", "Sep-13: 68.3%"]  # a tie rounds up, as in Excel


def test_render_marker_positions_match_values_on_y_axis():
    root = parse(render_line_chart(make_chart()))
    ys = [svg_checks.marker_centre(m)[1] for m in markers(root)]
    values = make_chart().actual
    # y is linear in the value and increases downwards
    slope = (ys[-1] - ys[0]) / (values[-1] - values[0])
    assert slope < 0
    for y, v in zip(ys, values, strict=True):
        assert y == pytest.approx(ys[0] + slope * (v - values[0]), abs=0.2)


# ---------------------------------------------------------------------------------------------
# Reference lines and band


def test_render_line_styles_dashed_target_dotted_comparator_thin_grey_threshold():
    chart = make_chart(
        lines=[
            ChartLine("Target", [75.0] * 6, "target"),
            ChartLine("Neighbours", [70.0] * 6, "comparator"),
            ChartLine("Floor", [65.0] * 6, "threshold"),
            ChartLine("Forecast", [72.0] * 6, "extra"),
        ]
    )
    root = parse(render_line_chart(chart))
    drawn = {}
    for k in range(1, 5):
        (path,) = list(group(root, f"-line-{k}"))
        drawn[k] = path
    target, comparator, threshold, extra = (drawn[k] for k in range(1, 5))
    assert target.get("stroke-dasharray")
    assert comparator.get("stroke-linecap") == "round"  # round caps on tiny dashes draw dots
    assert float(comparator.get("stroke-dasharray").split()[0]) < 1
    assert comparator.get("stroke") in COMPARATOR_COLOURS
    assert threshold.get("stroke") == COLOURS["threshold"]
    assert float(threshold.get("stroke-width")) < float(target.get("stroke-width"))
    assert extra.get("stroke") in EXTRA_COLOURS
    strokes = [p.get("stroke") for p in drawn.values()] + [COLOURS["actual"]]
    assert len(set(strokes)) == 5


def test_render_gap_in_target_splits_target_line():
    chart = make_chart(lines=[ChartLine("Target", [75.0, 75.0, None, 76.0, 76.0, 76.0], "target")])
    paths = list(group(parse(render_line_chart(chart)), "-line-1"))
    assert [len(path_points(p.get("d"))) for p in paths] == [2, 3]


def test_render_breaks_start_new_lines_for_every_series():
    """A year-to-date chart: nothing joins March to April (actual, target, band)."""
    periods = months(2013, 1, 6)  # Jan to Jun 2013: April opens 2013/14
    chart = make_chart(periods=periods, breaks=[periods[3]], band=([68.0] * 6, [78.0] * 6))
    root = parse(render_line_chart(chart))
    assert [len(path_points(p.get("d"))) for p in actual_paths(root)] == [3, 3]
    assert [len(path_points(p.get("d"))) for p in group(root, "-line-1")] == [3, 3]
    assert len(list(group(root, "-band").iter(f"{NS}polygon"))) == 2
    assert len(markers(root)) == 6  # every figure still has its marker


def test_render_break_beside_a_gap_leaves_a_lone_point_as_a_marker():
    periods = months(2013, 1, 6)
    chart = make_chart(periods=periods, breaks=[periods[3]], actual=[1, 2, None, 4, None, 6])
    root = parse(render_line_chart(chart))
    assert [len(path_points(p.get("d"))) for p in actual_paths(root)] == [2]


def test_render_band_given_draws_polygon_and_legend_entry():
    chart = make_chart(band=([68.0] * 6, [78.0] * 6))
    root = parse(render_line_chart(chart))
    polygons = list(group(root, "-band").iter(f"{NS}polygon"))
    assert len(polygons) == 1
    assert len(polygons[0].get("points").split()) == 12
    assert "Expected range" in legend_texts(root)


def test_render_band_absent_draws_no_polygon_or_legend_entry():
    svg = render_line_chart(make_chart())
    root = parse(svg)
    assert not list(root.iter(f"{NS}polygon"))
    assert "Expected range" not in svg


def test_render_band_with_gap_splits_polygons_over_complete_periods():
    lower = [68.0, 68.0, None, 68.0, 68.0, 68.0]
    upper = [78.0, 78.0, 78.0, 78.0, None, 78.0]
    root = parse(render_line_chart(make_chart(band=(lower, upper))))
    polygons = list(group(root, "-band").iter(f"{NS}polygon"))
    # periods 0-1 together, 3 alone, 5 alone (lone periods become narrow bars)
    assert [len(p.get("points").split()) for p in polygons] == [4, 4, 4]


def test_render_band_values_widen_y_range():
    chart = make_chart(band=([40.0] * 6, [95.0] * 6))
    values = [float(t.rstrip("%")) for t in y_tick_labels(parse(render_line_chart(chart)))]
    assert min(values) <= 40
    assert max(values) >= 95


# ---------------------------------------------------------------------------------------------
# Axes


@pytest.mark.parametrize(
    ("lo", "hi", "count", "max_decimals"),
    [
        (58.8, 81.2, 6, 1),
        (0, 63.6, 5, 1),
        (-5.6, 5.6, 5, 0),
        (958.4, 1361.6, 6, 0),
        (1_164_000, 1_836_000, 6, 0),
        (0.0123, 0.0456, 5, 4),
        (2.664, 3.336, 6, 0),
        (7, 7, 5, 2),
        (-10.12, -7.88, 4, 1),
    ],
)
def test_nice_ticks_any_range_even_nice_steps_covering_range(lo, hi, count, max_decimals):
    ticks, decimals = nice_ticks(lo, hi, count, max_decimals)
    assert ticks[0] <= lo
    assert ticks[-1] >= hi
    assert 2 <= len(ticks) <= count + 2
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in {1, 2, 2.5, 5}
    assert decimals <= max_decimals
    assert all(round(t / step, 6) == round(t / step) for t in ticks)  # ticks on multiples


def test_nice_ticks_count_unit_never_uses_fractional_step():
    ticks, decimals = nice_ticks(2.1, 3.9, 7, max_decimals=0)
    assert decimals == 0
    assert all(t == int(t) for t in ticks)


def test_render_y_tick_labels_nice_and_cover_data():
    chart = make_chart(actual=[66.0, 69.0, 74.0, 78.0, 73.0, 71.0])
    labels = y_tick_labels(parse(render_line_chart(chart)))
    assert all(label.endswith("%") for label in labels)
    values = [float(label.rstrip("%")) for label in labels]
    assert values == sorted(values, reverse=True) or values == sorted(values)
    values.sort()
    assert values[0] <= 66 and values[-1] >= 78
    steps = {round(b - a, 6) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1
    assert steps.pop() in {1, 2, 2.5, 5, 10}


def test_render_values_far_from_zero_axis_does_not_start_at_zero():
    labels = y_tick_labels(parse(render_line_chart(make_chart())))
    assert min(float(label.rstrip("%")) for label in labels) >= 50


def test_render_values_near_zero_axis_starts_at_zero():
    chart = make_chart(actual=[3.0, 12.0, 20.0, 35.0, 41.0, 50.0], lines=[])
    labels = y_tick_labels(parse(render_line_chart(chart)))
    assert min(float(label.rstrip("%")) for label in labels) == 0


def test_render_percentages_up_to_100_axis_stops_at_100():
    chart = make_chart(actual=[96.0, 98.0, 100.0, 99.0, 97.0, 100.0], lines=[])
    labels = y_tick_labels(parse(render_line_chart(chart)))
    assert max(float(label.rstrip("%")) for label in labels) == 100


def test_render_currency_axis_labels_use_unit_format():
    chart = make_chart(
        actual=[1.2e6, 1.3e6, 1.5e6, 1.4e6, 1.6e6, 1.8e6], unit=Unit(UnitKind.CURRENCY), lines=[]
    )
    labels = y_tick_labels(parse(render_line_chart(chart)))
    assert all(re.fullmatch(r"£\d{1,3}(,\d{3})*", label) for label in labels), labels


def test_render_many_periods_thins_x_labels_keeping_latest():
    periods = months(2011, 4, 48)
    chart = make_chart(
        periods=periods, actual=[70.0 + i % 5 for i in range(48)], ratings=[], lines=[]
    )
    root = parse(render_line_chart(chart))
    labels = x_tick_labels(root)
    assert 3 <= len(labels) < 48
    assert labels[-1].text == periods[-1].display
    xs = [float(t.get("x")) for t in labels]
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert min(gaps) > 40  # "Sep-13" is about 33 px at 11 px Arial
    # a tick mark for every period even where the label is thinned out
    ticks = group(root, "-x-axis").find(f"{NS}path").get("d")
    assert ticks.count("v4") == 48


def test_render_few_periods_labels_every_period():
    labels = x_tick_labels(parse(render_line_chart(make_chart())))
    assert [t.text for t in labels] == [p.display for p in make_chart().periods]


# ---------------------------------------------------------------------------------------------
# Degenerate data


def test_render_all_none_data_shows_no_data_text():
    chart = make_chart(actual=[None] * 6, ratings=[None] * 6, lines=[])
    root = parse(render_line_chart(chart))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "No data" in texts
    assert not markers(root)
    assert len(y_tick_labels(root)) >= 2  # axes still drawn
    assert len(x_tick_labels(root)) >= 2


def test_render_no_actual_but_target_shows_no_data_and_target():
    chart = make_chart(actual=[None] * 6, ratings=[])
    root = parse(render_line_chart(chart))
    assert "No data" in [t.text for t in root.iter(f"{NS}text")]
    assert list(group(root, "-line-1"))


def test_render_no_periods_shows_no_data_text():
    chart = make_chart(periods=[], actual=[], ratings=[], lines=[])
    root = parse(render_line_chart(chart))
    assert "No data" in [t.text for t in root.iter(f"{NS}text")]


def test_render_single_point_draws_marker_in_plot_centre():
    chart = make_chart(periods=months(2013, 9, 1), actual=[73.0], ratings=[Rating.GREEN], lines=[])
    root = parse(render_line_chart(chart))
    (marker,) = markers(root)
    assert not actual_paths(root)
    x, _ = svg_checks.marker_centre(marker)
    baseline = group(root, "-x-axis").find(f"{NS}path").get("d")
    left, right = re.match(r"M([\d.]+) [\d.]+H([\d.]+)", baseline).groups()
    assert x == pytest.approx((float(left) + float(right)) / 2, abs=0.1)


def test_render_all_zero_values_draws_sensible_axis():
    chart = make_chart(actual=[0.0] * 6, unit=Unit(UnitKind.COUNT), lines=[])
    labels = y_tick_labels(parse(render_line_chart(chart)))
    values = [float(label) for label in labels]
    assert min(values) == 0
    assert max(values) > 0


def test_render_mismatched_lengths_raise_value_error():
    with pytest.raises(ValueError, match="actual"):
        render_line_chart(make_chart(actual=[1.0]))
    with pytest.raises(ValueError, match="Target"):
        render_line_chart(make_chart(lines=[ChartLine("Target", [1.0], "target")]))
    with pytest.raises(ValueError, match="band"):
        render_line_chart(make_chart(band=([1.0], [2.0])))


def test_render_unknown_line_style_raises_value_error():
    with pytest.raises(ValueError, match="style"):
        render_line_chart(make_chart(lines=[ChartLine("Odd", [1.0] * 6, "zigzag")]))


# ---------------------------------------------------------------------------------------------
# Legend and contrast


def test_render_legend_lists_every_series_and_rating_key():
    chart = make_chart(
        lines=[
            ChartLine("Target", [75.0] * 6, "target"),
            ChartLine("Statistical neighbours", [70.0] * 6, "comparator"),
        ],
        band=([68.0] * 6, [78.0] * 6),
    )
    legend = group(parse(render_line_chart(chart)), "-legend")
    texts = [t.text for t in legend.iter(f"{NS}text")]
    for label in ("Actual", "Target", "Statistical neighbours", "Expected range", "Rating:"):
        assert label in texts
    assert texts[-3:] == ["Green", "Amber", "Red"]
    # the key draws the marker shapes themselves, in the marker colours
    shapes = {(el.tag.removeprefix(NS), el.get("fill")) for el in legend}
    assert ("circle", COLOURS["green"]) in shapes
    assert ("path", COLOURS["amber"]) in shapes
    assert ("rect", COLOURS["red"]) in shapes


def test_render_mixed_rated_and_unrated_markers_key_includes_not_rated():
    chart = make_chart(ratings=[Rating.GREEN, None, Rating.RED, None, None, None])
    texts = legend_texts(parse(render_line_chart(chart)))
    assert texts[-4:] == ["Green", "Amber", "Red", "No rating"]


def test_render_unrated_chart_omits_rating_key():
    chart = make_chart(ratings=[None] * 6)
    texts = legend_texts(parse(render_line_chart(chart)))
    assert "Rating:" not in texts


def test_render_empty_series_omitted_from_legend():
    chart = make_chart(lines=[ChartLine("Neighbours", [None] * 6, "comparator")])
    texts = legend_texts(parse(render_line_chart(chart)))
    assert "Neighbours" not in texts


def test_render_every_colour_meets_wcag_contrast_on_white():
    chart = make_chart(
        lines=[
            ChartLine("Target", [75.0] * 6, "target"),
            ChartLine("A", [70.0] * 6, "comparator"),
            ChartLine("B", [71.0] * 6, "comparator"),
            ChartLine("C", [72.0] * 6, "comparator"),
            ChartLine("Floor", [65.0] * 6, "threshold"),
            ChartLine("D", [73.0] * 6, "extra"),
            ChartLine("E", [74.0] * 6, "extra"),
            ChartLine("F", [74.5] * 6, "extra"),
        ],
        band=([68.0] * 6, [78.0] * 6),
        ratings=[Rating.RED, Rating.AMBER, Rating.GREEN, None, Rating.NO_TARGET, Rating.GREEN],
    )
    root = parse(render_line_chart(chart))
    svg_checks.assert_contrast_on_white(
        root, {"#ffffff", "none", COLOURS["grid"], COLOURS["band_fill"]}
    )
    # the band's pale fill is backed by edges that do meet 3:1
    edges = [p for p in group(root, "-band") if p.tag == f"{NS}path"]
    assert edges
    assert all(svg_checks.contrast_on_white(p.get("stroke")) >= 3 for p in edges)


# ---------------------------------------------------------------------------------------------
# Embedding in the PDF


@pytest.mark.parametrize(
    "chart",
    [
        make_chart(
            lines=[
                ChartLine("Target", [75.0] * 6, "target"),
                ChartLine("Neighbours", [70.0, 71.0, None, 72.0, 71.0, 70.0], "comparator"),
                ChartLine("Floor", [65.0] * 6, "threshold"),
            ],
            band=([68.0] * 6, [78.0] * 6),
            title='Title with <tags> & "quotes"',
        ),
        make_chart(actual=[None] * 6, ratings=[], lines=[]),
        make_chart(periods=months(2013, 9, 1), actual=[73.0], ratings=[Rating.AMBER], lines=[]),
    ],
    ids=["full", "no-data", "single-point"],
)
def test_typst_embed_chart_svg_compiles_to_pdf(chart):
    assert len(svg_checks.svg_as_pdf(render_line_chart(chart))) > 1000
