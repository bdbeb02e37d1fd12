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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import connection
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


def overdue_bills(
    *, user: User, as_of: date, office: Office | None = None, personal: bool = False
) -> QuerySet[Bill]:
    """Bills due before ``as_of`` and not fully paid on it, in the user's scope (analysts: all,
    unless the bills lead to ``personal`` data such as the lists of who is in arrears)."""
    base = Bill.objects.all()
    analyst = role_of(user) == Role.REGIONAL_ANALYST
    qs = base if analyst and not personal else scope_queryset(user, base)
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


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The statement's rows. On PostgreSQL without JIT compilation: the planner overestimates the
    CTEs' rows by far and compiles the statement (3 of its 6 seconds at scale 0.1), which runs
    better interpreted. ``SET LOCAL`` goes in the same query string (client-side binding sends it
    as one implicit transaction), so it costs no extra round trip and lasts for this statement."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        cursor.execute(f"SET LOCAL jit = off; {sql}", params)
        cursor.nextset()
        return list(cursor.fetchall())


class ArrearsRows:
    """The rows of one arrears statement, read lazily: ``rows[a:b]`` runs it with LIMIT/OFFSET,
    ``count()`` counts them, iterating reads all (what the page, the paginator and the export
    need). Rows are dicts, their months dates on every database; no SQL: no rows."""

    def __init__(self, sql: str, params: list[Any], columns: tuple[str, ...]) -> None:
        self.sql, self.params, self.columns = sql, params, columns

    def _fetch(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        if not self.sql:
            return []
        return [self._row(r) for r in _run(sql, params)]

    def _row(self, values: tuple[Any, ...]) -> dict[str, Any]:
        row = dict(zip(self.columns, values, strict=True))
        for key in ("oldest", "latest"):
            if not isinstance(row[key], date):
                row[key] = date.fromisoformat(str(row[key])[:10])
        for key in ("months", "amount"):
            row[key] = int(row[key])
        return row

    def count(self) -> int:
        if not self.sql:
            return 0
        return int(_run(f"SELECT COUNT(*) FROM ({self.sql}) counted", self.params)[0][0])

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        start, stop = index.start or 0, index.stop
        limit = "" if stop is None else f" LIMIT {max(int(stop) - int(start), 0)}"
        return self._fetch(f"{self.sql}{limit} OFFSET {int(start)}", self.params)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._fetch(self.sql, self.params))


def memberships_in_arrears(
    *, user: User, as_of: date, office: Office | None = None, over: int = ARREARS_CONSEQUENCE_MONTHS
) -> ArrearsRows:
    """Memberships with more than ``over`` consecutive months in arrears on ``as_of``: rows of
    ``membership_id``, ``months`` (the count), ``oldest``/``latest`` month in arrears and
    ``amount`` (the membership's lines on those bills), most months first. Scoped.

    Set-based and driven from the unpaid bills (a small part of a year's 180 million lines):
    their contribution lines (by the line table's bill index, one month partition per bill); the
    memberships with more than ``over`` unpaid months among them (a run of more needs at least as
    many); for each of those only, the latest month paid by then — looked up from its oldest
    unpaid month on, by the membership index (an earlier paid month changes nothing); then its
    unpaid months after that one."""
    columns = ("membership_id", "months", "oldest", "latest", "amount")
    try:
        unpaid_sql, unpaid_params = (
            overdue_bills(user=user, as_of=as_of, office=office, personal=True)
            .values("pk")
            .query.sql_with_params()
        )
    except EmptyResultSet:  # a user whose scope reaches nothing
        return ArrearsRows("", [], columns)
    bill, line = Bill._meta.db_table, BillLine._meta.db_table
    contribution = BillLine.Kind.CONTRIBUTION.value
    if connection.vendor == "postgresql":
        # Each unpaid bill's lines by the bill index of its own month's partition (pruned at run
        # time); a plain join would hash every partition's lines.
        lines_of_unpaid_bills = f"""
            SELECT l.mid, ub.month, l.amount FROM ub CROSS JOIN LATERAL (
                SELECT l.membership_id AS mid, l.amount FROM {line} l
                WHERE l.bill_id = ub.id AND l.month = ub.month AND l.kind = %s
                  AND l.membership_id IS NOT NULL OFFSET 0) l"""
    else:
        lines_of_unpaid_bills = f"""
            SELECT l.membership_id AS mid, ub.month AS month, l.amount AS amount
            FROM ub JOIN {line} l ON l.bill_id = ub.id AND l.month = ub.month
            WHERE l.kind = %s AND l.membership_id IS NOT NULL"""
    sql = f"""
        WITH ub AS MATERIALIZED (
            SELECT b.id AS id, b.month AS month FROM {bill} b WHERE b.id IN ({unpaid_sql})
        ), ul AS MATERIALIZED (
            {lines_of_unpaid_bills}
        ), candidate AS (
            SELECT mid, MIN(month) AS first_unpaid FROM ul
            GROUP BY mid HAVING COUNT(DISTINCT month) > %s
        ), last_paid AS MATERIALIZED (
            SELECT c.mid, (
                SELECT MAX(pb.month) FROM {line} pl JOIN {bill} pb ON pb.id = pl.bill_id
                WHERE pl.membership_id = c.mid AND pl.month >= c.first_unpaid AND pl.kind = %s
                  AND pb.due_date < %s AND pb.status = %s
                  AND (pb.paid_on IS NULL OR pb.paid_on <= %s)
            ) AS month
            FROM candidate c
        )
        SELECT ul.mid, COUNT(DISTINCT ul.month), MIN(ul.month), MAX(ul.month), SUM(ul.amount)
        FROM ul JOIN last_paid lp ON lp.mid = ul.mid
        WHERE lp.month IS NULL OR ul.month > lp.month
        GROUP BY ul.mid HAVING COUNT(DISTINCT ul.month) > %s
        ORDER BY COUNT(DISTINCT ul.month) DESC, ul.mid"""
    ops = connection.ops
    day = ops.adapt_datefield_value(as_of)
    params = [*unpaid_params, contribution, over, contribution, day, Bill.Status.PAID.value, day]
    return ArrearsRows(sql, [*params, over], columns)


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
