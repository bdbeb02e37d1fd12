"""The claims screens: worklist per office and status (scoped, bounded queries), intake, the claim
page with facts, breakdown and legal references, actions, and the participant's own claims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.claims.models import Claim
from jaminan.geo.models import Office
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from tests.claims.conftest import contribute, month_range

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _claims(make_worker: Callable[..., Membership], n: int) -> list[Claim]:
    claims = []
    for i in range(n):
        membership = make_worker(name=f"Pekerja {i}", birth=date(1980 + i, 2, 2))
        claims.append(
            Claim.objects.create(
                claim_type="jkk",
                participant=membership.participant,
                membership=membership,
                office=membership.office,
                channel="branch",
                status="intake" if i % 2 else "paid",
                amount=0 if i % 2 else 5_000_000,
                event_date=date(2025, 1, 1 + i),
                received_on=date(2025, 1, 15),
            )
        )
    return claims


def test_worklist_by_status_with_bounded_queries(
    make_worker: Callable[..., Membership],
    officer: Any,
    make_user: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    _claims(make_worker, 6)
    client = _login(officer)
    url = reverse("claims:worklist")
    with django_assert_max_num_queries(20):
        r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('data-status="') == 6 and "Rp5.000.000" in html
    r = client.get(url, {"status": "paid"})
    assert r.content.decode().count('data-status="paid"') == 3
    assert 'data-status="intake"' not in r.content.decode()
    assert AuditEvent.objects.filter(action="view", object_type="claims.Claim").exists()
    other = make_user(
        Role.BRANCH_OFFICER, "petugas-pontianak", office=Office.objects.get(code="KC-PONTIANAK")
    )
    assert 'id="no-claims"' in _login(other).get(url).content.decode()


def test_participant_sees_only_own_claims_and_no_actions(
    make_worker: Callable[..., Membership], make_user: Callable[..., Any]
) -> None:
    claims = _claims(make_worker, 3)
    mine = claims[1]
    user = make_user(Role.PARTICIPANT, "peserta-web", participant_kpj=mine.participant.kpj_number)
    client = _login(user)
    r = client.get(reverse("claims:worklist"))
    html = r.content.decode()
    assert "Klaim saya" in html and mine.number in html
    assert claims[0].number not in html and claims[2].number not in html
    r = client.get(reverse("claims:detail", args=[mine.pk]))
    assert r.status_code == 200 and 'id="actions"' not in r.content.decode()
    assert client.get(reverse("claims:detail", args=[claims[0].pk])).status_code == 404
    r = client.post(reverse("claims:action", args=[mine.pk, "verify"]))
    assert r.status_code == 403


def test_jkm_claim_through_the_screens(
    make_worker: Callable[..., Membership], officer: Any, approver: Any
) -> None:
    membership = make_worker(start=date(2021, 1, 1))
    contribute(membership, month_range(date(2021, 1, 1), date(2024, 12, 1)))
    spouse = registry.add_dependant(
        participant=membership.participant,
        name="Sari",
        relation="spouse",
        birth_date=date(1987, 5, 1),
    )
    client = _login(officer)
    r = client.get(reverse("claims:create"))
    assert r.status_code == 200 and 'id="claim-form"' in r.content.decode()
    r = client.post(
        reverse("claims:create"),
        {
            "kpj": membership.participant.kpj_number,
            "claim_type": "jkm",
            "channel": "branch",
            "event_date": "2025-01-15",
            "received_on": "2025-01-20",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    claim = Claim.objects.get(participant=membership.participant)
    detail = reverse("claims:detail", args=[claim.pk])

    def act(action: str, user_client: Client = client, **data: Any) -> str:
        r = user_client.post(reverse("claims:action", args=[claim.pk, action]), data, follow=True)
        assert r.status_code == 200
        return r.content.decode()

    html = act("verify")
    assert "Dokumen wajib belum diterima" in html
    for kind in ("death_certificate", "family_card", "heir_statement", "heir_id_card"):
        act("document", kind=kind, received="1")
    html = act("heir", relation="spouse", dependant=str(spouse.pk))
    assert 'id="heir"' in html and "Sari" in html
    act("verify")
    html = act("assess")
    assert 'data-status="approved"' in html  # Rp42.000.000: approved without a second person
    assert "PP 82/2019 Pasal 34(1)a" in html and "Rp20.000.000" in html
    html = act("pay")
    assert 'data-status="paid"' in html and "BP-" in html
    r = client.get(detail)
    assert 'id="paid-total">Rp42.000.000' in r.content.decode()
    assert 'id="trace"' in r.content.decode()
