"""The NHS trust demo in the web application: it loads through the same validated path as the
council's, round-trips through the database, and its pages show what the report shows."""

from __future__ import annotations

import html

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kpiboard.demo import DemoKind, pack_source
from kpiboard.packs.loader import load_pack
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Indicator, Role
from kpiboard.web.store import current_pack, export_pack, load_pack_into_db

from .test_store import assert_same_pack


def _signed_in() -> Client:
    user, _ = create_person("board", Role.VIEWER)
    client = Client()
    client.force_login(user)
    return client


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_nhs_demo_round_trips_through_the_database(db, tmp_path):
    original = load_pack(pack_source(DemoKind.NHS_TRUST))
    load_pack_into_db(pack_source(DemoKind.NHS_TRUST))
    for pack in (current_pack(), load_pack(export_pack(tmp_path / "out"))):
        assert_same_pack(pack, original)


def test_setupdemo_kind_nhs_trust_loads_the_trust(db, capsys):
    call_command("setupdemo", "--kind", "nhs-trust")
    assert Indicator.objects.count() == 20
    assert "Administrator: admin / " in capsys.readouterr().out


def test_nhs_demo_dashboard_and_pages(db):
    load_pack_into_db(pack_source(DemoKind.NHS_TRUST))
    client = _signed_in()
    dashboard = _text(client, reverse("kpiboard:dashboard"))
    assert "Summary of variation and assurance" in dashboard
    assert "-£2,068k" in dashboard  # the half-year deficit, in thousands
    ae01 = _text(client, reverse("kpiboard:indicator", args=["AE01"]))
    assert "Comparison with other NHS trusts" in ae01
    hsmr = _text(client, reverse("kpiboard:indicator", args=["HSMR01"]))
    assert "95% CI" in hsmr and "Compared with National benchmark" in hsmr


def test_nhs_demo_priorities_page_and_board_assurance_framework(db):
    load_pack_into_db(pack_source(DemoKind.NHS_TRUST))
    client = _signed_in()
    page = _text(client, reverse("kpiboard:priorities"))
    assert "Give every patient timely, safe care" in page
    assert "16 Extreme</strong>" in page  # BAF-01, likelihood 4 x impact 4
    assert "Emergency demand outstrips the hospital's capacity</a>" in page
    plan = _text(client, reverse("kpiboard:plan"))
    assert "Number of risks by likelihood and impact (Safe and effective care)" in plan
    filtered = _text(client, reverse("kpiboard:dashboard") + "?priority=SO3")
    assert "Showing 3 of 20 indicators that match the filters." in filtered  # FIN01, 02, 04
