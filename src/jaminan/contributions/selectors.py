"""Reads of the contribution record that other parts (claims, coverage) rely on.

A membership's month is *paid* when the bill carrying its contribution lines for that month is
fully paid; it is *in arrears* on a date when that bill was due before the date and was not fully
paid by then.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from jaminan.contributions.models import Bill, BillLine
from jaminan.registry.models import Membership

#: "More than three consecutive months" (PP 44/2015 Pasal 38(2), 41(2); PP 37/2021 Pasal 39(3)).
ARREARS_CONSEQUENCE_MONTHS = 3


def _month_bills(membership: Membership) -> list[Bill]:
    """The bills carrying the membership's contributions, one per month, newest first."""
    bill_ids = (
        BillLine.objects.filter(membership=membership, kind=BillLine.Kind.CONTRIBUTION)
        .values("bill_id")
        .distinct()
    )
    return list(Bill.objects.filter(pk__in=bill_ids).order_by("-month", "-id"))


def paid_months(membership: Membership, *, as_of: date | None = None) -> list[date]:
    """Contribution months (first days) of ``membership`` fully paid (by ``as_of`` when given),
    oldest first."""
    months = {
        bill.month
        for bill in _month_bills(membership)
        if bill.status == Bill.Status.PAID
        and (as_of is None or (bill.paid_on is not None and bill.paid_on <= as_of))
    }
    return sorted(months)


def paid_months_of_participant(participant_id: int, *, as_of: date | None = None) -> list[date]:
    """Paid contribution months over all of a participant's memberships (for JKP eligibility)."""
    bill_ids = BillLine.objects.filter(
        membership__participant_id=participant_id, kind=BillLine.Kind.CONTRIBUTION
    ).values("bill_id")
    bills = Bill.objects.filter(pk__in=bill_ids, status=Bill.Status.PAID)
    if as_of is not None:
        bills = bills.filter(paid_on__lte=as_of)
    return sorted(set(bills.values_list("month", flat=True)))


def arrears_months(membership: Membership, *, as_of: date) -> int:
    """Consecutive months, counted back from the latest month due before ``as_of``, whose bill
    for this membership was not fully paid on ``as_of``."""
    count = 0
    for bill in _month_bills(membership):
        if bill.due_date >= as_of:
            continue  # not due yet
        paid_by_then = bill.status == Bill.Status.PAID and (
            bill.paid_on is None or bill.paid_on <= as_of
        )
        if paid_by_then:
            break
        count += 1
    return count


def in_arrears_over_three_months(membership: Membership, *, as_of: date) -> bool:
    """The status claims use: JKK of a PU worker is paid by the employer first; a BPU participant
    loses the JKK and JKM rights."""
    return arrears_months(membership, as_of=as_of) > ARREARS_CONSEQUENCE_MONTHS


def open_bills(payer_id: int) -> list[Bill]:
    """A payer's bills not fully paid, oldest first (the allocation order)."""
    return list(
        Bill.objects.filter(payer_id=payer_id)
        .filter(~Q(status=Bill.Status.PAID))
        .order_by("month", "due_date", "id")
    )
