"""Payment exactly once: the database refuses a second payment of an entitlement, a paid claim
cannot be paid again, the state machine refuses skipped steps, and two processes approving and
paying the same claim at the same time produce one payment (PostgreSQL, real connections)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from jaminan.accounts.roles import Role
from jaminan.claims import services
from jaminan.claims.errors import (
    ClaimAlreadyPaid,
    ClaimError,
    InvalidTransition,
    InvalidValue,
    NotAllowed,
)
from jaminan.claims.models import BenefitPayment, Claim
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from tests.claims.conftest import contribute, month_range


def _assessed_jkm(membership: Membership, officer: Any) -> Claim:
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    spouse = registry.add_dependant(
        participant=membership.participant,
        name="Wati",
        relation="spouse",
        birth_date=date(1988, 1, 1),
    )
    claim = services.open_claim(
        claim_type="jkm",
        participant=membership.participant,
        event_date=date(2025, 1, 15),
        received_on=date(2025, 1, 20),
        actor=officer,
    )
    for document in claim.documents.filter(required=True):
        services.record_document(claim=claim, kind=document.kind, actor=officer)
    services.record_heir(claim=claim, relation="spouse", dependant=spouse, actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    return services.assess_claim(claim=claim, actor=officer)


@pytest.mark.django_db
def test_database_refuses_a_second_payment_of_an_entitlement(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    claim = _assessed_jkm(make_worker(), officer)
    assert claim.status == "approved"  # Rp42.000.000 ≤ threshold: automatic
    services.pay_claim(claim=claim, actor=officer)
    with pytest.raises(ClaimAlreadyPaid):
        services.pay_claim(claim=claim, actor=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitPayment.objects.create(
            claim=claim,
            component="lump_sum",
            period="",
            amount=20_000_000,
            payee_kind="heir",
            payee_name="Wati",
            reference="BP-LAIN-1",
            paid_on=date(2025, 2, 1),
        )
    assert BenefitPayment.objects.filter(claim=claim).count() == 3


@pytest.mark.django_db
def test_state_machine_refuses_skipped_steps_and_wrong_roles(
    make_worker: Callable[..., Membership], officer: Any, make_user: Callable[..., Any]
) -> None:
    membership = make_worker()
    claim = services.open_claim(
        claim_type="jkm",
        participant=membership.participant,
        event_date=date(2025, 1, 15),
        received_on=date(2025, 1, 20),
        actor=officer,
    )
    with pytest.raises(InvalidTransition) as err:
        services.assess_claim(claim=claim, actor=officer)
    assert err.value.code == "invalid_transition"
    with pytest.raises(InvalidTransition):
        services.pay_claim(claim=claim, actor=officer)
    with pytest.raises(InvalidValue) as err2:
        services.verify_documents(claim=claim, actor=officer)
    assert err2.value.code == "documents_incomplete"
    participant_user = make_user(
        Role.PARTICIPANT, "peserta-klaim", participant_kpj=membership.participant.kpj_number
    )
    with pytest.raises(NotAllowed):
        services.verify_documents(claim=claim, actor=participant_user)
    services.reject_claim(claim=claim, code="duplicate", actor=officer)
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.rejection_code == "duplicate"
    with pytest.raises(InvalidTransition):
        services.reject_claim(claim=claim, code="other", actor=officer)
    # A rejected claim does not block a new claim for the same death.
    again = services.open_claim(
        claim_type="jkm",
        participant=membership.participant,
        event_date=date(2025, 1, 15),
        received_on=date(2025, 1, 21),
        actor=participant_user,
    )
    assert again.channel == "online"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_approving_and_paying_the_same_claim_pay_once(
    make_worker: Callable[..., Membership],
    officer: Any,
    approver: Any,
    make_user: Callable[..., Any],
    settings: Any,
) -> None:
    settings.CLAIMS_FOUR_EYES_THRESHOLD = 1_000_000
    approver2 = make_user(Role.CLAIMS_APPROVER, "penyetuju-klaim-2")
    claim = _assessed_jkm(make_worker(), officer)
    assert claim.status == "assessed"
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(user: Any) -> None:
        try:
            barrier.wait(timeout=30)
            for step in (
                lambda: services.approve_claim(claim=Claim(pk=claim.pk), actor=user),
                lambda: services.pay_claim(claim=Claim(pk=claim.pk), actor=user),
            ):
                try:
                    step()
                    outcomes.append("ok")
                except ClaimError as exc:
                    outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in (approver, approver2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    claim.refresh_from_db()
    assert claim.status == "paid"
    payments = BenefitPayment.objects.filter(claim=claim)
    assert payments.count() == 3
    assert sum(p.amount for p in payments) == 42_000_000
    # One approval and one payment succeeded; the other process was refused each time.
    assert sorted(outcomes) == sorted(["ok", "ok", "invalid_transition", "already_paid"])
