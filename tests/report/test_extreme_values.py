"""Charts, ticks and formatting are total: any finite float draws and prints, never raises.

Stored figures are bounded (core.bounds), but figures computed from them are not, and a database
written before the bound may hold anything: the report must still render.
"""

from __future__ import annotations

import math
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiboard.core.units import Negatives, Scale, Unit, UnitKind, plain
from kpiboard.report.chart_scales import nice_ticks, value_range
from kpiboard.report.charts import ChartLine, LineChart, render_line_chart
from kpiboard.report.spc_chart import SpcChart, render_spc_chart
from tests.report.svg_checks import NS, months

EXTREMES = [1e308, -1e308, 5e-324, -5e-324, sys.float_info.max, -sys.float_info.max, 0.0]
MIXED = [73.0, 1e308, None, -1e308, 5e-324, 1e15, -2.5, 1e-300]

finite = st.floats(allow_nan=False, allow_infinity=False)
series = st.lists(st.one_of(st.none(), finite), min_size=1, max_size=14)
units = st.builds(
    Unit,
    kind=st.sampled_from(list(UnitKind)),
    decimals=st.one_of(st.none(), st.integers(0, 6)),
    scale=st.sampled_from(list(Scale)),
    negatives=st.sampled_from(list(Negatives)),
)


def _coordinates_are_sane(svg: str) -> None:
    """Valid XML, and every number in the geometry a finite, modest coordinate."""
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    for element in root.iter():
        for name in ("x", "y", "cx", "cy", "r", "width", "height"):
            text = element.get(name)
            if text is not None:
                assert math.isfinite(float(text)) and abs(float(text)) < 10_000, (name, text)
    assert "nan" not in svg.lower().replace("nano", "") and "inf" not in svg.replace("info", "")


def line_chart(values: list[float | None], unit: Unit) -> LineChart:
    n = len(values)
    return LineChart(
        chart_id="chart-x",
        title="Extreme figures",
        description="A chart of figures at the edge of what a float holds.",
        periods=months(2013, 4, n),
        actual=values,
        ratings=[],
        unit=unit,
        lines=[ChartLine("Target", list(reversed(values)), "target")],
    )


def spc_chart(values: list[float | None], unit: Unit) -> SpcChart:
    n = len(values)
    return SpcChart(
        chart_id="spc-x",
        title="Extreme figures",
        description="An SPC chart of figures at the edge of what a float holds.",
        periods=months(2013, 4, n),
        values=values,
        mean=[values[0]] * n,
        lower_limit=[v if v is None else -abs(v) for v in values],
        upper_limit=[v if v is None else abs(v) for v in values],
        point_types=["common_cause"] * n,
        unit=unit,
    )


@pytest.mark.parametrize("kind", list(UnitKind))
def test_a_series_mixing_the_extremes_of_a_float_draws(kind):
    unit = Unit(kind)
    _coordinates_are_sane(render_line_chart(line_chart(MIXED, unit)))
    _coordinates_are_sane(render_spc_chart(spc_chart(MIXED, unit)))


@pytest.mark.parametrize("value", EXTREMES)
def test_one_extreme_figure_draws_alone(value):
    _coordinates_are_sane(render_line_chart(line_chart([value], Unit(UnitKind.PERCENT))))
    _coordinates_are_sane(render_line_chart(line_chart([value, value], Unit(UnitKind.COUNT))))


@pytest.mark.parametrize(("lo", "hi"), [(-1e308, 1e308), (0.0, 1e308), (5e-324, 1e-300)])
def test_ticks_cover_any_finite_range(lo, hi):
    span_lo, span_hi = value_range([lo, hi], Unit(UnitKind.COUNT))
    ticks, decimals = nice_ticks(span_lo, span_hi, 5, max_decimals=0)
    assert all(math.isfinite(t) for t in ticks) and 2 <= len(ticks) <= 8 and decimals >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=series, unit=units)
def test_any_finite_figures_draw_as_valid_svg(values, unit):
    _coordinates_are_sane(render_line_chart(line_chart(values, unit)))
    _coordinates_are_sane(render_spc_chart(spc_chart(values, unit)))


@settings(max_examples=300, deadline=None)
@given(value=finite, unit=units)
def test_any_finite_figure_prints_in_any_unit(value, unit):
    assert unit.format(value) and unit.format_full(value) and plain(value)
    assert unit.format_difference(value) and unit.format_difference(value - (-value))
