"""Reads of the contribution record that other parts (claims, coverage) rely on.

A membership's month is *paid* when the bill carrying its contribution lines for that month is
fully paid; it is *in arrears* on a date when that bill was due before the date and was not fully
paid by then.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class MembershipArrears:
    """A membership's arrears status on a date, with the payer of its latest bill."""

    membership_id: int
    months: int
    payer_id: int | None
    virtual_account: str

    @property
    def over_three_months(self) -> bool:
        return self.months > ARREARS_CONSEQUENCE_MONTHS


def arrears_of_memberships(
    membership_ids: list[int], *, as_of: date
) -> dict[int, MembershipArrears]:
    """:func:`arrears_months` for a few memberships at once (one query): the consecutive months in
    arrears on ``as_of`` of each, and who its latest bill is addressed to. Not scoped: the caller
    passes memberships the user may already see (a person's, on their page)."""
    rows = (
        BillLine.objects.filter(membership_id__in=membership_ids, kind=BillLine.Kind.CONTRIBUTION)
        .values_list(
            "membership_id",
            "bill_id",
            "bill__due_date",
            "bill__status",
            "bill__paid_on",
            "bill__payer_id",
            "bill__payer__virtual_account",
        )
        .order_by("membership_id", "-bill__month", "-bill_id")
        .distinct()
    )
    found: dict[int, MembershipArrears] = {}
    counting: set[int] = set(membership_ids)
    seen_bills: set[tuple[int, int]] = set()
    for membership_id, bill_id, due_date, status, paid_on, payer_id, va in rows:
        if membership_id not in found:
            found[membership_id] = MembershipArrears(membership_id, 0, payer_id, va)
        if membership_id not in counting or (membership_id, bill_id) in seen_bills:
            continue
        seen_bills.add((membership_id, bill_id))
        if due_date >= as_of:
            continue  # not due yet
        if status == Bill.Status.PAID and (paid_on is None or paid_on <= as_of):
            counting.discard(membership_id)  # the run of unpaid months ends here
            continue
        current = found[membership_id]
        found[membership_id] = MembershipArrears(
            membership_id, current.months + 1, current.payer_id, current.virtual_account
        )
    for membership_id in membership_ids:
        found.setdefault(membership_id, MembershipArrears(membership_id, 0, None, ""))
    return found


def open_bills(payer_id: int) -> list[Bill]:
    """A payer's bills not fully paid, oldest first (the allocation order)."""
    return list(
        Bill.objects.filter(payer_id=payer_id)
        .filter(~Q(status=Bill.Status.PAID))
        .order_by("month", "due_date", "id")
    )
