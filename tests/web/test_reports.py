"""Committee reports: the form, downloads in HTML and PDF, and reports as approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpiboard.report import OUTPUT_FORMATS
from kpiboard.web.models import Definition, Figure, Section, Signoff, SignoffState
from kpiboard.web.overrides import set_override

from .revisions import change_figure

NOW = {"section": "", "tag": "", "period": "2013-09", "format": "html", "version": "now"}


def download(client, **choices):
    return client.get(reverse("kpiboard:report_download"), {**NOW, **choices})


def text(response) -> str:
    return response.content.decode()


def indicator_part(html: str, code: str) -> str:
    """The report's page for one indicator (up to the next page's anchor)."""
    start = html.index(f'id="ind-{code}"')
    end = html.find('class="indicator-page"', start)
    return html[start : end if end > 0 else len(html)]


def approve(section_code: str, period: str, *, by=None) -> Signoff:
    """Approve a section's period now (a new current revision of its sign-off)."""
    section = Section.objects.get(code=section_code)
    current = Signoff.objects.filter(section=section, period=period, is_current=True).first()
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    return Signoff.objects.create(
        section=section, period=period, state=SignoffState.APPROVED,
        revision=current.revision + 1 if current else 1, author=by,
    )  # fmt: skip


def test_reports_viewer_sees_form_with_defaults(client_for):
    response = client_for("viewer").get(reverse("kpiboard:reports"))
    assert response.status_code == 200
    html = text(response)
    assert "Download a committee report" in html
    assert '<option value="2013-09" selected>September 2013</option>' in html
    assert '<option value="asc">Adult Social Care</option>' in html
    assert '<option value="bold-steps">Bold Steps</option>' in html
    assert 'value="html" aria-describedby="format-html-hint" checked' in html
    assert 'value="now" aria-describedby="version-now-hint" checked' in html


def test_reports_form_labels_each_format_and_version_in_words(client_for):
    html = text(client_for("viewer").get(reverse("kpiboard:reports")))
    for i, (name, fmt) in enumerate(OUTPUT_FORMATS.items()):
        label_for = f"format-{name}" if i else "format"
        assert f'for="{label_for}">{fmt.label}</label>' in html
        assert f'govuk-radios__hint">{fmt.description}</div>' in html
    assert 'for="version">As it stands now</label>' in html
    assert 'for="version-approved">As approved</label>' in html
    assert "The figures and commentary as they were when the section" in html


def test_reports_form_offers_only_periods_with_figures(client_for):
    html = text(client_for("viewer").get(reverse("kpiboard:reports")))
    assert 'value="2013-06"' in html and 'value="2013/14 Q2"' in html
    assert 'value="2013-10"' not in html  # targets only, no figures yet


def test_reports_download_html_is_an_attachment(client_for):
    response = download(client_for("viewer"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('-2013-09.html"')
    html = text(response)
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="sec-asc"' in html and 'id="sec-scs"' in html
    assert "Data as at September 2013" in html


def test_reports_download_pdf_starts_with_pdf_magic(client_for):
    response = download(client_for("viewer"), format="pdf", section="asc")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('-asc-2013-09.pdf"')
    assert response.content.startswith(b"%PDF")


def test_reports_every_role_can_download(client_for):
    for name in ("admin", "analyst", "owner", "section_owner", "approver", "viewer"):
        assert download(client_for(name), section="scs").status_code == 200, name


def test_reports_single_section_leaves_other_sections_out(client_for):
    html = text(download(client_for("viewer"), section="scs"))
    assert 'id="sec-scs"' in html and 'id="sec-asc"' not in html
    assert 'id="ind-SCS01"' in html and 'id="ind-ASC01"' not in html
    assert "Specialist Children&#39;s Services" in html or "Specialist Children's" in html
    assert 'id="pri-' not in html  # no priority pages: they join every section's work


def test_reports_tag_keeps_only_that_programmes_indicators(client_for):
    html = text(download(client_for("viewer"), tag="qpr"))
    for code in ("ASC01", "ASC03", "ASC04", "ASC05", "ASC11"):
        assert f'id="ind-{code}"' in html, code
    assert 'id="ind-ASC02"' not in html and 'id="sec-scs"' not in html
    assert "Quarterly Performance Report indicators" in html


def test_reports_earlier_period_is_as_at_that_period(client_for):
    html = text(download(client_for("viewer"), period="2013-06", section="asc"))
    assert "Data as at June 2013" in html
    assert "Latest: <strong>76%</strong> (Jun-13)" in indicator_part(html, "ASC01")


def test_reports_section_and_tag_with_nothing_in_common_is_an_error(client_for):
    response = download(client_for("viewer"), section="scs", tag="qpr")
    assert response.status_code == 400
    html = text(response)
    assert "There is a problem" in html
    assert "No indicators in Specialist Children" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("section", "nope", "Select a section from the list"),
        ("tag", "nope", "Select a programme from the list"),
        ("period", "2099-01", "Select the period the report should be as at"),
        ("format", "docx", "Select whether you want a web page or a PDF"),
        ("version", "", "Select whether you want the report as it stands now or as approved"),
    ],
)
def test_reports_invalid_choice_shows_error_summary_and_field_error(
    client_for, field, value, message
):
    response = download(client_for("viewer"), **{field: value})
    assert response.status_code == 400
    html = text(response)
    assert 'class="govuk-error-summary"' in html
    assert f'<a href="#{field}">{message}</a>' in html
    assert f'id="{field}-error"' in html
    assert "<title>Error: " in html


def test_reports_as_approved_without_approval_is_a_form_error(client_for):
    response = download(client_for("viewer"), section="asc", version="approved")
    assert response.status_code == 400
    html = text(response)
    assert 'class="govuk-error-summary"' in html
    assert "Adult Social Care has not been approved for September 2013" in html
    assert 'id="version-error"' in html


def test_reports_as_approved_shows_figures_at_approval_time(client_for, demo_site):
    signoff = approve("asc", "2013-09", by=demo_site["approver"])
    change_figure("ASC01", "2013-09", "actual", 79, reason="Corrected after approval")
    assert Figure.objects.get(reason="Corrected after approval").created > signoff.created
    client = client_for("viewer")

    approved = download(client, section="asc", version="approved")
    assert approved.status_code == 200
    assert approved["Content-Disposition"].endswith('-asc-2013-09-approved.html"')
    then = indicator_part(text(approved), "ASC01")
    assert "Latest: <strong>73%</strong>" in then
    assert "as approved on" in text(approved)

    now = indicator_part(text(download(client, section="asc")), "ASC01")
    assert "Latest: <strong>79%</strong>" in now


def test_reports_as_approved_keeps_the_ratings_of_approval_time(client_for, demo_site):
    approve("asc", "2013-09", by=demo_site["approver"])
    base = Definition.objects.get(indicator__code="ASC03", is_current=True).revision
    set_override(
        demo_site["analyst"], "ASC03", "2013-09", "RED", "After approval", base_revision=base
    )
    client = client_for("viewer")
    then = indicator_part(text(download(client, section="asc", version="approved")), "ASC03")
    assert "After approval" not in then
    now = indicator_part(text(download(client, section="asc")), "ASC03")
    assert "After approval" in now


def test_reports_as_approved_uses_the_latest_approval(client_for):
    approve("asc", "2013-09")
    change_figure("ASC01", "2013-09", "actual", 77)
    approve("asc", "2013-09")  # approved again, after the change
    change_figure("ASC01", "2013-09", "actual", 79)
    html = text(download(client_for("viewer"), section="asc", version="approved"))
    assert "Latest: <strong>77%</strong>" in indicator_part(html, "ASC01")


def test_reports_all_sections_as_approved_needs_every_section(client_for):
    approve("asc", "2013-09")
    response = download(client_for("viewer"), version="approved")
    assert response.status_code == 400
    assert "Specialist Children&#x27;s Services has not been approved" in text(response)


def test_reports_all_sections_as_approved_combines_each_sections_approval(client_for):
    approve("asc", "2013-09")
    approve("scs", "2013-09")
    response = download(client_for("viewer"), version="approved")
    assert response.status_code == 200
    html = text(response)
    assert html.index('id="sec-asc"') < html.index('id="sec-scs"')


def test_reports_form_lists_recent_approvals(client_for, demo_site):
    approve("asc", "2013-09", by=demo_site["approver"])
    html = text(client_for("viewer").get(reverse("kpiboard:reports")))
    aside = html[html.index("Recent approvals") :]
    assert "Adult Social Care</strong>, September 2013" in aside
    assert "by Helen Barker" in aside
