"""JHT withdrawal and JP claims: the workflow side calling helper G's services (``jaminan.jht``:
``full_withdrawal_amount`` / ``withdraw``; ``jaminan.pensions``: ``assess_pension`` /
``award_pension``), each paid once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.claims import services
from jaminan.claims.errors import ClaimAlreadyPaid
from jaminan.claims.models import BenefitPayment, Claim
from jaminan.jht import services as jht
from jaminan.jht.models import JhtAccount, JhtDebit, JhtReturnRate
from jaminan.pensions import services as pensions
from jaminan.pensions.models import Pension
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from tests.claims.conftest import contribute, ledger_ok, month_range

pytestmark = pytest.mark.django_db


def _through_verification(claim: Claim, officer: Any) -> Claim:
    for document in claim.documents.filter(required=True):
        services.record_document(claim=claim, kind=document.kind, actor=officer)
    return services.verify_documents(claim=claim, actor=officer)


@pytest.fixture
def jht_worker(make_worker: Callable[..., Membership]) -> Membership:
    for year in range(2023, 2027):
        JhtReturnRate.objects.update_or_create(
            year=year, defaults={"percent": "6", "source": "uji", "confidence": "low"}
        )
    membership = make_worker(wage=5_000_000, start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    jht.credit_contributions(until=date(2025, 1, 31))
    registry.end_membership(membership=membership, end_date=date(2024, 12, 31), reason="resigned")
    return membership


def _jht_claim(membership: Membership, officer: Any, received_on: date) -> Claim:
    claim = services.open_claim(
        claim_type="jht",
        participant=membership.participant,
        event_date=date(2024, 12, 31),
        received_on=received_on,
        withdrawal="full",
        reason="resignation",
        actor=officer,
    )
    _through_verification(claim, officer)
    return services.assess_claim(claim=claim, actor=officer)


def test_jht_full_withdrawal_after_resignation_paid_once(
    jht_worker: Membership, officer: Any
) -> None:
    account = JhtAccount.objects.get(participant=jht_worker.participant)
    expected = jht.full_withdrawal_amount(account, date(2025, 2, 10), "resignation")
    claim = _jht_claim(jht_worker, officer, date(2025, 2, 10))
    assert claim.status == "approved", claim.rejection_message
    # 24 months of 5.7% of Rp5.000.000 plus the returns: helper G's balance, not retyped.
    assert claim.amount == expected.amount > 24 * 285_000
    assert [c["component"] for c in claim.components] == ["jht"]
    services.pay_claim(claim=claim, on=date(2025, 2, 12), actor=officer)
    claim.refresh_from_db()
    assert claim.status == "paid"
    debit = JhtDebit.objects.get(account=account)
    assert (debit.claim_ref, debit.amount, debit.kind) == (claim.number, claim.amount, "full")
    with pytest.raises(ClaimAlreadyPaid):
        services.pay_claim(claim=claim, actor=officer)
    assert JhtDebit.objects.filter(account=account).count() == 1
    assert BenefitPayment.objects.get(claim=claim).amount == expected.amount
    assert ledger_ok()


def test_jht_before_the_waiting_month_is_rejected_with_its_code(
    jht_worker: Membership, officer: Any
) -> None:
    claim = _jht_claim(jht_worker, officer, date(2025, 1, 15))
    assert claim.status == "rejected" and claim.rejection_code == "jht_waiting_period"


def test_jp_fewer_than_15_years_pays_the_lump_sum(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(wage=5_000_000, start=date(2023, 1, 1), birth=date(1966, 1, 1))
    assert membership.has_jp
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    expected = pensions.assess_pension(
        participant=membership.participant, event="old_age", event_date=date(2025, 1, 1)
    )
    assert expected.lump_sum_due and expected.lump_sum_amount > 0
    claim = services.open_claim(
        claim_type="jp",
        participant=membership.participant,
        event_date=date(2025, 1, 1),
        received_on=date(2025, 1, 5),
        jp_event="old_age",
        actor=officer,
    )
    _through_verification(claim, officer)
    claim = services.assess_claim(claim=claim, actor=officer)
    assert claim.decision_result["lump_sum_due"] is True
    assert claim.amount == expected.lump_sum_amount
    services.pay_claim(claim=claim, actor=officer)
    claim.refresh_from_db()
    assert claim.status == "paid"
    assert services.payments_total(claim) == expected.lump_sum_amount
    assert not Pension.objects.filter(participant=membership.participant).exists()


def test_jp_death_awards_the_survivor_pension_once(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(wage=5_000_000, start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    spouse = registry.add_dependant(
        participant=membership.participant,
        name="Rini",
        relation="spouse",
        birth_date=date(1987, 1, 1),
    )
    claim = services.open_claim(
        claim_type="jp",
        participant=membership.participant,
        event_date=date(2025, 1, 15),
        received_on=date(2025, 1, 20),
        jp_event="death",
        actor=officer,
    )
    assert {"death_certificate", "heir_statement"} <= set(
        claim.documents.values_list("kind", flat=True)
    )
    services.record_heir(claim=claim, relation="spouse", dependant=spouse, actor=officer)
    _through_verification(claim, officer)
    membership.participant.person.refresh_from_db()
    assert membership.participant.person.death_date == date(2025, 1, 15)  # recorded by the claim
    claim = services.assess_claim(claim=claim, actor=officer)
    assert claim.decision_result["lump_sum_due"] is False
    shares = claim.decision_result["shares"]
    assert shares and shares[0]["beneficiary"] == "Rini"
    assert claim.amount == sum(s["monthly_amount"] for s in shares) > 0
    services.pay_claim(claim=claim, actor=officer)
    claim.refresh_from_db()
    assert claim.status == "paid"
    awarded = Pension.objects.filter(participant=membership.participant)
    assert awarded.count() == len(shares)
    assert sorted(claim.decision_result["pension_ids"]) == sorted(p.pk for p in awarded)
    assert {p.claim_ref for p in awarded} == {claim.number}
    with pytest.raises(ClaimAlreadyPaid):
        services.pay_claim(claim=claim, actor=officer)
    assert Pension.objects.filter(participant=membership.participant).count() == len(shares)
