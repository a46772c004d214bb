"""After a write, a worker rebuilds only the indicators it touched, and gets exactly the pack
and dashboard rows a full rebuild gives."""

from __future__ import annotations

from kpiboard.packs.compare import differences
from kpiboard.packs.loader import build_pack
from kpiboard.web import dashboard_cache, store
from kpiboard.web.incremental import touched_since
from kpiboard.web.models import CommentaryText, DataChange, Figure, Site
from kpiboard.web.writes import save_period_entry


def _save(user, value: float, commentary: str | None = None, note: str = "") -> None:
    said = CommentaryText.objects.filter(
        indicator__code="ASC01", period="2013-09", is_current=True
    ).first()
    save_period_entry(
        user, "ASC01", "2013-09", {"actual": value}, {"actual": 1}, commentary,
        said.revision if said else 0, "Revised", note=note,
    )  # fmt: skip


def _full_board():
    made = store.generation()
    return dashboard_cache._build(made.pack, made.version, made.pack.as_at)


def test_incremental_a_figure_saved_rebuilds_only_its_indicator(demo_site):
    before = store.generation()
    _save(demo_site["owner"], 71.5, commentary="Better than expected.", note="Checked")
    after = store.generation()
    assert after.version == before.version + 1
    assert after.touched == frozenset({"ASC01"}) and after.parent is before.pack
    assert after.pack.data["ASC02"] is before.pack.data["ASC02"]  # untouched: shared


def test_incremental_pack_equals_a_full_rebuild(demo_site):
    store.generation()
    _save(demo_site["owner"], 71.5, commentary="Better than expected.", note="Checked")
    incremental = store.generation().pack
    assert differences(build_pack(store.source_from_db()), incremental) == []
    assert incremental.data_notes == build_pack(store.source_from_db()).data_notes


def test_incremental_dashboard_rows_equal_a_full_build(demo_site):
    dashboard_cache.board()
    _save(demo_site["owner"], 12.0)  # far off target: the rating and icons change
    upgraded = dashboard_cache.board()
    assert store.generation().touched == frozenset({"ASC01"})
    full = _full_board()
    assert [r.html for r in upgraded.rows] == [r.html for r in full.rows]
    assert [r.html for r in upgraded.leads] == [r.html for r in full.leads]
    assert [(r.rating, r.variation, r.assurance) for r in upgraded.rows] == [
        (r.rating, r.variation, r.assurance) for r in full.rows
    ]
    assert upgraded.matrix == full.matrix
    row = next(r for r in upgraded.rows if r.code == "ASC01")
    assert "12" in row.html


def test_incremental_a_change_beyond_figures_builds_in_full(demo_site):
    first = store.generation()
    store.bump_version()  # no indicators named: anything may have changed
    again = store.generation()
    assert again.touched is None and again.parent is None
    assert again.pack is not first.pack


def test_incremental_touched_since_needs_every_version_in_between(demo_site):
    version = Site.get().version
    store.bump_version(["ASC01"])
    store.bump_version(["ASC02", "ASC01"])
    assert touched_since(version, version + 2) == frozenset({"ASC01", "ASC02"})
    DataChange.objects.filter(version=version + 1).delete()  # pruned, or never written
    assert touched_since(version, version + 2) is None
    assert touched_since(version + 2, version + 2) is None


def test_incremental_a_write_that_moves_no_icon_keeps_the_matrix(demo_site):
    before = dashboard_cache.board()
    figure = next(
        f
        for f in Figure.objects.filter(period="2013-09", series="actual", is_current=True)
        if before.analyses[f.indicator.code].spc is None and f.value is not None
    )  # no SPC chart: no icon to move
    save_period_entry(
        demo_site["analyst"], figure.indicator.code, "2013-09", {"actual": figure.value + 1},
        {"actual": figure.revision}, None, 0, "Revised",
    )  # fmt: skip
    after = dashboard_cache.board()
    assert store.generation().touched == frozenset({figure.indicator.code})
    assert after.icons == before.icons and after.icons != ()
    assert after.matrix is before.matrix
    assert after.matrix == _full_board().matrix
