"""Writes of the registry: keyword-only, atomic, audited (STYLE.md, HackSoft).

Every function raises a :class:`jaminan.registry.errors.RegistryError` subclass for a broken rule; nothing
here trusts the database constraints to produce the message.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jaminan import rules
from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of
from jaminan.geo.models import Office, Regency
from jaminan.geo.zones import institution_today
from jaminan.registry import identifiers
from jaminan.registry.errors import (
    AlreadyActiveMember,
    DuplicateNIK,
    InvalidNIK,
    InvalidValue,
    MembershipEnded,
    NikMismatch,
    OverrideNotAllowed,
    ProgramRuleViolation,
)
from jaminan.registry.models import (
    PROGRAMS,
    ConstructionProject,
    Dependant,
    Employer,
    Membership,
    Participant,
    Person,
    ReportedWage,
    Sex,
)
from jaminan.registry.nik import check_nik, nik_error_message
from jaminan.rules import parameters
from jaminan.web import formatting

User = AbstractBaseUser | AnonymousUser | None

#: Registration more than this many days after the start of work is late (PP 44/2015 Pasal 4(2), PP 45/2015).
LATE_REGISTRATION_DAYS = 30
#: Roles that may register a person whose birth date or sex differs from the NIK, with a reason.
JP_START = date(2015, 7, 1)
#: JKP starts with PP 37/2021 on 2 February 2021; earlier registrations are checked against its first value.
JKP_START = date(2021, 2, 2)
OVERRIDE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})

MANDATORY_PROGRAMS = {
    Employer.Size.MICRO: ("JKK", "JKM", "JHT"),
    Employer.Size.SMALL: ("JKK", "JKM", "JHT"),
    Employer.Size.MEDIUM: ("JKK", "JKM", "JHT", "JP"),
    Employer.Size.LARGE: ("JKK", "JKM", "JHT", "JP"),
}


@dataclass(frozen=True)
class PersonFacts:
    """What a registration form or an import row says about a person."""

    nik: str
    name: str
    birth_date: date
    sex: str
    address_regency: Regency | None = None
    phone: str = ""
    override_reason: str = ""


# ---------------------------------------------------------------------------------------------- rules


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@lru_cache(maxsize=512)
def jp_retirement_age(on: date) -> int:
    """The JP retirement age in force on ``on`` (rules ``jp.retirement_age``; PP 45/2015 Pasal 15)."""
    on = max(on, JP_START)  # the JP program and its parameters start on 1 July 2015
    return int(rules.calculate("jp.retirement_age", {"date": on.isoformat()})["age"])


@lru_cache(maxsize=512)
def jkp_registration_age_limit(on: date) -> int:
    """A JKP participant must be younger than this age when registered (rules parameter
    ``jkp.registration_age_limit``; PP 37/2021 Pasal 4(2))."""
    on = max(on, JKP_START)
    return int(parameters.get("jkp.registration_age_limit", on, fact="registered_on").value)


def default_pu_programs(
    *, size_class: str, birth_date: date, start_date: date, registered_on: date
) -> list[str]:
    """The programs a PU worker gets when none are chosen: the mandatory set of the employer's size (JP only
    while younger than the JP retirement age on the start date) plus JKP when younger than 54."""
    programs = list(MANDATORY_PROGRAMS[Employer.Size(size_class)])
    if "JP" in programs and age_on(birth_date, start_date) >= jp_retirement_age(start_date):
        programs.remove("JP")
    if age_on(birth_date, registered_on) < jkp_registration_age_limit(registered_on):
        programs.append("JKP")
    return programs


def check_pu_programs(
    *,
    programs: Sequence[str],
    size_class: str,
    birth_date: date,
    start_date: date,
    registered_on: date,
) -> None:
    """Raise ProgramRuleViolation unless ``programs`` satisfy the PU rules for this employer and person."""
    _check_known(programs)
    jp_allowed = age_on(birth_date, start_date) < jp_retirement_age(start_date)
    required = [p for p in MANDATORY_PROGRAMS[Employer.Size(size_class)] if p != "JP" or jp_allowed]
    missing = [p for p in required if p not in programs]
    if missing:
        raise ProgramRuleViolation(
            _("Program wajib untuk skala usaha ini belum dipilih: %(programs)s.")
            % {"programs": ", ".join(missing)},
            field="programs",
            code="programs_missing",
        )
    if "JP" in programs and not jp_allowed:
        raise ProgramRuleViolation(
            _(
                "JP hanya untuk pekerja yang belum mencapai usia pensiun JP (%(age)s tahun) "
                "pada tanggal mulai bekerja."
            )
            % {"age": jp_retirement_age(start_date)},
            field="programs",
            code="jp_over_age",
        )
    if "JKP" in programs and age_on(birth_date, registered_on) >= jkp_registration_age_limit(
        registered_on
    ):
        raise ProgramRuleViolation(
            _(
                "JKP hanya untuk pekerja yang belum berusia 54 tahun saat didaftarkan "
                "(PP 37/2021 Pasal 4(2))."
            ),
            field="programs",
            code="jkp_over_age",
        )
    if "JKP" in programs and not all(p in programs for p in required):
        raise ProgramRuleViolation(_("JKP mensyaratkan program wajib lainnya."), field="programs")


def _check_known(programs: Iterable[str]) -> None:
    unknown = [p for p in programs if p not in PROGRAMS]
    if unknown:
        raise InvalidValue(
            _("Program tidak dikenal: %(programs)s.") % {"programs": ", ".join(map(str, unknown))},
            field="programs",
        )


def bpu_lowest_tier_check(*, declared_income: int, month: date, programs: Sequence[str]) -> None:
    """Declared income must reach the lowest BPU tier in force (rules ``contribution.bpu``)."""
    try:
        rules.calculate(
            "contribution.bpu",
            {
                "month": f"{month:%Y-%m}",
                "declared_income": declared_income,
                "programs": list(programs),
            },
        )
    except rules.RulesError as exc:
        field = {"declared_income": "declared_income", "month": "start_date"}.get(
            exc.fact, "programs"
        )
        raise ProgramRuleViolation(
            _("Data BPU tidak sah (%(field)s): %(detail)s")
            % {"field": field, "detail": exc.detail},
            field=field,
            code="income_below_lowest_tier" if field == "declared_income" else "program_rule",
        ) from exc


def pmi_jht_options(month: date) -> list[int]:
    """The PMI JHT amounts per month in force in ``month`` (none before Permenaker 4/2023)."""
    found = parameters.find("pmi.jht_options", month.replace(day=1))
    return [int(v) for v in found.value] if found is not None else []


def pmi_jht_check(*, jht_monthly: Any, with_jht: bool, contract_months: int, month: date) -> None:
    """A PMI's JHT amount per month: required with JHT, refused without it, and one of the options
    of the rules (``contribution.pmi`` of the registration month, as the PMI bill computes it)."""
    if not with_jht:
        if jht_monthly is not None:
            raise ProgramRuleViolation(
                _("Iuran JHT per bulan hanya diisi bila peserta PMI ikut JHT."),
                field="jht_monthly",
            )
        return
    if jht_monthly is None:
        raise InvalidValue(
            _("Iuran JHT per bulan wajib diisi bila peserta PMI ikut JHT."), field="jht_monthly"
        )
    try:
        if isinstance(jht_monthly, bool) or not isinstance(jht_monthly, int):
            raise TypeError(jht_monthly)
        rules.calculate(
            "contribution.pmi",
            {
                "month": f"{month:%Y-%m}",
                "contract_months": contract_months,
                "jht_monthly": jht_monthly,
            },
        )
    except (TypeError, rules.RulesError) as exc:
        options = pmi_jht_options(month)
        if options:
            message = _("Iuran JHT per bulan PMI harus salah satu dari: %(options)s.") % {
                "options": ", ".join(formatting.rupiah(v) for v in options)
            }
        else:
            message = _("JHT PMI belum dapat dipilih pada bulan pendaftaran %(month)s.") % {
                "month": f"{month:%m/%Y}"
            }
        raise ProgramRuleViolation(message, field="jht_monthly", code="jht_option") from exc


# -------------------------------------------------------------------------------------------- helpers


def _programs_kwargs(programs: Iterable[str]) -> dict[str, bool]:
    chosen = set(programs)
    return {f"has_{p.lower()}": p in chosen for p in PROGRAMS}


def _created(actor: User, obj: Any, **extra: Any) -> None:
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        obj=obj,
        changes={**audit.model_changes(None, obj), **extra},
    )


def _money(value: Any, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValue(
            _("%(label)s harus bilangan bulat rupiah ≥ 0.") % {"label": label}, field=field
        )
    return value


def _today() -> date:
    return institution_today()


def _office_of(regency: Regency | None, field: str) -> Office:
    if regency is None:
        raise InvalidValue(
            _("Kabupaten/kota wajib diisi untuk menentukan kantor cabang."), field=field
        )
    if regency.branch_office_id is None:
        raise InvalidValue(
            _("Kabupaten/kota %(name)s belum memiliki kantor cabang.") % {"name": regency.name},
            field=field,
        )
    return regency.branch_office  # type: ignore[return-value]


def _first_of_month(d: date) -> date:
    return d.replace(day=1)


def _save_membership(membership: Membership) -> Membership:
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise AlreadyActiveMember(
            _("Peserta sudah memiliki kepesertaan aktif yang sama."), field="nik"
        ) from exc
    return membership


# --------------------------------------------------------------------------------------------- people


@transaction.atomic
def register_person(
    *,
    nik: str,
    name: str,
    birth_date: date,
    sex: str,
    address_regency: Regency | None = None,
    phone: str = "",
    override_reason: str = "",
    actor: User = None,
) -> Person:
    """A new person. Birth date and sex must agree with the NIK unless an officer/admin gives a reason."""
    nik = (nik or "").strip()
    name = (name or "").strip()
    if not name:
        raise InvalidValue(_("Nama wajib diisi."), field="name")
    if sex not in Sex.values:
        raise InvalidValue(_("Jenis kelamin harus L atau P."), field="sex")
    if birth_date > _today():
        raise InvalidValue(_("Tanggal lahir tidak boleh di masa depan."), field="birth_date")
    check = check_nik(nik, birth_date=birth_date, sex=sex)
    if not check.info.valid:
        raise InvalidNIK(nik_error_message(check.info.error), field="nik")
    override_reason = (override_reason or "").strip()
    if not check.ok:
        field = "birth_date" if not check.birth_date_matches else "sex"
        what = _("Tanggal lahir") if field == "birth_date" else _("Jenis kelamin")
        if not override_reason:
            raise NikMismatch(
                _("%(what)s tidak sesuai dengan NIK; isi alasan pengecualian bila data ini benar.")
                % {"what": what},
                field=field,
                code="nik_birth_date_mismatch" if field == "birth_date" else "nik_sex_mismatch",
            )
        if role_of(actor) not in OVERRIDE_ROLES:
            raise OverrideNotAllowed(
                _(
                    "Hanya petugas kantor cabang atau administrator yang boleh mengisi alasan "
                    "pengecualian NIK."
                ),
                field="override_reason",
            )
    if Person.objects.filter(nik=nik).exists():
        raise DuplicateNIK(_("NIK sudah terdaftar."), field="nik")
    person = Person(
        nik=nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        address_regency=address_regency,
        phone=phone or "",
        nik_override_reason=override_reason if not check.ok else "",
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise DuplicateNIK(_("NIK sudah terdaftar."), field="nik") from exc
    extra: dict[str, Any] = {}
    if not check.ok:
        extra["nik_override"] = {
            "reason": override_reason,
            "birth_date_matches": check.birth_date_matches,
            "sex_matches": check.sex_matches,
            "nik_birth_date": check.info.birth_date,
            "nik_sex": check.info.sex,
        }
    _created(actor, person, **extra)
    return person


def get_or_register_person(*, person: Person | PersonFacts, actor: User = None) -> Person:
    """The stored person with the facts' NIK (stored facts win), or a newly registered one."""
    if isinstance(person, Person):
        return person
    existing = Person.objects.filter(nik=person.nik.strip()).first()
    if existing is not None:
        return existing
    return register_person(**dataclasses.asdict(person), actor=actor)


@transaction.atomic
def register_participant(
    *,
    person: Person,
    registering_office: Office,
    registered_on: date | None = None,
    actor: User = None,
) -> Participant:
    """The person's participant (one KPJ for life): the existing one, or a new one with a generated KPJ."""
    existing = Participant.objects.filter(person=person).first()
    if existing is not None:
        return existing
    participant = Participant.objects.create(
        person=person,
        kpj_number=identifiers.next_kpj(),
        registered_on=registered_on or _today(),
        registering_office=registering_office,
    )
    _created(actor, participant)
    return participant


# ------------------------------------------------------------------------------------------ employers

_KBLI = re.compile(r"^[0-9]{5}$")
_NPWP = re.compile(r"^[0-9]{15,16}$")


@transaction.atomic
def register_employer(
    *,
    name: str,
    legal_form: str,
    kbli: str,
    size_class: str,
    risk_group: int,
    regency: Regency,
    kind: str = Employer.Kind.BUSINESS,
    npwp: str = "",
    labour_intensive: bool = False,
    registered_on: date | None = None,
    actor: User = None,
) -> Employer:
    """A new employer with a generated NPP, served by the branch office of its regency."""
    name = (name or "").strip()
    if not name:
        raise InvalidValue(_("Nama pemberi kerja wajib diisi."), field="name")
    if kind not in Employer.Kind.values:
        raise InvalidValue(_("Jenis pemberi kerja tidak dikenal."), field="kind")
    if legal_form not in Employer.LegalForm.values:
        raise InvalidValue(_("Bentuk badan hukum tidak dikenal."), field="legal_form")
    if size_class not in Employer.Size.values:
        raise InvalidValue(
            _("Skala usaha harus micro, small, medium atau large."), field="size_class"
        )
    if not _KBLI.match(kbli or ""):
        raise InvalidValue(_("KBLI harus 5 digit angka."), field="kbli")
    npwp = (npwp or "").replace(".", "").replace("-", "").strip()
    if npwp and not _NPWP.match(npwp):
        raise InvalidValue(_("NPWP harus 15 atau 16 digit angka."), field="npwp")
    if isinstance(risk_group, bool) or not isinstance(risk_group, int) or not 1 <= risk_group <= 5:
        raise InvalidValue(_("Kelompok risiko JKK harus 1 sampai 5."), field="risk_group")
    office = _office_of(regency, "regency")
    employer = Employer.objects.create(
        npp=identifiers.next_npp(),
        kind=kind,
        name=name,
        legal_form=legal_form,
        npwp=npwp,
        kbli=kbli,
        size_class=size_class,
        risk_group=risk_group,
        labour_intensive=labour_intensive,
        regency=regency,
        office=office,
        registered_on=registered_on or _today(),
    )
    _created(actor, employer)
    return employer


# -------------------------------------------------------------------------------------- memberships


@transaction.atomic
def register_pu_worker(
    *,
    employer: Employer,
    person: Person | PersonFacts,
    wage: int,
    start_date: date,
    programs: Sequence[str] | None = None,
    registered_on: date | None = None,
    actor: User = None,
) -> Membership:
    """A wage earner (PU) of ``employer``: programs by employer size and age, one active membership per
    person and employer, late flag after 30 days, initial reported wage."""
    registered_on = registered_on or _today()
    wage = _money(wage, "wage", _("Upah"))
    if employer.status == Employer.Status.CLOSED:
        raise InvalidValue(_("Pemberi kerja sudah tutup."), field="employer")
    the_person = get_or_register_person(person=person, actor=actor)
    if the_person.death_date is not None:
        raise InvalidValue(_("Orang ini tercatat sudah meninggal dunia."), field="nik")
    if start_date < the_person.birth_date:
        raise InvalidValue(_("Tanggal mulai bekerja sebelum tanggal lahir."), field="start_date")
    if programs is None:
        programs = default_pu_programs(
            size_class=employer.size_class,
            birth_date=the_person.birth_date,
            start_date=start_date,
            registered_on=registered_on,
        )
    else:
        programs = [str(p).upper() for p in programs]
    check_pu_programs(
        programs=programs,
        size_class=employer.size_class,
        birth_date=the_person.birth_date,
        start_date=start_date,
        registered_on=registered_on,
    )
    participant = register_participant(
        person=the_person,
        registering_office=employer.office,
        registered_on=registered_on,
        actor=actor,
    )
    if Membership.objects.filter(
        participant=participant, employer=employer, end_date__isnull=True
    ).exists():
        raise AlreadyActiveMember(
            _("Pekerja sudah menjadi peserta aktif pemberi kerja %(npp)s.") % {"npp": employer.npp},
            field="nik",
        )
    membership = _save_membership(
        Membership(
            participant=participant,
            segment=Membership.Segment.PU,
            employer=employer,
            payer=Membership.Payer.EMPLOYER,
            start_date=start_date,
            office=employer.office,
            registered_on=registered_on,
            late_registration=(registered_on - start_date).days > LATE_REGISTRATION_DAYS,
            **_programs_kwargs(programs),
        )
    )
    ReportedWage.objects.create(
        membership=membership, effective_month=_first_of_month(start_date), amount=wage
    )
    _created(actor, membership, wage=wage, programs=list(programs))
    return membership


@transaction.atomic
def register_bpu_worker(
    *,
    person: Person | PersonFacts,
    declared_income: int,
    programs: Sequence[str] | None = None,
    payer: str = Membership.Payer.SELF,
    start_date: date | None = None,
    registered_on: date | None = None,
    actor: User = None,
) -> Membership:
    """A non-wage earner (BPU): JKK+JKM, optionally JHT, never JP or JKP; income ≥ the lowest tier."""
    registered_on = registered_on or _today()
    start_date = start_date or registered_on
    declared_income = _money(declared_income, "declared_income", _("Penghasilan"))
    programs = ["JKK", "JKM"] if programs is None else [str(p).upper() for p in programs]
    _check_known(programs)
    if "JP" in programs or "JKP" in programs:
        raise ProgramRuleViolation(
            _("Peserta BPU tidak dapat mengikuti JP atau JKP."), field="programs"
        )
    if "JKK" not in programs or "JKM" not in programs:
        raise ProgramRuleViolation(_("Peserta BPU wajib mengikuti JKK dan JKM."), field="programs")
    if payer not in (Membership.Payer.SELF, Membership.Payer.SPONSOR):
        raise InvalidValue(
            _("Pembayar iuran BPU harus peserta sendiri (self) atau penyandang dana (sponsor)."),
            field="payer",
        )
    bpu_lowest_tier_check(declared_income=declared_income, month=start_date, programs=programs)
    the_person = get_or_register_person(person=person, actor=actor)
    office = _office_of(the_person.address_regency, "address_regency")
    participant = register_participant(
        person=the_person, registering_office=office, registered_on=registered_on, actor=actor
    )
    if Membership.objects.filter(
        participant=participant, segment=Membership.Segment.BPU, end_date__isnull=True
    ).exists():
        raise AlreadyActiveMember(_("Peserta sudah memiliki kepesertaan BPU aktif."), field="nik")
    membership = _save_membership(
        Membership(
            participant=participant,
            segment=Membership.Segment.BPU,
            payer=payer,
            start_date=start_date,
            office=office,
            registered_on=registered_on,
            **_programs_kwargs(programs),
        )
    )
    ReportedWage.objects.create(
        membership=membership, effective_month=_first_of_month(start_date), amount=declared_income
    )
    _created(actor, membership, declared_income=declared_income, programs=list(programs))
    return membership


@transaction.atomic
def register_project(
    *,
    contractor: Employer,
    owner_type: str,
    name: str,
    contract_value: int,
    start_date: date,
    end_date: date,
    regency: Regency,
    registered_on: date | None = None,
    actor: User = None,
) -> ConstructionProject:
    """A construction project (Jakon) of a contractor, served by the branch office of its regency."""
    name = (name or "").strip()
    if not name:
        raise InvalidValue(_("Nama proyek wajib diisi."), field="name")
    if owner_type not in ConstructionProject.OwnerType.values:
        raise InvalidValue(_("Pemilik proyek harus APBN, APBD atau private."), field="owner_type")
    if (
        isinstance(contract_value, bool)
        or not isinstance(contract_value, int)
        or contract_value <= 0
    ):
        raise InvalidValue(
            _("Nilai kontrak harus bilangan bulat rupiah > 0."), field="contract_value"
        )
    if end_date < start_date:
        raise InvalidValue(_("Tanggal selesai proyek sebelum tanggal mulai."), field="end_date")
    office = _office_of(regency, "regency")
    project = ConstructionProject.objects.create(
        contractor=contractor,
        owner_type=owner_type,
        name=name,
        contract_value=contract_value,
        start_date=start_date,
        end_date=end_date,
        regency=regency,
        office=office,
        registered_on=registered_on or _today(),
    )
    _created(actor, project)
    return project


@transaction.atomic
def add_project_worker(
    *,
    project: ConstructionProject,
    person: Person | PersonFacts,
    start_date: date | None = None,
    registered_on: date | None = None,
    actor: User = None,
) -> Membership:
    """A worker on a construction project: a JAKON membership (JKK+JKM) of the project's contractor."""
    registered_on = registered_on or _today()
    start_date = start_date or max(project.start_date, registered_on)
    if start_date > project.end_date:
        raise InvalidValue(_("Tanggal mulai setelah proyek selesai."), field="start_date")
    the_person = get_or_register_person(person=person, actor=actor)
    participant = register_participant(
        person=the_person,
        registering_office=project.office,
        registered_on=registered_on,
        actor=actor,
    )
    if Membership.objects.filter(
        participant=participant, employer_id=project.contractor_id, end_date__isnull=True
    ).exists():
        raise AlreadyActiveMember(
            _("Pekerja sudah memiliki kepesertaan aktif pada kontraktor ini."), field="nik"
        )
    membership = _save_membership(
        Membership(
            participant=participant,
            segment=Membership.Segment.JAKON,
            employer_id=project.contractor_id,
            project=project,
            payer=Membership.Payer.EMPLOYER,
            start_date=start_date,
            office=project.office,
            registered_on=registered_on,
            **_programs_kwargs(["JKK", "JKM"]),
        )
    )
    _created(actor, membership)
    return membership


@transaction.atomic
def register_pmi_worker(
    *,
    person: Person | PersonFacts,
    destination: str,
    contract_months: int,
    start_date: date,
    programs: Sequence[str] | None = None,
    payer: str = Membership.Payer.SELF,
    registered_on: date | None = None,
    jht_monthly: int | None = None,
    actor: User = None,
) -> Membership:
    """An Indonesian migrant worker (PMI): JKK+JKM, optionally JHT. With JHT, ``jht_monthly`` is
    the amount chosen per month among the options in force in the registration month (rules
    ``contribution.pmi``); the PMI bill carries it for the whole contract."""
    registered_on = registered_on or _today()
    programs = ["JKK", "JKM"] if programs is None else [str(p).upper() for p in programs]
    _check_known(programs)
    if not {"JKK", "JKM"} <= set(programs) or {"JP", "JKP"} & set(programs):
        raise ProgramRuleViolation(
            _("Peserta PMI mengikuti JKK dan JKM, dapat ditambah JHT."), field="programs"
        )
    if (
        isinstance(contract_months, bool)
        or not isinstance(contract_months, int)
        or not 1 <= contract_months <= 120
    ):
        raise InvalidValue(_("Lama kontrak PMI harus 1 sampai 120 bulan."), field="contract_months")
    destination = (destination or "").strip()
    if not destination:
        raise InvalidValue(_("Negara penempatan wajib diisi."), field="destination")
    pmi_jht_check(
        jht_monthly=jht_monthly,
        with_jht="JHT" in programs,
        contract_months=contract_months,
        month=registered_on,
    )
    the_person = get_or_register_person(person=person, actor=actor)
    office = _office_of(the_person.address_regency, "address_regency")
    participant = register_participant(
        person=the_person, registering_office=office, registered_on=registered_on, actor=actor
    )
    if Membership.objects.filter(
        participant=participant, segment=Membership.Segment.PMI, end_date__isnull=True
    ).exists():
        raise AlreadyActiveMember(_("Peserta sudah memiliki kepesertaan PMI aktif."), field="nik")
    membership = _save_membership(
        Membership(
            participant=participant,
            segment=Membership.Segment.PMI,
            payer=payer,
            start_date=start_date,
            office=office,
            registered_on=registered_on,
            pmi_contract_months=contract_months,
            pmi_destination=destination[:80],
            pmi_jht_monthly=jht_monthly,
            **_programs_kwargs(programs),
        )
    )
    _created(actor, membership)
    return membership


@transaction.atomic
def end_membership(
    *, membership: Membership, end_date: date, reason: str, actor: User = None
) -> Membership:
    """End an active membership on ``end_date`` for ``reason`` (a Membership.EndReason)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.end_date is not None:
        raise MembershipEnded(_("Kepesertaan ini sudah berakhir."), field="end_date")
    if reason not in Membership.EndReason.values:
        raise InvalidValue(
            _("Alasan berakhir tidak dikenal: %(reasons)s.")
            % {"reasons": ", ".join(Membership.EndReason.values)},
            field="reason",
        )
    if end_date < membership.start_date:
        raise InvalidValue(_("Tanggal berakhir sebelum tanggal mulai."), field="end_date")
    membership.end_date, membership.end_reason = end_date, reason
    membership.save(update_fields=["end_date", "end_reason"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        obj=membership,
        changes={"end_date": [None, end_date], "end_reason": ["", reason]},
    )
    return membership


@transaction.atomic
def report_wage(
    *, membership: Membership, month: date, amount: int, actor: User = None
) -> ReportedWage:
    """Upsert the wage (PU) or declared income (BPU) in force from ``month``."""
    amount = _money(amount, "amount", _("Upah"))
    if membership.segment not in (Membership.Segment.PU, Membership.Segment.BPU):
        raise InvalidValue(
            _("Upah hanya dilaporkan untuk kepesertaan PU atau BPU."), field="membership"
        )
    month = _first_of_month(month)
    if month < _first_of_month(membership.start_date):
        raise InvalidValue(_("Bulan upah sebelum kepesertaan dimulai."), field="month")
    if membership.end_date is not None and month > membership.end_date:
        raise InvalidValue(_("Bulan upah setelah kepesertaan berakhir."), field="month")
    if membership.segment == Membership.Segment.BPU:
        bpu_lowest_tier_check(declared_income=amount, month=month, programs=membership.programs)
    wage = (
        ReportedWage.objects.select_for_update()
        .filter(membership=membership, effective_month=month)
        .first()
    )
    if wage is None:
        wage = ReportedWage.objects.create(
            membership=membership, effective_month=month, amount=amount
        )
        audit.record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            obj=wage,
            changes={"membership": membership.pk, "effective_month": month, "amount": amount},
        )
    elif wage.amount != amount:
        old = wage.amount
        wage.amount = amount
        wage.updated_at = timezone.now()  # billed months are corrected from it (billing.py)
        wage.save(update_fields=["amount", "updated_at"])
        audit.record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            obj=wage,
            changes={"amount": [old, amount]},
        )
    return wage


@transaction.atomic
def add_dependant(
    *,
    participant: Participant,
    name: str,
    relation: str,
    birth_date: date,
    nik: str = "",
    school_level: str = "",
    person: Person | None = None,
    actor: User = None,
) -> Dependant:
    """A spouse, child or parent of a participant (NIK optional, checked when given)."""
    name = (name or "").strip() or (person.name if person else "")
    if not name:
        raise InvalidValue(_("Nama tanggungan wajib diisi."), field="name")
    if relation not in Dependant.Relation.values:
        raise InvalidValue(_("Hubungan harus spouse, child atau parent."), field="relation")
    if school_level not in Dependant.SchoolLevel.values:
        raise InvalidValue(_("Jenjang sekolah tidak dikenal."), field="school_level")
    nik = (nik or "").strip()
    if nik:
        check = check_nik(nik, birth_date=birth_date, sex=None)
        if not check.info.valid:
            raise InvalidNIK(nik_error_message(check.info.error), field="nik")
        if not check.birth_date_matches:
            raise NikMismatch(
                _("Tanggal lahir tidak sesuai dengan NIK."),
                field="birth_date",
                code="nik_birth_date_mismatch",
            )
    dependant = Dependant.objects.create(
        participant=participant,
        person=person,
        name=name,
        relation=relation,
        birth_date=birth_date,
        nik=nik,
        school_level=school_level,
    )
    _created(actor, dependant)
    return dependant
