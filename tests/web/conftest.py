"""Web fixtures: one signed-in client per role on the demo site (``demo_site``, in
tests/conftest.py, which loads it once per session)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD  # noqa: F401  (the tests sign in with it)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing real passwords costs a second per test; the hasher is not what these tests test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for(demo_site):
    """``client_for("owner")`` is a test client signed in as that person."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(demo_site[name])
        return client

    return make
