"""Wage corrections of months already billed (iuran selisih upah), and late bills for payers
without an account (docs/contributions.md, steps 6 and 7)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from jaminan.accounts.roles import Role
from jaminan.contributions import billing, ledger
from jaminan.contributions.models import (
    Bill,
    BillingChunk,
    BillingRun,
    BillLine,
    JournalEntry,
    PayerAccount,
    Posting,
)
from jaminan.geo.models import Regency
from jaminan.registry import services
from jaminan.registry.models import Employer, Membership, ReportedWage
from jaminan.rules import calculate
from tests.contributions.test_billing import Crash, _bills_snapshot, _several_offices, pu_expected

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)

# Above the JP cap of 2026 (checked below): its JP difference is capped.
HIGH = 15_000_000


@pytest.fixture
def employer(balikpapan: Regency) -> Employer:
    return services.register_employer(
        name="PT Naik Upah",
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=3,
        regency=balikpapan,
        registered_on=date(2020, 1, 1),
    )


@pytest.fixture
def workers(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> tuple[Membership, Membership, Membership]:
    made = []
    for wage, name, sex in (
        (4_000_000, "Siti Aminah", "P"),
        (9_000_000, "Rudi Hartono", "L"),
        (6_000_000, "Dewi Lestari", "P"),
    ):
        made.append(
            services.register_pu_worker(
                employer=employer,
                person=person(name=name, sex=sex),
                wage=wage,
                start_date=date(2026, 1, 5),
                registered_on=date(2026, 1, 5),
            )
        )
    return made[0], made[1], made[2]


def difference(
    membership: Membership, month: date, old: int, new: int
) -> dict[tuple[str, str], int]:
    before, after = pu_expected(membership, month, old), pu_expected(membership, month, new)
    return {key: after[key] - before[key] for key in after if after[key] != before[key]}


def correction_lines(bill: Bill) -> dict[tuple[int, str, str], int]:
    return {
        (line.membership_id, line.program, line.side): line.amount
        for line in bill.lines.all()
        if line.membership_id is not None
    }


def test_a_raise_effective_january_reported_in_march_is_billed_on_correction_bills(
    employer: Employer,
    workers: tuple[Membership, Membership, Membership],
    make_user: Callable[..., object],
    token_for: Callable[[object], str],
) -> None:
    """The UMP case: January and February billed with the old wages; in March a raise effective
    January is reported for two of three workers. The March run bills, for January and February
    each, one correction bill with exactly the differences (the JP one capped), due with March;
    a second run changes nothing."""
    low, crossing, untouched = workers
    jp_cap = calculate(
        "contribution.pu",
        {"month": "2026-01", "wage": HIGH, "risk_group": 3, "programs": ["JKK", "JKM", "JP"]},
    )
    assert jp_cap["JP"]["employer"] < HIGH * 2 // 100  # 15 million is above the cap
    billing.run_billing(month=JAN, today=JAN)
    billing.run_billing(month=FEB, today=FEB)
    before = {m: billing.billing_totals(m) for m in (JAN, FEB)}
    services.report_wage(membership=low, month=JAN, amount=4_500_000)
    services.report_wage(membership=crossing, month=JAN, amount=HIGH)
    run = billing.run_billing(month=MAR, today=MAR)

    march_bill = Bill.objects.get(month=MAR, kind=Bill.Kind.MONTHLY)
    corrections = Bill.objects.filter(kind=Bill.Kind.CORRECTION).order_by("month")
    assert [b.month for b in corrections] == [JAN, FEB]
    for bill in corrections:
        expected = {
            (low.pk, program, side): amount
            for (program, side), amount in difference(low, bill.month, 4_000_000, 4_500_000).items()
        } | {
            (crossing.pk, program, side): amount
            for (program, side), amount in difference(crossing, bill.month, 9_000_000, HIGH).items()
        }
        assert correction_lines(bill) == expected
        assert bill.amount == sum(expected.values())
        assert bill.number.startswith(f"{bill.month:%Y%m}-U")
        assert (bill.segment, bill.payer.employer_id) == ("PU", employer.pk)
        assert bill.due_date == march_bill.due_date  # due with March, not overdue
        assert set(bill.lines.values_list("kind", flat=True)) == {"correction"}
        # The JP difference is capped: (cap - 9 million) × 2 %, not (15 - 9) million × 2 %.
        jp = expected[(crossing.pk, "JP", "employer")]
        assert 0 < jp < (HIGH - 9_000_000) * 2 // 100
        # The line's base is the new wage base (the JP cap for JP).
        jp_line = bill.lines.get(membership=crossing, program="JP", side="employer")
        assert jp_line.base < HIGH
        assert bill.lines.get(membership=crossing, program="JKK").base == HIGH
        assert JournalEntry.objects.filter(bill=bill, kind="bill").count() == 1
        assert billing.billing_totals(bill.month) == {
            "bills": before[bill.month]["bills"] + 1,
            "lines": before[bill.month]["lines"] + len(expected),
            "amount": before[bill.month]["amount"] + bill.amount,
        }
        chunk = BillingChunk.objects.get(month=bill.month, office=bill.office)
        assert chunk.amount == before[bill.month]["amount"] + bill.amount
    # Everything billed for January now equals the new wages', per program and side.
    for member, wage in ((low, 4_500_000), (crossing, HIGH), (untouched, 6_000_000)):
        billed: dict[tuple[str, str], int] = {}
        for line in BillLine.objects.filter(membership=member, month=JAN):
            billed[(line.program, line.side)] = billed.get((line.program, line.side), 0) + (
                line.amount
            )
        assert billed == pu_expected(member, JAN, wage)
    # March's own bill has the new wages; the untouched worker is on no correction.
    assert not BillLine.objects.filter(kind="correction", membership=untouched).exists()
    assert not Bill.objects.filter(kind=Bill.Kind.CORRECTION, month=MAR).exists()
    code = march_bill.office.code
    assert run.corrections["2026-01"] == {code: {"raised": 2, "lowered": 0, "bills": 1}}
    assert run.corrections["2026-02"] == {code: {"raised": 2, "lowered": 0, "bills": 1}}
    assert ledger.check().ok

    # Running again (either month) changes nothing.
    totals = [billing.billing_totals(m) for m in (JAN, FEB, MAR)]
    again = billing.run_billing(month=MAR, today=MAR)
    billing.run_billing(month=FEB, today=FEB)
    assert [billing.billing_totals(m) for m in (JAN, FEB, MAR)] == totals
    assert Bill.objects.filter(kind=Bill.Kind.CORRECTION).count() == 2
    assert all(c["bills"] == 0 for month in again.corrections.values() for c in month.values())

    # The bill's page and PDF show it.
    client = Client()
    client.force_login(make_user(Role.EMPLOYER_USER, "pt-koreksi", employer_npp=employer.npp))  # type: ignore[operator]
    january = corrections[0]
    page = client.get(reverse("contributions:bill", args=[january.pk]))
    assert page.status_code == 200 and january.number in page.content.decode()
    pdf = client.get(reverse("contributions:bill_pdf", args=[january.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # The API filters bills by the new kind.
    user = make_user(Role.EMPLOYER_USER, "pt-koreksi-api", employer_npp=employer.npp)  # type: ignore[operator]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
    body = Client().get("/api/v1/bills", {"kind": "correction"}, **headers).json()
    assert sorted(b["id"] for b in body["items"]) == sorted(b.pk for b in corrections)
    assert {b["kind"] for b in body["items"]} == {"correction"}


def test_a_lowered_wage_of_a_billed_month_is_counted_not_refunded(
    workers: tuple[Membership, Membership, Membership],
) -> None:
    low, _crossing, _untouched = workers
    billing.run_billing(month=JAN, today=JAN)
    january = billing.billing_totals(JAN)
    services.report_wage(membership=low, month=JAN, amount=3_500_000)
    run = billing.run_billing(month=FEB, today=FEB)
    assert not Bill.objects.filter(kind=Bill.Kind.CORRECTION).exists()
    assert billing.billing_totals(JAN) == january
    (counts,) = run.corrections["2026-01"].values()
    assert counts == {"raised": 0, "lowered": 1, "bills": 0}
    # February's own bill has the lowered wage.
    feb = {
        (line.program, line.side): line.amount
        for line in BillLine.objects.filter(membership=low, month=FEB)
    }
    assert feb == pu_expected(low, FEB, 3_500_000)
    assert ledger.check().ok


def test_a_wage_change_for_a_month_not_yet_billed_makes_no_correction(
    workers: tuple[Membership, Membership, Membership],
) -> None:
    low, _crossing, _untouched = workers
    billing.run_billing(month=JAN, today=JAN)
    january = billing.billing_totals(JAN)
    services.report_wage(membership=low, month=FEB, amount=5_000_000)
    run = billing.run_billing(month=FEB, today=FEB)
    assert not Bill.objects.filter(kind=Bill.Kind.CORRECTION).exists()
    assert billing.billing_totals(JAN) == january
    assert "2026-01" not in run.corrections
    feb = {
        (line.program, line.side): line.amount
        for line in BillLine.objects.filter(membership=low, month=FEB)
    }
    assert feb == pu_expected(low, FEB, 5_000_000)


def test_the_cli_and_the_runs_page_show_the_corrections(
    workers: tuple[Membership, Membership, Membership],
    make_user: Callable[..., object],
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    low, _crossing, _untouched = workers
    billing.run_billing(month=JAN, today=JAN)
    services.report_wage(membership=low, month=JAN, amount=4_500_000)
    call_command("billing", "run", "--month", "2026-02", "--quiet", "--no-coverage")
    out = json.loads(capsys.readouterr().out)
    (counts,) = out["corrections"]["2026-01"].values()
    assert counts == {"raised": 1, "lowered": 0, "bills": 1}
    client = Client()
    client.force_login(make_user(Role.SYSTEM_ADMIN, "admin-koreksi"))  # type: ignore[operator]
    html = client.get(reverse("contributions:runs")).content.decode()
    run = BillingRun.objects.get(month=FEB)
    cell = re.search(rf'<span id="corrections-{run.pk}"[^>]*>([^<]*)</span>', html)
    assert cell is not None
    assert cell.group(1) == "1 tagihan selisih upah (1 naik, 0 turun)"
    assert re.search(rf'<span id="late-{run.pk}"[^>]*>0 tagihan susulan</span>', html)


def _forget_corrections_and(month: date) -> None:
    """What the run of ``month`` made: its month, and the correction bills of earlier months."""
    bills = Bill.objects.filter(Q(kind=Bill.Kind.CORRECTION) | Q(month=month))
    Posting.objects.filter(entry__bill__in=bills).delete()
    JournalEntry.objects.filter(bill__in=bills).delete()
    BillLine.objects.filter(bill__in=bills).delete()
    bills.delete()
    BillingChunk.objects.filter(month=month).delete()
    BillingRun.objects.filter(month=month).delete()


def test_a_run_killed_after_one_office_is_resumed_with_a_clean_runs_corrections(
    reference: None, person: Callable[..., services.PersonFacts]
) -> None:
    _several_offices(person)
    billing.run_billing(month=JAN, today=JAN)
    raised = Membership.objects.filter(segment="PU").order_by("id")
    for member in raised:
        wage = ReportedWage.objects.get(membership=member, effective_month=JAN).amount
        services.report_wage(membership=member, month=JAN, amount=wage + 700_000)

    def crash_after_one(done: int, total: int, label: str) -> None:
        if done == 1:
            raise Crash

    with pytest.raises(Crash):
        billing.run_billing(month=FEB, today=FEB, progress=crash_after_one)
    assert Bill.objects.filter(kind=Bill.Kind.CORRECTION).count() == 1
    billing.run_billing(month=FEB, today=FEB)
    resumed = (billing.billing_totals(JAN), _bills_snapshot(JAN), billing.billing_totals(FEB))
    assert Bill.objects.filter(kind=Bill.Kind.CORRECTION).count() == 4  # one per employer
    assert ledger.check().ok

    _forget_corrections_and(FEB)
    billing.run_billing(month=FEB, today=FEB)
    clean = (billing.billing_totals(JAN), _bills_snapshot(JAN), billing.billing_totals(FEB))
    assert clean == resumed
    assert ledger.check().ok


def test_a_late_worker_of_an_employer_without_an_account_gets_a_late_bill(
    employer: Employer,
    workers: tuple[Membership, Membership, Membership],
    balikpapan: Regency,
    person: Callable[..., services.PersonFacts],
) -> None:
    """Problem 2: a short contract of January, registered in February by an employer that never
    had a payer account, ended before February: the February run bills its January on a late
    bill (its payer's account made from the late-additions candidates)."""
    billing.run_billing(month=JAN, today=JAN)
    newcomer = services.register_employer(
        name="PT Kontrak Pendek",
        legal_form="PT",
        kbli="41011",
        size_class="small",
        risk_group=2,
        regency=balikpapan,
        registered_on=date(2026, 1, 2),
    )
    short = services.register_pu_worker(
        employer=newcomer,
        person=person(name="Agus Salim", sex="L"),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 2, 3),
    )
    services.end_membership(membership=short, end_date=date(2026, 1, 31), reason="contract_ended")
    assert not PayerAccount.objects.filter(employer=newcomer).exists()
    run = billing.run_billing(month=FEB, today=FEB)
    (late,) = Bill.objects.filter(kind=Bill.Kind.LATE)
    assert (late.month, late.payer.employer_id) == (JAN, newcomer.pk)
    short.refresh_from_db()
    assert {(line.program, line.side): line.amount for line in late.lines.all()} == pu_expected(
        short, JAN, 5_000_000
    )
    assert run.late == {"2026-01": {late.office.code: 1}}
    assert not Bill.objects.filter(payer=late.payer, month=FEB).exists()
    assert ledger.check().ok
