from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from jaminan import rules
from jaminan.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_user(Role.BRANCH_OFFICER))
    return client


def test_rules_page_shows_parameter_tables_in_indonesian(client: Client) -> None:
    html = client.get("/rules").content.decode()
    assert "Aturan sebagai data" in html
    assert "pu.jkk_rate.group_1" in html and "0,24%" in html  # Indonesian decimal comma
    assert "Rp7.000.000" in html  # JP wage cap 2015
    assert "PP 44/2015 Pasal 16(1)a" in html
    assert html.count('class="table table-sm table-bordered align-middle parameter-table"') >= 10
    for name in (info.name for info in rules.catalogue()):
        assert f'data-calculation="{name}"' in html, name


def test_rules_page_in_english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/rules"})
    html = client.get("/rules").content.decode()
    assert "Rules as data" in html and "0.24%" in html and "Rp7,000,000" in html


def test_calculator_returns_result_and_trace(client: Client) -> None:
    response = client.post(
        "/rules/calculate/contribution.jakon", {"month": "2021-05", "contract_value": "180.000.000"}
    )
    html = html_lib.unescape(response.content.decode())
    assert response.status_code == 200
    assert '"JKK": 346000' in html and '"JKM": 46000' in html
    assert "PP 44/2015 Pasal 54(2)" in html  # the trace names the article


def test_calculator_names_the_bad_fact(client: Client) -> None:
    html = client.post(
        "/rules/calculate/contribution.pu", {"month": "2025-06", "wage": "5000000"}
    ).content.decode()
    assert 'data-fact="risk_group"' in html and "risk_group" in html


def test_calculator_list_facts_as_json(client: Client) -> None:
    ok = html_lib.unescape(
        client.post(
            "/rules/calculate/benefit.scholarship",
            {"date": "2024-07-15", "children": '[{"level": "PT"}]'},
        ).content.decode()
    )
    assert '"total": 60000000' in ok
    bad = client.post(
        "/rules/calculate/benefit.scholarship", {"date": "2024-07-15", "children": "[{"}
    ).content.decode()
    assert 'data-fact="children"' in bad


def test_unknown_calculation_404(client: Client) -> None:
    assert client.post("/rules/calculate/nothing.here", {}).status_code == 404


def test_calculator_programs_as_checkboxes(client: Client) -> None:
    html = client.get("/rules").content.decode()
    assert 'type="checkbox" name="programs" value="JP"' in html
    only_jkk_jkm = html_lib.unescape(
        client.post(
            "/rules/calculate/contribution.pu",
            {
                "month": "2026-05",
                "wage": "5.000.000",
                "risk_group": "2",
                "programs": ["JKK", "JKM"],
            },
        ).content.decode()
    )
    assert '"total": 42000' in only_jkk_jkm  # 0.54% + 0.30% of Rp5.000.000, no JHT/JP
