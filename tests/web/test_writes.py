"""The write path: figures, commentary and notes saved as revisions, with its rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kpiboard.web.models import CommentaryText, Figure, Site
from kpiboard.web.signoff import set_signoff
from kpiboard.web.writes import Invalid, Locked, save_period_entry


def current(code: str, period: str, series: str = "actual") -> Figure | None:
    return Figure.objects.filter(
        indicator__code=code, period=period, series=series, is_current=True
    ).first()


def revision(code: str, period: str, series: str = "actual") -> int:
    figure = current(code, period, series)
    return figure.revision if figure else 0


def version() -> int:
    return Site.objects.get(pk=1).version


def save(user, code="ASC01", period="2013-10", values=None, bases=None, **kwargs):
    values = {"actual": 75.0} if values is None else values
    if bases is None:
        bases = {series: revision(code, period, series) for series in values}
    return save_period_entry(
        user, code, period, values, bases,
        kwargs.pop("commentary", None), kwargs.pop("commentary_base", 0),
        kwargs.pop("reason", ""), **kwargs,
    )  # fmt: skip


def approve(people, section="asc", period="2013-09"):
    submitter = people["owner"] if section == "asc" else people["section_owner"]
    set_signoff(submitter, section, period, "submitted")
    set_signoff(people["approver"] if section == "asc" else people["analyst"], section, period,
                "approved")  # fmt: skip


def test_a_new_figure_is_revision_one_by_its_author_and_bumps_the_version(demo_site):
    before = version()
    result = save(demo_site["owner"], values={"actual": 75.0, "clients": 11900.0})
    assert result.changed == ("actual", "clients")
    assert result.version == version() == before + 1
    figure = current("ASC01", "2013-10")
    assert (figure.value, figure.revision, figure.author) == (75.0, 1, demo_site["owner"])


def test_unchanged_values_add_no_revision_and_leave_the_version_alone(demo_site):
    before_rows, before_version = Figure.objects.count(), version()
    result = save(demo_site["owner"], period="2013-09", values={"actual": 73.0})
    assert result.nothing_changed
    assert Figure.objects.count() == before_rows
    assert version() == before_version


def test_changing_a_submitted_figure_needs_a_reason(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    with pytest.raises(Invalid) as caught:
        save(demo_site["owner"], period="2013-09", values={"actual": 74.0})
    assert caught.value.errors["reason"] == (
        "Enter a reason for changing a figure that was already submitted"
    )
    assert current("ASC01", "2013-09").value == 73.0


def test_changing_a_saved_figure_in_a_draft_period_needs_no_reason(demo_site):
    save(demo_site["owner"], period="2013-09", values={"actual": 74.0})
    assert current("ASC01", "2013-09").value == 74.0


def test_a_change_supersedes_the_old_revision_which_stays_in_the_history(demo_site):
    save(demo_site["owner"], period="2013-09", values={"actual": 74.0}, reason="Late returns")
    rows = Figure.objects.filter(indicator__code="ASC01", period="2013-09", series="actual")
    assert [(r.revision, r.value, r.is_current) for r in rows.order_by("revision")] == [
        (1, 73.0, False),
        (2, 74.0, True),
    ]
    assert current("ASC01", "2013-09").reason == "Late returns"


def test_an_empty_value_withdraws_a_saved_figure_with_a_reason(demo_site):
    save(demo_site["owner"], period="2013-09", values={"actual": None}, reason="Data error")
    figure = current("ASC01", "2013-09")
    assert figure.value is None and figure.revision == 2


def test_an_owner_may_not_save_figures_of_an_indicator_they_do_not_own(demo_site):
    with pytest.raises(PermissionDenied):
        save(demo_site["owner"], code="ASC02")
    with pytest.raises(PermissionDenied):
        save(demo_site["viewer"])


def test_a_section_owner_may_save_any_indicator_of_the_section(demo_site):
    result = save(demo_site["section_owner"], code="SCS01", period="2013/14 Q3",
                  values={"actual": 84.0})  # fmt: skip
    assert result.changed == ("actual",)
    assert current("SCS01", "2013/14 Q3").value == 84.0


def test_only_analysts_set_targets(demo_site):
    with pytest.raises(Invalid) as caught:
        save(demo_site["owner"], values={"target": 81.0})
    assert caught.value.errors["target"].startswith("Only analysts")
    save(demo_site["analyst"], values={"target": 81.0})
    assert current("ASC01", "2013-10", "target").value == 81.0


def test_a_not_rated_indicator_has_no_target(demo_site):
    with pytest.raises(Invalid) as caught:
        save(demo_site["analyst"], code="ASC02", values={"target": 30.0})
    assert "no target" in caught.value.errors["target"]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "73", True])
def test_values_must_be_finite_numbers(demo_site, value):
    with pytest.raises(Invalid) as caught:
        save(demo_site["owner"], values={"actual": value})
    assert caught.value.errors["actual"] == "Enter a number, like 73 or 5.84"


def test_an_unknown_series_is_refused_with_the_series_the_indicator_has(demo_site):
    with pytest.raises(Invalid) as caught:
        save(demo_site["owner"], values={"clinets": 5.0})
    assert "use actual, target" in caught.value.errors["clinets"]


def test_a_period_that_cannot_be_read_is_refused(demo_site):
    with pytest.raises(Invalid) as caught:
        save(demo_site["owner"], period="Octember 2013")
    assert "period" in caught.value.errors


def test_an_invalid_save_writes_nothing_at_all(demo_site):
    rows = Figure.objects.count()
    with pytest.raises(Invalid):
        save(demo_site["owner"], values={"actual": 75.0, "target": 80.0})
    assert Figure.objects.count() == rows


def test_commentary_is_saved_as_a_revision_and_unchanged_commentary_adds_none(demo_site):
    owner = demo_site["owner"]
    result = save(owner, values={}, commentary="Up at last.\r\n\r\nMore to do.")
    assert result.commentary and not result.changed
    text = CommentaryText.objects.get(indicator__code="ASC01", period="2013-10", is_current=True)
    assert text.text == "Up at last.\n\nMore to do."
    again = save(owner, values={}, commentary="Up at last.\n\nMore to do.\n", commentary_base=1)
    assert again.nothing_changed
    assert CommentaryText.objects.filter(indicator__code="ASC01", period="2013-10").count() == 1


def test_commentary_none_leaves_the_commentary_alone(demo_site):
    save(demo_site["owner"], period="2013-09", values={}, commentary=None)
    assert CommentaryText.objects.get(
        indicator__code="ASC01", period="2013-09", is_current=True
    ).text.startswith("73% of people")


def test_a_note_is_kept_with_the_actual(demo_site):
    save(demo_site["owner"], values={"actual": 75.0}, note="Provisional")
    assert current("ASC01", "2013-10").note == "Provisional"
    result = save(demo_site["owner"], values={"actual": 75.0}, note="Confirmed")
    assert result.changed == ("actual",)  # a new note alone needs no reason
    assert (current("ASC01", "2013-10").note, revision("ASC01", "2013-10")) == ("Confirmed", 2)


def test_the_saved_figures_reach_the_pack(demo_site):
    from kpiboard.web.store import current_pack

    save(demo_site["owner"], values={"actual": 75.0})
    pack = current_pack()
    data = pack.data["ASC01"]
    assert data.get("actual")[data.index_of(pack.calendar.parse("2013-10"))] == 75.0


# --- approved periods ----------------------------------------------------------------------------


def test_an_approved_period_is_locked_for_owners(demo_site):
    approve(demo_site)
    with pytest.raises(Locked) as caught:
        save(demo_site["owner"], period="2013-09", values={"actual": 74.0}, reason="Late")
    assert "approved" in caught.value.errors[""]
    assert current("ASC01", "2013-09").value == 73.0


def test_an_analyst_changes_an_approved_figure_only_with_a_reason(demo_site):
    approve(demo_site)
    with pytest.raises(Invalid) as caught:
        save(demo_site["analyst"], period="2013-09", values={"actual": 74.0})
    assert caught.value.errors["reason"] == "Enter a reason for changing an approved figure"
    save(demo_site["analyst"], period="2013-09", values={"actual": 74.0}, reason="Audit fix")
    assert current("ASC01", "2013-09").value == 74.0


def test_the_lock_covers_the_section_only(demo_site):
    approve(demo_site)  # asc, Sep-13
    result = save(demo_site["section_owner"], code="SCS01", period="2013/14 Q2",
                  values={"actual": 85.3}, reason="Revised")  # fmt: skip
    assert result.changed == ("actual",)


def test_approving_a_month_locks_the_quarter_that_ends_in_it(demo_site):
    approve(demo_site, section="scs", period="2013-09")
    with pytest.raises(Locked):
        save(demo_site["section_owner"], code="SCS01", period="2013/14 Q2",
             values={"actual": 85.3}, reason="Revised")  # fmt: skip


def test_an_owner_may_still_save_unchanged_values_of_an_approved_period(demo_site):
    approve(demo_site)
    assert save(demo_site["owner"], period="2013-09", values={"actual": 73.0}).nothing_changed
