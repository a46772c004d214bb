"""The business plan's read endpoints: priorities, actions and risks of the council demo as at
its reporting month, assessed as the plan page and the report assess them; filters, CSV, 304."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from kpiboard.core.plan import assess
from kpiboard.packs.plan_export import ACTION_COLUMNS, COLUMN_MEANINGS
from kpiboard.web.store import clear_cache, current_pack

from ..revisions import plan_version

API = "/api/v1"


def test_priorities_come_top_of_the_hierarchy_first(api_for):
    items = api_for("viewer").get(f"{API}/priorities").json()["items"]
    first, child = items[0], items[1]
    assert (first["code"], first["depth"], first["parent"]) == ("BS-IND", 0, None)
    assert (child["parent"], child["depth"]) == ("BS-IND", 1)
    bs_ind = next(p for p in items if p["code"] == "BS-IND-1")
    assert bs_ind["level"] in ("priority", "objective")


def test_priority_filter_names_an_unknown_priority(api_for):
    response = api_for("viewer").get(f"{API}/actions", {"priority": "NOPE"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "priority"


def test_actions_carry_the_assessed_rag_and_the_owners_override(api_for):
    body = api_for("viewer").get(f"{API}/actions", {"page_size": 500}).json()
    pack = current_pack()
    status = assess(pack.plan, pack.as_at, pack.analyse())
    assert body["count"] == len(status.actions) == 13
    by_code = {a["action"]: a for a in body["items"]}
    for state in status.actions:
        row = by_code[state.action.id]
        assert (row["rag"], row["computed_rag"]) == (state.rag.rag.value, state.rag.computed.value)
    care = by_code["ACT-CARE"]
    assert care["rag"] == "GREEN" and care["override_reason"].startswith("The supplier's")
    assert care["update_period"] == "2013-09"
    assert care["overridden"] and care["milestones"] >= care["milestones_done"]


def test_actions_filter_by_section_and_rag(api_for):
    api = api_for("viewer")
    asc = api.get(f"{API}/actions", {"section": "asc"}).json()["items"]
    assert asc and {a["section"] for a in asc} == {"asc"}
    green = api.get(f"{API}/actions", {"rag": "GREEN"}).json()["items"]
    assert green and {a["rag"] for a in green} == {"GREEN"}


def test_risks_carry_scores_band_appetite_and_key_risk_flags(api_for):
    items = api_for("viewer").get(f"{API}/risks").json()["items"]
    pack = current_pack()
    status = assess(pack.plan, pack.as_at, pack.analyse())
    assert [r["risk"] for r in items] == [s.risk.id for s in status.risks]
    for row, state in zip(items, status.risks, strict=True):
        assert row["current_score"] == state.current.value
        assert row["within_appetite"] == state.within_appetite
        assert row["flagged"] == state.flagged
        assert row["band"] == pack.plan.matrix.band(state.current.value).name
    flagged = api_for("viewer").get(f"{API}/risks", {"flagged": "true"}).json()["items"]
    assert flagged and all(r["flagged"] and r["flags"] for r in flagged)


def test_actions_as_csv_have_the_columns_of_the_export_sheet(api_for):
    api = api_for("viewer")
    items = api.get(f"{API}/actions").json()["items"]
    response = api.get(f"{API}/actions", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 13 and tuple(rows[0]) == ACTION_COLUMNS
    for row, item in zip(rows, items, strict=True):
        assert (row["action"], row["rag_reasons"]) == (item["action"], item["rag_reasons"])


def test_risks_answer_304_to_a_current_etag(api_for):
    api = api_for("viewer")
    first = api.get(f"{API}/risks")
    again = api.get(f"{API}/risks", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_risks_review_date_is_the_next_review_and_says_so_in_the_schema(api_for, client_for):
    owner = client_for("section_owner")
    data = {"likelihood": "3", "impact": "5", "next_review": "2014-02-28",
            "base_version": plan_version("risks", "R-WORK")}  # fmt: skip
    assert owner.post(reverse("kpiboard:risk_review", args=["R-WORK"]), data).status_code == 302
    clear_cache()
    items = api_for("viewer").get(f"{API}/risks").json()["items"]
    assert next(r for r in items if r["risk"] == "R-WORK")["review_date"] == "2014-02-28"
    schema = api_for("viewer").get(f"{API}/openapi.json").json()
    field = schema["components"]["schemas"]["RiskOut"]["properties"]["review_date"]
    assert field["description"] == COLUMN_MEANINGS["review_date"]
    clear_cache()
