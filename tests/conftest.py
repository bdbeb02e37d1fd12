"""Shared fixtures: reference data loaded once per test database, users per role, API tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from jaminan.accounts.roles import Role
from jaminan.accounts.services import create_token, ensure_role_groups, upsert_user
from jaminan.geo.models import Office, Province
from jaminan.geo.services import load_reference

PASSWORD = "rahasia-uji-2026"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` need real concurrency: deselect them on SQLite."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        load_reference(settings.REFERENCE_DIR)


@pytest.fixture
def reference(db: Any) -> None:
    """Reference data present (reloaded when a transactional test flushed it)."""
    if not Province.objects.exists():
        load_reference(settings.REFERENCE_DIR)


@pytest.fixture
def make_user(reference: None) -> Callable[..., Any]:
    ensure_role_groups()

    def make(role: Role, username: str | None = None, **scope: Any) -> Any:
        if role in (Role.BRANCH_OFFICER,) and "office" not in scope:
            scope["office"] = Office.objects.get(code="KC-BALIKPAPAN")
        defaults = {
            Role.EMPLOYER_USER: {"employer_npp": "NPP-UJI"},
            Role.SPONSOR_USER: {"sponsor_code": "SPONSOR-UJI"},
            Role.PARTICIPANT: {"participant_kpj": "12345678901"},
        }.get(role, {})
        return upsert_user(
            username=username or role.value, password=PASSWORD, role=role, **{**defaults, **scope}
        )

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.SYSTEM_ADMIN, "admin-uji")


@pytest.fixture
def token_for() -> Callable[[Any], str]:
    def make(user: Any) -> str:
        return create_token(user=user, name="uji")[1]

    return make


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
