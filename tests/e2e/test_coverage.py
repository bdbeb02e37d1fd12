"""Browser: the coverage dashboard draws its charts and the map its regencies, offline (every request
outside the test server is refused and must not happen); clicking a regency shows its figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.accounts.roles import Role
from jaminan.coverage import services
from tests.coverage.conftest import Population, population  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def offline(page: Any, live_server: Any) -> list[str]:
    """Refuse (and remember) every request that does not go to the test server."""
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(live_server.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return outside


def test_dashboard_and_map(
    population: Population,  # noqa: F811
    login: Any,
    page: Any,
    live_server: Any,
    make_user: Callable[..., Any],
    offline: list[str],
) -> None:
    services.refresh(months=services.month_range(date(2025, 11, 1), date(2026, 1, 1)))
    make_user(Role.REGIONAL_ANALYST, "analis-cakupan")
    login("analis-cakupan")
    page.goto(f"{live_server.url}/cakupan/?month=2026-01")
    assert page.locator("#kpi-active").inner_text() == "6"
    assert "7.996.826" in page.locator("#denominator").inner_text()
    page.wait_for_selector("#trend-chart[data-rendered=true]")
    page.wait_for_selector("#area-chart[data-rendered=true]")
    assert page.evaluate("window.jaminanCharts.trend.data.labels") == [
        "2025-11",
        "2025-12",
        "2026-01",
    ]
    assert page.evaluate("window.jaminanCharts.areas.data.datasets[0].data") == [0, 0, 0, 6, 0]
    # Claims paid by program (none in this population): six bars, JHT … scholarships.
    page.wait_for_selector("#claims-chart[data-rendered=true]")
    assert page.evaluate("window.jaminanCharts.claims.data.labels.length") == 6
    assert page.evaluate("window.jaminanCharts.claims.data.datasets[0].data") == [0] * 6
    assert page.locator("#claims-table tbody tr").count() == 6
    rows = page.locator("#coverage-table tbody tr")
    assert rows.count() == 5
    # Drill into Kalimantan Timur: its ten regencies.
    page.click("#coverage-table a:text('Kalimantan Timur')")
    page.wait_for_selector("#coverage-table tbody tr[data-code='64.71']")
    assert page.locator("#coverage-table tbody tr").count() == 10

    page.goto(f"{live_server.url}/cakupan/peta/?month=2026-01")
    page.wait_for_selector("#coverage-map[data-rendered=true]")
    assert page.locator("#coverage-map path.leaflet-interactive").count() == 56
    page.locator("#coverage-map path[data-code='64.71']").click(force=True)
    page.wait_for_selector("#panel-name")
    assert page.locator("#panel-name").inner_text() == "Kota Balikpapan"
    assert page.locator("#panel-active").inner_text() == "2"
    # Participants by default: Balikpapan is coloured; by coverage it has no workforce figure (grey).
    fill = page.locator("#coverage-map path[data-code='64.71']").get_attribute("fill")
    assert fill and fill not in ("#d9d9d9", "#f7fcf5")
    page.click("label[for=metric-coverage]")
    fill = page.locator("#coverage-map path[data-code='64.71']").get_attribute("fill")
    assert fill == "#d9d9d9"
    assert offline == []
