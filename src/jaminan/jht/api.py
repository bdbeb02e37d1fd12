"""JHT endpoints under /api/v1: the balance statement of a participant (the participant: their own;
officers: by KPJ) and the declared yearly returns. Reading a statement is audited (VIEW).

No ``from __future__ import annotations``: ninja resolves the annotations at runtime."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.geo.zones import institution_today
from jaminan.jht import selectors
from jaminan.jht.errors import JhtError
from jaminan.jht.models import JhtReturnRate
from jaminan.jht.views import READ_ROLES

router = Router(tags=["JHT"])


class YearOut(Schema):
    year: int
    opening: int
    contributions: int
    withdrawals: int
    returns: int
    closing: int
    rate: str | None
    credited_on: date | None


class CreditOut(Schema):
    month: date
    amount: int
    credited_on: date
    membership_id: int


class DebitOut(Schema):
    kind: str
    reason: str
    amount: int
    debited_on: date
    claim_ref: str


class StatementOut(Schema):
    kpj_number: str
    name: str
    as_of: date
    balance: int
    contributions: int
    returns_credited: int
    withdrawals: int
    provisional: bool
    missing_return_years: list[int]
    years: list[YearOut]
    credits: list[CreditOut]
    debits: list[DebitOut]


class StatementQuery(Schema):
    as_of: date | None = Field(None, description="Tanggal saldo (bawaan: hari ini)")


class ReturnRateOut(Schema):
    year: int
    percent: str
    source: str
    confidence: str
    note: str


@router.get(
    "/jht/{kpj}",
    response={200: StatementOut, 403: ErrorOut, 404: ErrorOut},
    summary="Laporan saldo JHT peserta",
)
def jht_statement(request: HttpRequest, kpj: str, query: Query[StatementQuery]) -> dict[str, Any]:
    if role_of(request.user) not in READ_ROLES:
        raise ApiError(403, "forbidden", _("Peran Anda tidak berhak melihat saldo JHT."))
    as_of = query.as_of or institution_today()
    if not date(2015, 7, 1) <= as_of <= date(2100, 12, 31):
        raise ApiError(422, "invalid", _("Tanggal di luar rentang."), "as_of")
    try:
        account = selectors.account_in_scope(user=request.user, kpj=kpj)
        found = selectors.statement(account, as_of=as_of)
    except JhtError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    person = account.participant.person
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=request.user,
        obj=person,
        changes={"kpj": kpj, "jht_statement": as_of, "balance": found.balance.balance},
    )
    b = found.balance
    return {
        "kpj_number": account.participant.kpj_number,
        "name": person.name,
        "as_of": as_of,
        "balance": b.balance,
        "contributions": b.contributions,
        "returns_credited": b.returns_credited,
        "withdrawals": b.withdrawals,
        "provisional": b.provisional,
        "missing_return_years": b.missing_return_years,
        "years": found.years,
        "credits": found.credits,
        "debits": found.debits,
    }


@router.get("/jht-return-rates", response=list[ReturnRateOut], summary="Hasil pengembangan JHT")
@paginate(Page)
def jht_return_rates(request: HttpRequest) -> Any:
    return scope_queryset(request.user, JhtReturnRate.objects.order_by("year"))
