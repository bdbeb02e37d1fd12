"""Pension endpoints under /api/v1: pensions in scope (list, detail with payments), recording a data
confirmation, the roll's runs, starting the roll (administrators) and the inflation table.
Showing pensions is audited (VIEW).

No ``from __future__ import annotations``: ninja resolves the annotations at runtime."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.pensions import selectors, services
from jaminan.pensions.errors import PensionError
from jaminan.pensions.models import InflationRate, Pension
from jaminan.pensions.views import CONFIRM_ROLES, READ_ROLES, ROLL_ROLES, RUN_ROLES
from jaminan.rules import RulesError
from jaminan.rules.core import parse_month

router = Router(tags=["pensiun"])


class PensionOut(Schema):
    id: int
    kpj_number: str = Field(..., alias="participant.kpj_number")
    kind: str
    beneficiary_name: str
    office: str = Field(..., alias="office.code")
    base_amount: int
    monthly_amount: int
    indexed_year: int
    start_month: date
    end_month: date | None
    status: str
    end_reason: str
    last_confirmed_on: date
    suspended_since: date | None
    claim_ref: str
    awarded_on: date


class PaymentOut(Schema):
    month: date
    amount: int
    kind: str
    run_id: int


class PensionDetailOut(PensionOut):
    payments: list[PaymentOut]


class PensionQuery(Schema):
    status: Literal["active", "suspended", "ended"] | None = None
    kind: Literal["old_age", "disability", "widow", "child", "parent"] | None = None
    kpj: str | None = Field(None, max_length=11, pattern=r"^[0-9]{1,11}$")


class ConfirmationIn(Schema):
    confirmed_on: date
    channel: Literal["branch", "online", "bank"] = "branch"
    note: str = Field("", max_length=300, pattern=r"^[^\x00]*$")


class ConfirmationOut(Schema):
    id: int
    pension_id: int
    confirmed_on: date
    channel: str
    status: str


class RunIn(Schema):
    month: str = Field(..., pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM")
    reason: str = Field("", max_length=300, pattern=r"^[^\x00]*$")


class RunOut(Schema):
    id: int
    month: date
    status: str
    holder: str
    reason: str
    totals: dict[str, Any]


class InflationOut(Schema):
    year: int
    percent: str
    source: str
    confidence: str


def _require(request: HttpRequest, roles: frozenset[Any]) -> None:
    if role_of(request.user) not in roles:
        raise ApiError(403, "forbidden", _("Peran Anda tidak berhak atas sumber ini."))


def _pension(request: HttpRequest, pension_id: int) -> Pension:
    try:
        return selectors.pension_in_scope(user=request.user, pension_id=pension_id)
    except PensionError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc


@router.get("/pensions", response={200: list[PensionOut], 403: ErrorOut}, summary="Daftar pensiun")
@paginate(Page)
def pension_list(request: HttpRequest, filters: Query[PensionQuery]) -> Any:
    _require(request, READ_ROLES)
    pensions = selectors.pensions_in_scope(request.user)
    if filters.status:
        pensions = pensions.filter(status=filters.status)
    if filters.kind:
        pensions = pensions.filter(kind=filters.kind)
    if filters.kpj:
        pensions = pensions.filter(participant__kpj_number=filters.kpj)
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=request.user,
        object_type=Pension._meta.label,
        object_repr="daftar pensiun",
        changes={"status": filters.status, "kind": filters.kind, "kpj": filters.kpj},
    )
    return pensions


@router.get(
    "/pensions/{pension_id}",
    response={200: PensionDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="Pensiun dengan pembayarannya",
)
def pension_detail(request: HttpRequest, pension_id: int) -> Any:
    _require(request, READ_ROLES)
    pension = _pension(request, pension_id)
    audit.record(action=AuditEvent.Action.VIEW, actor=request.user, obj=pension)
    return pension  # ``payments`` is read from the related manager (ordered by month)


@router.post(
    "/pensions/{pension_id}/confirmations",
    response={201: ConfirmationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Catat konfirmasi data penerima pensiun",
)
def pension_confirm(request: HttpRequest, pension_id: int, payload: ConfirmationIn) -> Any:
    _require(request, CONFIRM_ROLES)
    pension = _pension(request, pension_id)
    if not date(2015, 7, 1) <= payload.confirmed_on <= date(2100, 12, 31):
        raise ApiError(422, "invalid", _("Tanggal di luar rentang."), "confirmed_on")
    try:
        confirmation = services.confirm_data(
            pension=pension,
            confirmed_on=payload.confirmed_on,
            channel=payload.channel,
            note=payload.note,
            actor=request.user,
        )
    except PensionError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    pension.refresh_from_db()
    return Status(
        201,
        {
            "id": confirmation.pk,
            "pension_id": pension.pk,
            "confirmed_on": confirmation.confirmed_on,
            "channel": confirmation.channel,
            "status": pension.status,
        },
    )


@router.get(
    "/pension-runs",
    response={200: list[RunOut], 403: ErrorOut},
    summary="Proses pembayaran pensiun",
)
@paginate(Page)
def pension_runs(request: HttpRequest) -> Any:
    _require(request, ROLL_ROLES)
    return selectors.runs(request.user)


@router.post(
    "/pension-runs",
    response={201: RunOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Jalankan pembayaran pensiun satu bulan (idempoten)",
)
def pension_run(request: HttpRequest, payload: RunIn) -> Any:
    _require(request, RUN_ROLES)
    try:
        month = parse_month(payload.month)
    except RulesError as exc:
        raise ApiError(422, "invalid", _("Bulan harus YYYY-MM."), "month") from exc
    if not date(2015, 7, 1) <= month <= date(2100, 12, 1):
        raise ApiError(422, "invalid", _("Bulan di luar rentang."), "month")
    try:
        run = services.pay_pensions(month=month, actor=request.user, reason=payload.reason)
    except PensionError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    return Status(201, run)


@router.get("/pension-inflation", response=list[InflationOut], summary="Inflasi untuk indeksasi JP")
@paginate(Page)
def pension_inflation(request: HttpRequest) -> Any:
    return scope_queryset(request.user, InflationRate.objects.order_by("year"))
