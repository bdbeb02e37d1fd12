"""Snapshots equal a direct aggregation of the records (after billing, payments and membership ends),
are idempotent and incremental."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from jaminan.accounts.models import AuditEvent
from jaminan.claims.models import BenefitPayment
from jaminan.contributions import ledger
from jaminan.contributions.billing import ensure_payer_account, run_billing
from jaminan.contributions.models import Allocation, Bill
from jaminan.contributions.payments import record_payment
from jaminan.coverage import services
from jaminan.coverage.models import CoverageSnapshot, SnapshotMonth
from jaminan.registry.models import Membership
from tests.coverage.conftest import Population

MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
FIELDS = (
    "active",
    "new",
    "ended",
    "employers",
    "budget_funded",
    "state_staff",
    "bills",
    "billed_amount",
    "collected_amount",
    *services.CLAIM_FIELDS,
)


def _membership_regency(m: Membership) -> int:
    if m.project_id:
        return m.project.regency_id
    if m.employer_id:
        return m.employer.regency_id  # type: ignore[union-attr]
    if m.participant.person.address_regency_id:
        return m.participant.person.address_regency_id
    return m.office.seat_regency_id


def _bill_regency(b: Bill) -> int:
    payer = b.payer
    if b.project_id:
        return b.project.regency_id  # type: ignore[union-attr]
    if payer.employer_id:
        return payer.employer.regency_id  # type: ignore[union-attr]
    if payer.participant_id and payer.participant.person.address_regency_id:  # type: ignore[union-attr]
        return payer.participant.person.address_regency_id  # type: ignore[union-attr]
    if payer.sponsor_id and payer.sponsor.regency_id:  # type: ignore[union-attr]
        return payer.sponsor.regency_id  # type: ignore[union-attr]
    return b.office.seat_regency_id


def direct(month: date) -> dict[tuple[int, str], dict[str, int]]:
    """The same figures counted row by row in Python from the records."""
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    sets: dict[tuple[int, str], dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    money: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in Membership.objects.select_related(
        "employer", "project", "participant__person", "office"
    ):
        if m.start_date > end or (m.end_date is not None and m.end_date < month):
            continue
        key = (_membership_regency(m), m.segment)
        active = m.end_date is None or m.end_date > end
        if active:
            sets[key]["active"].add(m.participant_id)
            if m.employer_id:
                sets[key]["employers"].add(m.employer_id)
            sponsorship = getattr(m, "sponsorship", None)
            if sponsorship and sponsorship.program.sponsor.kind in ("province", "regency"):
                sets[key]["budget_funded"].add(m.participant_id)
            if m.employer_id and m.employer.kind == "state_organiser":  # type: ignore[union-attr]
                sets[key]["state_staff"].add(m.participant_id)
        if m.start_date >= month:
            sets[key]["new"].add(m.participant_id)
        if m.end_date is not None and m.end_date <= end:
            sets[key]["ended"].add(m.participant_id)
    for b in Bill.objects.filter(month=month):
        key = (_bill_regency(b), b.segment)
        money[key]["bills"] += 1
        money[key]["billed_amount"] += b.amount
    for a in Allocation.objects.filter(allocated_on__gte=month, allocated_on__lte=end):
        key = (_bill_regency(a.bill), a.bill.segment)
        money[key]["collected_amount"] += a.amount
    # Claims: a claim counts in the month of its first payment other than a scholarship; amounts
    # are the payments of the month; scholarship payments are counted and summed on their own.
    first_paid: dict[int, date] = {}
    for p in BenefitPayment.objects.exclude(component="scholarship"):
        first_paid[p.claim_id] = min(first_paid.get(p.claim_id, p.paid_on), p.paid_on)
    counted: set[int] = set()
    for p in BenefitPayment.objects.filter(paid_on__gte=month, paid_on__lte=end).select_related(
        "claim__membership__employer",
        "claim__membership__project",
        "claim__membership__participant__person",
        "claim__membership__office",
    ):
        membership = p.claim.membership
        key = (_membership_regency(membership), membership.segment)
        if p.component == "scholarship":
            money[key]["scholarships"] += 1
            money[key]["scholarships_amount"] += p.amount
            continue
        program = p.claim.claim_type
        money[key][f"claims_{program}_amount"] += p.amount
        if first_paid[p.claim_id] >= month and p.claim_id not in counted:
            counted.add(p.claim_id)
            money[key][f"claims_{program}"] += 1
    result: dict[tuple[int, str], dict[str, int]] = {}
    for key in set(sets) | set(money):
        row = {name: len(sets[key][name]) for name in FIELDS[:6]}
        row.update({name: money[key][name] for name in FIELDS[6:]})
        result[key] = row
    return result


def snapshot(month: date) -> dict[tuple[int, str], dict[str, int]]:
    return {
        (row["regency_id"], row["segment"]): {name: row[name] for name in FIELDS}
        for row in CoverageSnapshot.objects.filter(month=month).values(
            "regency_id", "segment", *FIELDS
        )
    }


@pytest.fixture
def billed(population: Population) -> Population:
    """January billed by the run; employer A pays part in February, the BPU worker in full."""
    run_billing(month=date(2026, 1, 1), today=date(2026, 1, 2))
    payer_a = ensure_payer_account(employer=population.employer_a)
    bill_a = Bill.objects.get(payer=payer_a, month=date(2026, 1, 1))
    assert bill_a.amount > 0
    record_payment(
        payer=payer_a,
        reference="BNI-COV-1",
        amount=bill_a.amount // 2,
        paid_on=date(2026, 2, 3),
        channel="manual",
    )
    bpu = population.memberships["bpu5"].participant
    payer_bpu = ensure_payer_account(participant=bpu)
    bill_bpu = Bill.objects.get(payer=payer_bpu, month=date(2026, 1, 1))
    record_payment(
        payer=payer_bpu,
        reference="POS-COV-2",
        amount=bill_bpu.amount,
        paid_on=date(2026, 1, 10),
        channel="manual",
    )
    return population


def test_snapshots_equal_direct_aggregation(billed: Population) -> None:
    services.refresh(months=MONTHS)
    for month in MONTHS:
        assert snapshot(month) == direct(month), month
    assert ledger.check().ok


def test_snapshot_figures_exact(billed: Population) -> None:
    services.refresh(months=MONTHS)
    jan = {
        (r.regency.code, r.segment): r
        for r in CoverageSnapshot.objects.filter(month=date(2026, 1, 1)).select_related("regency")
    }
    # Balikpapan PU: a1, a3 active (a2 ended 20 Jan); employer A; none new in January.
    bpn = jan[("64.71", "PU")]
    assert (bpn.active, bpn.new, bpn.ended, bpn.employers, bpn.state_staff) == (2, 0, 1, 1, 0)
    # Samarinda PU: worker 1 (second job) and worker 4, state organiser staff, both new.
    smd = jan[("64.72", "PU")]
    assert (smd.active, smd.new, smd.ended, smd.employers, smd.state_staff) == (2, 2, 0, 1, 2)
    # Pontianak BPU: ended on 31 January, so not active at the month end.
    ptk = jan[("61.71", "BPU")]
    assert (ptk.active, ptk.new, ptk.ended) == (0, 0, 1)
    # Kutai Kartanegara: two workers paid by the regency budget.
    kkr = jan[("64.02", "BPU")]
    assert (kkr.active, kkr.new, kkr.budget_funded) == (2, 2, 2)
    # Money: January bills; the BPU bill (Rp16.800: JKK 1% of 1,000,000 + JKM 6,800) paid in January.
    assert ptk.bills == 1 and ptk.billed_amount == 16_800 and ptk.collected_amount == 16_800
    bill_a = Bill.objects.get(payer__employer=billed.employer_a, month=date(2026, 1, 1))
    assert bpn.bills == 1 and bpn.billed_amount == bill_a.amount and bpn.collected_amount == 0
    feb_bpn = CoverageSnapshot.objects.get(
        month=date(2026, 2, 1), regency__code="64.71", segment="PU"
    )
    assert feb_bpn.collected_amount == bill_a.amount // 2 and feb_bpn.bills == 0
    # December: Balikpapan 3 active PU, Pontianak 1 new BPU.
    dec = CoverageSnapshot.objects.get(month=date(2025, 12, 1), regency__code="64.71", segment="PU")
    assert (dec.active, dec.new) == (3, 0)
    month = SnapshotMonth.objects.get(month=date(2026, 1, 1))
    assert month.active == 2 + 2 + 0 + 2
    assert month.billed_amount == sum(b.amount for b in Bill.objects.filter(month=date(2026, 1, 1)))


def test_refresh_is_idempotent_and_follows_changes(billed: Population) -> None:
    services.refresh(months=MONTHS)
    first = {m: snapshot(m) for m in MONTHS}
    services.refresh(months=MONTHS)
    assert {m: snapshot(m) for m in MONTHS} == first
    assert CoverageSnapshot.objects.filter(month=date(2026, 1, 1)).count() == len(first[MONTHS[2]])
    # A membership ends later: a refresh of that month picks it up, other months stay.
    from jaminan.registry import services as registry

    registry.end_membership(
        membership=billed.memberships["a3"], end_date=date(2026, 2, 10), reason="resigned"
    )
    services.refresh(months=[date(2026, 2, 1)])
    assert snapshot(date(2026, 2, 1)) == direct(date(2026, 2, 1))
    assert snapshot(date(2026, 1, 1)) == first[date(2026, 1, 1)]
    assert (
        AuditEvent.objects.filter(action="update", object_type="coverage.CoverageSnapshot").count()
        == 3
    )


def test_changed_months_covers_unsnapshotted_and_new_bills(billed: Population) -> None:
    months = services.changed_months(today=date(2026, 2, 15))
    assert months == MONTHS
    services.refresh(months=months)
    # Nothing new: only the latest snapshotted month and the current month.
    assert services.changed_months(today=date(2026, 3, 2)) == [date(2026, 2, 1), date(2026, 3, 1)]


def test_refresh_command(billed: Population, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("coverage", "refresh", "--month", "2026-01", "--month", "2025-12")
    out = capsys.readouterr().out
    assert "2025-12\n2026-01\n" in out and "refreshed 2 month(s)" in out
    assert snapshot(date(2026, 1, 1)) == direct(date(2026, 1, 1))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("coverage", "refresh", "--month", "2026-13")


def test_plain_refresh_backfills_two_years_at_most(billed: Population) -> None:
    from jaminan.registry import services as registry

    registry.end_membership(
        membership=billed.memberships["a1"], end_date=date(2026, 1, 31), reason="resigned"
    )
    old = Membership.objects.get(pk=billed.memberships["a1"].pk)
    old.start_date = date(2010, 1, 4)
    old.save(update_fields=["start_date"])
    months = services.changed_months(today=date(2026, 2, 15))
    assert months[0] == date(2024, 2, 1) and months[-1] == date(2026, 2, 1)
    assert len(months) == services.BACKFILL_MONTHS
