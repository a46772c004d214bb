"""Annual targets set on the web: analysts only, with a reason, audited as a definition revision;
the entry form shows each period's target, and a due figure without one is flagged."""

from __future__ import annotations

import yaml
from django.urls import reverse

from kpiboard.core.indicators import TargetProfile
from kpiboard.core.periods import UK
from kpiboard.packs.loader import load_pack
from kpiboard.web import dashboard_cache
from kpiboard.web.models import Definition, Section
from kpiboard.web.store import bump_version, current_pack, export_pack
from kpiboard.web.targets import missing_targets, set_annual_target
from kpiboard.web.views import targets as targets_view

from .revisions import hidden, save_between_the_reads

URL = reverse("kpiboard:annual_targets", args=["ASC01"])
OCTOBER = reverse("kpiboard:entry_form", args=["ASC01", "2013-10"])
WEIGHTS = {f"weight_{i}": str(w) for i, w in enumerate([1, 1, 1, 2, 2, 2, 3, 3, 3, 1, 0, 1], 1)}


def revision(code="ASC01") -> int:
    return Definition.objects.get(indicator__code=code, is_current=True).revision


def post(client, code="ASC01", **fields):
    data = {
        "base_revision": revision(code), "year": "2013/14", "target": "85", "profile": "flat",
        "reason": "Agreed in the 2013/14 business plan",
    } | fields  # fmt: skip
    return client.post(reverse("kpiboard:annual_targets", args=[code]), data)


def test_annual_target_set_by_an_analyst_is_a_definition_revision_with_the_reason(client_for):
    analyst = client_for("analyst")
    before = revision()
    response = post(analyst)
    assert response.status_code == 302
    assert response["Location"] == URL
    page = analyst.get(URL).content.decode()
    assert "The annual target of ASC01 for 2013/14 is 85%." in page
    current = Definition.objects.get(indicator__code="ASC01", is_current=True)
    assert current.revision == before + 1 and current.author.username == "analyst"
    assert (
        current.reason
        == "Annual target for 2013/14 set to 85 (flat): Agreed in the 2013/14 business plan"
    )
    assert current.body["annual_targets"] == {"2013/14": {"target": 85.0, "profile": "flat"}}
    changes = analyst.get(reverse("kpiboard:changes"), {"kind": "definition"}).content.decode()
    assert "Annual target for 2013/14 set to 85 (flat)" in changes


def test_annual_target_reaches_the_new_month_on_the_entry_form_and_in_the_rating(client_for):
    owner = client_for("owner")
    assert "There is no target for Oct-13" in owner.get(OCTOBER).content.decode()
    post(client_for("analyst"))
    page = owner.get(OCTOBER).content.decode()
    assert "There is no target for Oct-13" not in page
    assert (
        "Target for Oct-13:</strong> 85% (from the 2013/14 annual target of 85%, profiled flat)"
        in page
    )
    assert "The period&#x27;s target is 85%" in page  # beside the figure, in its hint
    september = current_pack().data["ASC01"]
    assert september.get("target")[september.index_of(UK.parse("2013-09"))] == 80  # its own


def test_entry_form_shows_an_explicit_target_as_it_is(client_for):
    page = client_for("owner").get(reverse("kpiboard:entry_form", args=["ASC01", "2013-09"]))
    assert "Target for Sep-13:</strong> 80%</p>" in page.content.decode()


def test_entry_form_flags_the_missing_target_to_the_owner_and_links_analysts_to_the_form(
    client_for,
):
    owner = client_for("owner").get(OCTOBER).content.decode()
    assert "Ask an analyst to set one before you submit the period." in owner
    assert URL not in owner
    analyst = client_for("analyst").get(OCTOBER).content.decode()
    assert f'href="{URL}">Set an annual target for ASC01</a>' in analyst


def as_summed_count(code: str) -> None:
    """Redefine ``code`` (a monthly count) as one whose months add up to the year."""
    current = Definition.objects.get(indicator__code=code, is_current=True)
    current.is_current = False
    current.save(update_fields=["is_current"])
    body = dict(current.body) | {"aggregation": "sum"}
    Definition.objects.create(indicator=current.indicator, body=body, revision=current.revision + 1)
    bump_version()


def test_seasonal_profile_gives_a_summed_counts_months_their_shares(client_for):
    as_summed_count("ASC08")
    response = post(
        client_for("analyst"), code="ASC08", target="2000", profile="seasonal", **WEIGHTS
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    pack = current_pack()
    assert pack.indicators["ASC08"].annual_target(2013).weights == (
        1,
        1,
        1,
        2,
        2,
        2,
        3,
        3,
        3,
        1,
        0,
        1,
    )
    # December (weight 3 of 20) has no figures yet: its target is 300
    page = client_for("analyst").get(reverse("kpiboard:entry_form", args=["ASC08", "2013-12"]))
    assert "Target for Dec-13:</strong> 300 (from the 2013/14 annual target of 2,000" in (
        page.content.decode()
    )


def test_a_summed_count_is_never_flat(client_for):
    """The form does not offer flat for a count that adds up, and the save refuses it."""
    as_summed_count("ASC08")
    page = client_for("analyst").get(reverse("kpiboard:annual_targets", args=["ASC08"]))
    assert 'value="flat"' not in page.content.decode()
    response = post(client_for("analyst"), code="ASC08", target="2000", profile="flat")
    assert response.status_code == 400
    assert "Choose one of the profiles" in response.content.decode()


def test_annual_target_refuses_bad_input_and_writes_nothing(client_for):
    analyst = client_for("analyst")
    before = revision()
    cases = [
        ({"target": ""}, "Enter the annual target as a number, like 85 or 1200"),
        ({"target": "85%"}, "write percentages without %"),
        ({"target": "5000"}, "out of range"),
        ({"reason": " "}, "Enter the reason for the target, for the record"),
        ({"year": "2013-09"}, "Choose a financial year"),
        ({"profile": "weekly"}, "Choose one of the profiles"),
        ({"profile": "seasonal", **WEIGHTS, "weight_4": "-1"}, "must not be negative"),
        ({"profile": "seasonal", **WEIGHTS, "weight_4": ""}, "Enter a weight for July"),
        ({"profile": "seasonal", **dict.fromkeys(WEIGHTS, "0")}, "Give at least one month"),
    ]
    for fields, message in cases:
        response = post(analyst, **fields)
        assert response.status_code == 400, fields
        assert message in response.content.decode(), fields
    assert revision() == before


def test_annual_target_refused_when_the_definition_changed_since_the_form(client_for):
    analyst = client_for("analyst")
    response = post(analyst, base_revision=revision() - 1)
    assert response.status_code == 409
    assert "changed ASC01&#x27;s definition since you opened this page" in response.content.decode()


def test_annual_target_form_opened_during_a_save_never_overwrites_it(
    client_for, demo_site, monkeypatch
):
    analyst = client_for("analyst")
    analyst.get(URL)  # the board built before the page starts, as on a running site

    def someone_elses_target():
        set_annual_target(
            demo_site["admin"], "ASC01", "2014/15", 91.0, TargetProfile.FLAT, None,
            "Theirs", base_revision=revision(),
        )  # fmt: skip

    reads = [(targets_view, "definition_revision"), (dashboard_cache, "board")]
    save_between_the_reads(monkeypatch, reads, someone_elses_target)
    page = analyst.get(URL).content.decode()
    monkeypatch.undo()
    response = post(analyst, year="2014/15", target="80", base_revision=hidden(page))
    assert "91%" in page or response.status_code == 409
    assert current_pack().indicators["ASC01"].annual_target(2014).value == 91.0


def test_annual_target_changed_elsewhere_keeps_the_input_and_saves_the_second_time(client_for):
    analyst = client_for("analyst")
    stale = revision()
    assert post(analyst, target="90").status_code == 302
    refused = post(analyst, target="87", base_revision=stale)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "90%" in html and 'value="87"' in html  # what is saved, and what was typed
    assert hidden(html) == str(revision())
    assert post(analyst, target="87", base_revision=hidden(html)).status_code == 302
    assert current_pack().indicators["ASC01"].annual_target(2013).value == 87.0


def test_annual_target_form_only_for_analysts_and_administrators(client_for):
    for name in ("viewer", "owner", "approver"):
        assert client_for(name).get(URL).status_code == 403
        assert post(client_for(name)).status_code == 403
    assert client_for("admin").get(URL).status_code == 200


def test_annual_target_not_offered_for_an_indicator_that_is_not_rated(client_for):
    response = client_for("analyst").get(reverse("kpiboard:annual_targets", args=["ASC02"]))
    assert response.status_code == 404


def test_annual_target_link_on_the_indicator_page_only_for_those_who_may(client_for):
    page = reverse("kpiboard:indicator", args=["ASC01"])
    assert URL in client_for("analyst").get(page).content.decode()
    assert URL not in client_for("owner").get(page).content.decode()


def test_annual_target_replaces_the_years_year_end_target(client_for):
    """ASC04 has a year-end target for 2013/14 in the demo: the annual target takes its place,
    and the definition before keeps it in the history."""
    assert 2013 in dict(current_pack().indicators["ASC04"].year_end_targets)
    response = post(client_for("analyst"), code="ASC04", target="90", profile="flat")
    assert response.status_code == 302, response.content.decode()[:2000]
    ind = current_pack().indicators["ASC04"]
    assert 2013 not in dict(ind.year_end_targets) and ind.year_end_target(2013) == 90
    first = Definition.objects.get(indicator__code="ASC04", revision=1)
    assert "year_end_targets" in first.body


def test_annual_target_travels_with_the_pack_when_exported(client_for, tmp_path):
    post(client_for("analyst"), year="2014/15", target="87")
    exported = export_pack(tmp_path / "pack")
    definition = yaml.safe_load((exported / "indicators" / "ASC01.yaml").read_text())
    assert definition["annual_targets"] == {"2014/15": {"target": 87.0, "profile": "flat"}}
    assert load_pack(exported).indicators["ASC01"].annual_target(2014).value == 87


def test_missing_targets_lists_due_rated_figures_without_a_target(demo_site):
    asc = Section.objects.get(code="asc")
    october = [(m.indicator.id, m.period.label) for m in missing_targets(asc, UK.parse("2013-10"))]
    assert ("ASC01", "2013-10") in october
    pack = current_pack()
    for code, _label in october:
        assert pack.indicators[code].needs_target
    september = {m.indicator.id for m in missing_targets("asc", UK.parse("2013-09"))}
    assert "ASC01" not in september  # September has its target


def test_missing_targets_shrinks_when_the_annual_target_is_set(client_for):
    post(client_for("analyst"))
    october = {m.indicator.id for m in missing_targets("asc", UK.parse("2013-10"))}
    assert "ASC01" not in october


def test_entry_list_shows_analysts_the_targets_missing(client_for):
    analyst = client_for("analyst").get(reverse("kpiboard:entry")).content.decode()
    assert "Targets missing" in analyst
    assert f'href="{URL}">set an annual target' in analyst
    owner = client_for("owner").get(reverse("kpiboard:entry")).content.decode()
    assert "Targets missing" not in owner
    assert "No target</strong>" in owner  # the waiting figure is tagged


def test_annual_target_change_link_opens_the_form_on_that_year(client_for):
    analyst = client_for("analyst")
    post(analyst, year="2014/15", target="87", profile="cumulative")
    page = analyst.get(URL).content.decode()
    assert f'href="{URL}?year=2014/15#target">Change' in page
    chosen = analyst.get(URL, {"year": "2014/15"}).content.decode()
    assert '<option value="2014/15" selected>' in chosen
    assert 'value="87"' in chosen and 'value="cumulative" checked' in chosen
    assert analyst.get(URL, {"year": "not a year"}).status_code == 200
