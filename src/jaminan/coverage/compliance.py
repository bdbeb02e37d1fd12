"""Compliance lists, each scoped by office through ``scope_queryset`` and each exportable:

- ``below_minimum_wage``: employers with active PU workers whose latest reported wage is strictly
  below the regency minimum wage (UMK) of the year, or the provincial one (UMP) where the regency has
  none (geo.MinimumWage, kept in sen);
- ``without_jp``: medium and large employers with active PU workers under the JP retirement age
  who are not in JP (JP is compulsory there: PP 45/2015, Perpres 109/2013);
- ``sharp_drop``: employers whose active headcount or wage bill fell by at least ``threshold``
  over ``months`` months (partial registration, "PDS upah/tenaga kerja");
- ``arrears``: payers with unpaid bills for more than three months;
- ``no_budget_program``: regencies with no running APBD-funded sponsorship program of their own
  government for vulnerable workers (Permendagri 27/2021, Inpres 2/2021), with whether the province
  runs one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from jaminan.contributions.models import Bill, Sponsor, SponsorshipProgram
from jaminan.coverage.models import ServedRegency
from jaminan.coverage.selectors import User, scoped
from jaminan.coverage.services import add_months, first_of_month
from jaminan.geo.models import MinimumWage, Regency
from jaminan.registry.models import Employer, Membership, ReportedWage
from jaminan.registry.services import jp_retirement_age

LISTS = {
    "below_minimum_wage": _("Upah di bawah upah minimum"),
    "without_jp": _("Usaha menengah/besar tanpa JP"),
    "sharp_drop": _("Tenaga kerja atau upah turun tajam"),
    "arrears": _("Menunggak lebih dari tiga bulan"),
    "no_budget_program": _("Kabupaten/kota tanpa program APBD pekerja rentan"),
}


def _active_on(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on})
    )


def _wage_on(on: date) -> Subquery:
    return Subquery(
        ReportedWage.objects.filter(membership=OuterRef("pk"), effective_month__lte=on)
        .order_by("-effective_month")
        .values("amount")[:1],
        output_field=BigIntegerField(),
    )


def minimum_wages(year: int) -> dict[str, tuple[int, str, str]]:
    """Regency code -> (minimum in sen, "UMK"/"UMP", area name) for ``year`` (the newest year at or
    before it when the decree of that year is not loaded)."""
    wages = list(MinimumWage.objects.filter(year__lte=year).order_by("year"))
    umk: dict[str, MinimumWage] = {}
    ump: dict[str, MinimumWage] = {}
    for w in wages:
        (umk if w.level == MinimumWage.Level.REGENCY else ump)[w.area_code] = w
    result = {}
    for regency in Regency.objects.select_related("province"):
        own = umk.get(regency.code)
        province = ump.get(regency.province.code)
        if own is not None and (province is None or own.year >= province.year):
            result[regency.code] = (own.amount_sen, "UMK", own.area_name)
        elif province is not None:
            result[regency.code] = (province.amount_sen, "UMP", province.area_name)
    return result


@dataclass
class EmployerRow:
    npp: str
    name: str
    regency: str
    office: str
    size_class: str
    workers: int
    flagged: int
    detail: str
    amount: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(
        cls, employer: Employer, *, workers: int, flagged: int, detail: str, amount: int = 0
    ) -> EmployerRow:
        return cls(
            npp=employer.npp,
            name=employer.name,
            regency=employer.regency.full_name,
            office=employer.office.name,
            size_class=employer.size_class,
            workers=workers,
            flagged=flagged,
            detail=detail,
            amount=amount,
        )


def _employers(user: User, ids: list[int]) -> dict[int, Employer]:
    return {
        e.pk: e
        for e in scoped(user, Employer.objects.filter(pk__in=ids)).select_related(
            "regency", "office"
        )
    }


def below_minimum_wage(*, user: User, as_of: date) -> list[EmployerRow]:
    minimums = minimum_wages(as_of.year)
    if not minimums:
        return []
    threshold = Case(
        *(
            When(employer__regency__code=code, then=Value(sen))
            for code, (sen, _l, _n) in minimums.items()
        ),
        default=Value(None),
        output_field=BigIntegerField(),
    )
    rows = (
        Membership.objects.filter(_active_on(as_of), segment=Membership.Segment.PU)
        .filter(employer__in=scoped(user, Employer.objects.all()))
        .annotate(wage=_wage_on(as_of), minimum_sen=threshold)
        .annotate(wage_sen=ExpressionWrapper(F("wage") * 100, output_field=BigIntegerField()))
        .filter(minimum_sen__isnull=False, wage__isnull=False, wage_sen__lt=F("minimum_sen"))
        .values("employer_id")
        .annotate(below=Count("pk"), lowest=Min("wage"))
        .order_by("employer_id")
    )
    found = {r["employer_id"]: r for r in rows}
    employers = _employers(user, list(found))
    headcounts = dict(
        Membership.objects.filter(_active_on(as_of), employer_id__in=list(found), segment="PU")
        .values("employer_id")
        .annotate(n=Count("pk"))
        .values_list("employer_id", "n")
    )
    result = []
    for employer_id, row in found.items():
        employer = employers.get(employer_id)
        if employer is None:
            continue
        sen, level, area = minimums[employer.regency.code]
        minimum = Decimal(sen) / 100
        result.append(
            EmployerRow.of(
                employer,
                workers=headcounts.get(employer_id, 0),
                flagged=row["below"],
                detail=f"{level} {area} {as_of.year}: Rp{minimum:,.2f}".replace(",", "_")
                .replace(".", ",")
                .replace("_", "."),
                amount=row["lowest"],
            )
        )
    return sorted(result, key=lambda r: (-r.flagged, r.npp))


def without_jp(*, user: User, as_of: date) -> list[EmployerRow]:
    age = jp_retirement_age(as_of)
    born_after = date(as_of.year - age, as_of.month, min(as_of.day, 28))
    rows = (
        Membership.objects.filter(
            _active_on(as_of),
            segment=Membership.Segment.PU,
            employer__size_class__in=[Employer.Size.MEDIUM, Employer.Size.LARGE],
            employer__status=Employer.Status.ACTIVE,
            employer__in=scoped(user, Employer.objects.all()),
        )
        .values("employer_id")
        .annotate(
            workers=Count("pk"),
            missing=Count(
                "pk", filter=Q(has_jp=False, participant__person__birth_date__gt=born_after)
            ),
        )
        .filter(missing__gt=0)
        .order_by("employer_id")
    )
    found = {r["employer_id"]: r for r in rows}
    employers = _employers(user, list(found))
    result = []
    for employer_id, row in found.items():
        employer = employers.get(employer_id)
        if employer is None:
            continue
        result.append(
            EmployerRow.of(
                employer,
                workers=row["workers"],
                flagged=row["missing"],
                detail=str(_("tanpa JP sama sekali"))
                if row["missing"] == row["workers"]
                else str(_("sebagian pekerja tanpa JP")),
            )
        )
    return sorted(result, key=lambda r: (-r.flagged, r.npp))


def _headcount_and_bill(user: User, on: date) -> dict[int, tuple[int, int]]:
    rows = (
        Membership.objects.filter(
            _active_on(on),
            segment=Membership.Segment.PU,
            employer__in=scoped(user, Employer.objects.all()),
        )
        .annotate(wage=_wage_on(on))
        .values_list("employer_id", "wage")
    )
    result: dict[int, list[int]] = {}
    for employer_id, wage in rows.iterator():
        entry = result.setdefault(employer_id, [0, 0])
        entry[0] += 1
        entry[1] += wage or 0
    return {k: (v[0], v[1]) for k, v in result.items()}


def sharp_drop(
    *,
    user: User,
    as_of: date,
    months: int = 3,
    threshold: Decimal = Decimal("0.30"),
    minimum_workers: int = 5,
) -> list[EmployerRow]:
    """Employers whose headcount or wage bill on ``as_of`` is at least ``threshold`` below the one
    ``months`` months earlier (employers with fewer than ``minimum_workers`` then are left out)."""
    before_on = add_months(first_of_month(as_of), -months).replace(day=min(as_of.day, 28))
    before = _headcount_and_bill(user, before_on)
    now = _headcount_and_bill(user, as_of)
    flagged: dict[int, tuple[int, int, int, int]] = {}
    for employer_id, (count_then, bill_then) in before.items():
        if count_then < minimum_workers:
            continue
        count_now, bill_now = now.get(employer_id, (0, 0))
        if Decimal(count_now) <= Decimal(count_then) * (1 - threshold) or (
            bill_then and Decimal(bill_now) <= Decimal(bill_then) * (1 - threshold)
        ):
            flagged[employer_id] = (count_then, count_now, bill_then, bill_now)
    employers = _employers(user, list(flagged))
    result = []
    for employer_id, (count_then, count_now, bill_then, bill_now) in flagged.items():
        employer = employers.get(employer_id)
        if employer is None:
            continue
        result.append(
            EmployerRow.of(
                employer,
                workers=count_now,
                flagged=count_then - count_now,
                detail=f"{before_on:%Y-%m-%d}: {count_then} / Rp{bill_then:,} → "
                f"{as_of:%Y-%m-%d}: {count_now} / Rp{bill_now:,}".replace(",", "."),
                amount=bill_then - bill_now,
            )
        )
    return sorted(result, key=lambda r: (-r.flagged, r.npp))


@dataclass
class ArrearsRow:
    virtual_account: str
    payer: str
    kind: str
    office: str
    months: int
    oldest_month: date
    outstanding: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def arrears(*, user: User, as_of: date, more_than: int = 3) -> list[ArrearsRow]:
    """Payers with unpaid bills for more than ``more_than`` contribution months due by ``as_of``."""
    rows = (
        scoped(user, Bill.objects.all())
        .filter(due_date__lt=as_of)
        .exclude(status=Bill.Status.PAID)
        .values(
            "payer_id",
            "payer__virtual_account",
            "payer__kind",
            "payer__employer__name",
            "payer__participant__person__name",
            "payer__sponsor__name",
            "office__name",
        )
        .annotate(
            months=Count("month", distinct=True),
            oldest=Min("month"),
            unpaid=Sum(F("amount") - F("paid_amount")),
        )
        .filter(months__gt=more_than)
        .order_by("-months", "payer__virtual_account")
    )
    return [
        ArrearsRow(
            virtual_account=r["payer__virtual_account"],
            payer=r["payer__employer__name"]
            or r["payer__participant__person__name"]
            or r["payer__sponsor__name"]
            or "",
            kind=r["payer__kind"],
            office=r["office__name"],
            months=r["months"],
            oldest_month=r["oldest"],
            outstanding=r["unpaid"] or 0,
        )
        for r in rows
    ]


@dataclass
class RegencyRow:
    code: str
    name: str
    province: str
    office: str
    regency_programs: int
    province_programs: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def no_budget_program(*, user: User, as_of: date) -> list[RegencyRow]:
    """Regencies without a running program of a regency-government sponsor of that regency."""
    month = first_of_month(as_of)
    running = SponsorshipProgram.objects.filter(
        status=SponsorshipProgram.Status.ACTIVE, start_month__lte=month, end_month__gte=month
    )
    regency_counts = dict(
        running.filter(sponsor__kind=Sponsor.Kind.REGENCY, sponsor__regency__isnull=False)
        .values("sponsor__regency__code")
        .annotate(n=Count("pk"))
        .values_list("sponsor__regency__code", "n")
    )
    province_counts: dict[str, int] = {}
    for program in running.filter(sponsor__kind=Sponsor.Kind.PROVINCE).select_related(
        "sponsor__regency__province", "sponsor__office__province"
    ):
        sponsor = program.sponsor
        province = (
            sponsor.regency.province.code
            if sponsor.regency is not None
            else (sponsor.office.province.code if sponsor.office.province is not None else None)
        )
        if province:
            province_counts[province] = province_counts.get(province, 0) + 1
    regencies = scoped(user, ServedRegency.objects.all()).select_related(
        "province", "branch_office"
    )
    return [
        RegencyRow(
            code=r.code,
            name=r.full_name,
            province=r.province.name,
            office=r.branch_office.name if r.branch_office else "",
            regency_programs=0,
            province_programs=province_counts.get(r.province.code, 0),
        )
        for r in regencies.order_by("code")
        if not regency_counts.get(r.code)
    ]


def compliance_list(name: str, *, user: User, as_of: date) -> list[Any]:
    functions = {
        "below_minimum_wage": below_minimum_wage,
        "without_jp": without_jp,
        "sharp_drop": sharp_drop,
        "arrears": arrears,
        "no_budget_program": no_budget_program,
    }
    return functions[name](user=user, as_of=as_of)  # type: ignore[operator]


def columns(name: str) -> list[str]:
    if name == "arrears":
        return list(ArrearsRow.__dataclass_fields__)
    if name == "no_budget_program":
        return list(RegencyRow.__dataclass_fields__)
    return list(EmployerRow.__dataclass_fields__)
