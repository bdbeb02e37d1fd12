from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from jaminan.accounts.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_lockout_after_repeated_failures(make_user: Callable[..., Any]) -> None:
    make_user(Role.BRANCH_OFFICER, "petugas-kunci")
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "petugas-kunci", "password": "salah-terus"})
    assert response.status_code == 429
    # Even the right password is refused while locked out.
    response = client.post("/login/", {"username": "petugas-kunci", "password": PASSWORD})
    assert response.status_code == 429
    assert "dikunci" in response.content.decode()


def test_passwords_hashed_with_argon2(make_user: Callable[..., Any]) -> None:
    user = make_user(Role.PARTICIPANT, "peserta-hash")
    assert user.password.startswith("argon2$")


def test_fewer_failures_do_not_lock(make_user: Callable[..., Any]) -> None:
    make_user(Role.BRANCH_OFFICER, "petugas-lupa")
    client = Client(REMOTE_ADDR="10.9.9.8")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "petugas-lupa", "password": "salah"})
    response = client.post("/login/", {"username": "petugas-lupa", "password": PASSWORD})
    assert response.status_code == 302
