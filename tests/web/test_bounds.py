"""The web refuses figures beyond their bound, and still shows any that were saved before."""

from __future__ import annotations

import pytest

from kpiboard.web.models import Figure
from kpiboard.web.store import bump_version
from tests.web.test_entry import FORM, current, form_data, html
from tests.web.test_reports import download


@pytest.mark.parametrize(("field", "typed"), [("value-actual", "1e308"), ("value-clients", "2e15")])
def test_the_entry_form_refuses_a_figure_beyond_its_bound(client_for, field, typed):
    client = client_for("owner")
    data = form_data(client.get(FORM))
    data.update({field: typed, "commentary": "Kept on error"})
    response = client.post(FORM, data)
    page = html(response)
    assert response.status_code == 400
    assert "is out of range: give a number from" in page and "Kept on error" in page
    assert current() is None and current(series="clients") is None


def test_a_figure_saved_before_the_bound_still_shows_and_reports(client_for, demo_site):
    Figure.objects.filter(
        indicator__code="ASC01", period="2013-09", series="actual", is_current=True
    ).update(value=1e308)
    Figure.objects.filter(
        indicator__code="ASC01", period="2013-08", series="actual", is_current=True
    ).update(value=-1e308)
    bump_version()
    client = client_for("viewer")
    assert client.get("/indicators/ASC01/").status_code == 200
    assert client.get("/").status_code == 200
    for choices in ({}, {"format": "pdf", "section": "asc"}):
        assert download(client, **choices).status_code == 200
    # ...and another figure of the same indicator can still be saved.
    owner = client_for("owner")
    data = form_data(owner.get(FORM))
    data.update({"value-actual": "75", "confirm": "yes"})  # far from the absurd last figure
    assert owner.post(FORM, data).status_code == 302
