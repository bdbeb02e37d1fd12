"""Contributions API: sponsors, their programs and beneficiaries, the budget calculator, the donor
form and the beneficiary-list upload. Thin: parse, call :mod:`jaminan.contributions.sponsors`,
render. Domain errors become ``ApiError`` with their status (404 not found, 409 budget exceeded,
program closed or already a member, 403 role, 422 otherwise).

No ``from __future__ import annotations`` here: ninja's ``@paginate`` cannot resolve string
annotations (see registry/api.py)."""

import dataclasses
from datetime import date
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import StrictInt, StringConstraints

from jaminan.accounts.roles import STAFF_ROLES, Role
from jaminan.accounts.scoping import role_of
from jaminan.api.errors import ApiError, ErrorOut
from jaminan.api.pagination import Page
from jaminan.contributions import sponsors
from jaminan.contributions.models import Beneficiary, Sponsor, SponsorshipProgram
from jaminan.geo.models import Regency
from jaminan.geo.zones import institution_today
from jaminan.registry import selectors as registry_selectors
from jaminan.registry.api import domain_errors
from jaminan.registry.errors import RegistryError
from jaminan.registry.forms import office_regencies
from jaminan.registry.services import PersonFacts

router = Router(tags=["iuran"])

READ_ROLES = STAFF_ROLES | {Role.SPONSOR_USER}
OFFICE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
ENROL_ROLES = OFFICE_ROLES | {Role.SPONSOR_USER}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
OptText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")
]
MonthStr = Annotated[str, StringConstraints(pattern=r"^(201[5-9]|20[2-9][0-9])-(0[1-9]|1[0-2])$")]
SponsorCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]{1,40}$")]
RegencyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}\.[0-9]{2}$")]
#: Whole rupiah as a JSON integer: a string ("1.000") or a float is refused (422), never coerced.
Rupiah = Annotated[StrictInt, Field(ge=0, le=1_000_000_000_000_000)]
AsOfDate = Annotated[date, Field(ge=date(2015, 1, 1), le=date(2099, 12, 31))]
BirthDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2099, 12, 31))]
KindStr = Literal["province", "regency", "village", "individual", "bapak_asuh", "csr", "other"]

WRITE = {201: Any, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
READ = {200: Any, 403: ErrorOut, 404: ErrorOut}
#: The person fields of a beneficiary besides the NIK, as the error names them.
PERSON_FIELD_LABELS = {
    "name": gettext_lazy("nama"),
    "birth_date": gettext_lazy("tanggal lahir"),
    "sex": gettext_lazy("jenis kelamin"),
}


def _require(request: HttpRequest, roles: frozenset[Role]) -> None:
    if role_of(request.user) not in roles:
        raise ApiError(403, "forbidden", _("Peran Anda tidak berhak atas tindakan ini."))


def _month(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), 1)


def _regency(code: str | None) -> Regency | None:
    if not code:
        return None
    regency = Regency.objects.select_related("branch_office").filter(code=code).first()
    if regency is None:
        raise ApiError(
            422,
            "invalid",
            _("Kode kabupaten/kota tidak dikenal: %(code)s") % {"code": code},
            "regency",
        )
    return regency


def _own_regency(request: HttpRequest, regency: Regency | None) -> Regency | None:
    """A branch officer registers sponsors of the regencies its office serves."""
    if regency is not None and not office_regencies(request.user).filter(pk=regency.pk).exists():
        raise ApiError(
            403,
            "forbidden",
            _("Kabupaten/kota ini tidak dilayani kantor Anda."),
            "regency",
        )
    return regency


def _sponsor(request: HttpRequest, code: str) -> Sponsor:
    return sponsors.sponsor_in_scope(user=request.user, code=code)


def _program(request: HttpRequest, code: str, program_id: int) -> SponsorshipProgram:
    if not 0 < program_id < 2**63:
        raise ApiError(404, "not_found", _("Program tidak ditemukan."), "program_id")
    return sponsors.program_in_scope(
        user=request.user, sponsor=_sponsor(request, code), program_id=program_id
    )


# ------------------------------------------------------------------------------------------ schemas


class SponsorQuery(Schema):
    kind: KindStr | None = None
    q: str | None = Field(None, max_length=100, pattern=r"^[^\x00]*$")


class SponsorIn(Schema):
    kind: KindStr
    name: Text
    regency: RegencyCode | None = Field(None, description="Kode kabupaten/kota, mis. 64.02")
    code: SponsorCode | None = Field(None, description="Kosong: dibuat otomatis (APBD-000012)")
    contact_name: OptText = ""
    contact_phone: Annotated[str, StringConstraints(max_length=20, pattern=r"^[0-9 +-]*$")] = ""
    contact_email: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^\x00]*$")] = ""


class SponsorOut(Schema):
    code: str
    kind: str
    name: str
    regency: str | None
    office: str = Field(..., alias="office.code")
    government_funded: bool
    contact_name: str
    contact_phone: str
    contact_email: str

    @staticmethod
    def resolve_regency(obj: Sponsor) -> str | None:
        return obj.regency.code if obj.regency_id else None  # type: ignore[union-attr]


class SponsorProgramIn(Schema):
    name: Text
    start_month: MonthStr = Field(..., description="YYYY-MM")
    end_month: MonthStr = Field(..., description="YYYY-MM")
    budget_ceiling: Rupiah
    declared_income: Rupiah | None = Field(None, description="Bawaan: tingkat BPU terendah")


class SponsorProgramOut(Schema):
    id: int
    sponsor: str = Field(..., alias="sponsor.code")
    name: str
    start_month: date
    end_month: date
    budget_ceiling: int
    declared_income: int
    status: str


class SponsorProgramDetailOut(SponsorProgramOut):
    beneficiaries: int
    covered: int
    committed: int
    billed: int
    remaining: int
    available: int
    lapsed: bool = Field(
        False, description="Masih berjalan setelah bulan terakhirnya: tidak melindungi siapa pun"
    )


class SponsorDetailOut(Schema):
    code: str
    kind: str
    name: str
    regency: str | None
    office: str
    government_funded: bool
    contact_name: str
    contact_phone: str
    contact_email: str
    virtual_account: str
    budget_ceiling: int
    budget_used: int
    budget_remaining: int
    committed: int
    paid: int
    people_covered: int
    programs: list[SponsorProgramDetailOut]


class BeneficiaryIn(Schema):
    nik: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{16}$")]
    name: OptText = Field("", description="Wajib untuk orang yang belum terdaftar")
    birth_date: BirthDate | None = None
    sex: Literal["L", "P"] | None = None


class BeneficiaryOut(Schema):
    id: int
    program_id: int
    membership_id: int
    kpj_number: str = Field(..., alias="membership.participant.kpj_number")
    name: str = Field(..., alias="membership.participant.person.name")
    nik: str
    start_date: date = Field(..., alias="membership.start_date")
    end_date: date | None = Field(None, alias="membership.end_date")
    enrolled_on: date

    @staticmethod
    def resolve_nik(obj: Beneficiary, context: Any) -> str:
        request = (context or {}).get("request")
        return registry_selectors.nik_for(
            getattr(request, "user", None), obj.membership.participant.person.nik
        )


class SponsorBudgetIn(Schema):
    workers: int = Field(..., ge=0, le=10_000_000)
    months: int = Field(..., ge=1, le=sponsors.MAX_PROGRAM_MONTHS)
    start_month: MonthStr
    government_funded: bool = True


class SponsorMonthOut(Schema):
    month: date
    gross: int
    discount: int
    total: int


class SponsorBudgetOut(Schema):
    per_month: list[int]
    total: int
    per_worker: list[SponsorMonthOut]


class SponsorDonationIn(Schema):
    """Officers give the donor's name, contact and regency; a donor signed in as its own sponsor
    user gives none of them (its sponsor record stands for them; ``regency`` defaults to its)."""

    donor_name: OptText = ""
    contact_phone: Annotated[str, StringConstraints(max_length=20, pattern=r"^[0-9 +-]*$")] = ""
    contact_email: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^\x00]*$")] = ""
    regency: RegencyCode | None = None
    start_month: MonthStr
    months: int = Field(12, ge=1, le=12)
    neighbours: list["SponsorNeighbourIn"] = Field(..., min_length=1, max_length=5)


class SponsorNeighbourIn(Schema):
    nik: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{16}$")]
    name: Text
    birth_date: BirthDate
    sex: Literal["L", "P"]


SponsorDonationIn.model_rebuild()


class SponsorDonationOut(Schema):
    sponsor: SponsorOut
    program: SponsorProgramOut
    virtual_account: str
    beneficiaries: list[BeneficiaryOut]
    per_worker: list[SponsorMonthOut]
    total: int


class SponsorProgramAlertOut(Schema):
    program: SponsorProgramOut
    sponsor_name: str
    last_day: date
    days_left: int = Field(..., description="Negatif untuk program yang sudah berakhir")
    losing_cover: int
    lapsed: bool = Field(
        False, description="Program sudah berakhir, belum ditutup (jaminan sponsors end)"
    )
    open_memberships: int = Field(..., description="Kepesertaan penerima yang masih terbuka")
    message: str


class BeneficiaryUploadIssueOut(Schema):
    baris: int
    kolom: str
    kode: str
    pesan: str


class BeneficiaryUploadOut(Schema):
    program_id: int
    dry_run: bool
    applied: bool
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    cost: int
    issues: list[BeneficiaryUploadIssueOut]


def _program_detail(summary: sponsors.ProgramSummary) -> dict[str, Any]:
    p = summary.program
    return {
        "id": p.pk,
        "sponsor.code": p.sponsor.code,
        "name": p.name,
        "start_month": p.start_month,
        "end_month": p.end_month,
        "budget_ceiling": p.budget_ceiling,
        "declared_income": p.declared_income,
        "status": p.status,
        "beneficiaries": summary.beneficiaries,
        "covered": summary.covered,
        "committed": summary.committed,
        "billed": summary.billed,
        "remaining": summary.remaining,
        "available": summary.available,
        "lapsed": summary.lapsed,
    }


# ------------------------------------------------------------------------------------------ endpoints


@router.get("/sponsors", response=list[SponsorOut], summary="Daftar penyandang dana")
@paginate(Page)
def list_sponsors(request: HttpRequest, filters: Query[SponsorQuery]) -> QuerySet[Sponsor]:
    _require(request, READ_ROLES)
    qs = sponsors.sponsors_in_scope(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return qs.order_by("name", "pk")


@router.post("/sponsors", response=WRITE | {201: SponsorOut}, summary="Daftarkan penyandang dana")
@domain_errors
def create_sponsor(request: HttpRequest, payload: SponsorIn) -> Status:
    _require(request, OFFICE_ROLES)
    sponsor = sponsors.create_sponsor(
        kind=payload.kind,
        name=payload.name,
        regency=_own_regency(request, _regency(payload.regency)),
        code=payload.code,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
        actor=request.user,
    )
    return Status(201, sponsor)


@router.post(
    "/sponsors/budget",
    response={200: SponsorBudgetOut, 422: ErrorOut},
    summary="Kalkulator anggaran (aturan budget.sponsorship)",
)
@domain_errors
def budget(request: HttpRequest, payload: SponsorBudgetIn) -> dict[str, Any]:
    out = sponsors.calculate_budget(
        workers=payload.workers,
        months=payload.months,
        start_month=_month(payload.start_month),
        government_funded=payload.government_funded,
    )
    return {
        "per_month": out["per_month"],
        "total": out["total"],
        "per_worker": [dataclasses.asdict(a) for a in out["per_worker"]],
    }


@router.post(
    "/sponsors/donations",
    response=WRITE | {201: SponsorDonationOut},
    summary="Lindungi Pekerja Sekitar Anda: donatur melindungi 1-5 tetangga",
)
@domain_errors
def donate(request: HttpRequest, payload: SponsorDonationIn) -> Status:
    _require(request, OFFICE_ROLES | {Role.SPONSOR_USER})
    donor = sponsors.own_sponsor(request.user)
    if role_of(request.user) == Role.SPONSOR_USER and (
        donor is None or donor.kind not in sponsors.DONOR_KINDS
    ):
        raise ApiError(
            403,
            "forbidden",
            _("Formulir donatur hanya untuk donatur perorangan atau Bapak Asuh."),
        )
    if donor is None and not payload.donor_name:
        raise ApiError(422, "required", _("Nama donatur wajib diisi."), "donor_name")
    regency = _own_regency(request, _regency(payload.regency)) or (
        donor.regency if donor is not None else None
    )
    if regency is None:
        raise ApiError(422, "required", _("Kabupaten/kota wajib diisi."), "regency")
    donation = sponsors.sponsor_neighbours(
        sponsor=donor,
        donor_name=payload.donor_name,
        regency=regency,
        neighbours=[
            PersonFacts(nik=n.nik, name=n.name, birth_date=n.birth_date, sex=n.sex)
            for n in payload.neighbours
        ],
        start_month=_month(payload.start_month),
        months=payload.months,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
        actor=request.user,
    )
    return Status(
        201,
        {
            "sponsor": donation.sponsor,
            "program": donation.program,
            "virtual_account": donation.virtual_account,
            "beneficiaries": donation.beneficiaries,
            "per_worker": [dataclasses.asdict(a) for a in donation.per_worker],
            "total": donation.total,
        },
    )


@router.get(
    "/sponsors/alerts",
    response={200: list[SponsorProgramAlertOut], 403: ErrorOut, 422: ErrorOut},
    summary="Program yang sudah berakhir tetapi belum ditutup, lalu program yang berakhir dalam "
    "30 hari, dengan jumlah kepesertaan yang masih terbuka",
)
def alerts(request: HttpRequest, as_of: AsOfDate | None = None) -> list[dict[str, Any]]:
    _require(request, READ_ROLES)
    found = sponsors.program_alerts(user=request.user, as_of=as_of or institution_today())
    return [
        {
            "program": a.program,
            "sponsor_name": a.program.sponsor.name,
            "last_day": a.last_day,
            "days_left": a.days_left,
            "losing_cover": a.count,
            "lapsed": a.lapsed,
            "open_memberships": a.count,
            "message": _alert_message(a),
        }
        for a in found
    ]


def _alert_message(alert: sponsors.ProgramAlert) -> str:
    values = {
        "name": alert.program.name,
        "day": f"{alert.last_day:%d/%m/%Y}",
        "days": alert.days_left,
        "count": alert.count,
    }
    if alert.lapsed:
        return (
            _(
                "Program %(name)s sudah berakhir, belum ditutup (hari terakhir %(day)s): "
                "%(count)s kepesertaan masih terbuka."
            )
            % values
        )
    return (
        _(
            "Program %(name)s berakhir %(day)s (%(days)s hari lagi): %(count)s orang akan "
            "kehilangan perlindungan."
        )
        % values
    )


@router.get(
    "/sponsors/{code}",
    response=READ | {200: SponsorDetailOut},
    summary="Penyandang dana: anggaran terpakai, sisa, orang terlindungi, program",
)
@domain_errors
def get_sponsor(request: HttpRequest, code: SponsorCode) -> dict[str, Any]:
    _require(request, READ_ROLES)
    d = sponsors.sponsor_detail(user=request.user, code=code)
    s = d.sponsor
    return {
        "code": s.code,
        "kind": s.kind,
        "name": s.name,
        "regency": s.regency.code if s.regency else None,
        "office": s.office.code,
        "government_funded": s.government_funded,
        "contact_name": s.contact_name,
        "contact_phone": s.contact_phone,
        "contact_email": s.contact_email,
        "virtual_account": d.virtual_account,
        "budget_ceiling": d.ceiling,
        "budget_used": d.billed,
        "budget_remaining": d.remaining,
        "committed": d.committed,
        "paid": d.paid,
        "people_covered": d.covered,
        "programs": [_program_detail(p) for p in d.programs],
    }


@router.get(
    "/sponsors/{code}/programs",
    response=READ | {200: list[SponsorProgramOut]},
    summary="Program penyandang dana",
)
@paginate(Page)
def list_programs(request: HttpRequest, code: SponsorCode) -> QuerySet[SponsorshipProgram]:
    _require(request, READ_ROLES)
    try:
        sponsor = _sponsor(request, code)
    except RegistryError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    return sponsors.programs_in_scope(request.user).filter(sponsor=sponsor).order_by("pk")


@router.post(
    "/sponsors/{code}/programs",
    response=WRITE | {201: SponsorProgramOut},
    summary="Buat program penyandang dana",
)
@domain_errors
def create_program(request: HttpRequest, code: SponsorCode, payload: SponsorProgramIn) -> Status:
    _require(request, OFFICE_ROLES)
    program = sponsors.create_program(
        sponsor=_sponsor(request, code),
        name=payload.name,
        start_month=_month(payload.start_month),
        end_month=_month(payload.end_month),
        budget_ceiling=payload.budget_ceiling,
        declared_income=payload.declared_income,
        actor=request.user,
    )
    return Status(201, program)


@router.get(
    "/sponsors/{code}/programs/{program_id}",
    response=READ | {200: SponsorProgramDetailOut},
    summary="Program: anggaran dan penerima",
)
@domain_errors
def get_program(request: HttpRequest, code: SponsorCode, program_id: int) -> dict[str, Any]:
    _require(request, READ_ROLES)
    return _program_detail(sponsors.program_summary(_program(request, code, program_id)))


@router.get(
    "/sponsors/{code}/programs/{program_id}/beneficiaries",
    response=READ | {200: list[BeneficiaryOut]},
    summary="Penerima manfaat program",
)
@paginate(Page)
def list_beneficiaries(
    request: HttpRequest, code: SponsorCode, program_id: int
) -> QuerySet[Beneficiary]:
    _require(request, READ_ROLES)
    try:
        program = _program(request, code, program_id)
    except RegistryError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from exc
    sponsors.record_beneficiary_view(user=request.user, program=program, api=True)
    return sponsors.beneficiaries_of(user=request.user, program=program)


@router.post(
    "/sponsors/{code}/programs/{program_id}/beneficiaries",
    response=WRITE | {201: BeneficiaryOut},
    summary="Tambah penerima manfaat (BPU JKK+JKM, dibayar penyandang dana)",
    description="Orang yang sudah terdaftar cukup dengan NIK; orang baru: NIK, nama, tanggal lahir, "
    "jenis kelamin (salah satunya diisi: semuanya wajib, 422 `required` menyebut yang kurang). "
    "409 `already_member` bila sudah memiliki kepesertaan BPU aktif, `budget_exceeded` bila "
    "melewati pagu.",
)
@domain_errors
def enrol(
    request: HttpRequest, code: SponsorCode, program_id: int, payload: BeneficiaryIn
) -> Status:
    _require(request, ENROL_ROLES)
    program = _program(request, code, program_id)
    person: PersonFacts | str
    facts = {"name": payload.name, "birth_date": payload.birth_date, "sex": payload.sex}
    missing = [name for name, value in facts.items() if not value]
    if len(missing) == len(facts):
        person = payload.nik  # a person already in the registry
    elif missing:
        raise ApiError(
            422,
            "required",
            _("Data orang baru belum lengkap; wajib diisi juga: %(fields)s.")
            % {"fields": ", ".join(str(PERSON_FIELD_LABELS[name]) for name in missing)},
            missing[0],
        )
    else:
        assert payload.birth_date is not None and payload.sex is not None
        person = PersonFacts(
            nik=payload.nik, name=payload.name, birth_date=payload.birth_date, sex=payload.sex
        )
    beneficiary = sponsors.enrol_beneficiary(program=program, person=person, actor=request.user)
    return Status(201, beneficiary)


@router.post(
    "/sponsors/{code}/programs/{program_id}/upload",
    response={
        200: BeneficiaryUploadOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
    },
    summary="Unggah daftar penerima manfaat (CSV/XLSX: nik,nama,tanggal_lahir,jenis_kelamin)",
    description="Multipart: `file`, `dry_run`. Laporan baris,kolom,kode,pesan. 422 `import_file` "
    "bila berkas tidak terbaca.",
)
@domain_errors
def upload(
    request: HttpRequest,
    code: SponsorCode,
    program_id: int,
    file: UploadedFile = File(...),  # noqa: B008
    dry_run: bool = Form(False),
) -> dict[str, Any]:
    _require(request, ENROL_ROLES)
    program = _program(request, code, program_id)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", _("Berkas lebih dari 50 MB."), "file")
    try:
        report = sponsors.import_beneficiaries(
            program=program,
            content=file.read(),
            filename=file.name or "",
            dry_run=dry_run,
            actor=request.user,
        )
    except sponsors.ImportFileError as exc:
        raise ApiError(422, "import_file", exc.reason, "file") from exc
    return {
        "program_id": program.pk,
        "dry_run": report.dry_run,
        "applied": report.applied,
        "rows": report.rows,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "unchanged": report.unchanged,
        "cost": report.cost,
        "issues": [i.__dict__ for i in report.issues],
    }


@router.post(
    "/sponsors/{code}/programs/{program_id}/end",
    response={200: SponsorProgramOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Akhiri program: kepesertaan penerima berakhir (kontrak berakhir)",
)
@domain_errors
def end(request: HttpRequest, code: SponsorCode, program_id: int) -> SponsorshipProgram:
    _require(request, OFFICE_ROLES)
    program = _program(request, code, program_id)
    sponsors.end_program(program=program, actor=request.user)
    program.refresh_from_db()
    return program
