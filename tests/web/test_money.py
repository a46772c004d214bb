"""A finance pack in thousands of euros, with accounting brackets, through the database and the
web pages: the manifest's style and the indicators' scale survive; the pages print "(€2,068k)"."""

from __future__ import annotations

import html

from django.test import Client
from django.urls import reverse

from kpiboard.packs.loader import load_pack
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Role
from kpiboard.web.store import current_pack, export_pack, load_pack_into_db
from tests.finance_pack import write_finance_pack

from .test_store import assert_same_pack

STYLE = 'negatives: brackets\ncurrency_symbol: "€"\n'


def test_scale_symbol_and_brackets_survive_a_database_round_trip(db, tmp_path):
    root = write_finance_pack(tmp_path / "pack", STYLE)
    original = load_pack(root)
    load_pack_into_db(root)
    for pack in (current_pack(), load_pack(export_pack(tmp_path / "out"))):
        assert_same_pack(pack, original)
        assert (pack.currency_symbol, pack.negatives) == ("€", original.negatives)
        assert pack.indicators["FIN01"].unit.format(-2068) == "(€2,068k)"


def test_dashboard_indicator_page_and_entry_form_write_thousands_of_euros(db, tmp_path):
    load_pack_into_db(write_finance_pack(tmp_path, STYLE))
    user, _ = create_person("finance", Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    dashboard = html.unescape(client.get(reverse("kpiboard:dashboard")).content.decode())
    assert "(€2,068k)" in dashboard and "1,150k" in dashboard
    page = html.unescape(client.get(reverse("kpiboard:indicator", args=["FIN01"])).content.decode())
    assert "(€2,068k)" in page and "Amber within €100k" in page and "-€" not in page
    form = client.get(reverse("kpiboard:entry_form", args=["FIN01", "2013-09"]))
    assert form.status_code == 200
    assert "An amount in thousands, without the currency sign" in form.content.decode()
