"""Demo activity on a generated population: a few months billed and mostly paid, so that every
screen (bills, payments, arrears, fines, JHT balances, coverage) has something to show.

Deterministic and idempotent: payment references are derived from the bills (``DEMO-<bill id>``),
the billing run skips what is billed, and a payment already recorded is not recorded again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from jaminan.contributions import billing, payments
from jaminan.contributions.models import Bill, Payment
from jaminan.rules.core import add_months

#: Of the bills of each month: paid on time, paid about a month late, left unpaid.
ON_TIME, LATE = 0.86, 0.07


@dataclass
class ActivityResult:
    months: list[str] = field(default_factory=list)
    bills: int = 0
    payments: int = 0
    unpaid: int = 0


def run_activity(
    *, today: date, months: int = 4, seed: int = 7, progress: Callable[[str], None] | None = None
) -> ActivityResult:
    """Bill the ``months`` months up to ``today``'s and pay their bills (most on time)."""
    result = ActivityResult()
    first = add_months(today.replace(day=1), -(months - 1))
    for month in billing.months_between(first, today.replace(day=1)):
        run = billing.run_billing(month=month, reason="demo", today=month)
        result.months.append(f"{month:%Y-%m}")
        result.bills += run.bills
        if progress is not None:
            progress(f"{month:%Y-%m}: {run.bills} tagihan")
        rng = random.Random(f"{seed}-{month:%Y%m}")
        for bill in Bill.objects.filter(month=month).select_related("payer").order_by("id"):
            draw = rng.random()
            if draw < ON_TIME:
                paid_on = bill.due_date - timedelta(days=rng.randint(0, 10))
            elif draw < ON_TIME + LATE:
                paid_on = bill.due_date + timedelta(days=rng.randint(20, 45))
            else:
                result.unpaid += 1
                continue
            reference = f"DEMO-{bill.pk}"
            if paid_on > today or Payment.objects.filter(reference=reference).exists():
                continue
            bill.refresh_from_db(fields=["amount", "paid_amount"])
            amount = bill.amount - bill.paid_amount
            if amount <= 0:
                continue
            payments.record_payment(
                payer=bill.payer,
                reference=reference,
                amount=amount,
                paid_on=max(paid_on, month),
                channel=Payment.Channel.BANK_FILE,
                source="demo",
            )
            result.payments += 1
    return result
