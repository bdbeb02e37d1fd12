"""403, CSRF failure and 405 answer a page in the project's look and the user's language; the API
keeps its JSON error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from jaminan.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_a_csrf_failure_says_the_form_expired_in_indonesian(make_user: Callable[..., Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.BRANCH_OFFICER, "petugas-bpn"))
    response = client.post(reverse("logout"), HTTP_REFERER="http://testserver/kepesertaan/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="csrf-failure"' in page
    assert "Formulir kedaluwarsa" in page
    assert "Muat ulang halaman" in page
    assert 'href="http://testserver/kepesertaan/"' in page  # back to where the form was
    assert 'class="navbar' in page  # the project's base look
    assert "CSRF verification failed" not in page


def test_a_csrf_failure_follows_the_language_cookie(make_user: Callable[..., Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert 'id="csrf-failure"' in page
    assert 'href="/"' in page  # no referer: back to the dashboard
    client.force_login(make_user(Role.BRANCH_OFFICER, "petugas-bpn"))
    signed_in = client.post(reverse("logout")).content.decode()
    assert "Sign out" in signed_in and "Keluar" not in signed_in


def test_a_page_the_role_may_not_open_answers_the_403_page(
    make_user: Callable[..., Any],
) -> None:
    client = Client()
    client.force_login(make_user(Role.EMPLOYER_USER, "pemberi-kerja"))
    response = client.get(reverse("contributions:runs"))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="forbidden"' in page
    assert "Akses ditolak" in page


def test_a_wrong_method_answers_the_405_page_with_the_allow_header(
    make_user: Callable[..., Any],
) -> None:
    client = Client()
    client.force_login(make_user(Role.BRANCH_OFFICER, "petugas-bpn"))
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    page = response.content.decode()
    assert 'id="method-not-allowed"' in page
    assert "hanya menerima" in page
    assert response["Allow"] in page
    assert response["Content-Language"] == "id"


def test_api_errors_keep_their_json_shape(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    user = make_user(Role.BRANCH_OFFICER, "petugas-bpn")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/persons", {}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert "code" in response.json()
    wrong = Client().put(
        "/api/v1/persons",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user)}",
    )
    assert wrong.status_code == 405
    assert 'id="method-not-allowed"' not in wrong.content.decode()
