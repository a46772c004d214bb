"""SPC variation and assurance icons: labels, accessibility, glyphs, errors and typst embedding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from kpiboard.report.icons import (
    ASSURANCE_LABELS,
    VARIATION_LABELS,
    assurance_icon_svg,
    variation_icon_svg,
)
from kpiboard.report.spc_chart import SPC_COLOURS
from tests.report import svg_checks
from tests.report.svg_checks import NS

VARIATION = list(VARIATION_LABELS)
ASSURANCE = list(ASSURANCE_LABELS)


def all_icons() -> list[tuple[str, str]]:
    """(label, svg) for every icon, each with its own id."""
    out = [(VARIATION_LABELS[k], variation_icon_svg(k, icon_id=f"v-{k}")) for k in VARIATION]
    out += [(ASSURANCE_LABELS[k], assurance_icon_svg(k, icon_id=f"a-{k}")) for k in ASSURANCE]
    return out


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text")]


# ---------------------------------------------------------------------------------------------
# Labels


def test_labels_cover_every_variation_and_assurance_value():
    assert set(VARIATION_LABELS) == {
        "common_cause",
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
        "neutral_high",
        "neutral_low",
        "none",
    }
    assert set(ASSURANCE_LABELS) == {"pass", "fail", "inconsistent", "none", "not_applicable"}


def test_labels_are_distinct_plain_english():
    labels = list(VARIATION_LABELS.values()) + list(ASSURANCE_LABELS.values())
    assert len(set(labels)) == len(labels)
    assert all(re.fullmatch(r"[A-Z][a-z ()]+", label) for label in labels), labels
    assert VARIATION_LABELS["improvement_high"] == "Improvement (high)"
    assert ASSURANCE_LABELS["none"] == "No target"


# ---------------------------------------------------------------------------------------------
# Structure and accessibility


@pytest.mark.parametrize(("label", "svg"), all_icons(), ids=VARIATION + ASSURANCE)
def test_icon_is_img_labelled_by_its_title(label, svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title = root.find(f"{NS}title")
    assert title is not None
    assert title.text == label
    assert root.get("aria-labelledby") == title.get("id")


@pytest.mark.parametrize(("label", "svg"), all_icons(), ids=VARIATION + ASSURANCE)
def test_icon_has_no_scripts_styles_classes_or_external_refs(label, svg):
    svg_checks.assert_self_contained(svg)


@pytest.mark.parametrize(("label", "svg"), all_icons(), ids=VARIATION + ASSURANCE)
def test_icon_colours_meet_contrast_text_4_5_graphics_3(label, svg):
    svg_checks.assert_contrast_on_white(ET.fromstring(svg), {"none", "#ffffff"})


def test_icon_ids_derive_from_icon_id_and_never_collide():
    ids: list[str] = []
    for _, svg in all_icons():
        ids.extend(svg_checks.element_ids(ET.fromstring(svg)))
    assert len(ids) == len(set(ids))
    root = ET.fromstring(variation_icon_svg("common_cause", icon_id="ind-7-variation"))
    assert root.get("id") == "ind-7-variation"
    assert root.find(f"{NS}title").get("id") == "ind-7-variation-title"


def test_icon_id_with_markup_is_sanitised():
    svg = assurance_icon_svg("pass", icon_id='7 <b>"x"</b>')
    assert "<b>" not in svg
    svg_checks.assert_ids_unique_and_safe(ET.fromstring(svg))


def test_icon_size_sets_width_and_height_keeping_the_viewbox():
    root = ET.fromstring(variation_icon_svg("concern_low", size=24, icon_id="x"))
    assert (root.get("width"), root.get("height")) == ("24", "24")
    assert root.get("viewBox") == "0 0 100 100"
    assert ET.fromstring(assurance_icon_svg("fail", icon_id="y")).get("width") == "40"


def test_icons_deterministic():
    assert variation_icon_svg("neutral_high", icon_id="a") == variation_icon_svg(
        "neutral_high", icon_id="a"
    )
    assert assurance_icon_svg(None, icon_id="b") == assurance_icon_svg(None, icon_id="b")


# ---------------------------------------------------------------------------------------------
# Glyphs: letters, shapes and colours


@pytest.mark.parametrize("icon", [v for v in VARIATION if v != "none"])
def test_variation_icon_letter_ring_colour_and_signal_shapes(icon):
    root = ET.fromstring(variation_icon_svg(icon, icon_id="v"))
    ring = root.find(f"{NS}circle")
    if icon == "common_cause":
        assert texts(root) == []
        assert ring.get("stroke") == SPC_COLOURS["common"]
        assert {el.get("fill") for el in root.iter(f"{NS}circle")} == {
            "#ffffff",
            SPC_COLOURS["common"],
        }
        return
    nature, direction = icon.split("_")
    assert texts(root) == ["H" if direction == "high" else "L"]
    colour = SPC_COLOURS[nature]
    assert ring.get("stroke") == colour
    assert root.find(f"{NS}text").get("fill") == colour
    # the signal points repeat the chart's marker shapes, not only its colours
    shape = {"improvement": "circle", "concern": "rect", "neutral": "path"}[nature]
    signal = [el for el in root if el.get("fill") == colour and el.tag != f"{NS}text"]
    assert len(signal) == 3
    assert {el.tag for el in signal} == {f"{NS}{shape}"}


def test_variation_high_signal_points_sit_above_the_others_and_low_below():
    def signal_ys(icon: str) -> tuple[list[float], list[float]]:
        root = ET.fromstring(variation_icon_svg(icon, icon_id="v"))
        line = root.find(f"{NS}path")
        ys = [float(y) for y in re.findall(r"[ML][-\d.]+ ([-\d.]+)", line.get("d"))]
        return ys[:4], ys[4:]

    before, after = signal_ys("improvement_high")
    assert max(after) < min(before)  # SVG y grows downwards
    before, after = signal_ys("concern_low")
    assert min(after) > max(before)


@pytest.mark.parametrize(
    ("icon", "letter", "colour"),
    [
        ("pass", "P", SPC_COLOURS["improvement"]),
        ("fail", "F", SPC_COLOURS["concern"]),
        ("inconsistent", "?", SPC_COLOURS["common"]),
    ],
)
def test_assurance_icon_letter_colour_and_target_line(icon, letter, colour):
    root = ET.fromstring(assurance_icon_svg(icon, icon_id="a"))
    assert texts(root) == [letter]
    assert root.find(f"{NS}circle").get("stroke") == colour
    lines = list(root.iter(f"{NS}path"))
    assert len(lines) == 1
    assert re.fullmatch(r"M[\d.]+ [\d.]+H[\d.]+", lines[0].get("d"))  # horizontal
    assert lines[0].get("stroke-dasharray")


@pytest.mark.parametrize("icon", [None, "none"])
def test_assurance_none_gives_a_no_target_icon_not_an_empty_string(icon):
    svg = assurance_icon_svg(icon, icon_id="a")
    root = ET.fromstring(svg)
    assert root.find(f"{NS}title").text == "No target"
    assert root.find(f"{NS}circle").get("stroke-dasharray")
    assert texts(root) == []
    assert svg == assurance_icon_svg("none", icon_id="a")


@pytest.mark.parametrize(
    ("draw", "icon", "title"),
    [
        (variation_icon_svg, None, "Not assessed"),
        (variation_icon_svg, "none", "Not assessed"),
        (assurance_icon_svg, "not_applicable", "Not applicable"),
    ],
)
def test_withheld_and_not_applicable_icons_are_dashed_rings_with_their_own_title(draw, icon, title):
    root = ET.fromstring(draw(icon, icon_id="w"))
    assert root.find(f"{NS}title").text == title
    assert root.find(f"{NS}circle").get("stroke-dasharray")
    assert texts(root) == []


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize("icon", ["", "improvement", "special_cause_improvement", "HIGH", "pass"])
def test_variation_unknown_icon_raises_value_error(icon):
    with pytest.raises(ValueError, match="unknown variation icon"):
        variation_icon_svg(icon, icon_id="x")


@pytest.mark.parametrize("icon", ["", "PASS", "met", "common_cause"])
def test_assurance_unknown_icon_raises_value_error(icon):
    with pytest.raises(ValueError, match="unknown assurance icon"):
        assurance_icon_svg(icon, icon_id="x")


# ---------------------------------------------------------------------------------------------
# Embedding in the PDF


@pytest.mark.parametrize(("label", "svg"), all_icons(), ids=VARIATION + ASSURANCE)
def test_typst_embed_icon_svg_compiles_to_pdf(label, svg):
    assert len(svg_checks.svg_as_pdf(svg)) > 500
