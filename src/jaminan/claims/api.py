"""Claims endpoints under /api/v1/claims: intake, list, detail, the workflow transitions, JKK event
facts, heirs, documents and scholarship grants. Thin: parse, call one service or selector, render.
Domain errors become ``ApiError`` (status from the error: 403 role/four-eyes, 404, 409 state, 422).

No ``from __future__ import annotations`` here (django-ninja resolves the annotations at runtime)."""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Annotated, Any, Literal, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from jaminan.accounts.scoping import scope_queryset
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.claims import selectors, services
from jaminan.claims.errors import ClaimError
from jaminan.claims.models import Claim, ClaimDocument
from jaminan.geo.models import HealthFacility, Office
from jaminan.registry.models import Dependant, Membership, Participant

router = Router(tags=["klaim"])

F = TypeVar("F", bound=Callable[..., Any])

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
OptText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^[^\x00]*$")
]
Kpj = Annotated[str, StringConstraints(pattern=r"^[0-9]{11}$")]
Id = Annotated[int, Field(gt=0, lt=2**63)]
ClaimType = Literal["jkm", "jkk", "jkp", "jht", "jp"]
StatusCode = Literal["intake", "documents_verified", "assessed", "approved", "paid", "rejected"]

ACTION = {200: Any, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def domain_errors(fn: F) -> F:
    """Map ClaimError to ApiError (status from the error class)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ClaimError as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc

    return wrapper  # type: ignore[return-value]


def _claim(request: HttpRequest, claim_id: int) -> Claim:
    return selectors.claim_in_scope(user=request.user, claim_id=claim_id)


# ------------------------------------------------------------------------------------------- schemas


class ClaimFilters(Schema):
    status: StatusCode | None = None
    claim_type: ClaimType | None = None
    office: str | None = Field(None, max_length=40, description="Kode kantor, mis. KC-BALIKPAPAN")
    kpj: Kpj | None = None


class ClaimIn(Schema):
    claim_type: ClaimType
    kpj: Kpj
    event_date: date = Field(..., description="Tanggal meninggal, kecelakaan atau PHK")
    channel: Literal["branch", "employer", "online"] = "branch"
    membership_id: Id | None = None
    received_on: date | None = None
    place: OptText = Field("", description="JKK: tempat kejadian")
    circumstances: LongText = Field("", description="JKK: kronologi")
    facility_id: Id | None = Field(None, description="JKK: PLKK yang merawat")
    withdrawal: Literal["", "full", "partial"] = Field("", description="JHT: full atau partial")
    reason: Literal[
        "",
        "resignation",
        "dismissal",
        "contract_end",
        "retirement",
        "death",
        "total_disability",
        "moved_abroad",
    ] = Field("", description="JHT penuh: alasan")
    share: Literal[10, 30] | None = Field(None, description="JHT sebagian: 10 atau 30 (persen)")
    jp_event: Literal["", "old_age", "disability", "death"] = Field("", description="JP: peristiwa")


class ClaimOut(Schema):
    id: int
    number: str
    claim_type: str
    status: str
    channel: str
    kpj_number: str = Field(..., alias="participant.kpj_number")
    name: str = Field(..., alias="participant.person.name")
    office: str = Field(..., alias="office.code")
    membership_id: int
    event_date: date
    received_on: date
    amount: int
    employer_pays_first: bool
    rejection_code: str
    rejection_message: str


class DocumentOut(Schema):
    kind: str
    label: str
    required: bool
    received_on: date | None
    reference: str

    @staticmethod
    def resolve_label(obj: ClaimDocument) -> str:
        return selectors.document_label(obj)


class ComponentOut(Schema):
    component: str
    period: str
    amount: int
    payee_kind: str
    payee_name: str
    references: list[str]
    due_on: date | None
    paid: bool


class PaymentOut(Schema):
    reference: str
    component: str
    period: str
    amount: int
    payee_kind: str
    payee_name: str
    paid_on: date


class GrantOut(Schema):
    child_id: int
    child_name: str = Field(..., alias="child.name")
    level: str
    year: int
    amount: int
    payment_reference: str = Field(..., alias="payment.reference")


class TraceOut(Schema):
    parameter: str
    value: Any = None
    reference: str | None = None
    confidence: str | None = None


class ClaimDetailOut(ClaimOut):
    heir_relation: str
    heir_name: str
    event_facts: dict[str, Any]
    decision_facts: dict[str, Any]
    decision_result: dict[str, Any]
    approval: str
    documents: list[DocumentOut]
    components: list[ComponentOut]
    payments: list[PaymentOut]
    scholarships: list[GrantOut]
    trace: list[TraceOut]


class DocumentIn(Schema):
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    received: bool = True
    received_on: date | None = None
    reference: OptText = ""


class HeirIn(Schema):
    relation: Literal[
        "spouse",
        "child",
        "parent",
        "grandchild",
        "sibling",
        "parent_in_law",
        "will",
        "funeral_arranger",
    ]
    name: OptText = ""
    nik: Annotated[str, StringConstraints(pattern=r"^([0-9]{16})?$")] = ""
    dependant_id: Id | None = None


class OutcomeIn(Schema):
    outcome: Literal["recovered", "partial_disability", "total_disability", "death"]
    disability_percent: (
        Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$")] | None
    ) = None


class StmbIn(Schema):
    start_date: date
    end_date: date
    months: int = Field(..., ge=1, le=120)


class TreatmentBillIn(Schema):
    facility_id: Id
    invoice_number: Text
    amount: int = Field(..., gt=0, le=10**12)
    treated_from: date
    treated_to: date


class RejectIn(Schema):
    code: Literal[
        "documents_incomplete",
        "not_active_member",
        "not_covered",
        "bpu_arrears",
        "claim_lapsed",
        "jkp_reason",
        "jkp_not_eligible",
        "jkp_max_claims",
        "jkp_repeat_too_soon",
        "not_eligible",
        "duplicate",
        "other",
    ]
    message: OptText = ""


class PayIn(Schema):
    on: date | None = Field(None, description="Tanggal bayar (bawaan: hari ini)")


class ScholarshipIn(Schema):
    child_id: Id
    level: Literal["TK", "SD", "SMP", "SMA", "PT"]
    year: int = Field(..., ge=2015, le=2100)
    proof_reference: Text


def _detail(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    d = selectors.claim_detail(user=request.user, claim_id=claim_id)
    c = d.claim
    return {
        **{
            f: getattr(c, f)
            for f in (
                "id",
                "number",
                "claim_type",
                "status",
                "channel",
                "membership_id",
                "event_date",
                "received_on",
                "amount",
                "employer_pays_first",
                "rejection_code",
                "rejection_message",
                "heir_relation",
                "heir_name",
                "event_facts",
                "decision_facts",
                "decision_result",
                "approval",
            )
        },
        "participant.kpj_number": c.participant.kpj_number,
        "participant.person.name": c.participant.person.name,
        "office.code": c.office.code,
        "documents": d.documents,
        "components": [
            {
                "component": line.component,
                "period": line.period,
                "amount": line.amount,
                "payee_kind": line.payee_kind,
                "payee_name": line.payee_name,
                "references": line.references,
                "due_on": line.due_on,
                "paid": line.payment is not None,
            }
            for line in d.lines
        ],
        "payments": d.payments,
        "scholarships": d.grants,
        "trace": [
            {
                "parameter": str(t.get("parameter", "")),
                "value": t.get("value"),
                "reference": t.get("reference"),
                "confidence": t.get("confidence"),
            }
            for t in d.trace
        ],
    }


# ------------------------------------------------------------------------------------------ endpoints


@router.get("/claims", response=list[ClaimOut], summary="Daftar klaim (sesuai cakupan)")
@paginate(Page)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]) -> QuerySet[Claim]:
    office_id = None
    if filters.office:
        office = Office.objects.filter(code=filters.office).first()
        office_id = office.pk if office is not None else -1
    selectors.record_claim_list_view(
        user=request.user, context={k: v for k, v in filters.dict().items() if v}
    )
    return selectors.claims_in_scope(
        user=request.user,
        status=filters.status or "",
        office_id=office_id,
        claim_type=filters.claim_type or "",
        kpj=filters.kpj or "",
    )


@router.post(
    "/claims",
    response={201: ClaimOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Ajukan klaim",
)
@domain_errors
def create_claim(request: HttpRequest, payload: ClaimIn) -> Status:
    participant = (
        scope_queryset(request.user, Participant.objects.filter(kpj_number=payload.kpj))
        .select_related("person")
        .first()
    )
    if participant is None:
        raise ApiError(404, "not_found", _("Peserta tidak ditemukan."), "kpj")
    membership = None
    if payload.membership_id is not None:
        membership = scope_queryset(
            request.user, Membership.objects.filter(pk=payload.membership_id)
        ).first()
        if membership is None:
            raise ApiError(404, "not_found", _("Kepesertaan tidak ditemukan."), "membership_id")
    facility = None
    if payload.facility_id is not None:
        facility = HealthFacility.objects.filter(pk=payload.facility_id).first()
        if facility is None:
            raise ApiError(422, "invalid", _("PLKK tidak dikenal."), "facility_id")
    claim = services.open_claim(
        claim_type=payload.claim_type,
        participant=participant,
        event_date=payload.event_date,
        channel=payload.channel,
        membership=membership,
        received_on=payload.received_on,
        place=payload.place,
        circumstances=payload.circumstances,
        facility=facility,
        withdrawal=payload.withdrawal,
        reason=payload.reason,
        share=payload.share,
        jp_event=payload.jp_event,
        actor=request.user,
    )
    return Status(201, claim)


@router.get(
    "/claims/{claim_id}",
    response={200: ClaimDetailOut, 404: ErrorOut},
    summary="Klaim: fakta, rincian manfaat dengan dasar hukum, dokumen, pembayaran",
)
@domain_errors
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    return _detail(request, claim_id)


def _action(request: HttpRequest, claim_id: int, call: Callable[[Claim], Any]) -> dict[str, Any]:
    claim = _claim(request, claim_id)
    call(claim)
    return _detail(request, claim_id)


@router.post(
    "/claims/{claim_id}/documents",
    response=ACTION | {200: ClaimDetailOut},
    summary="Catat dokumen diterima",
)
@domain_errors
def record_document(request: HttpRequest, claim_id: int, payload: DocumentIn) -> Any:
    return _action(
        request,
        claim_id,
        lambda c: services.record_document(
            claim=c,
            kind=payload.kind,
            received=payload.received,
            received_on=payload.received_on,
            reference=payload.reference,
            actor=request.user,
        ),
    )


@router.post(
    "/claims/{claim_id}/heir", response=ACTION | {200: ClaimDetailOut}, summary="Catat ahli waris"
)
@domain_errors
def record_heir(request: HttpRequest, claim_id: int, payload: HeirIn) -> Any:
    claim = _claim(request, claim_id)
    dependant = None
    if payload.dependant_id is not None:
        dependant = Dependant.objects.filter(
            pk=payload.dependant_id, participant_id=claim.participant_id
        ).first()
        if dependant is None:
            raise ApiError(404, "not_found", _("Tanggungan tidak ditemukan."), "dependant_id")
    services.record_heir(
        claim=claim,
        relation=payload.relation,
        name=payload.name,
        nik=payload.nik,
        dependant=dependant,
        actor=request.user,
    )
    return _detail(request, claim_id)


@router.post(
    "/claims/{claim_id}/jkk/outcome",
    response=ACTION | {200: ClaimDetailOut},
    summary="JKK: hasil kecelakaan dan persentase cacat",
)
@domain_errors
def record_outcome(request: HttpRequest, claim_id: int, payload: OutcomeIn) -> Any:
    return _action(
        request,
        claim_id,
        lambda c: services.record_jkk_outcome(
            claim=c,
            outcome=payload.outcome,
            disability_percent=payload.disability_percent,
            actor=request.user,
        ),
    )


@router.post(
    "/claims/{claim_id}/jkk/stmb",
    response=ACTION | {200: ClaimDetailOut},
    summary="JKK: periode STMB",
)
@domain_errors
def add_stmb(request: HttpRequest, claim_id: int, payload: StmbIn) -> Any:
    return _action(
        request,
        claim_id,
        lambda c: services.add_stmb_period(
            claim=c,
            start_date=payload.start_date,
            end_date=payload.end_date,
            months=payload.months,
            actor=request.user,
        ),
    )


@router.post(
    "/claims/{claim_id}/jkk/treatment-bills",
    response=ACTION | {200: ClaimDetailOut},
    summary="JKK: tagihan perawatan PLKK",
)
@domain_errors
def add_treatment_bill(request: HttpRequest, claim_id: int, payload: TreatmentBillIn) -> Any:
    claim = _claim(request, claim_id)
    facility = HealthFacility.objects.filter(pk=payload.facility_id).first()
    if facility is None:
        raise ApiError(422, "invalid", _("PLKK tidak dikenal."), "facility_id")
    services.add_treatment_bill(
        claim=claim,
        facility=facility,
        invoice_number=payload.invoice_number,
        amount=payload.amount,
        treated_from=payload.treated_from,
        treated_to=payload.treated_to,
        actor=request.user,
    )
    return _detail(request, claim_id)


@router.post(
    "/claims/{claim_id}/verify",
    response=ACTION | {200: ClaimDetailOut},
    summary="Verifikasi dokumen (diterima → dokumen terverifikasi)",
)
@domain_errors
def verify(request: HttpRequest, claim_id: int) -> Any:
    return _action(
        request, claim_id, lambda c: services.verify_documents(claim=c, actor=request.user)
    )


@router.post(
    "/claims/{claim_id}/assess",
    response=ACTION | {200: ClaimDetailOut},
    summary="Nilai klaim dengan aturan (→ dinilai/disetujui atau ditolak dengan kode)",
)
@domain_errors
def assess(request: HttpRequest, claim_id: int) -> Any:
    return _action(request, claim_id, lambda c: services.assess_claim(claim=c, actor=request.user))


@router.post(
    "/claims/{claim_id}/approve",
    response=ACTION | {200: ClaimDetailOut},
    summary="Setujui klaim (orang kedua, bukan penilai)",
)
@domain_errors
def approve(request: HttpRequest, claim_id: int) -> Any:
    return _action(request, claim_id, lambda c: services.approve_claim(claim=c, actor=request.user))


@router.post(
    "/claims/{claim_id}/pay",
    response=ACTION | {200: ClaimDetailOut},
    summary="Bayar manfaat yang jatuh tempo (sekali saja)",
)
@domain_errors
def pay(request: HttpRequest, claim_id: int, payload: PayIn) -> Any:
    return _action(
        request,
        claim_id,
        lambda c: services.pay_claim(claim=c, on=payload.on, actor=request.user),
    )


@router.post(
    "/claims/{claim_id}/reject",
    response=ACTION | {200: ClaimDetailOut},
    summary="Tolak klaim dengan kode alasan",
)
@domain_errors
def reject(request: HttpRequest, claim_id: int, payload: RejectIn) -> Any:
    return _action(
        request,
        claim_id,
        lambda c: services.reject_claim(
            claim=c, code=payload.code, message=payload.message, actor=request.user
        ),
    )


@router.post(
    "/claims/{claim_id}/scholarships",
    response=ACTION | {200: ClaimDetailOut},
    summary="Beasiswa satu tahun ajaran (dengan bukti terdaftar)",
)
@domain_errors
def grant_scholarship(request: HttpRequest, claim_id: int, payload: ScholarshipIn) -> Any:
    claim = _claim(request, claim_id)
    child = Dependant.objects.filter(
        pk=payload.child_id, participant_id=claim.participant_id, relation="child"
    ).first()
    if child is None:
        raise ApiError(404, "not_found", _("Anak tidak ditemukan."), "child_id")
    services.grant_scholarship(
        claim=claim,
        child=child,
        level=payload.level,
        year=payload.year,
        proof_reference=payload.proof_reference,
        actor=request.user,
    )
    return _detail(request, claim_id)
