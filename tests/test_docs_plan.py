"""docs/business-plan.md shows only pictures that exist, each drawn by tools/docs_plan_pictures.py
(so that running it again redraws them all), and names web addresses the site has."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "business-plan.md"
TEXT = PAGE.read_text(encoding="utf-8")
TOOL = (ROOT / "tools" / "docs_plan_pictures.py").read_text(encoding="utf-8")


def test_every_picture_is_a_small_png_the_tool_draws():
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", TEXT)
    assert len(images) == 3
    for image in images:
        path = PAGE.parent / image
        assert path.suffix == ".png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
        assert path.stat().st_size < 160_000, image
        assert f'"{path.stem}"' in TOOL, image


def test_every_web_address_named_is_a_page_of_the_site():
    addresses = re.findall(r"`(/[a-z/]+/)(?:\?[^`]*)?`", TEXT)
    assert {"/plan/", "/plan/priorities/", "/dashboard/"} <= set(addresses)
    for address in addresses:
        resolve(address)
