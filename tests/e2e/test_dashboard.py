from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jaminan.accounts.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_and_see_dashboard_with_five_provinces(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    make_user(Role.REGIONAL_ANALYST, "analis-e2e")
    login("analis-e2e")
    assert page.locator("#current-user").inner_text().startswith("analis-e2e")
    rows = page.locator("#province-table tbody tr")
    assert rows.count() == 5
    names = [rows.nth(i).locator("td").first.inner_text() for i in range(5)]
    assert names == [
        "Kalimantan Barat",
        "Kalimantan Tengah",
        "Kalimantan Selatan",
        "Kalimantan Timur",
        "Kalimantan Utara",
    ]
    assert page.locator("#plkk-total").inner_text() == "336"
    # The chart was drawn by the vendored Chart.js (no CDN).
    page.wait_for_selector("#plkk-chart[data-rendered=true]")
    assert page.evaluate("window.jaminanCharts.plkk.data.datasets[0].data") == [44, 64, 121, 96, 11]


def test_switch_to_english(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    make_user(Role.BRANCH_OFFICER, "petugas-e2e")
    login("petugas-e2e")
    assert page.locator("h1").first.inner_text() == "Kalimantan sekilas"
    page.click("#language-form button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").first.inner_text() == "Kalimantan at a glance"


def test_wrong_password_shows_error(
    page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    make_user(Role.PARTICIPANT, "peserta-e2e")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "peserta-e2e")
    page.fill("#id_password", "salah")
    page.click("main form button[type=submit]")
    assert page.locator(".alert-danger").is_visible()
