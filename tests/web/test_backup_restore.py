"""Backup and restore, as a council would do it when moving servers: ``exportpack`` the site,
load the backup into an empty database, ``exportpack`` again. The two backups are the same file for
file and byte for byte, whatever commentary people wrote (hypothesis draws it), on SQLite and on
PostgreSQL alike (the suite runs on both)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiboard.packs.textfiles import canonical_text
from kpiboard.web.models import CommentaryText, Figure, Indicator
from kpiboard.web.store import clear_cache, export_pack, load_pack_into_db
from kpiboard.web.writes import save_period_entry
from tests.conftest import _remove_demo_site

#: Lines that mean something to the commentary file format or to Markdown, mixed into the
#: generated text so that most examples meet one.
AWKWARD_LINES = [
    "## 2013-09",
    "##2013-10",
    "```",
    "~~~",
    "---",
    "\\## 2013-08",
    "\\",
    "# Heading",
    "<script>alert(1)</script>",
    "=SUM(A1:A9)",
    "  indented  ",
    "",
]

#: Any Unicode text a browser could post: no NUL (refused at the door), no lone surrogates.
LINE = st.one_of(
    st.sampled_from(AWKWARD_LINES),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=60),
)
COMMENTARY = st.lists(LINE, min_size=1, max_size=8).map("\n".join)

#: Where the generated commentary is written: the owner's indicator, past and new periods.
PERIODS = ["2013-07", "2013-10", "2013-11"]


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def empty_database() -> None:
    """Every kpiboard row and every person gone, as on a server just set up."""
    _remove_demo_site()
    clear_cache()
    assert not Indicator.objects.exists()
    assert not Figure.objects.exists()


def backup_restore_backup(folder: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    first = export_pack(folder / "first")
    empty_database()
    load_pack_into_db(first, reason="Restored from backup")
    clear_cache()
    second = export_pack(folder / "second")
    return files(first), files(second)


def test_a_backup_restored_into_an_empty_database_backs_up_the_same(demo_site, tmp_path):
    before, after = backup_restore_backup(tmp_path)
    assert "kpiboard.yaml" in before
    assert any(name.startswith("commentary/") for name in before)
    assert after == before


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(COMMENTARY, min_size=len(PERIODS), max_size=len(PERIODS)))
def test_any_commentary_survives_backup_and_restore_byte_for_byte(
    demo_site, tmp_path_factory, texts
):
    folder = tmp_path_factory.mktemp("backup")
    with transaction.atomic():
        for period, text in zip(PERIODS, texts, strict=True):
            save_period_entry(demo_site["owner"], "ASC01", period, {}, {}, text, 0, "")
        clear_cache()
        stored = dict(
            CommentaryText.objects.filter(
                indicator__code="ASC01", period__in=PERIODS, is_current=True
            ).values_list("period", "text")
        )
        before, after = backup_restore_backup(folder)
        restored = dict(
            CommentaryText.objects.filter(
                indicator__code="ASC01", period__in=PERIODS, is_current=True
            ).values_list("period", "text")
        )
        transaction.set_rollback(True)  # the next example starts from the demo site again
    clear_cache()
    assert after == before
    assert restored.keys() == stored.keys()
    for period, text in stored.items():  # as the site shows it, which is what was saved
        assert restored[period] == canonical_text(text), period
