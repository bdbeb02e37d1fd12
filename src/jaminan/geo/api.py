"""Read endpoints for reference data: provinces, regencies, offices, PLKK and workforce statistics."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.geo import selectors

router = Router(tags=["reference"])

PROVINCE_CODE = r"^6[1-5]$"
REGENCY_CODE = r"^\d{2}\.\d{2}$"


class ProvinceOut(Schema):
    code: str
    name: str
    full_name: str
    time_zone: str
    time_zone_label: str
    regency_count: int
    source: str


class RegencyOut(Schema):
    code: str
    name: str
    full_name: str
    kind: str
    province_code: str = Field(..., alias="province.code")
    time_zone: str
    time_zone_label: str
    branch_office_code: str | None = Field(None, alias="branch_office.code")
    branch_office_inferred: bool
    branch_office_note: str
    source: str


class OfficeOut(Schema):
    code: str
    name: str
    kind: str
    city: str
    seat_regency_code: str = Field(..., alias="seat_regency.code")
    province_code: str | None = None
    time_zone: str
    jurisdiction_count: int
    areas_served_reported: str
    verification: str
    source: str

    @staticmethod
    def resolve_province_code(obj: Any) -> str | None:
        return obj.province.code if obj.province_id else None


class FacilityOut(Schema):
    id: int
    name: str
    kind: str
    regency_code: str = Field(..., alias="regency.code")
    serving_office_code: str = Field(..., alias="serving_office.code")
    active_from: date
    active_to: date | None
    source: str


class FacilityCountOut(Schema):
    as_of: str
    scope_level: str
    scope: str
    province_code: str | None = None
    total: int
    rs_swasta: int | None
    rsud: int | None
    rs_tni_polri: int | None
    klinik: int | None
    puskesmas: int | None
    note: str
    source: str

    @staticmethod
    def resolve_province_code(obj: Any) -> str | None:
        return obj.province.code if obj.province_id else None


class WorkforceOut(Schema):
    period: str
    level: str
    area_code: str
    area_name: str
    basis: str
    employed: int
    labour_force: int | None
    unemployed: int | None
    unemployment_rate_pct: Decimal | None
    precision: str
    note: str
    source: str


class RegencyFilter(Schema):
    province: str | None = Field(None, pattern=PROVINCE_CODE, description="Kode provinsi, mis. 64")
    kind: Literal["kabupaten", "kota"] | None = None
    office: str | None = Field(
        None, max_length=40, description="Kode kantor cabang, mis. KC-BALIKPAPAN"
    )
    inferred: bool | None = Field(None, description="Hanya penetapan kantor yang disimpulkan")


class OfficeFilter(Schema):
    kind: Literal["regional", "branch", "service_unit"] | None = None
    province: str | None = Field(None, pattern=PROVINCE_CODE)


class FacilityFilter(Schema):
    regency: str | None = Field(None, pattern=REGENCY_CODE)
    office: str | None = Field(None, max_length=40)
    province: str | None = Field(None, pattern=PROVINCE_CODE)


class FacilityCountFilter(Schema):
    as_of: str | None = Field(None, max_length=40, description="Mis. 2026 atau 2022-11")
    scope_level: Literal["region", "province", "branch"] | None = None
    province: str | None = Field(None, pattern=PROVINCE_CODE)


class WorkforceFilter(Schema):
    period: str | None = Field(None, max_length=10, description="Mis. 2025-08")
    level: Literal["region", "province", "regency"] | None = None
    area_code: str | None = Field(None, max_length=12)
    basis: Literal["BPS", "BPJS"] | None = None


@router.get("/provinces", response=list[ProvinceOut], summary="Provinsi")
@paginate(Page)
def list_provinces(request: HttpRequest) -> QuerySet[Any]:
    return selectors.provinces(user=request.user)


@router.get(
    "/provinces/{code}", response={200: ProvinceOut, 404: ErrorOut}, summary="Satu provinsi"
)
def get_province(request: HttpRequest, code: str) -> Any:
    province = selectors.provinces(user=request.user).filter(code=code).first()
    if province is None:
        raise ApiError(404, "not_found", f"Provinsi {code} tidak ditemukan.", "code")
    return province


@router.get("/regencies", response=list[RegencyOut], summary="Kabupaten/kota")
@paginate(Page)
def list_regencies(request: HttpRequest, filters: Query[RegencyFilter]) -> QuerySet[Any]:
    return selectors.regencies(user=request.user, **filters.dict())


@router.get(
    "/regencies/{code}", response={200: RegencyOut, 404: ErrorOut}, summary="Satu kabupaten/kota"
)
def get_regency(request: HttpRequest, code: str) -> Any:
    regency = selectors.regencies(user=request.user).filter(code=code).first()
    if regency is None:
        raise ApiError(404, "not_found", f"Kabupaten/kota {code} tidak ditemukan.", "code")
    return regency


@router.get("/offices", response=list[OfficeOut], summary="Kantor")
@paginate(Page)
def list_offices(request: HttpRequest, filters: Query[OfficeFilter]) -> QuerySet[Any]:
    return selectors.offices(user=request.user, **filters.dict())


@router.get("/offices/{code}", response={200: OfficeOut, 404: ErrorOut}, summary="Satu kantor")
def get_office(request: HttpRequest, code: str) -> Any:
    office = selectors.offices(user=request.user).filter(code=code).first()
    if office is None:
        raise ApiError(404, "not_found", f"Kantor {code} tidak ditemukan.", "code")
    return office


@router.get("/facilities", response=list[FacilityOut], summary="PLKK (fasilitas bernama)")
@paginate(Page)
def list_facilities(request: HttpRequest, filters: Query[FacilityFilter]) -> QuerySet[Any]:
    return selectors.facilities(user=request.user, **filters.dict())


@router.get("/facility-counts", response=list[FacilityCountOut], summary="Jumlah PLKK terpublikasi")
@paginate(Page)
def list_facility_counts(
    request: HttpRequest, filters: Query[FacilityCountFilter]
) -> QuerySet[Any]:
    return selectors.facility_counts(user=request.user, **filters.dict())


@router.get("/workforce", response=list[WorkforceOut], summary="Statistik angkatan kerja")
@paginate(Page)
def list_workforce(request: HttpRequest, filters: Query[WorkforceFilter]) -> QuerySet[Any]:
    return selectors.workforce(user=request.user, **filters.dict())
