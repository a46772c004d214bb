"""Database <-> pack: the demo pack survives a round trip through the database unchanged."""

from __future__ import annotations

import numpy as np
from django.utils import timezone

from kpiboard.demo import pack_source
from kpiboard.packs.loader import load_pack
from kpiboard.web.models import Figure, Indicator
from kpiboard.web.store import (
    bump_version,
    current_pack,
    export_pack,
    load_pack_into_db,
    pack_at,
)


def assert_same_pack(a, b):
    assert a.title == b.title and a.as_at == b.as_at and a.organisation == b.organisation
    assert a.sections == b.sections
    assert a.indicators == b.indicators
    assert a.commentary == b.commentary
    assert a.peers == b.peers and a.peer_groups == b.peer_groups
    assert a.subsets == b.subsets and a.tag_labels == b.tag_labels
    assert a.rating_key == b.rating_key and a.data_notes == b.data_notes
    assert a.data.keys() == b.data.keys()
    for key in a.data:
        assert a.data[key].periods == b.data[key].periods
        assert a.data[key].values.keys() == b.data[key].values.keys()
        for series, values in a.data[key].values.items():
            assert np.array_equal(values, b.data[key].values[series], equal_nan=True)


def test_demo_pack_round_trip_through_database_loses_nothing(db, tmp_path):
    original = load_pack(pack_source())
    load_pack_into_db(pack_source())
    assert_same_pack(current_pack(), original)
    export_pack(tmp_path / "out")
    assert_same_pack(load_pack(tmp_path / "out"), original)


def test_loading_the_same_pack_twice_adds_no_revisions(db):
    load_pack_into_db(pack_source())
    count = Figure.objects.count()
    load_pack_into_db(pack_source())
    assert Figure.objects.count() == count


def test_pack_at_earlier_time_ignores_later_revisions(db):
    load_pack_into_db(pack_source())
    before = timezone.now()
    asc01 = Indicator.objects.get(code="ASC01")
    current = Figure.objects.get(
        indicator=asc01, period="2013-09", series="actual", is_current=True
    )
    current.is_current = False
    current.save(update_fields=["is_current"])
    Figure.objects.create(
        indicator=asc01, period="2013-09", series="actual", value=99, revision=2, reason="test"
    )
    bump_version()
    latest = current_pack().data["ASC01"]
    then = pack_at(before).data["ASC01"]
    i = [p.label for p in latest.periods].index("2013-09")
    assert latest.get("actual")[i] == 99
    assert then.get("actual")[i] == 73
