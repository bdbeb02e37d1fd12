"""Payments: idempotent recording, oldest-first allocation, credit, fines, BPU payment in advance,
scoping; the ledger balances after every scenario."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import billing, ledger, payments
from jaminan.contributions.models import (
    Allocation,
    Bill,
    BillLine,
    Fine,
    PayerAccount,
    Payment,
)
from jaminan.geo.models import Office, Regency
from jaminan.registry import services
from jaminan.registry.models import Employer, Membership
from jaminan.rules import calculate
from jaminan.rules.core import add_months
from tests.registry.conftest import make_nik

# --------------------------------------------------------------------------------------- scenario


def _facts(serial: int, birth: date = date(1990, 8, 5), regency: Regency | None = None) -> Any:
    return services.PersonFacts(
        nik=make_nik(birth, "P", serial=serial),
        name=f"Pekerja {serial}",
        birth_date=birth,
        sex="P",
        address_regency=regency,
    )


def make_employer(
    regency_code: str = "64.71", *, wages: tuple[int, ...] = (5_000_000, 4_000_000), serial: int = 1
) -> Employer:
    """A medium employer (risk group 2) with PU workers from January 2026."""
    regency = Regency.objects.select_related("branch_office").get(code=regency_code)
    employer = services.register_employer(
        name=f"PT Uji {regency_code} {serial}",
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=2,
        regency=regency,
        registered_on=date(2020, 1, 1),
    )
    for i, wage in enumerate(wages):
        services.register_pu_worker(
            employer=employer,
            person=_facts(serial * 100 + i + 1),
            wage=wage,
            start_date=date(2026, 1, 1),
            registered_on=date(2026, 1, 5),
        )
    return employer


def make_bpu(
    *, payer: str = "self", serial: int = 900, income: int = 1_000_000, start: date | None = None
) -> Membership:
    regency = Regency.objects.select_related("branch_office").get(code="64.71")
    return services.register_bpu_worker(
        person=_facts(serial, regency=regency),
        declared_income=income,
        payer=payer,
        start_date=start or date(2026, 1, 1),
        registered_on=start or date(2026, 1, 1),
    )


def employer_payer(employer: Employer) -> PayerAccount:
    return billing.ensure_payer_account(employer=employer)


def bill_month(payer: PayerAccount, month: date) -> Bill:
    bill = billing.issue_monthly_bill(payer=payer, month=month)
    assert bill is not None
    return bill


def pu_amount(wages: tuple[int, ...], month: str) -> int:
    """What the rules bill a medium risk-group-2 employer for workers of these wages (< 56 years,
    JKK JKM JHT JP; JKP adds nothing to the bill)."""
    total = 0
    for wage in wages:
        r = calculate(
            "contribution.pu",
            {
                "month": month,
                "wage": wage,
                "risk_group": 2,
                "programs": ["JKK", "JKM", "JHT", "JP"],
            },
        )
        total += r["total"]
    return total


def ok_ledger() -> None:
    result = ledger.check()
    assert result.ok, result.breaches


def pay(payer: PayerAccount, reference: str, amount: int, paid_on: date, **kw: Any) -> Payment:
    payment, created = payments.record_payment(
        payer=payer,
        reference=reference,
        amount=amount,
        paid_on=paid_on,
        channel=kw.pop("channel", Payment.Channel.MANUAL),
        **kw,
    )
    assert created
    return payment


# ------------------------------------------------------------------------------------------ tests


@pytest.mark.django_db
def test_bills_amounts_match_rules(reference: None) -> None:
    payer = employer_payer(make_employer())
    bill = bill_month(payer, date(2026, 1, 1))
    assert bill.amount == pu_amount((5_000_000, 4_000_000), "2026-01")
    ok_ledger()


@pytest.mark.django_db
def test_same_reference_twice_stores_one_payment(reference: None) -> None:
    payer = employer_payer(make_employer())
    bill = bill_month(payer, date(2026, 1, 1))
    first, created = payments.record_payment(
        payer=payer,
        reference="TRX-1",
        amount=100_000,
        paid_on=date(2026, 2, 10),
        channel="manual",
    )
    assert created
    again, created_again = payments.record_payment(
        payer=payer,
        reference=" TRX-1 ",
        amount=100_000,
        paid_on=date(2026, 2, 11),
        channel="bank_file",
    )
    assert not created_again and again.pk == first.pk
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (100_000, Bill.Status.PARTLY_PAID)
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="contributions.Payment", object_id=str(first.pk)
        ).count()
        == 1
    )
    ok_ledger()


@pytest.mark.django_db
def test_reference_conflict(reference: None) -> None:
    payer = employer_payer(make_employer())
    other = employer_payer(make_employer("64.72", serial=2))
    pay(payer, "TRX-9", 50_000, date(2026, 2, 1))
    with pytest.raises(payments.ReferenceConflict) as exc:
        payments.record_payment(
            payer=payer,
            reference="TRX-9",
            amount=50_001,
            paid_on=date(2026, 2, 1),
            channel="manual",
        )
    assert exc.value.code == "reference_conflict" and exc.value.status == 409
    with pytest.raises(payments.ReferenceConflict):
        payments.record_payment(
            payer=other,
            reference="TRX-9",
            amount=50_000,
            paid_on=date(2026, 2, 1),
            channel="manual",
        )
    assert Payment.objects.count() == 1
    payer.refresh_from_db()
    assert payer.credit == 50_000  # no bill yet: all of it is credit
    ok_ledger()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"reference": ""}, "reference_required", "reference"),
        ({"reference": "x" * 65}, "reference_too_long", "reference"),
        ({"reference": "a\x00b"}, "reference_invalid", "reference"),
        ({"amount": 0}, "amount_invalid", "amount"),
        ({"amount": -5}, "amount_invalid", "amount"),
        ({"amount": True}, "amount_invalid", "amount"),
        ({"amount": 10**13}, "amount_too_large", "amount"),
        ({"paid_on": None}, "paid_on_required", "paid_on"),
        ({"channel": "cash"}, "invalid", "channel"),
    ],
)
def test_bad_input_refused_nothing_saved(
    reference: None, kwargs: dict[str, Any], code: str, field: str
) -> None:
    payer = employer_payer(make_employer())
    args: dict[str, Any] = {
        "payer": payer,
        "reference": "TRX-OK",
        "amount": 1_000,
        "paid_on": date(2026, 2, 1),
        "channel": "manual",
        **kwargs,
    }
    with pytest.raises(payments.PaymentError) as exc:
        payments.record_payment(**args)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert exc.value.message
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_future_payment_date_refused(reference: None) -> None:
    payer = employer_payer(make_employer())
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(payments.PaymentError) as exc:
        pay(payer, "TRX-F", 1_000, tomorrow)
    assert exc.value.code == "paid_on_in_future"


@pytest.mark.django_db
def test_payment_date_before_bpjs_ketenagakerjaan_began_refused(reference: None) -> None:
    payer = employer_payer(make_employer())
    for day in (date(1900, 1, 1), date(2015, 6, 30)):
        with pytest.raises(payments.PaymentError) as exc:
            pay(payer, f"TRX-{day:%Y}", 1_000, day)
        assert (exc.value.code, exc.value.field) == ("paid_on_too_early", "paid_on")
        assert exc.value.message == (
            "Tanggal bayar tidak boleh sebelum 01/07/2015: BPJS Ketenagakerjaan beroperasi sejak "
            "1 Juli 2015."
        )
    assert not Payment.objects.exists()
    assert pay(payer, "TRX-FIRST-DAY", 1_000, payments.PAID_ON_MIN).paid_on == date(2015, 7, 1)
    own = make_bpu(serial=903)
    with pytest.raises(payments.PaymentError) as exc:
        payments.pay_in_advance(
            membership=own, months=1, reference="A-OLD", paid_on=date(1900, 1, 1)
        )
    assert exc.value.code == "paid_on_too_early"


@pytest.mark.django_db
def test_reference_conflict_names_the_other_payment_only_to_who_may_see_its_payer(
    reference: None, make_user: Callable[..., Any]
) -> None:
    mine = employer_payer(make_employer())
    other = employer_payer(make_employer("64.72", serial=2))  # Samarinda
    pay(mine, "TRX-SEEN", 1_234_567, date(2026, 2, 1))
    samarinda = make_user(
        Role.BRANCH_OFFICER, "kc-smd", office=Office.objects.get(code="KC-SAMARINDA")
    )
    balikpapan = make_user(Role.BRANCH_OFFICER, "kc-bpn")
    args: dict[str, Any] = {
        "reference": "TRX-SEEN",
        "amount": 5_000,
        "paid_on": date(2026, 2, 2),
        "channel": "api",
    }
    for actor in (samarinda, None):  # outside the payer's scope; no user at all
        with pytest.raises(payments.ReferenceConflict) as exc:
            payments.record_payment(payer=other, actor=actor, **args)
        assert exc.value.message == "Referensi TRX-SEEN sudah dipakai oleh pembayaran lain."
    with pytest.raises(payments.ReferenceConflict) as exc:
        payments.record_payment(payer=mine, actor=balikpapan, **args)
    assert exc.value.message == (
        f"Referensi TRX-SEEN sudah tercatat untuk pembayaran lain ({mine.virtual_account}, "
        "Rp1.234.567)."
    )
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_record_advance_says_whether_it_recorded(reference: None) -> None:
    own = make_bpu(serial=904, start=timezone.localdate().replace(day=1))
    today = timezone.localdate()
    first = payments.record_advance(membership=own, months=3, reference="ADV-R", paid_on=today)
    again = payments.record_advance(membership=own, months=3, reference="ADV-R", paid_on=today)
    assert (first.created, again.created) == (True, False)
    assert again.payment == first.payment and again.bills == first.bills
    assert Payment.objects.count() == 1
    ok_ledger()


@pytest.mark.django_db
def test_oldest_first_partial_then_overpayment_used_by_next_bill(reference: None) -> None:
    wages = (5_000_000, 4_000_000)
    payer = employer_payer(make_employer(wages=wages))
    jan = bill_month(payer, date(2026, 1, 1))
    feb = bill_month(payer, date(2026, 2, 1))
    jan_amount, feb_amount = pu_amount(wages, "2026-01"), pu_amount(wages, "2026-02")
    assert (jan.amount, feb.amount) == (jan_amount, feb_amount)

    # A partial payment goes to January (the oldest), not February.
    pay(payer, "P-1", 300_000, date(2026, 2, 10))
    jan.refresh_from_db()
    feb.refresh_from_db()
    assert (jan.paid_amount, jan.status, jan.paid_on) == (300_000, Bill.Status.PARTLY_PAID, None)
    assert (feb.paid_amount, feb.status) == (0, Bill.Status.OPEN)
    ok_ledger()

    # Enough for the rest of January, all of February and Rp250.000 more.
    second = jan_amount - 300_000 + feb_amount + 250_000
    p2 = pay(payer, "P-2", second, date(2026, 2, 12))
    jan.refresh_from_db()
    feb.refresh_from_db()
    payer.refresh_from_db()
    assert (jan.paid_amount, jan.status, jan.paid_on) == (
        jan_amount,
        Bill.Status.PAID,
        date(2026, 2, 12),
    )
    assert (feb.status, feb.paid_on) == (Bill.Status.PAID, date(2026, 2, 12))
    assert payer.credit == 250_000
    assert list(
        Allocation.objects.order_by("id").values_list("payment__reference", "bill_id", "amount")
    ) == [
        ("P-1", jan.pk, 300_000),
        ("P-2", jan.pk, jan_amount - 300_000),
        ("P-2", feb.pk, feb_amount),
    ]
    assert not Fine.objects.exists()  # February bill not due until 16 March
    ok_ledger()

    # The credit pays the next bill, made by the billing run, from P-2's money.
    run = billing.run_billing(month=date(2026, 3, 1), today=date(2026, 3, 2))
    assert run.status == "completed"
    mar = Bill.objects.get(payer=payer, month=date(2026, 3, 1))
    payer.refresh_from_db()
    assert mar.amount == pu_amount(wages, "2026-03")
    assert (mar.paid_amount, mar.status) == (250_000, Bill.Status.PARTLY_PAID)
    assert payer.credit == 0
    last = Allocation.objects.get(bill=mar)
    assert (last.payment_id, last.amount, last.allocated_on) == (p2.pk, 250_000, date(2026, 3, 2))
    ok_ledger()


@pytest.mark.django_db
def test_bill_paid_two_months_late_fine_then_on_next_bill(reference: None) -> None:
    wages = (5_000_000, 4_000_000)
    payer = employer_payer(make_employer(wages=wages))
    jan = bill_month(payer, date(2026, 1, 1))
    assert jan.due_date == date(2026, 2, 16)  # 15 Feb 2026 is a Sunday
    # Paid 20 March: more than one month after 16 February, less than two → 2 months late.
    pay(payer, "LATE-1", jan.amount, date(2026, 3, 20))
    fine = Fine.objects.get()
    assert fine.bill_id == jan.pk
    assert fine.months_late == 2
    assert fine.amount_due == jan.amount
    expected = (jan.amount * 2 * 2 + 50) // 100  # 2% × 2 months, half up
    assert fine.amount == expected
    assert (
        fine.amount
        == calculate(
            "fine",
            {"contribution_month": "2026-01", "amount_due": jan.amount, "paid_on": "2026-03-20"},
        )["fine"]
    )
    assert fine.billed_line is None
    jan.refresh_from_db()
    assert (jan.status, jan.paid_on) == (Bill.Status.PAID, date(2026, 3, 20))
    ok_ledger()

    # The next bill carries the fine as a fine line.
    feb = bill_month(payer, date(2026, 2, 1))
    fine.refresh_from_db()
    assert fine.billed_line is not None and fine.billed_line.bill_id == feb.pk
    line = BillLine.objects.get(bill=feb, kind=BillLine.Kind.FINE)
    assert (line.amount, line.base) == (expected, jan.amount)
    assert feb.amount == pu_amount(wages, "2026-02") + expected
    ok_ledger()

    # Paying February late (one started month) fines its contributions only, not the fine line.
    pay(payer, "LATE-2", feb.amount, date(2026, 3, 30))
    feb_fine = Fine.objects.get(bill=feb)
    assert feb_fine.months_late == 1
    assert feb_fine.amount_due == pu_amount(wages, "2026-02")
    assert feb_fine.amount == (pu_amount(wages, "2026-02") * 2 + 50) // 100
    ok_ledger()


@pytest.mark.django_db
def test_partial_late_payment_fines_only_late_part(reference: None) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    pay(payer, "ON-TIME", 100_000, date(2026, 2, 16))  # on the due date: no fine
    assert not Fine.objects.exists()
    pay(payer, "LATE", jan.amount - 100_000, date(2026, 2, 17))  # one day late: 1 month
    fine = Fine.objects.get()
    assert (fine.amount_due, fine.months_late) == (jan.amount - 100_000, 1)
    assert fine.amount == ((jan.amount - 100_000) * 2 + 50) // 100
    ok_ledger()


@pytest.mark.django_db
def test_bpu_late_payment_no_fine(reference: None) -> None:
    membership = make_bpu()
    payer = billing.ensure_payer_account(participant=membership.participant)
    jan = bill_month(payer, date(2026, 1, 1))
    assert jan.amount == 16_800
    assert jan.due_date == date(2026, 1, 15)
    pay(payer, "BPU-LATE", 16_800, date(2026, 4, 20))
    jan.refresh_from_db()
    assert jan.status == Bill.Status.PAID
    assert not Fine.objects.exists()
    ok_ledger()


@pytest.mark.django_db
def test_apply_credit_without_bills_keeps_credit(reference: None) -> None:
    payer = employer_payer(make_employer())
    pay(payer, "EARLY", 1_000_000, date(2026, 1, 20))
    assert payments.apply_credit(payer, on=date(2026, 1, 21)) == []
    payer.refresh_from_db()
    assert payer.credit == 1_000_000
    ok_ledger()


@pytest.mark.django_db
def test_pay_in_advance_twelve_months(reference: None) -> None:
    today = timezone.localdate()
    start = today.replace(day=1)
    membership = make_bpu(start=start)
    payment, bills = payments.pay_in_advance(
        membership=membership, months=12, reference="ADV-12", paid_on=today
    )
    months = [add_months(start, i) for i in range(12)]
    assert [b.month for b in bills] == months
    expected = [
        calculate("contribution.bpu", {"month": f"{m:%Y-%m}", "declared_income": 1_000_000})[
            "total"
        ]
        for m in months
    ]
    assert [b.amount for b in bills] == expected
    assert payment.amount == sum(expected)
    assert payment.channel == Payment.Channel.ADVANCE
    assert all(b.status == Bill.Status.PAID and b.paid_on == today for b in bills)
    payer = PayerAccount.objects.get(participant=membership.participant)
    assert payer.credit == 0
    ok_ledger()
    # The same reference again changes nothing.
    again, bills_again = payments.pay_in_advance(
        membership=membership, months=12, reference="ADV-12", paid_on=today
    )
    assert again.pk == payment.pk and len(bills_again) == 12
    assert Bill.objects.filter(payer=payer).count() == 12
    # The next advance starts after the months already billed.
    _payment3, bills3 = payments.pay_in_advance(
        membership=membership, months=3, reference="ADV-3", paid_on=today
    )
    assert [b.month for b in bills3] == [add_months(start, 12 + i) for i in range(3)]
    ok_ledger()


@pytest.mark.django_db
def test_pay_in_advance_2026_discount_amounts(reference: None) -> None:
    """Jan-Mar 2026 Rp16.800, then the PP 50/2025 discount (other sectors, Apr-Dec 2026) Rp8.400."""
    membership = make_bpu(start=date(2026, 1, 1))
    _payment, bills = payments.pay_in_advance(
        membership=membership, months=6, reference="ADV-6", paid_on=date(2026, 1, 3)
    )
    assert [b.amount for b in bills] == [16_800, 16_800, 16_800, 8_400, 8_400, 8_400]
    assert _payment.amount == 75_600
    ok_ledger()


@pytest.mark.django_db
def test_pay_in_advance_refusals(reference: None) -> None:
    employer = make_employer()
    pu = Membership.objects.filter(employer=employer).first()
    assert pu is not None
    today = timezone.localdate()
    with pytest.raises(payments.PaymentError) as exc:
        payments.pay_in_advance(membership=pu, months=3, reference="A1", paid_on=today)
    assert exc.value.code == "advance_bpu_only"
    sponsored = make_bpu(payer="sponsor", serial=901)
    with pytest.raises(payments.PaymentError) as exc:
        payments.pay_in_advance(membership=sponsored, months=3, reference="A2", paid_on=today)
    assert exc.value.code == "advance_bpu_only"
    own = make_bpu(serial=902)
    for months in (0, 2, 4, 24, True):
        with pytest.raises(payments.PaymentError) as exc:
            payments.pay_in_advance(membership=own, months=months, reference="A3", paid_on=today)
        assert exc.value.code == "advance_months_invalid"
    # Open bills first.
    payer = billing.ensure_payer_account(participant=own.participant)
    bill_month(payer, date(2026, 1, 1))
    with pytest.raises(payments.PaymentError) as exc:
        payments.pay_in_advance(membership=own, months=1, reference="A4", paid_on=today)
    assert exc.value.code == "advance_open_bills"
    assert not Payment.objects.exists()
    ok_ledger()


# ------------------------------------------------------------------------------------------ scoping


@pytest.mark.django_db
def test_scoping_of_payers_and_payments(reference: None, make_user: Callable[..., Any]) -> None:
    mine = make_employer()
    other = make_employer("64.72", serial=2)  # Samarinda
    my_payer, other_payer = employer_payer(mine), employer_payer(other)
    pay(my_payer, "S-1", 1_000, date(2026, 1, 10))
    pay(other_payer, "S-2", 2_000, date(2026, 1, 10))
    employer_user = make_user(Role.EMPLOYER_USER, "emp", employer_npp=mine.npp)
    assert list(payments.payers_in_scope(employer_user)) == [my_payer]
    assert [p.reference for p in payments.payments_in_scope(user=employer_user)] == ["S-1"]
    with pytest.raises(payments.PayerNotFound):
        payments.payer_detail(user=employer_user, virtual_account=other_payer.virtual_account)
    balikpapan = make_user(Role.BRANCH_OFFICER, "kc-bpn")
    samarinda = make_user(
        Role.BRANCH_OFFICER, "kc-smd", office=Office.objects.get(code="KC-SAMARINDA")
    )
    assert payments.find_payer(user=balikpapan, identifier=mine.npp) == my_payer
    with pytest.raises(payments.PayerNotFound):
        payments.find_payer(user=samarinda, identifier=mine.npp)
    detail = payments.payer_detail(user=balikpapan, virtual_account=my_payer.virtual_account)
    assert detail.payer == my_payer and detail.payer.credit == 1_000
    assert AuditEvent.objects.filter(
        action="view", object_type="contributions.PayerAccount", actor=balikpapan
    ).exists()


# -------------------------------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_same_reference_one_payment(reference: None) -> None:
    payer = employer_payer(make_employer())
    bill_month(payer, date(2026, 1, 1))
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def post() -> None:
        try:
            barrier.wait()
            outcomes.append(
                payments.record_payment(
                    payer=payer,
                    reference="RACE-1",
                    amount=123_456,
                    paid_on=date(2026, 2, 1),
                    channel="api",
                )[1]
            )
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [False, True]
    assert Payment.objects.filter(reference="RACE-1").count() == 1
    assert Allocation.objects.count() == 1
    ok_ledger()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_same_reference_other_payer_conflict(reference: None) -> None:
    a = employer_payer(make_employer())
    b = employer_payer(make_employer("64.72", serial=2))
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def post(payer: PayerAccount) -> None:
        try:
            barrier.wait()
            outcomes.append(
                payments.record_payment(
                    payer=payer,
                    reference="RACE-2",
                    amount=1_000,
                    paid_on=date(2026, 2, 1),
                    channel="api",
                )[1]
            )
        except payments.ReferenceConflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(p,)) for p in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == ["True", "reference_conflict"]
    assert Payment.objects.filter(reference="RACE-2").count() == 1
    ok_ledger()


@pytest.mark.django_db
def test_fine_carried_by_the_billing_run(reference: None) -> None:
    wages = (5_000_000, 4_000_000)
    payer = employer_payer(make_employer(wages=wages))
    run = billing.run_billing(month=date(2026, 1, 1), today=date(2026, 2, 2))
    assert run.status == "completed"
    jan = Bill.objects.get(payer=payer, month=date(2026, 1, 1))
    pay(payer, "RUN-LATE", jan.amount, date(2026, 3, 20))
    fine = Fine.objects.get()
    assert fine.amount == (jan.amount * 4 + 50) // 100  # 2% × 2 months
    billing.run_billing(month=date(2026, 2, 1), today=date(2026, 3, 21))
    feb = Bill.objects.get(payer=payer, month=date(2026, 2, 1))
    fine.refresh_from_db()
    assert fine.billed_line is not None and fine.billed_line.bill_id == feb.pk
    assert feb.amount == pu_amount(wages, "2026-02") + fine.amount
    assert list(feb.lines.filter(kind=BillLine.Kind.FINE).values_list("amount", flat=True)) == [
        fine.amount
    ]
    ok_ledger()
