"""Shared fixtures: the demo pack, built by the same builder the demo command uses."""

from __future__ import annotations

import pytest

from kpiboard.demo import write_demo
from kpiboard.packs.loader import load_pack


@pytest.fixture(scope="session")
def demo_pack_dir(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo") / "pack")


@pytest.fixture(scope="session")
def demo_pack(demo_pack_dir):
    return load_pack(demo_pack_dir)
