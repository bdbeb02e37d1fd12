"""JKM end to end: registration → contributions billed and paid → death → heir → paid claim, with
the amounts of the rules' cases; the legal order of heirs; scholarships as yearly grants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan import rules
from jaminan.accounts.models import AuditEvent
from jaminan.claims import services
from jaminan.claims.errors import FourEyes, HeirOrder, ScholarshipRefused
from jaminan.claims.models import BenefitPayment, Claim, ScholarshipGrant
from jaminan.registry import services as registry
from jaminan.registry.models import Dependant, Membership
from tests.claims.conftest import contribute, ledger_ok, month_range

pytestmark = pytest.mark.django_db

DEATH = date(2025, 1, 15)


def _family(membership: Membership) -> dict[str, Dependant]:
    participant = membership.participant
    add = registry.add_dependant
    return {
        "spouse": add(
            participant=participant,
            name="Sari Santoso",
            relation="spouse",
            birth_date=date(1987, 5, 1),
        ),
        "child1": add(
            participant=participant,
            name="Adi",
            relation="child",
            birth_date=date(2016, 2, 1),
            school_level="SD",
        ),
        "child2": add(
            participant=participant, name="Bela", relation="child", birth_date=date(2020, 6, 1)
        ),
        "child3": add(
            participant=participant, name="Cici", relation="child", birth_date=date(2023, 6, 1)
        ),
        "parent": add(
            participant=participant, name="Ibu Budi", relation="parent", birth_date=date(1960, 1, 1)
        ),
    }


def _intake(membership: Membership, officer: Any) -> Claim:
    claim = services.open_claim(
        claim_type="jkm",
        participant=membership.participant,
        event_date=DEATH,
        received_on=date(2025, 1, 20),
        actor=officer,
    )
    for document in claim.documents.filter(required=True):
        services.record_document(claim=claim, kind=document.kind, actor=officer)
    return claim


def test_jkm_end_to_end_with_heir_four_eyes_and_scholarships(
    make_worker: Callable[..., Membership], officer: Any, approver: Any
) -> None:
    membership = make_worker(start=date(2021, 1, 1))
    contribute(membership, month_range(date(2021, 1, 1), date(2024, 12, 1)))
    family = _family(membership)
    claim = _intake(membership, officer)
    assert claim.status == "intake" and claim.channel == "branch"
    assert claim.office_id == membership.office_id

    # The legal order: the spouse comes before a parent or a child.
    with pytest.raises(HeirOrder) as err:
        services.record_heir(
            claim=claim, relation="parent", dependant=family["parent"], actor=officer
        )
    assert err.value.code == "heir_order" and "Sari Santoso" in err.value.message
    with pytest.raises(HeirOrder):
        services.record_heir(
            claim=claim, relation="child", dependant=family["child1"], actor=officer
        )
    services.record_heir(claim=claim, relation="spouse", dependant=family["spouse"], actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)

    # 48 paid months (Jan 2021 – Dec 2024); children: the first two listed, oldest first.
    expected = rules.calculate(
        "benefit.jkm",
        {
            "death_date": "2025-01-15",
            "contribution_months": 48,
            "children": [{"level": "SD"}, {"level": "TK"}, {"level": "TK"}],
        },
    )
    assert claim.decision_facts["contribution_months"] == 48
    assert (
        claim.decision_result["scholarship"] == expected["scholarship"] == 84_000_000 + 87_000_000
    )
    assert claim.amount == expected["total"] == 42_000_000 + 171_000_000
    assert [(c["component"], c["amount"]) for c in claim.components] == [
        ("lump_sum", 20_000_000),
        ("periodic", 12_000_000),
        ("funeral", 10_000_000),
    ]
    assert all(
        c["payee_kind"] == "heir" and c["payee_name"] == "Sari Santoso" for c in claim.components
    )
    assert "PP 82/2019 Pasal 34(1)a" in " ".join(claim.components[0]["references"])
    assert claim.decision_trace and claim.status == "assessed"

    # Above Rp50.000.000: the assessor cannot approve; a second person does.
    with pytest.raises(FourEyes):
        services.approve_claim(claim=claim, actor=officer)
    services.approve_claim(claim=claim, actor=approver)
    payments = services.pay_claim(claim=claim, actor=officer)
    claim.refresh_from_db()
    assert claim.status == "paid"
    assert sum(p.amount for p in payments) == 42_000_000
    assert BenefitPayment.objects.filter(claim=claim).count() == 3

    # Scholarships: one grant per child, level and year, on proof of enrolment.
    grant = services.grant_scholarship(
        claim=claim,
        child=family["child1"],
        level="SD",
        year=2025,
        proof_reference="SD 1/2025",
        actor=officer,
    )
    assert grant.amount == 1_500_000 and grant.payment.component == "scholarship"
    assert grant.document.kind == "enrolment_proof" and grant.document.received
    with pytest.raises(ScholarshipRefused):  # same child, same year
        services.grant_scholarship(
            claim=claim,
            child=family["child1"],
            level="SD",
            year=2025,
            proof_reference="x",
            actor=officer,
        )
    with pytest.raises(ScholarshipRefused):  # the third child is beyond the two children
        services.grant_scholarship(
            claim=claim,
            child=family["child3"],
            level="TK",
            year=2025,
            proof_reference="x",
            actor=officer,
        )
    with pytest.raises(ScholarshipRefused):  # a level below the one the child was starting
        services.grant_scholarship(
            claim=claim,
            child=family["child1"],
            level="TK",
            year=2026,
            proof_reference="x",
            actor=officer,
        )
    pt = services.grant_scholarship(
        claim=claim,
        child=family["child2"],
        level="PT",
        year=2040,
        proof_reference="UNMUL",
        actor=officer,
    )
    assert pt.amount == 12_000_000
    assert ScholarshipGrant.objects.filter(claim=claim).count() == 2
    moves = [
        e.changes["status"]
        for e in AuditEvent.objects.filter(
            object_type="claims.Claim", object_id=str(claim.pk)
        ).order_by("id")
        if "status" in e.changes
    ]
    assert moves == [
        "intake",
        ["intake", "documents_verified"],
        ["documents_verified", "assessed"],
        ["assessed", "approved"],
        ["approved", "paid"],
    ]
    assert ledger_ok()


def test_scholarship_level_years_are_limited(
    make_worker: Callable[..., Membership], officer: Any, approver: Any
) -> None:
    membership = make_worker(start=date(2021, 1, 1))
    contribute(membership, month_range(date(2021, 1, 1), date(2024, 12, 1)))
    family = _family(membership)
    claim = _intake(membership, officer)
    services.record_heir(claim=claim, relation="spouse", dependant=family["spouse"], actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    services.assess_claim(claim=claim, actor=officer)
    services.approve_claim(claim=claim, actor=approver)
    child = family["child2"]
    for year in (2025, 2026):
        services.grant_scholarship(
            claim=claim,
            child=child,
            level="TK",
            year=year,
            proof_reference=f"TK {year}",
            actor=officer,
        )
    with pytest.raises(ScholarshipRefused) as err:
        services.grant_scholarship(
            claim=claim,
            child=child,
            level="TK",
            year=2027,
            proof_reference="TK 2027",
            actor=officer,
        )
    assert "2" in err.value.message
    services.grant_scholarship(
        claim=claim, child=child, level="SD", year=2027, proof_reference="SD 2027", actor=officer
    )
    with pytest.raises(ScholarshipRefused):  # back to a lower level
        services.grant_scholarship(
            claim=claim, child=child, level="TK", year=2028, proof_reference="TK", actor=officer
        )
    assert sum(g.amount for g in ScholarshipGrant.objects.filter(child=child)) == 4_500_000


def test_below_36_months_no_scholarship_and_automatic_approval(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2023, 1, 1))
    contribute(membership, month_range(date(2023, 1, 1), date(2024, 12, 1)))  # 24 months
    family = _family(membership)
    claim = _intake(membership, officer)
    services.record_heir(claim=claim, relation="spouse", dependant=family["spouse"], actor=officer)
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)
    assert claim.decision_facts["contribution_months"] == 24
    assert claim.amount == 42_000_000 and claim.decision_result["scholarship"] == 0
    # Up to the threshold the assessment is approved at once (no second person needed).
    assert claim.status == "approved" and claim.approval == "automatic"
    services.pay_claim(claim=claim, actor=officer)
    claim.refresh_from_db()
    assert claim.status == "paid"
    assert services.payments_total(claim) == 42_000_000


def test_heir_order_without_spouse_children_first_then_parents(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker()
    participant = membership.participant
    parent = registry.add_dependant(
        participant=participant, name="Ayah", relation="parent", birth_date=date(1955, 1, 1)
    )
    claim = services.open_claim(
        claim_type="jkm",
        participant=participant,
        event_date=DEATH,
        received_on=DEATH,
        actor=officer,
    )
    # No spouse or child registered: the parent is the heir; a sibling is refused.
    with pytest.raises(HeirOrder):
        services.record_heir(claim=claim, relation="sibling", name="Adik", actor=officer)
    services.record_heir(claim=claim, relation="parent", dependant=parent, actor=officer)
    claim.refresh_from_db()
    assert (claim.heir_relation, claim.heir_name) == ("parent", "Ayah")
    assert services.HEIR_ORDER[:6] == (
        "spouse",
        "child",
        "parent",
        "grandchild",
        "sibling",
        "parent_in_law",
    )


def test_funeral_arranger_receives_only_the_funeral_allowance(
    make_worker: Callable[..., Membership], officer: Any
) -> None:
    membership = make_worker(start=date(2021, 1, 1))
    contribute(membership, month_range(date(2021, 1, 1), date(2024, 12, 1)))
    claim = _intake(membership, officer)
    services.record_heir(
        claim=claim, relation="funeral_arranger", name="Pengurus Masjid", actor=officer
    )
    services.verify_documents(claim=claim, actor=officer)
    claim = services.assess_claim(claim=claim, actor=officer)
    assert [(c["component"], c["amount"]) for c in claim.components] == [("funeral", 10_000_000)]
    assert claim.amount == 10_000_000 and claim.status == "approved"
