"""Arrears: aging per office and the "more than three consecutive months" lists, as of a date.

*Outstanding on a date*: a bill counts when it was due before the date and was not fully paid on
it (not paid, or paid after the date); its outstanding amount is the bill amount minus the
allocations made on or before the date (so a past date shows the arrears as they stood then).

*Months overdue* (the aging): months since the due date, rounded up — the smallest ``k ≥ 1`` with
``as_of ≤ due_date + k months`` (calendar months, day clamped to the month's end), the count the
fines use (``jaminan.rules.calculations.fine.months_late``). A bill due 15 June is 1 month overdue
from 16 June to 15 July, 2 from 16 July to 15 August, and so on. Buckets: ``0–1`` (up to one
month), ``2–3`` (two or three), ``>3`` (four or more).

*Consecutive months in arrears* follows ``selectors.arrears_months`` set-based: per membership,
its contribution bills due before the date, counted back from the latest one until the first
bill paid by then. Per payer, the same over the payer's monthly and late bills. A membership is listed
when the count exceeds ``selectors.ARREARS_CONSEQUENCE_MONTHS`` (3): the status claims use.
(Two bills of one membership in the same month are treated as one month.)

The aging figures are amounts and counts per office, not personal data: a regional analyst sees
them for every office; everyone else sees the bills their scope reaches. The lists are personal
data: scoped, and audited by the pages and endpoints that show them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum

from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.contributions.models import Allocation, Bill, BillLine, PayerAccount
from jaminan.contributions.selectors import ARREARS_CONSEQUENCE_MONTHS
from jaminan.geo.models import Office
from jaminan.registry.models import Membership
from jaminan.rules.calculations.fine import months_late

User = AbstractBaseUser | AnonymousUser | None

BUCKETS = ("0-1", "2-3", ">3")
BUCKET_LABELS = {"0-1": "0–1", "2-3": "2–3", ">3": ">3"}


def bucket_of(months_overdue: int) -> str:
    if months_overdue <= 1:
        return "0-1"
    if months_overdue <= 3:
        return "2-3"
    return ">3"


def months_overdue(due: date, as_of: date) -> int:
    """Months since ``due`` on ``as_of``, rounded up (0 when not yet overdue)."""
    return months_late(due, as_of)


def _unpaid_on(as_of: date, prefix: str = "") -> Q:
    """Not fully paid on ``as_of`` (``prefix`` leads to the bill, e.g. ``bill__``)."""
    return ~Q(**{f"{prefix}status": Bill.Status.PAID}) | Q(**{f"{prefix}paid_on__gt": as_of})


def _paid_on(as_of: date, prefix: str = "") -> Q:
    """Fully paid on ``as_of`` (a paid bill without a date counts as paid)."""
    return Q(**{f"{prefix}status": Bill.Status.PAID}) & (
        Q(**{f"{prefix}paid_on__isnull": True}) | Q(**{f"{prefix}paid_on__lte": as_of})
    )


def overdue_bills(*, user: User, as_of: date, office: Office | None = None) -> QuerySet[Bill]:
    """Bills due before ``as_of`` and not fully paid on it, in the user's scope (analysts: all)."""
    base = Bill.objects.all()
    qs = base if role_of(user) == Role.REGIONAL_ANALYST else scope_queryset(user, base)
    qs = qs.filter(due_date__lt=as_of).filter(_unpaid_on(as_of))
    if office is not None:
        qs = qs.filter(office=office)
    return qs


@dataclass
class Bucket:
    bills: int = 0
    amount: int = 0


@dataclass
class AgingRow:
    office_id: int | None
    office_code: str
    office_name: str
    buckets: dict[str, Bucket] = field(default_factory=lambda: {b: Bucket() for b in BUCKETS})

    @property
    def bills(self) -> int:
        return sum(b.bills for b in self.buckets.values())

    @property
    def amount(self) -> int:
        return sum(b.amount for b in self.buckets.values())

    def ordered(self) -> list[Bucket]:
        return [self.buckets[b] for b in BUCKETS]


@dataclass
class Aging:
    as_of: date
    rows: list[AgingRow]
    total: AgingRow


def aging(*, user: User, as_of: date, office: Office | None = None) -> Aging:
    """Outstanding amounts and bill counts per office in the buckets 0–1, 2–3, >3 months overdue,
    and their total. Two grouped queries (bills per office × due date; allocations made by
    ``as_of`` on those bills), bucketed in Python: there are few distinct due dates."""
    bills = overdue_bills(user=user, as_of=as_of, office=office)
    grouped = (
        bills.values("office_id", "due_date")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    allocated = {
        (r["bill__office_id"], r["bill__due_date"]): int(r["amount"] or 0)
        for r in Allocation.objects.filter(bill__in=bills.values("pk"), allocated_on__lte=as_of)
        .values("bill__office_id", "bill__due_date")
        .annotate(amount=Sum("amount"))
        .order_by()
    }
    per_office: dict[int, AgingRow] = {}
    offices = {o.pk: o for o in Office.objects.filter(pk__in={r["office_id"] for r in grouped})}
    for r in grouped:
        office_row = per_office.get(r["office_id"])
        if office_row is None:
            o = offices[r["office_id"]]
            office_row = per_office[o.pk] = AgingRow(o.pk, o.code, o.name)
        bucket = office_row.buckets[bucket_of(months_overdue(r["due_date"], as_of))]
        bucket.bills += int(r["n"])
        bucket.amount += int(r["amount"] or 0) - allocated.get((r["office_id"], r["due_date"]), 0)
    rows = sorted(per_office.values(), key=lambda row: row.office_name)
    total = AgingRow(None, "", "Total")
    for row in rows:
        for key in BUCKETS:
            total.buckets[key].bills += row.buckets[key].bills
            total.buckets[key].amount += row.buckets[key].amount
    return Aging(as_of=as_of, rows=rows, total=total)


# ------------------------------------------------------------------ consecutive months in arrears


def _contribution_lines(as_of: date) -> QuerySet[BillLine]:
    return BillLine.objects.filter(
        kind=BillLine.Kind.CONTRIBUTION, membership__isnull=False, bill__due_date__lt=as_of
    )


def memberships_in_arrears(
    *, user: User, as_of: date, office: Office | None = None, over: int = ARREARS_CONSEQUENCE_MONTHS
) -> QuerySet[Any]:
    """Memberships with more than ``over`` consecutive months in arrears on ``as_of``: rows of
    ``membership_id``, ``months`` (the count), ``oldest``/``latest`` month in arrears and
    ``amount`` (the membership's lines on those bills), most months first. Scoped."""
    last_paid = (
        _contribution_lines(as_of)
        .filter(membership_id=OuterRef("membership_id"))
        .filter(_paid_on(as_of, "bill__"))
        .order_by("-bill__month")
        .values("bill__month")[:1]
    )
    lines = scope_queryset(user, _contribution_lines(as_of)).filter(_unpaid_on(as_of, "bill__"))
    if office is not None:
        lines = lines.filter(bill__office=office)
    return (
        lines.annotate(last_paid=Subquery(last_paid))
        .filter(Q(last_paid__isnull=True) | Q(bill__month__gt=F("last_paid")))
        .values("membership_id")
        .annotate(
            months=Count("bill__month", distinct=True),
            oldest=Min("bill__month"),
            latest=Max("bill__month"),
            amount=Sum("amount"),
        )
        .filter(months__gt=over)
        .order_by("-months", "membership_id")
    )


#: The bills that carry a month's contribution lines (correction bills only add to them; one-off
#: bills of projects and migrant workers are not monthly).
CONTRIBUTION_BILLS = (Bill.Kind.MONTHLY, Bill.Kind.LATE)


def payers_in_arrears(
    *, user: User, as_of: date, office: Office | None = None, over: int = ARREARS_CONSEQUENCE_MONTHS
) -> QuerySet[Any]:
    """Payers whose contribution bills (monthly and late: the bills carrying contribution lines,
    as for memberships) are in arrears more than ``over`` consecutive months on ``as_of``: rows
    of ``payer_id``, ``months``, ``oldest``, ``latest``, ``amount`` (the amount billed on those
    bills), most months first. A month counts as paid when one of its bills was paid by then.
    Scoped."""
    monthly = Bill.objects.filter(kind__in=CONTRIBUTION_BILLS, due_date__lt=as_of)
    last_paid = (
        monthly.filter(payer_id=OuterRef("payer_id"))
        .filter(_paid_on(as_of))
        .order_by("-month")
        .values("month")[:1]
    )
    bills = scope_queryset(user, monthly).filter(_unpaid_on(as_of))
    if office is not None:
        bills = bills.filter(office=office)
    return (
        bills.annotate(last_paid=Subquery(last_paid))
        .filter(Q(last_paid__isnull=True) | Q(month__gt=F("last_paid")))
        .values("payer_id")
        .annotate(
            months=Count("month", distinct=True),
            oldest=Min("month"),
            latest=Max("month"),
            amount=Sum("amount"),
        )
        .filter(months__gt=over)
        .order_by("-months", "payer_id")
    )


@dataclass
class MemberArrears:
    membership: Membership
    months: int
    oldest: date
    latest: date
    amount: int


def with_memberships(rows: list[dict[str, Any]]) -> list[MemberArrears]:
    """Rows of :func:`memberships_in_arrears` with their membership, participant, employer, office."""
    found = {
        m.pk: m
        for m in Membership.objects.filter(
            pk__in=[r["membership_id"] for r in rows]
        ).select_related("participant__person", "employer", "office")
    }
    return [
        MemberArrears(
            found[r["membership_id"]],
            int(r["months"]),
            r["oldest"],
            r["latest"],
            int(r["amount"] or 0),
        )
        for r in rows
    ]


# ------------------------------------------------------------------------------------------ export


@dataclass
class PayerArrears:
    payer: PayerAccount
    months: int
    oldest: date
    latest: date
    amount: int


def with_payers(rows: list[dict[str, Any]]) -> list[PayerArrears]:
    """Rows of :func:`payers_in_arrears` with their payer account (party and office loaded)."""
    found = {
        p.pk: p
        for p in PayerAccount.objects.filter(pk__in=[r["payer_id"] for r in rows]).select_related(
            "employer", "participant__person", "sponsor", "office"
        )
    }
    return [
        PayerArrears(
            payer=found[r["payer_id"]],
            months=r["months"],
            oldest=r["oldest"],
            latest=r["latest"],
            amount=r["amount"],
        )
        for r in rows
        if r["payer_id"] in found
    ]


def aging_table(result: Aging) -> list[list[Any]]:
    """The aging as rows (header first): office, then bills and amount per bucket, then totals."""
    header: list[Any] = ["kode_kantor", "kantor"]
    for key in BUCKETS:
        label = BUCKET_LABELS[key]
        header += [f"tagihan_{label}_bulan", f"tunggakan_{label}_bulan"]
    header += ["tagihan_total", "tunggakan_total"]
    rows: list[list[Any]] = [header]
    for row in [*result.rows, result.total]:
        line: list[Any] = [row.office_code, row.office_name]
        for bucket in row.ordered():
            line += [bucket.bills, bucket.amount]
        rows.append([*line, row.bills, row.amount])
    return rows


def members_table(items: list[MemberArrears]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["kpj", "nama", "segmen", "npp", "kantor", "bulan_tertunggak", "dari", "sampai", "iuran"]
    ]
    for item in items:
        m = item.membership
        rows.append(
            [
                m.participant.kpj_number,
                m.participant.person.name,
                m.segment,
                m.employer.npp if m.employer is not None else "",
                m.office.code,
                item.months,
                f"{item.oldest:%Y-%m}",
                f"{item.latest:%Y-%m}",
                item.amount,
            ]
        )
    return rows


def payers_table(items: list[PayerArrears]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            "virtual_account",
            "jenis",
            "nama",
            "npp",
            "kantor",
            "bulan_tertunggak",
            "dari",
            "sampai",
            "tagihan",
        ]
    ]
    for item in items:
        p = item.payer
        rows.append(
            [
                p.virtual_account,
                p.kind,
                p.display_name,
                p.employer.npp if p.employer is not None else "",
                p.office.code,
                item.months,
                f"{item.oldest:%Y-%m}",
                f"{item.latest:%Y-%m}",
                item.amount,
            ]
        )
    return rows


def to_csv(tables: dict[str, list[list[Any]]]) -> bytes:
    """Tables one after another (a blank line and ``# name`` between them), UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for index, (name, rows) in enumerate(tables.items()):
        if index:
            out.write("\n")
        out.write(f"# {name}\n")
        writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: dict[str, list[list[Any]]]) -> bytes:
    """One worksheet per table."""
    from openpyxl import Workbook

    book = Workbook()
    first = True
    for name, rows in tables.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = name[:31]
        first = False
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
