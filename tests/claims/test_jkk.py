"""JKK end to end: accident report, PLKK bills, STMB periods, disability decision, death; the
arrears rule (PU employer pays first, BPU loses the right) and the claim lapse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan import rules
from jaminan.claims import services
from jaminan.claims.errors import EmployerArrears, FourEyes, InvalidValue
from jaminan.claims.models import BenefitPayment, Claim
from jaminan.geo.models import HealthFacility
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from tests.claims.conftest import contribute, ledger_ok, make_nik, month_range, settle

pytestmark = pytest.mark.django_db

ACCIDENT = date(2025, 1, 10)


def _jkk_claim(membership: Membership, officer: Any, facility: HealthFacility, **kw: Any) -> Claim:
    claim = services.open_claim(
        claim_type="jkk",
        participant=membership.participant,
        event_date=kw.pop("event_date", ACCIDENT),
        received_on=kw.pop("received_on", date(2025, 1, 12)),
        place="Gudang PT Klaim Uji, Balikpapan",
        circumstances="Tertimpa rak saat bongkar muat.",
        facility=facility,
        actor=officer,
    )
    for document in claim.documents.filter(required=True):
        services.record_document(claim=claim, kind=document.kind, actor=officer)
    return claim


def test_jkk_partial_disability_stmb_and_plkk_end_to_end(
    make_worker: Callable[..., Membership],
    officer: Any,
    approver: Any,
    facility: HealthFacility,
) -> None:
    membership = make_worker(wage=5_000_000, start=date(2024, 1, 1))
    contribute(membership, month_range(date(2024, 1, 1), date(2024, 12, 1)), via_run=True)
    claim = _jkk_claim(membership, officer, facility)
    assert claim.accident.facility == facility
    assert claim.accident.employer == membership.employer
    services.add_treatment_bill(
        claim=claim,
        facility=facility,
        invoice_number="INV-2025-001",
        amount=7_500_000,
        treated_from=ACCIDENT,
        treated_to=date(2025, 1, 20),
        actor=officer,
    )
    services.add_stmb_period(
        claim=claim,
        start_date=date(2025, 1, 10),
        end_date=date(2025, 3, 9),
        months=2,
        actor=officer,
    )
    services.add_stmb_period(
        claim=claim,
        start_date=date(2025, 3, 10),
        end_date=date(2025, 4, 9),
        months=1,
        actor=officer,
    )
    with pytest.raises(InvalidValue) as err:
        services.verify_documents(claim=claim, actor=officer)
    assert err.value.code == "outcome_missing"
    services.record_jkk_outcome(
        claim=claim, outcome="partial_disability", disability_percent="35", actor=officer
    )
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)

    expected = rules.calculate(
        "benefit.jkk",
        {
            "accident_date": "2025-01-10",
            "wage": 5_000_000,
            "outcome": "partial_disability",
            "disability_percent": "35",
            "months_incapacitated": 3,
        },
    )
    assert expected["cash"] == 140_000_000 and expected["stmb"] == 15_000_000
    assert claim.decision_facts["wage"] == 5_000_000  # read from the registry, not typed
    assert claim.amount == expected["total"] + 7_500_000 == 162_500_000
    assert [
        (c["component"], c["period"], c["amount"], c["payee_kind"]) for c in claim.components
    ] == [
        ("cash", "", 140_000_000, "participant"),
        ("stmb", "1", 10_000_000, "employer"),
        ("stmb", "2", 5_000_000, "employer"),
        ("treatment", str(claim.treatment_bills.get().pk), 7_500_000, "facility"),
    ]
    stmb_refs = claim.components[1]["references"]
    assert any("Lampiran III" in r for r in stmb_refs)
    with pytest.raises(FourEyes):
        services.approve_claim(claim=claim, actor=officer)
    services.approve_claim(claim=claim, actor=approver)
    services.pay_claim(claim=claim, actor=officer)
    claim.refresh_from_db()
    assert claim.status == "paid"
    payments = BenefitPayment.objects.filter(claim=claim)
    assert sum(p.amount for p in payments) == 162_500_000
    assert payments.get(component="treatment").payee_name == facility.name
    assert ledger_ok()


def test_jkk_death_pays_heir_periodic_funeral(
    make_worker: Callable[..., Membership], officer: Any, approver: Any, facility: HealthFacility
) -> None:
    membership = make_worker(wage=5_000_000, start=date(2024, 1, 1))
    contribute(membership, month_range(date(2024, 1, 1), date(2024, 12, 1)))
    spouse = registry.add_dependant(
        participant=membership.participant,
        name="Rina",
        relation="spouse",
        birth_date=date(1988, 1, 1),
    )
    claim = _jkk_claim(membership, officer, facility)
    services.record_jkk_outcome(claim=claim, outcome="death", actor=officer)
    with pytest.raises(InvalidValue) as err:
        services.verify_documents(claim=claim, actor=officer)
    assert err.value.code == "documents_incomplete"  # death certificate, heir statement added
    for kind in ("death_certificate", "heir_statement"):
        services.record_document(claim=claim, kind=kind, actor=officer)
    services.record_heir(claim=claim, relation="spouse", dependant=spouse, actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)
    # Case 'JKK death, wage Rp5,000,000 (PP 82/2019 Lampiran III)': 48 x W + 12M + 10M.
    assert claim.amount == 48 * 5_000_000 + 12_000_000 + 10_000_000
    assert {c["payee_name"] for c in claim.components} == {"Rina"}
    services.approve_claim(claim=claim, actor=approver)
    services.pay_claim(claim=claim, actor=officer)
    assert services.payments_total(claim) == 262_000_000


def test_pu_arrears_over_three_months_employer_pays_first(
    make_worker: Callable[..., Membership],
    officer: Any,
    approver: Any,
    facility: HealthFacility,
    settings: Any,
) -> None:
    settings.CLAIMS_FOUR_EYES_THRESHOLD = 1_000_000_000
    membership = make_worker(wage=5_000_000, start=date(2024, 1, 1))
    contribute(membership, month_range(date(2024, 1, 1), date(2024, 6, 1)))
    contribute(membership, month_range(date(2024, 7, 1), date(2024, 12, 1)), pay=False)
    claim = _jkk_claim(membership, officer, facility)
    services.add_stmb_period(
        claim=claim, start_date=ACCIDENT, end_date=date(2025, 2, 9), months=1, actor=officer
    )
    services.record_jkk_outcome(claim=claim, outcome="recovered", actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)
    # Jul-Nov 2024 due before 10 Jan 2025 and unpaid: five months.
    assert claim.decision_facts["arrears_months"] == 5
    assert claim.employer_pays_first and claim.status == "approved"
    with pytest.raises(EmployerArrears):
        services.pay_claim(claim=claim, on=date(2025, 2, 1), actor=officer)
    settle(membership, paid_on=date(2025, 2, 5))
    payments = services.pay_claim(claim=claim, on=date(2025, 2, 6), actor=officer)
    assert [(p.component, p.amount, p.payee_kind) for p in payments] == [
        ("stmb", 5_000_000, "employer")
    ]
    assert ledger_ok()


def test_bpu_arrears_over_three_months_rejected(
    officer: Any, facility: HealthFacility, balikpapan: Any
) -> None:
    membership = registry.register_bpu_worker(
        person=registry.PersonFacts(
            nik=make_nik(date(1990, 4, 4)),
            name="Ojol Uji",
            birth_date=date(1990, 4, 4),
            sex="L",
            address_regency=balikpapan,
        ),
        declared_income=2_000_000,
        start_date=date(2024, 1, 1),
    )
    contribute(membership, month_range(date(2024, 1, 1), date(2024, 3, 1)))
    contribute(membership, month_range(date(2024, 4, 1), date(2024, 8, 1)), pay=False)
    claim = _jkk_claim(
        membership, officer, facility, event_date=date(2024, 9, 20), received_on=date(2024, 9, 25)
    )
    services.record_jkk_outcome(claim=claim, outcome="recovered", actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)
    assert claim.status == "rejected" and claim.rejection_code == "bpu_arrears"
    assert claim.decision_facts["arrears_months"] >= 4
    assert "PP 44/2015" in claim.rejection_message


def test_jkk_claim_lapses_after_the_years_in_force(
    make_worker: Callable[..., Membership], officer: Any, facility: HealthFacility
) -> None:
    membership = make_worker(start=date(2019, 1, 1))
    # Accident on 1 Jun 2019: PP 44/2015 Pasal 26 (2 years) applies; filed 2 years and 1 month later.
    claim = _jkk_claim(
        membership, officer, facility, event_date=date(2019, 6, 1), received_on=date(2021, 7, 1)
    )
    services.record_jkk_outcome(claim=claim, outcome="recovered", actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)
    assert claim.status == "rejected" and claim.rejection_code == "claim_lapsed"
    assert claim.decision_facts["claim_lapse_on"] == "2021-06-01"
