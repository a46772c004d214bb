"""``exportpack``: a backup that reads back as the database's pack, or a clear failure and no
folder; commentary the web app accepted survives the export exactly."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kpiboard.packs.loader import load_pack
from kpiboard.web import store
from kpiboard.web.models import CommentaryText
from kpiboard.web.store import ExportError, current_pack, export_pack
from kpiboard.web.writes import save_period_entry

from .test_store import assert_same_pack

HEADING = "Down on last month.\n## 2013-09\nThe September line is this text, not a new period."
FENCE = "Sample from the return:\n```\nrow 1, 74.2\nrow 2, 73.9"  # the fence is never closed


def say(user, period: str, text: str) -> None:
    save_period_entry(user, "ASC01", period, {}, {}, text, 0, "")


@pytest.fixture
def hostile_commentary(demo_site):
    """Two commentaries as the issue found them, saved through the web app's own write path."""
    say(demo_site["owner"], "2013-10", HEADING)
    say(demo_site["owner"], "2013-11", FENCE)
    return demo_site


def texts(pack, ind_id="ASC01") -> dict[str, str]:
    return {c.period.label: c.text for c in pack.commentary[ind_id]}


def test_commentary_with_a_heading_line_or_an_open_fence_survives_export(
    hostile_commentary, tmp_path
):
    export_pack(tmp_path / "backup")
    exported = load_pack(tmp_path / "backup")
    assert texts(exported)["2013-10"] == HEADING
    assert texts(exported)["2013-11"] == FENCE
    assert texts(exported) == texts(current_pack())
    assert_same_pack(exported, current_pack())


def test_exportpack_reports_success_only_after_reading_the_pack_back(hostile_commentary, tmp_path):
    out = io.StringIO()
    call_command("exportpack", str(tmp_path / "backup"), stdout=out)
    assert "checked: it reads back the same" in out.getvalue()
    assert (tmp_path / "backup" / "commentary" / "ASC01.md").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["backup"]  # no working folder left behind


def unescaped(items):
    """The writer as it was: each text written as it stands under its heading."""
    return "\n".join(f"## {c.period.label}\n\n{c.text}\n" for c in items)


def test_an_export_that_would_not_load_fails_and_leaves_no_folder(
    hostile_commentary, tmp_path, monkeypatch
):
    monkeypatch.setattr(store, "write_commentary", unescaped)
    with pytest.raises(CommandError, match="Export failed: the exported pack would not load"):
        call_command("exportpack", str(tmp_path / "backup"))
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_moves_text_between_periods_fails_and_says_where(
    demo_site, tmp_path, monkeypatch
):
    say(demo_site["owner"], "2013-10", FENCE)
    say(demo_site["owner"], "2013-11", "November's own words.")
    monkeypatch.setattr(store, "write_commentary", unescaped)
    with pytest.raises(ExportError, match="reads back differently") as raised:
        export_pack(tmp_path / "backup")
    assert "commentary ASC01 2013-10: text differs" in str(raised.value)
    assert "commentary ASC01 2013-11: missing" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_an_export_never_writes_into_a_folder_that_has_files(demo_site, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("yesterday")
    with pytest.raises(ExportError, match="already exists"):
        export_pack(tmp_path / "backup")
    assert [p.name for p in (tmp_path / "backup").iterdir()] == ["old.txt"]
    (tmp_path / "empty").mkdir()
    assert load_pack(export_pack(tmp_path / "empty")).title == current_pack().title


def test_stored_commentary_not_in_canonical_form_exports_as_the_site_shows_it(demo_site, tmp_path):
    row = CommentaryText.objects.filter(indicator__code="ASC01", is_current=True).first()
    row.text = "\r\n  Spaced out.\r\nSecond line.  \r\n\r\n"
    row.save(update_fields=["text"])
    store.bump_version()
    assert texts(current_pack())[row.period] == "Spaced out.\nSecond line."
    assert texts(load_pack(export_pack(tmp_path / "backup"))) == texts(current_pack())
