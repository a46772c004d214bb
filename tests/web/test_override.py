"""Rating overrides from the indicator page: analysts only, with a reason, audited."""

from __future__ import annotations

import yaml
from django.urls import reverse

from kpiboard.web import dashboard_cache
from kpiboard.web.models import Definition
from kpiboard.web.overrides import set_override
from kpiboard.web.store import bump_version, export_pack
from kpiboard.web.views import override as override_view

from .revisions import hidden, save_between_the_reads

URL = reverse("kpiboard:override", args=["ASC03"])


def revision(code="ASC03") -> int:
    return Definition.objects.get(indicator__code=code, is_current=True).revision


def post(client, **fields):
    data = {"base_revision": revision(), "period": "2013-09"} | fields
    return client.post(URL, data)


def dashboard_row(client, code="ASC03") -> str:
    html = client.get(reverse("kpiboard:dashboard")).content.decode()
    start = html.index(f'<span class="kpi-code">{code}</span>')
    return html[start : html.index("</tr>", start)]


def test_override_analyst_sets_a_rating_the_dashboard_shows_with_the_computed_one(client_for):
    analyst = client_for("analyst")
    assert "kpi-rating--green" in dashboard_row(analyst)
    before = revision()
    response = post(analyst, rating="RED", reason="Return under review with the NHS")
    assert response.status_code == 302
    assert response["Location"] == reverse("kpiboard:indicator", args=["ASC03"])
    page = analyst.get(response["Location"]).content.decode()
    assert "The rating of ASC03 for Sep-13 was overridden." in page
    assert "Return under review with the NHS" in page  # the report's override note
    row = dashboard_row(analyst)
    assert "kpi-rating--red" in row and "override: computed rating Green" in row
    current = Definition.objects.get(indicator__code="ASC03", is_current=True)
    assert current.revision == before + 1 and current.author.username == "analyst"
    assert current.reason == "Rating for Sep-13 overridden: Return under review with the NHS"
    assert current.body["overrides"] == [
        {"period": "2013-09", "rating": "RED", "reason": "Return under review with the NHS",
         "by": "Tom Whitfield"}
    ]  # fmt: skip


def test_override_is_listed_in_recent_changes(client_for):
    analyst = client_for("analyst")
    post(analyst, rating="AMBER", reason="Held at Amber pending audit")
    html = analyst.get(reverse("kpiboard:changes"), {"kind": "definition"}).content.decode()
    assert "Rating for Sep-13 overridden: Held at Amber pending audit" in html


def test_override_restoring_the_computed_rating(client_for):
    analyst = client_for("analyst")
    post(analyst, rating="RED", reason="Under review")
    response = post(analyst, rating="COMPUTED", reason="Return confirmed")
    assert response.status_code == 302
    current = Definition.objects.get(indicator__code="ASC03", is_current=True)
    assert current.reason == "Rating for Sep-13 restored: Return confirmed"
    assert "overrides" not in Definition.objects.get(indicator__code="ASC03", is_current=True).body
    assert "kpi-rating--green" in dashboard_row(analyst)


def test_override_removing_when_there_is_none_is_refused(client_for):
    before = revision()
    response = post(client_for("analyst"), rating="COMPUTED", reason="x")
    assert response.status_code == 400
    assert "Sep-13 has no override to remove" in response.content.decode()
    assert revision() == before


def test_override_needs_a_rating_and_a_reason_and_writes_nothing_without(client_for):
    analyst = client_for("analyst")
    before = revision()
    no_reason = post(analyst, rating="RED", reason="  ")
    assert no_reason.status_code == 400
    html = no_reason.content.decode()
    assert '<a href="#reason">Enter the reason for the override' in html
    assert "govuk-textarea--error" in html
    no_rating = post(analyst, reason="Because")
    assert no_rating.status_code == 400
    assert '<a href="#rating">Choose the rating to show</a>' in no_rating.content.decode()
    bad_period = post(analyst, rating="RED", reason="x", period="2013-13")
    assert bad_period.status_code == 400
    assert "Choose a period with a figure to override" in bad_period.content.decode()
    future = post(analyst, rating="RED", reason="x", period="2030/31 Q2")  # readable, not offered
    assert future.status_code == 400
    restore_without_reason = post(analyst, rating="COMPUTED", reason="")
    assert restore_without_reason.status_code == 400
    assert revision() == before


def test_override_refused_when_the_definition_changed_since_the_form(client_for):
    analyst = client_for("analyst")
    stale = revision()
    post(analyst, rating="AMBER", reason="First")
    response = post(analyst, rating="RED", reason="Second", base_revision=stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Tom Whitfield changed ASC03&#x27;s definition since you opened this page" in html
    assert '<a href="#form-error">' in html and 'id="form-error"' in html
    body = Definition.objects.get(indicator__code="ASC03", is_current=True).body
    assert body["overrides"][0]["rating"] == "AMBER"


def test_override_form_opened_during_a_save_never_overwrites_it(client_for, demo_site, monkeypatch):
    analyst = client_for("analyst")
    analyst.get(URL)  # the board built before the page starts, as on a running site

    def someone_elses_override():
        set_override(
            demo_site["admin"], "ASC03", "2013-09", "RED", "Theirs", base_revision=revision()
        )

    reads = [(override_view, "definition_revision"), (dashboard_cache, "board")]
    save_between_the_reads(monkeypatch, reads, someone_elses_override)
    page = analyst.get(URL).content.decode()
    monkeypatch.undo()
    response = post(analyst, rating="AMBER", reason="Mine", base_revision=hidden(page))
    assert "Theirs" in page or response.status_code == 409
    body = Definition.objects.get(indicator__code="ASC03", is_current=True).body
    assert body["overrides"][0]["reason"] == "Theirs"


def test_override_changed_elsewhere_keeps_the_input_and_saves_the_second_time(client_for):
    analyst = client_for("analyst")
    stale = revision()
    post(analyst, rating="AMBER", reason="First")
    refused = post(analyst, rating="RED", reason="Second", base_revision=stale)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "First" in html and ">Second</textarea>" in html  # what is saved, and what was typed
    assert hidden(html) == str(revision())
    again = post(analyst, rating="RED", reason="Second", base_revision=hidden(html))
    assert again.status_code == 302
    body = Definition.objects.get(indicator__code="ASC03", is_current=True).body
    assert body["overrides"][0]["rating"] == "RED"


def test_override_refused_for_its_input_keeps_the_base_it_was_drawn_from(client_for):
    analyst = client_for("analyst")
    stale = revision()
    post(analyst, rating="AMBER", reason="First")
    refused = post(analyst, rating="", reason="Second", base_revision=stale)
    assert refused.status_code == 400
    assert hidden(refused.content.decode()) == str(stale)  # the next save meets the change


def test_override_only_for_analysts_and_administrators(client_for):
    for name in ("viewer", "owner", "section_owner", "approver"):
        client = client_for(name)
        assert client.get(URL).status_code == 403, name
        assert post(client, rating="RED", reason="x").status_code == 403, name
    assert client_for("admin").get(URL).status_code == 200


def test_override_link_on_the_indicator_page_only_for_those_who_may(client_for):
    link = f'href="{URL}"'
    page = reverse("kpiboard:indicator", args=["ASC03"])
    assert link in client_for("analyst").get(page).content.decode()
    for name in ("viewer", "owner", "approver"):
        assert link not in client_for(name).get(page).content.decode(), name


def test_override_not_offered_for_a_not_rated_indicator(client_for):
    analyst = client_for("analyst")
    assert analyst.get(reverse("kpiboard:override", args=["ASC02"])).status_code == 404
    page = analyst.get(reverse("kpiboard:indicator", args=["ASC02"])).content.decode()
    assert reverse("kpiboard:override", args=["ASC02"]) not in page


def test_override_form_lists_periods_with_their_computed_ratings(client_for):
    html = client_for("analyst").get(URL).content.decode()
    assert '<option value="2013-09" selected>Sep-13: computed Green</option>' in html


def test_override_travels_with_the_pack_when_exported(client_for, tmp_path):
    post(client_for("analyst"), rating="RED", reason="Under review")
    exported = export_pack(tmp_path / "pack")
    definition = yaml.safe_load((exported / "indicators" / "ASC03.yaml").read_text())
    assert definition["overrides"][0]["period"] == "2013-09"
    assert definition["overrides"][0]["rating"] == "RED"


def test_override_written_by_a_pack_in_its_own_period_style_can_be_replaced_and_removed(
    client_for, demo_site
):
    current = Definition.objects.get(indicator__code="ASC03", is_current=True)
    current.is_current = False
    current.save(update_fields=["is_current"])
    body = dict(current.body) | {
        "overrides": [{"period": "Sep-13", "rating": "AMBER", "reason": "From the pack", "by": "X"}]
    }
    Definition.objects.create(indicator=current.indicator, body=body, revision=current.revision + 1)
    bump_version()
    analyst = client_for("analyst")
    assert post(analyst, rating="RED", reason="Replaced").status_code == 302
    overrides = Definition.objects.get(indicator__code="ASC03", is_current=True).body["overrides"]
    assert overrides == [
        {"period": "2013-09", "rating": "RED", "reason": "Replaced", "by": "Tom Whitfield"}
    ]
    assert post(analyst, rating="COMPUTED", reason="Gone").status_code == 302


def test_override_restore_link_preselects_the_period_and_the_computed_rating(client_for):
    analyst = client_for("analyst")
    post(analyst, rating="RED", reason="Under review")
    html = analyst.get(URL).content.decode()
    assert 'href="?period=2013-09&amp;restore=1#reason">Restore the computed rating' in html
    form = analyst.get(URL, {"period": "2013-09", "restore": "1"}).content.decode()
    assert 'id="rating-computed" name="rating" type="radio" value="COMPUTED" checked' in form
