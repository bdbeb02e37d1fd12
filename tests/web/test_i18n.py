from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from jaminan.accounts.roles import Role
from jaminan.web.formatting import long_date, number, rupiah


def test_rupiah_indonesian_and_english() -> None:
    assert rupiah(16_800, "id") == "Rp16.800"
    assert rupiah(1_786_176_000, "id") == "Rp1.786.176.000"
    assert rupiah(0, "id") == "Rp0"
    assert rupiah(-5_000, "id") == "-Rp5.000"
    assert rupiah(16_800, "en") == "Rp16,800"
    assert number(7_996_826, "id") == "7.996.826"
    with pytest.raises(TypeError):
        rupiah(16800.0, "id")  # type: ignore[arg-type]


def test_dates_indonesian_and_english() -> None:
    assert long_date(date(2026, 2, 2), "id") == "2 Februari 2026"
    assert long_date(date(2025, 8, 17), "id") == "17 Agustus 2025"
    assert long_date(date(2026, 2, 2), "en") == "2 February 2026"


def test_template_filters_follow_active_language() -> None:
    template = Template("{% load jaminan %}{{ amount|rupiah }} {{ day|long_date }}")
    with translation.override("id"):
        assert (
            template.render(Context({"amount": 16800, "day": date(2026, 2, 2)}))
            == "Rp16.800 2 Februari 2026"
        )
    with translation.override("en"):
        assert (
            template.render(Context({"amount": 16800, "day": date(2026, 2, 2)}))
            == "Rp16,800 2 February 2026"
        )


def test_plain_integers_are_never_grouped_only_the_filters_group() -> None:
    """Ids in data attributes and option values, page numbers in links and years are printed as
    ``{{ n }}``; grouped ("1.029", "2.026") they break forms and links once they pass 999."""
    template = Template(
        '{% load jaminan %}<option value="{{ pk }}">{{ year }}</option> {{ count|number }}'
    )
    with translation.override("id"):
        html = template.render(Context({"pk": 1029, "year": 2026, "count": 1234567}))
    assert html == '<option value="1029">2026</option> 1.234.567'


@pytest.mark.django_db
def test_pages_indonesian_by_default_english_on_switch(make_user: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_user(Role.REGIONAL_ANALYST))
    page = client.get("/").content.decode()
    assert 'lang="id"' in page and "Kalimantan sekilas" in page and "Penduduk bekerja" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert (
        'lang="en"' in page and "Kalimantan at a glance" in page and "Employed population" in page
    )


@pytest.mark.django_db
def test_browser_language_does_not_override_indonesian_default(
    make_user: Callable[..., Any],
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(make_user(Role.BRANCH_OFFICER))
    page = client.get("/")
    assert page["Content-Language"] == "id" and "Kalimantan sekilas" in page.content.decode()
