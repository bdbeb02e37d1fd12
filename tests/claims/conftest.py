"""Fixtures of the claims tests: users per role, an employer, workers registered through the registry
services and contributions billed and paid through the contributions services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import pytest

from jaminan.accounts.roles import Role
from jaminan.contributions import billing, ledger
from jaminan.contributions.models import Bill
from jaminan.contributions.payments import record_payment
from jaminan.geo.models import HealthFacility, Office, Regency
from jaminan.registry import services as registry
from jaminan.registry.models import Employer, Membership

_serials = iter(range(1, 100_000))


def make_nik(birth: date, sex: str = "L", *, serial: int | None = None) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    serial = serial or next(_serials)
    return f"647105{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def month_range(first: date, last: date) -> list[date]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


@pytest.fixture
def balikpapan(reference: None) -> Regency:
    return Regency.objects.select_related("branch_office").get(code="64.71")


@pytest.fixture
def office(balikpapan: Regency) -> Office:
    assert balikpapan.branch_office is not None
    return balikpapan.branch_office


@pytest.fixture
def officer(make_user: Callable[..., Any], office: Office) -> Any:
    return make_user(Role.BRANCH_OFFICER, "petugas-klaim", office=office)


@pytest.fixture
def officer2(make_user: Callable[..., Any], office: Office) -> Any:
    return make_user(Role.BRANCH_OFFICER, "petugas-klaim-2", office=office)


@pytest.fixture
def approver(make_user: Callable[..., Any], office: Office) -> Any:
    return make_user(Role.CLAIMS_APPROVER, "penyetuju-klaim", office=office)


@pytest.fixture
def employer(balikpapan: Regency) -> Employer:
    return registry.register_employer(
        name="PT Klaim Uji",
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=2,
        regency=balikpapan,
        registered_on=date(2020, 1, 1),
    )


@pytest.fixture
def facility(balikpapan: Regency) -> HealthFacility:
    assert balikpapan.branch_office is not None
    facility, _ = HealthFacility.objects.get_or_create(
        name="RS Uji Balikpapan",
        regency=balikpapan,
        defaults={
            "kind": HealthFacility.Kind.RS_SWASTA,
            "serving_office": balikpapan.branch_office,
            "active_from": date(2015, 7, 1),
            "source": "uji",
        },
    )
    return facility


@pytest.fixture
def make_worker(employer: Employer) -> Callable[..., Membership]:
    def make(
        *,
        wage: int = 6_000_000,
        start: date = date(2021, 1, 1),
        birth: date = date(1985, 3, 10),
        sex: str = "L",
        name: str = "Budi Santoso",
        programs: list[str] | None = None,
        the_employer: Employer | None = None,
    ) -> Membership:
        return registry.register_pu_worker(
            employer=the_employer or employer,
            person=registry.PersonFacts(
                nik=make_nik(birth, sex), name=name, birth_date=birth, sex=sex
            ),
            wage=wage,
            start_date=start,
            programs=programs,
            registered_on=start,
        )

    return make


def contribute(
    membership: Membership, months: Iterable[date], *, pay: bool = True, via_run: bool = False
) -> list[Bill]:
    """Bill each month for the membership's payer with the lead's billing — the monthly billing
    run of the membership's office (``via_run``) or the payer's own bill with the run's amounts —
    and, when ``pay``, pay each bill on the 10th of the following month (``record_payment``)."""
    if membership.employer is not None:
        payer = billing.ensure_payer_account(employer=membership.employer)
    else:
        payer = billing.ensure_payer_account(participant=membership.participant)
    bills = []
    for month in months:
        if via_run:
            run = billing.run_billing(month=month, office=membership.office, today=month)
            assert run.status == "completed", run.error
            bill = Bill.objects.filter(payer=payer, month=month, kind="monthly").first()
        else:
            bill = billing.issue_monthly_bill(payer=payer, month=month, today=month)
        assert bill is not None, month
        bills.append(bill)
        if pay:
            paid_on = date(month.year + month.month // 12, month.month % 12 + 1, 10)
            record_payment(
                payer=payer,
                reference=f"UJI-{payer.pk}-{month:%Y%m}",
                amount=bill.amount,
                paid_on=paid_on,
                channel="manual",
            )
    return bills


def settle(membership: Membership, *, paid_on: date) -> None:
    """Pay everything the membership's payer owes."""
    assert membership.employer is not None
    payer = billing.ensure_payer_account(employer=membership.employer)
    owed = sum(b.outstanding for b in Bill.objects.filter(payer=payer).exclude(status="paid"))
    if owed:
        record_payment(
            payer=payer,
            reference=f"UJI-LUNAS-{payer.pk}-{paid_on:%Y%m%d}",
            amount=owed,
            paid_on=paid_on,
            channel="manual",
        )


def ledger_ok() -> bool:
    result = ledger.check()
    assert result.ok, result.breaches
    return True
