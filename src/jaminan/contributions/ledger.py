"""The double-entry ledger in whole rupiah.

Entries, by construction balanced (postings sum to zero; debit positive, credit negative):

- a bill: debit the payer's receivable with the bill's amount; credit the income of each program
  with its lines (contributions net of discounts), the JKP allocation of PP 37/2021 Pasal 11 and
  PP 6/2025 moved from JKK (and JKM before 7 Feb 2025) to JKP, fines to fine income;
- a payment: debit cash, credit the payer's credit (money received, not yet applied);
- an allocation: debit the payer's credit, credit the payer's receivable.

So a payer's receivable equals its open bills' outstanding amounts, and its credit account equals
the unapplied money (``PayerAccount.credit``): ``jaminan ledger check`` verifies both, that each
program's income equals its billed lines, and that the rows the entries are made from agree with
each other (a bill's status with its amounts, its paid amount with its allocations, a payment
with its allocations, a fine with its billed line): see ``check``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from jaminan.contributions.models import (
    INCOME_ACCOUNT,
    JKP_ACCOUNT,
    Account,
    Allocation,
    Bill,
    BillLine,
    Fine,
    JournalEntry,
    PayerAccount,
    Payment,
    Posting,
)
from jaminan.geo.zones import institution_date, institution_today
from jaminan.registry.models import Membership
from jaminan.rules import parameters

#: Programs whose JKK/JKM line moves a share of the wage to JKP income (PU memberships only).
JKP_SOURCES = {"JKK": "pu.jkp_allocation.from_jkk", "JKM": "pu.jkp_allocation.from_jkm"}


def jkp_allocation_rate(program: str, month: date) -> Decimal:
    """Share of the wage moved from ``program`` income to JKP income for a contribution month."""
    name = JKP_SOURCES.get(program)
    if name is None:
        return Decimal(0)
    found = parameters.find(name, month)
    return Decimal(found.value) if found is not None else Decimal(0)


def fraction(rate: Decimal) -> tuple[int, int]:
    """``rate`` as an exact integer fraction ``(num, den)`` with ``den`` a power of ten ≥ 10."""
    exponent = rate.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    k = max(1, -exponent)
    den = 10**k
    num = int(rate * den)
    assert Decimal(num) / den == rate, rate
    return num, den


def half_up_div(value: int, num: int, den: int) -> int:
    """half up of ``value × num / den`` for value ≥ 0 (the SQL path computes the same)."""
    return (value * num + den // 2) // den


def post_bill(bill: Bill) -> JournalEntry:
    """The bill's journal entry from its lines (used for bills issued one at a time; the billing
    run posts whole offices in set-based SQL with the same result)."""
    credits: dict[str, int] = defaultdict(int)
    for line in bill.lines.select_related("membership").all():
        if line.kind == BillLine.Kind.FINE:
            credits[Account.INCOME_FINE] += line.amount
            continue
        credits[INCOME_ACCOUNT[line.program]] += line.amount
        if (
            line.kind == BillLine.Kind.CONTRIBUTION
            and line.membership is not None
            and line.membership.segment == "PU"
        ):
            num, den = fraction(jkp_allocation_rate(line.program, bill.month))
            # Never more than the line itself (PP 7/2025 halves JKK of labour-intensive employers).
            moved = min(half_up_div(line.base, num, den), line.amount) if num else 0
            if moved:
                credits[INCOME_ACCOUNT[line.program]] -= moved
                credits[JKP_ACCOUNT[line.program]] += moved
    entry = JournalEntry.objects.create(
        kind=JournalEntry.Kind.BILL,
        date=institution_date(bill.issued_at) if bill.issued_at else institution_today(),
        bill=bill,
        memo=f"Tagihan {bill.number}",
    )
    postings = [
        Posting(entry=entry, account=Account.RECEIVABLE, payer=bill.payer, amount=bill.amount)
    ]
    postings += [
        Posting(entry=entry, account=account, amount=-amount)
        for account, amount in sorted(credits.items())
        if amount
    ]
    Posting.objects.bulk_create(postings)
    return entry


def post_payment(payment: Payment) -> JournalEntry:
    entry = JournalEntry.objects.create(
        kind=JournalEntry.Kind.PAYMENT,
        date=payment.paid_on,
        payment=payment,
        memo=f"Pembayaran {payment.reference}",
    )
    Posting.objects.bulk_create(
        [
            Posting(entry=entry, account=Account.CASH, amount=payment.amount),
            Posting(
                entry=entry,
                account=Account.PAYER_CREDIT,
                payer_id=payment.payer_id,
                amount=-payment.amount,
            ),
        ]
    )
    return entry


def post_allocation(allocation: Allocation) -> JournalEntry:
    entry = JournalEntry.objects.create(
        kind=JournalEntry.Kind.ALLOCATION,
        date=allocation.allocated_on,
        payment_id=allocation.payment_id,
        bill_id=allocation.bill_id,
        allocation=allocation,
        memo=f"Alokasi ke tagihan {allocation.bill_id}",
    )
    payer_id = allocation.bill.payer_id
    Posting.objects.bulk_create(
        [
            Posting(
                entry=entry,
                account=Account.PAYER_CREDIT,
                payer_id=payer_id,
                amount=allocation.amount,
            ),
            Posting(
                entry=entry,
                account=Account.RECEIVABLE,
                payer_id=payer_id,
                amount=-allocation.amount,
            ),
        ]
    )
    return entry


@dataclass
class CheckResult:
    breaches: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.breaches


def _first(limit: int, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The first ``limit`` rows of ``sql`` (the breaches of one kind: a tampered copy may hold
    millions, and one screen of them says what is wrong). Fetched, not ``LIMIT``ed: a ``LIMIT``
    lets PostgreSQL plan for the first rows (index probe per line instead of a hash join), which
    is what a clean ledger, with no row to find, pays for in full."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchmany(limit))


def check(*, limit: int = 20) -> CheckResult:
    """Every ledger invariant, in set-based SQL (one query per invariant, never a loop over
    rows); each breach is described, at most ``limit`` per kind."""
    result = CheckResult()
    e, p, b, line, payer, pay, alloc, fine = (
        JournalEntry._meta.db_table,
        Posting._meta.db_table,
        Bill._meta.db_table,
        BillLine._meta.db_table,
        PayerAccount._meta.db_table,
        Payment._meta.db_table,
        Allocation._meta.db_table,
        Fine._meta.db_table,
    )
    with transaction.atomic():
        # 1. Every entry balances.
        unbalanced = _first(
            limit,
            f"SELECT entry_id, SUM(amount) FROM {p} GROUP BY entry_id HAVING SUM(amount) <> 0",
        )
        for entry_id, total in unbalanced:
            result.breaches.append(f"entry {entry_id} does not balance: {total}")
        result.checked["entries"] = JournalEntry.objects.count()
        # 2. Every bill is posted once, for its amount, and equals the sum of its lines.
        bad_bills = _first(
            limit,
            f"""SELECT b.id, b.amount, COALESCE(l.total, 0), COALESCE(r.total, 0)
                FROM {b} b
                LEFT JOIN (SELECT bill_id, SUM(amount) AS total FROM {line} GROUP BY bill_id) l
                  ON l.bill_id = b.id
                LEFT JOIN (SELECT je.bill_id, SUM(po.amount) AS total FROM {e} je
                           JOIN {p} po ON po.entry_id = je.id
                           WHERE je.kind = 'bill' AND po.account = %s GROUP BY je.bill_id) r
                  ON r.bill_id = b.id
                WHERE b.amount <> COALESCE(l.total, 0) OR b.amount <> COALESCE(r.total, 0)""",
            [Account.RECEIVABLE.value],
        )
        for bill_id, amount, lines, posted in bad_bills:
            result.breaches.append(
                f"bill {bill_id}: amount {amount}, lines {lines}, posted receivable {posted}"
            )
        # 2b. Every line belongs to an existing bill and (when it names one) membership: the
        #     lines table has no database-level foreign keys (see BillLine).
        #     A line's month is its bill's (the line table's partition key).
        orphans = _first(
            limit,
            f"""SELECT l.id, l.bill_id, l.membership_id, l.month, ob.month FROM {line} l
                LEFT JOIN {b} ob ON ob.id = l.bill_id
                LEFT JOIN {Membership._meta.db_table} om ON om.id = l.membership_id
                WHERE ob.id IS NULL OR (l.membership_id IS NOT NULL AND om.id IS NULL)
                   OR l.month <> ob.month""",
        )
        for line_id, bill_id, membership_id, line_month, bill_month in orphans:
            if bill_month is not None and line_month != bill_month:
                result.breaches.append(
                    f"line {line_id}: month {line_month} is not its bill {bill_id}'s {bill_month}"
                )
                continue
            result.breaches.append(
                f"line {line_id}: bill {bill_id} or membership {membership_id} does not exist"
            )
        # 2c. Every billed fine's line exists (no database-level key: see Fine.billed_line) and is
        #     a fine line of the fine's amount (the billing run copies it: billing._carry_fines).
        bad_fines = _first(
            limit,
            f"""SELECT f.id, f.amount, f.billed_line_id, l.id, l.kind, l.amount FROM {fine} f
                LEFT JOIN {line} l ON l.id = f.billed_line_id
                WHERE f.billed_line_id IS NOT NULL
                  AND (l.id IS NULL OR l.kind <> 'fine' OR l.amount <> f.amount)""",
        )
        for fine_id, amount, line_id, found, kind, line_amount in bad_fines:
            if found is None:
                result.breaches.append(f"fine {fine_id}: billed line {line_id} does not exist")
            elif kind != BillLine.Kind.FINE:
                result.breaches.append(f"fine {fine_id}: billed line {line_id} is a {kind} line")
            else:
                result.breaches.append(
                    f"fine {fine_id}: amount {amount}, billed line {line_id} {line_amount}"
                )
        # 3. Each bill's paid amount equals its allocations.
        bad_paid = _first(
            limit,
            f"""SELECT b.id, b.paid_amount, COALESCE(a.total, 0) FROM {b} b
                LEFT JOIN (SELECT bill_id, SUM(amount) AS total FROM {alloc}
                           WHERE reversal_id IS NULL GROUP BY bill_id) a ON a.bill_id = b.id
                WHERE b.paid_amount <> COALESCE(a.total, 0)""",
        )
        for bill_id, paid, allocated in bad_paid:
            result.breaches.append(f"bill {bill_id}: paid {paid}, allocations {allocated}")
        # 3b. Each bill's status follows its amounts as payments._allocate sets it: paid when its
        #     whole amount (> 0) is paid, partly paid when some of it is, open when none is (a bill
        #     of Rp0 stays open); it has a paid-on date exactly when it is paid.
        bad_status = _first(
            limit,
            f"""SELECT id, status, amount, paid_amount, paid_on, expected FROM (
                    SELECT id, status, amount, paid_amount, paid_on,
                           CASE WHEN amount > 0 AND paid_amount = amount THEN 'paid'
                                WHEN paid_amount > 0 THEN 'partly_paid' ELSE 'open' END AS expected
                    FROM {b}) s
                WHERE status <> expected OR (status = 'paid' AND paid_on IS NULL)
                   OR (status <> 'paid' AND paid_on IS NOT NULL)""",
        )
        for bill_id, status, amount, paid, paid_on, expected in bad_status:
            if status != expected:
                result.breaches.append(
                    f"bill {bill_id}: status {status}, but paid {paid} of {amount} is {expected}"
                )
            else:
                result.breaches.append(f"bill {bill_id}: status {status}, paid on {paid_on}")
        # 3c. No payment is allocated beyond its amount (what is left of it is the payer's
        #     credit, spent oldest payment first: payments._sources).
        over_allocated = _first(
            limit,
            f"""SELECT pm.id, pm.amount, a.total FROM {pay} pm
                JOIN (SELECT payment_id, SUM(amount) AS total FROM {alloc}
                      WHERE reversal_id IS NULL GROUP BY payment_id) a ON a.payment_id = pm.id
                WHERE a.total > pm.amount""",
        )
        for payment_id, amount, allocated in over_allocated:
            result.breaches.append(
                f"payment {payment_id}: amount {amount}, allocations {allocated}"
            )
        result.checked["allocations"] = Allocation.objects.count()
        # 4. Each payer's receivable equals its open bills; its credit account equals its credit.
        bad_payers = _first(
            limit,
            f"""SELECT pa.id, pa.virtual_account, COALESCE(o.total, 0), COALESCE(r.total, 0),
                       pa.credit, COALESCE(c.total, 0)
                FROM {payer} pa
                LEFT JOIN (SELECT payer_id, SUM(amount - paid_amount) AS total FROM {b}
                           GROUP BY payer_id) o ON o.payer_id = pa.id
                LEFT JOIN (SELECT payer_id, SUM(amount) AS total FROM {p} WHERE account = %s
                           GROUP BY payer_id) r ON r.payer_id = pa.id
                LEFT JOIN (SELECT payer_id, -SUM(amount) AS total FROM {p} WHERE account = %s
                           GROUP BY payer_id) c ON c.payer_id = pa.id
                WHERE COALESCE(o.total, 0) <> COALESCE(r.total, 0)
                   OR pa.credit <> COALESCE(c.total, 0)""",
            [Account.RECEIVABLE.value, Account.PAYER_CREDIT.value],
        )
        for _id, va, open_total, receivable, credit, credit_posted in bad_payers:
            result.breaches.append(
                f"payer {va}: open bills {open_total} but receivable {receivable}; "
                f"credit {credit} but credit account {credit_posted}"
            )
        # 4b. Each payer's credit is what its own payments left unallocated (the money of a
        #     payment is allocated only to its payer's bills: payments._allocate).
        bad_credit = _first(
            limit,
            f"""SELECT pa.virtual_account, pa.credit,
                       COALESCE(pm.total, 0) - COALESCE(a.total, 0)
                FROM {payer} pa
                LEFT JOIN (SELECT payer_id, SUM(amount) AS total FROM {pay}
                           WHERE reversed_at IS NULL GROUP BY payer_id) pm ON pm.payer_id = pa.id
                LEFT JOIN (SELECT ap.payer_id, SUM(al.amount) AS total FROM {alloc} al
                           JOIN {pay} ap ON ap.id = al.payment_id
                           WHERE al.reversal_id IS NULL AND ap.reversed_at IS NULL
                           GROUP BY ap.payer_id) a ON a.payer_id = pa.id
                WHERE pa.credit <> COALESCE(pm.total, 0) - COALESCE(a.total, 0)""",
        )
        for va, credit, unallocated in bad_credit:
            result.breaches.append(
                f"payer {va}: credit {credit}, payments less their allocations {unallocated}"
            )
        result.checked["payers"] = PayerAccount.objects.count()
        # 5. Income per program equals the billed lines (JKP allocation moves income between
        #    programs, so the sum of contribution income equals the sum of non-fine lines).
        income = dict(
            Posting.objects.filter(entry__kind=JournalEntry.Kind.BILL)
            .exclude(account=Account.RECEIVABLE)
            .values_list("account")
            .annotate(total=Sum("amount"))
        )
        lines_by_program = dict(
            BillLine.objects.exclude(kind=BillLine.Kind.FINE)
            .values_list("program")
            .annotate(total=Sum("amount"))
        )
        fine_lines = BillLine.objects.filter(kind=BillLine.Kind.FINE).aggregate(
            n=Count("id"), t=Sum("amount")
        )
        fines = fine_lines["t"] or 0
        contribution_income = -sum(
            v for k, v in income.items() if k not in (Account.INCOME_FINE.value,)
        )
        if contribution_income != sum(lines_by_program.values()):
            result.breaches.append(
                f"contribution income {contribution_income} <> billed lines "
                f"{sum(lines_by_program.values())}"
            )
        if -income.get(Account.INCOME_FINE.value, 0) != fines:
            result.breaches.append(
                f"fine income {-income.get(Account.INCOME_FINE.value, 0)} <> fine lines {fines}"
            )
        for program, billed in lines_by_program.items():
            posted = -income.get(INCOME_ACCOUNT[program].value, 0)
            jkp = JKP_ACCOUNT.get(program)
            moved = -income.get(jkp.value, 0) if jkp is not None else 0
            if posted + moved != billed:
                result.breaches.append(
                    f"income {program}: posted {posted} + moved to JKP {moved} <> billed {billed}"
                )
        # 5b. Every fine line is a fine's billed line: with 2c (each billed fine's line is a
        #     fine line of its amount) the fine lines and the billed fines are the same.
        billed_fines = Fine.objects.filter(billed_line__isnull=False).aggregate(
            n=Count("id"), t=Sum("amount")
        )
        if (fine_lines["n"], fines) != (billed_fines["n"], billed_fines["t"] or 0):
            result.breaches.append(
                f"fine lines {fine_lines['n']} of {fines} <> billed fines "
                f"{billed_fines['n']} of {billed_fines['t'] or 0}"
            )
        # 6. Cash equals payments (a reversed payment's cash went out again).
        cash = Posting.objects.filter(account=Account.CASH).aggregate(t=Sum("amount"))["t"] or 0
        paid = Payment.objects.filter(reversed_at__isnull=True).aggregate(t=Sum("amount"))["t"] or 0
        if cash != paid:
            result.breaches.append(f"cash {cash} <> payments {paid}")
        # 7. Reversals (payments.reverse_payment): a reversed payment has no live allocation; each
        #    payment's entries (its own, its allocations', its reversals') post to cash its amount
        #    while live and nothing once reversed, and take off receivables exactly its live
        #    allocations (an undone allocation is mirrored by its reversal entry).
        bad_reversals = _first(
            limit,
            f"""SELECT pm.id, pm.reference, pm.reversed_at IS NOT NULL, pm.amount,
                       COALESCE(a.total, 0), COALESCE(a.n, 0), COALESCE(j.cash, 0),
                       COALESCE(j.receivable, 0)
                FROM {pay} pm
                LEFT JOIN (SELECT payment_id, SUM(amount) AS total, COUNT(*) AS n FROM {alloc}
                           WHERE reversal_id IS NULL GROUP BY payment_id) a
                  ON a.payment_id = pm.id
                LEFT JOIN (SELECT je.payment_id,
                                  SUM(CASE WHEN po.account = %s THEN po.amount ELSE 0 END)
                                    AS cash,
                                  SUM(CASE WHEN po.account = %s THEN po.amount ELSE 0 END)
                                    AS receivable
                           FROM {e} je JOIN {p} po ON po.entry_id = je.id
                           WHERE je.payment_id IS NOT NULL GROUP BY je.payment_id) j
                  ON j.payment_id = pm.id
                WHERE (pm.reversed_at IS NOT NULL AND COALESCE(a.n, 0) > 0)
                   OR COALESCE(j.cash, 0) <>
                      CASE WHEN pm.reversed_at IS NULL THEN pm.amount ELSE 0 END
                   OR COALESCE(j.receivable, 0) <> -COALESCE(a.total, 0)
                ORDER BY pm.id""",
            [Account.CASH.value, Account.RECEIVABLE.value],
        )
        for _pid, ref, is_reversed, amount, live, n, cash_posted, receivable in bad_reversals:
            if is_reversed and n:
                result.breaches.append(
                    f"payment {ref}: reversed but {n} live allocations of {live}"
                )
            else:
                result.breaches.append(
                    f"payment {ref}: amount {amount}, reversed {bool(is_reversed)}, cash posted "
                    f"{cash_posted}; live allocations {live}, receivable posted {receivable}"
                )
        result.checked["bills"] = Bill.objects.count()
        result.checked["payments"] = Payment.objects.count()
    return result
