"""``jaminan ledger check`` finds a tampered row: each invariant between bills, payments, their
allocations and fines, on a clean scenario made by the services, then one row changed with
``.update``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jaminan.contributions import ledger
from jaminan.contributions.models import (
    Allocation,
    Bill,
    Fine,
    PayerAccount,
    Payment,
)
from tests.contributions.test_payments import bill_month, employer_payer, make_employer, pay

pytestmark = pytest.mark.django_db


@dataclass
class Scenario:
    payer: PayerAccount
    jan: Bill  # paid late, in full: fined
    feb: Bill  # carries January's fine; partly paid
    mar: Bill  # open
    jan_payment: Payment
    feb_payment: Payment
    other: PayerAccount  # another employer, with credit and no bill
    other_payment: Payment
    fine: Fine  # January's, billed on February


@pytest.fixture
def scenario(reference: None) -> Scenario:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    jan_payment = pay(payer, "JAN", jan.amount, date(2026, 3, 20))  # due 16 Feb: 2 months late
    feb = bill_month(payer, date(2026, 2, 1))
    feb_payment = pay(payer, "FEB", 100_000, date(2026, 3, 10))  # on time: no fine
    mar = bill_month(payer, date(2026, 3, 1))
    other = employer_payer(make_employer("64.72", serial=2))
    other_payment = pay(other, "OTHER", 50_000, date(2026, 3, 10))
    for bill in (jan, feb, mar):
        bill.refresh_from_db()
    assert (jan.status, feb.status, mar.status) == ("paid", "partly_paid", "open")
    fine = Fine.objects.get()
    assert fine.billed_line is not None and fine.billed_line.bill_id == feb.pk
    result = ledger.check()
    assert result.ok, result.breaches
    return Scenario(payer, jan, feb, mar, jan_payment, feb_payment, other, other_payment, fine=fine)


def breaches() -> list[str]:
    return ledger.check().breaches


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            lambda s: Bill.objects.filter(pk=s.mar.pk).update(
                status="paid", paid_on=date(2026, 4, 1)
            ),
            lambda s: f"bill {s.mar.pk}: status paid, but paid 0 of {s.mar.amount} is open",
        ),
        (
            lambda s: Bill.objects.filter(pk=s.jan.pk).update(status="open", paid_on=None),
            lambda s: (
                f"bill {s.jan.pk}: status open, but paid {s.jan.amount} of {s.jan.amount} is paid"
            ),
        ),
        (
            lambda s: Bill.objects.filter(pk=s.feb.pk).update(status="paid"),
            lambda s: (
                f"bill {s.feb.pk}: status paid, but paid 100000 of {s.feb.amount} is partly_paid"
            ),
        ),
        (
            lambda s: Bill.objects.filter(pk=s.jan.pk).update(paid_on=None),
            lambda s: f"bill {s.jan.pk}: status paid, paid on None",
        ),
        (
            lambda s: Bill.objects.filter(pk=s.feb.pk).update(paid_on=date(2026, 3, 10)),
            lambda s: f"bill {s.feb.pk}: status partly_paid, paid on 2026-03-10",
        ),
    ],
    ids=[
        "paid-but-nothing-paid",
        "open-but-fully-paid",
        "paid-but-partly",
        "paid-without-date",
        "dated-but-partly",
    ],
)
def test_ledger_check_finds_a_bill_status_that_does_not_follow_its_amounts(
    scenario: Scenario,
    tamper: Callable[[Scenario], object],
    expected: Callable[[Scenario], str],
) -> None:
    tamper(scenario)
    assert breaches() == [expected(scenario)]


def test_a_bill_of_rp0_stays_open_when_everything_is_paid(scenario: Scenario) -> None:
    """Nothing to pay on a bill of Rp0: payments leave it open (payments._allocate), and the check
    agrees."""
    nothing = Bill.objects.create(
        payer=scenario.payer,
        office=scenario.mar.office,
        kind=Bill.Kind.MONTHLY,
        month=date(2026, 4, 1),
        segment="PU",
        due_date=date(2026, 5, 15),
    )
    owed = scenario.feb.outstanding + scenario.mar.outstanding
    pay(scenario.payer, "ALL", owed, date(2026, 4, 10))
    nothing.refresh_from_db()
    assert (nothing.amount, nothing.paid_amount, nothing.status) == (0, 0, "open")
    assert Bill.objects.filter(payer=scenario.payer, status="paid").count() == 3
    assert breaches() == []


def test_ledger_check_finds_a_paid_amount_that_is_not_its_allocations(scenario: Scenario) -> None:
    mar = scenario.mar
    Bill.objects.filter(pk=mar.pk).update(
        paid_amount=mar.amount, status="paid", paid_on=date(2026, 4, 1)
    )
    found = breaches()
    assert f"bill {mar.pk}: paid {mar.amount}, allocations 0" in found
    with pytest.raises(CommandError):
        call_command("ledger", "check")


def test_ledger_check_finds_a_payment_allocated_beyond_its_amount(scenario: Scenario) -> None:
    """January's allocation moved to February's payment of Rp100.000 (same payer: the payer's
    totals and every bill still agree)."""
    jan_allocation = Allocation.objects.get(bill=scenario.jan)
    Allocation.objects.filter(pk=jan_allocation.pk).update(payment=scenario.feb_payment)
    jan_amount = scenario.jan.amount
    assert breaches() == [
        f"payment {scenario.feb_payment.pk}: amount 100000, allocations {100_000 + jan_amount}",
        # The payments' journals (invariant 7) no longer match their allocations either.
        f"payment JAN: amount {jan_amount}, reversed False, cash posted {jan_amount}; "
        f"live allocations 0, receivable posted -{jan_amount}",
        f"payment {scenario.feb_payment.reference}: amount 100000, reversed False, cash posted "
        f"100000; live allocations {100_000 + jan_amount}, receivable posted -100000",
    ]


def test_ledger_check_finds_a_credit_that_is_not_the_payers_unallocated_money(
    scenario: Scenario,
) -> None:
    """The other employer's payment (all of it credit) moved to the first employer, whose credit
    account and bills do not change."""
    Payment.objects.filter(pk=scenario.other_payment.pk).update(payer=scenario.payer)
    assert sorted(breaches()) == sorted(
        [
            f"payer {scenario.payer.virtual_account}: credit 0, "
            "payments less their allocations 50000",
            f"payer {scenario.other.virtual_account}: credit 50000, "
            "payments less their allocations 0",
        ]
    )


def test_ledger_check_finds_a_fine_that_is_not_its_billed_line(scenario: Scenario) -> None:
    fine = scenario.fine
    Fine.objects.filter(pk=fine.pk).update(amount=fine.amount + 1)
    assert breaches() == [
        f"fine {fine.pk}: amount {fine.amount + 1}, billed line {fine.billed_line_id} {fine.amount}",
        f"fine lines 1 of {fine.amount} <> billed fines 1 of {fine.amount + 1}",
    ]


def test_ledger_check_finds_a_fine_line_of_no_fine(scenario: Scenario) -> None:
    """A fine that lost its billed line would be billed again by the next run."""
    fine = scenario.fine
    Fine.objects.filter(pk=fine.pk).update(billed_line=None)
    assert breaches() == [f"fine lines 1 of {fine.amount} <> billed fines 0 of 0"]
