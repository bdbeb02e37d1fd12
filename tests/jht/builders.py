"""Test builders for JHT and pensions: PU workers and their paid monthly bills, made by hand (bill,
lines from ``contribution.pu``, payment, allocation) and posted to the ledger like the real flow."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import count

from jaminan.contributions import ledger
from jaminan.contributions.billing import ensure_payer_account
from jaminan.contributions.models import Allocation, Bill, BillLine, Payment
from jaminan.geo.models import Regency
from jaminan.registry import services
from jaminan.registry.models import Employer, Membership
from jaminan.rules import calculate
from jaminan.rules.core import add_months, month_str

_serial = count(1)
_reference = count(1)


def nik(birth: date, sex: str = "L", serial: int | None = None) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"647105{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial or next(_serial):04d}"


def employer(name: str = "PT Pensiun Sejahtera", size: str = "medium") -> Employer:
    return services.register_employer(
        name=name,
        legal_form="PT",
        kbli="41011",
        size_class=size,
        risk_group=2,
        regency=Regency.objects.get(code="64.71"),
        registered_on=date(2015, 1, 1),
    )


def worker(
    employer: Employer,
    *,
    name: str = "Budi Santoso",
    birth: date = date(1980, 3, 12),
    sex: str = "L",
    wage: int = 5_000_000,
    start: date = date(2016, 1, 1),
    programs: list[str] | None = None,
) -> Membership:
    return services.register_pu_worker(
        employer=employer,
        person=services.PersonFacts(nik=nik(birth, sex), name=name, birth_date=birth, sex=sex),
        wage=wage,
        start_date=start,
        programs=programs or ["JKK", "JKM", "JHT", "JP"],
        registered_on=start,
    )


def pay_month(membership: Membership, month: date, *, paid_on: date, wage: int) -> Bill:
    """One paid monthly bill of the membership's employer for ``month`` with the membership's lines
    (amounts from ``contribution.pu``), its payment and allocation, all posted to the ledger."""
    assert membership.employer is not None
    payer = ensure_payer_account(employer=membership.employer)
    result = calculate(
        "contribution.pu",
        {
            "month": month_str(month),
            "wage": wage,
            "risk_group": membership.employer.risk_group,
            "programs": membership.programs,
        },
    )
    bill = Bill.objects.create(
        payer=payer,
        office=membership.office,
        kind=Bill.Kind.MONTHLY,
        month=month,
        segment="PU",
        due_date=add_months(month, 1, day=15),
    )
    lines = []
    for program in ("JKK", "JKM", "JHT", "JP"):
        for side, amount in result[program].items():
            if side == "wage_base" or not amount:
                continue
            base = result["JP"]["wage_base"] if program == "JP" else wage
            lines.append(
                BillLine(
                    bill=bill,
                    membership=membership,
                    program=program,
                    side=side,
                    base=base,
                    amount=amount,
                )
            )
    BillLine.objects.bulk_create(lines)
    bill.amount = sum(line.amount for line in lines)
    bill.save(update_fields=["amount"])
    ledger.post_bill(bill)
    payment = Payment.objects.create(
        reference=f"UJI-{next(_reference):08d}",
        payer=payer,
        amount=bill.amount,
        paid_on=paid_on,
        channel=Payment.Channel.MANUAL,
    )
    ledger.post_payment(payment)
    allocation = Allocation.objects.create(
        payment=payment, bill=bill, amount=bill.amount, allocated_on=paid_on
    )
    ledger.post_allocation(allocation)
    bill.paid_amount, bill.status, bill.paid_on = bill.amount, Bill.Status.PAID, paid_on
    bill.save(update_fields=["paid_amount", "status", "paid_on"])
    return bill


def pay_months(
    membership: Membership, months: Iterable[date], *, wage: int, paid_day: int = 10
) -> list[Bill]:
    """Each month paid on ``paid_day`` of the following month (before the due date)."""
    return [
        pay_month(membership, m, paid_on=add_months(m, 1, day=paid_day), wage=wage) for m in months
    ]


def months(first: date, n: int) -> list[date]:
    return [add_months(first, i) for i in range(n)]
