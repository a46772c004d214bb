"""Recent changes: the audit trail of every revision, newest first, with who, what and why."""

from __future__ import annotations

import re

from django.urls import reverse

from kpiboard.web.models import (
    CommentaryText,
    Definition,
    Figure,
    Indicator,
    Narrative,
    PlanFile,
    ReportingMonth,
    Signoff,
)
from kpiboard.web.month_moves import move_month
from kpiboard.web.signoff import set_signoff
from kpiboard.web.store import bump_version
from kpiboard.web.writes import save_period_entry

URL = reverse("kpiboard:changes")


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    body = html[html.index("<tbody") : html.index("</tbody>")] if "<tbody" in html else ""
    return re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)


def enter(user, code="ASC01", period="2013-10", actual=75.0, commentary=None, reason="", base=0):
    return save_period_entry(
        user, code, period, {"actual": actual}, {"actual": base}, commentary, 0, reason
    )


def test_changes_after_a_pack_load_says_nobody_has_changed_anything(client_for):
    html = page(client_for("viewer"))
    assert "No changes to show" in html and "Nobody has changed anything" in html
    assert 'href="?loads=1"' in html


def test_changes_lists_a_saved_figure_with_who_what_and_value(client_for, demo_site):
    enter(demo_site["owner"], commentary="October held steady.")
    found = rows(page(client_for("viewer")))
    assert len(found) == 2  # the figure and the commentary
    figure = next(r for r in found if "Set to 75%" in r)
    assert '<td class="govuk-table__cell">Grace Adeyemi</td>' in figure  # names, not usernames
    assert "ASC01, Oct-13, Actual" in figure
    assert 'href="/indicators/ASC01/history/"' in figure
    assert any("October held steady." in r for r in found)


def test_changes_newest_first_and_shows_the_value_replaced_and_the_reason(client_for, demo_site):
    enter(demo_site["owner"], actual=75)
    current = Figure.objects.get(indicator__code="ASC01", period="2013-10", is_current=True)
    enter(demo_site["analyst"], actual=76, base=current.revision, reason="Late returns")
    found = rows(page(client_for("viewer")))
    assert "75% → 76%" in found[0] and "Late returns" in found[0]
    assert '<td class="govuk-table__cell">Tom Whitfield</td>' in found[0]
    assert "Set to 75%" in found[1]


def test_changes_lists_sign_off_moves(client_for, demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    found = rows(page(client_for("viewer"), kind="signoff"))
    assert "Sign-off: approved" in found[0] and ">Helen Barker</td>" in found[0]
    assert "Adult Social Care, Sep-13" in found[0]
    assert "<a " not in found[0]  # nothing to link to that every reader may open
    assert "Sign-off: submitted" in found[1]


def test_changes_lists_moves_of_the_reporting_month(client_for, demo_site):
    set_signoff(demo_site["owner"], "asc", "2013-10", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-10", "approved")
    move_month(demo_site["analyst"], "2013-09", "Approved too early", base_revision=2)
    viewer = client_for("viewer")
    found = rows(page(viewer, kind="month"))
    assert len(found) == 2
    assert "Moved by hand: Sep-13" in found[0] and ">Tom Whitfield</td>" in found[0]
    assert "Approved too early" in found[0]
    assert 'href="/reporting-month/"' in found[0]
    assert "Period approved: Oct-13" in found[1] and ">Helen Barker</td>" in found[1]
    assert not rows(page(viewer, kind="month", section="asc"))  # the site's, not a section's


def test_changes_filters_by_kind_person_and_section(client_for, demo_site):
    enter(demo_site["owner"], commentary="Words.")
    enter(demo_site["section_owner"], code="SCS01", period="2013/14 Q3", actual=88.5)
    viewer = client_for("viewer")
    assert len(rows(page(viewer))) == 3
    assert len(rows(page(viewer, kind="commentary"))) == 1
    assert len(rows(page(viewer, person=demo_site["section_owner"].pk))) == 1
    only_scs = rows(page(viewer, section="scs"))
    assert len(only_scs) == 1 and "SCS01" in only_scs[0]
    html = page(viewer, section="nope", kind="nope", person="999")  # ignored, not an error
    assert len(rows(html)) == 3


def test_changes_with_pack_loads_counts_every_revision(client_for):
    html = page(client_for("viewer"), loads="1")
    models = (Figure, CommentaryText, Definition, Signoff, Narrative, ReportingMonth, PlanFile)
    total = sum(m.objects.count() for m in models)
    assert Narrative.objects.exists()  # the demo's report text is part of the record too
    assert f"Changes 1 to 50 of {total} (page 1 of " in html
    assert len(rows(html)) == 50
    assert "pack load" in rows(html)[0]


def test_changes_escapes_what_people_wrote(client_for, demo_site):
    enter(demo_site["owner"], commentary="<script>alert(1)</script> rose")
    html = page(client_for("viewer"))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; rose" in html


def test_changes_in_the_menu_for_everyone(client_for):
    for name in ("viewer", "owner", "approver", "analyst", "admin"):
        html = client_for(name).get(reverse("kpiboard:dashboard")).content.decode()
        assert f'<a class="govuk-header__link" href="{URL}">Changes</a>' in html, name


def test_changes_a_withdrawn_figure_and_one_of_a_retired_indicator(client_for, demo_site):
    enter(demo_site["owner"], actual=75)
    current = Figure.objects.get(indicator__code="ASC01", period="2013-10", is_current=True)
    enter(demo_site["analyst"], actual=None, base=current.revision, reason="Sent in error")
    found = rows(page(client_for("viewer")))
    assert "75% → withdrawn" in found[0]
    Indicator.objects.filter(code="ASC01").update(archived=True)
    bump_version()
    found = rows(page(client_for("viewer"), kind="figure"))
    assert "ASC01, Oct-13, Actual" in found[0] and "<a " not in found[0]  # no page to link to


def test_changes_people_filter_lists_only_those_who_changed_something(client_for, demo_site):
    enter(demo_site["owner"])
    html = page(client_for("viewer"))
    options = html[html.index('id="person"') : html.index("</select>", html.index('id="person"'))]
    assert ">Grace Adeyemi</option>" in options
    assert ">Marek Nowak</option>" not in options and ">Helen Barker</option>" not in options


def test_changes_lists_gap_explanations(client_for, demo_site):
    client_for("owner").post(
        "/sections/asc/2013-10/check/", {"base_revision": "0", "gap-ASC01": "Survey closes late"}
    )
    html = page(client_for("viewer"), kind="gap")
    found = rows(html)
    assert len(found) == 1
    assert "ASC01, Oct-13" in found[0] and "Gap explained: Survey closes late" in found[0]


def older(html: str) -> str:
    """The page's Older link (a query with a cursor)."""
    return re.search(r'href="(\?[^"]*)" rel="next"', html).group(1).replace("&amp;", "&")


def test_changes_reads_each_kind_limited_to_the_page(client_for):
    """Each kind of revision is read newest first from the cursor with the page's limit (on the
    index on ``created``), never every revision in the site sorted at once nor an offset; with
    pack loads shown, the demo's thousands of figure revisions are more than a page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("viewer")
    second = older(page(client, loads="1"))
    with CaptureQueriesContext(connection) as seen:
        html = client.get(URL + second).content.decode()
    reads = [q["sql"] for q in seen if re.search(r"ORDER BY \S+ DESC, \S+ DESC LIMIT", q["sql"])]
    assert len(reads) == 8  # figures, commentary, sign-offs, definitions, narrative, months, gaps
    # and business plan files
    assert all(sql.endswith("LIMIT 51") and "OFFSET" not in sql for sql in reads)
    assert "UNION" not in " ".join(reads)
    assert len(rows(html)) == 50 and "Changes 51 to 100 of " in html
    assert Figure.objects.count() > 100


def test_changes_past_the_bound_says_more_than_and_pages_on_with_cursors(client_for,
                                                                         monkeypatch):  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpiboard.web.views import changes

    monkeypatch.setattr(changes, "COUNTED", 60)
    viewer = client_for("viewer")
    with CaptureQueriesContext(connection) as seen:
        first = page(viewer, loads="1")
    assert "Changes 1 to 50 of more than 60 (page 1)." in first
    counts = [q["sql"] for q in seen if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1  # every kind in one query, each counted no further than 61 rows
    kinds = len(changes.KINDS)  # figures, commentary, ... and the business plan's files
    assert counts[0].count("COUNT(*)") == counts[0].count("LIMIT 61) AS counted") == kinds
    second = viewer.get(URL + older(first)).content.decode()
    assert "Changes 51 to 100 of more than 60 (page 2)." in second
    third = viewer.get(URL + older(second)).content.decode()
    assert "Changes older than the newest 60, newest first." in third and len(rows(third)) == 50
    assert 'rel="next"' in third and 'rel="prev"' in third


def test_changes_counts_exactly_up_to_the_bound(client_for, demo_site, monkeypatch):
    from kpiboard.web.views import changes

    enter(demo_site["owner"], commentary="Words.")
    monkeypatch.setattr(changes, "COUNTED", 2)
    html = page(client_for("viewer"))
    assert "Changes 1 to 2 of 2." in html and "more than" not in html


def test_changes_people_filter_keeps_whoever_changed_something_without_reading_every_row(
    client_for, demo_site
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpiboard.web.models import Profile, Role

    enter(demo_site["owner"])
    Profile.objects.filter(user=demo_site["owner"]).update(role=Role.VIEWER)  # role changed
    with CaptureQueriesContext(connection) as seen:
        html = page(client_for("viewer"))
    options = html[html.index('id="person"') : html.index("</select>", html.index('id="person"'))]
    assert ">Grace Adeyemi</option>" in options  # still listed: she changed something
    assert ">Tom Whitfield</option>" not in options  # an analyst who changed nothing
    assert not [q for q in seen if "DISTINCT" in q["sql"] and "kpiboard_figure" in q["sql"]]
