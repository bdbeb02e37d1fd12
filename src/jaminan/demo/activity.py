"""Demo activity on a generated population: a few months billed and mostly paid, so that every
screen (bills, payments, arrears, fines, JHT balances, coverage) has something to show.

Sponsors: before each month is billed, the programs whose last month is over are ended (as the
billing run does: ``sponsors.end_lapsed_programs``), so that the demo shows no program running past
its end. The demo donor login (``demo-setup``) needs a person of KC Balikpapan whose program covers
the current month: when the population has none (at the demo scale it has only a Bapak Asuh whose
program ran January–June 2026), :func:`ensure_demo_donor` registers one — an individual donor
(``DON-DEMO-BPN``) covering two neighbours for twelve months from the first month billed here.

Deterministic and idempotent: payment references are derived from the bills (``DEMO-<bill id>``),
the billing run skips what is billed, a payment already recorded is not recorded again, and the demo
donor is made only while no such donor exists.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from jaminan.contributions import billing, payments, sponsors
from jaminan.contributions.models import Bill, Payment, Sponsor, SponsorshipProgram
from jaminan.geo.models import Office
from jaminan.registry.models import Membership
from jaminan.registry.services import PersonFacts
from jaminan.rules.core import add_months

#: Of the bills of each month: paid on time, paid about a month late, left unpaid.
ON_TIME, LATE = 0.86, 0.07


#: The office of the demo logins (``demo-setup``) and the demo donor.
DEMO_OFFICE = "KC-BALIKPAPAN"
DEMO_DONOR_CODE = "DON-DEMO-BPN"
DEMO_DONOR_NAME = "Hj. Siti Rahmawati"
DEMO_DONOR_MONTHS = 12
#: The demo donor's two neighbours: name, birth date, sex (their NIKs: Balikpapan Selatan, from
#: serial 9001 on, the first one free).
DEMO_NEIGHBOURS = (
    ("Ahmad Fauzi", date(1984, 4, 12), "L"),
    ("Nur Aisyah", date(1991, 9, 23), "P"),
)


@dataclass
class ActivityResult:
    months: list[str] = field(default_factory=list)
    bills: int = 0
    payments: int = 0
    unpaid: int = 0
    programs_ended: int = 0
    demo_donor: str = ""


def run_activity(
    *, today: date, months: int = 4, seed: int = 7, progress: Callable[[str], None] | None = None
) -> ActivityResult:
    """Bill the ``months`` months up to ``today``'s and pay their bills (most on time); end the
    sponsors' lapsed programs and make sure the demo donor has a program (module docstring)."""
    result = ActivityResult()
    first = add_months(today.replace(day=1), -(months - 1))
    for month in billing.months_between(first, today.replace(day=1)):
        result.programs_ended += sponsors.end_lapsed_programs(as_of=month)
        if month == first:
            result.demo_donor = ensure_demo_donor(today=today, first_month=first)
        run = billing.run_billing(month=month, reason="demo", today=month)
        result.months.append(f"{month:%Y-%m}")
        result.bills += run.bills
        if progress is not None:
            progress(f"{month:%Y-%m}: {run.bills} tagihan")
        rng = random.Random(f"{seed}-{month:%Y%m}")
        for bill in Bill.objects.filter(month=month).select_related("payer").order_by("id"):
            draw = rng.random()
            if draw < ON_TIME:
                paid_on = bill.due_date - timedelta(days=rng.randint(0, 10))
            elif draw < ON_TIME + LATE:
                paid_on = bill.due_date + timedelta(days=rng.randint(20, 45))
            else:
                result.unpaid += 1
                continue
            reference = f"DEMO-{bill.pk}"
            if paid_on > today or Payment.objects.filter(reference=reference).exists():
                continue
            bill.refresh_from_db(fields=["amount", "paid_amount"])
            amount = bill.amount - bill.paid_amount
            if amount <= 0:
                continue
            payments.record_payment(
                payer=bill.payer,
                reference=reference,
                amount=amount,
                paid_on=max(paid_on, month),
                channel=Payment.Channel.BANK_FILE,
                source="demo",
            )
            result.payments += 1
    result.programs_ended += sponsors.end_lapsed_programs(as_of=today)
    return result


def _donor_covering(month: date) -> Sponsor | None:
    """A person (``sponsors.DONOR_KINDS``) of the demo office whose running program covers
    ``month`` and has beneficiaries."""
    return (
        Sponsor.objects.filter(
            office__code=DEMO_OFFICE,
            kind__in=sponsors.DONOR_KINDS,
            programs__status=SponsorshipProgram.Status.ACTIVE,
            programs__start_month__lte=month,
            programs__end_month__gte=month,
            programs__beneficiaries__isnull=False,
        )
        .order_by("code")
        .first()
    )


def _free_nik(regency: str, birth: date, sex: str) -> str:
    """The first NIK of a person born on ``birth`` in district ``<regency>.01`` (serials from 9001)
    that has no active BPU membership."""
    day = birth.day + (40 if sex == "P" else 0)
    for serial in range(9001, 10_000):
        nik = f"{regency.replace('.', '')}01{day:02d}{birth:%m%y}{serial:04d}"
        if not Membership.objects.filter(
            participant__person__nik=nik, segment=Membership.Segment.BPU, end_date__isnull=True
        ).exists():
            return nik
    raise RuntimeError(f"no free demo NIK for {birth}")


def ensure_demo_donor(*, today: date, first_month: date) -> str:
    """The code of a demo-office donor whose program covers ``today``'s month: one of the population,
    or else ``DON-DEMO-BPN`` with a new program of two neighbours from ``first_month`` for
    ``DEMO_DONOR_MONTHS`` months, neighbours of the office's seat (Kota Balikpapan). Empty
    without that office."""
    month = today.replace(day=1)
    found = _donor_covering(month)
    if found is not None:
        return found.code
    office = Office.objects.select_related("seat_regency").filter(code=DEMO_OFFICE).first()
    if office is None or office.seat_regency.branch_office_id != office.pk:
        return ""
    regency = office.seat_regency
    sponsor = Sponsor.objects.filter(code=DEMO_DONOR_CODE).first() or sponsors.create_sponsor(
        kind=Sponsor.Kind.INDIVIDUAL,
        name=DEMO_DONOR_NAME,
        regency=regency,
        code=DEMO_DONOR_CODE,
        contact_name=DEMO_DONOR_NAME,
        contact_phone="0812 5400 7788",
    )
    start = first_month
    end = add_months(start, DEMO_DONOR_MONTHS - 1)
    income = sponsors.income_minimum(start)
    per_worker = sum(
        sponsors.monthly_amount(m, income, sponsor.government_funded).total
        for m in sponsors.months_of(start, end)
    )
    program = sponsors.create_program(
        sponsor=sponsor,
        name=f"{sponsors.DONOR_PROGRAM_NAME} – {sponsor.name}",
        start_month=start,
        end_month=end,
        budget_ceiling=len(DEMO_NEIGHBOURS) * per_worker,
        declared_income=income,
    )
    for name, birth, sex in DEMO_NEIGHBOURS:
        facts = PersonFacts(
            nik=_free_nik(regency.code, birth, sex),
            name=name,
            birth_date=birth,
            sex=sex,
            address_regency=regency,
        )
        sponsors.enrol_beneficiary(program=program, person=facts, on=start)
    return sponsor.code
