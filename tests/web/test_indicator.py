"""One indicator's page: the report's page content, a drafted commentary, the revision history."""

from __future__ import annotations

import re

from django.urls import reverse

from kpiboard.web.models import CommentaryText, Figure, Indicator, Site
from kpiboard.web.store import bump_version

from .revisions import change_figure


def page(client, code="ASC01"):
    response = client.get(reverse("kpiboard:indicator", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def entry_url(code, period):
    return reverse("kpiboard:entry_form", args=[code, period])


def history(html: str) -> str:
    return html[html.index('id="history"') :]


def test_indicator_viewer_sees_the_report_page_content(client_for):
    html = page(client_for("viewer"))
    assert "1. Percentage of adult social care clients with community based services" in html
    assert 'class="kpi-rating kpi-rating--amber">Amber' in html
    assert "Worsened" in html
    assert "73%" in html and "80%" in html and "Sep-13" in html
    assert "figures by period" in html  # the trend table's caption
    assert re.search(r'<th scope="row" class="govuk-table__header">Rating</th>', html)
    assert "<svg" in html and "<title" in html  # the charts, titled
    assert "Statistical process control" in html
    assert "Special cause variation: improvement (high)" in html
    assert "Adult Social Care Swift client system" in html  # data notes
    assert "Cabinet member" in html  # metadata
    assert "73% of people with a community-based service" in html  # officer commentary


def test_indicator_forecast_and_peers_shown(client_for):
    html = page(client_for("viewer"), "SCS01")
    assert "Year-end forecast" in html and "Forecast year-end 79.6%" in html
    assert "Comparison with other councils" in html and "13th of 152" in html


def test_indicator_lead_shows_expected_range_status(client_for):
    html = page(client_for("viewer"), "LEAD06")
    assert "Above expected range" in html
    assert "is above the expected range (50 to 100)" in html


def test_indicator_unknown_code_404(client_for):
    response = client_for("viewer").get(reverse("kpiboard:indicator", args=["NOPE99"]))
    assert response.status_code == 404


def archive(code):
    """Archive an indicator as the register does: flagged, and out of its section's list."""
    Indicator.objects.filter(code=code).update(archived=True)
    site = Site.get()
    for section in site.manifest["sections"]:
        section["indicators"] = [i for i in section.get("indicators", []) if i != code]
    site.save()
    bump_version()


def test_indicator_archived_code_404(client_for):
    archive("ASC05")
    response = client_for("viewer").get(reverse("kpiboard:indicator", args=["ASC05"]))
    assert response.status_code == 404


def test_indicator_draft_commentary_labelled_as_draft(client_for):
    html = page(client_for("viewer"))
    draft = html[html.index('class="kpi-draft"') :]
    draft = draft[: draft.index("</section>")]
    assert ">Draft</strong>" in draft
    assert "Drafted commentary for Sep-13" in draft
    assert "It is not the service's commentary" in draft
    assert "73% in September 2013, down from 74% in August 2013." in draft


def test_indicator_edit_link_for_those_who_can_edit(client_for):
    link = entry_url("ASC01", "2013-09")
    for name in ("admin", "analyst", "owner"):
        assert link in page(client_for(name)), name
    quarter = entry_url("SCS01", "2013~14_Q2")  # "2013/14 Q2" as a path segment
    assert quarter in page(client_for("section_owner"), "SCS01")


def test_indicator_edit_link_not_for_those_who_cannot(client_for):
    for name in ("viewer", "approver", "section_owner"):
        assert "/entry/ASC01/" not in page(client_for(name)), name
    assert "/entry/ASC02/" not in page(client_for("owner"), "ASC02")


def test_indicator_history_shows_revision_made_in_test_with_author_and_reason(
    client_for, demo_site
):
    change_figure(
        "ASC01", "2013-09", "actual", 75, user=demo_site["analyst"], reason="Late returns added"
    )
    html = history(page(client_for("viewer")))
    row = html[html.index("Late returns added") - 1200 : html.index("Late returns added")]
    assert "73%" in row and "75%" in row and "→" in row
    assert ">Tom Whitfield</td>" in row
    assert "rev. 2" in row
    assert html.index("rev. 2") < html.index("rev. 1")  # newest first


def test_indicator_page_escapes_what_people_typed_in_the_history(client_for, demo_site):
    reason = '<script>alert("x")</script> & <b>bold</b>'
    change_figure("ASC01", "2013-09", "actual", 74, user=demo_site["analyst"], reason=reason)
    for html in (page(client_for("viewer")), history_page(client_for("viewer"))):
        assert "<script>alert" not in html and "<b>bold</b>" not in html
        assert "&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_indicator_history_shows_pack_load_as_author(client_for):
    html = history(page(client_for("viewer")))
    assert "pack load" in html and "Demo pack" in html
    assert "Sep-13: 4 revisions" in html  # actual, target, number of clients and commentary


def history_page(client, code="ASC01"):
    response = client.get(reverse("kpiboard:indicator_history", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def test_indicator_history_latest_period_first(client_for):
    html = history(page(client_for("viewer")))
    assert html.index("Sep-13:") < html.index("Aug-13:") < html.index("Jul-13:")


def test_indicator_history_on_the_page_is_the_latest_12_periods_with_a_link_to_the_rest(
    client_for,
):
    html = history(page(client_for("viewer")))
    assert html.count('class="govuk-details kpi-history"') == 12
    assert "Oct-12:" in html and "Sep-12:" not in html
    shown = int(re.search(r"(\d+) revisions of figures and commentary", html)[1])
    full = history_page(client_for("viewer"))
    assert f"{shown} revisions of figures and commentary" in full  # the page counts them all
    link = reverse("kpiboard:indicator_history", args=["ASC01"])
    earlier = full.count('class="govuk-details kpi-history"') - 12
    assert earlier > 0
    assert f'<a class="govuk-link" href="{link}">See the full revision history' in html
    assert f"including {earlier} earlier period{'s' if earlier > 1 else ''}</a>" in html


def test_indicator_history_page_lists_every_period_latest_first(client_for):
    html = history_page(client_for("viewer"))
    assert '<h1 class="govuk-heading-l">Revision history: ' in html
    assert html.index("Sep-13:") < html.index("Aug-13:") < html.index("Sep-12:")
    periods = html.count('class="govuk-details kpi-history"')
    figures = Figure.objects.filter(indicator__code="ASC01").values("period").distinct().count()
    assert periods >= figures
    assert 'href="/indicators/ASC01/" class="govuk-back-link"' in html


def test_indicator_history_page_unknown_code_404(client_for):
    response = client_for("viewer").get(reverse("kpiboard:indicator_history", args=["NOPE99"]))
    assert response.status_code == 404


def test_indicator_short_history_needs_no_link(client_for):
    html = history(page(client_for("viewer"), "SCS01"))  # quarterly: fewer than 12 periods
    assert "See the full revision history" not in html
    assert html.count('class="govuk-details kpi-history"') < 12


def test_indicator_page_shows_a_change_made_after_it_was_last_seen(client_for, demo_site):
    viewer = client_for("viewer")
    assert "73%" in page(viewer)  # the page is now built and kept for this data version
    change_figure("ASC01", "2013-09", "actual", 71, user=demo_site["analyst"], reason="Rechecked")
    html = page(viewer)
    facts = html[html.index('class="kpi-facts"') : html.index("</dl>")]
    assert "71%" in facts and "73%" not in facts
    assert "Rechecked" in history(html)
    assert "Rechecked" in history_page(viewer)


def test_indicator_kept_page_does_not_carry_one_readers_edit_link_to_another(client_for):
    link = entry_url("ASC01", "2013-09")
    assert link in page(client_for("owner"))
    assert link not in page(client_for("viewer"))
    assert link in page(client_for("analyst"))


def test_indicator_history_shows_commentary_revision(client_for, demo_site):
    indicator = Indicator.objects.get(code="ASC01")
    current = CommentaryText.objects.get(indicator=indicator, period="2013-09", is_current=True)
    current.is_current = False
    current.save(update_fields=["is_current"])
    CommentaryText.objects.create(
        indicator=indicator, period="2013-09", text="Recovery plan agreed with providers.",
        revision=2, author=demo_site["owner"], reason="Updated after the team meeting",
    )  # fmt: skip
    bump_version()
    html = page(client_for("viewer"))
    assert "Recovery plan agreed with providers." in html[: html.index('id="history"')]
    log = history(html)
    assert "Updated after the team meeting" in log and ">Grace Adeyemi</td>" in log
    assert '<ins><span class="govuk-visually-hidden">added: </span>Recovery plan' in log
    assert '<del><span class="govuk-visually-hidden">removed: </span>73% of people' in log


def test_indicator_page_has_no_inline_styles_or_scripts(client_for):
    html = page(client_for("viewer"), "SCS01")
    assert not re.search(r"\sstyle=", html)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))


def test_indicator_owner_loses_the_edit_link_when_no_longer_owner(client_for, demo_site):
    link = entry_url("ASC01", "2013-09")
    owner = client_for("owner")
    assert link in page(owner)
    demo_site["owner"].kpi_profile.indicators.clear()  # no data change: the page stays kept
    assert link not in page(owner)
