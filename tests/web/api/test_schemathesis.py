"""The published contract holds: schemathesis generates requests for every operation in
/api/v1/openapi.json and sends them to the live application (in process, through WSGI, on
whichever database the suite runs on). No answer may be a server error or fall outside the
document: undocumented status codes, content types, headers or bodies fail."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from kpiboard.web.api_tokens import create_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


#: Generated requests only (the fuzzing phase, 20 an operation): schemathesis's coverage phase
#: adds about a hundred fixed boundary cases an operation, too slow to run twice in CI.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
# Fetched through the application itself (no database needed: the document is public).
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes a connection in a transaction at the end of each request; the test's
    transaction (and on PostgreSQL, its connection) must outlive the requests, as Django's own
    test client arranges."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def analyst_token(demo_site, settings):
    settings.API_REQUESTS_PER_MINUTE = 100_000  # generated requests, not a client's
    return create_token(demo_site["analyst"], scope="write", days=1, name="schemathesis").secret


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_operations_answer_within_their_schema(case, analyst_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {analyst_token}"}, checks=CHECKS)
