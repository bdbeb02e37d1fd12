"""Reads of claims, always scoped (``scope_queryset``); showing claims (personal data) is audited.

List queries do not grow with rows: related rows come by ``select_related``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import scope_queryset
from jaminan.claims.errors import NotFound
from jaminan.claims.models import BenefitPayment, Claim, ClaimDocument, ScholarshipGrant
from jaminan.claims.services import (
    DOCUMENT_LABELS,
    ENROLMENT_PROOF,
    HEIR_LABELS,
    JKK_OUTCOME_LABELS,
    heir_candidates,
    scholarship_entitlement,
)
from jaminan.registry.models import Dependant

User = AbstractBaseUser | AnonymousUser | None


def claims_in_scope(
    *,
    user: User,
    status: str = "",
    office_id: int | None = None,
    claim_type: str = "",
    kpj: str = "",
) -> QuerySet[Claim]:
    """The claims ``user`` may see, newest first, optionally by status, office, type and KPJ."""
    qs = scope_queryset(
        user,
        Claim.objects.select_related("participant__person", "office", "membership__employer"),
    )
    if status:
        qs = qs.filter(status=status)
    if office_id:
        qs = qs.filter(office_id=office_id)
    if claim_type:
        qs = qs.filter(claim_type=claim_type)
    if kpj:
        qs = qs.filter(participant__kpj_number=kpj)
    return qs.order_by("-received_on", "-id")


def record_claim_list_view(*, user: User, context: dict[str, Any]) -> None:
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        object_type=Claim._meta.label,
        object_repr="daftar klaim",
        changes=context,
    )


def claim_in_scope(*, user: User, claim_id: int) -> Claim:
    """One claim of the user's scope, or NotFound (absent and out of scope look the same)."""
    if not 0 < claim_id < 2**63:
        raise NotFound(field="claim_id")
    claim = (
        claims_in_scope(user=user)
        .select_related("accident__facility", "accident__employer", "heir_dependant")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise NotFound(field="claim_id")
    return claim


@dataclass
class Line:
    """One line of the benefit breakdown with its legal references and payment."""

    component: str
    label: str
    period: str
    amount: int
    payee_kind: str
    payee_name: str
    references: list[str]
    due_on: str | None
    note: str
    payment: BenefitPayment | None = None


@dataclass
class ClaimDetail:
    claim: Claim
    documents: list[ClaimDocument]
    lines: list[Line]
    payments: list[BenefitPayment]
    grants: list[ScholarshipGrant]
    trace: list[dict[str, Any]]
    heir_label: str
    heir_candidates: list[Dependant]
    outcome_label: str = ""
    scholarship_children: list[Dependant] = field(default_factory=list)
    scholarship_total: int = 0
    paid_total: int = 0


def claim_detail(*, user: User, claim_id: int) -> ClaimDetail:
    """A claim with documents, the breakdown (components, references, payments) and the trace;
    showing it is audited."""
    claim = claim_in_scope(user=user, claim_id=claim_id)
    documents = list(claim.documents.order_by("id"))
    for document in documents:
        document.display_label = document_label(document)  # type: ignore[attr-defined]
    payments = list(claim.payments.order_by("id"))
    paid = {(p.component, p.period): p for p in payments}
    labels = dict(BenefitPayment.Component.choices)
    lines = [
        Line(
            component=c["component"],
            label=str(labels.get(c["component"], c["component"])),
            period=c.get("period", ""),
            amount=int(c["amount"]),
            payee_kind=c.get("payee_kind", ""),
            payee_name=c.get("payee_name", ""),
            references=list(c.get("references", [])),
            due_on=c.get("due_on"),
            note=c.get("note", ""),
            payment=paid.get((c["component"], c.get("period", ""))),
        )
        for c in claim.components
    ]
    grants = list(claim.scholarships.select_related("child", "payment").order_by("year", "id"))
    child_ids, scholarship_total = scholarship_entitlement(claim)
    children = list(Dependant.objects.filter(pk__in=child_ids).order_by("birth_date", "id"))
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        obj=claim,
        changes={"kpj": claim.participant.kpj_number},
    )
    return ClaimDetail(
        claim=claim,
        documents=documents,
        lines=lines,
        payments=payments,
        grants=grants,
        trace=list(claim.decision_trace or []),
        heir_label=str(HEIR_LABELS.get(claim.heir_relation, "")),
        outcome_label=str(JKK_OUTCOME_LABELS.get(str(claim.event_facts.get("outcome", "")), "")),
        heir_candidates=heir_candidates(claim) if claim.is_open else [],
        scholarship_children=children,
        scholarship_total=scholarship_total,
        paid_total=sum(p.amount for p in payments),
    )


def document_label(document: ClaimDocument) -> str:
    """The checklist label in the user's language (labels are stored in Indonesian, the msgid)."""
    if document.kind == ENROLMENT_PROOF:
        return f"{DOCUMENT_LABELS[ENROLMENT_PROOF]}: {document.label}"
    return gettext(document.label)
