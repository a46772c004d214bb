"""The site's reporting month: where it starts, how approval and analysts move it, and the pages
that default to it or show an earlier month with ?period=."""

from __future__ import annotations

import re
import shutil

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from kpiboard.packs.loader import load_pack
from kpiboard.packs.manifest import MANIFEST
from kpiboard.web import dashboard_cache, store
from kpiboard.web.models import MonthMove, ReportingMonth, Signoff
from kpiboard.web.month_moves import move_month
from kpiboard.web.reporting_month import collecting_month, current_period
from kpiboard.web.signoff import set_signoff
from kpiboard.web.store import clear_cache, current_pack, export_pack, load_pack_into_db
from kpiboard.web.views import month as month_view
from kpiboard.web.writes import ConcurrentEdit, Invalid, save_period_entry

from ..conftest import _remove_demo_site
from .revisions import hidden, save_between_the_reads

URL = reverse("kpiboard:reporting_month")
DASHBOARD = reverse("kpiboard:dashboard")


def approve(site, period: str = "2013-10", section: str = "asc") -> None:
    """The section's period submitted by its owner and approved by its approver."""
    submitter = site["owner"] if section == "asc" else site["section_owner"]
    approver = site["approver"] if section == "asc" else site["analyst"]
    set_signoff(submitter, section, period, "submitted")
    set_signoff(approver, section, period, "approved")


def month() -> str:
    return current_period().label


def as_at(response) -> str:
    """The month the page says it shows."""
    found = re.search(r"as at <strong>([A-Za-z]+ \d{4})</strong>", response.content.decode(), re.I)
    assert found, "the page does not say which month it shows"
    return found.group(1)


@pytest.fixture
def october(demo_site):
    """ASC01's October figure entered, and Adult Social Care's October approved."""
    save_period_entry(demo_site["owner"], "ASC01", "2013-10", {"actual": 75.0}, {}, None, 0, "")
    approve(demo_site)
    return demo_site


# --- where it starts and how it moves by itself --------------------------------------------------


def test_reporting_month_starts_as_the_packs_as_at_period(demo_site):
    assert month() == "2013-09"
    first = ReportingMonth.objects.get(is_current=True)
    assert (first.period, first.move, first.author) == ("2013-09", MonthMove.LOADED, None)
    assert current_pack().as_at.label == "2013-09"


def test_approving_a_later_period_moves_the_month_to_it(demo_site):
    approve(demo_site)
    assert month() == "2013-10"
    moved = ReportingMonth.objects.get(is_current=True)
    assert moved.move == MonthMove.APPROVED
    assert moved.author == demo_site["approver"]
    assert moved.reason == "Adult Social Care approved for Oct-13"
    assert current_pack().as_at.label == "2013-10"


def test_approving_an_earlier_period_never_moves_the_month_back(demo_site):
    approve(demo_site, "2013-10")
    approve(demo_site, "2013-08")
    assert month() == "2013-10"
    assert ReportingMonth.objects.count() == 2  # loaded, then October; August added nothing


def test_submitting_or_returning_a_period_does_not_move_the_month(demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")
    assert month() == "2013-09"
    set_signoff(demo_site["approver"], "asc", "2013-10", "draft", "Figures missing")
    assert month() == "2013-09"
    assert ReportingMonth.objects.count() == 1


def test_approving_a_quarter_moves_the_month_to_the_quarters_last_month(demo_site):
    approve(demo_site, "2013/14 Q3", section="scs")
    assert month() == "2013-12"


def test_a_sections_month_is_its_latest_approved_one_not_after_the_sites(demo_site):
    assert current_period("asc").label == "2013-09"  # nothing approved: the site's month
    approve(demo_site, "2013-08")
    assert current_period("asc").label == "2013-08"
    approve(demo_site, "2013-10")
    assert current_period("asc").label == "2013-10"
    assert current_period("scs").label == "2013-10"  # none approved: the site's month
    move_month(demo_site["analyst"], "2013-09", "Approved too early", base_revision=2)
    assert current_period("asc").label == "2013-08"  # October is after the site's month now


# --- the collecting month follows it -----------------------------------------------------------


def test_collecting_month_is_the_month_after_the_reporting_month_everywhere(demo_site, client_for):
    owner = client_for("owner")
    assert collecting_month(current_pack()).label == "2013-10"  # the demo reports September
    move_month(demo_site["analyst"], "2013-10", "October's returns are in", base_revision=1)
    assert collecting_month(current_pack()).label == "2013-11"
    grid = owner.get(reverse("kpiboard:entry_grid_now"))
    assert grid.url == reverse("kpiboard:entry_grid", args=["2013-11"])
    assert "Now collecting: November 2013." in owner.get(reverse("kpiboard:home")).content.decode()
    waiting = owner.get(reverse("kpiboard:entry")).content.decode()
    assert "Enter all your figures for Nov-13" in waiting


# --- an analyst moves it -------------------------------------------------------------------------


def test_an_analyst_moves_the_month_back_with_a_reason(demo_site):
    approve(demo_site)
    moved = move_month(demo_site["analyst"], "2013-09", "October approved by mistake",
                       base_revision=2)  # fmt: skip
    assert (moved.period, moved.move, moved.author) == ("2013-09", "moved", demo_site["analyst"])
    assert moved.reason == "October approved by mistake"
    assert month() == "2013-09"
    history = ReportingMonth.objects.order_by("revision").values_list("period", "is_current")
    assert list(history) == [("2013-09", False), ("2013-10", False), ("2013-09", True)]


@pytest.mark.parametrize("name", ["viewer", "owner", "section_owner", "approver"])
def test_only_analysts_and_administrators_move_the_month(demo_site, name):
    with pytest.raises(PermissionDenied):
        move_month(demo_site[name], "2013-10", "Because", base_revision=1)
    assert month() == "2013-09"
    move_month(demo_site["admin"], "2013-10", "Because", base_revision=1)
    assert month() == "2013-10"


@pytest.mark.parametrize(
    ("label", "reason", "errors"),
    [
        ("2013-10", " ", {"reason": "Enter the reason for moving the reporting month"}),
        ("2013/14 Q2", "Why", {"period": "Select the month the site should report"}),
        ("nonsense", "Why", {"period": "Select the month the site should report"}),
        ("2013-09", "Why", {"period": "The reporting month is already September 2013"}),
    ],
)
def test_a_move_without_a_month_or_a_reason_is_refused(demo_site, label, reason, errors):
    with pytest.raises(Invalid) as caught:
        move_month(demo_site["analyst"], label, reason, base_revision=1)
    assert caught.value.errors == errors
    assert ReportingMonth.objects.count() == 1


def test_a_move_after_someone_elses_is_refused(demo_site):
    approve(demo_site)  # revision 2, after the form showed revision 1
    with pytest.raises(ConcurrentEdit, match="Helen Barker changed the reporting month"):
        move_month(demo_site["analyst"], "2013-11", "Next month", base_revision=1)
    assert month() == "2013-10"


def test_the_page_moves_the_month_for_an_analyst(client_for):
    analyst = client_for("analyst")
    page = analyst.get(URL)
    assert page.status_code == 200
    assert "The site reports <strong>September 2013</strong>" in page.content.decode()
    response = analyst.post(
        URL, {"period": "2013-10", "reason": "October's returns are in", "base_revision": "1"}
    )
    assert response.status_code == 302
    assert month() == "2013-10"
    after = analyst.get(URL).content.decode()
    assert "The reporting month is now October 2013." in after
    assert "October&#x27;s returns are in" in after and "Moved by hand" in after


def test_the_page_after_someone_elses_move_shows_it_and_moves_the_second_time(client_for):
    analyst = client_for("analyst")
    opened = {"period": "2013-07", "reason": "Re-run July", "base_revision": "1"}
    moved = {"period": "2013-08", "reason": "Back to August", "base_revision": "1"}
    assert client_for("admin").post(URL, moved).status_code == 302
    refused = analyst.post(URL, opened)
    assert refused.status_code == 409 and month() == "2013-08"
    html = refused.content.decode()
    assert "The site reports <strong>August 2013</strong>" in html  # what is saved now
    assert "Re-run July" in html  # what was typed, kept
    hidden = re.search(r'name="base_revision" value="([^"]*)"', html)
    assert hidden is not None and hidden.group(1) == "2"
    again = analyst.post(URL, opened | {"base_revision": hidden.group(1)})
    assert again.status_code == 302 and month() == "2013-07"


def test_the_page_opened_during_a_move_never_undoes_it(client_for, demo_site, monkeypatch):
    analyst = client_for("analyst")
    analyst.get(URL)  # the pack built before the page starts, as on a running site

    def someone_elses_move():
        move_month(demo_site["admin"], "2013-08", "Back to August", base_revision=1)

    reads = [(month_view, "current_revision"), (store, "current")]
    save_between_the_reads(monkeypatch, reads, someone_elses_move)
    page = analyst.get(URL).content.decode()
    monkeypatch.undo()
    mine = {"period": "2013-07", "reason": "Re-run July", "base_revision": hidden(page)}
    response = analyst.post(URL, mine)
    assert "The site reports <strong>August 2013</strong>" in page or response.status_code == 409
    assert month() == "2013-08"


def test_the_page_names_a_missing_reason_and_moves_nothing(client_for):
    response = client_for("analyst").post(URL, {"period": "2013-10", "base_revision": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#reason">Enter the reason for moving the reporting month' in html
    assert month() == "2013-09"


def test_the_page_shows_viewers_the_month_and_its_moves_without_the_form(client_for):
    viewer = client_for("viewer")
    html = viewer.get(URL).content.decode()
    assert "The site reports <strong>September 2013</strong>" in html
    assert "Pack loaded" in html
    assert "Move the reporting month" not in html
    response = viewer.post(URL, {"period": "2013-10", "reason": "Mine", "base_revision": "1"})
    assert response.status_code == 403
    assert month() == "2013-09"


# --- pages default to it, and show an earlier month on request -----------------------------------


def test_dashboard_moves_to_the_approved_month(october, client_for):
    viewer = client_for("viewer")
    response = viewer.get(DASHBOARD)
    assert as_at(response) == "October 2013"
    assert "Adult Social Care: indicators as at October 2013" in response.content.decode()
    assert "earlier month" not in response.content.decode()


def test_dashboard_shows_an_earlier_month_with_a_link_back(october, client_for):
    response = client_for("viewer").get(DASHBOARD, {"period": "2013-09", "rating": "AMBER"})
    assert response.status_code == 200
    html = response.content.decode()
    assert as_at(response) == "September 2013"
    assert "You are looking at <strong>September 2013</strong>, an earlier month." in html
    back = '<a class="govuk-link" href="/dashboard/?rating=AMBER">Show October 2013, the reporting'
    assert back in html
    assert '<option value="2013-09" selected>September 2013</option>' in html
    # Links and filters keep the month.
    assert 'href="/indicators/ASC01/?period=2013-09"' in html
    assert '<input type="hidden" name="period" value="2013-09">' in html


def test_dashboard_rows_change_with_the_month(october, client_for):
    viewer = client_for("viewer")
    october_row = viewer.get(DASHBOARD).content.decode()
    september_row = viewer.get(DASHBOARD, {"period": "2013-09"}).content.decode()
    assert "Oct-13" in _row(october_row, "ASC01")
    assert "Oct-13" not in _row(september_row, "ASC01")


def _row(html: str, code: str) -> str:
    start = html.index(f"/indicators/{code}/")
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("banana", "“banana” is not a month: select a month from the list"),
        ("2013/14 Q2", "“2013/14 Q2” is not a month: select a month from the list"),
        ("2014-05", "May 2014 is after the reporting month, October 2013: select that month or "
                    "an earlier one"),
        ("1999-01", "There are no figures for January 1999: select a month from the list"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("page", ["dashboard", "indicator"])
def test_a_period_that_cannot_be_shown_is_named_not_a_server_error(
    october, client_for, period, message, page
):
    url = DASHBOARD if page == "dashboard" else reverse("kpiboard:indicator", args=["ASC01"])
    response = client_for("viewer").get(url, {"period": period})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#period">{message}</a>' in html.replace("&quot;", '"')
    assert as_at(response) == "October 2013"  # the reporting month, shown instead


def test_indicator_page_defaults_to_the_month_and_shows_an_earlier_one(october, client_for):
    owner = client_for("owner")
    url = reverse("kpiboard:indicator", args=["ASC01"])
    now = owner.get(url)
    assert as_at(now) == "October 2013"
    assert "Oct-13" in now.content.decode()
    assert "Enter figures and commentary for" in now.content.decode()
    before = owner.get(url, {"period": "2013-09"})
    html = before.content.decode()
    assert as_at(before) == "September 2013"
    assert f'<a class="govuk-link" href="{url}">Show October 2013, the reporting month' in html
    assert "Enter figures and commentary for" not in html  # entering is for the reporting month
    assert 'href="/dashboard/?period=2013-09" class="govuk-back-link"' in html


def test_reports_default_to_the_month(october, client_for):
    html = client_for("viewer").get(reverse("kpiboard:reports")).content.decode()
    assert '<option value="2013-10" selected>' in html
    assert "The current reporting period is October 2013." in html


def test_override_list_follows_the_month(demo_site, client_for):
    analyst = client_for("analyst")
    url = reverse("kpiboard:override", args=["ASC01"])
    assert '<option value="2013-09" selected>' in analyst.get(url).content.decode()
    move_month(demo_site["analyst"], "2013-08", "September's return withdrawn", base_revision=1)
    html = analyst.get(url).content.decode()
    assert '<option value="2013-08" selected>' in html
    assert 'value="2013-09"' not in html


# --- caches keep months apart --------------------------------------------------------------------


def test_cached_pages_of_one_month_never_show_for_another(october, client_for):
    viewer = client_for("viewer")
    url = reverse("kpiboard:indicator", args=["ASC01"])
    for _ in range(2):  # the second round is served from the caches
        assert as_at(viewer.get(DASHBOARD, {"period": "2013-09"})) == "September 2013"
        assert as_at(viewer.get(DASHBOARD)) == "October 2013"
        assert as_at(viewer.get(url, {"period": "2013-09"})) == "September 2013"
        assert as_at(viewer.get(url)) == "October 2013"
    assert store.generation().pages.hits >= 4


def test_boards_are_kept_per_month_and_dropped_when_the_data_changes(demo_site):
    request = RequestFactory().get("/")
    pack = current_pack()
    august = pack.calendar.parse("2013-08")
    now, before = dashboard_cache.board(request), dashboard_cache.board(None, august)
    assert now.period.label == "2013-09" and before.period.label == "2013-08"
    assert dashboard_cache.board(None, august) is before
    assert now.analyses["ASC01"].result.as_at.label == "2013-09"
    assert before.analyses["ASC01"].result.as_at.label == "2013-08"
    approve(demo_site)  # a new data version: a new pack, new boards
    assert dashboard_cache.board(None, august) is not before
    assert dashboard_cache.board().period.label == "2013-10"


# --- a backup keeps the month --------------------------------------------------------------------


def test_export_writes_the_month_and_loading_it_restores_it(october, tmp_path):
    exported = export_pack(tmp_path / "backup")
    assert load_pack(exported).as_at.label == "2013-10"
    assert "as_at: 2013-10" in (exported / MANIFEST).read_text()
    Signoff.objects.all().delete()
    _remove_demo_site()
    clear_cache()
    load_pack_into_db(exported)
    assert month() == "2013-10"
    assert ReportingMonth.objects.get().move == MonthMove.LOADED


def test_loading_a_pack_moves_the_month_forward_only(demo_site, demo_pack_dir, tmp_path):
    move_month(demo_site["analyst"], "2013-11", "Reporting November", base_revision=1)
    load_pack_into_db(demo_pack_dir)  # as at September: an older pack never moves it back
    assert month() == "2013-11"
    later = shutil.copytree(demo_pack_dir, tmp_path / "later")
    text = (later / MANIFEST).read_text()
    assert "as_at: 2013-09" in text
    (later / MANIFEST).write_text(text.replace("as_at: 2013-09", "as_at: 2013-12", 1))
    load_pack_into_db(later, reason="December's pack")
    assert month() == "2013-12"
    moved = ReportingMonth.objects.get(is_current=True)
    assert (moved.move, moved.reason) == (MonthMove.LOADED, "December's pack")


def test_a_site_without_a_stored_month_uses_the_packs_as_at(demo_site):
    ReportingMonth.objects.all().delete()  # a site set up before reporting months were kept
    clear_cache()
    assert month() == "2013-09"
    approve(demo_site)
    assert month() == "2013-10"


def test_anonymous_people_are_sent_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
