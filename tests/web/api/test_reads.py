"""The read endpoints: each answers a page of JSON as its schema says, filters by section, tag,
indicator, period range and rating, pages, answers 304 to a current ETag, and (results, figures,
peers) answers CSV with stable columns and formulas neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from kpiboard.web.models import CommentaryText, Figure, Indicator, PeerValue, Section, Signoff
from kpiboard.web.writes import save_period_entry

API = "/api/v1"


@pytest.mark.parametrize(
    "path",
    ["sections", "indicators", "periods", "figures", "results", "peers", "commentary", "signoffs"],
)
def test_every_list_endpoint_answers_a_first_page(api_for, path):
    response = api_for("viewer").get(f"{API}/{path}")
    assert response.status_code == 200
    body = response.json()
    assert body["page"] == 1 and body["count"] >= len(body["items"])
    assert response["ETag"]


def test_sections_list_the_pack_sections_in_order(api_for):
    items = api_for("viewer").get(f"{API}/sections").json()["items"]
    assert [(s["code"], s["indicators"]) for s in items] == [("asc", 11), ("scs", 12)]


def test_indicators_filter_by_section_and_tag(api_for):
    api = api_for("viewer")
    asc = api.get(f"{API}/indicators", {"section": "asc"}).json()
    assert asc["count"] == 11 and {i["section"] for i in asc["items"]} == {"asc"}
    tagged = api.get(f"{API}/indicators", {"tag": "qpr"}).json()["items"]
    assert tagged and all("qpr" in i["tags"] for i in tagged)


def test_an_unknown_filter_value_is_a_400_naming_the_filter(api_for):
    response = api_for("viewer").get(f"{API}/results", {"section": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "section"
    response = api_for("viewer").get(f"{API}/figures", {"since": "13th month"})
    assert response.json()["errors"][0]["field"] == "since"


def test_one_indicator_carries_its_definition(api_for):
    body = api_for("viewer").get(f"{API}/indicators/ASC01").json()
    assert body["code"] == "ASC01" and body["definition"]["title"] == body["title"]
    assert body["definition_revision"] == 1
    missing = api_for("viewer").get(f"{API}/indicators/NOPE")
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "code"


def test_periods_mark_the_reporting_month(api_for):
    items = api_for("viewer").get(f"{API}/periods").json()["items"]
    assert sum(p["reporting"] for p in items) == 1
    assert [p["start"] for p in items] == sorted(p["start"] for p in items)


def test_figures_hold_every_current_series_in_the_period_range(api_for):
    body = (
        api_for("viewer")
        .get(f"{API}/figures", {"indicator": "ASC01", "since": "2013-04", "until": "2013-06"})
        .json()
    )
    rows = body["items"]
    assert {r["period"] for r in rows} == {"2013-04", "2013-05", "2013-06"}
    assert {"actual", "target"} <= {r["series"] for r in rows}
    stored = Figure.objects.filter(
        indicator__code="ASC01", period__in=["2013-04", "2013-05", "2013-06"], is_current=True
    ).exclude(value=None)
    assert body["count"] == stored.count()


def test_results_filter_by_rating_and_carry_the_analysis(api_for):
    api = api_for("viewer")
    red = api.get(f"{API}/results", {"rating": "RED", "page_size": 500}).json()["items"]
    assert red and {r["rating"] for r in red} == {"RED"}
    asc01 = api.get(f"{API}/results", {"indicator": "ASC01"}).json()["items"]
    latest = asc01[-1]
    for key in ("computed_rating", "direction", "spc_point", "variation", "forecast"):
        assert key in latest
    every = api.get(f"{API}/results", {"page_size": 500}).json()["items"]
    assert any(r["forecast"] is not None for r in every)
    assert any(r["peer_rank"] is not None for r in every)


def test_a_bad_rating_is_a_400_naming_the_field(api_for):
    response = api_for("viewer").get(f"{API}/results", {"rating": "PURPLE"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "rating"


def test_pages_split_the_rows_without_losing_any(api_for):
    api = api_for("viewer")
    whole = api.get(f"{API}/figures", {"page_size": 500}).json()
    assert whole["count"] <= 500 or whole["pages"] > 1
    pages = []
    for page in range(1, 4):
        pages += api.get(f"{API}/figures", {"page_size": 7, "page": page}).json()["items"]
    assert pages == whole["items"][:21]


def test_peers_and_commentary_and_signoffs_come_from_the_database(api_for, demo_site):
    api = api_for("viewer")
    assert api.get(f"{API}/peers").json()["count"] == PeerValue.objects.count()
    assert (
        api.get(f"{API}/commentary").json()["count"]
        == CommentaryText.objects.filter(is_current=True).exclude(text="").count()
    )
    Signoff.objects.create(
        section=Section.objects.get(code="asc"), period="2013-09", state="submitted",
        revision=1, author=demo_site["owner"],
    )  # fmt: skip
    items = api.get(f"{API}/signoffs", {"section": "asc"}).json()["items"]
    assert [(s["period"], s["state"], s["author"]) for s in items] == [
        ("2013-09", "submitted", "Grace Adeyemi")
    ]


def test_a_current_etag_gets_304_and_a_change_gets_a_new_one(api_for, demo_site):
    api = api_for("viewer")
    first = api.get(f"{API}/results")
    etag = first["ETag"]
    again = api.get(f"{API}/results", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other_filter = api.get(f"{API}/results", {"section": "asc"}, headers={"If-None-Match": etag})
    assert other_filter.status_code == 200
    save_period_entry(demo_site["analyst"], "ASC01", "2013-10", {"actual": 70.0}, {}, None, 0, "")
    changed = api.get(f"{API}/results", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.parametrize("path", ["results", "figures", "peers"])
def test_csv_has_the_json_field_names_as_columns_and_every_row(api_for, path):
    api = api_for("viewer")
    response = api.get(f"{API}/{path}", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    page = api.get(f"{API}/{path}", {"page_size": 1}).json()
    assert len(rows) == page["count"]
    assert list(rows[0]) == list(page["items"][0])


def test_csv_neutralises_text_a_spreadsheet_would_run(api_for, demo_site):
    save_period_entry(
        demo_site["analyst"], "ASC01", "2013-10", {"actual": 70.0}, {}, None, 0, "",
        note='=HYPERLINK("http://evil.example","x")',
    )  # fmt: skip
    response = api_for("viewer").get(
        f"{API}/figures", {"format": "csv", "indicator": "ASC01", "since": "2013-10"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    noted = [r for r in rows if r["series"] == "actual" and r["period"] == "2013-10"]
    assert noted[0]["note"] == '\'=HYPERLINK("http://evil.example","x")'
    assert noted[0]["value"] == "70.0"


def test_the_openapi_document_is_3_1_and_lists_every_operation(client, db):
    document = client.get(f"{API}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operations = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert ("post", f"{API}/figures") in operations
    assert ("post", f"{API}/commentary") in operations
    assert len(operations) == 14
    assert {("get", f"{API}/{name}") for name in ("priorities", "actions", "risks")} <= operations


def test_an_archived_indicator_is_still_read_but_not_written(api_for):
    Indicator.objects.filter(code="ASC02").update(archived=True)
    response = api_for("analyst", "write").post(
        f"{API}/figures", {"items": [{"indicator": "ASC02", "period": "2013-10", "value": 1}]}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "item": 0, "field": "indicator", "message": "There is no indicator 'ASC02'",
    }  # fmt: skip


def test_a_nul_in_the_address_is_a_400_in_json(api_for):
    response = api_for("viewer").get(f"{API}/results", {"tag": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"][0]["message"]
