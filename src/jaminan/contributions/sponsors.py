"""Sponsors who pay the JKK + JKM contributions of named vulnerable workers (issue 5, item 5).

A :class:`~jaminan.contributions.models.Sponsor` (a regency or province from its APBD, a village from
its APBDes, an individual donor, a civil servant's Bapak Asuh, a company's CSR, ...) runs
:class:`~jaminan.contributions.models.SponsorshipProgram`\\ s: a period of contribution months, a budget
ceiling and named beneficiaries. Each beneficiary is a BPU membership (JKK + JKM) whose payer is the
sponsor, registered through :func:`jaminan.registry.services.register_bpu_worker` with the program's
declared income, plus a :class:`~jaminan.contributions.models.Beneficiary` row that tells the billing
run which sponsor pays for the membership.

Money comes from the rules only:

* the budget calculator is the rules' ``budget.sponsorship`` (``workers``, ``months``, ``start_month``,
  ``government_funded`` from the sponsor's kind);
* the cost of a program's beneficiaries is, per beneficiary and covered month, the rules'
  ``contribution.bpu`` total for the program's declared income (JKK + JKM, sector "other"), with the
  PP 50/2025 discount unless the sponsor is government funded (``Sponsor.GOVERNMENT_FUNDED``). At the
  lowest income tier this is exactly ``budget.sponsorship`` (a test holds the two together).

A beneficiary is *covered* in a month of the program from the month its membership starts to the month
it ends (inclusive). Enrolment is refused (``budget_exceeded``) when the cost of all beneficiaries,
existing and new, over the program's months would exceed the ceiling; a person who already has an
active BPU membership (in this program or not) is refused first (``already_member``). The people a
program covers on a day are its beneficiaries whose membership has not ended before that day, as long
as the program's last month is not over.

End of a program (:func:`end_program`): the beneficiaries' memberships still active end on the last day
of the program's last month (earlier when the program is cancelled early) with end reason
``contract_ended`` ("kontrak berakhir"): the sponsorship agreement that paid for the cover ended, which
is the nearest of the registry's reasons — the worker did not resign, retire or die. A membership whose
first day had not come when its program ended *never started*: the registry has no end before the start
(constraint ``membership_end_consistent``, ``end_membership``), so it ends on its start date with that
reason, and the sponsor screens count it neither as covered nor as committed (:func:`never_started`).
Thirty days before the last day of a program's last month, :func:`expiring_programs` lists the people
who will lose cover (``jaminan sponsors alerts``, the sponsor page). A program still running after its
last month is *lapsed*: it covers nobody, :func:`lapsed_programs` flags it ("program sudah berakhir,
belum ditutup", with its memberships still open) until :func:`end_lapsed_programs` ends it — the
billing run calls it before billing a month, as do ``jaminan sponsors end`` and ``jaminan
demo-activity``.

Beneficiary lists (CSV or XLSX, header ``nik,nama,tanggal_lahir,jenis_kelamin``) are validated row by row
into the registry's report ``baris,kolom,kode,pesan`` and applied set-based in one transaction (or not at
all on a dry run). A person already in the registry keeps their data; a new person is recorded as a
resident of the sponsor's regency (the sponsor covers its own residents), whose branch office serves the
membership (the sponsor's office when the sponsor has no regency).

Writes are keyword-only, atomic and audited; reads (the second half of this module) are scoped with
``scope_queryset`` and reads of personal data are audited.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from jaminan import rules
from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.contributions import billing
from jaminan.contributions.models import (
    Beneficiary,
    Bill,
    BillLine,
    PayerAccount,
    Sponsor,
    SponsorshipProgram,
)
from jaminan.geo.models import Office, Regency
from jaminan.geo.zones import institution_today
from jaminan.registry import identifiers
from jaminan.registry.errors import (
    AlreadyActiveMember,
    InvalidValue,
    NotFound,
    ProgramRuleViolation,
    RegistryError,
)
from jaminan.registry.imports import (
    ImportFileError,
    Issue,
    _insert,
    nik_issues,
    report_csv,
    report_xlsx,
)
from jaminan.registry.models import Membership, Participant, Person, ReportedWage, Sex
from jaminan.registry.services import PersonFacts, bpu_lowest_tier_check, register_bpu_worker
from jaminan.registry.tabular import (
    ROW_TOO_WIDE,
    ROW_TOO_WIDE_MESSAGE,
    cell_text,
    parse_date,
    read_table,
    row_too_wide,
)
from jaminan.rules import parameters
from jaminan.rules.core import add_months, last_day, months_between

User = AbstractBaseUser | AnonymousUser | None

#: Programs a sponsor pays for (PP 44/2015 Pasal 20: BPU JKK + JKM).
PROGRAMS = ("JKK", "JKM")
#: Why a sponsored membership ends with its program (see the module docstring).
END_REASON = Membership.EndReason.CONTRACT_ENDED
#: Days before the last day of a program's last month from which its beneficiaries are listed.
ALERT_DAYS = 30
#: Longest program, in months (ten years).
MAX_PROGRAM_MONTHS = 120
#: Contribution months the system accepts (the rules' BPU parameters start in July 2015).
FIRST_MONTH = date(2015, 7, 1)
LAST_MONTH = date(2099, 12, 1)
#: Neighbours one donor may name on the "Lindungi Pekerja Sekitar Anda" form.
DONOR_MAX_NEIGHBOURS = 5
DONOR_PROGRAM_NAME = "Lindungi Pekerja Sekitar Anda"
#: Sponsors who may use the donor form themselves, signed in as their sponsor user: people.
DONOR_KINDS = frozenset({Sponsor.Kind.INDIVIDUAL, Sponsor.Kind.BAPAK_ASUH})
#: Code prefix of a generated sponsor code, by kind.
CODE_PREFIX = {
    Sponsor.Kind.PROVINCE: "PROV",
    Sponsor.Kind.REGENCY: "APBD",
    Sponsor.Kind.VILLAGE: "DESA",
    Sponsor.Kind.INDIVIDUAL: "DON",
    Sponsor.Kind.BAPAK_ASUH: "BAS",
    Sponsor.Kind.CSR: "CSR",
    Sponsor.Kind.OTHER: "LAIN",
}
CODE_SEQUENCE = "sponsor"
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.-]{2,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 -]{6,20}$")


# ------------------------------------------------------------------------------------------ errors


class SponsorError(RegistryError):
    """A broken sponsorship rule (same shape as the registry's errors: code, field, message)."""

    code = "sponsor_error"


class BudgetExceeded(SponsorError):
    status = 409
    code = "budget_exceeded"


class ProgramClosed(SponsorError):
    status = 409
    code = "program_closed"


# ------------------------------------------------------------------------------------------ months


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=last_day(month.year, month.month))


def months_of(start_month: date, end_month: date) -> list[date]:
    return [add_months(start_month, i) for i in range(months_between(start_month, end_month) + 1)]


def program_last_day(program: SponsorshipProgram) -> date:
    return month_end(program.end_month)


def is_lapsed(program: SponsorshipProgram, on: date) -> bool:
    """Still running (status active) although its last month ended before ``on``."""
    return (
        program.status == SponsorshipProgram.Status.ACTIVE
        and program.end_month < first_of_month(on)
    )


def never_started(start: date, end: date | None, end_reason: str) -> bool:
    """A sponsored membership whose program ended before its first day (see the module docstring)."""
    return end is not None and end == start and end_reason == END_REASON


def _covered_q(on: date, *, program: str = "program__", beneficiary: str = "") -> Q:
    """Beneficiary rows covered on ``on`` (``program``, ``beneficiary``: the paths to the program and
    the beneficiary): the program's last month is not over, the membership has not ended before
    ``on`` and did not end unstarted (:func:`never_started`)."""
    m = f"{beneficiary}membership__"
    return (
        Q(**{f"{program}end_month__gte": first_of_month(on)})
        & (Q(**{f"{m}end_date__isnull": True}) | Q(**{f"{m}end_date__gte": on}))
        & (Q(**{f"{m}end_date__gt": F(f"{m}start_date")}) | ~Q(**{f"{m}end_reason": END_REASON}))
    )


def _check_month(value: Any, field: str) -> date:
    if not isinstance(value, date):
        raise InvalidValue(_("Bulan tidak sah."), field=field)
    month = first_of_month(value)
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise InvalidValue(
            _("Bulan harus antara Juli 2015 dan Desember 2099."), field=field, code="month_range"
        )
    return month


# --------------------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class MonthAmount:
    """One person's contribution for one month (rules ``contribution.bpu``)."""

    month: date
    gross: int
    discount: int
    total: int


@lru_cache(maxsize=4096)
def monthly_amount(
    month: date, declared_income: int, government_funded: bool, sector: str = "other"
) -> MonthAmount:
    """JKK + JKM of one sponsored worker for ``month`` (PP 44/2015 Pasal 20; PP 50/2025 Pasal 3-4:
    the discount period depends on the membership's BPU sector, transport or other)."""
    out = rules.calculate(
        "contribution.bpu",
        {
            "month": f"{month:%Y-%m}",
            "declared_income": declared_income,
            "programs": list(PROGRAMS),
            "sector": sector,
            "government_funded": government_funded,
        },
    )
    return MonthAmount(month, int(out["gross"]), int(out["discount"]), int(out["total"]))


def income_minimum(month: date) -> int:
    """The lowest BPU income tier in force in ``month`` (rules parameter ``bpu.income_minimum``)."""
    return int(parameters.get("bpu.income_minimum", month, fact="month").value)


def income_maximum(month: date) -> int:
    """The highest BPU income tier in force in ``month`` (rules parameter ``bpu.income_maximum``)."""
    return int(parameters.get("bpu.income_maximum", month, fact="month").value)


def _check_income(declared_income: int, months: Sequence[date]) -> None:
    """The declared income lies within the BPU income tiers of every month, said in Indonesian (the
    rules engine words its own refusal in English for developers)."""
    for month in months:
        lowest, highest = income_minimum(month), income_maximum(month)
        if declared_income < lowest:
            raise ProgramRuleViolation(
                _(
                    "Penghasilan yang dilaporkan %(amount)s di bawah tingkat penghasilan BPU terendah "
                    "%(limit)s (bulan %(month)s)."
                )
                % {"amount": _rp(declared_income), "limit": _rp(lowest), "month": f"{month:%m/%Y}"},
                field="declared_income",
                code="income_below_lowest_tier",
            )
        if declared_income > highest:
            raise ProgramRuleViolation(
                _(
                    "Penghasilan yang dilaporkan %(amount)s di atas tingkat penghasilan BPU tertinggi "
                    "%(limit)s (bulan %(month)s)."
                )
                % {
                    "amount": _rp(declared_income),
                    "limit": _rp(highest),
                    "month": f"{month:%m/%Y}",
                },
                field="declared_income",
                code="income_above_highest_tier",
            )


def calculate_budget(
    *, workers: int, months: int, start_month: date, government_funded: bool
) -> dict[str, Any]:
    """The rules' ``budget.sponsorship``: ``{"per_month": [...], "total": N, "months": [date, ...],
    "per_worker": [MonthAmount, ...]}`` (per-worker amounts at the lowest income tier, for display)."""
    start_month = _check_month(start_month, "start_month")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= 10_000_000:
        raise InvalidValue(_("Jumlah pekerja harus 0 sampai 10.000.000."), field="workers")
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not 1 <= months <= MAX_PROGRAM_MONTHS
    ):
        raise InvalidValue(
            _("Jumlah bulan harus 1 sampai %(max)s.") % {"max": MAX_PROGRAM_MONTHS}, field="months"
        )
    if add_months(start_month, months - 1) > LAST_MONTH:
        raise InvalidValue(_("Periode melewati Desember 2099."), field="months")
    try:
        out = rules.calculate(
            "budget.sponsorship",
            {
                "workers": workers,
                "months": months,
                "start_month": f"{start_month:%Y-%m}",
                "government_funded": government_funded,
            },
        )
    except rules.RulesError as exc:
        raise InvalidValue(str(exc), field=exc.fact) from exc
    month_list = [add_months(start_month, i) for i in range(months)]
    return {
        "per_month": [int(x) for x in out["per_month"]],
        "total": int(out["total"]),
        "months": month_list,
        "per_worker": [monthly_amount(m, income_minimum(m), government_funded) for m in month_list],
    }


def per_worker_amounts(program: SponsorshipProgram, sector: str = "other") -> list[MonthAmount]:
    """What one beneficiary (of a BPU ``sector``) covered for the whole program costs, month by month."""
    return [
        monthly_amount(m, program.declared_income, program.sponsor.government_funded, sector)
        for m in months_of(program.start_month, program.end_month)
    ]


def _covered_cost(
    program: SponsorshipProgram, amounts: list[MonthAmount], start: date, end: date | None
) -> int:
    """Cost of one beneficiary whose membership runs from ``start`` to ``end`` (None: open)."""
    first = max(first_of_month(start), program.start_month)
    last = program.end_month if end is None else min(first_of_month(end), program.end_month)
    if last < first:
        return 0
    i = months_between(program.start_month, first)
    j = months_between(program.start_month, last)
    return sum(a.total for a in amounts[i : j + 1])


def committed_cost(program: SponsorshipProgram) -> int:
    """Cost of all the program's beneficiaries over the program's months (one grouped query); a
    membership that never started costs nothing."""
    amounts: dict[str, list[MonthAmount]] = {}
    rows = (
        Beneficiary.objects.filter(program=program)
        .values_list(
            "membership__start_date",
            "membership__end_date",
            "membership__end_reason",
            "membership__bpu_sector",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    total = 0
    for start, end, reason, sector, n in rows:
        if never_started(start, end, reason):
            continue
        if sector not in amounts:
            amounts[sector] = per_worker_amounts(program, sector)
        total += n * _covered_cost(program, amounts[sector], start, end)
    return total


def enrolment_start(program: SponsorshipProgram, on: date) -> date:
    """A new beneficiary is covered from the program's start or the current month, whichever is later."""
    return max(program.start_month, first_of_month(on))


def _check_open(program: SponsorshipProgram, on: date) -> date:
    if program.status != SponsorshipProgram.Status.ACTIVE:
        raise ProgramClosed(
            _("Program %(name)s sudah %(status)s.")
            % {"name": program.name, "status": program.get_status_display()},
            field="program",
        )
    start = enrolment_start(program, on)
    if start > program.end_month:
        raise ProgramClosed(
            _("Program %(name)s sudah berakhir pada %(month)s.")
            % {"name": program.name, "month": f"{program.end_month:%m/%Y}"},
            field="program",
        )
    return start


def _budget_error(program: SponsorshipProgram, committed: int, extra: int) -> BudgetExceeded:
    return BudgetExceeded(
        _(
            "Pagu anggaran terlampaui: biaya penerima manfaat menjadi %(total)s, pagu %(ceiling)s "
            "(sudah terikat %(committed)s)."
        )
        % {
            "total": _rp(committed + extra),
            "ceiling": _rp(program.budget_ceiling),
            "committed": _rp(committed),
        },
        field="budget_ceiling",
    )


def _rp(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


# ------------------------------------------------------------------------------------------ writes


def _created(actor: User, obj: Any, **extra: Any) -> None:
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        obj=obj,
        changes={**audit.model_changes(None, obj), **extra},
    )


def _today() -> date:
    return institution_today()


def _money(value: Any, field: str, label: str, *, positive: bool = False) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < (1 if positive else 0)
        or value > 10**15
    ):
        raise InvalidValue(
            _("%(label)s harus bilangan bulat rupiah ≥ %(min)s.")
            % {"label": label, "min": 1 if positive else 0},
            field=field,
        )
    return value


def _new_code(kind: str) -> str:
    prefix = CODE_PREFIX[Sponsor.Kind(kind)]
    while True:
        code = f"{prefix}-{identifiers.allocate(CODE_SEQUENCE, 1)[0]:06d}"
        if not Sponsor.objects.filter(code=code).exists():
            return code


@transaction.atomic
def create_sponsor(
    *,
    kind: str,
    name: str,
    regency: Regency | None = None,
    office: Office | None = None,
    code: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    actor: User = None,
) -> Sponsor:
    """A new sponsor; its code is generated (``APBD-000123``) unless given, its office is the branch
    office of its regency (an explicit ``office`` is needed only without a regency)."""
    if kind not in Sponsor.Kind.values:
        raise InvalidValue(_("Jenis penyandang dana tidak dikenal."), field="kind")
    name = (name or "").strip()
    if not name:
        raise InvalidValue(_("Nama penyandang dana wajib diisi."), field="name")
    if len(name) > 200:
        raise InvalidValue(_("Nama paling panjang 200 karakter."), field="name")
    if kind in (Sponsor.Kind.REGENCY, Sponsor.Kind.VILLAGE) and regency is None:
        raise InvalidValue(
            _("Kabupaten/kota wajib diisi untuk pemerintah kabupaten/kota atau desa."),
            field="regency",
        )
    if regency is not None:
        if regency.branch_office_id is None:
            raise InvalidValue(
                _("Kabupaten/kota %(name)s belum memiliki kantor cabang.") % {"name": regency.name},
                field="regency",
            )
        office = regency.branch_office
    if office is None:
        raise InvalidValue(
            _("Kabupaten/kota (atau kantor cabang) wajib diisi untuk menentukan kantor cabang."),
            field="regency",
        )
    contact_name = (contact_name or "").strip()[:150]
    contact_phone = (contact_phone or "").strip()
    contact_email = (contact_email or "").strip()
    if contact_phone and not _PHONE.match(contact_phone):
        raise InvalidValue(_("Nomor telepon tidak sah."), field="contact_phone")
    if contact_email and (len(contact_email) > 254 or not _EMAIL.match(contact_email)):
        raise InvalidValue(_("Alamat surel tidak sah."), field="contact_email")
    if code:
        code = code.strip().upper()
        if not CODE_PATTERN.match(code):
            raise InvalidValue(
                _("Kode: 3-40 huruf besar, angka, titik atau tanda hubung."), field="code"
            )
        if Sponsor.objects.filter(code=code).exists():
            raise SponsorError(
                _("Kode penyandang dana sudah dipakai."), field="code", code="code_taken"
            )
    else:
        code = _new_code(kind)
    sponsor = Sponsor.objects.create(
        code=code,
        kind=kind,
        name=name,
        regency=regency,
        office=office,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
    )
    _created(actor, sponsor)
    billing.ensure_payer_account(sponsor=sponsor)
    return sponsor


@transaction.atomic
def create_program(
    *,
    sponsor: Sponsor,
    name: str,
    start_month: date,
    end_month: date,
    budget_ceiling: int,
    declared_income: int | None = None,
    actor: User = None,
) -> SponsorshipProgram:
    """A program of ``sponsor`` over ``start_month``..``end_month`` (first days; any day is moved to the
    first of its month) with a budget ceiling; declared income defaults to the lowest BPU tier."""
    name = (name or "").strip()
    if not name:
        raise InvalidValue(_("Nama program wajib diisi."), field="name")
    if len(name) > 200:
        raise InvalidValue(_("Nama paling panjang 200 karakter."), field="name")
    start_month = _check_month(start_month, "start_month")
    end_month = _check_month(end_month, "end_month")
    if end_month < start_month:
        raise InvalidValue(_("Bulan terakhir sebelum bulan mulai."), field="end_month")
    if months_between(start_month, end_month) + 1 > MAX_PROGRAM_MONTHS:
        raise InvalidValue(
            _("Program paling lama %(max)s bulan.") % {"max": MAX_PROGRAM_MONTHS},
            field="end_month",
        )
    budget_ceiling = _money(budget_ceiling, "budget_ceiling", _("Pagu anggaran"))
    if declared_income is None:
        declared_income = income_minimum(start_month)
    declared_income = _money(
        declared_income, "declared_income", _("Penghasilan yang dilaporkan"), positive=True
    )
    _check_income(declared_income, months_of(start_month, end_month))
    for month in {start_month, end_month}:
        bpu_lowest_tier_check(declared_income=declared_income, month=month, programs=PROGRAMS)
    program = SponsorshipProgram.objects.create(
        sponsor=sponsor,
        name=name,
        start_month=start_month,
        end_month=end_month,
        budget_ceiling=budget_ceiling,
        declared_income=declared_income,
    )
    _created(actor, program)
    return program


def _person_arg(person: Person | PersonFacts | str, sponsor: Sponsor) -> Person | PersonFacts:
    """An existing person (object or NIK) or facts of a new one (resident of the sponsor's regency
    unless the facts say otherwise)."""
    if isinstance(person, str):
        found = Person.objects.filter(nik=person.strip()).first()
        if found is None:
            raise NotFound(_("NIK tidak terdaftar; isi data orangnya."), field="nik")
        return found
    if isinstance(person, PersonFacts) and person.address_regency is None:
        return dataclasses.replace(person, address_regency=sponsor.regency)
    return person


def _check_not_member(program: SponsorshipProgram, nik: str) -> None:
    """A person with an active BPU membership is refused before the budget is looked at (the
    registry refuses them too, but a full program would otherwise answer ``budget_exceeded``)."""
    active = (
        Membership.objects.filter(
            participant__person__nik=nik.strip(),
            segment=Membership.Segment.BPU,
            end_date__isnull=True,
        )
        .values_list("sponsorship__program_id", "start_date")
        .first()
    )
    if active is None:
        return
    program_id, since = active
    if program_id == program.pk:
        raise AlreadyActiveMember(
            _("NIK sudah menjadi penerima manfaat program ini sejak %(since)s.")
            % {"since": f"{since:%d/%m/%Y}"},
            field="nik",
        )
    raise AlreadyActiveMember(_("Peserta sudah memiliki kepesertaan BPU aktif."), field="nik")


@transaction.atomic
def enrol_beneficiary(
    *,
    program: SponsorshipProgram,
    person: Person | PersonFacts | str,
    on: date | None = None,
    actor: User = None,
) -> Beneficiary:
    """Name a beneficiary: a BPU membership (JKK + JKM, the program's declared income, payer sponsor)
    from ``max(program start, this month)``, refused past the budget ceiling."""
    on = on or _today()
    program = (
        SponsorshipProgram.objects.select_for_update(of=("self",))
        .select_related("sponsor", "sponsor__regency")
        .get(pk=program.pk)
    )
    start = _check_open(program, on)
    the_person = _person_arg(person, program.sponsor)
    _check_not_member(program, the_person.nik)
    amounts = per_worker_amounts(program)
    extra = _covered_cost(program, amounts, start, None)
    committed = committed_cost(program)
    if committed + extra > program.budget_ceiling:
        raise _budget_error(program, committed, extra)
    membership = register_bpu_worker(
        person=the_person,
        declared_income=program.declared_income,
        programs=list(PROGRAMS),
        payer=Membership.Payer.SPONSOR,
        start_date=start,
        registered_on=on,
        actor=actor,
    )
    beneficiary = Beneficiary.objects.create(program=program, membership=membership, enrolled_on=on)
    _created(actor, beneficiary, cost=extra)
    return beneficiary


@transaction.atomic
def end_program(*, program: SponsorshipProgram, on: date | None = None, actor: User = None) -> int:
    """End the program: its beneficiaries' active memberships end (reason ``contract_ended``) on the
    last day of the program's last month — or on ``on`` when the program is ended before then, which
    cancels it; a membership whose first day comes later never started and ends on its start date
    (:func:`never_started`). Returns the number of memberships ended."""
    on = on or _today()
    program = SponsorshipProgram.objects.select_for_update().get(pk=program.pk)
    if program.status != SponsorshipProgram.Status.ACTIVE:
        raise ProgramClosed(
            _("Program %(name)s sudah %(status)s.")
            % {"name": program.name, "status": program.get_status_display()},
            field="program",
        )
    last = program_last_day(program)
    end_date = min(on, last)
    status = SponsorshipProgram.Status.ENDED if on >= last else SponsorshipProgram.Status.CANCELLED
    active = Membership.objects.filter(sponsorship__program=program, end_date__isnull=True)
    ids = list(active.values_list("pk", flat=True))
    ended = Membership.objects.filter(pk__in=ids, start_date__lte=end_date).update(
        end_date=end_date, end_reason=END_REASON
    )
    # Memberships enrolled for a month that never came: no end before the start in the registry.
    not_started = Membership.objects.filter(pk__in=ids, end_date__isnull=True).update(
        end_date=F("start_date"), end_reason=END_REASON
    )
    program.status = status
    program.save(update_fields=["status"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        obj=program,
        changes={
            "status": [SponsorshipProgram.Status.ACTIVE.value, status.value],
            "memberships_ended": ids,
            "end_date": end_date,
            "end_reason": END_REASON.value,
        },
    )
    return ended + not_started


def end_due_programs(*, as_of: date, actor: User = None) -> list[tuple[SponsorshipProgram, int]]:
    """End every lapsed program — still active, its last month ended before ``as_of`` — each in its
    own transaction: ``(program, memberships ended)`` per program ended. Safe to re-run or to run
    beside another run (a program ended meanwhile is skipped)."""
    done = []
    due = SponsorshipProgram.objects.filter(
        status=SponsorshipProgram.Status.ACTIVE, end_month__lt=first_of_month(as_of)
    ).order_by("end_month", "pk")
    for program in due:
        try:
            ended = end_program(program=program, on=as_of, actor=actor)
        except ProgramClosed:
            continue
        done.append((program, ended))
    return done


def end_lapsed_programs(*, as_of: date, actor: User = None) -> int:
    """End the programs lapsed on ``as_of`` (:func:`end_due_programs`); the number of programs ended.

    The billing run calls it before billing a month (``as_of`` the first day of the month), so that
    no program runs on past its last month unnoticed; ``jaminan sponsors end`` and ``jaminan
    demo-activity`` call it too."""
    return len(end_due_programs(as_of=as_of, actor=actor))


# ------------------------------------------------------------------ donor: "Lindungi Pekerja Sekitar Anda"


@dataclass
class Donation:
    sponsor: Sponsor
    program: SponsorshipProgram
    beneficiaries: list[Beneficiary]
    per_worker: list[MonthAmount]
    total: int
    virtual_account: str = ""


@transaction.atomic
def sponsor_neighbours(
    *,
    donor_name: str = "",
    regency: Regency,
    neighbours: Sequence[PersonFacts],
    start_month: date,
    months: int,
    contact_phone: str = "",
    contact_email: str = "",
    on: date | None = None,
    actor: User = None,
    sponsor: Sponsor | None = None,
) -> Donation:
    """An individual donor covers 1-5 named neighbours for ``months`` months from ``start_month``
    (this month or later: a past month is refused, nobody pays for cover already past): the sponsor
    (kind individual), a program whose ceiling is exactly the neighbours' cost, and the
    beneficiaries, in one transaction. A neighbour's error names the field ``neighbours.<i>.<field>``.

    ``sponsor``: a donor already registered (a person: ``DONOR_KINDS``) sponsoring again, e.g.
    signed in as its sponsor user; the new program is theirs and the donor fields are not used."""
    on = on or _today()
    if sponsor is not None and sponsor.kind not in DONOR_KINDS:
        raise InvalidValue(
            _(
                "Formulir donatur hanya untuk donatur perorangan atau Bapak Asuh; penyandang dana "
                "lain mendaftarkan penerima lewat programnya."
            ),
            field="sponsor",
        )
    if not 1 <= len(neighbours) <= DONOR_MAX_NEIGHBOURS:
        raise InvalidValue(
            _("Sebutkan 1 sampai %(max)s tetangga.") % {"max": DONOR_MAX_NEIGHBOURS},
            field="neighbours",
        )
    niks = [n.nik.strip() for n in neighbours]
    if len(set(niks)) != len(niks):
        raise InvalidValue(_("NIK tetangga tidak boleh sama."), field="neighbours")
    start_month = _check_month(start_month, "start_month")
    if start_month < first_of_month(on):
        raise InvalidValue(
            _("Bulan mulai tidak boleh sebelum bulan ini."),
            field="start_month",
            code="start_month_past",
        )
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        raise InvalidValue(_("Lama perlindungan 1 sampai 12 bulan."), field="months")
    end_month = add_months(start_month, months - 1)
    if sponsor is None:
        sponsor = create_sponsor(
            kind=Sponsor.Kind.INDIVIDUAL,
            name=donor_name,
            regency=regency,
            contact_name=donor_name,
            contact_phone=contact_phone,
            contact_email=contact_email,
            actor=actor,
        )
    income = income_minimum(start_month)
    per_worker = [monthly_amount(m, income, False) for m in months_of(start_month, end_month)]
    total = len(neighbours) * sum(a.total for a in per_worker)
    program = create_program(
        sponsor=sponsor,
        name=f"{DONOR_PROGRAM_NAME} – {sponsor.name}"[:200],
        start_month=start_month,
        end_month=end_month,
        budget_ceiling=total,
        declared_income=income,
        actor=actor,
    )
    beneficiaries = []
    for i, facts in enumerate(neighbours):
        try:
            beneficiaries.append(
                enrol_beneficiary(
                    program=program,
                    person=dataclasses.replace(facts, address_regency=regency),
                    on=on,
                    actor=actor,
                )
            )
        except RegistryError as exc:
            exc.field = f"neighbours.{i}.{exc.field or 'nik'}"
            raise
    return Donation(
        sponsor=sponsor,
        program=program,
        beneficiaries=beneficiaries,
        per_worker=per_worker,
        total=total,
        virtual_account=_virtual_account(sponsor),
    )


def _virtual_account(sponsor: Sponsor) -> str:
    """The sponsor's virtual account (billing's payer account)."""
    return billing.ensure_payer_account(sponsor=sponsor).virtual_account


# -------------------------------------------------------------------------- beneficiary list upload

COLUMNS = ("nik", "nama", "tanggal_lahir", "jenis_kelamin")
MESSAGES = {
    "required": "Kolom {kolom} wajib diisi.",
    "date_invalid": "Kolom {kolom} bukan tanggal yang sah (YYYY-MM-DD atau DD/MM/YYYY).",
    "sex_invalid": "Kolom jenis_kelamin harus L atau P.",
    "nik_birth_date_mismatch": "Kolom tanggal_lahir tidak sesuai dengan tanggal lahir pada NIK ({nik_date}).",
    "nik_sex_mismatch": "Kolom jenis_kelamin tidak sesuai dengan NIK (NIK menyandikan {nik_sex}).",
    "duplicate_in_file": "NIK sudah muncul pada baris {first} berkas ini.",
    "already_member": "NIK sudah memiliki kepesertaan BPU aktif sejak {since}.",
    "person_deceased": "NIK tercatat sudah meninggal dunia ({since}).",
    "birth_in_future": "Kolom tanggal_lahir di masa depan.",
    "budget_exceeded": "Pagu anggaran terlampaui: baris ini menambah {cost}, sisa pagu {left}.",
    ROW_TOO_WIDE: ROW_TOO_WIDE_MESSAGE,
}


def _issue(number: int, kolom: str, kode: str, **params: Any) -> Issue:
    return Issue(number, kolom, kode, MESSAGES[kode].format(kolom=kolom, **params))


@dataclass
class BeneficiaryImportReport:
    program_id: int
    dry_run: bool
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)
    applied: bool = False
    created_persons: int = 0
    created_memberships: int = 0
    cost: int = 0

    @property
    def warnings(self) -> int:
        return 0

    def summary(self) -> str:
        return (
            f"accepted {self.accepted}, rejected {self.rejected}, unchanged {self.unchanged}, "
            f"cost {self.cost}"
        )

    def to_csv(self) -> bytes:
        return report_csv(self.issues)

    def to_xlsx(self) -> bytes:
        return report_xlsx(self.issues)


def read_beneficiary_rows(content: bytes, filename: str = "") -> list[tuple[int, list[Any]]]:
    """``(row number as seen in the file, four cells)`` per non-empty data row (CSV UTF-8 or XLSX;
    see :mod:`jaminan.registry.tabular`). Raises ImportFileError."""
    return list(read_table(content, filename, COLUMNS, ImportFileError))


@dataclass
class _Row:
    number: int
    nik: str
    name: str
    birth_date: date
    sex: str


def _validate_row(number: int, cells: list[Any], today: date, issues: list[Issue]) -> _Row | None:
    wide = row_too_wide(cells, COLUMNS)
    if wide is not None:
        issues.append(_issue(number, "", ROW_TOO_WIDE, **wide))
        return None
    raw = dict(zip(COLUMNS, cells, strict=True))
    bad = False
    for col in COLUMNS:
        if raw[col] is None or raw[col] == "":
            issues.append(_issue(number, col, "required"))
            bad = True
    nik, name = cell_text(raw["nik"]), cell_text(raw["nama"])[:150]
    birth = parse_date(raw["tanggal_lahir"]) if raw["tanggal_lahir"] not in (None, "") else None
    if raw["tanggal_lahir"] not in (None, "") and birth is None:
        issues.append(_issue(number, "tanggal_lahir", "date_invalid"))
        bad = True
    if birth is not None and birth > today:
        issues.append(_issue(number, "tanggal_lahir", "birth_in_future"))
        bad = True
    sex_raw = cell_text(raw["jenis_kelamin"]).upper()
    sex = sex_raw if sex_raw in Sex.values else ""
    if sex_raw and not sex:
        issues.append(_issue(number, "jenis_kelamin", "sex_invalid"))
        bad = True
    if nik and nik_issues(number, nik, birth, sex, issues, _issue):
        bad = True
    if bad or birth is None or not sex or not nik:
        return None
    return _Row(number, nik, name, birth, sex)


def import_beneficiaries(
    *,
    program: SponsorshipProgram,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    on: date | None = None,
    actor: User = None,
) -> BeneficiaryImportReport:
    """Validate (and unless ``dry_run`` apply, in one transaction) a beneficiary list for ``program``.

    A row whose person is already a beneficiary of this program is *unchanged* (uploading the same
    file twice changes nothing); rows are accepted in file order until the budget ceiling is reached,
    later ones are rejected with ``budget_exceeded``. Raises ImportFileError for an unreadable file and
    ProgramClosed for a program that takes no new beneficiaries."""
    on = on or _today()
    rows = read_beneficiary_rows(content, filename)
    report = BeneficiaryImportReport(program_id=program.pk, dry_run=dry_run)
    issues: list[Issue] = []
    valid: list[_Row] = []
    first_seen: dict[str, int] = {}
    rejected: set[int] = set()
    for number, cells in rows:
        report.rows += 1
        before = len(issues)
        row = _validate_row(number, cells, on, issues)
        nik = cell_text(cells[0])
        if nik:
            if nik in first_seen:
                issues.append(_issue(number, "nik", "duplicate_in_file", first=first_seen[nik]))
                row = None
            else:
                first_seen[nik] = number
        if row is None or len(issues) > before:
            rejected.add(number)
            continue
        valid.append(row)

    with transaction.atomic():
        program = (
            SponsorshipProgram.objects.select_for_update(of=("self",))
            .select_related("sponsor", "sponsor__regency", "sponsor__office")
            .get(pk=program.pk)
        )
        start = _check_open(program, on)
        niks = [r.nik for r in valid]
        stored = _stored_persons(niks)
        in_program = (
            set(
                Beneficiary.objects.filter(
                    program=program, membership__participant__person__nik__in=niks
                ).values_list("membership__participant__person__nik", flat=True)
            )
            if niks
            else set()
        )
        active_bpu = (
            dict(
                Membership.objects.filter(
                    participant__person__nik__in=niks,
                    segment=Membership.Segment.BPU,
                    end_date__isnull=True,
                ).values_list("participant__person__nik", "start_date")
            )
            if niks
            else {}
        )
        amounts = per_worker_amounts(program)
        cost = _covered_cost(program, amounts, start, None)
        left = program.budget_ceiling - committed_cost(program)
        to_write: list[_Row] = []
        for row in valid:
            person = stored.get(row.nik)
            if row.nik in in_program:
                report.unchanged += 1
                continue
            if person is not None and person["death_date"] is not None:
                issues.append(
                    _issue(
                        row.number,
                        "nik",
                        "person_deceased",
                        since=f"{person['death_date']:%d/%m/%Y}",
                    )
                )
                rejected.add(row.number)
                continue
            since = active_bpu.get(row.nik)
            if since is not None:
                issues.append(
                    _issue(row.number, "nik", "already_member", since=f"{since:%d/%m/%Y}")
                )
                rejected.add(row.number)
                continue
            if cost > left:
                issues.append(
                    _issue(row.number, "nik", "budget_exceeded", cost=_rp(cost), left=_rp(left))
                )
                rejected.add(row.number)
                continue
            left -= cost
            to_write.append(row)
        report.accepted = len(to_write)
        report.rejected = len(rejected)
        report.cost = cost * len(to_write)
        issues.sort(key=lambda i: (i.baris, COLUMNS.index(i.kolom) if i.kolom in COLUMNS else 9))
        report.issues = issues
        if not dry_run and to_write:
            _apply_import(
                program=program, rows=to_write, stored=stored, start=start, on=on, report=report
            )
            report.applied = True
            audit.record(
                action=AuditEvent.Action.CREATE,
                actor=actor,
                obj=program,
                object_repr=f"Impor penerima manfaat program {program.pk}",
                changes={
                    "import": filename or "(unggahan)",
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "rows": report.rows,
                    "accepted": report.accepted,
                    "rejected": report.rejected,
                    "unchanged": report.unchanged,
                    "cost": report.cost,
                    "created_persons": report.created_persons,
                    "created_memberships": report.created_memberships,
                },
            )
    return report


def _stored_persons(niks: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(niks), 900):
        for row in Person.objects.filter(nik__in=niks[i : i + 900]).values(
            "nik", "pk", "participant__pk", "death_date", "address_regency__branch_office_id"
        ):
            out[row["nik"]] = dict(row)
    return out


def _apply_import(
    *,
    program: SponsorshipProgram,
    rows: list[_Row],
    stored: dict[str, dict[str, Any]],
    start: date,
    on: date,
    report: BeneficiaryImportReport,
) -> None:
    sponsor = program.sponsor
    regency = sponsor.regency
    default_office = (
        regency.branch_office_id
        if regency is not None and regency.branch_office_id
        else sponsor.office_id
    )
    new_rows = [r for r in rows if r.nik not in stored]
    new_ids = _insert(
        Person,
        [
            {
                "nik": r.nik,
                "name": r.name,
                "birth_date": r.birth_date,
                "sex": r.sex,
                "address_regency_id": regency.pk if regency is not None else None,
            }
            for r in new_rows
        ],
    )
    person_ids = {nik: s["pk"] for nik, s in stored.items()}
    person_ids.update(zip((r.nik for r in new_rows), new_ids, strict=True))
    office_of = {
        nik: s["address_regency__branch_office_id"] or default_office for nik, s in stored.items()
    }
    participant_ids = {
        nik: s["participant__pk"] for nik, s in stored.items() if s["participant__pk"] is not None
    }
    need = [r.nik for r in rows if r.nik not in participant_ids]
    if need:
        serials = identifiers.allocate(identifiers.KPJ, len(need))
        part_ids = _insert(
            Participant,
            [
                {
                    "person_id": person_ids[nik],
                    "kpj_number": identifiers.kpj_from_serial(serial),
                    "registered_on": on,
                    "registering_office_id": office_of.get(nik, default_office),
                }
                for nik, serial in zip(need, serials, strict=True)
            ],
        )
        participant_ids.update(zip(need, part_ids, strict=True))
    membership_ids = _insert(
        Membership,
        [
            {
                "participant_id": participant_ids[r.nik],
                "segment": Membership.Segment.BPU.value,
                "payer": Membership.Payer.SPONSOR.value,
                "has_jkk": True,
                "has_jkm": True,
                "has_jht": False,
                "has_jp": False,
                "has_jkp": False,
                "start_date": start,
                "office_id": office_of.get(r.nik, default_office),
                "registered_on": on,
                "late_registration": False,
            }
            for r in rows
        ],
    )
    _insert(
        ReportedWage,
        [
            {"membership_id": mid, "effective_month": start, "amount": program.declared_income}
            for mid in membership_ids
        ],
    )
    _insert(
        Beneficiary,
        [
            {"program_id": program.pk, "membership_id": mid, "enrolled_on": on}
            for mid in membership_ids
        ],
    )
    report.created_persons = len(new_rows)
    report.created_memberships = len(membership_ids)


TEMPLATE_EXAMPLE = ("6402054508900003", "Siti Aminah", "1990-08-05", "P")


def template_csv() -> bytes:
    return (",".join(COLUMNS) + "\n" + ",".join(TEMPLATE_EXAMPLE) + "\n").encode("utf-8")


# ============================================================================================ reads


def sponsors_in_scope(user: User) -> QuerySet[Sponsor]:
    return scope_queryset(user, Sponsor.objects.select_related("regency", "office"))


def sponsor_list(
    *, user: User, kind: str = "", q: str = "", on: date | None = None
) -> QuerySet[Sponsor]:
    """The sponsor list: each sponsor in scope with its number of programs, the people its programs
    cover on ``on`` (as on the sponsor page) and the ceiling of its programs not cancelled."""
    on = on or _today()
    ceiling = (
        SponsorshipProgram.objects.filter(sponsor=OuterRef("pk"))
        .exclude(status=SponsorshipProgram.Status.CANCELLED)
        .values("sponsor")
        .annotate(total=Sum("budget_ceiling"))
        .values("total")
    )
    qs = sponsors_in_scope(user).annotate(
        programs_count=Count("programs", distinct=True),
        covered=Count(
            "programs__beneficiaries",
            filter=_covered_q(on, program="programs__", beneficiary="programs__beneficiaries__"),
            distinct=True,
        ),
        ceiling=Coalesce(Subquery(ceiling, output_field=IntegerField()), 0),
    )
    if kind in Sponsor.Kind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q))
    return qs.order_by("name", "pk")


def own_sponsor(user: User) -> Sponsor | None:
    """The sponsor a sponsor user is bound to (None for other roles)."""
    scope = getattr(user, "scope", None)
    code = getattr(scope, "sponsor_code", "") if scope is not None else ""
    if not code or role_of(user) != Role.SPONSOR_USER:
        return None
    return sponsors_in_scope(user).filter(code=code).first()


def sponsor_in_scope(*, user: User, code: str) -> Sponsor:
    sponsor = sponsors_in_scope(user).filter(code=code).first()
    if sponsor is None:
        raise NotFound(_("Penyandang dana tidak ditemukan."), field="code")
    return sponsor


def programs_in_scope(user: User) -> QuerySet[SponsorshipProgram]:
    return scope_queryset(user, SponsorshipProgram.objects.select_related("sponsor"))


def program_in_scope(*, user: User, sponsor: Sponsor, program_id: int) -> SponsorshipProgram:
    program = programs_in_scope(user).filter(sponsor=sponsor, pk=program_id).first()
    if program is None:
        raise NotFound(_("Program tidak ditemukan."), field="program_id")
    return program


def beneficiaries_of(*, user: User, program: SponsorshipProgram) -> QuerySet[Beneficiary]:
    """The program's beneficiaries the user may see (personal data: callers audit the view)."""
    return scope_queryset(
        user,
        Beneficiary.objects.filter(program=program).select_related(
            "membership", "membership__participant", "membership__participant__person"
        ),
    ).order_by("membership__participant__person__name", "pk")


def record_beneficiary_view(
    *, user: User, program: SponsorshipProgram, action: str = "view", **context: Any
) -> None:
    """One audit event for a list of beneficiaries shown (or exported) to ``user``."""
    audit.record(
        action=AuditEvent.Action.EXPORT if action == "export" else AuditEvent.Action.VIEW,
        actor=user,
        object_type=Beneficiary._meta.label,
        object_repr=f"penerima manfaat program {program.pk}",
        changes={"program": program.pk, **context},
    )


@dataclass
class ProgramSummary:
    program: SponsorshipProgram
    beneficiaries: int
    covered: int
    committed: int
    billed: int
    #: Still running after its last month (:func:`is_lapsed`): it covers nobody until ended.
    lapsed: bool = False

    @property
    def remaining(self) -> int:
        return self.program.budget_ceiling - self.billed

    @property
    def available(self) -> int:
        return self.program.budget_ceiling - self.committed


def _program_summaries(programs: list[SponsorshipProgram], on: date) -> list[ProgramSummary]:
    ids = [p.pk for p in programs]
    counts: dict[int, dict[str, int]] = {
        row["program"]: {"n": int(row["n"]), "covered": int(row["covered"])}
        for row in Beneficiary.objects.filter(program_id__in=ids)
        .values("program")
        .annotate(n=Count("id"), covered=Count("id", filter=_covered_q(on)))
        .order_by()
    }
    billed = dict(
        BillLine.objects.filter(membership__sponsorship__program_id__in=ids)
        .filter(bill__payer__sponsor_id__isnull=False)
        .values_list("membership__sponsorship__program")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return [
        ProgramSummary(
            program=p,
            beneficiaries=counts.get(p.pk, {}).get("n", 0),
            covered=counts.get(p.pk, {}).get("covered", 0),
            committed=committed_cost(p),
            billed=int(billed.get(p.pk) or 0),
            lapsed=is_lapsed(p, on),
        )
        for p in programs
    ]


@dataclass
class SponsorDetail:
    sponsor: Sponsor
    programs: list[ProgramSummary]
    billed: int
    paid: int
    virtual_account: str
    alerts: list[ProgramAlert]

    @property
    def budgeted(self) -> list[ProgramSummary]:
        """The programs whose ceiling counts: all but the cancelled ones."""
        return [s for s in self.programs if s.program.status != SponsorshipProgram.Status.CANCELLED]

    @property
    def ceiling(self) -> int:
        return sum(s.program.budget_ceiling for s in self.budgeted)

    @property
    def remaining(self) -> int:
        """What is left of the ceilings of the programs not cancelled, after their billed lines."""
        return sum(s.remaining for s in self.budgeted)

    @property
    def covered(self) -> int:
        return sum(s.covered for s in self.programs)

    @property
    def committed(self) -> int:
        return sum(s.committed for s in self.programs)


def sponsor_detail(*, user: User, code: str, on: date | None = None) -> SponsorDetail:
    """The sponsor page: programs with budget committed, billed (``BillLine``) and remaining, people
    covered, money billed and paid (``Bill``), the virtual account, and the 30-day alerts."""
    on = on or _today()
    sponsor = sponsor_in_scope(user=user, code=code)
    programs = list(
        SponsorshipProgram.objects.filter(sponsor=sponsor)
        .select_related("sponsor")
        .order_by("-start_month", "name", "pk")
    )
    totals = Bill.objects.filter(payer__sponsor=sponsor).aggregate(
        billed=Sum("amount"), paid=Sum("paid_amount")
    )
    account = PayerAccount.objects.filter(sponsor=sponsor).values_list("virtual_account", flat=True)
    return SponsorDetail(
        sponsor=sponsor,
        programs=_program_summaries(programs, on),
        billed=int(totals["billed"] or 0),
        paid=int(totals["paid"] or 0),
        virtual_account=next(iter(account), ""),
        alerts=program_alerts(user=user, as_of=on, sponsor=sponsor),
    )


def program_summary(program: SponsorshipProgram, on: date | None = None) -> ProgramSummary:
    return _program_summaries([program], on or _today())[0]


@dataclass
class ProgramAlert:
    """A program whose last month ends within ``ALERT_DAYS`` days: who will lose cover. Or, when
    ``lapsed``, a program still running after its last month ("program sudah berakhir, belum
    ditutup"; ``days_left`` negative): whose memberships are still open."""

    program: SponsorshipProgram
    last_day: date
    days_left: int
    losing_cover: QuerySet[Beneficiary]
    count: int
    lapsed: bool = False


def expiring_programs(
    *,
    user: User = None,
    as_of: date,
    sponsor: Sponsor | None = None,
    within_days: int = ALERT_DAYS,
) -> list[ProgramAlert]:
    """Active programs whose last day falls within ``within_days`` days of ``as_of`` (inclusive), with
    the beneficiaries whose membership is still active. ``user`` None: every program (the command)."""
    horizon = as_of + timedelta(days=within_days)
    candidates = (
        _programs_for_alerts(user, sponsor)
        .filter(
            status=SponsorshipProgram.Status.ACTIVE,
            end_month__gte=first_of_month(as_of),
            end_month__lte=first_of_month(horizon),
        )
        .order_by("end_month", "sponsor__name", "pk")
    )
    due = [p for p in candidates if as_of <= program_last_day(p) <= horizon]
    return _alerts(due, as_of, lapsed=False)


def _programs_for_alerts(user: User, sponsor: Sponsor | None) -> QuerySet[SponsorshipProgram]:
    qs = SponsorshipProgram.objects.select_related("sponsor", "sponsor__office")
    if user is not None:
        qs = scope_queryset(user, qs)
    if sponsor is not None:
        qs = qs.filter(sponsor=sponsor)
    return qs


def _alerts(programs: list[SponsorshipProgram], as_of: date, *, lapsed: bool) -> list[ProgramAlert]:
    """One alert per program with its open memberships (counted in one query; listed lazily)."""
    counts = dict(
        Beneficiary.objects.filter(
            program_id__in=[p.pk for p in programs], membership__end_date__isnull=True
        )
        .values_list("program")
        .annotate(n=Count("id"))
        .order_by()
    )
    alerts = []
    for program in programs:
        last = program_last_day(program)
        losing = (
            Beneficiary.objects.filter(program=program, membership__end_date__isnull=True)
            .select_related("membership__participant__person")
            .order_by("membership__participant__person__name", "pk")
        )
        alerts.append(
            ProgramAlert(
                program=program,
                last_day=last,
                days_left=(last - as_of).days,
                losing_cover=losing,
                count=int(counts.get(program.pk, 0)),
                lapsed=lapsed,
            )
        )
    return alerts


def lapsed_programs(
    *, user: User = None, as_of: date, sponsor: Sponsor | None = None
) -> list[ProgramAlert]:
    """Programs still active although their last month ended before ``as_of`` ("program sudah
    berakhir, belum ditutup"), with their memberships still open; :func:`end_lapsed_programs` ends
    them. ``user`` None: every program (the command)."""
    due = list(
        _programs_for_alerts(user, sponsor)
        .filter(status=SponsorshipProgram.Status.ACTIVE, end_month__lt=first_of_month(as_of))
        .order_by("end_month", "sponsor__name", "pk")
    )
    return _alerts(due, as_of, lapsed=True)


def program_alerts(
    *, user: User = None, as_of: date, sponsor: Sponsor | None = None
) -> list[ProgramAlert]:
    """The alerts of the sponsor pages, the API and the command: lapsed programs first, then those
    whose last day is within ``ALERT_DAYS`` days."""
    return lapsed_programs(user=user, as_of=as_of, sponsor=sponsor) + expiring_programs(
        user=user, as_of=as_of, sponsor=sponsor
    )


def program_months_counter(program: SponsorshipProgram) -> Counter[date]:
    """Beneficiaries covered per month of the program (for the program page)."""
    counter: Counter[date] = Counter()
    rows = (
        Beneficiary.objects.filter(program=program)
        .values_list("membership__start_date", "membership__end_date", "membership__end_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    for start, end, reason, n in rows:
        if never_started(start, end, reason):
            continue
        for m in months_of(program.start_month, program.end_month):
            if first_of_month(start) <= m and (end is None or m <= first_of_month(end)):
                counter[m] += n
    return counter
