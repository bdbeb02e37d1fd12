"""The claims API: a JKM claim taken through every transition over HTTP, errors as JSON codes,
scoping, and a bounded number of queries for the list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from jaminan.accounts.roles import Role
from jaminan.claims.models import BenefitPayment, Claim
from jaminan.geo.models import Office
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from tests.claims.conftest import contribute, month_range

pytestmark = pytest.mark.django_db


def _client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_jkm_claim_through_the_api(
    make_worker: Callable[..., Membership],
    officer: Any,
    approver: Any,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
) -> None:
    membership = make_worker(start=date(2021, 1, 1))
    contribute(membership, month_range(date(2021, 1, 1), date(2024, 12, 1)))
    spouse = registry.add_dependant(
        participant=membership.participant,
        name="Sari",
        relation="spouse",
        birth_date=date(1987, 5, 1),
    )
    registry.add_dependant(
        participant=membership.participant,
        name="Adi",
        relation="child",
        birth_date=date(2016, 2, 1),
        school_level="SD",
    )
    api = _client(token_for(officer))
    kpj = membership.participant.kpj_number
    r = api.post(
        "/api/v1/claims",
        {"claim_type": "jkm", "kpj": kpj, "event_date": "2025-01-15", "received_on": "2025-01-20"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    claim_id = r.json()["id"]
    assert r.json()["status"] == "intake" and r.json()["number"].startswith("KLM-JKM-")
    # Documents incomplete: a coded 422.
    r = api.post(f"/api/v1/claims/{claim_id}/verify")
    assert r.status_code == 422 and r.json()["code"] == "documents_incomplete"
    for kind in ("death_certificate", "family_card", "heir_statement", "heir_id_card"):
        r = api.post(
            f"/api/v1/claims/{claim_id}/documents",
            {"kind": kind, "reference": f"{kind}-1"},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
    r = api.post(
        f"/api/v1/claims/{claim_id}/heir",
        {"relation": "sibling", "name": "Adik"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "heir_order"
    r = api.post(
        f"/api/v1/claims/{claim_id}/heir",
        {"relation": "spouse", "dependant_id": spouse.pk},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["heir_name"] == "Sari"
    assert api.post(f"/api/v1/claims/{claim_id}/verify").status_code == 200
    r = api.post(f"/api/v1/claims/{claim_id}/assess")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "assessed"
    assert body["amount"] == 42_000_000 + 84_000_000
    assert body["decision_facts"]["contribution_months"] == 48
    assert [c["component"] for c in body["components"]] == ["lump_sum", "periodic", "funeral"]
    assert all(c["references"] for c in body["components"])
    assert any(t["parameter"] == "jkm.lump_sum" for t in body["trace"])
    # The assessor cannot approve: 403 four_eyes; the approver can.
    r = api.post(f"/api/v1/claims/{claim_id}/approve")
    assert r.status_code == 403 and r.json()["code"] == "four_eyes"
    second = _client(token_for(approver))
    assert second.post(f"/api/v1/claims/{claim_id}/approve").status_code == 200
    r = api.post(f"/api/v1/claims/{claim_id}/pay", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "paid"
    r = api.post(f"/api/v1/claims/{claim_id}/pay", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "already_paid"
    assert BenefitPayment.objects.filter(claim_id=claim_id).count() == 3
    child_id = membership.participant.dependants.get(relation="child").pk
    r = api.post(
        f"/api/v1/claims/{claim_id}/scholarships",
        {"child_id": child_id, "level": "SD", "year": 2025, "proof_reference": "SDN 1"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["scholarships"][0]["amount"] == 1_500_000

    # The participant sees their own claim, not the actions.
    own = make_user(Role.PARTICIPANT, "peserta-api", participant_kpj=kpj)
    mine = _client(token_for(own))
    r = mine.get("/api/v1/claims")
    assert r.status_code == 200 and [c["id"] for c in r.json()["items"]] == [claim_id]
    r = mine.post(
        f"/api/v1/claims/{claim_id}/reject", {"code": "other"}, content_type="application/json"
    )
    assert r.status_code in (403, 409)
    # An officer of another office does not see it at all.
    other = make_user(
        Role.BRANCH_OFFICER, "petugas-lain", office=Office.objects.get(code="KC-PONTIANAK")
    )
    assert _client(token_for(other)).get(f"/api/v1/claims/{claim_id}").status_code == 404
    assert _client(token_for(other)).get("/api/v1/claims").json()["count"] == 0


def test_claims_list_filters_and_query_count(
    make_worker: Callable[..., Membership],
    officer: Any,
    token_for: Callable[[Any], str],
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(6):
        membership = make_worker(name=f"Pekerja {i}", birth=date(1980 + i, 1, 1))
        Claim.objects.create(
            claim_type="jkm" if i % 2 else "jkk",
            participant=membership.participant,
            membership=membership,
            office=membership.office,
            channel="branch",
            event_date=date(2025, 1, 1 + i),
            received_on=date(2025, 1, 10),
        )
    api = _client(token_for(officer))
    with django_assert_max_num_queries(12):
        r = api.get("/api/v1/claims?limit=50")
    assert r.status_code == 200 and r.json()["count"] == 6
    assert api.get("/api/v1/claims?claim_type=jkm").json()["count"] == 3
    assert api.get("/api/v1/claims?status=paid").json()["count"] == 0
    r = api.get("/api/v1/claims?status=bogus")
    assert r.status_code == 422
    assert api.get("/api/v1/claims/999999999").status_code == 404
    assert api.get("/api/v1/claims/99999999999999999999").status_code in (404, 422)
