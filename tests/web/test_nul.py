"""A NUL byte anywhere in a request's path, query string or form fields is refused with a 400
page, before it reaches a view or the database (PostgreSQL cannot store one in text)."""

from __future__ import annotations

import pytest
from django.test import Client

from kpiboard.web.models import CommentaryText, SignInThrottle
from tests.web.test_entry import FORM, form_data, html

MESSAGE = "The request contained a NUL character"


def refused(response) -> bool:
    return (
        response.status_code == 400
        and MESSAGE in html(response)
        and "Traceback" not in html(response)
    )


@pytest.mark.django_db
def test_the_sign_in_username_is_refused_before_authentication(demo_site):
    before = SignInThrottle.objects.count()
    response = Client().post("/sign-in/", {"username": "owner\x00", "password": "x"})
    assert refused(response)
    assert SignInThrottle.objects.count() == before


def test_a_commentary_with_a_nul_is_refused_and_nothing_is_saved(client_for):
    client = client_for("owner")
    data = form_data(client.get(FORM))
    data.update({"value-actual": "75", "commentary": "Up to 75%.\x00"})
    assert refused(client.post(FORM, data))
    assert not CommentaryText.objects.filter(indicator__code="ASC01", period="2013-10").exists()


@pytest.mark.parametrize("address", ["/indicators/ASC%0001/", "/entry/ASC01/2013-10%00/", "/%00"])
def test_a_path_with_a_nul_is_refused(client_for, address):
    assert refused(client_for("viewer").get(address))


@pytest.mark.django_db
def test_a_path_with_a_nul_is_refused_even_when_signed_out(demo_site):
    assert refused(Client().get("/indicators/ASC%0001/"))


@pytest.mark.parametrize("query", ["period=2013-09%00", "a%00b=1", "next=%00"])
def test_a_query_string_with_a_nul_is_refused(client_for, query):
    assert refused(client_for("viewer").get(f"/reports/?{query}"))


def test_ordinary_requests_pass(client_for):
    assert client_for("viewer").get("/reports/?period=2013-09").status_code == 200
