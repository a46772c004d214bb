"""docs/monthly-cycle.md names only what exists: its commands, its site addresses, its files and
its screenshots (each a PNG small enough for a repository)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from kpiboard.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "monthly-cycle.md"
TEXT = PAGE.read_text(encoding="utf-8")
FENCED = re.findall(r"```\w*\n(.*?)```", TEXT, re.S)
CODE = re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", TEXT, flags=re.S))
COMMANDS = CODE + [line.split("#")[0].strip() for block in FENCED for line in block.splitlines()]


def test_every_screenshot_is_a_small_png_beside_the_page():
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", TEXT)
    assert len(images) >= 8
    for image in images:
        path = PAGE.parent / image
        assert path.suffix == ".png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
        assert path.stat().st_size < 160_000, image


def test_every_kpiboard_command_named_exists():
    commands = {c.split()[1] for c in COMMANDS if c.startswith("kpiboard ")}
    assert {"remind", "manage", "serve", "worker"} <= commands
    assert "make demo" in COMMANDS and "demo:" in (ROOT / "Makefile").read_text()
    for command in commands:
        assert command in main.commands, command


@pytest.mark.django_db
def test_every_site_address_named_resolves():
    addresses = [c.replace("<code>", "ASC01") for c in CODE if c.startswith("/")]
    assert "/enter/" in addresses and "/sections/asc/2013-10/check/" in addresses
    for address in addresses:
        try:
            resolve(address)
        except Resolver404:
            pytest.fail(f"{address} is not a page of the site")


def test_every_file_and_link_named_exists():
    files = [c for c in CODE if "/" in c and not c.startswith("/") and " " not in c]
    assert "tools/docs_screenshots.py" in files
    for name in files:
        assert (ROOT / name).exists() or (ROOT / "src" / name).exists(), name
    for target, anchor in re.findall(r"\]\(([a-z-]+\.md)(?:#([^)]*))?\)", TEXT):
        assert (PAGE.parent / target).exists(), target
        if anchor:
            headings = re.findall(r"^#+ (.+)$", (PAGE.parent / target).read_text("utf-8"), re.M)
            slugs = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}
            assert anchor in slugs, f"{target}#{anchor}"
    assert "(docs/monthly-cycle.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
