"""``loadpack`` respects approved periods like every other write: refused, or with an analyst's
name and a reason recorded; the period stays approved."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import CommandError, call_command

from kpiboard.web.models import CommentaryText, Figure, Site
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import signoff_state


@pytest.fixture
def approved(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    return demo_site


def edited_pack(demo_pack_dir, tmp_path, old: str, new: str, file="data/actuals.csv"):
    pack = shutil.copytree(demo_pack_dir, tmp_path / "pack")
    path = pack / file
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return pack


def actual(period="2013-09") -> Figure:
    return Figure.objects.get(indicator__code="ASC01", period=period, series="actual",
                              is_current=True)  # fmt: skip


def test_changing_an_approved_figure_is_refused_and_nothing_is_written(approved, demo_pack_dir,
                                                                       tmp_path):  # fmt: skip
    pack = edited_pack(
        demo_pack_dir, tmp_path, "ASC01,2013-09,actual,73", "ASC01,2013-09,actual,99"
    )
    version, figures = Site.get().version, Figure.objects.count()
    for extra in ([], ["--reason", "Corrected return"]):
        with pytest.raises(CommandError) as caught:
            call_command("loadpack", str(pack), *extra)
        message = str(caught.value)
        assert "\n" not in message
        assert message.startswith("The pack changes approved periods. Adult Social Care for Sep-13")
        assert "approved by Helen Barker" in message and "(ASC01 actual 2013-09)" in message
        assert "the name of an analyst or administrator and a reason" in message
    assert (Site.get().version, Figure.objects.count()) == (version, figures)
    assert actual().value == 73.0


def test_an_owner_cannot_load_over_an_approved_period(approved, demo_pack_dir, tmp_path):
    pack = edited_pack(
        demo_pack_dir, tmp_path, "ASC01,2013-09,actual,73", "ASC01,2013-09,actual,99"
    )
    with pytest.raises(CommandError, match="approved periods"):
        call_command("loadpack", str(pack), "--user", "owner", "--reason", "Mine")
    with pytest.raises(CommandError, match="no active person called 'nobody'"):
        call_command("loadpack", str(pack), "--user", "nobody", "--reason", "Mine")
    assert actual().value == 73.0


def test_an_analyst_with_a_reason_changes_it_and_is_recorded(approved, demo_pack_dir, tmp_path):
    pack = edited_pack(
        demo_pack_dir, tmp_path, "ASC01,2013-09,actual,73", "ASC01,2013-09,actual,99"
    )
    with pytest.raises(CommandError, match="Give a reason to load it"):
        call_command("loadpack", str(pack), "--user", "ANALYST")
    call_command("loadpack", str(pack), "--user", "ANALYST", "--reason", "Corrected return")
    figure = actual()
    assert figure.value == 99.0 and figure.revision == 2
    assert figure.author == approved["analyst"] and figure.reason == "Corrected return"
    # The period stays approved, as after a correction on the web.
    assert signoff_state(figure.indicator.section, "2013-09")[0] == "approved"


def test_approved_commentary_is_locked_too(approved, demo_pack_dir, tmp_path):
    pack = edited_pack(demo_pack_dir, tmp_path, "73% of people", "Seventy-three per cent of people",
                       file="commentary/ASC01.md")  # fmt: skip
    with pytest.raises(CommandError, match=r"\(ASC01 commentary 2013-09\)"):
        call_command("loadpack", str(pack))
    text = CommentaryText.objects.get(indicator__code="ASC01", period="2013-09", is_current=True)
    assert text.text.startswith("73% of people")


def test_periods_that_are_not_approved_load_as_before(approved, demo_pack_dir, tmp_path):
    pack = edited_pack(
        demo_pack_dir, tmp_path, "ASC01,2013-08,actual,74", "ASC01,2013-08,actual,75"
    )
    call_command("loadpack", str(pack))
    assert actual("2013-08").value == 75.0 and actual("2013-08").author is None
    call_command("loadpack", str(demo_pack_dir))  # back as it was: August only, so allowed
    assert actual("2013-08").value == 74.0
