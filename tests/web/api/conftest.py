"""API fixtures: a token per person and scope, and a client that sends it."""

from __future__ import annotations

import pytest
from django.test import Client

from kpiboard.web.api_tokens import create_token


class ApiClient:
    """A test client that sends ``Authorization: Bearer TOKEN`` with every request."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.client = Client()

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.secret}", **(headers or {})}

    def get(self, path: str, data=None, headers=None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path: str, body, headers=None):
        return self.client.post(
            path, body, content_type="application/json", headers=self._headers(headers)
        )


@pytest.fixture
def api_for(demo_site):
    """``api_for("owner", "write")`` is a client with a new token of that person and scope."""

    def make(name: str, scope: str = "read") -> ApiClient:
        made = create_token(demo_site[name], scope=scope, days=30, name="Test")
        client = ApiClient(made.secret)
        client.token = made.token
        return client

    return make
