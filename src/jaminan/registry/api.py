"""Registry endpoints under /api/v1: persons, participants, employers, workers (PU, BPU, PMI, Jakon), projects,
search, end of membership, wage reports and the worker-list import. Thin: parse, call one service or
selector, render. Domain errors become ``ApiError`` (422 validation, 404 not found, 409 conflict, 403 role).

No ``from __future__ import annotations`` here: ninja's ``@paginate`` cannot resolve string annotations
such as ``Query[SearchQuery]`` (django-ninja 1.7 + pydantic 2.14)."""

import dataclasses
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Annotated, Any, Literal, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints

from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.geo.models import Regency
from jaminan.registry import selectors, services
from jaminan.registry.errors import RegistryError
from jaminan.registry.imports import ImportFileError, import_workers
from jaminan.registry.models import (
    Employer,
    Membership,
    Person,
    ReportedWage,
)

router = Router(tags=["registry"])

F = TypeVar("F", bound=Callable[..., Any])

#: Roles that may register employers, persons, BPU/PMI workers and projects.
OFFICE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
#: Roles that may register PU workers, end memberships, report wages and import (employer users: their own).
WORKER_ROLES = OFFICE_ROLES | {Role.EMPLOYER_USER}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
OptText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")
]
NikStr = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[^\x00]*$"),
]
Rupiah = Annotated[int, Field(ge=0, le=1_000_000_000_000)]
ProgramCode = Literal["JKK", "JKM", "JHT", "JP", "JKP"]

WRITE = {201: Any, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def domain_errors(fn: F) -> F:
    """Map RegistryError to ApiError (status from the error class)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RegistryError as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc

    return wrapper  # type: ignore[return-value]


def _require(request: HttpRequest, roles: frozenset[Role]) -> None:
    if role_of(request.user) not in roles:
        raise ApiError(403, "forbidden", _("Peran Anda tidak berhak melakukan pendaftaran ini."))


def _regency(code: str, field: str) -> Regency:
    regency = Regency.objects.select_related("branch_office").filter(code=code).first()
    if regency is None:
        raise ApiError(
            422, "invalid", _("Kode kabupaten/kota tidak dikenal: %(code)s") % {"code": code}, field
        )
    return regency


# ------------------------------------------------------------------------------------------- schemas


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="NIK, KPJ, NPP atau nama")


class PersonFactsIn(Schema):
    nik: NikStr
    name: Text
    birth_date: date
    sex: Literal["L", "P"]
    address_regency: str | None = Field(
        None, max_length=5, description="Kode kabupaten/kota, mis. 64.71"
    )
    phone: OptText = ""
    override_reason: OptText = Field(
        "", description="Alasan bila tanggal lahir/jenis kelamin berbeda dari NIK"
    )

    def facts(self) -> services.PersonFacts:
        regency = (
            _regency(self.address_regency, "address_regency") if self.address_regency else None
        )
        return services.PersonFacts(
            nik=self.nik,
            name=self.name,
            birth_date=self.birth_date,
            sex=self.sex,
            address_regency=regency,
            phone=self.phone,
            override_reason=self.override_reason,
        )


class PersonOut(Schema):
    id: int
    nik: str
    name: str
    birth_date: date
    sex: str
    kpj_number: str | None
    address_regency: str | None

    @staticmethod
    def resolve_nik(obj: Person, context: Any) -> str:
        request = (context or {}).get("request")
        return selectors.nik_for(getattr(request, "user", None), obj.nik)

    @staticmethod
    def resolve_kpj_number(obj: Person) -> str | None:
        participant = getattr(obj, "participant", None) if hasattr(obj, "participant") else None
        return participant.kpj_number if participant is not None else None

    @staticmethod
    def resolve_address_regency(obj: Person) -> str | None:
        return obj.address_regency.code if obj.address_regency_id else None  # type: ignore[union-attr]


class EmployerIn(Schema):
    name: Text
    legal_form: Literal[
        "PT",
        "CV",
        "koperasi",
        "yayasan",
        "firma",
        "perorangan",
        "BUMN",
        "BUMD",
        "instansi",
        "other",
    ]
    kbli: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
    size_class: Literal["micro", "small", "medium", "large"]
    risk_group: int = Field(..., ge=1, le=5)
    regency: str = Field(..., max_length=5, description="Kode kabupaten/kota, mis. 64.71")
    kind: Literal["business", "state_organiser"] = "business"
    npwp: Annotated[str, StringConstraints(pattern=r"^([0-9]{15,16})?$")] = ""
    labour_intensive: bool = False
    registered_on: date | None = None


class EmployerOut(Schema):
    npp: str
    name: str
    kind: str
    legal_form: str
    npwp: str
    kbli: str
    size_class: str
    risk_group: int
    labour_intensive: bool
    regency: str = Field(..., alias="regency.code")
    office: str = Field(..., alias="office.code")
    status: str
    registered_on: date


class WageOut(Schema):
    membership_id: int
    effective_month: date
    amount: int


class MembershipOut(Schema):
    id: int
    kpj_number: str = Field(..., alias="participant.kpj_number")
    segment: str
    employer_npp: str | None
    project_id: int | None
    payer: str
    programs: list[str]
    start_date: date
    end_date: date | None
    end_reason: str
    office: str = Field(..., alias="office.code")
    registered_on: date
    late_registration: bool
    latest_wage: int | None = None

    @staticmethod
    def resolve_employer_npp(obj: Membership) -> str | None:
        return obj.employer.npp if obj.employer_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_latest_wage(obj: Membership) -> int | None:
        value = getattr(obj, "latest_wage", None)
        if value is not None:
            return int(value)
        cache = getattr(obj, "_prefetched_objects_cache", {})
        if "wages" in cache:
            wages = list(cache["wages"])
            return wages[0].amount if wages else None
        return None


class WorkerOut(MembershipOut):
    name: str = Field(..., alias="participant.person.name")
    nik: str

    @staticmethod
    def resolve_nik(obj: Membership, context: Any) -> str:
        request = (context or {}).get("request")
        return selectors.nik_for(getattr(request, "user", None), obj.participant.person.nik)


class PuWorkerIn(PersonFactsIn):
    wage: Rupiah
    start_date: date
    programs: list[ProgramCode] | None = Field(None, max_length=5)
    registered_on: date | None = None


class BpuWorkerIn(PersonFactsIn):
    declared_income: Rupiah
    programs: list[ProgramCode] | None = Field(None, max_length=5)
    payer: Literal["self", "sponsor"] = "self"
    start_date: date | None = None


class PmiWorkerIn(PersonFactsIn):
    destination: Text = Field(..., max_length=80, description="Negara penempatan")
    contract_months: int = Field(..., ge=1, le=120, description="Lama kontrak kerja (bulan)")
    start_date: date
    programs: list[ProgramCode] | None = Field(
        None, max_length=5, description="JKK dan JKM, dapat ditambah JHT"
    )
    jht_monthly: Rupiah | None = Field(
        None,
        description="Iuran JHT per bulan (PMI): wajib bila ikut JHT, salah satu pilihan yang "
        "berlaku pada bulan pendaftaran",
    )


class PmiWorkerOut(MembershipOut):
    pmi_destination: str
    pmi_contract_months: int | None
    pmi_jht_monthly: int | None


class ProjectIn(Schema):
    contractor_npp: Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")]
    owner_type: Literal["APBN", "APBD", "private"]
    name: Text
    contract_value: int = Field(..., gt=0, le=10**15)
    start_date: date
    end_date: date
    regency: str = Field(..., max_length=5)


class ProjectOut(Schema):
    id: int
    contractor_npp: str = Field(..., alias="contractor.npp")
    owner_type: str
    name: str
    contract_value: int
    start_date: date
    end_date: date
    regency: str = Field(..., alias="regency.code")
    office: str = Field(..., alias="office.code")


class ProjectWorkerIn(PersonFactsIn):
    start_date: date | None = None


class DependantOut(Schema):
    name: str
    relation: str
    birth_date: date
    school_level: str


class PersonDetailOut(Schema):
    kpj_number: str
    nik: str
    name: str
    birth_date: date
    sex: str
    address_regency: str | None
    death_date: date | None
    registered_on: date
    registering_office: str
    memberships: list[MembershipOut]
    dependants: list[DependantOut]
    wage_history: list[WageOut]


class EmployerDetailOut(EmployerOut):
    active_workers: int
    wage_bill: int
    projects: list[ProjectOut]


class SearchOut(Schema):
    persons: list[PersonOut]
    employers: list[EmployerOut]


class EndMembershipIn(Schema):
    end_date: date
    reason: Literal["resigned", "dismissed", "contract_ended", "retired", "died", "moved_abroad"]


class WageIn(Schema):
    month: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")] = Field(
        ..., description="Bulan berlaku, YYYY-MM"
    )
    amount: Rupiah


class IssueOut(Schema):
    baris: int
    kolom: str
    kode: str
    pesan: str


class ImportReportOut(Schema):
    employer_npp: str
    dry_run: bool
    applied: bool
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    warnings: int
    issues: list[IssueOut]


# ------------------------------------------------------------------------------------------ endpoints


@router.post("/persons", response=WRITE | {201: PersonOut}, summary="Daftarkan orang (NIK)")
@domain_errors
def create_person(request: HttpRequest, payload: PersonFactsIn) -> Status:
    _require(request, OFFICE_ROLES)
    person = services.register_person(**dataclasses.asdict(payload.facts()), actor=request.user)
    return Status(201, person)


@router.get("/persons", response=list[PersonOut], summary="Cari orang (NIK, KPJ atau nama)")
@paginate(Page)
def list_persons(request: HttpRequest, filters: Query[SearchQuery]) -> QuerySet[Person]:
    selectors.record_person_list_view(user=request.user, context={"search": filters.q})
    return selectors.search_persons(user=request.user, q=filters.q).order_by("name", "pk")


@router.get(
    "/participants/{kpj}",
    response={200: PersonDetailOut, 404: ErrorOut},
    summary="Halaman peserta (KPJ)",
)
@domain_errors
def get_participant(request: HttpRequest, kpj: str) -> dict[str, Any]:
    d = selectors.person_detail(user=request.user, kpj=kpj)
    p = d.person
    return {
        "kpj_number": d.participant.kpj_number,
        "nik": d.nik,
        "name": p.name,
        "birth_date": p.birth_date,
        "sex": p.sex,
        "address_regency": p.address_regency.code if p.address_regency else None,
        "death_date": p.death_date,
        "registered_on": d.participant.registered_on,
        "registering_office": d.participant.registering_office.code,
        "memberships": d.memberships,
        "dependants": d.dependants,
        "wage_history": d.wage_history,
    }


@router.post("/employers", response=WRITE | {201: EmployerOut}, summary="Daftarkan pemberi kerja")
@domain_errors
def create_employer(request: HttpRequest, payload: EmployerIn) -> Status:
    _require(request, OFFICE_ROLES)
    employer = services.register_employer(
        name=payload.name,
        legal_form=payload.legal_form,
        kbli=payload.kbli,
        size_class=payload.size_class,
        risk_group=payload.risk_group,
        regency=_regency(payload.regency, "regency"),
        kind=payload.kind,
        npwp=payload.npwp,
        labour_intensive=payload.labour_intensive,
        registered_on=payload.registered_on,
        actor=request.user,
    )
    return Status(201, employer)


@router.get("/employers", response=list[EmployerOut], summary="Cari pemberi kerja (NPP atau nama)")
@paginate(Page)
def list_employers(request: HttpRequest, filters: Query[SearchQuery]) -> QuerySet[Employer]:
    return selectors.search_employers(user=request.user, q=filters.q).order_by("name", "pk")


@router.get(
    "/employers/{npp}",
    response={200: EmployerDetailOut, 404: ErrorOut},
    summary="Pemberi kerja (NPP)",
)
@domain_errors
def get_employer(request: HttpRequest, npp: str) -> Any:
    d = selectors.employer_detail(user=request.user, npp=npp)
    e = d.employer
    return {
        **{
            f: getattr(e, f)
            for f in (
                "npp",
                "name",
                "kind",
                "legal_form",
                "npwp",
                "kbli",
                "size_class",
                "risk_group",
                "labour_intensive",
                "status",
                "registered_on",
            )
        },
        "regency.code": e.regency.code,
        "office.code": e.office.code,
        "active_workers": d.active_workers,
        "wage_bill": d.wage_bill,
        "projects": d.projects,
    }


@router.get(
    "/employers/{npp}/workers",
    response={200: list[WorkerOut], 404: ErrorOut},
    summary="Pekerja aktif pemberi kerja",
)
@paginate(Page)
def list_employer_workers(request: HttpRequest, npp: str) -> QuerySet[Membership]:
    try:
        employer = selectors.employer_in_scope(user=request.user, npp=npp)
    except RegistryError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    selectors.record_person_list_view(user=request.user, context={"employer_workers": employer.npp})
    return selectors.employer_workers(user=request.user, employer=employer)


@router.post(
    "/employers/{npp}/workers",
    response=WRITE | {201: MembershipOut},
    summary="Daftarkan pekerja PU",
)
@domain_errors
def create_pu_worker(request: HttpRequest, npp: str, payload: PuWorkerIn) -> Status:
    _require(request, WORKER_ROLES)
    employer = selectors.employer_in_scope(user=request.user, npp=npp)
    membership = services.register_pu_worker(
        employer=employer,
        person=payload.facts(),
        wage=payload.wage,
        start_date=payload.start_date,
        programs=payload.programs,
        registered_on=payload.registered_on,
        actor=request.user,
    )
    return Status(201, membership)


@router.post("/bpu-workers", response=WRITE | {201: MembershipOut}, summary="Daftarkan peserta BPU")
@domain_errors
def create_bpu_worker(request: HttpRequest, payload: BpuWorkerIn) -> Status:
    _require(request, OFFICE_ROLES)
    membership = services.register_bpu_worker(
        person=payload.facts(),
        declared_income=payload.declared_income,
        programs=payload.programs,
        payer=payload.payer,
        start_date=payload.start_date,
        actor=request.user,
    )
    return Status(201, membership)


@router.post(
    "/pmi-workers",
    response=WRITE | {201: PmiWorkerOut},
    summary="Daftarkan Pekerja Migran Indonesia (PMI)",
)
@domain_errors
def create_pmi_worker(request: HttpRequest, payload: PmiWorkerIn) -> Status:
    _require(request, OFFICE_ROLES)
    membership = services.register_pmi_worker(
        person=payload.facts(),
        destination=payload.destination,
        contract_months=payload.contract_months,
        start_date=payload.start_date,
        programs=payload.programs,
        jht_monthly=payload.jht_monthly,
        actor=request.user,
    )
    return Status(201, membership)


@router.post(
    "/projects", response=WRITE | {201: ProjectOut}, summary="Daftarkan proyek jasa konstruksi"
)
@domain_errors
def create_project(request: HttpRequest, payload: ProjectIn) -> Status:
    _require(request, OFFICE_ROLES)
    contractor = selectors.employer_in_scope(user=request.user, npp=payload.contractor_npp)
    project = services.register_project(
        contractor=contractor,
        owner_type=payload.owner_type,
        name=payload.name,
        contract_value=payload.contract_value,
        start_date=payload.start_date,
        end_date=payload.end_date,
        regency=_regency(payload.regency, "regency"),
        actor=request.user,
    )
    return Status(201, project)


@router.post(
    "/projects/{project_id}/workers",
    response=WRITE | {201: MembershipOut},
    summary="Tambah pekerja proyek",
)
@domain_errors
def create_project_worker(
    request: HttpRequest, project_id: int, payload: ProjectWorkerIn
) -> Status:
    _require(request, WORKER_ROLES)
    if not 0 < project_id < 2**63:
        raise ApiError(404, "not_found", _("Proyek tidak ditemukan."), "project_id")
    project = selectors.project_in_scope(user=request.user, project_id=project_id)
    membership = services.add_project_worker(
        project=project, person=payload.facts(), start_date=payload.start_date, actor=request.user
    )
    return Status(201, membership)


@router.get(
    "/search", response={200: SearchOut, 422: ErrorOut}, summary="Cari: NIK, KPJ, NPP atau nama"
)
def search(request: HttpRequest, filters: Query[SearchQuery]) -> Any:
    result = selectors.search(user=request.user, q=filters.q)
    return {"persons": result.persons, "employers": result.employers}


@router.post(
    "/memberships/{membership_id}/end",
    response={200: MembershipOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Akhiri kepesertaan",
)
@domain_errors
def end_membership(
    request: HttpRequest, membership_id: int, payload: EndMembershipIn
) -> Membership:
    _require(request, WORKER_ROLES)
    if not 0 < membership_id < 2**63:
        raise ApiError(404, "not_found", _("Kepesertaan tidak ditemukan."), "membership_id")
    membership = selectors.membership_in_scope(user=request.user, membership_id=membership_id)
    services.end_membership(
        membership=membership, end_date=payload.end_date, reason=payload.reason, actor=request.user
    )
    membership.refresh_from_db()
    return membership


@router.post(
    "/memberships/{membership_id}/wages",
    response={200: WageOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Laporkan upah/penghasilan bulanan",
)
@domain_errors
def report_wage(request: HttpRequest, membership_id: int, payload: WageIn) -> ReportedWage:
    _require(request, WORKER_ROLES)
    if not 0 < membership_id < 2**63:
        raise ApiError(404, "not_found", _("Kepesertaan tidak ditemukan."), "membership_id")
    membership = selectors.membership_in_scope(user=request.user, membership_id=membership_id)
    year, month = (int(x) for x in payload.month.split("-"))
    if year < 1900:
        raise ApiError(422, "invalid", _("Bulan upah tidak sah."), "month")
    return services.report_wage(
        membership=membership, month=date(year, month, 1), amount=payload.amount, actor=request.user
    )


@router.post(
    "/imports/workers",
    response={200: ImportReportOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Impor daftar pekerja (CSV/XLSX) satu pemberi kerja",
    description="Multipart: `file`, `employer` (NPP), `dry_run`. 422 `import_file` bila berkas tidak terbaca.",
)
@domain_errors
def import_worker_list(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    employer: str = Form(..., max_length=8),
    dry_run: bool = Form(False),
) -> Any:
    _require(request, WORKER_ROLES)
    the_employer = selectors.employer_in_scope(user=request.user, npp=employer)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", _("Berkas lebih dari 50 MB."), "file")
    try:
        report = import_workers(
            employer=the_employer,
            content=file.read(),
            filename=file.name or "",
            dry_run=dry_run,
            actor=request.user,
        )
    except ImportFileError as exc:
        raise ApiError(422, "import_file", exc.reason, "file") from exc
    return {
        "employer_npp": report.employer_npp,
        "dry_run": report.dry_run,
        "applied": report.applied,
        "rows": report.rows,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "unchanged": report.unchanged,
        "warnings": report.warnings,
        "issues": [i.__dict__ for i in report.issues],
    }
