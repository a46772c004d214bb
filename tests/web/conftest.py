"""Web fixtures: the demo pack in the test database and one signed-in client per role."""

from __future__ import annotations

import pytest
from django.test import Client

from kpiboard.demo import pack_source
from kpiboard.web.accounts import create_person
from kpiboard.web.models import Role
from kpiboard.web.store import clear_cache, load_pack_into_db

PASSWORD = "correct-horse-battery-staple"

#: Who is who in the web tests: an owner of ASC01 only, an approver of the ASC section.
PEOPLE = {
    "admin": (Role.ADMINISTRATOR, {}),
    "analyst": (Role.ANALYST, {}),
    "owner": (Role.OWNER, {"indicators": ["ASC01"]}),
    "section_owner": (Role.OWNER, {"sections": ["scs"]}),
    "approver": (Role.APPROVER, {"sections": ["asc"]}),
    "viewer": (Role.VIEWER, {}),
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing real passwords costs a second per test; the hasher is not what these tests test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_pack_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def demo_site(db):
    load_pack_into_db(pack_source(), reason="Demo pack")
    return {
        name: create_person(name, role, password=PASSWORD, **links)[0]
        for name, (role, links) in PEOPLE.items()
    }


@pytest.fixture
def client_for(demo_site):
    """``client_for("owner")`` is a test client signed in as that person."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(demo_site[name])
        return client

    return make
