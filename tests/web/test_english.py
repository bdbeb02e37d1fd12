"""English on request: a branch officer who switches to English sees the registry screens and the domain
errors raised by the registry services in English; without the switch they stay Indonesian."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from jaminan.accounts.roles import Role
from jaminan.geo.models import Regency
from jaminan.registry.errors import NotFound
from jaminan.registry.models import Membership

pytestmark = pytest.mark.django_db

NIK = "6471054508900003"  # Balikpapan, woman born 5 August 1990

DUPLICATE_ID = "Peserta sudah memiliki kepesertaan BPU aktif."
DUPLICATE_EN = "The participant already has an active BPU membership."


@pytest.fixture
def officer_client(make_user: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_user(Role.BRANCH_OFFICER, "petugas-bpn"))
    return client


def bpu_post(regency: Regency) -> dict[str, Any]:
    return {
        "nik": NIK,
        "name": "Siti Aminah",
        "birth_date": "1990-08-05",
        "sex": "P",
        "address_regency": str(regency.pk),
        "declared_income": "2.000.000",
        "payer": "self",
        "start_date": str(timezone.localdate() - timedelta(days=3)),
    }


def form_errors(response: Any, field: str) -> list[str]:
    assert response.status_code == 200
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def register_twice(client: Client, regency: Regency) -> Any:
    """A BPU registration, then the same again: the service refuses the second (AlreadyActiveMember)."""
    assert client.post("/kepesertaan/bpu/baru/", bpu_post(regency)).status_code == 302
    assert Membership.objects.filter(segment="BPU").count() == 1
    return client.post("/kepesertaan/bpu/baru/", bpu_post(regency))


def test_search_page_and_service_error_in_english_after_the_switch(
    officer_client: Client, reference: None
) -> None:
    balikpapan = Regency.objects.get(code="64.71")
    response = officer_client.post("/i18n/setlang/", {"language": "en", "next": "/kepesertaan/"})
    assert response.status_code == 302
    assert officer_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = officer_client.get("/kepesertaan/").content.decode()
    assert 'lang="en"' in page
    assert "Search by NIK, name, KPJ number or NPP" in page
    assert "Register BPU participant" in page
    assert "Cari berdasarkan NIK" not in page

    response = register_twice(officer_client, balikpapan)
    assert form_errors(response, "nik") == [DUPLICATE_EN]
    body = response.content.decode()
    assert DUPLICATE_EN in body and DUPLICATE_ID not in body


def test_service_error_in_indonesian_by_default(officer_client: Client, reference: None) -> None:
    balikpapan = Regency.objects.get(code="64.71")
    page = officer_client.get("/kepesertaan/").content.decode()
    assert 'lang="id"' in page and "Cari berdasarkan NIK, nama, nomor KPJ atau NPP" in page

    response = register_twice(officer_client, balikpapan)
    assert form_errors(response, "nik") == [DUPLICATE_ID]
    assert DUPLICATE_EN not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Peserta BPU tidak dapat mengikuti JP atau JKP."),
        ("en", "BPU participants cannot join JP or JKP."),
    ],
)
def test_api_error_follows_the_language_cookie(
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    reference: None,
    language: str,
    message: str,
) -> None:
    officer = make_user(Role.BRANCH_OFFICER, "petugas-bpp")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(officer)}")
    if language != settings.LANGUAGE_CODE:
        api.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    r = api.post(
        "/api/v1/bpu-workers",
        {
            "nik": NIK,
            "name": "Siti Aminah",
            "birth_date": "1990-08-05",
            "sex": "P",
            "address_regency": "64.71",
            "declared_income": 2_000_000,
            "programs": ["JKK", "JKM", "JP"],
        },
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert r.json() == {"code": "program_rule", "message": message, "field": "programs"}
    assert not Membership.objects.exists()


def test_not_found_default_message_follows_the_language() -> None:
    with translation.override("id"):
        assert NotFound().message == "Data tidak ditemukan."
    with translation.override("en"):
        assert NotFound().message == "Not found."
