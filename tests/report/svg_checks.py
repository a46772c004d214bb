"""Checks every SVG the report draws must pass (line charts, SPC charts, icons), and test helpers.

The charts and icons share their promises: self-contained markup that typst can render,
accessible names, element ids that are safe and unique, and colours with WCAG contrast on white.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Collection

import pytest

from kpiboard.core.periods import UK, Period

NS = "{http://www.w3.org/2000/svg}"


def months(first_year: int, first_month: int, count: int) -> list[Period]:
    """``count`` consecutive months from ``first_month`` of ``first_year``."""
    out = []
    for k in range(count):
        index = first_year * 12 + first_month - 1 + k
        out.append(UK.month(index // 12, index % 12 + 1))
    return out


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def find_group(root: ET.Element, suffix: str) -> ET.Element | None:
    """The ``<g>`` whose id ends with ``suffix``, or None."""
    for g in root.iter(f"{NS}g"):
        if g.get("id", "").endswith(suffix):
            return g
    return None


def group(root: ET.Element, suffix: str) -> ET.Element:
    """The ``<g>`` whose id ends with ``suffix``; the test fails when there is none."""
    found = find_group(root, suffix)
    assert found is not None, f"no group ending {suffix!r}"
    return found


def legend_texts(root: ET.Element) -> list[str]:
    return [t.text for t in group(root, "-legend").iter(f"{NS}text")]


def path_points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML]([-\d.]+) ([-\d.]+)", d)]


def marker_centre(el: ET.Element) -> tuple[float, float]:
    """Where a marker sits: a circle's centre, a square's middle, the mean corner of a path
    (a diamond drawn with relative ``l`` steps, or a triangle)."""
    if el.tag == f"{NS}circle":
        return float(el.get("cx")), float(el.get("cy"))
    if el.tag == f"{NS}rect":
        return (
            float(el.get("x")) + float(el.get("width")) / 2,
            float(el.get("y")) + float(el.get("height")) / 2,
        )
    corners: list[tuple[float, float]] = []
    for command, x, y in re.findall(r"([MLl])([-\d.]+) ([-\d.]+)", el.get("d")):
        if command == "l":
            x0, y0 = corners[-1]
            corners.append((x0 + float(x), y0 + float(y)))
        else:
            corners.append((float(x), float(y)))
    return sum(x for x, _ in corners) / len(corners), sum(y for _, y in corners) / len(corners)


def contrast_on_white(colour: str) -> float:
    """The WCAG contrast ratio of ``#rrggbb`` against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def assert_svg_root(root: ET.Element, width: int, height: int) -> None:
    """An ``<svg>`` image of the given size, in the charts' font."""
    assert root.tag == f"{NS}svg"
    assert (root.get("width"), root.get("height")) == (str(width), str(height))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert root.get("role") == "img"
    assert root.get("font-family", "").startswith("Arial, Helvetica")
    assert root.get("font-family", "").endswith("sans-serif")


def assert_labelled_by_title_and_desc(root: ET.Element, title: str, description: str) -> None:
    """The image is named by its ``<title>`` and described by its ``<desc>``."""
    title_el, desc_el = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert root.get("aria-labelledby").split() == [title_el.get("id"), desc_el.get("id")]
    assert title_el.text == title
    assert desc_el.text == description


def element_ids(root: ET.Element) -> list[str]:
    return [el.get("id") for el in root.iter() if el.get("id")]


def assert_ids_unique_and_safe(root: ET.Element) -> None:
    """Every element id is distinct and safe in HTML and CSS: a letter, then ``[A-Za-z0-9_-]``."""
    ids = element_ids(root)
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", i) for i in ids), ids


def assert_self_contained(svg: str) -> None:
    """No scripts, styles, classes or external references: typst (usvg) renders only attributes,
    and nothing in a report may fetch or run anything."""
    root = ET.fromstring(svg)
    tags = {el.tag.removeprefix(NS) for el in root.iter()}
    assert not tags & {"script", "style", "image", "use", "foreignObject", "a"}
    for el in root.iter():
        assert "class" not in el.attrib
        assert "style" not in el.attrib
        assert not any("href" in name for name in el.attrib)
    assert "url(" not in svg


def assert_contrast_on_white(root: ET.Element, decorative: Collection[str]) -> None:
    """Every fill and stroke but the ``decorative`` ones has 3:1 contrast on white, text 4.5:1."""
    for el in root.iter():
        minimum = 4.5 if el.tag == f"{NS}text" else 3.0
        for attr in ("fill", "stroke"):
            colour = el.get(attr)
            if colour is None or colour in decorative:
                continue
            assert contrast_on_white(colour) >= minimum, (el.tag, attr, colour)


def svg_as_pdf(svg: str) -> bytes:
    """``svg`` placed as an image in a typst document, compiled to PDF (skips without typst)."""
    typst = pytest.importorskip("typst")
    pdf = typst.compile(
        b'#image(bytes(sys.inputs.at("svg")), format: "svg")',
        format="pdf",
        sys_inputs={"svg": svg},
    )
    assert pdf.startswith(b"%PDF")
    return pdf
