"""The billing run: amounts equal to the rules' scalar path, idempotent, resumable, locked, posted."""

from __future__ import annotations

import importlib
import os
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from jaminan.contributions import billing, ledger, partitions, payments, sponsors
from jaminan.contributions.models import (
    Account,
    Beneficiary,
    Bill,
    BillingChunk,
    BillingLock,
    BillingRun,
    BillLine,
    Fine,
    JournalEntry,
    MonthRate,
    PayerAccount,
    Posting,
    Sponsor,
    SponsorshipProgram,
)
from jaminan.geo.models import Office, Regency
from jaminan.registry import services
from jaminan.registry.models import Employer, Membership
from jaminan.rules import calculate

pytestmark = pytest.mark.django_db

FEB, MAR = date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture
def employer(balikpapan: Regency) -> Employer:
    return services.register_employer(
        name="PT Tiga Pekerja",
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=3,
        regency=balikpapan,
        registered_on=date(2020, 1, 1),
    )


def pu_expected(membership: Membership, month: date, wage: int) -> dict[tuple[str, str], int]:
    employer = membership.employer
    assert employer is not None
    out = calculate(
        "contribution.pu",
        {
            "month": month.strftime("%Y-%m"),
            "wage": wage,
            "risk_group": employer.risk_group,
            "programs": membership.programs,
            "labour_intensive": employer.labour_intensive,
        },
    )
    expected = {
        ("JKK", "employer"): out["JKK"]["employer"],
        ("JKM", "employer"): out["JKM"]["employer"],
    }
    if membership.has_jht:
        expected[("JHT", "employer")] = out["JHT"]["employer"]
        expected[("JHT", "worker")] = out["JHT"]["worker"]
    if membership.has_jp:
        expected[("JP", "employer")] = out["JP"]["employer"]
        expected[("JP", "worker")] = out["JP"]["worker"]
    return expected


def lines_of(membership: Membership, month: date) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = defaultdict(int)
    for line in BillLine.objects.filter(membership=membership, bill__month=month):
        key = (
            (line.program, line.side) if line.kind == "contribution" else (line.program, "discount")
        )
        found[key] += line.amount
    return dict(found)


def test_an_employer_with_three_workers_across_a_jp_cap_change(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    wages = [4_500_000, 10_800_000, 12_000_000]  # below both caps, between them, above both
    workers = [
        services.register_pu_worker(
            employer=employer,
            person=person(),
            wage=wage,
            start_date=date(2025, 12, 1),
            registered_on=date(2025, 12, 1),
        )
        for wage in wages
    ]
    billing.run_billing(month=FEB, today=date(2026, 2, 2))
    billing.run_billing(month=MAR, today=date(2026, 3, 2))
    for month, cap in ((FEB, 10_547_400), (MAR, 11_086_300)):
        bill = Bill.objects.get(payer__employer=employer, month=month)
        total = 0
        for membership, wage in zip(workers, wages, strict=True):
            expected = pu_expected(membership, month, wage)
            assert lines_of(membership, month) == expected
            jp_line = BillLine.objects.get(
                membership=membership, bill=bill, program="JP", side="employer"
            )
            assert jp_line.base == min(wage, cap)
            total += sum(expected.values())
        assert bill.amount == total
        assert bill.due_date == (date(2026, 3, 16) if month == FEB else date(2026, 4, 15))
    feb = Bill.objects.get(payer__employer=employer, month=FEB)
    mar = Bill.objects.get(payer__employer=employer, month=MAR)
    # JP of the second worker is on the whole wage in March only; the third is capped in both.
    jp = {
        m: BillLine.objects.get(membership=workers[1], bill__month=m, program="JP", side="employer")
        for m in (FEB, MAR)
    }
    assert (jp[FEB].amount, jp[MAR].amount) == (210_948, 216_000)
    assert mar.amount - feb.amount == (216_000 - 210_948) + (108_000 - 105_474) + (
        221_726 - 210_948
    ) + (110_863 - 105_474)
    assert ledger.check().ok


def test_bills_post_the_jkp_allocation_out_of_jkk(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=6_000_000,
        start_date=date(2025, 12, 1),
        registered_on=date(2025, 12, 1),
    )
    billing.run_billing(month=MAR, today=date(2026, 3, 2))
    bill = Bill.objects.get(payer__employer=employer, month=MAR)
    postings = dict(
        Posting.objects.filter(entry__bill=bill, entry__kind="bill").values_list(
            "account", "amount"
        )
    )
    jkk = 6_000_000 * 89 // 10_000  # group 3: 0.89 %
    moved = 6_000_000 * 14 // 10_000  # 0.14 % of the wage goes to JKP (PP 6/2025)
    assert postings[Account.RECEIVABLE] == bill.amount
    assert postings[Account.INCOME_JKK] == -(jkk - moved)
    assert postings[Account.INCOME_JKP_FROM_JKK] == -moved
    assert Account.INCOME_JKP_FROM_JKM not in postings  # JKM recomposition ended 7 Feb 2025
    assert sum(postings.values()) == 0
    assert ledger.check().ok


def _sponsored(
    person: Callable[..., services.PersonFacts],
    balikpapan: Regency,
    *,
    kind: str,
    workers: int,
    start: date,
    end: date,
    transport: int = 0,
) -> SponsorshipProgram:
    sponsor = Sponsor.objects.create(
        code=f"UJI-{kind}",
        kind=kind,
        name=f"Penyandang {kind}",
        regency=balikpapan,
        office=balikpapan.branch_office,
    )
    program = SponsorshipProgram.objects.create(
        sponsor=sponsor,
        name="Program uji",
        start_month=start,
        end_month=end,
        budget_ceiling=10**12,
        declared_income=1_000_000,
    )
    for i in range(workers):
        membership = services.register_bpu_worker(
            person=person(regency=balikpapan),
            declared_income=1_000_000,
            payer="sponsor",
            start_date=start,
            registered_on=start,
        )
        if i < transport:
            Membership.objects.filter(pk=membership.pk).update(bpu_sector="transport")
        Beneficiary.objects.create(program=program, membership=membership, enrolled_on=start)
    return program


def test_a_regency_government_pays_rp16800_a_month_per_worker_without_discount(
    balikpapan: Regency, person: Callable[..., services.PersonFacts]
) -> None:
    program = _sponsored(
        person, balikpapan, kind="regency", workers=4, start=date(2026, 4, 1), end=date(2026, 6, 1)
    )
    for month in billing.months_between(date(2026, 4, 1), date(2026, 7, 1)):
        billing.run_billing(month=month, today=month)
    bills = Bill.objects.filter(payer__sponsor=program.sponsor).order_by("month")
    assert [(b.month.month, b.amount) for b in bills] == [(4, 67_200), (5, 67_200), (6, 67_200)]
    assert not BillLine.objects.filter(bill__in=bills, kind="discount").exists()
    assert ledger.check().ok


def test_a_donor_gets_the_pp50_2025_discount_from_april_2026(
    balikpapan: Regency, person: Callable[..., services.PersonFacts]
) -> None:
    program = _sponsored(
        person,
        balikpapan,
        kind="individual",
        workers=2,
        start=date(2026, 1, 1),
        end=date(2026, 12, 1),
        transport=1,
    )
    months = billing.months_between(date(2026, 1, 1), date(2026, 12, 1))
    for month in months:
        billing.run_billing(month=month, today=month)
    amounts = list(
        Bill.objects.filter(payer__sponsor=program.sponsor)
        .order_by("month")
        .values_list("amount", flat=True)
    )
    # The transport worker has the discount from January 2026, the other from April 2026.
    expected = []
    for month in months:
        total = 0
        for sector in ("transport", "other"):
            out = calculate(
                "contribution.bpu",
                {"month": month.strftime("%Y-%m"), "declared_income": 1_000_000, "sector": sector},
            )
            total += out["total"]
        expected.append(total)
    assert amounts == expected
    assert expected[:3] == [8_400 + 16_800] * 3 and expected[3:] == [16_800] * 9
    assert sum(amounts) == 3 * 25_200 + 9 * 16_800
    assert ledger.check().ok


def test_amounts_equal_the_rules_on_a_generated_population(reference: None) -> None:
    from jaminan.demo.generator import generate_population

    generate_population(scale=0.0003, seed=11)
    month = date(2026, 10, 1)
    billing.run_billing(month=month, today=month)
    memberships = list(
        Membership.objects.filter(
            segment__in=("PU", "BPU"), bill_lines__bill__month=month
        ).distinct()
    )
    assert len(memberships) > 100
    rng = random.Random(5)
    for membership in rng.sample(memberships, 100):
        wage = membership.wages.filter(effective_month__lte=month).order_by("-effective_month")[0]
        if membership.segment == "PU":
            expected = pu_expected(membership, month, wage.amount)
        else:
            sponsored = membership.payer == "sponsor"
            funded = sponsored and membership.sponsorship.program.sponsor.government_funded
            out = calculate(
                "contribution.bpu",
                {
                    "month": "2026-10",
                    "declared_income": wage.amount,
                    "programs": membership.programs,
                    "sector": membership.bpu_sector,
                    "government_funded": funded,
                },
            )
            side = "sponsor" if sponsored else "participant"
            expected = {("JKK", side): out["JKK"], ("JKM", side): out["JKM"]}
            if membership.has_jht:
                expected[("JHT", side)] = out["JHT"]
            if out["discount"]:
                got = lines_of(membership, month)
                assert got[("JKK", "discount")] + got[("JKM", "discount")] == -out["discount"]
                expected[("JKK", "discount")] = got[("JKK", "discount")]
                expected[("JKM", "discount")] = got[("JKM", "discount")]
        assert lines_of(membership, month) == expected, membership
    assert ledger.check().ok


def test_running_twice_changes_nothing(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    for wage in (5_000_000, 7_000_000):
        services.register_pu_worker(
            employer=employer,
            person=person(),
            wage=wage,
            start_date=date(2026, 1, 5),
            registered_on=date(2026, 1, 5),
        )
    first = billing.run_billing(month=MAR)
    totals = billing.billing_totals(MAR)
    second = billing.run_billing(month=MAR)
    assert billing.billing_totals(MAR) == totals
    assert (second.bills, second.lines, second.amount) == (first.bills, first.lines, first.amount)
    assert totals["bills"] == 1 and totals["lines"] == 12
    assert JournalEntry.objects.count() == 1


def _several_offices(person: Callable[..., services.PersonFacts]) -> None:
    for code in ("64.71", "64.72", "63.71", "61.71"):
        regency = Regency.objects.select_related("branch_office").get(code=code)
        employer = services.register_employer(
            name=f"PT {code}",
            legal_form="PT",
            kbli="41011",
            size_class="small",
            risk_group=2,
            regency=regency,
            registered_on=date(2020, 1, 1),
        )
        for wage in (3_500_000, 4_200_000):
            services.register_pu_worker(
                employer=employer,
                person=person(),
                wage=wage,
                start_date=date(2026, 1, 5),
                registered_on=date(2026, 1, 5),
            )
        services.register_bpu_worker(
            person=person(regency=regency),
            declared_income=2_000_000,
            programs=["JKK", "JKM", "JHT"],
            start_date=date(2026, 1, 5),
            registered_on=date(2026, 1, 5),
        )


def _bills_snapshot(month: date) -> list[tuple[str, int, int]]:
    return sorted(
        (b.payer.virtual_account, b.amount, b.lines.count())
        for b in Bill.objects.filter(month=month).select_related("payer")
    )


def _forget_month(month: date) -> None:
    bills = Bill.objects.filter(month=month)
    Posting.objects.filter(entry__bill__in=bills).delete()
    JournalEntry.objects.filter(bill__in=bills).delete()
    BillLine.objects.filter(bill__in=bills).delete()
    bills.delete()
    BillingChunk.objects.filter(month=month).delete()
    BillingLock.objects.filter(month=month).delete()
    BillingRun.objects.filter(month=month).delete()


def _held_elsewhere(month: date, *, holder: str, reason: str) -> BillingLock:
    """The month's lock held, live, by a run on another machine."""
    run = BillingRun.objects.create(month=month, status="running", holder=holder, reason=reason)
    return BillingLock.objects.create(
        month=month,
        run=run,
        holder=holder,
        reason=reason,
        hostname="mesin-lain",
        pid=1,
        heartbeat_at=timezone.now(),
    )


class Crash(Exception):
    pass


def test_a_run_killed_midway_is_completed_by_the_next_with_a_clean_runs_totals(
    reference: None, person: Callable[..., services.PersonFacts]
) -> None:
    _several_offices(person)

    def crash_after_two(done: int, total: int, label: str) -> None:
        if done == 2:
            raise Crash

    with pytest.raises(Crash):
        billing.run_billing(month=MAR, progress=crash_after_two)
    crashed = BillingRun.objects.get(month=MAR)
    assert crashed.status == "failed" and "Crash" in crashed.error
    assert not BillingLock.objects.filter(month=MAR).exists()
    partial = BillingChunk.objects.filter(month=MAR).count()
    assert partial == 2
    resumed = billing.run_billing(month=MAR)
    assert resumed.status == "completed"
    resumed_totals, resumed_bills = billing.billing_totals(MAR), _bills_snapshot(MAR)
    assert resumed_totals["bills"] == 8  # four employers, four BPU self-payers
    _forget_month(MAR)
    clean = billing.run_billing(month=MAR)
    assert billing.billing_totals(MAR) == resumed_totals
    assert _bills_snapshot(MAR) == resumed_bills
    assert (clean.bills, clean.lines, clean.amount) == (
        resumed.bills,
        resumed.lines,
        resumed.amount,
    )
    assert ledger.check().ok


def test_the_month_lock_names_its_holder_and_a_dead_holder_is_taken_over(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    lock = _held_elsewhere(MAR, holder="budi@kc-balikpapan pid 1", reason="uji kunci")
    holder_run = lock.run
    with pytest.raises(billing.BillingLocked) as info:
        billing.run_billing(month=MAR)
    assert "budi@kc-balikpapan" in info.value.message and "uji kunci" in info.value.message
    with pytest.raises(CommandError, match="uji kunci"):
        call_command("billing", "run", "--month", "2026-03", "--quiet")
    assert not Bill.objects.exists()
    # Silent for longer than the stale limit: taken over, the old run marked interrupted.
    BillingLock.objects.filter(pk=lock.pk).update(
        heartbeat_at=timezone.now() - billing.STALE_AFTER - timedelta(minutes=1)
    )
    run = billing.run_billing(month=MAR)
    assert run.status == "completed" and run.bills == 1
    holder_run.refresh_from_db()
    assert holder_run.status == "interrupted"
    assert not BillingLock.objects.exists()


def test_a_lock_of_a_dead_process_on_this_machine_is_stale(reference: None) -> None:
    import socket

    run = BillingRun.objects.create(month=MAR, status="running", holder="x", reason="x")
    dead = BillingLock(
        month=MAR,
        run=run,
        holder="x",
        reason="x",
        hostname=socket.gethostname(),
        pid=2**22 + 12345,
        heartbeat_at=timezone.now(),
    )
    alive = BillingLock(
        month=MAR,
        run=run,
        holder="x",
        reason="x",
        hostname=socket.gethostname(),
        pid=os.getpid(),
        heartbeat_at=timezone.now(),
    )
    assert billing.lock_is_stale(dead) and not billing.lock_is_stale(alive)


def test_a_construction_project_is_billed_once_from_its_contract_value(
    employer: Employer, balikpapan: Regency
) -> None:
    project = services.register_project(
        contractor=employer,
        owner_type="APBD",
        name="Jembatan Uji",
        contract_value=2_500_000_000,
        start_date=date(2026, 2, 1),
        end_date=date(2026, 12, 31),
        regency=balikpapan,
        registered_on=date(2026, 2, 10),
    )
    billing.run_billing(month=FEB)
    billing.run_billing(month=MAR)
    bill = Bill.objects.get(project=project)
    out = calculate("contribution.jakon", {"month": "2026-02", "contract_value": 2_500_000_000})
    assert (bill.kind, bill.month, bill.amount) == ("jakon", FEB, out["total"])
    assert sorted(bill.lines.values_list("program", "amount")) == [
        ("JKK", out["JKK"]),
        ("JKM", out["JKM"]),
    ]
    assert Bill.objects.filter(kind="jakon").count() == 1
    assert ledger.check().ok


def test_migrant_workers_are_billed_once_per_phase_with_their_journal_entries(
    balikpapan: Regency, person: Callable[..., services.PersonFacts]
) -> None:
    workers = [
        services.register_pmi_worker(
            person=person(regency=balikpapan),
            destination="Malaysia",
            contract_months=months,
            start_date=date(2026, 2, 1),
            registered_on=registered_on,
        )
        for months, registered_on in ((24, date(2026, 2, 3)), (12, date(2026, 3, 5)))
    ]
    billing.run_billing(month=FEB)
    assert Bill.objects.filter(kind="pmi").count() == 1  # the March registration waits
    billing.run_billing(month=MAR)
    billing.run_billing(month=MAR)
    for membership, months, month in zip(workers, (24, 12), (FEB, MAR), strict=True):
        bill = Bill.objects.get(pmi_membership=membership)
        out = calculate("contribution.pmi", {"month": f"{month:%Y-%m}", "contract_months": months})
        assert (bill.kind, bill.segment, bill.month) == ("pmi", "PMI", month)
        assert bill.amount == out["before_placement"] + out["during_after"] > 0
        assert bill.payer.participant_id == membership.participant_id
        assert sorted(bill.lines.values_list("membership_id", "base", "amount")) == sorted(
            [
                (membership.pk, months, out["before_placement"]),
                (membership.pk, months, out["during_after"]),
            ]
        )
        entry = JournalEntry.objects.get(bill=bill, kind="bill")
        postings = list(entry.postings.values_list("account", "payer_id", "amount"))
        assert sum(amount for _account, _payer, amount in postings) == 0
        assert (Account.RECEIVABLE.value, bill.payer_id, bill.amount) in postings
        assert (Account.INCOME_PMI.value, None, -bill.amount) in postings
    assert Bill.objects.filter(kind="pmi").count() == 2
    assert ledger.check().ok


def test_issue_monthly_bill_gives_the_runs_amounts(
    balikpapan: Regency, person: Callable[..., services.PersonFacts]
) -> None:
    membership = services.register_bpu_worker(
        person=person(regency=balikpapan),
        declared_income=1_500_000,
        programs=["JKK", "JKM", "JHT"],
        start_date=date(2026, 1, 1),
        registered_on=date(2026, 1, 1),
    )
    payer = billing.ensure_payer_account(
        participant=membership.participant, office=membership.office
    )
    bill = billing.issue_monthly_bill(payer=payer, month=date(2026, 5, 1))
    assert bill is not None
    out = calculate(
        "contribution.bpu",
        {"month": "2026-05", "declared_income": 1_500_000, "programs": ["JKK", "JKM", "JHT"]},
    )
    assert bill.amount == out["total"] and bill.run_id is None
    assert billing.issue_monthly_bill(payer=payer, month=date(2026, 5, 1)) == bill
    run = billing.run_billing(month=date(2026, 5, 1))
    assert Bill.objects.filter(payer=payer, month=date(2026, 5, 1)).count() == 1
    assert run.bills == 0
    assert JournalEntry.objects.filter(bill=bill, kind="bill").count() == 1
    assert ledger.check().ok


def test_ledger_check_fails_on_a_tampered_posting(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    billing.run_billing(month=MAR)
    call_command("ledger", "check")
    posting = Posting.objects.filter(account=Account.INCOME_JHT).first()
    assert posting is not None
    Posting.objects.filter(pk=posting.pk).update(amount=posting.amount + 1)
    result = ledger.check()
    assert not result.ok
    assert any("does not balance" in b for b in result.breaches)
    assert any("income JHT" in b for b in result.breaches)
    with pytest.raises(CommandError):
        call_command("ledger", "check")


def test_payer_accounts_have_a_checked_virtual_account(reference: None) -> None:
    va = billing.virtual_account("employer", 1234)
    assert len(va) == 16 and va.startswith("88891") and va[5:15] == "0000001234"
    from jaminan.registry.identifiers import luhn_digit

    assert va[-1] == luhn_digit(va[:-1])
    assert billing.virtual_account("sponsor", 1234) != va


def test_rates_are_written_per_month_from_the_rules(reference: None) -> None:
    billing.write_month_rates(MAR)
    billing.write_month_rates(MAR)
    jkk_g3 = MonthRate.objects.get(
        month=MAR, segment="PU", risk_group=3, variant=0, program="JKK", kind="contribution"
    )
    assert jkk_g3.num * 10_000 // jkk_g3.den == 89
    jp = MonthRate.objects.get(
        month=MAR, segment="PU", risk_group=1, variant=0, program="JP", side="employer"
    )
    assert jp.cap == 11_086_300
    assert MonthRate.objects.filter(month=MAR).count() == 5 * 2 * 6 + 2 + 4 * 4


def test_every_office_is_a_chunk(reference: None) -> None:
    run = billing.run_billing(month=MAR)
    assert run.chunks_total == Office.objects.count() == run.chunks_done
    assert PayerAccount.objects.count() == 0 and run.bills == 0


def test_ledger_check_finds_a_line_without_its_membership(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    billing.run_billing(month=MAR)
    assert ledger.check().ok
    BillLine.objects.filter(program="JHT", side="worker").update(membership_id=10**9)
    result = ledger.check()
    assert [b for b in result.breaches if "does not exist" in b]


# --- the line's month and the line table's monthly partitions (PostgreSQL) --------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the line table is partitioned on PostgreSQL only"
)
NOV_2025 = date(2025, 11, 1)


@pytest.fixture
def billed_with_an_old_project(
    employer: Employer, balikpapan: Regency, person: Callable[..., services.PersonFacts]
) -> None:
    """February and March billed for one worker, and a project registered in November 2025."""
    services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    services.register_project(
        contractor=employer,
        owner_type="APBD",
        name="Jalan Uji",
        contract_value=1_000_000_000,
        start_date=date(2025, 11, 1),
        end_date=date(2026, 6, 30),
        regency=balikpapan,
        registered_on=date(2025, 11, 20),
    )
    billing.run_billing(month=FEB)
    billing.run_billing(month=MAR)


def _lines_by_table() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text, COUNT(*) FROM {BillLine._meta.db_table} GROUP BY 1"
        )
        return dict(cursor.fetchall())


def test_every_line_carries_its_bills_month(billed_with_an_old_project: None) -> None:
    months = set(BillLine.objects.values_list("month", "bill__month"))
    assert months == {(NOV_2025, NOV_2025), (FEB, FEB), (MAR, MAR)}
    assert ledger.check().ok


def test_ledger_check_finds_a_line_of_another_month_than_its_bill(
    billed_with_an_old_project: None,
) -> None:
    line = BillLine.objects.filter(month=MAR).first()
    assert line is not None
    BillLine.objects.filter(pk=line.pk).update(month=FEB)
    breaches = ledger.check().breaches
    assert (
        f"line {line.pk}: month 2026-02-01 is not its bill {line.bill_id}'s 2026-03-01" in breaches
    )


@on_postgresql
def test_lines_are_written_into_their_months_partition(billed_with_an_old_project: None) -> None:
    assert partitions.is_partitioned()
    by_table = _lines_by_table()
    assert by_table == {
        "contributions_billline_202511": 2,  # the project's JKK and JKM
        "contributions_billline_202602": BillLine.objects.filter(month=FEB).count(),
        "contributions_billline_202603": BillLine.objects.filter(month=MAR).count(),
    }
    assert by_table["contributions_billline_202603"] == 6  # JKK and JKM; JHT and JP of both sides
    names = set(partitions.line_partitions())
    assert {"contributions_billline_default", "contributions_billline_202603"} <= names
    # A query that names the month reads that month's partition only.
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN SELECT * FROM {BillLine._meta.db_table} WHERE month = %s AND bill_id = 1",
            [MAR],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "contributions_billline_202603" in plan
    assert "contributions_billline_202602" not in plan and "_default" not in plan


@on_postgresql
def test_a_new_partition_takes_its_months_rows_from_the_default_partition(
    billed_with_an_old_project: None,
) -> None:
    bill = Bill.objects.filter(month=MAR, kind="monthly").first()
    assert bill is not None
    old = Bill.objects.create(
        payer=bill.payer,
        office=bill.office,
        kind="monthly",
        month=date(2019, 3, 1),
        segment="PU",
        due_date=date(2019, 4, 15),
        amount=0,
    )
    stray = BillLine.objects.create(bill=old, program="JKK", side="employer", base=1, amount=0)
    assert stray.month == date(2019, 3, 1)
    assert _lines_by_table()["contributions_billline_default"] == 1
    assert partitions.ensure_line_partitions([date(2019, 3, 1)]) == [
        "contributions_billline_201903"
    ]
    assert partitions.ensure_line_partitions([date(2019, 3, 1), MAR]) == []
    by_table = _lines_by_table()
    assert "contributions_billline_default" not in by_table
    assert by_table["contributions_billline_201903"] == 1
    assert BillLine.objects.get(pk=stray.pk).bill_id == old.pk  # same row, same id
    later = BillLine.objects.create(bill=old, program="JKM", side="employer", base=1, amount=0)
    assert later.pk > max(BillLine.objects.exclude(pk=later.pk).values_list("pk", flat=True))


@on_postgresql
def test_the_migration_partitions_and_unpartitions_a_table_with_lines(
    billed_with_an_old_project: None,
) -> None:
    migration = importlib.import_module(
        "jaminan.contributions.migrations.0003_billline_month_partitions"
    )
    editor = SimpleNamespace(connection=connection)
    before = sorted(BillLine.objects.values_list("id", "bill_id", "month", "amount"))

    def indexed_columns(table: str = BillLine._meta.db_table) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary",
                [table],
            )
            return {row[0] for row in cursor.fetchall()}

    migration.unpartition(None, editor)
    assert not partitions.is_partitioned()
    assert sorted(BillLine.objects.values_list("id", "bill_id", "month", "amount")) == before
    assert indexed_columns() == {"bill_id", "membership_id"}
    migration.partition(None, editor)
    assert partitions.is_partitioned()
    assert sorted(BillLine.objects.values_list("id", "bill_id", "month", "amount")) == before
    assert indexed_columns() == {"bill_id"}  # the membership index is one per partition
    for name in partitions.line_partitions():
        assert indexed_columns(name) == {"bill_id", "membership_id"}, name
    assert set(_lines_by_table()) == {
        "contributions_billline_202511",
        "contributions_billline_202602",
        "contributions_billline_202603",
    }
    assert ledger.check().ok
    bill = Bill.objects.get(month=MAR, kind="monthly")
    line = BillLine.objects.create(bill=bill, program="JKK", side="employer", base=1, amount=1)
    assert line.pk > max(row[0] for row in before)
    assert _lines_by_table()["contributions_billline_202603"] == 7
    assert f"bill {bill.pk}: amount {bill.amount}, lines {bill.amount + 1}, posted receivable " in (
        "\n".join(ledger.check().breaches)
    )


@on_postgresql
def test_the_runs_month_gets_its_membership_index_once_billed(
    billed_with_an_old_project: None,
) -> None:
    def member_indexes() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'contributions_billline_%%' "
                "AND indexdef LIKE '%%(membership_id)'"
            )
            return {row[0] for row in cursor.fetchall()}

    assert {
        "contributions_billline_default_membership",
        "contributions_billline_202511_membership",  # made for a one-off bill: indexed at once
        "contributions_billline_202602_membership",  # built when February was billed
        "contributions_billline_202603_membership",
    } == member_indexes()
    april = date(2026, 4, 1)
    assert partitions.ensure_line_partitions([april], index_members=False) == [
        "contributions_billline_202604"
    ]
    assert "contributions_billline_202604_membership" not in member_indexes()
    assert partitions.index_line_members(april)
    assert not partitions.index_line_members(april)
    assert "contributions_billline_202604_membership" in member_indexes()
    # A member's lines are found through each month's own index.
    membership = Membership.objects.get(segment="PU")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the tables are tiny here
        cursor.execute(
            f"EXPLAIN SELECT * FROM {BillLine._meta.db_table} WHERE membership_id = %s",
            [membership.pk],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "contributions_billline_202603_membership" in plan


@on_postgresql
def test_a_month_with_few_lines_is_billed_before_its_membership_index_is_built(
    billed_with_an_old_project: None,
    balikpapan: Regency,
    person: Callable[..., services.PersonFacts],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    april, may = date(2026, 4, 1), date(2026, 5, 1)
    membership = services.register_bpu_worker(
        person=person(regency=balikpapan),
        declared_income=2_000_000,
        programs=["JKK", "JKM"],
        start_date=date(2026, 1, 1),
        registered_on=date(2026, 1, 1),
    )
    payer = billing.ensure_payer_account(
        participant=membership.participant, office=membership.office
    )
    for month in (april, may):  # paid in advance: the months' partitions exist, indexed
        assert billing.issue_monthly_bill(payer=payer, month=month) is not None

    def indexed(month: date) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_regclass(%s)", [f"contributions_billline_{month:%Y%m}_membership"]
            )
            return cursor.fetchone()[0] is not None

    def autovacuum(month: date) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reloptions FROM pg_class WHERE relname = %s",
                [f"contributions_billline_{month:%Y%m}"],
            )
            return "autovacuum_enabled=off" not in (cursor.fetchone()[0] or [])

    assert indexed(april) and indexed(may)
    seen: list[bool] = []
    during: list[bool] = []

    def watch(*_args: object) -> None:
        seen.append(indexed(april))
        during.append(autovacuum(april))

    billing.run_billing(month=april, progress=watch)
    assert seen and not any(seen)  # written without it ...
    assert indexed(april)  # ... and built once the month was billed
    assert during and not any(during) and autovacuum(april)  # vacuumed after the run, not during
    monkeypatch.setattr(partitions, "DEFER_INDEX_BELOW", 1)  # May's few lines count as many
    seen.clear()
    billing.run_billing(month=may, progress=lambda *_args: seen.append(indexed(may)))
    assert seen and all(seen)
    # Both months: the PU worker's six lines and the BPU participant's four (JKK, JKM, discounts).
    assert [BillLine.objects.filter(month=m).count() for m in (april, may)] == [10, 10]
    assert ledger.check().ok


@on_postgresql
def test_a_partition_left_by_a_killed_run_is_repaired_by_the_next_run(
    billed_with_an_old_project: None,
) -> None:
    """A run killed outright (SIGKILL) leaves its month's partition with autovacuum paused and,
    when it had deferred it, no membership index: the next run of any month repairs it, unless a
    live run holds that month."""
    april, may = date(2026, 4, 1), date(2026, 5, 1)

    def state(month: date) -> tuple[bool, bool]:
        """(autovacuum on, membership index present) of the month's partition."""
        name = partitions.partition_name(month)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reloptions, to_regclass(%s) FROM pg_class WHERE relname = %s",
                [f"{name}_membership", name],
            )
            options, index = cursor.fetchone()
        return "autovacuum_enabled=off" not in (options or []), index is not None

    def kill_midway(month: date) -> None:
        partitions.prepare_month(month)  # what a run does before its first office ...
        billing.write_month_rates(month)
        with connection.cursor() as cursor:  # ... and what it had written when killed
            cursor.execute(f"DROP INDEX IF EXISTS {partitions.partition_name(month)}_membership")

    kill_midway(FEB)
    kill_midway(MAR)
    assert state(FEB) == state(MAR) == (False, False)
    # March is held by a live run elsewhere: left alone. February is abandoned: repaired.
    _held_elsewhere(MAR, holder="lain", reason="uji")
    billing.run_billing(month=april)
    assert state(FEB) == (True, True)
    assert state(MAR) == (False, False)
    assert state(april) == (True, True)
    BillingLock.objects.all().delete()
    billing.run_billing(month=may)
    assert state(MAR) == (True, True)
    assert partitions.repair_abandoned(busy=[]) == []  # nothing left to repair
    assert ledger.check().ok


# --- late additions: memberships added to a month after it was billed -------------------------


def test_a_worker_registered_after_the_month_was_billed_gets_a_late_bill(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    """A worker registered (back-dated to March) after March was billed: the next run bills their
    March on a separate late bill of the employer, due with the run's month; nobody is billed
    twice, and running again changes nothing."""
    first = services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    billing.run_billing(month=MAR, today=MAR)
    march = billing.billing_totals(MAR)
    late_worker = services.register_pu_worker(
        employer=employer,
        person=person(name="Rudi Hartono", sex="L"),
        wage=7_000_000,
        start_date=date(2026, 3, 2),
        registered_on=date(2026, 3, 2),  # back-dated: registered today, dated March
    )
    april = date(2026, 4, 1)
    run = billing.run_billing(month=april, today=april)
    (late,) = Bill.objects.filter(kind=Bill.Kind.LATE)
    assert (late.month, late.payer.employer_id, late.segment) == (MAR, employer.pk, "PU")
    assert late.number.startswith("202603-S")
    expected = pu_expected(late_worker, MAR, 7_000_000)
    assert {m for m in late.lines.values_list("membership_id", flat=True)} == {late_worker.pk}
    assert late.amount == sum(expected.values())
    assert lines_of(late_worker, MAR) == expected
    assert lines_of(first, MAR) == pu_expected(first, MAR, 5_000_000)  # billed once, in March
    # Due with April's bills (15 May 2026), not overdue from March's 15 April.
    april_bill = Bill.objects.get(month=april, kind=Bill.Kind.MONTHLY)
    assert late.due_date == april_bill.due_date == date(2026, 5, 15)
    assert run.late == {"2026-03": {late.office.code: 1}}
    assert billing.billing_totals(MAR) == {
        "bills": march["bills"] + 1,
        "lines": march["lines"] + len(expected),
        "amount": march["amount"] + late.amount,
    }
    chunk = BillingChunk.objects.get(month=MAR, office=late.office)
    assert (chunk.bills, chunk.amount) == (2, march["amount"] + late.amount)
    # April itself billed both workers on its monthly bill; no late bill for April.
    assert set(april_bill.lines.values_list("membership_id", flat=True)) == {
        first.pk,
        late_worker.pk,
    }
    assert JournalEntry.objects.filter(bill=late, kind="bill").count() == 1
    assert ledger.check().ok
    # Running either month again changes nothing.
    totals = (billing.billing_totals(MAR), billing.billing_totals(april))
    again = billing.run_billing(month=april, today=april)
    billing.run_billing(month=MAR, today=MAR)
    assert again.late == {}
    assert (billing.billing_totals(MAR), billing.billing_totals(april)) == totals
    assert Bill.objects.filter(kind=Bill.Kind.LATE).count() == 1


def test_a_beneficiary_enrolled_after_the_month_was_billed_is_billed_to_the_sponsor(
    balikpapan: Regency, person: Callable[..., services.PersonFacts]
) -> None:
    """The audit's case: a regency enrols a vulnerable worker after its March bill was issued; the
    April run bills the worker's March (JKK Rp10.000 + JKM Rp6.800, APBD: no discount) to the
    regency on a late bill, and April on its monthly bill."""
    regency = sponsors.create_sponsor(
        kind="regency", name="Pemerintah Kota Balikpapan", regency=balikpapan
    )
    program = sponsors.create_program(
        sponsor=regency,
        name="Pekerja Rentan 2026",
        start_month=MAR,
        end_month=date(2026, 12, 1),
        budget_ceiling=10 * 16_800 * 10,
    )
    sponsors.enrol_beneficiary(program=program, person=person(), on=date(2026, 3, 1))
    billing.run_billing(month=MAR, today=MAR)
    (march_bill,) = Bill.objects.filter(month=MAR, payer__sponsor=regency)
    assert march_bill.amount == 16_800
    late_one = sponsors.enrol_beneficiary(
        program=program, person=person(name="Marbot Masjid", sex="L"), on=date(2026, 3, 20)
    )
    april = date(2026, 4, 1)
    billing.run_billing(month=april, today=april)
    (late,) = Bill.objects.filter(kind=Bill.Kind.LATE)
    assert (late.payer.sponsor_id, late.month, late.amount) == (regency.pk, MAR, 16_800)
    assert set(late.lines.values_list("membership_id", flat=True)) == {late_one.membership_id}
    assert Bill.objects.get(month=april, payer__sponsor=regency).amount == 2 * 16_800
    # Four person-months billed: March and April of both.
    assert sponsors.program_summary(program).billed == 4 * 16_800
    assert ledger.check().ok


def test_the_run_ends_sponsorship_programs_past_their_last_month(
    balikpapan: Regency, person: Callable[..., services.PersonFacts]
) -> None:
    """A program whose last month is over is ended by the next run (its memberships end on its
    last day), not left running until someone runs ``jaminan sponsors end``."""
    regency = sponsors.create_sponsor(
        kind="regency", name="Pemerintah Kota Balikpapan", regency=balikpapan
    )
    program = sponsors.create_program(
        sponsor=regency,
        name="Pekerja Rentan Februari",
        start_month=FEB,
        end_month=FEB,
        budget_ceiling=10 * 16_800,
    )
    beneficiary = sponsors.enrol_beneficiary(program=program, person=person(), on=FEB)
    billing.run_billing(month=FEB, today=FEB)
    program.refresh_from_db()
    assert program.status == "active"
    billing.run_billing(month=MAR, today=MAR)
    program.refresh_from_db()
    assert program.status == "ended"
    beneficiary.membership.refresh_from_db()
    assert beneficiary.membership.end_date == date(2026, 2, 28)
    assert not Bill.objects.filter(month=MAR, payer__sponsor=regency).exists()
    assert ledger.check().ok


def test_a_late_bill_paid_late_is_fined_from_its_own_due_date(
    employer: Employer, person: Callable[..., services.PersonFacts]
) -> None:
    """A late bill is due with the issuing run's month; paid after that, its fine counts from its
    own due date, not from the contribution month's (docs/rules-readings.md)."""
    services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    billing.run_billing(month=MAR, today=MAR)
    services.register_pu_worker(
        employer=employer,
        person=person(name="Rudi Hartono", sex="L"),
        wage=7_000_000,
        start_date=date(2026, 3, 2),
        registered_on=date(2026, 3, 2),
    )
    april = date(2026, 4, 1)
    billing.run_billing(month=april, today=april)
    march = Bill.objects.get(month=MAR, kind=Bill.Kind.MONTHLY)
    (late,) = Bill.objects.filter(kind=Bill.Kind.LATE)
    assert (march.due_date, late.due_date) == (date(2026, 4, 15), date(2026, 5, 15))
    payments.record_payment(
        payer=late.payer,
        reference="TELAT-1",
        amount=march.amount + late.amount,
        paid_on=date(2026, 6, 20),
        channel="manual",
    )
    fines = {f.bill_id: f for f in Fine.objects.all()}
    # March's own bill: due 15 April, paid 20 June: three started months at 2 %.
    assert fines[march.pk].months_late == 3
    assert fines[march.pk].amount == (march.amount * 6 + 50) // 100
    # The late bill: due 15 May, two started months (not three).
    assert fines[late.pk].months_late == 2
    assert fines[late.pk].amount == (late.amount * 4 + 50) // 100
    assert ledger.check().ok
