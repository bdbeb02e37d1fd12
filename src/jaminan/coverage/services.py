"""Coverage writes: rebuild the snapshot rows of a month set-based (one DELETE + one INSERT … SELECT …
GROUP BY per month, so a refresh is idempotent and never loops over rows in Python)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Max, Min, Model, Sum
from django.utils import timezone

from jaminan.accounts import audit
from jaminan.claims.models import BenefitPayment, Claim
from jaminan.contributions.models import (
    Allocation,
    Beneficiary,
    Bill,
    PayerAccount,
    Sponsor,
    SponsorshipProgram,
)
from jaminan.coverage.models import CoverageSnapshot, SnapshotMonth
from jaminan.geo.models import Office
from jaminan.geo.zones import institution_today
from jaminan.registry.models import (
    ConstructionProject,
    Employer,
    Membership,
    Participant,
    Person,
)

User = AbstractBaseUser | AnonymousUser | None

#: How far back a plain refresh fills months that were never snapshotted (two years: enough for
#: year-on-year growth; a month of the full population takes about 45 s on PostgreSQL).
BACKFILL_MONTHS = 25

#: Claim programs snapshotted (``claims_<program>`` and ``claims_<program>_amount``), in report order.
CLAIM_PROGRAMS = ("jht", "jkk", "jkm", "jp", "jkp")
#: The snapshot's claim columns, in the order of the INSERT.
CLAIM_FIELDS = (
    *(f for p in CLAIM_PROGRAMS for f in (f"claims_{p}", f"claims_{p}_amount")),
    "scholarships",
    "scholarships_amount",
)
SCHOLARSHIP = str(BenefitPayment.Component.SCHOLARSHIP)

#: Sponsor kinds whose programs are paid from regional budgets (APBD).
BUDGET_SPONSOR_KINDS = tuple(sorted(str(k) for k in Sponsor.GOVERNMENT_FUNDED))


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, last: date) -> list[date]:
    months, current = [], first_of_month(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _snapshot_sql() -> str:
    """The INSERT … SELECT of one month. Parameters, in order: month, refreshed_at; memberships:
    end (active), start (new), end (ended), end, end, end, then end and start (the WHERE); bills:
    month; allocations: start, end; benefit payments: start (earlier payments of the claim), start,
    end.

    Claims: a claim counts once, in the month of its first payment other than a scholarship (no
    payment of the claim before the month); amounts are the payments made in the month."""
    membership_regency = (
        "COALESCE(pr.regency_id, e.regency_id, pe.address_regency_id, o.seat_regency_id)"
    )
    bill_regency = (
        "COALESCE(pr.regency_id, e.regency_id, pe.address_regency_id, s.regency_id, "
        "o.seat_regency_id)"
    )
    kinds = ", ".join(f"'{k}'" for k in BUDGET_SPONSOR_KINDS)
    claim_columns = ", ".join(CLAIM_FIELDS)
    claim_sums = ", ".join(f"SUM(x.{f})" for f in CLAIM_FIELDS)
    no_claims = ", ".join(f"0 AS {f}" for f in CLAIM_FIELDS)
    figures = []
    for program in CLAIM_PROGRAMS:
        own = f"c2.claim_type = '{program}' AND c2.component <> '{SCHOLARSHIP}'"
        figures.append(
            f"COUNT(DISTINCT CASE WHEN {own} AND c2.first_paid = 1 THEN c2.claim_id END)"
        )
        figures.append(f"COALESCE(SUM(CASE WHEN {own} THEN c2.amount END), 0)")
    figures.append(f"COUNT(CASE WHEN c2.component = '{SCHOLARSHIP}' THEN 1 END)")
    figures.append(f"COALESCE(SUM(CASE WHEN c2.component = '{SCHOLARSHIP}' THEN c2.amount END), 0)")
    claim_figures = ",\n            ".join(figures)
    bill_joins = f"""
        JOIN {_t(PayerAccount)} pa ON pa.id = bl.payer_id
        JOIN {_t(Office)} o ON o.id = bl.office_id
        LEFT JOIN {_t(ConstructionProject)} pr ON pr.id = bl.project_id
        LEFT JOIN {_t(Employer)} e ON e.id = pa.employer_id
        LEFT JOIN {_t(Participant)} p ON p.id = pa.participant_id
        LEFT JOIN {_t(Person)} pe ON pe.id = p.person_id
        LEFT JOIN {_t(Sponsor)} s ON s.id = pa.sponsor_id"""
    return f"""
    INSERT INTO {_t(CoverageSnapshot)} (month, regency_id, segment, active, new, ended, employers,
        budget_funded, state_staff, bills, billed_amount, collected_amount, {claim_columns},
        refreshed_at)
    SELECT %s, x.regency_id, x.segment, SUM(x.active), SUM(x.new), SUM(x.ended), SUM(x.employers),
        SUM(x.budget_funded), SUM(x.state_staff), SUM(x.bills), SUM(x.billed_amount),
        SUM(x.collected_amount), {claim_sums}, %s
    FROM (
        SELECT m.regency_id, m.segment,
            COUNT(DISTINCT CASE WHEN m.end_date IS NULL OR m.end_date > %s
                THEN m.participant_id END) AS active,
            COUNT(DISTINCT CASE WHEN m.start_date >= %s THEN m.participant_id END) AS new,
            COUNT(DISTINCT CASE WHEN m.end_date <= %s THEN m.participant_id END) AS ended,
            COUNT(DISTINCT CASE WHEN m.end_date IS NULL OR m.end_date > %s
                THEN m.employer_id END) AS employers,
            COUNT(DISTINCT CASE WHEN (m.end_date IS NULL OR m.end_date > %s)
                AND m.payer = 'sponsor' AND m.sponsor_kind IN ({kinds})
                THEN m.participant_id END) AS budget_funded,
            COUNT(DISTINCT CASE WHEN (m.end_date IS NULL OR m.end_date > %s)
                AND m.employer_kind = 'state_organiser' THEN m.participant_id END) AS state_staff,
            0 AS bills, 0 AS billed_amount, 0 AS collected_amount, {no_claims}
        FROM (
            SELECT {membership_regency} AS regency_id, ms.segment, ms.participant_id,
                ms.employer_id, ms.start_date, ms.end_date, ms.payer,
                e.kind AS employer_kind, s.kind AS sponsor_kind
            FROM {_t(Membership)} ms
            JOIN {_t(Participant)} p ON p.id = ms.participant_id
            JOIN {_t(Person)} pe ON pe.id = p.person_id
            JOIN {_t(Office)} o ON o.id = ms.office_id
            LEFT JOIN {_t(Employer)} e ON e.id = ms.employer_id
            LEFT JOIN {_t(ConstructionProject)} pr ON pr.id = ms.project_id
            LEFT JOIN {_t(Beneficiary)} b ON b.membership_id = ms.id
            LEFT JOIN {_t(SponsorshipProgram)} sp ON sp.id = b.program_id
            LEFT JOIN {_t(Sponsor)} s ON s.id = sp.sponsor_id
            WHERE ms.start_date <= %s AND (ms.end_date IS NULL OR ms.end_date >= %s)
        ) m
        GROUP BY m.regency_id, m.segment
        UNION ALL
        SELECT b2.regency_id, b2.segment, 0, 0, 0, 0, 0, 0,
            COUNT(*), SUM(b2.amount), 0, {no_claims}
        FROM (
            SELECT {bill_regency} AS regency_id, bl.segment, bl.amount
            FROM {_t(Bill)} bl {bill_joins}
            WHERE bl.month = %s
        ) b2
        GROUP BY b2.regency_id, b2.segment
        UNION ALL
        SELECT a2.regency_id, a2.segment, 0, 0, 0, 0, 0, 0, 0, 0, SUM(a2.amount), {no_claims}
        FROM (
            SELECT {bill_regency} AS regency_id, bl.segment, al.amount
            FROM {_t(Allocation)} al
            JOIN {_t(Bill)} bl ON bl.id = al.bill_id {bill_joins}
            WHERE al.allocated_on >= %s AND al.allocated_on <= %s AND al.reversal_id IS NULL
        ) a2
        GROUP BY a2.regency_id, a2.segment
        UNION ALL
        SELECT c2.regency_id, c2.segment, 0, 0, 0, 0, 0, 0, 0, 0, 0, {claim_figures}
        FROM (
            SELECT {membership_regency} AS regency_id, ms.segment, c.claim_type, bp.claim_id,
                bp.component, bp.amount,
                CASE WHEN bp.component <> '{SCHOLARSHIP}' AND NOT EXISTS (
                    SELECT 1 FROM {_t(BenefitPayment)} bp0
                    WHERE bp0.claim_id = bp.claim_id AND bp0.component <> '{SCHOLARSHIP}'
                        AND bp0.paid_on < %s
                ) THEN 1 ELSE 0 END AS first_paid
            FROM {_t(BenefitPayment)} bp
            JOIN {_t(Claim)} c ON c.id = bp.claim_id
            JOIN {_t(Membership)} ms ON ms.id = c.membership_id
            JOIN {_t(Participant)} p ON p.id = ms.participant_id
            JOIN {_t(Person)} pe ON pe.id = p.person_id
            JOIN {_t(Office)} o ON o.id = ms.office_id
            LEFT JOIN {_t(Employer)} e ON e.id = ms.employer_id
            LEFT JOIN {_t(ConstructionProject)} pr ON pr.id = ms.project_id
            WHERE bp.paid_on >= %s AND bp.paid_on <= %s
        ) c2
        GROUP BY c2.regency_id, c2.segment
    ) x
    GROUP BY x.regency_id, x.segment
    """


@dataclass(frozen=True)
class RefreshResult:
    months: list[date]
    rows: int
    active: int


@transaction.atomic
def refresh_month(*, month: date, refreshed_at: datetime | None = None) -> SnapshotMonth:
    """Replace the snapshot rows of ``month`` with a fresh aggregation of the record."""
    month = first_of_month(month)
    start, end = month, month_end(month)
    now = refreshed_at or timezone.now()
    CoverageSnapshot.objects.filter(month=month).delete()
    params = [month, now, end, start, end, end, end, end, end, start, month, start, end]
    params += [start, start, end]
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql(), params)
    totals = CoverageSnapshot.objects.filter(month=month).aggregate(
        active=Sum("active"), billed=Sum("billed_amount"), collected=Sum("collected_amount")
    )
    snapshot_month, _ = SnapshotMonth.objects.update_or_create(
        month=month,
        defaults={
            "rows": CoverageSnapshot.objects.filter(month=month).count(),
            "active": totals["active"] or 0,
            "billed_amount": totals["billed"] or 0,
            "collected_amount": totals["collected"] or 0,
            "refreshed_at": now,
        },
    )
    return snapshot_month


def changed_months(*, today: date | None = None) -> list[date]:
    """Months a plain ``coverage refresh`` rebuilds: every month of the last ``BACKFILL_MONTHS``
    (from the first membership at the earliest) that has no snapshot yet, the latest snapshotted
    month and this month (memberships end and payments arrive there), and the months of bills
    issued, allocations made and benefit payments recorded since the last refresh (the month of a
    benefit payment's ``paid_on``). Older months: ``--since`` / ``--month``."""
    today = today or institution_today()
    current = first_of_month(today)
    first_start = Membership.objects.aggregate(first=Min("start_date"))["first"]
    if first_start is None:
        return [current]
    done = set(SnapshotMonth.objects.values_list("month", flat=True))
    first = max(first_of_month(first_start), add_months(current, -(BACKFILL_MONTHS - 1)))
    months = {m for m in month_range(first, current) if m not in done}
    months.add(current)
    last = SnapshotMonth.objects.aggregate(last=Max("refreshed_at"), month=Max("month"))
    if last["month"] is not None:
        months.add(last["month"])
    if last["last"] is not None:
        since = last["last"]
        months.update(
            Bill.objects.filter(issued_at__gte=since).values_list("month", flat=True).distinct()
        )
        for allocated_on in (
            Allocation.objects.filter(allocated_on__gte=since.date())
            .values_list("allocated_on", flat=True)
            .distinct()
        ):
            months.add(first_of_month(allocated_on))
        for paid_on in (
            BenefitPayment.objects.filter(created_at__gte=since)
            .values_list("paid_on", flat=True)
            .distinct()
        ):
            months.add(first_of_month(paid_on))
    return sorted(m for m in months if m <= current)


def refresh(
    *,
    months: Iterable[date] | None = None,
    actor: User = None,
    reason: str = "",
) -> RefreshResult:
    """Rebuild the given months (default: ``changed_months()``), one transaction per month, and
    audit the refresh with its control totals."""
    selected = sorted({first_of_month(m) for m in months}) if months else changed_months()
    rows = active = 0
    for month in selected:
        done = refresh_month(month=month)
        rows += done.rows
        active = done.active
    audit.record(
        action="update",
        actor=actor,
        object_type="coverage.CoverageSnapshot",
        object_repr=", ".join(f"{m:%Y-%m}" for m in selected[:24])[:200],
        changes={
            "months": [f"{m:%Y-%m}" for m in selected],
            "rows": rows,
            "reason": reason,
        },
    )
    return RefreshResult(months=selected, rows=rows, active=active)
