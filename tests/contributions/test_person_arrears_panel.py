"""The person page shows, through registry.panels, each active PU/BPU membership's arrears status:
"more than three consecutive months" highlighted with what it implies; scoped, bounded, audited once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import selectors
from jaminan.registry import services
from tests.contributions.test_bills import BPN_MONTHLY, Scenario, _pay, build_scenario, client_for

pytestmark = pytest.mark.django_db

# 26 July 2026 (WITA): Samarinda has paid nothing (January–June, 6 months in arrears); Balikpapan
# paid up to March (on 25 July), April–June are 3 months in arrears (not more than three).
JUL_26 = dt.datetime(2026, 7, 26, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def scenario(reference: None, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    built = build_scenario()
    monkeypatch.setattr(timezone, "now", lambda: JUL_26)
    return built


def _page(client: Any, membership: Any) -> str:
    kpj = membership.participant.kpj_number
    response = client.get(reverse("registry:person", args=[kpj]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_employer_in_arrears_more_than_three_months_is_highlighted(
    scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    s = scenario
    client = client_for(make_user, Role.EMPLOYER_USER, "pk-smd", employer_npp=s.samarinda.npp)
    page = _page(client, s.smd_worker)
    assert 'id="arrears-panel"' in page
    assert f'data-arrears-membership="{s.smd_worker.pk}" data-arrears-months="6"' in page
    assert f'data-arrears-over="{s.smd_worker.pk}"' in page
    assert "Menunggak lebih dari 3 bulan berturut-turut." in page
    assert "manfaat dibayar pemberi kerja lebih dulu" in page
    # The employer may open its own payer page.
    assert reverse("contributions:payer", args=[s.smd_payer.virtual_account]) in page
    # The page's own VIEW is the only audit event of the read.
    views = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_type__icontains="person"
    )
    assert views.count() == 1


def test_three_months_or_a_paid_up_employer_is_not_highlighted(
    scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    s = scenario
    worker = s.bpn_workers[0]
    officer = client_for(make_user, Role.BRANCH_OFFICER, "petugas-bpn")  # KC-BALIKPAPAN
    page = _page(officer, worker)
    assert f'data-arrears-membership="{worker.pk}" data-arrears-months="3"' in page
    assert "data-arrears-over" not in page
    assert "lebih dari 3 bulan berturut-turut" not in page

    _pay(s.bpn_payer, "BPN-LUNAS", 3 * BPN_MONTHLY, dt.date(2026, 7, 26))
    page = _page(officer, worker)
    assert f'data-arrears-membership="{worker.pk}" data-arrears-months="0"' in page
    assert "tidak menunggak" in page
    assert "data-arrears-over" not in page


def test_an_employer_user_sees_only_its_own_memberships_status(
    scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    s = scenario
    # The Samarinda worker takes a second job in Balikpapan.
    second = services.register_pu_worker(
        employer=s.balikpapan,
        person=s.smd_worker.participant.person,
        wage=5_000_000,
        start_date=dt.date(2026, 7, 1),
        registered_on=dt.date(2026, 7, 1),
    )
    bpn = client_for(make_user, Role.EMPLOYER_USER, "pk-bpn", employer_npp=s.balikpapan.npp)
    page = _page(bpn, second)
    assert f'data-arrears-membership="{second.pk}" data-arrears-months="0"' in page
    assert f'data-arrears-membership="{s.smd_worker.pk}"' not in page
    assert "data-arrears-over" not in page
    assert s.smd_payer.virtual_account not in page
    # The administrator sees both, with the Samarinda payer's link.
    admin = client_for(make_user, Role.SYSTEM_ADMIN, "admin-panel")
    page = _page(admin, second)
    assert f'data-arrears-over="{s.smd_worker.pk}"' in page
    assert reverse("contributions:payer", args=[s.smd_payer.virtual_account]) in page


def test_no_payer_link_for_a_payer_outside_the_users_scope(
    scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    s = scenario
    second = services.register_pu_worker(
        employer=s.balikpapan,
        person=s.smd_worker.participant.person,
        wage=5_000_000,
        start_date=dt.date(2026, 7, 1),
        registered_on=dt.date(2026, 7, 1),
    )
    officer = client_for(make_user, Role.BRANCH_OFFICER, "petugas-bpn")  # KC-BALIKPAPAN
    page = _page(officer, second)
    assert f'data-arrears-membership="{s.smd_worker.pk}"' not in page  # Samarinda's office
    assert s.smd_payer.virtual_account not in page


def test_the_panel_agrees_with_arrears_months_in_one_query(
    scenario: Scenario, django_assert_num_queries: Any
) -> None:
    s = scenario
    members = [*s.bpn_workers, s.smd_worker]
    as_of = dt.date(2026, 7, 20)
    with django_assert_num_queries(1):
        found = selectors.arrears_of_memberships([m.pk for m in members], as_of=as_of)
    for m in members:
        assert found[m.pk].months == selectors.arrears_months(m, as_of=as_of)
    assert found[s.smd_worker.pk].months == 6 and found[s.smd_worker.pk].over_three_months
    assert found[s.bpn_workers[0].pk].months == 4  # March was paid only on 25 July
