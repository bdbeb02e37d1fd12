"""Coverage endpoints under /api/v1/coverage…: snapshot months, coverage by level against a chosen
denominator, the monthly series, the regional report, the map figures, the published-figure
reconciliation, the compliance lists and the expansion planner. Staff roles only. Thin: parse, call
one selector, render; CoverageError becomes a JSON ``{code, message, field}``.

No ``from __future__ import annotations`` here (django-ninja resolves the annotations at runtime)."""

import datetime as dt
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any, Literal, TypeVar

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from jaminan.accounts.roles import STAFF_ROLES
from jaminan.accounts.scoping import role_of
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.coverage import compliance, exports, planner, reconciliation, report, selectors
from jaminan.coverage.errors import CoverageError
from jaminan.geo.zones import institution_today

router = Router(tags=["cakupan"])

F = TypeVar("F", bound=Callable[..., Any])

MonthStr = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]
AreaStr = Annotated[str, StringConstraints(pattern=r"^([0-9]{2}(\.[0-9]{2})?|KALIMANTAN)$")]
Basis = Literal["bps_employed", "bps_labour_force", "bpjs"]
Level = Literal["region", "province", "regency", "segment"]
ListName = Literal["below_minimum_wage", "without_jp", "sharp_drop", "arrears", "no_budget_program"]
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: Cached coverage responses expire after this long even without a refresh (reference data reloads).
CACHE_SECONDS = 600


def staff(fn: F) -> F:
    """Staff roles only; CoverageError -> ApiError."""

    @wraps(fn)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if role_of(request.user) not in STAFF_ROLES:
            raise ApiError(403, "forbidden", _("Peran Anda tidak berhak melihat angka cakupan."))
        try:
            return fn(request, *args, **kwargs)
        except CoverageError as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc

    return wrapper  # type: ignore[return-value]


def _plain(value: Any) -> Any:
    """Decimals (percentages) as JSON numbers, as the schemas declare them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def _month(text: str | None) -> date:
    if text:
        return selectors.parse_month(text)
    month = selectors.latest_month()
    if month is None:
        raise ApiError(
            404, "no_snapshot", _("Belum ada potret cakupan; jalankan `jaminan coverage refresh`.")
        )
    return month


# -------------------------------------------------------------------------------------- schemas


class DenominatorOut(Schema):
    basis: str
    basis_label: str
    value: int
    period: str
    source: str
    precision: str
    estimated: bool
    note: str


class CoverageRowOut(Schema):
    level: str
    code: str
    name: str
    province_code: str | None
    active: int
    new: int
    ended: int
    employers: int
    budget_funded: int
    state_staff: int
    bills: int
    billed_amount: int
    collected_amount: int
    claims_jht: int
    claims_jht_amount: int
    claims_jkk: int
    claims_jkk_amount: int
    claims_jkm: int
    claims_jkm_amount: int
    claims_jp: int
    claims_jp_amount: int
    claims_jkp: int
    claims_jkp_amount: int
    scholarships: int
    scholarships_amount: int
    segments: dict[str, int]
    year_ago_active: int | None
    growth_pct: float | None
    denominator: DenominatorOut | None
    coverage_pct: float | None
    gap: int | None


class CoverageOut(Schema):
    month: str
    level: str
    area: str
    basis: str
    rows: list[CoverageRowOut]


class CoverageQuery(Schema):
    month: MonthStr | None = Field(None, description="TTTT-BB; bawaan: potret terakhir")
    level: Level = "province"
    area: AreaStr | None = Field(
        None, description="KALIMANTAN, kode provinsi (64) atau kab/kota (64.71)"
    )
    basis: Basis = "bpjs"


class SeriesQuery(Schema):
    area: AreaStr | None = None
    months: int = Field(24, ge=1, le=120)
    until: MonthStr | None = None


class SeriesPoint(Schema):
    month: str
    PU: int
    BPU: int
    JAKON: int
    PMI: int
    billed: int
    collected: int
    claims: int = Field(0, description="klaim dibayar (semua program, bulan pembayaran pertama)")
    claims_amount: int = Field(0, description="manfaat klaim dibayar dalam bulan (Rp)")


class ReportQuery(Schema):
    as_of: MonthStr | None = Field(None, description="TTTT-BB; bawaan: bulan ini")
    area: AreaStr | None = None
    basis: Basis = "bpjs"


class FindingOut(Schema):
    check: str
    date: str
    scope_level: str
    scope: str
    message: str
    published: float
    expected_low: float
    expected_high: float
    figures: list[str]
    sources: list[str]


class ComparisonOut(Schema):
    date: str
    scope_level: str
    scope: str
    metric: str
    published: float
    unit: str
    note: str
    source: str
    area_code: str | None
    record_month: dt.date | None
    record: float | None
    difference: float | None


class ComplianceQuery(Schema):
    as_of: date | None = Field(None, description="bawaan: hari ini")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class ComplianceOut(Schema):
    name: str
    as_of: date
    columns: list[str]
    items: list[dict[str, Any]]
    count: int
    limit: int
    offset: int


class BudgetQuery(Schema):
    workers: int = Field(..., ge=1, le=planner.MAX_WORKERS)
    months: int = Field(..., ge=1, le=planner.MAX_MONTHS)
    start_month: MonthStr


class BudgetOut(Schema):
    workers: int
    months: int
    start_month: str
    per_month: list[int]
    total: int
    per_worker_month: int
    government_funded: bool


class PlanQuery(BudgetQuery):
    month: MonthStr | None = None
    area: AreaStr | None = None
    basis: Basis = "bps_employed"


class PlanRowOut(Schema):
    code: str
    name: str
    province_code: str | None
    active: int
    bpu_active: int
    budget_funded: int
    denominator: DenominatorOut | None
    gap: int | None
    sponsor_link: str


class PlanOut(Schema):
    budget: BudgetOut
    rows: list[PlanRowOut]


# ------------------------------------------------------------------------------------ endpoints


@router.get("/coverage/months", response={200: list[str], **ERRORS}, summary="Bulan potret cakupan")
@staff
def coverage_months(request: HttpRequest) -> Any:
    return [f"{m:%Y-%m}" for m in selectors.snapshot_months(user=request.user)]


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, summary="Cakupan per tingkat")
@staff
def coverage(request: HttpRequest, q: Query[CoverageQuery]) -> Any:
    month = _month(q.month)
    key = selectors.cache_key(request.user, "api", month, q.level, q.area, q.basis)
    body = cache.get(key)
    if body is not None:
        return HttpResponse(body, content_type="application/json")
    rows = selectors.coverage(
        user=request.user, month=month, level=q.level, area=q.area, basis=q.basis
    )
    # Served as JSON directly (the rows are plain data already shaped as CoverageOut) and cached
    # until the next snapshot refresh: this endpoint feeds dashboards and has a latency goal.
    body = json.dumps(
        _plain(
            {
                "month": f"{month:%Y-%m}",
                "level": q.level,
                "area": q.area or selectors.REGION_CODE,
                "basis": q.basis,
                "rows": [r.as_dict() for r in rows],
            }
        ),
        ensure_ascii=False,
    ).encode()
    cache.set(key, body, CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


@router.get("/coverage/series", response={200: list[SeriesPoint], **ERRORS}, summary="Tren bulanan")
@staff
def coverage_series(request: HttpRequest, q: Query[SeriesQuery]) -> Any:
    until = selectors.parse_month(q.until) if q.until else None
    points = selectors.series(user=request.user, area=q.area, months=q.months, until=until)
    return [{**p, "month": f"{p['month']:%Y-%m}"} for p in points]


@router.get("/coverage/report", response={200: dict[str, Any], **ERRORS}, summary="Laporan cakupan")
@staff
def coverage_report(request: HttpRequest, q: Query[ReportQuery]) -> Any:
    as_of = selectors.parse_month(q.as_of, "as_of") if q.as_of else institution_today()
    built = report.build(user=request.user, as_of=as_of, area=q.area, basis=q.basis)
    exports.record_export(
        user=request.user,
        what="report",
        fmt="json",
        rows=len(built.data["breakdown"]),
        params={"as_of": built.data["month"], "area": built.data["area"]["code"]},
    )
    return json.loads(built.json())


@router.get(
    "/coverage/reconciliation/findings",
    response={200: list[FindingOut], **ERRORS},
    summary="Temuan ketidakkonsistenan angka terpublikasi",
)
@staff
def reconciliation_findings(request: HttpRequest) -> Any:
    return [f.as_dict() for f in reconciliation.consistency_findings(user=request.user)]


@router.get(
    "/coverage/reconciliation/comparisons",
    response={200: list[ComparisonOut], **ERRORS},
    summary="Angka terpublikasi dan catatan",
)
@staff
def reconciliation_comparisons(request: HttpRequest, basis: Basis = "bpjs") -> Any:
    return [c.as_dict() for c in reconciliation.comparisons(user=request.user, basis=basis)]


@router.get(
    "/coverage/compliance/{name}",
    response={200: ComplianceOut, **ERRORS},
    summary="Daftar kepatuhan",
)
@staff
def compliance_list(request: HttpRequest, name: ListName, q: Query[ComplianceQuery]) -> Any:
    as_of = q.as_of or institution_today()
    rows = compliance.compliance_list(name, user=request.user, as_of=as_of)
    exports.record_export(
        user=request.user,
        what=f"compliance.{name}",
        fmt="json",
        rows=len(rows),
        params={"as_of": as_of.isoformat()},
    )
    return {
        "name": name,
        "as_of": as_of,
        "columns": compliance.columns(name),
        "items": [r.as_dict() for r in rows[q.offset : q.offset + q.limit]],
        "count": len(rows),
        "limit": q.limit,
        "offset": q.offset,
    }


@router.get(
    "/coverage/budget", response={200: BudgetOut, **ERRORS}, summary="Anggaran penyandang dana"
)
@staff
def coverage_budget(request: HttpRequest, q: Query[BudgetQuery]) -> Any:
    start = selectors.parse_month(q.start_month, "start_month")
    return planner.budget(workers=q.workers, months=q.months, start_month=start).as_dict()


@router.get("/coverage/planner", response={200: PlanOut, **ERRORS}, summary="Perencana perluasan")
@staff
def coverage_planner(request: HttpRequest, q: Query[PlanQuery]) -> Any:
    start = selectors.parse_month(q.start_month, "start_month")
    budget, rows = planner.plan(
        user=request.user,
        month=_month(q.month),
        workers=q.workers,
        months=q.months,
        start_month=start,
        area=q.area,
        basis=q.basis,
    )
    return {"budget": budget.as_dict(), "rows": [r.as_dict() for r in rows]}
