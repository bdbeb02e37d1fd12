"""The monthly billing run: active memberships and reported wages → bills per payer, in SQL.

``run_billing(month=…)`` takes the month's lock, writes the month's rates from ``jaminan.rules`` as
integer fractions (``MonthRate``), makes sure every payer has an account, then bills one office at
a time. Each office is one transaction (a *chunk*): bills, their lines per membership × program ×
side, fines carried over, the bills' journal entries and their control totals are written
together by ``INSERT … SELECT`` statements, or not at all. A finished chunk is recorded
(``BillingChunk``) and skipped by later runs: running again changes nothing, and a run killed
midway is completed by the next one with the same totals as a clean run.

The lines are written once and not read back: the bills' amounts, journal postings and control
totals come from per-bill sums taken as the lines are written (see "the chunk's sums"). On
PostgreSQL the month's lines go to the month's partition of the line table, whose membership index
is built after the last office (``jaminan.contributions.partitions``).

Amounts are exactly those of ``calculate("contribution.pu" | "contribution.bpu")``: each line is
``(base × num + den / 2) / den`` in integer SQL (half up; ``den`` is a power of ten), the method of
``jaminan.rules.batch``. Construction projects (once, from the contract value) and migrant
workers (once, per phase) are billed through the scalar rules: they are few.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from jaminan.accounts import audit
from jaminan.contributions.ledger import fraction
from jaminan.contributions.models import (
    INCOME_ACCOUNT,
    JKP_ACCOUNT,
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
)
from jaminan.contributions.partitions import (
    ensure_line_partitions,
    index_line_members,
    prepare_month,
    repair_abandoned,
    resume_autovacuum,
)
from jaminan.geo.models import Office
from jaminan.geo.zones import institution_date, institution_today, institution_zone
from jaminan.registry.identifiers import luhn_digit
from jaminan.registry.models import (
    ConstructionProject,
    Employer,
    Membership,
    Participant,
    ReportedWage,
)
from jaminan.rules import calculate
from jaminan.rules.calculations.bpu import bpu_rates
from jaminan.rules.calculations.fine import due_date
from jaminan.rules.calculations.pu import pu_rates
from jaminan.rules.core import Trace, add_months, last_day

Progress = Callable[[int, int, str], None]

#: A lock whose holder has not been heard of for this long is stale and may be taken over.
STALE_AFTER = timedelta(minutes=15)
VA_PREFIX = "8889"
VA_KIND = {"employer": "1", "participant": "2", "sponsor": "3"}
FINE_PROGRAM = "DENDA"


class BillingError(Exception):
    code = "billing_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class BillingLocked(BillingError):
    code = "billing_locked"


# --- payers ----------------------------------------------------------------------------------


def virtual_account(kind: str, entity_id: int) -> str:
    """16 digits: bank prefix 8889, payer kind (1 employer, 2 participant, 3 sponsor), the
    entity's id on 10 digits, a Luhn check digit."""
    body = f"{VA_PREFIX}{VA_KIND[kind]}{entity_id:010d}"
    return body + luhn_digit(body)


def ensure_payer_account(
    *,
    employer: Employer | None = None,
    participant: Participant | None = None,
    sponsor: Sponsor | None = None,
    office: Office | None = None,
) -> PayerAccount:
    """The payer account of one employer, participant or sponsor, created when missing."""
    given = [x for x in (employer, participant, sponsor) if x is not None]
    if len(given) != 1:
        raise ValueError("exactly one of employer, participant, sponsor")
    lookup: dict[str, Any]
    if employer is not None:
        kind, lookup, default_office = "employer", {"employer": employer}, employer.office
    elif participant is not None:
        kind, lookup = "participant", {"participant": participant}
        default_office = office or participant.registering_office
    else:
        assert sponsor is not None
        kind, lookup, default_office = "sponsor", {"sponsor": sponsor}, sponsor.office
    entity = given[0]
    account, created = PayerAccount.objects.get_or_create(
        **lookup,
        defaults={
            "kind": kind,
            "office": default_office,
            "virtual_account": virtual_account(kind, entity.pk),
        },
    )
    if created:
        audit.record(
            action="create", obj=account, changes={"virtual_account": account.virtual_account}
        )
    return account


def _ensure_payer_accounts(month: date) -> int:
    """Accounts for every employer, self-paying participant and sponsor that has something to
    bill in ``month`` (created in bulk; existing ones untouched). Returns how many were made."""
    start, end = month, last_day_of(month)
    active = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
    employers = (
        Membership.objects.filter(active, segment="PU", employer__payer_account__isnull=True)
        .values_list("employer_id", "employer__office_id")
        .distinct()
    )
    self_payers = (
        Membership.objects.filter(
            active,
            Q(segment="BPU") | Q(segment="PMI", registered_on__lte=end),
            ~Q(payer=Membership.Payer.EMPLOYER),
            ~Q(payer=Membership.Payer.SPONSOR, segment="BPU"),
            participant__payer_account__isnull=True,
        )
        .values_list("participant_id", "office_id")
        .order_by("participant_id", "-start_date")
    )
    sponsors = Sponsor.objects.filter(payer_account__isnull=True).values_list("id", "office_id")
    pmi_employers = (
        Membership.objects.filter(
            segment="PMI",
            payer=Membership.Payer.EMPLOYER,
            registered_on__lte=end,
            employer__payer_account__isnull=True,
        )
        .values_list("employer_id", "employer__office_id")
        .distinct()
    )
    contractors = (
        ConstructionProject.objects.filter(
            registered_on__lte=end, contractor__payer_account__isnull=True
        )
        .values_list("contractor_id", "contractor__office_id")
        .distinct()
    )
    return _create_accounts(
        (
            ("employer", employers),
            ("employer", contractors),
            ("employer", pmi_employers),
            ("participant", self_payers),
            ("sponsor", sponsors),
        )
    )


def _ensure_candidate_payer_accounts(candidates: QuerySet[Membership]) -> int:
    """Accounts for the payers of ``candidates`` (the late-additions step's few memberships) that
    have none: a membership back-dated into a billed month and ended before the run's month is not
    active in it, so ``_ensure_payer_accounts`` did not see its payer."""
    employers = (
        candidates.filter(segment="PU", employer__payer_account__isnull=True)
        .values_list("employer_id", "employer__office_id")
        .distinct()
    )
    self_payers = (
        candidates.filter(
            segment="BPU", payer=Membership.Payer.SELF, participant__payer_account__isnull=True
        )
        .values_list("participant_id", "office_id")
        .order_by("participant_id", "-start_date")
    )
    return _create_accounts((("employer", employers), ("participant", self_payers)))


def _create_accounts(sources: Iterable[tuple[str, QuerySet[Any]]]) -> int:
    """Payer accounts for the (entity id, office id) pairs of each kind, in bulk (the first office
    of an entity wins; existing accounts untouched). Returns how many were made."""
    rows: dict[tuple[str, int], int] = {}
    for kind, pairs in sources:
        for entity_id, office_id in pairs.iterator(chunk_size=20_000):
            rows.setdefault((kind, entity_id), office_id)
    accounts = [
        PayerAccount(
            kind=kind,
            office_id=office_id,
            virtual_account=virtual_account(kind, entity_id),
            **{f"{kind}_id": entity_id},
        )
        for (kind, entity_id), office_id in rows.items()
    ]
    PayerAccount.objects.bulk_create(accounts, batch_size=5_000, ignore_conflicts=True)
    return len(accounts)


# --- rates -----------------------------------------------------------------------------------


def last_day_of(month: date) -> date:
    return date(month.year, month.month, last_day(month.year, month.month))


def _rate_rows(month: date) -> list[MonthRate]:
    """The month's rates from the rules, as exact integer fractions."""
    rows: list[MonthRate] = []

    def add(segment: str, program: str, side: str, rate: Decimal, **extra: Any) -> None:
        num, den = fraction(rate)
        rows.append(
            MonthRate(
                month=month, segment=segment, program=program, side=side, num=num, den=den, **extra
            )
        )

    for group in range(1, 6):
        for variant in (0, 1):
            r = pu_rates(
                month,
                group,
                programs=("JKK", "JKM", "JHT", "JP"),
                labour_intensive=bool(variant),
            )
            common = {"risk_group": group, "variant": variant}
            add("PU", "JKK", "employer", r.jkk, **common)
            add("PU", "JKM", "employer", r.jkm, **common)
            add("PU", "JHT", "employer", r.jht_employer, **common)
            add("PU", "JHT", "worker", r.jht_worker, **common)
            add("PU", "JP", "employer", r.jp_employer, cap=r.jp_cap, **common)
            add("PU", "JP", "worker", r.jp_worker, cap=r.jp_cap, **common)
    from jaminan.contributions.ledger import jkp_allocation_rate

    for program in ("JKK", "JKM"):
        add("PU", program, "-", jkp_allocation_rate(program, month), kind="jkp_alloc")
    for variant in range(4):
        sector = "transport" if variant & 1 else "other"
        r_bpu = bpu_rates(
            month,
            programs=("JKK", "JKM", "JHT"),
            sector=sector,
            government_funded=bool(variant & 2),
        )
        limits = {"variant": variant, "floor": r_bpu.income_minimum, "cap": r_bpu.income_maximum}
        add("BPU", "JKK", "-", r_bpu.jkk, **limits)
        jkm_flat = int(r_bpu.jkm_amount.to_integral_value(rounding="ROUND_HALF_UP"))
        add("BPU", "JKM", "-", Decimal(0), flat=jkm_flat, **limits)
        add("BPU", "JHT", "-", r_bpu.jht, **limits)
        add("BPU", "DISC", "-", r_bpu.discount, **limits)
    return rows


def write_month_rates(month: date) -> None:
    """(Re)write the month's rates; the same rules give the same rows, so this is idempotent."""
    with transaction.atomic():
        MonthRate.objects.filter(month=month).delete()
        MonthRate.objects.bulk_create(_rate_rows(month))


# --- SQL -------------------------------------------------------------------------------------

T = {
    "bill": Bill._meta.db_table,
    "line": BillLine._meta.db_table,
    "payer": PayerAccount._meta.db_table,
    "rate": MonthRate._meta.db_table,
    "mem": Membership._meta.db_table,
    "emp": Employer._meta.db_table,
    "wage": "registry_reportedwage",
    "ben": Beneficiary._meta.db_table,
    "prog": "contributions_sponsorshipprogram",
    "spon": Sponsor._meta.db_table,
    "entry": JournalEntry._meta.db_table,
    "post": Posting._meta.db_table,
}

_ACTIVE = "m.start_date <= %s AND (m.end_date IS NULL OR m.end_date >= %s)"
_WAGE = (
    "(SELECT w.amount FROM {wage} w WHERE w.membership_id = m.id AND w.effective_month <= %s "
    "ORDER BY w.effective_month DESC LIMIT 1)"
).format(**T)


@dataclass(frozen=True)
class Scope:
    """Which payers a statement works on: one office's (a chunk) or one payer's."""

    payer_sql: str
    payer_params: list[Any]

    @classmethod
    def office(cls, office_id: int) -> Scope:
        return cls("p.office_id = %s", [office_id])

    @classmethod
    def payer(cls, payer_id: int) -> Scope:
        return cls("p.id = %s", [payer_id])


def _memberships_sql(segment_bill: str) -> tuple[str, str]:
    """FROM/WHERE joining a payer ``p`` to its billable memberships ``m`` of a bill segment, and
    the SQL of the membership's variant (rates)."""
    if segment_bill == "PU":
        return (
            f"JOIN {T['mem']} m ON m.employer_id = p.employer_id AND m.segment = 'PU' "
            f"JOIN {T['emp']} e ON e.id = m.employer_id",
            "CASE WHEN e.labour_intensive THEN 1 ELSE 0 END",
        )
    if segment_bill == "BPU_SELF":
        return (
            f"JOIN {T['mem']} m ON m.participant_id = p.participant_id AND m.segment = 'BPU' "
            "AND m.payer = 'self'",
            "CASE WHEN m.bpu_sector = 'transport' THEN 1 ELSE 0 END",
        )
    # BPU paid by a sponsor: beneficiaries of the sponsor's running programs covering the month.
    return (
        f"JOIN {T['prog']} sp ON sp.sponsor_id = p.sponsor_id AND sp.status = 'active' "
        "AND sp.start_month <= %s AND sp.end_month >= %s "
        f"JOIN {T['ben']} bn ON bn.program_id = sp.id "
        f"JOIN {T['mem']} m ON m.id = bn.membership_id AND m.segment = 'BPU' AND m.payer = 'sponsor' "
        f"JOIN {T['spon']} so ON so.id = p.sponsor_id",
        "(CASE WHEN m.bpu_sector = 'transport' THEN 1 ELSE 0 END"
        " + CASE WHEN so.kind IN ('province', 'regency') THEN 2 ELSE 0 END)",
    )


PAYER_KIND = {"PU": "employer", "BPU_SELF": "participant", "BPU_SPONSOR": "sponsor"}
SEGMENT_OF = {"PU": "PU", "BPU_SELF": "BPU", "BPU_SPONSOR": "BPU"}
SIDE_OF = {"BPU_SELF": "participant", "BPU_SPONSOR": "sponsor"}


def _join_params(group: str, month: date) -> list[Any]:
    return [month, month] if group == "BPU_SPONSOR" else []


def _execute(sql: str, params: Iterable[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return int(cursor.rowcount)


def _insert_bills(
    group: str,
    month: date,
    scope: Scope,
    run_id: int | None,
    due: date,
    now: datetime,
    late: BillingChunk | None = None,
) -> int:
    """Bills of ``month`` for the payers of ``scope`` in ``group``. Monthly bills: one per payer
    with a billable membership and no monthly bill of the month yet. With ``late`` (its office-month
    already billed): late bills, one per payer with a membership billable in the month but without
    a line of it, added since the chunk was billed or last looked at — a membership id above the
    chunk's mark, or registered on or after the day before its check."""
    join, _variant = _memberships_sql(group)
    end = last_day_of(month)
    ops = connection.ops
    if late is None:
        kind = Bill.Kind.MONTHLY
        exists_join = re.sub(r"\bp[.]", "p2.", join)
        which = f"""EXISTS (SELECT 1 FROM {T["payer"]} p2 {exists_join}
                      WHERE p2.id = p.id AND {_ACTIVE} AND {_WAGE} IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM {T["bill"]} b WHERE b.payer_id = p.id AND b.month = %s
                          AND b.kind = 'monthly' AND b.segment = %s)"""
        which_params = [end, month, month, month, SEGMENT_OF[group]]
    else:
        kind = Bill.Kind.LATE
        unbilled, unbilled_params = _unbilled(month, kind)
        checked = institution_date(late.checked_at or late.finished_at) - timedelta(days=1)
        # Driven from the few candidate memberships (primary key and registration-date indexes).
        which = f"""p.id IN (SELECT p.id FROM {T["payer"]} p {join}
                       WHERE (m.id > %s OR m.registered_on >= %s)
                         AND {_ACTIVE} AND {_WAGE} IS NOT NULL {unbilled})"""
        which_params = [late.membership_mark, checked, end, month, month, *unbilled_params]
    sql = f"""
        INSERT INTO {T["bill"]} (payer_id, office_id, kind, month, segment, due_date, amount,
                                 paid_amount, status, run_id, issued_at)
        SELECT p.id, p.office_id, '{kind}', %s, %s, %s, 0, 0, 'open', %s, %s
        FROM {T["payer"]} p
        WHERE p.kind = %s AND {scope.payer_sql} AND {which}"""
    params = [
        ops.adapt_datefield_value(month),
        SEGMENT_OF[group],
        ops.adapt_datefield_value(due),
        run_id,
        ops.adapt_datetimefield_value(now),
        PAYER_KIND[group],
        *scope.payer_params,
        *_join_params(group, month),
        *which_params,
    ]
    return _execute(sql, params)


def _same_month(line_month: date | None) -> tuple[str, list[Any]]:
    """Lines ``l`` of bills ``b`` are of their bill's month. When every bill is of one month the
    condition is that constant, and PostgreSQL reads that month's partition of the line table only;
    otherwise it is the bill's own month (partitions pruned per bill at run time)."""
    if line_month is None:
        return "l.month = b.month", []
    return "l.month = %s", [line_month]


def _unbilled(month: date, kind: str) -> tuple[str, list[Any]]:
    """For late bills (kind ``late``): only memberships without a contribution line of the month
    yet. Monthly bills need no such test: a payer's first bill of the month has every line."""
    if kind != Bill.Kind.LATE:
        return "", []
    return (
        f"AND NOT EXISTS (SELECT 1 FROM {T['line']} ol WHERE ol.membership_id = m.id "
        "AND ol.month = %s AND ol.kind = 'contribution')",
        [month],
    )


#: A PU line's base: the wage, capped at the month's JP cap for JP (rate rows ``r``, members ``x``).
_PU_BASE = "CASE WHEN r.cap > 0 AND x.wage > r.cap THEN r.cap ELSE x.wage END"
#: The month's PU rate rows ``r`` of members ``x`` (risk group, variant, programs); one parameter,
#: the month.
_PU_RATES = f"""
        JOIN {T["rate"]} r ON r.month = %s AND r.segment = 'PU' AND r.kind = 'contribution'
             AND r.risk_group = x.risk_group AND r.variant = x.variant
             AND (r.program IN ('JKK', 'JKM') OR (r.program = 'JHT' AND x.has_jht)
                  OR (r.program = 'JP' AND x.has_jp))"""


def _insert_pu_lines(
    month: date, scope: Scope, new_bills: tuple[str, list[Any]], kind: str = "monthly"
) -> int:
    join, variant = _memberships_sql("PU")
    unbilled, unbilled_params = _unbilled(month, kind)
    base = _PU_BASE
    # x is materialised: one row per membership, its wage looked up once, then joined to the
    # month's few rate rows (without it the planner re-evaluates the wage for every rate).
    sql = f"""
        INSERT INTO {T["line"]} (bill_id, membership_id, program, side, kind, base, amount, month)
        WITH x AS MATERIALIZED (
            SELECT b.id AS bill_id, m.id AS mid, e.risk_group AS risk_group, {variant} AS variant,
                   m.has_jht AS has_jht, m.has_jp AS has_jp, {_WAGE} AS wage
            FROM {T["bill"]} b
            JOIN {T["payer"]} p ON p.id = b.payer_id
            {join}
            WHERE {new_bills[0]} AND b.month = %s AND b.kind = '{kind}' AND b.segment = 'PU'
              AND {scope.payer_sql} AND {_ACTIVE} {unbilled}
        )
        SELECT x.bill_id, x.mid, r.program, r.side, 'contribution', {base},
               ({base} * r.num + r.den / 2) / r.den, r.month
        FROM x {_PU_RATES}
        WHERE x.wage IS NOT NULL"""
    params = [
        month,
        *new_bills[1],
        month,
        *scope.payer_params,
        last_day_of(month),
        month,
        *unbilled_params,
        month,
    ]
    return _insert_lines(sql, params, jkp_month=month)


def _insert_bpu_lines(
    group: str,
    month: date,
    scope: Scope,
    new_bills: tuple[str, list[Any]],
    kind: str = "monthly",
) -> int:
    join, variant = _memberships_sql(group)
    unbilled, unbilled_params = _unbilled(month, kind)
    side = SIDE_OF[group]
    half = "({v} * d.num + d.den / 2) / d.den"
    jkk_disc = half.format(v="a.jkk")
    all_disc = half.format(v="(a.jkk + a.jkm)")
    sql = f"""
        INSERT INTO {T["line"]} (bill_id, membership_id, program, side, kind, base, amount, month)
        WITH x AS MATERIALIZED (
            SELECT b.id AS bill_id, m.id AS mid, {variant} AS variant, m.has_jht AS has_jht,
                   {_WAGE} AS income
            FROM {T["bill"]} b
            JOIN {T["payer"]} p ON p.id = b.payer_id
            {join}
            WHERE {new_bills[0]} AND b.month = %s AND b.kind = '{kind}' AND b.segment = 'BPU'
              AND {scope.payer_sql} AND {_ACTIVE} {unbilled}
        ), a AS MATERIALIZED (
            SELECT x.bill_id, x.mid, x.has_jht, x.income,
                   (x.income * k.num + k.den / 2) / k.den AS jkk, j.flat AS jkm,
                   (x.income * h.num + h.den / 2) / h.den AS jht, x.variant, k.month
            FROM x
            JOIN {T["rate"]} k ON k.month = %s AND k.segment = 'BPU' AND k.program = 'JKK'
                 AND k.variant = x.variant
            JOIN {T["rate"]} j ON j.month = k.month AND j.segment = 'BPU' AND j.program = 'JKM'
                 AND j.variant = x.variant
            JOIN {T["rate"]} h ON h.month = k.month AND h.segment = 'BPU' AND h.program = 'JHT'
                 AND h.variant = x.variant
            WHERE x.income IS NOT NULL AND x.income >= k.floor AND x.income <= k.cap
        )
        SELECT a.bill_id, a.mid, 'JKK', '{side}', 'contribution', a.income, a.jkk, a.month FROM a
        UNION ALL
        SELECT a.bill_id, a.mid, 'JKM', '{side}', 'contribution', a.income, a.jkm, a.month FROM a
        UNION ALL
        SELECT a.bill_id, a.mid, 'JHT', '{side}', 'contribution', a.income, a.jht, a.month FROM a
        WHERE a.has_jht
        UNION ALL
        SELECT a.bill_id, a.mid, 'JKK', '{side}', 'discount', a.jkk, -({jkk_disc}), a.month
        FROM a JOIN {T["rate"]} d ON d.month = %s AND d.segment = 'BPU' AND d.program = 'DISC'
             AND d.variant = a.variant
        WHERE d.num > 0
        UNION ALL
        SELECT a.bill_id, a.mid, 'JKM', '{side}', 'discount', a.jkm, -({all_disc} - {jkk_disc}),
               a.month
        FROM a JOIN {T["rate"]} d ON d.month = %s AND d.segment = 'BPU' AND d.program = 'DISC'
             AND d.variant = a.variant
        WHERE d.num > 0"""
    # In textual order: x's wage month, the join's months, the bill filter, the bill month, the
    # scope, the activity dates; a's rate month; the two discount rate months.
    params = [
        month,
        *_join_params(group, month),
        *new_bills[1],
        month,
        *scope.payer_params,
        last_day_of(month),
        month,
        *unbilled_params,
        month,
        month,
        month,
    ]
    return _insert_lines(sql, params, jkp_month=None)


# --- the chunk's sums ---------------------------------------------------------------------------
#
# Bill amounts, journal postings and control totals need each new bill's lines summed per program
# and kind. On PostgreSQL the sums are taken from the rows as the line INSERTs write them
# (``RETURNING``), so the run never reads its 15 million lines back; SQLite sums the new lines
# with one query. Both fill the same temporary table, and everything after reads only that.

SUMS = "billing_sums"


def _moved(pu: str, num: str = "a.num", den: str = "a.den") -> str:
    """A line ``l``'s share moved to JKP income (``ledger.post_bill``): PU contribution lines only,
    at the month's JKP allocation rate ``num / den`` (the rate row ``a``, or constants) on the
    line's base, at most the line's amount."""
    one = f"(l.base * {num} + {den} / 2) / {den}"
    return (
        f"CASE WHEN {pu} AND l.kind = 'contribution' AND {num} > 0 THEN "
        f"CASE WHEN {one} < l.amount THEN {one} ELSE l.amount END ELSE 0 END"
    )


def _jkp_rates(month_sql: str) -> str:
    """The JKP allocation rates ``a`` of a month, joined by program to lines ``l``."""
    return (
        f"LEFT JOIN {T['rate']} a ON a.month = {month_sql} AND a.segment = 'PU' "
        "AND a.kind = 'jkp_alloc' AND a.program = l.program"
    )


def _reset_sums() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMPORARY TABLE IF NOT EXISTS {SUMS} (
                    bill_id BIGINT NOT NULL, program VARCHAR(8) NOT NULL,
                    kind VARCHAR(12) NOT NULL, lines BIGINT NOT NULL, amount BIGINT NOT NULL,
                    moved BIGINT NOT NULL)"""
        )
        # Looked up by bill whatever the planner thinks of the new bills' number.
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {SUMS}_bill ON {SUMS} (bill_id)")
        cursor.execute(
            f"TRUNCATE {SUMS}" if connection.vendor == "postgresql" else f"DELETE FROM {SUMS}"
        )


def _analyze_sums() -> None:
    """Statistics for the filled sums (no autovacuum looks at a temporary table): without them the
    planner takes the table for empty and checks each new bill against all of it."""
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {SUMS}", [])


def _insert_lines(sql: str, params: list[Any], *, jkp_month: date | None) -> int:
    """Run a lines ``INSERT … SELECT``; on PostgreSQL its rows are summed into the chunk's sums as
    they are written. ``jkp_month``: the month of PU lines (part of them moves to JKP income)."""
    if connection.vendor != "postgresql":
        return _execute(sql, params)
    moved = "0"
    if jkp_month is not None:
        # The month's JKP shares as constants: no lookup per line.
        whens = " ".join(
            f"WHEN '{r.program}' THEN {_moved('TRUE', str(r.num), str(r.den))}"
            for r in MonthRate.objects.filter(
                month=jkp_month, segment="PU", kind="jkp_alloc", num__gt=0
            ).order_by("program")
        )
        if whens:
            moved = f"CASE l.program {whens} ELSE 0 END"
    with connection.cursor() as cursor:
        # A chunk's new bills are planned as one or two rows (their run is new to the statistics),
        # so PostgreSQL would sort a million returned rows to group them, spilling to disk.
        # (On an error the transaction rolls back, and the setting with it.)
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(
            f"""WITH l AS ({sql} RETURNING bill_id, program, kind, base, amount)
                INSERT INTO {SUMS} (bill_id, program, kind, lines, amount, moved)
                SELECT l.bill_id, l.program, l.kind, COUNT(*), SUM(l.amount), SUM({moved})
                FROM l GROUP BY l.bill_id, l.program, l.kind""",
            params,
        )
        rows = int(cursor.rowcount)
        cursor.execute("SET LOCAL enable_sort = on")
    return rows


def _sums_from_lines(new_bills: tuple[str, list[Any]], line_month: date | None) -> None:
    """Sum the stored lines of ``new_bills`` into the chunk's sums (SQLite's monthly bills; the
    few one-off bills on both)."""
    where, params = new_bills
    same_month, month_params = _same_month(line_month)
    _execute(
        f"""INSERT INTO {SUMS} (bill_id, program, kind, lines, amount, moved)
            SELECT l.bill_id, l.program, l.kind, COUNT(*), SUM(l.amount),
                   SUM({_moved("b.segment = 'PU'")})
            FROM {T["bill"]} b JOIN {T["line"]} l ON l.bill_id = b.id AND {same_month}
            {_jkp_rates("b.month")}
            WHERE {where} GROUP BY l.bill_id, l.program, l.kind""",
        [*month_params, *params],
    )


def _update_amounts(new_bills: tuple[str, list[Any]]) -> None:
    where, params = new_bills
    _execute(
        f"""UPDATE {T["bill"]} SET amount = s.total
            FROM (SELECT l.bill_id, SUM(l.amount) AS total FROM {SUMS} l
                  JOIN {T["bill"]} b ON b.id = l.bill_id WHERE {where} GROUP BY l.bill_id) s
            WHERE s.bill_id = {T["bill"]}.id""",
        params,
    )


def _drop_empty_bills(new_bills: tuple[str, list[Any]]) -> int:
    """Bills whose memberships all turned out unbillable (e.g. income outside the tiers)."""
    return _execute(
        f"""DELETE FROM {T["bill"]} WHERE {new_bills[0].replace("b.", f"{T['bill']}.")}
            AND NOT EXISTS (SELECT 1 FROM {SUMS} l WHERE l.bill_id = {T["bill"]}.id)""",
        new_bills[1],
    )


def _carry_fines(new_bills: tuple[str, list[Any]]) -> int:
    """Unbilled fines of the payers of the new bills go on one of those bills (the PU one if any)."""
    where, params = new_bills
    fine_table = Fine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT f.id, MIN(b.id) FROM {fine_table} f
                JOIN {T["bill"]} late ON late.id = f.bill_id
                JOIN {T["bill"]} b ON b.payer_id = late.payer_id AND b.segment <> 'BPU'
                WHERE f.billed_line_id IS NULL AND {where}
                GROUP BY f.id ORDER BY f.id""",
            params,
        )
        targets = dict(cursor.fetchall())
    count = 0
    for fine in Fine.objects.filter(pk__in=list(targets)).order_by("id"):
        bill = Bill.objects.only("month").get(pk=targets[fine.pk])
        line = BillLine.objects.create(
            bill=bill,
            month=bill.month,
            membership=None,
            program=FINE_PROGRAM,
            side=BillLine.Side.EMPLOYER,
            kind=BillLine.Kind.FINE,
            base=fine.amount_due,
            amount=fine.amount,
        )
        fine.billed_line = line
        fine.save(update_fields=["billed_line"])
        _execute(
            f"INSERT INTO {SUMS} (bill_id, program, kind, lines, amount, moved) "
            "VALUES (%s, %s, %s, 1, %s, 0)",
            [line.bill_id, line.program, line.kind, line.amount],
        )
        count += 1
    return count


def _account_case() -> str:
    whens = " ".join(
        f"WHEN '{program}' THEN '{account.value}'" for program, account in INCOME_ACCOUNT.items()
    )
    return f"CASE WHEN l.kind = 'fine' THEN '{Account.INCOME_FINE.value}' ELSE CASE l.program {whens} END END"


def _post_new_bills(new_bills: tuple[str, list[Any]], today: date, now: datetime) -> None:
    """Journal entries of the new bills, set-based from the chunk's sums: the same postings as
    ``ledger.post_bill``."""
    where, params = new_bills
    ops = connection.ops
    _execute(
        f"""INSERT INTO {T["entry"]} (kind, date, bill_id, memo, created_at)
            SELECT 'bill', %s, b.id, 'Tagihan iuran', %s FROM {T["bill"]} b WHERE {where}""",
        [ops.adapt_datefield_value(today), ops.adapt_datetimefield_value(now), *params],
    )
    entry_join = f"JOIN {T['entry']} je ON je.bill_id = b.id AND je.kind = 'bill'"
    _execute(
        f"""INSERT INTO {T["post"]} (entry_id, account, payer_id, amount)
            SELECT je.id, '{Account.RECEIVABLE.value}', b.payer_id, b.amount
            FROM {T["bill"]} b {entry_join} WHERE {where}""",
        params,
    )
    jkp_case = " ".join(
        f"WHEN '{program}' THEN '{account.value}'" for program, account in JKP_ACCOUNT.items()
    )
    _execute(
        f"""INSERT INTO {T["post"]} (entry_id, account, payer_id, amount)
            WITH g AS (
                SELECT je.id AS entry_id, {_account_case()} AS account, l.program AS program,
                       SUM(l.amount) AS amount, SUM(l.moved) AS moved
                FROM {T["bill"]} b {entry_join}
                JOIN {SUMS} l ON l.bill_id = b.id
                WHERE {where}
                GROUP BY je.id, {_account_case()}, l.program
            )
            SELECT entry_id, account, CAST(NULL AS BIGINT), -SUM(amount - moved) FROM g
            GROUP BY entry_id, account HAVING SUM(amount - moved) <> 0
            UNION ALL
            SELECT entry_id, CASE program {jkp_case} END, CAST(NULL AS BIGINT), -SUM(moved) FROM g
            WHERE moved <> 0 GROUP BY entry_id, program""",
        params,
    )


def _chunk_totals(new_bills: tuple[str, list[Any]]) -> tuple[int, int, int]:
    where, params = new_bills
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT COUNT(*), COALESCE(SUM(b.amount), 0),
                       COALESCE((SELECT SUM(l.lines) FROM {SUMS} l), 0)
                FROM {T["bill"]} b WHERE {where}""",
            params,
        )
        bills, amount, lines = cursor.fetchone()
    return int(bills), int(lines), int(amount)


# --- one-off bills: construction projects and migrant workers ---------------------------------


def _bill_projects(month: date, office_id: int, run_id: int | None) -> int:
    """Each construction project registered by the end of ``month`` and not yet billed: one bill
    to the contractor, from the contract value, for the month of registration. Returns how many."""
    # By the payer's office, like every bill: a chunk's bills are exactly its payers' bills.
    projects = list(
        ConstructionProject.objects.filter(
            contractor__payer_account__office_id=office_id,
            registered_on__lte=last_day_of(month),
            bill__isnull=True,
        )
        .select_related("contractor__payer_account")
        .order_by("id")
    )
    bills, lines = [], []
    # A project billed by a later month's run (registered late, or back-dated) is due with that
    # month's bills, not overdue from the day it is issued.
    run_due = due_date(month, "JAKON", Trace())
    for project in projects:
        reg_month = project.registered_on.replace(day=1)
        amounts = calculate(
            "contribution.jakon",
            {"month": reg_month.strftime("%Y-%m"), "contract_value": project.contract_value},
        )
        payer = project.contractor.payer_account
        bill = Bill(
            payer=payer,
            office_id=payer.office_id,
            kind=Bill.Kind.JAKON,
            month=reg_month,
            segment="JAKON",
            project=project,
            due_date=max(due_date(reg_month, "JAKON", Trace()), run_due),
            amount=amounts["total"],
            run_id=run_id,
        )
        bills.append(bill)
        lines += [
            BillLine(
                bill=bill,
                program=program,
                side=BillLine.Side.CONTRACTOR,
                base=project.contract_value,
                amount=amounts[program],
            )
            for program in ("JKK", "JKM")
        ]
    return _store_one_off(bills, lines)


def _bill_migrant_workers(month: date, office_id: int, run_id: int | None) -> int:
    """Each PMI membership registered by the end of ``month`` and not yet billed: one bill for its
    phases (before placement; during and after placement for the contract's length) and, when it
    has JHT with an amount, the JHT of the whole contract (``jht_monthly`` × contract months)."""
    # Two simple queries rather than one OR across two outer joins, which PostgreSQL plans as a
    # nested loop over every membership × payer account.
    unbilled = (
        Membership.objects.filter(
            segment=Membership.Segment.PMI,
            registered_on__lte=last_day_of(month),
            pmi_bill__isnull=True,
        )
        .select_related("employer__payer_account", "participant__payer_account")
        .order_by("id")
    )
    by_employer = unbilled.filter(
        payer=Membership.Payer.EMPLOYER, employer__payer_account__office_id=office_id
    )
    by_participant = unbilled.exclude(payer=Membership.Payer.EMPLOYER).filter(
        participant__payer_account__office_id=office_id
    )
    bills, lines = [], []
    run_due = due_date(month, "BPU", Trace())  # as for projects
    for membership, payer in [
        *((m, m.employer.payer_account) for m in by_employer if m.employer is not None),
        *((m, m.participant.payer_account) for m in by_participant),
    ]:
        reg_month = membership.registered_on.replace(day=1)
        contract_months = membership.pmi_contract_months or 24
        facts: dict[str, Any] = {
            "month": reg_month.strftime("%Y-%m"),
            "contract_months": contract_months,
        }
        # The optional JHT chosen at registration, for the whole contract (billed once with the
        # package; its income is JHT's, the package's PMI's).
        jht_monthly = membership.pmi_jht_monthly if membership.has_jht else None
        if jht_monthly is not None:
            facts["jht_monthly"] = jht_monthly
        amounts = calculate("contribution.pmi", facts)
        bill = Bill(
            payer=payer,
            office_id=payer.office_id,
            kind=Bill.Kind.PMI,
            month=reg_month,
            segment="PMI",
            pmi_membership=membership,
            due_date=max(due_date(reg_month, "BPU", Trace()), run_due),
            amount=amounts["total"],
            run_id=run_id,
        )
        bills.append(bill)
        parts = [
            ("PMI", contract_months, "before_placement"),
            ("PMI", contract_months, "during_after"),
        ]
        if jht_monthly is not None:
            parts.append(("JHT", jht_monthly, "JHT"))
        lines += [
            BillLine(
                bill=bill,
                membership=membership,
                program=program,
                side=BillLine.Side.PARTICIPANT,
                base=base,
                amount=amounts[part],
            )
            for program, base, part in parts
        ]
    return _store_one_off(bills, lines)


def _store_one_off(bills: list[Bill], lines: list[BillLine]) -> int:
    """Write one-off bills and their lines in bulk (their journal entries are posted with the
    chunk's, set-based). Each is of its registration month: that month's line partition is made
    first when it has none."""
    ensure_line_partitions(bill.month for bill in bills)
    Bill.objects.bulk_create(bills, batch_size=5_000)
    BillLine.objects.bulk_create(lines, batch_size=5_000)  # each line takes its bill's new id
    return len(bills)


# --- the run ---------------------------------------------------------------------------------

GROUPS = ("PU", "BPU_SELF", "BPU_SPONSOR")


def _due_dates(month: date) -> dict[str, date]:
    return {
        "PU": due_date(month, "PU", Trace()),
        "BPU_SELF": due_date(month, "BPU", Trace()),
        "BPU_SPONSOR": due_date(month, "BPU", Trace()),
    }


def _insert_all_bills(month: date, scope: Scope, run_id: int | None) -> int:
    now = timezone.now()
    due = _due_dates(month)
    return sum(_insert_bills(group, month, scope, run_id, due[group], now) for group in GROUPS)


def _complete_bills(
    month: date,
    scope: Scope,
    new_bills: tuple[str, list[Any]],
    today: date,
    kind: str = "monthly",
) -> dict[str, int]:
    """Lines, fines, amounts and journal entries of bills just inserted (of ``kind``: monthly,
    late, or correction, whose lines the caller wrote)."""
    _reset_sums()
    if kind == Bill.Kind.CORRECTION:  # the few lines were written by the caller
        _sums_from_lines(new_bills, month)
    else:
        _insert_pu_lines(month, scope, new_bills, kind)
        _insert_bpu_lines("BPU_SELF", month, scope, new_bills, kind)
        _insert_bpu_lines("BPU_SPONSOR", month, scope, new_bills, kind)
        if connection.vendor != "postgresql":  # there the INSERTs summed their rows
            _sums_from_lines(new_bills, month)
    _analyze_sums()
    dropped = _drop_empty_bills(new_bills)
    fines = _carry_fines(new_bills)
    _update_amounts(new_bills)
    _post_new_bills(new_bills, today, timezone.now())
    return {"dropped": dropped, "fines": fines}


#: How far back a run bills late additions: its own month and the twelve before it (a
#: membership back-dated further is billed from there on only; docs/contributions.md).
LATE_MONTHS = 12


def _membership_mark() -> int:
    return Membership.objects.aggregate(mark=Max("id"))["mark"] or 0


def _bill_late_additions(run: BillingRun, month: date, office: Office, today: date) -> int:
    """Late bills for each month up to ``month`` (``LATE_MONTHS`` back) already billed for
    ``office``: memberships registered or back-dated into a month after it was billed get a
    separate bill of that month for their payer, due with ``month``'s bills. Each office-month in
    its own transaction, under its chunk's row lock; idempotent (a membership with a line of the
    month is never billed for it again). Returns the number of bills made."""
    chunks = list(
        BillingChunk.objects.filter(
            office=office, month__gte=add_months(month, -LATE_MONTHS), month__lte=month
        ).order_by("month")
    )
    if not chunks:
        return 0
    oldest_check = min(c.checked_at or c.finished_at for c in chunks)
    oldest = institution_date(oldest_check) - timedelta(days=1)
    candidates = Membership.objects.filter(
        Q(pk__gt=min(c.membership_mark for c in chunks)) | Q(registered_on__gte=oldest)
    )
    new_members = candidates.exists()
    if new_members:
        # Their payers may have no account yet (ended before ``month``: not active in it).
        _ensure_candidate_payer_accounts(candidates)
    elif not ReportedWage.objects.filter(updated_at__gte=_day_start(oldest)).exists():
        return 0
    due = _due_dates(month)
    scope = Scope.office(office.pk)
    made = 0
    for chunk in chunks:
        with transaction.atomic():
            chunk = BillingChunk.objects.select_for_update().get(pk=chunk.pk)
            mark, now = _membership_mark(), timezone.now()
            inserted = sum(
                _insert_bills(group, chunk.month, scope, run.pk, due[group], now, late=chunk)
                for group in GROUPS
            )
            if inserted:
                new_bills = (
                    "b.run_id = %s AND b.office_id = %s AND b.month = %s AND b.kind = 'late'",
                    [run.pk, office.pk, chunk.month],
                )
                _complete_bills(chunk.month, scope, new_bills, today, kind=Bill.Kind.LATE)
                bills, lines, amount = _chunk_totals(new_bills)
                chunk.bills += bills
                chunk.lines += lines
                chunk.amount += amount
                if bills:
                    late = dict(run.late)
                    key = f"{chunk.month:%Y-%m}"
                    late[key] = {**late.get(key, {}), office.code: bills}
                    run.late = late
                    run.save(update_fields=["late"])
                    audit.record(
                        action="create",
                        obj=chunk,
                        changes={"late_bills": bills, "lines": lines, "amount": amount},
                    )
                _apply_credits(new_bills, today)
                made += bills
            _bill_corrections(run, chunk, office, due["PU"], today)
            chunk.membership_mark = max(chunk.membership_mark, mark)
            chunk.checked_at = now
            chunk.save()
    return made


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), institution_zone())


def _wage_differences(
    month: date, scope: Scope, since: datetime
) -> list[tuple[int, int, str, str, int, int]]:
    """What PU memberships of ``scope`` with a wage changed since ``since`` (in force in ``month``)
    and already billed for ``month`` should have paid for it with today's wages, less what their
    lines of the month (contribution and earlier corrections) billed, per program and side: rows
    of (payer id, membership id, program, side, base, difference), differences ≠ 0 only. The lines
    they should have are the monthly run's (same rate rows, JP cap, variant); the candidates come
    from the wage index on ``updated_at`` and the month's line index by membership."""
    _join, variant = _memberships_sql("PU")
    end = last_day_of(month)
    # Driven from the changed wages (index on updated_at), then each one's membership, employer
    # and payer by primary or unique key: never the office's memberships.
    sql = f"""
        WITH x AS MATERIALIZED (
            SELECT p.id AS payer_id, m.id AS mid, e.risk_group AS risk_group,
                   {variant} AS variant, m.has_jht AS has_jht, m.has_jp AS has_jp,
                   {_WAGE} AS wage
            FROM (SELECT DISTINCT w.membership_id AS mid FROM {T["wage"]} w
                  WHERE w.updated_at >= %s AND w.effective_month <= %s) c
            JOIN {T["mem"]} m ON m.id = c.mid AND m.segment = 'PU'
            JOIN {T["emp"]} e ON e.id = m.employer_id
            JOIN {T["payer"]} p ON p.employer_id = m.employer_id
            WHERE p.kind = 'employer' AND {scope.payer_sql}
              AND {_ACTIVE}
              AND EXISTS (SELECT 1 FROM {T["line"]} ol WHERE ol.membership_id = m.id
                          AND ol.month = %s AND ol.kind = 'contribution')
        ), owed AS (
            SELECT x.payer_id, x.mid, r.program, r.side, {_PU_BASE} AS base,
                   ({_PU_BASE} * r.num + r.den / 2) / r.den AS amount
            FROM x {_PU_RATES}
            WHERE x.wage IS NOT NULL
        ), billed AS (
            SELECT l.membership_id AS mid, l.program, l.side, SUM(l.amount) AS amount
            FROM {T["line"]} l
            WHERE l.month = %s AND l.kind IN ('contribution', 'correction')
              AND l.membership_id IN (SELECT x.mid FROM x)
            GROUP BY l.membership_id, l.program, l.side
        )
        SELECT o.payer_id, o.mid, o.program, o.side, o.base, o.amount - COALESCE(b.amount, 0)
        FROM owed o
        LEFT JOIN billed b ON b.mid = o.mid AND b.program = o.program AND b.side = o.side
        WHERE o.amount <> COALESCE(b.amount, 0)
        ORDER BY o.payer_id, o.mid, o.program, o.side"""
    ops = connection.ops
    params = [
        month,
        ops.adapt_datetimefield_value(since),
        month,
        *scope.payer_params,
        end,
        month,
        month,
        month,
        month,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (int(p), int(m), str(prog), str(side), int(base), int(diff))
            for p, m, prog, side, base, diff in cursor.fetchall()
        ]


def _bill_corrections(
    run: BillingRun, chunk: BillingChunk, office: Office, due: date, today: date
) -> int:
    """Wage corrections (*iuran selisih upah*) of an office-month already billed, inside its
    late-additions transaction (same chunk row lock, before its check time moves on): PU
    memberships whose wage changed since the chunk was last checked (less a day) are billed the
    positive differences with today's wages on one correction bill per payer, due with the run's
    month; lowered wages are only counted (a refund is not built). Idempotent: a second look
    finds the differences already billed. Returns the number of bills made."""
    since = _day_start(institution_date(chunk.checked_at or chunk.finished_at) - timedelta(days=1))
    rows = _wage_differences(chunk.month, Scope.office(office.pk), since)
    if not rows:
        return 0
    raised = {mid for _p, mid, _prog, _side, _base, diff in rows if diff > 0}
    lowered = {mid for _p, mid, _prog, _side, _base, diff in rows if diff < 0}
    bills: dict[int, Bill] = {}
    for payer_id, *_rest, diff in rows:
        if diff > 0 and payer_id not in bills:
            bills[payer_id] = Bill(
                payer_id=payer_id,
                office_id=office.pk,
                kind=Bill.Kind.CORRECTION,
                month=chunk.month,
                segment="PU",
                due_date=due,
                run=run,
            )
    made = lines = amount = 0
    if bills:
        Bill.objects.bulk_create(bills.values())
        BillLine.objects.bulk_create(
            BillLine(
                bill=bills[payer_id],
                month=chunk.month,
                membership_id=mid,
                program=program,
                side=side,
                kind=BillLine.Kind.CORRECTION,
                base=base,
                amount=diff,
            )
            for payer_id, mid, program, side, base, diff in rows
            if diff > 0
        )
        new_bills = (
            "b.run_id = %s AND b.office_id = %s AND b.month = %s AND b.kind = 'correction'",
            [run.pk, office.pk, chunk.month],
        )
        _complete_bills(
            chunk.month, Scope.office(office.pk), new_bills, today, Bill.Kind.CORRECTION
        )
        made, lines, amount = _chunk_totals(new_bills)
        chunk.bills += made
        chunk.lines += lines
        chunk.amount += amount
        _apply_credits(new_bills, today)
    corrections = dict(run.corrections)
    key = f"{chunk.month:%Y-%m}"
    counts = {"raised": len(raised), "lowered": len(lowered), "bills": made}
    corrections[key] = {**corrections.get(key, {}), office.code: counts}
    run.corrections = corrections
    run.save(update_fields=["corrections"])
    audit.record(
        action="create",
        obj=chunk,
        changes={"wage_corrections": counts, "lines": lines, "amount": amount},
    )
    return made


def _apply_credits(new_bills: tuple[str, list[Any]], today: date) -> None:
    """Payers with credit pay their new bills from it (payments.apply_credit)."""
    from jaminan.contributions import payments

    where, params = new_bills
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT p.id FROM {T['bill']} b JOIN {T['payer']} p ON p.id = b.payer_id "
            f"WHERE {where} AND p.credit > 0",
            params,
        )
        payer_ids = [row[0] for row in cursor.fetchall()]
    for payer in PayerAccount.objects.filter(pk__in=payer_ids):
        payments.apply_credit(payer, on=today)


def _holder(actor: Any) -> str:
    name = getattr(actor, "username", None) or os.environ.get("USER") or "jaminan"
    return f"{name}@{socket.gethostname()} pid {os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_is_stale(lock: BillingLock) -> bool:
    if timezone.now() - lock.heartbeat_at > STALE_AFTER:
        return True
    return lock.hostname == socket.gethostname() and not _pid_alive(lock.pid)


def _acquire_lock(run: BillingRun, month: date, reason: str) -> None:
    with transaction.atomic():
        existing = BillingLock.objects.select_for_update().filter(month=month).first()
        if existing is not None:
            if not lock_is_stale(existing):
                raise BillingLocked(
                    f"Penagihan bulan {month:%Y-%m} sedang dijalankan oleh {existing.holder} "
                    f"sejak {timezone.localtime(existing.acquired_at):%Y-%m-%d %H:%M %Z} ({existing.reason}).",
                )
            BillingRun.objects.filter(pk=existing.run_id, status=BillingRun.Status.RUNNING).update(
                status=BillingRun.Status.INTERRUPTED, finished_at=timezone.now()
            )
            existing.delete()
        BillingLock.objects.create(
            month=month,
            run=run,
            holder=run.holder,
            reason=reason,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            heartbeat_at=timezone.now(),
        )


def _heartbeat(month: date) -> None:
    BillingLock.objects.filter(month=month, pid=os.getpid()).update(heartbeat_at=timezone.now())


def _busy_months(month: date) -> list[date]:
    """``month`` and every month whose lock is held by a live run."""
    return [month] + [lock.month for lock in BillingLock.objects.all() if not lock_is_stale(lock)]


def _release_lock(month: date, run: BillingRun) -> None:
    BillingLock.objects.filter(month=month, run=run).delete()


def run_billing(
    *,
    month: date,
    office: Office | None = None,
    actor: Any = None,
    reason: str = "",
    progress: Progress | None = None,
    today: date | None = None,
) -> BillingRun:
    """Bill ``month`` (first day) for every office, or one. Idempotent and resumable."""
    month = month.replace(day=1)
    today = today or institution_today()
    reason = reason or "penagihan bulanan"
    offices = list(
        Office.objects.filter(pk=office.pk) if office else Office.objects.filter(kind="branch")
    )
    offices += [] if office else list(Office.objects.exclude(kind="branch"))
    run = BillingRun.objects.create(
        month=month,
        office=office,
        status=BillingRun.Status.RUNNING,
        holder=_holder(actor),
        reason=reason,
        chunks_total=len(offices),
    )
    audit.record(
        action="create",
        actor=actor,
        obj=run,
        changes={
            "month": month.isoformat(),
            "office": office.code if office else "",
            "reason": reason,
        },
    )
    try:
        _acquire_lock(run, month, reason)
    except BillingLocked as exc:
        run.status = BillingRun.Status.FAILED
        run.error = exc.message
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    try:
        write_month_rates(month)
        # Sponsorship programs past their last month end before anything is billed (a run in
        # advance leaves the current month's programs running until the month is over).
        from jaminan.contributions import sponsors  # sponsors imports this module

        sponsors.end_lapsed_programs(as_of=min(month, institution_today()), actor=actor)
        # What a run killed outright left behind on another month's partition.
        repair_abandoned(busy=_busy_months(month))
        # The month's lines first, their membership index after (see partitions).
        prepare_month(month)
        if _ensure_payer_accounts(month) > 1_000 and connection.vendor == "postgresql":
            # Fresh statistics, or the planner takes the new accounts for an empty table.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {T['payer']}")
        done = set(
            BillingChunk.objects.filter(month=month, office__in=offices).values_list(
                "office_id", flat=True
            )
        )
        for index, chunk_office in enumerate(offices, start=1):
            if chunk_office.pk not in done:
                _run_chunk(run, month, chunk_office, today)
                _refresh_statistics(T["bill"], T["line"], T["entry"], T["post"])
            _bill_late_additions(run, month, chunk_office, today)
            run.chunks_done = index
            run.save(update_fields=["chunks_done"])
            _heartbeat(month)
            if progress is not None:
                progress(index, len(offices), chunk_office.name)
        index_line_members(month)
        totals = BillingChunk.objects.filter(month=month, office__in=offices).aggregate(
            bills=Sum("bills"), lines=Sum("lines"), amount=Sum("amount")
        )
        run.bills = totals["bills"] or 0
        run.lines = totals["lines"] or 0
        run.amount = totals["amount"] or 0
        run.status = BillingRun.Status.COMPLETED
        run.finished_at = timezone.now()
        run.save()
    except BaseException as exc:
        run.status = BillingRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    finally:
        resume_autovacuum(month)
        _release_lock(month, run)
    return run


def _refresh_statistics(*tables: str) -> None:
    """ANALYZE each table that has more than doubled since its statistics were taken. On a fresh
    database the bill table starts empty: planned as empty, each office's "no bill yet" check scans
    every bill made so far (the first month at scale 0.1 spent 40 s there, later months 2 s).
    Once the tables hold months of bills a month's run no longer doubles them, and this is a no-op.
    A partitioned table's partitions are looked at one by one (the month's partition of the line
    table is new at each run)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
            "WHERE c.relkind = 'r' AND s.n_mod_since_analyze > GREATEST(c.reltuples, 1000) "
            "AND (s.relname = ANY(%s) OR s.relid IN (SELECT i.inhrelid FROM pg_inherits i "
            "WHERE i.inhparent IN (SELECT to_regclass(t) FROM unnest(%s::text[]) t)))",
            [list(tables), list(tables)],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


@transaction.atomic
def _run_chunk(run: BillingRun, month: date, office: Office, today: date) -> None:
    new_bills = ("b.run_id = %s AND b.office_id = %s", [run.pk, office.pk])
    scope = Scope.office(office.pk)
    mark, started = _membership_mark(), timezone.now()
    _insert_all_bills(month, scope, run.pk)
    outcome = _complete_bills(month, scope, new_bills, today)
    one_off = _bill_projects(month, office.pk, run.pk) + _bill_migrant_workers(
        month, office.pk, run.pk
    )
    if one_off:
        # Made in this chunk's transaction, so none has a journal entry yet.
        one_off_bills = (f"{new_bills[0]} AND b.kind <> 'monthly'", new_bills[1])
        _sums_from_lines(one_off_bills, None)
        _post_new_bills(one_off_bills, today, timezone.now())
    bills, lines, amount = _chunk_totals(new_bills)
    BillingChunk.objects.create(
        month=month,
        office=office,
        run=run,
        bills=bills,
        lines=lines,
        amount=amount,
        membership_mark=mark,
        checked_at=started,
    )
    skipped = dict(run.skipped)
    if outcome["dropped"]:
        skipped[office.code] = outcome["dropped"]
        run.skipped = skipped
        run.save(update_fields=["skipped"])
    _apply_credits(new_bills, today)


@transaction.atomic
def issue_monthly_bill(
    *, payer: PayerAccount, month: date, today: date | None = None
) -> Bill | None:
    """One payer's monthly bill for ``month`` with the run's amounts (e.g. BPU paid in advance).
    Returns the existing bill when there is one, None when the payer has nothing to bill."""
    month = month.replace(day=1)
    today = today or institution_today()
    existing = Bill.objects.filter(payer=payer, month=month, kind=Bill.Kind.MONTHLY).first()
    if existing is not None:
        return existing
    if not MonthRate.objects.filter(month=month).exists():
        write_month_rates(month)
    ensure_line_partitions([month])
    scope = Scope.payer(payer.pk)
    _insert_all_bills(month, scope, None)
    created = list(
        Bill.objects.filter(payer=payer, month=month, kind=Bill.Kind.MONTHLY).values_list(
            "pk", flat=True
        )
    )
    if not created:
        return None
    marks = ", ".join(["%s"] * len(created))
    _complete_bills(month, scope, (f"b.id IN ({marks})", created), today)
    bill = Bill.objects.filter(pk__in=created).order_by("segment").first()
    if bill is not None:
        audit.record(action="create", obj=bill, changes={"amount": bill.amount})
    return bill


def billing_totals(month: date) -> dict[str, int]:
    """Control totals of a month's bills (all kinds billed for that month)."""
    month = month.replace(day=1)
    bills = Bill.objects.filter(month=month)
    totals = bills.aggregate(n=Sum("amount"))
    return {
        "bills": bills.count(),
        # By the line's own month (its bill's, checked by the ledger): one partition is read.
        "lines": BillLine.objects.filter(month=month).count(),
        "amount": totals["n"] or 0,
    }


def months_between(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months
