"""Every role against every API operation: everyone signed up reads everything with a read
token; with a write token, people write what the web forms let them write (owners their own
indicators or sections, analysts and administrators everything), and nobody else."""

from __future__ import annotations

import pytest

from kpiboard.web.models import CommentaryText, Figure

READS = [
    "sections", "indicators", "indicators/ASC01", "periods", "figures", "results", "peers",
    "commentary", "signoffs", "priorities", "actions", "risks",
]  # fmt: skip
ROLES = ["viewer", "owner", "section_owner", "approver", "analyst", "admin"]
#: May each role write ASC01 (owned by "owner"; its section asc by nobody but the full roles)?
WRITES_ASC01 = {
    "viewer": 403,
    "owner": 200,
    "section_owner": 403,
    "approver": 403,
    "analyst": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_endpoint(api_for, role):
    api = api_for(role, "read")
    for path in READS:
        assert api.get(f"/api/v1/{path}").status_code == 200, path


@pytest.mark.parametrize("role", ROLES)
def test_every_role_writes_figures_and_commentary_as_the_forms_allow(api_for, role):
    api = api_for(role, "write")
    figure = {"items": [{"indicator": "ASC01", "period": "2013-10", "value": 75}]}
    text = {"items": [{"indicator": "ASC01", "period": "2013-10", "text": "Written"}]}
    expected = WRITES_ASC01[role]
    assert api.post("/api/v1/figures", figure).status_code == expected
    assert api.post("/api/v1/commentary", text).status_code == expected
    wrote = Figure.objects.filter(indicator__code="ASC01", period="2013-10").exists()
    commented = CommentaryText.objects.filter(indicator__code="ASC01", period="2013-10").exists()
    assert wrote == commented == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_a_read_token_of_any_role_cannot_write(api_for, role):
    api = api_for(role, "read")
    figure = {"items": [{"indicator": "ASC01", "period": "2013-10", "value": 75}]}
    assert api.post("/api/v1/figures", figure).status_code == 403
    assert not Figure.objects.filter(indicator__code="ASC01", period="2013-10").exists()


def test_a_section_owner_writes_their_sections_indicators(api_for):
    api = api_for("section_owner", "write")
    body = {"items": [{"indicator": "SCS01", "period": "2013/14 Q3", "value": 88.5}]}
    assert api.post("/api/v1/figures", body).status_code == 200
