"""Schemathesis fuzzes every operation of the OpenAPI schema: no 5xx, responses match the schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jaminan.accounts.roles import Role
from jaminan.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# What the API promises: no 5xx, and every response (status, content type, headers, body) as its
# schema declares. Domain validation (a schema-valid NIK whose province does not exist) answers 422
# by design, so "schema-valid data is accepted" is not among the checks.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_test_connection() -> Iterator[None]:
    """The WSGI calls fire request_started/finished, whose close_old_connections would close the
    test transaction's connection on PostgreSQL; Django's own test Client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(make_user: Callable[..., Any], token_for: Callable[[Any], str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(make_user(Role.SYSTEM_ADMIN, 'fuzz-admin'))}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_fuzz(case: Any, auth_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_headers, checks=CHECKS, excluded_checks=None)
