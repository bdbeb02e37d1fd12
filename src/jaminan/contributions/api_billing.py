"""Contributions API: billing runs, control totals, bills (list, detail, PDF) and arrears.

Thin: parse, call one selector or service, render. Reads are scoped (``scope_queryset``) and reads
of personal data audited; a bill or run outside the user's scope is 404. Starting a run
(``POST /billing/runs``) starts a detached ``jaminan billing run`` and answers 202 at once.

No ``from __future__ import annotations`` here: ninja's ``@paginate`` cannot resolve string
annotations (see registry/api.py).
"""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Annotated, Any, Literal, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import PERSONAL_DATA_ROLES, STAFF_ROLES, Role
from jaminan.accounts.scoping import role_of
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.contributions import arrears, bills, runs
from jaminan.contributions.billing import billing_totals, lock_is_stale
from jaminan.contributions.models import Bill, BillingRun
from jaminan.contributions.views_billing import bill_pdf_bytes
from jaminan.geo.models import Office
from jaminan.geo.zones import institution_today

router = Router(tags=["iuran"])

F = TypeVar("F", bound=Callable[..., Any])

RUN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
#: YYYY-MM; the bounds (not before the rules' first month) are bills.parse_month's, as on the page.
MonthStr = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
OfficeCode = Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9_-]*$")]
#: Dates the arrears can be asked for (the calendar arithmetic stays far from year 9999).
AsOfDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
PDF_MEMBER_ROWS = 40


def domain_errors(fn: F) -> F:
    """Map the billing read/run errors to ApiError (status from the error class)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except bills.BillsError as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc

    return wrapper  # type: ignore[return-value]


def _require(request: HttpRequest, roles: frozenset[Role], message: str) -> None:
    if role_of(request.user) not in roles:
        raise ApiError(403, "forbidden", message)


def _office(code: str | None, field: str = "office") -> Office | None:
    try:
        return bills.office_by_code(code or "", field=field)
    except bills.BillsError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc


# ------------------------------------------------------------------------------------------ schemas


class RunOut(Schema):
    id: int
    month: date
    office: str | None
    status: str
    holder: str
    reason: str
    started_at: Any
    finished_at: Any | None
    chunks_total: int
    chunks_done: int
    bills: int
    lines: int
    amount: int
    skipped: dict[str, Any]
    error: str

    @staticmethod
    def resolve_office(obj: BillingRun) -> str | None:
        return obj.office.code if obj.office is not None else None


class LockOut(Schema):
    month: date
    run_id: int
    holder: str
    reason: str
    acquired_at: Any
    heartbeat_at: Any
    stale: bool


class RunIn(Schema):
    month: MonthStr = Field(..., description="Bulan iuran, YYYY-MM")
    office: OfficeCode | None = Field(None, description="Kode kantor cabang; kosong: semua kantor")
    reason: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=300, pattern=r"^[^\x00]*$"
        ),
    ]


class StartedOut(Schema):
    month: str
    office: str | None
    reason: str
    pid: int
    run: RunOut | None


class TotalsOut(Schema):
    bills: int
    lines: int
    amount: int


class TotalsQuery(Schema):
    month: MonthStr = Field(..., description="YYYY-MM")


class BillQuery(Schema):
    month: MonthStr | None = Field(None, description="YYYY-MM")
    status: Literal["open", "partly_paid", "paid"] | None = None
    segment: Literal["PU", "BPU", "JAKON", "PMI"] | None = None
    kind: Literal["monthly", "late", "correction", "jakon", "pmi"] | None = None
    office: OfficeCode | None = Field(None, description="Kode kantor cabang")
    payer: Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9_-]*$")] | None = (
        Field(None, description="Virtual account, NPP, KPJ atau kode penyandang dana")
    )

    def filters(self) -> bills.BillFilters:
        """The filters; BillsError for a month before the rules or an unknown office."""
        bills.office_by_code(self.office or "")
        return bills.BillFilters(
            month=bills.parse_month(self.month) if self.month else None,
            status=self.status or "",
            segment=self.segment or "",
            kind=self.kind or "",
            office=self.office or "",
            payer=self.payer or "",
        )


class PayerOut(Schema):
    kind: str
    name: str
    virtual_account: str
    npp: str | None
    kpj_number: str | None
    sponsor_code: str | None


def _payer(bill: Bill) -> dict[str, Any]:
    p = bill.payer
    return {
        "kind": p.kind,
        "name": p.display_name,
        "virtual_account": p.virtual_account,
        "npp": p.employer.npp if p.employer is not None else None,
        "kpj_number": p.participant.kpj_number if p.participant is not None else None,
        "sponsor_code": p.sponsor.code if p.sponsor is not None else None,
    }


class BillFields(Schema):
    id: int
    number: str
    kind: str
    month: date
    segment: str
    office: str
    payer: PayerOut
    due_date: date
    amount: int
    paid_amount: int
    outstanding: int
    status: str
    paid_on: date | None


class BillOut(BillFields):
    @staticmethod
    def resolve_office(obj: Bill) -> str:
        return obj.office.code

    @staticmethod
    def resolve_payer(obj: Bill) -> dict[str, Any]:
        return _payer(obj)


class ProgramTotalOut(Schema):
    program: str
    side: str
    kind: str
    lines: int
    amount: int


class MemberLineOut(Schema):
    membership_id: int
    kpj_number: str
    name: str
    base: int
    by_program: dict[str, int]
    total: int


class BillDetailOut(BillFields):
    totals: list[ProgramTotalOut]
    program_sums: dict[str, int]
    memberships: int
    member_offset: int
    member_lines: list[MemberLineOut]


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=500, description="Baris kepesertaan per halaman")
    offset: int = Field(0, ge=0, le=10_000_000)


class BucketOut(Schema):
    bills: int
    amount: int


class AgingRowOut(Schema):
    office: str | None
    office_name: str
    buckets: dict[str, BucketOut]
    bills: int
    amount: int


class AgingOut(Schema):
    as_of: date
    buckets: list[str]
    offices: list[AgingRowOut]
    total: AgingRowOut


class ArrearsQuery(Schema):
    as_of: AsOfDate | None = Field(None, description="Per tanggal (bawaan: hari ini)")
    office: OfficeCode | None = Field(None, description="Kode kantor cabang")


class MemberArrearsOut(Schema):
    membership_id: int
    kpj_number: str
    name: str
    segment: str
    employer_npp: str | None
    office: str
    months: int
    oldest: date
    latest: date
    amount: int


class PayerArrearsOut(Schema):
    virtual_account: str
    kind: str
    name: str
    employer_npp: str | None
    office: str
    months: int
    oldest: date
    latest: date
    amount: int = Field(description="Jumlah tagihan bulan-bulan yang tertunggak (Rp)")


def _aging_row(row: arrears.AgingRow) -> dict[str, Any]:
    return {
        "office": row.office_code or None,
        "office_name": row.office_name,
        "buckets": {k: {"bills": v.bills, "amount": v.amount} for k, v in row.buckets.items()},
        "bills": row.bills,
        "amount": row.amount,
    }


# ---------------------------------------------------------------------------------------- endpoints


@router.get(
    "/billing/runs",
    response={200: list[RunOut], 403: ErrorOut},
    summary="Proses penagihan (terbaru dahulu)",
)
@paginate(Page)
def list_runs(request: HttpRequest) -> Any:
    _require(request, STAFF_ROLES, _("Hanya petugas yang dapat melihat proses penagihan."))
    return _RunsAsTheyStand(bills.runs_in_scope(user=request.user))


class _RunsAsTheyStand:
    """A lazily sliced list for the paginator: each slice is shown as it stands now (a killed run
    interrupted, an unfinished run with its committed offices' totals)."""

    def __init__(self, runs: QuerySet[BillingRun]) -> None:
        self.runs = runs

    def count(self) -> int:
        return self.runs.count()

    def __getitem__(self, index: slice) -> list[BillingRun]:
        return bills.runs_as_they_stand(self.runs[index])


@router.get(
    "/billing/locks",
    response={200: list[LockOut], 403: ErrorOut},
    summary="Kunci bulan penagihan yang sedang dipegang (pemegang, alasan, detak terakhir)",
)
def list_locks(request: HttpRequest) -> list[dict[str, Any]]:
    _require(request, STAFF_ROLES, _("Hanya petugas yang dapat melihat proses penagihan."))
    return [
        {
            "month": lock.month,
            "run_id": lock.run_id,
            "holder": lock.holder,
            "reason": lock.reason,
            "acquired_at": lock.acquired_at,
            "heartbeat_at": lock.heartbeat_at,
            "stale": lock_is_stale(lock),
        }
        for lock in bills.held_locks()
    ]


@router.get(
    "/billing/runs/{run_id}",
    response={200: RunOut, 403: ErrorOut, 404: ErrorOut},
    summary="Satu proses penagihan (status, kemajuan, total kendali)",
)
@domain_errors
def get_run(request: HttpRequest, run_id: int) -> BillingRun:
    _require(request, STAFF_ROLES, _("Hanya petugas yang dapat melihat proses penagihan."))
    return bills.runs_as_they_stand([bills.run_in_scope(user=request.user, run_id=run_id)])[0]


@router.post(
    "/billing/runs",
    response={202: StartedOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Mulai penagihan bulan (proses latar belakang)",
    description="Menjalankan `jaminan billing run` terpisah dan langsung menjawab 202; "
    "409 `billing_locked` bila bulan itu sedang ditagih.",
)
@domain_errors
def start_run(request: HttpRequest, payload: RunIn) -> Status:
    _require(request, RUN_ROLES, _("Peran Anda tidak berhak menjalankan penagihan."))
    office = _office(payload.office)
    scope = getattr(request.user, "scope", None)
    own = getattr(scope, "office", None) if scope is not None else None
    branch_officer = role_of(request.user) == Role.BRANCH_OFFICER
    if (
        branch_officer
        and own is not None
        and own.kind != "regional"
        and (office is None or office.pk != own.pk)
    ):
        raise ApiError(
            403, "forbidden", _("Petugas cabang hanya menagih kantornya sendiri."), "office"
        )
    started = runs.start_billing_run(
        month=bills.parse_month(payload.month),
        office=office,
        reason=payload.reason,
        actor=request.user,
        wait_seconds=2.0,
    )
    return Status(
        202,
        {
            "month": f"{started.month:%Y-%m}",
            "office": office.code if office else None,
            "reason": started.reason,
            "pid": started.pid,
            "run": started.run,
        },
    )


@router.get(
    "/billing/totals",
    response={200: TotalsOut, 403: ErrorOut},
    summary="Total kendali bulan: tagihan, baris, jumlah",
)
@domain_errors
def totals(request: HttpRequest, query: Query[TotalsQuery]) -> dict[str, int]:
    _require(request, STAFF_ROLES, _("Hanya petugas yang dapat melihat total penagihan."))
    return billing_totals(bills.parse_month(query.month))


@router.get("/bills", response={200: list[BillOut], 403: ErrorOut}, summary="Tagihan (tersaring)")
@paginate(Page)
def list_bills(request: HttpRequest, filters: Query[BillQuery]) -> QuerySet[Bill]:
    _require(request, PERSONAL_DATA_ROLES, _("Peran Anda tidak dapat melihat tagihan."))
    try:
        chosen = filters.filters()
    except bills.BillsError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    bills.record_bill_list_view(user=request.user, filters=chosen, shown=None)
    return bills.bills_in_scope(user=request.user, filters=chosen)


def _detail_out(detail: bills.BillDetail) -> dict[str, Any]:
    b = detail.bill
    return {
        "id": b.pk,
        "number": b.number,
        "kind": b.kind,
        "month": b.month,
        "segment": b.segment,
        "office": b.office.code,
        "payer": _payer(b),
        "due_date": b.due_date,
        "amount": b.amount,
        "paid_amount": b.paid_amount,
        "outstanding": b.outstanding,
        "status": b.status,
        "paid_on": b.paid_on,
        "totals": [t.__dict__ for t in detail.totals],
        "program_sums": detail.program_sums,
        "memberships": detail.members,
        "member_offset": detail.member_offset,
        "member_lines": [
            {k: v for k, v in r.__dict__.items() if k != "cells"} for r in detail.member_rows
        ],
    }


@router.get(
    "/bills/{bill_id}",
    response={200: BillDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="Tagihan: kepala, total per program, baris per kepesertaan (berhalaman)",
)
@domain_errors
def get_bill(request: HttpRequest, bill_id: int, page: Query[PageQuery]) -> Any:
    _require(request, PERSONAL_DATA_ROLES, _("Peran Anda tidak dapat melihat tagihan."))
    detail = bills.bill_detail(
        user=request.user, bill_id=bill_id, offset=page.offset, limit=page.limit
    )
    return _detail_out(detail)


@router.get(
    "/bills/{bill_id}/pdf",
    response={403: ErrorOut, 404: ErrorOut},
    summary="Tagihan dalam PDF untuk pembayar",
    openapi_extra={
        "responses": {
            "200": {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@domain_errors
def get_bill_pdf(request: HttpRequest, bill_id: int) -> Any:
    _require(request, PERSONAL_DATA_ROLES, _("Peran Anda tidak dapat melihat tagihan."))
    detail = bills.bill_detail(
        user=request.user,
        bill_id=bill_id,
        limit=PDF_MEMBER_ROWS,
        audit_action=AuditEvent.Action.EXPORT,
    )
    response = HttpResponse(bill_pdf_bytes(detail), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tagihan-{detail.bill.number}.pdf"'
    return response


@router.get(
    "/arrears",
    response={200: AgingOut, 403: ErrorOut, 422: ErrorOut},
    summary="Umur tunggakan per kantor (0–1, 2–3, >3 bulan lewat jatuh tempo)",
)
def get_arrears(request: HttpRequest, query: Query[ArrearsQuery]) -> Any:
    _require(request, STAFF_ROLES, _("Hanya petugas yang dapat melihat tunggakan."))
    result = arrears.aging(
        user=request.user,
        as_of=query.as_of or institution_today(),
        office=_office(query.office),
    )
    return {
        "as_of": result.as_of,
        "buckets": list(arrears.BUCKETS),
        "offices": [_aging_row(r) for r in result.rows],
        "total": _aging_row(result.total),
    }


@router.get(
    "/arrears/memberships",
    response={200: list[MemberArrearsOut], 403: ErrorOut, 422: ErrorOut},
    summary="Kepesertaan menunggak lebih dari 3 bulan berturut-turut",
)
@paginate(Page)
def list_memberships_in_arrears(request: HttpRequest, query: Query[ArrearsQuery]) -> Any:
    _require(request, STAFF_ROLES, _("Hanya petugas yang dapat melihat tunggakan."))
    as_of = query.as_of or institution_today()
    office = _office(query.office)
    rows = arrears.memberships_in_arrears(user=request.user, as_of=as_of, office=office)
    return _AuditedRows(
        rows,
        request.user,
        as_of,
        load=arrears.with_memberships,
        object_type="registry.Membership",
        label="kepesertaan menunggak",
        key="memberships",
        ident=lambda i: i.membership.pk,
        as_dict=_member_arrears,
    )


@router.get(
    "/arrears/payers",
    response={200: list[PayerArrearsOut], 403: ErrorOut, 422: ErrorOut},
    summary="Pembayar menunggak lebih dari 3 bulan berturut-turut",
)
@paginate(Page)
def list_payers_in_arrears(request: HttpRequest, query: Query[ArrearsQuery]) -> Any:
    _require(request, STAFF_ROLES, _("Hanya petugas yang dapat melihat tunggakan."))
    as_of = query.as_of or institution_today()
    office = _office(query.office)
    rows = arrears.payers_in_arrears(user=request.user, as_of=as_of, office=office)
    return _AuditedRows(
        rows,
        request.user,
        as_of,
        load=arrears.with_payers,
        object_type="contributions.PayerAccount",
        label="pembayar menunggak",
        key="payers",
        ident=lambda i: i.payer.virtual_account,
        as_dict=_payer_arrears,
    )


class _AuditedRows:
    """A lazily sliced list for the paginator: each slice loads its rows' records and records one
    VIEW of them (``object_type``, ``label``, the ids under ``key``)."""

    def __init__(
        self,
        rows: QuerySet[Any] | arrears.ArrearsRows,
        user: Any,
        as_of: date,
        *,
        load: Callable[[list[dict[str, Any]]], list[Any]],
        object_type: str,
        label: str,
        key: str,
        ident: Callable[[Any], Any],
        as_dict: Callable[[Any], dict[str, Any]],
    ) -> None:
        self.rows, self.user, self.as_of = rows, user, as_of
        self.load, self.object_type, self.label, self.key = load, object_type, label, key
        self.ident, self.as_dict = ident, as_dict

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        items = self.load(list(self.rows[index]))
        if items:
            audit.record(
                action=AuditEvent.Action.VIEW,
                actor=self.user,
                object_type=self.object_type,
                object_repr=f"{len(items)} {self.label}",
                changes={
                    "as_of": self.as_of.isoformat(),
                    self.key: [self.ident(i) for i in items],
                },
            )
        return [self.as_dict(i) for i in items]


def _payer_arrears(i: arrears.PayerArrears) -> dict[str, Any]:
    return {
        "virtual_account": i.payer.virtual_account,
        "kind": i.payer.kind,
        "name": i.payer.display_name,
        "employer_npp": i.payer.employer.npp if i.payer.employer else None,
        "office": i.payer.office.code,
        "months": i.months,
        "oldest": i.oldest,
        "latest": i.latest,
        "amount": i.amount,
    }


def _member_arrears(i: arrears.MemberArrears) -> dict[str, Any]:
    return {
        "membership_id": i.membership.pk,
        "kpj_number": i.membership.participant.kpj_number,
        "name": i.membership.participant.person.name,
        "segment": i.membership.segment,
        "employer_npp": i.membership.employer.npp if i.membership.employer else None,
        "office": i.membership.office.code,
        "months": i.months,
        "oldest": i.oldest,
        "latest": i.latest,
        "amount": i.amount,
    }
