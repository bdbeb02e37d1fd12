"""JKP end to end (six monthly payments at the rate of the termination date) and the eligibility
edge cases: paid months, consecutive months, reason, deadline, at most three claims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from jaminan import rules
from jaminan.claims import services
from jaminan.claims.errors import InvalidValue
from jaminan.claims.models import BenefitPayment, Claim
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from jaminan.rules.core import add_months
from tests.claims.conftest import contribute, ledger_ok, month_range, settle

pytestmark = pytest.mark.django_db


def _jkp(
    membership: Membership,
    officer: Any,
    *,
    end: date,
    reason: str = "dismissed",
    received_on: date | None = None,
) -> Claim:
    registry.end_membership(membership=membership, end_date=end, reason=reason)
    membership.refresh_from_db()
    claim = services.open_claim(
        claim_type="jkp",
        participant=membership.participant,
        event_date=end,
        received_on=received_on or add_months(end, 1),
        actor=officer,
    )
    for document in claim.documents.filter(required=True):
        services.record_document(claim=claim, kind=document.kind, actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    return services.assess_claim(claim=claim, actor=officer)


def test_jkp_end_to_end_six_monthly_payments_pp_6_2025(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(wage=7_500_000, start=date(2023, 7, 1))
    assert membership.has_jkp
    contribute(membership, month_range(date(2023, 7, 1), date(2025, 2, 1)), via_run=True)
    claim = _jkp(membership, officer, end=date(2025, 3, 10))
    # Case §13 #19 (PP 6/2025): 60% x Rp5.000.000 = Rp3.000.000 x 6 = Rp18.000.000.
    assert claim.status == "approved" and claim.approval == "automatic"
    assert claim.amount == 18_000_000
    assert [c["amount"] for c in claim.components] == [3_000_000] * 6
    assert claim.decision_result["eligibility"]["eligible"] is True
    assert claim.decision_facts["wage"] == 7_500_000
    today = timezone.localdate()
    first = services.pay_claim(claim=claim, on=today, actor=officer)
    assert [(p.component, p.period) for p in first] == [("jkp_cash", "1")]
    assert services.pay_claim(claim=claim, on=today, actor=officer) == []  # nothing new is due
    for month in range(1, 6):
        services.pay_claim(claim=claim, on=add_months(today, month), actor=officer)
    claim.refresh_from_db()
    assert claim.status == "paid"
    assert BenefitPayment.objects.filter(claim=claim).count() == 6
    assert services.payments_total(claim) == 18_000_000
    assert ledger_ok()


def test_jkp_before_pp_6_2025_uses_45_and_25_percent(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(wage=6_000_000, start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    claim = _jkp(membership, officer, end=date(2024, 12, 20))
    expected = rules.calculate("benefit.jkp", {"termination_date": "2024-12-20", "wage": 6_000_000})
    assert [c["amount"] for c in claim.components] == expected["monthly"]
    assert claim.amount == expected["total"] == 10_500_000


def test_jkp_eleven_paid_months_too_few(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2024, 2, 1))
    contribute(membership, month_range(date(2024, 2, 1), date(2024, 12, 1)))  # 11 months
    claim = _jkp(membership, officer, end=date(2024, 12, 31))
    assert claim.status == "rejected" and claim.rejection_code == "jkp_not_eligible"
    assert "too_few_months" in claim.rejection_message


def test_jkp_exactly_twelve_paid_months_eligible(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2024, 1, 1))
    contribute(membership, month_range(date(2024, 1, 1), date(2024, 12, 1)))
    claim = _jkp(membership, officer, end=date(2024, 12, 31))
    assert claim.status == "approved"


def test_jkp_last_months_unpaid_not_consecutive(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2023, 10, 1))
    contribute(membership, month_range(date(2023, 10, 1), date(2024, 9, 1)))
    contribute(membership, month_range(date(2024, 10, 1), date(2024, 12, 1)), pay=False)
    claim = _jkp(membership, officer, end=date(2024, 12, 31))
    assert claim.rejection_code == "jkp_not_eligible"
    assert "not_consecutive" in claim.rejection_message
    assert "too_few_months" not in claim.rejection_message


def test_jkp_resignation_is_not_a_dismissal(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    claim = _jkp(membership, officer, end=date(2024, 12, 31), reason="resigned")
    assert claim.rejection_code == "jkp_reason"


def test_jkp_claim_after_the_deadline_lapses(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    # PHK before 7 Feb 2025: three months (PP 37/2021 Pasal 40(a)).
    claim = _jkp(membership, officer, end=date(2024, 12, 20), received_on=date(2025, 3, 21))
    assert claim.rejection_code == "claim_lapsed"


def test_jkp_at_most_three_claims_and_five_years_between(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    # Earlier JKP claims of this participant from other jobs (the record of past decisions).
    for year in (2008, 2014, 2020):
        Claim.objects.create(
            claim_type="jkp",
            participant=membership.participant,
            membership=membership,
            office=membership.office,
            channel="branch",
            status="paid",
            event_date=date(year, 6, 1),
            received_on=date(year, 6, 5),
        )
    claim = _jkp(membership, officer, end=date(2024, 12, 20))
    assert claim.rejection_code == "jkp_max_claims"


def test_jkp_second_claim_needs_five_more_years(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))
    Claim.objects.create(
        claim_type="jkp",
        participant=membership.participant,
        membership=membership,
        office=membership.office,
        channel="branch",
        status="paid",
        event_date=date(2022, 12, 1),
        received_on=date(2022, 12, 5),
    )
    claim = _jkp(membership, officer, end=date(2024, 12, 20))
    assert claim.rejection_code == "jkp_repeat_too_soon"
    assert claim.decision_facts["paid_months_since_previous_claim"] == 24


def test_jkp_needs_an_ended_membership(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2023, 1, 1))
    with pytest.raises(InvalidValue) as err:
        services.open_claim(
            claim_type="jkp",
            participant=membership.participant,
            membership=membership,
            event_date=date(2024, 12, 1),
            received_on=date(2024, 12, 5),
            actor=officer,
        )
    assert err.value.code == "membership_not_ended"


def test_jkp_employer_in_arrears_at_termination_pays_first_and_is_reimbursed(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(wage=4_000_000, start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 6, 1)))
    contribute(membership, month_range(date(2024, 7, 1), date(2024, 12, 1)), pay=False)
    settle(membership, paid_on=date(2025, 1, 5))  # arrears settled after the PHK, before the claim
    claim = _jkp(membership, officer, end=date(2024, 12, 20), received_on=date(2025, 1, 10))
    # Jul-Nov 2024 were due before 20 Dec 2024 and unpaid then (PP 37/2021 Pasal 39(3)).
    assert claim.decision_facts["arrears_months"] == 5
    assert claim.employer_pays_first and claim.status == "approved"
    assert {c["payee_kind"] for c in claim.components} == {"employer"}
    payments = services.pay_claim(claim=claim, actor=officer)
    assert [(p.period, p.amount, p.payee_kind) for p in payments] == [("1", 1_800_000, "employer")]
