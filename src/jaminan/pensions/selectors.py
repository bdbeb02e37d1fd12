"""Reads of pensions: the JP contribution record of a participant (paid months, wage bases), the
average indexed wage, pensions and payments in a user's scope, roll totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from jaminan.accounts.scoping import scope_queryset
from jaminan.contributions.models import Bill, BillLine
from jaminan.pensions.errors import NotFound
from jaminan.pensions.models import InflationRate, Pension, PensionPayment, PensionRun
from jaminan.registry.models import Membership, Participant
from jaminan.rules.core import half_up

User = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class JpRecord:
    """A participant's JP contribution record up to a date."""

    months: list[date]  # paid contribution months, oldest first (masa iur)
    wage_bases: dict[date, int]  # JP wage base (capped wage) per paid month
    contributions: int  # employer + worker JP contributions of the paid months
    first_start: date | None  # start of the first JP membership
    enrolled_months: int  # calendar months from the first JP membership to the event


def inflation_rates() -> dict[int, Decimal]:
    return {y: Decimal(p) for y, p in InflationRate.objects.values_list("year", "percent")}


def jp_record(participant: Participant, *, on: date) -> JpRecord:
    """Paid JP months of ``participant`` (bills fully paid on or before ``on``, months up to ``on``),
    each with its wage base (the largest base of its JP lines: the capped wage), and the JP money
    paid for them."""
    rows = (
        BillLine.objects.filter(
            membership__participant=participant,
            program="JP",
            kind=BillLine.Kind.CONTRIBUTION,
            bill__status=Bill.Status.PAID,
            bill__paid_on__lte=on,
            bill__month__lte=on,
        )
        .values_list("bill__month", "base", "amount")
        .order_by()
    )
    bases: dict[date, int] = defaultdict(int)
    total = 0
    for month, base, amount in rows:
        bases[month] = max(bases[month], int(base))
        total += int(amount)
    first = (
        Membership.objects.filter(participant=participant, has_jp=True)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    enrolled = 0
    if first is not None and first <= on:
        enrolled = (on.year - first.year) * 12 + (on.month - first.month) + 1
    return JpRecord(
        months=sorted(bases),
        wage_bases=dict(sorted(bases.items())),
        contributions=total,
        first_start=first,
        enrolled_months=enrolled,
    )


@dataclass(frozen=True)
class IndexedWage:
    average: int
    missing_years: list[int] = field(default_factory=list)
    factors: dict[int, str] = field(default_factory=dict)


def average_indexed_wage(
    wage_bases: dict[date, int], *, event_year: int, rates: dict[int, Decimal]
) -> IndexedWage:
    """Average monthly wage over the paid months, each brought forward to the event year with the
    general inflation (PP 45/2015 Pasal 17(2)-(3)): a wage of year k is multiplied by
    Π (1 + inflation of year j) for j = k … event_year − 1. A year without a recorded inflation
    counts as 0% and is listed in ``missing_years`` (an administrator adds it)."""
    if not wage_bases:
        return IndexedWage(average=0)
    missing: set[int] = set()
    factors: dict[int, Decimal] = {}
    for year in sorted({m.year for m in wage_bases}):
        factor = Decimal(1)
        for j in range(year, event_year):
            if j in rates:
                factor *= 1 + rates[j] / 100
            else:
                missing.add(j)
        factors[year] = factor
    total = sum((Decimal(w) * factors[m.year] for m, w in wage_bases.items()), Decimal(0))
    return IndexedWage(
        average=half_up(total / len(wage_bases)),
        missing_years=sorted(missing),
        factors={y: str(f) for y, f in factors.items()},
    )


# ------------------------------------------------------------------------------------ scoped reads


def pensions_in_scope(user: User) -> QuerySet[Pension]:
    return scope_queryset(
        user, Pension.objects.select_related("participant", "office").order_by("-start_month", "id")
    )


def pension_in_scope(*, user: User, pension_id: int) -> Pension:
    pension = pensions_in_scope(user).filter(pk=pension_id).first()
    if pension is None:
        raise NotFound(_("Pensiun tidak ditemukan."), field="pension_id")
    return pension


def payments_of(pension: Pension) -> list[PensionPayment]:
    return list(pension.payments.order_by("-month"))


def runs(user: User) -> QuerySet[PensionRun]:
    return scope_queryset(user, PensionRun.objects.all())


def month_totals(month: date) -> dict[str, Any]:
    """Payments of ``month`` (whatever run wrote them): count and amount, regular and arrears."""
    totals = PensionPayment.objects.filter(month=month).aggregate(
        n=Count("id"), amount=Sum("amount")
    )
    paid_in = PensionPayment.objects.filter(run__month=month).aggregate(
        n=Count("id"), amount=Sum("amount")
    )
    return {
        "month_payments": int(totals["n"] or 0),
        "month_amount": int(totals["amount"] or 0),
        "paid_in_month_runs": int(paid_in["n"] or 0),
        "paid_in_month_runs_amount": int(paid_in["amount"] or 0),
    }


def status_counts(user: User) -> dict[str, int]:
    rows = pensions_in_scope(user).order_by().values_list("status").annotate(n=Count("id"))
    return {status: int(n) for status, n in rows}
