"""Contributions API: payments (idempotent by reference), payers, bank-statement import, BPU
payment in advance. Thin: parse, call one service or read of :mod:`jaminan.contributions.payments`,
render. ``PaymentError`` becomes ``ApiError`` with its status (404 payer, 409 reference conflict,
422 otherwise).

No ``from __future__ import annotations`` here: ninja's ``@paginate`` cannot resolve string
annotations such as ``Query[PaymentQuery]``."""

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import register_converter
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import StrictInt, StringConstraints

from jaminan.accounts.roles import PERSONAL_DATA_ROLES, Role
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.contributions import bankfile, payments, reversals
from jaminan.contributions.models import (
    Allocation,
    Bill,
    Fine,
    PayerAccount,
    Payment,
)
from jaminan.registry.models import Membership

router = Router(tags=["iuran"])


class _ReferenceConverter:
    """A bank reference in a path: anything, slashes and line breaks included (a reference may
    hold any character but control characters, which the service refuses with 422)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(_ReferenceConverter, "reference")

F = TypeVar("F", bound=Callable[..., Any])

#: Who records payments, imports bank files and takes payments in advance.
WRITE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
#: Who reads payers and payments (each limited by scope_queryset).
READ_ROLES = PERSONAL_DATA_ROLES
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

Reference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
PayerId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300, pattern=r"^[^\x00]*$")
]
#: Whole rupiah as a JSON integer: a string ("1.000") or a float is refused (422), never coerced.
Amount = Annotated[StrictInt, Field(ge=1, le=payments.AMOUNT_MAX)]


def domain_errors(fn: F) -> F:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except payments.PaymentError as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
        except PermissionError as exc:
            raise ApiError(403, "forbidden", str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _require(request: HttpRequest, roles: frozenset[Role]) -> None:
    if role_of(request.user) not in roles:
        raise ApiError(403, "forbidden", _("Peran Anda tidak berhak atas pembayaran ini."))


# ------------------------------------------------------------------------------------------- schemas


class PaymentIn(Schema):
    payer: PayerId = Field(
        ..., description="Nomor virtual account, NPP, KPJ atau kode penyandang dana"
    )
    reference: Reference = Field(..., description="Referensi unik dari bank")
    amount: Amount = Field(..., description="Jumlah (Rp, bilangan bulat)")
    paid_on: date = Field(
        ..., description="Tanggal bayar (YYYY-MM-DD), dari 2015-07-01 sampai hari ini (WITA)"
    )
    note: Note = ""


class ReversalIn(Schema):
    reason: Note = Field(..., description="Alasan pembatalan (wajib)")
    move_to: PayerId | None = Field(
        None,
        description="Nomor virtual account, NPP, KPJ atau kode penyandang dana pembayar tujuan; "
        "null: pembayaran dibatalkan",
    )


class AllocationOut(Schema):
    bill_id: int
    bill_number: str
    month: date
    amount: int
    allocated_on: date

    @staticmethod
    def resolve_bill_number(obj: Allocation) -> str:
        return obj.bill.number

    @staticmethod
    def resolve_month(obj: Allocation) -> date:
        return obj.bill.month


class FineOut(Schema):
    bill_id: int
    bill_number: str
    months_late: int
    amount_due: int
    amount: int
    assessed_on: date
    billed: bool

    @staticmethod
    def resolve_bill_number(obj: Fine) -> str:
        return obj.bill.number

    @staticmethod
    def resolve_billed(obj: Fine) -> bool:
        return obj.billed_line_id is not None


class PaymentOut(Schema):
    id: int
    reference: str
    virtual_account: str
    amount: int
    paid_on: date
    channel: str
    note: str
    reversed_at: datetime | None = None
    reversal_reason: str = ""

    @staticmethod
    def resolve_virtual_account(obj: Payment | dict[str, Any]) -> str:
        if isinstance(obj, dict):
            return str(obj["virtual_account"])
        return obj.payer.virtual_account


class PaymentResultOut(PaymentOut):
    created: bool
    credit: int
    allocations: list[AllocationOut]
    fines: list[FineOut]


class ReversalOut(Schema):
    reference: str
    reason: str
    from_virtual_account: str
    moved_to: str | None
    allocations_undone: int
    payment: PaymentResultOut


class BillOut(Schema):
    id: int
    number: str
    kind: str
    month: date
    segment: str
    due_date: date
    amount: int
    paid_amount: int
    status: str
    paid_on: date | None


class PayerOut(Schema):
    virtual_account: str
    kind: str
    name: str
    office: str
    npp: str | None
    kpj_number: str | None
    sponsor_code: str | None
    credit: int
    outstanding: int
    open_bills: int
    bills_total: int
    bills: list[BillOut]
    payments_total: int
    payments: list[PaymentOut]
    unbilled_fines: list[FineOut]


class PaymentQuery(Schema):
    q: str = Field(
        "",
        max_length=64,
        pattern=r"^[^\x00]*$",
        description="Referensi, nomor VA, NPP, KPJ atau kode penyandang dana (persis)",
    )
    date_from: date | None = Field(None, description="Tanggal bayar dari (YYYY-MM-DD)")
    date_to: date | None = Field(None, description="Tanggal bayar sampai (YYYY-MM-DD)")


class LineOut(Schema):
    baris: int
    referensi: str
    status: str
    kolom: str
    kode: str
    pesan: str


class BankFileOut(Schema):
    dry_run: bool
    posted: int
    duplicate: int
    rejected: int
    amount_posted: int
    lines: list[LineOut]


class AdvanceIn(Schema):
    kpj_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{11}$")] = Field(
        ..., description="Nomor KPJ peserta BPU yang membayar sendiri"
    )
    months: int = Field(..., ge=1, le=12, description="1, 3, 6 atau 12 bulan")
    reference: Reference
    paid_on: date


class AdvanceOut(Schema):
    payment: PaymentOut
    bills: list[BillOut]


# ----------------------------------------------------------------------------------------- renderers


def _payment_result(payment: Payment, created: bool) -> dict[str, Any]:
    allocations = list(
        Allocation.objects.filter(payment=payment).select_related("bill").order_by("id")
    )
    fines = list(
        Fine.objects.filter(allocation__payment=payment).select_related("bill").order_by("id")
    )
    return {
        "id": payment.pk,
        "reference": payment.reference,
        "virtual_account": payment.payer.virtual_account,
        "amount": payment.amount,
        "paid_on": payment.paid_on,
        "channel": payment.channel,
        "note": payment.note,
        "reversed_at": payment.reversed_at,
        "reversal_reason": payment.reversal_reason,
        "created": created,
        "credit": PayerAccount.objects.values_list("credit", flat=True).get(pk=payment.payer_id),
        "allocations": allocations,
        "fines": fines,
    }


def _payer_out(d: payments.PayerDetail) -> dict[str, Any]:
    p = d.payer
    return {
        "virtual_account": p.virtual_account,
        "kind": p.kind,
        "name": p.display_name,
        "office": p.office.code,
        "npp": p.employer.npp if p.employer is not None else None,
        "kpj_number": p.participant.kpj_number if p.participant is not None else None,
        "sponsor_code": p.sponsor.code if p.sponsor is not None else None,
        "credit": p.credit,
        "outstanding": d.outstanding,
        "open_bills": d.open_bills,
        "bills_total": d.bills_total,
        "bills": d.bills,
        "payments_total": d.payments_total,
        "payments": d.payments,
        "unbilled_fines": d.unbilled_fines,
    }


def _bill_out(bill: Bill) -> dict[str, Any]:
    return {
        "id": bill.pk,
        "number": bill.number,
        "kind": bill.kind,
        "month": bill.month,
        "segment": bill.segment,
        "due_date": bill.due_date,
        "amount": bill.amount,
        "paid_amount": bill.paid_amount,
        "status": bill.status,
        "paid_on": bill.paid_on,
    }


# ----------------------------------------------------------------------------------------- endpoints


@router.post(
    "/payments",
    response={
        200: PaymentResultOut,
        201: PaymentResultOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Catat pembayaran (idempoten per referensi)",
    description=(
        "201: pembayaran baru, dialokasikan ke tagihan terlama. 200: referensi yang sama sudah "
        "tercatat untuk pembayar dan jumlah yang sama (tidak ada yang berubah). 409 "
        "`reference_conflict`: referensi sudah dipakai pembayaran lain."
    ),
)
@domain_errors
def create_payment(request: HttpRequest, payload: PaymentIn) -> Status:
    _require(request, WRITE_ROLES)
    payer = payments.find_payer(user=request.user, identifier=payload.payer)
    payment, created = payments.record_payment(
        payer=payer,
        reference=payload.reference,
        amount=payload.amount,
        paid_on=payload.paid_on,
        channel=Payment.Channel.API,
        actor=request.user,
        source="api",
        note=payload.note,
    )
    return Status(201 if created else 200, _payment_result(payment, created))


@router.get(
    "/payments",
    response={200: list[PaymentOut], 403: ErrorOut},
    summary="Daftar pembayaran (tersaring, sesuai cakupan)",
)
@paginate(Page)
def list_payments(request: HttpRequest, filters: Query[PaymentQuery]) -> QuerySet[Payment]:
    _require(request, READ_ROLES)
    payments.record_payment_list_view(
        user=request.user,
        context={
            "q": filters.q,
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "api": True,
        },
    )
    return payments.payments_in_scope(
        user=request.user, q=filters.q, date_from=filters.date_from, date_to=filters.date_to
    ).select_related("payer")


@router.get(
    "/payers/{va}",
    response={200: PayerOut, 403: ErrorOut, 404: ErrorOut},
    summary="Pembayar (nomor virtual account): tagihan, pembayaran, kredit",
)
@domain_errors
def get_payer(request: HttpRequest, va: str) -> Any:
    _require(request, READ_ROLES)
    if not (len(va) == 16 and va.isascii() and va.isdigit()):
        raise ApiError(404, "not_found", _("Pembayar tidak ditemukan."), "va")
    detail = payments.payer_detail(user=request.user, virtual_account=va)
    out = _payer_out(detail)
    out["bills"] = [_bill_out(b) for b in detail.bills]
    return out


@router.post(
    "/payments/bank-file",
    response={200: BankFileOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Impor rekening koran (CSV/XLSX): hasil per baris",
    description=(
        "Multipart: `file`, `dry_run`. Kolom `tanggal,referensi,virtual_account,jumlah,keterangan` "
        "(docs/bank-file.md). 422 `bank_file` bila berkas tidak terbaca."
    ),
)
def import_bank_file(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    dry_run: bool = Form(False),
) -> Any:
    _require(request, WRITE_ROLES)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", _("Berkas lebih dari 20 MB."), "file")
    try:
        report = bankfile.import_bank_file(
            content=file.read(), filename=file.name or "", dry_run=dry_run, actor=request.user
        )
    except bankfile.BankFileError as exc:
        raise ApiError(422, "bank_file", exc.reason, "file") from exc
    return {
        "dry_run": report.dry_run,
        "posted": report.posted,
        "duplicate": report.duplicate,
        "rejected": report.rejected,
        "amount_posted": report.amount_posted,
        "lines": [line.__dict__ for line in report.lines],
    }


@router.post(
    "/payments/advance",
    response={
        200: AdvanceOut,
        201: AdvanceOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Bayar di muka 1, 3, 6 atau 12 bulan (peserta BPU yang membayar sendiri)",
    description=(
        "Menerbitkan tagihan bulan-bulan berikutnya yang belum ditagih dan mencatat satu "
        "pembayaran sebesar jumlahnya. 422 `advance_bpu_only`, `advance_months_invalid`, "
        "`advance_open_bills`; 200 bila referensi yang sama sudah tercatat."
    ),
)
@domain_errors
def pay_in_advance(request: HttpRequest, payload: AdvanceIn) -> Status:
    _require(request, WRITE_ROLES)
    membership = (
        scope_queryset(
            request.user,
            Membership.objects.filter(
                participant__kpj_number=payload.kpj_number, end_date__isnull=True
            ),
        )
        .select_related("participant")
        .order_by("-start_date", "-pk")
    )
    chosen = sorted(
        membership,
        key=lambda m: (m.segment != Membership.Segment.BPU, m.payer != Membership.Payer.SELF),
    )
    if not chosen:
        raise ApiError(404, "not_found", _("Peserta tidak ditemukan."), "kpj_number")
    advance = payments.record_advance(
        membership=chosen[0],
        months=payload.months,
        reference=payload.reference,
        paid_on=payload.paid_on,
        actor=request.user,
    )
    body = {
        "payment": advance.payment,
        "bills": [_bill_out(b) for b in advance.bills],
    }
    # 200 when the reference was already recorded (by this call's twin, however close in time).
    return Status(201 if advance.created else 200, body)


@router.post(
    "/payments/{reference:reference}/reversal",
    response={200: ReversalOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Batalkan atau pindahkan pembayaran",
    description=(
        "Membatalkan semua alokasi pembayaran (tagihan dibuka kembali, denda yang belum ditagihkan "
        "dibatalkan) lalu mengeluarkan uangnya (`move_to` null) atau memindahkannya ke pembayar "
        "`move_to` dan mengalokasikannya di sana. 409 `already_reversed`, "
        "`fine_already_billed`; 422 `reason_required`, `move_to_same`; 404 pembayaran atau "
        "pembayar tujuan di luar cakupan."
    ),
)
@domain_errors
def reverse_payment(request: HttpRequest, reference: str, payload: ReversalIn) -> Any:
    _require(request, WRITE_ROLES)
    payment = reversals.payment_in_scope(user=request.user, reference=reference)
    move_to = None
    if payload.move_to is not None:
        try:
            move_to = payments.find_payer(user=request.user, identifier=payload.move_to)
        except payments.PayerNotFound as exc:
            exc.field = "move_to"
            raise
    reversal = reversals.reverse_payment(
        payment=payment, reason=payload.reason, actor=request.user, move_to=move_to
    )
    payment.refresh_from_db()
    return {
        "reference": payment.reference,
        "reason": reversal.reason,
        "from_virtual_account": reversal.payer.virtual_account,
        "moved_to": move_to.virtual_account if move_to is not None else None,
        "allocations_undone": Allocation.all_objects.filter(reversal=reversal).count(),
        "payment": _payment_result(payment, False),
    }
