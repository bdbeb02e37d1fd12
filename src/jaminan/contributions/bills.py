"""Reads of bills and billing runs for the billing screens and API (scoped, personal reads audited).

Every list goes through ``scope_queryset``: an employer user sees its own bills, a sponsor user its
sponsor's, a participant its own (BPU self-payer), a branch officer its office's. A bill outside
the user's scope is "not found", whatever the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import scope_queryset
from jaminan.contributions.billing import billing_totals, lock_is_stale
from jaminan.contributions.models import (
    Bill,
    BillingChunk,
    BillingLock,
    BillingRun,
    BillLine,
    Fine,
)
from jaminan.geo.models import Office
from jaminan.registry.models import Membership
from jaminan.rules import parameters
from jaminan.rules.core import add_months

User = AbstractBaseUser | AnonymousUser | None

#: Order of the programs on a bill; fine lines (program ``DENDA``) come last.
PROGRAM_ORDER = ("JKK", "JKM", "JHT", "JP", "JKP", "PMI", "DENDA")
SIDE_ORDER = ("employer", "worker", "participant", "sponsor", "contractor")
#: The PU contribution rates (JKK PP 44/2015 Pasal 16(1), JKM Pasal 18, JHT PP 46/2015 Pasal 16(1),
#: JP PP 45/2015 Pasal 28): a month before every one of them has a value cannot be billed.
PU_RATE_PARAMETERS = ("pu.jkk_rate.", "pu.jkm_rate", "pu.jht_rate.", "pu.jp_rate.")
MONTH_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}")
#: Months whose control totals the runs page shows (each month's totals count its bills and lines).
TOTALS_MONTHS = 12


class BillsError(Exception):
    """A read of bills or runs that cannot be answered: stable ``code``, ``field``, HTTP status."""

    code = "bills_error"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFound(BillsError):
    code = "not_found"
    status = 404


class InvalidFilter(BillsError):
    code = "invalid_filter"


def first_billable_month() -> date:
    """The first contribution month for which the rules give every PU rate (July 2015, when
    PP 44/2015, 45/2015 and 46/2015 came into force): no earlier month can be billed, so none is
    asked for either."""
    starts = [
        parameters.series(name).values[0].start
        for name in parameters.names()
        if name.startswith(PU_RATE_PARAMETERS)
    ]
    first = max(starts)
    return first if first.day == 1 else add_months(first.replace(day=1), 1)


def parse_month(value: str, *, field: str = "month") -> date:
    """``YYYY-MM`` → the first day of that month, not before :func:`first_billable_month`;
    InvalidFilter otherwise (``invalid_month``, ``month_before_rules``)."""
    value = (value or "").strip()
    try:
        if not MONTH_PATTERN.fullmatch(value):
            raise ValueError(value)
        month = date(int(value[:4]), int(value[5:]), 1)
    except ValueError as exc:
        raise InvalidFilter(
            _("Bulan harus berbentuk TTTT-BB, mis. 2026-05."), field=field, code="invalid_month"
        ) from exc
    if month < first_billable_month():
        raise InvalidFilter(before_rules_message(), field=field, code="month_before_rules")
    return month


def before_rules_message() -> str:
    """Why a month before :func:`first_billable_month` is refused (the page, the API, the CLI)."""
    return _("Bulan paling awal %(first)s: tarif iuran berlaku sejak bulan itu.") % {
        "first": f"{first_billable_month():%Y-%m}"
    }


def office_by_code(code: str, *, field: str = "office") -> Office | None:
    """The office of ``code`` (None for an empty code); InvalidFilter ``invalid_office`` when no
    office has that code."""
    if not code:
        return None
    office = Office.objects.filter(code=code).first()
    if office is None:
        raise InvalidFilter(
            _("Kode kantor tidak dikenal: %(code)s") % {"code": code},
            field=field,
            code="invalid_office",
        )
    return office


# ------------------------------------------------------------------------------------------- bills


@dataclass(frozen=True)
class BillFilters:
    month: date | None = None
    status: str = ""
    segment: str = ""
    kind: str = ""
    office: str = ""  # office code
    payer: str = ""  # virtual account, NPP, KPJ or sponsor code


def _bill_base() -> QuerySet[Bill]:
    return Bill.objects.select_related(
        "payer",
        "payer__employer",
        "payer__participant__person",
        "payer__sponsor",
        "office",
    )


def bills_in_scope(*, user: User, filters: BillFilters | None = None) -> QuerySet[Bill]:
    """The user's bills with the filters, newest month first, with payer and office loaded."""
    filters = filters or BillFilters()
    qs = scope_queryset(user, _bill_base())
    if filters.month is not None:
        qs = qs.filter(month=filters.month)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.segment:
        qs = qs.filter(segment=filters.segment)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.office:
        qs = qs.filter(office__code=filters.office)
    payer = filters.payer.strip()
    if payer:
        qs = qs.filter(
            Q(payer__virtual_account=payer)
            | Q(payer__employer__npp=payer)
            | Q(payer__participant__kpj_number=payer)
            | Q(payer__sponsor__code=payer)
        )
    return qs.order_by("-month", "-id")


def record_bill_list_view(*, user: User, filters: BillFilters, shown: list[Bill] | None) -> None:
    """One VIEW event per page of bills shown (payer names of participants are personal data);
    ``shown`` None: a paginated API list, whose query is recorded instead."""
    if shown is not None and not shown:
        return
    changes: dict[str, Any] = {"filters": {k: str(v) for k, v in filters.__dict__.items() if v}}
    if shown is not None:
        changes["bills"] = [b.pk for b in shown]
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        object_type=Bill._meta.label,
        object_repr=f"{len(shown)} tagihan" if shown is not None else "daftar tagihan",
        changes=changes,
    )


def bill_in_scope(*, user: User, bill_id: int) -> Bill:
    if not 0 < bill_id < 2**63:
        raise NotFound(_("Tagihan tidak ditemukan."), field="bill_id")
    bill = scope_queryset(user, _bill_base().filter(pk=bill_id)).first()
    if bill is None:
        raise NotFound(_("Tagihan tidak ditemukan."), field="bill_id")
    return bill


@dataclass
class ProgramTotal:
    program: str
    side: str
    kind: str
    lines: int
    amount: int

    @property
    def side_label(self) -> str:
        try:
            return str(BillLine.Side(self.side).label)
        except ValueError:
            return self.side

    @property
    def program_label(self) -> str:
        return _("Denda") if self.program == "DENDA" else self.program

    @property
    def kind_label(self) -> str:
        try:
            return str(BillLine.Kind(self.kind).label)
        except ValueError:
            return self.kind


@dataclass
class MemberRow:
    membership_id: int
    kpj_number: str
    name: str
    base: int
    by_program: dict[str, int]
    total: int
    #: The amounts in the order of the bill's programs (None: no line of that program).
    cells: list[int | None] = field(default_factory=list)


@dataclass
class BillDetail:
    bill: Bill
    totals: list[ProgramTotal]
    program_sums: dict[str, int]
    members: int
    member_rows: list[MemberRow] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    member_offset: int = 0
    #: The fines billed on this bill, with the late bill each is for (oldest first).
    fines: list[Fine] = field(default_factory=list)

    @property
    def lines_total(self) -> int:
        return sum(t.amount for t in self.totals)

    @property
    def members_hidden(self) -> int:
        return max(0, self.members - self.member_offset - len(self.member_rows))


def _ordered(keys: Any, order: tuple[str, ...]) -> list[str]:
    return sorted(keys, key=lambda k: (order.index(k) if k in order else len(order), k))


def program_totals(bill: Bill) -> list[ProgramTotal]:
    """The bill's lines summed per program × side × kind (contribution, wage correction,
    discount, fine)."""
    rows = (
        BillLine.objects.filter(bill=bill)
        .values("program", "side", "kind")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    totals = [
        ProgramTotal(r["program"], r["side"], r["kind"], int(r["n"]), int(r["amount"] or 0))
        for r in rows
    ]
    kind_order = ("contribution", "correction", "discount", "fine")
    return sorted(
        totals,
        key=lambda t: (
            PROGRAM_ORDER.index(t.program) if t.program in PROGRAM_ORDER else 99,
            kind_order.index(t.kind) if t.kind in kind_order else 9,
            SIDE_ORDER.index(t.side) if t.side in SIDE_ORDER else 9,
        ),
    )


def member_rows(
    bill: Bill, *, offset: int, limit: int, clamp: bool = False
) -> tuple[int, list[MemberRow], list[str], int]:
    """One row per membership on the bill (paginated by membership id): KPJ, name, the base (wage or
    declared income), its amount per program (sides and discounts summed) and total. ``clamp``: an
    offset past the last membership gives the last page instead of none. Returns (memberships on
    the bill, the rows, the programs present, the offset of the rows)."""
    member_lines = BillLine.objects.filter(bill=bill, membership__isnull=False)
    count = member_lines.values("membership_id").distinct().count()
    if clamp and 0 < count <= offset and limit > 0:
        offset = (count - 1) // limit * limit
    page = list(
        member_lines.values("membership_id")
        .annotate(base=Max("base"), total=Sum("amount"))
        .order_by("membership_id")[offset : offset + limit]
    )
    ids = [r["membership_id"] for r in page]
    by_program: dict[int, dict[str, int]] = {i: {} for i in ids}
    programs: set[str] = set()
    for r in (
        member_lines.filter(membership_id__in=ids)
        .values("membership_id", "program")
        .annotate(amount=Sum("amount"))
        .order_by()
    ):
        by_program[r["membership_id"]][r["program"]] = int(r["amount"] or 0)
        programs.add(r["program"])
    people = {
        m.pk: m for m in Membership.objects.filter(pk__in=ids).select_related("participant__person")
    }
    rows = [
        MemberRow(
            membership_id=r["membership_id"],
            kpj_number=people[r["membership_id"]].participant.kpj_number,
            name=people[r["membership_id"]].participant.person.name,
            base=int(r["base"] or 0),
            by_program=by_program[r["membership_id"]],
            total=int(r["total"] or 0),
        )
        for r in page
    ]
    ordered = _ordered(programs, PROGRAM_ORDER)
    for row in rows:
        row.cells = [row.by_program.get(p) for p in ordered]
    return count, rows, ordered, offset


def bill_detail(
    *,
    user: User,
    bill_id: int,
    offset: int = 0,
    limit: int = 50,
    audit_action: str = "view",
    clamp: bool = False,
) -> BillDetail:
    """A bill with its totals per program × side and one page of membership rows. Audited: VIEW
    (page, API) or EXPORT (PDF). ``clamp`` (the bill page): an offset past the last membership
    shows the last page; without it (the API) that page is empty."""
    bill = bill_in_scope(user=user, bill_id=bill_id)
    totals = program_totals(bill)
    sums: dict[str, int] = {}
    for t in totals:
        sums[t.program] = sums.get(t.program, 0) + t.amount
    members, rows, programs, offset = member_rows(
        bill, offset=max(0, offset), limit=limit, clamp=clamp
    )
    audit.record(
        action=audit_action,
        actor=user,
        obj=bill,
        changes={
            "number": bill.number,
            "payer": bill.payer.virtual_account,
            "memberships_shown": len(rows),
            **({"format": "pdf"} if audit_action == AuditEvent.Action.EXPORT else {}),
        },
    )
    return BillDetail(
        bill=bill,
        totals=totals,
        program_sums={p: sums[p] for p in _ordered(sums, PROGRAM_ORDER)},
        members=members,
        member_rows=rows,
        programs=programs,
        member_offset=offset,
        fines=fines_on(bill) if any(t.kind == BillLine.Kind.FINE for t in totals) else [],
    )


def fines_on(bill: Bill) -> list[Fine]:
    """The fines billed on ``bill`` (its fine lines), each with its late bill: what a payer needs
    to see why the bill grew."""
    fine_lines = BillLine.objects.filter(bill=bill, kind=BillLine.Kind.FINE).values("id")
    return list(
        Fine.objects.filter(billed_line_id__in=fine_lines)
        .select_related("bill")
        .order_by("bill__month", "bill_id", "id")
    )


# -------------------------------------------------------------------------------------------- runs


def runs_in_scope(*, user: User) -> QuerySet[BillingRun]:
    """Billing runs the user may see (no personal data: staff see all runs of their offices)."""
    return (
        scope_queryset(user, BillingRun.objects.all())
        .select_related("office")
        .order_by("-started_at", "-id")
    )


def run_in_scope(*, user: User, run_id: int) -> BillingRun:
    if not 0 < run_id < 2**63:
        raise NotFound(_("Proses penagihan tidak ditemukan."), field="run_id")
    run = runs_in_scope(user=user).filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Proses penagihan tidak ditemukan."), field="run_id")
    return run


def held_locks() -> list[BillingLock]:
    """The month locks held now (one per month at most), with holder, reason and heartbeat."""
    return list(BillingLock.objects.select_related("run", "run__office").order_by("month"))


def runs_as_they_stand(
    runs: Iterable[BillingRun], *, locks: list[BillingLock] | None = None
) -> list[BillingRun]:
    """The runs for display, as they stand now. A run recorded as running whose lock is stale or
    gone (the process was killed: nothing marked it) is shown *interrupted*; ``run.live`` is True
    for a run that is really going. A run that has not completed shows the control totals of the
    offices it committed (its ``BillingChunk`` rows), which its own fields get only at the end.
    The instances are changed in memory only (never save them). ``locks``: the held locks when the
    caller has them (:func:`held_locks`). At most two queries, whatever the number of runs."""
    runs = list(runs)
    running = [run.pk for run in runs if run.status == BillingRun.Status.RUNNING]
    if locks is None:
        locks = list(BillingLock.objects.filter(run_id__in=running)) if running else []
    live = {lock.run_id for lock in locks if not lock_is_stale(lock)}
    unfinished = [run.pk for run in runs if run.status != BillingRun.Status.COMPLETED]
    committed = (
        {
            row["run_id"]: row
            for row in BillingChunk.objects.filter(run_id__in=unfinished)
            .values("run_id")
            .annotate(bills=Sum("bills"), lines=Sum("lines"), amount=Sum("amount"))
            .order_by()
        }
        if unfinished
        else {}
    )
    for run in runs:
        going = run.status == BillingRun.Status.RUNNING and run.pk in live
        run.live = going  # type: ignore[attr-defined]
        if run.status == BillingRun.Status.RUNNING and not going:
            run.status = BillingRun.Status.INTERRUPTED
        if run.pk in committed:
            row = committed[run.pk]
            run.bills, run.lines, run.amount = row["bills"], row["lines"], row["amount"]
    return runs


@dataclass(frozen=True)
class MonthTotals:
    """A month's control totals (``billing.billing_totals``: every bill of the month, all kinds)."""

    month: date
    bills: int
    lines: int
    amount: int


def months_of_runs(runs: Iterable[BillingRun]) -> list[date]:
    """The distinct months of ``runs``, newest first, at most :data:`TOTALS_MONTHS`."""
    return sorted({run.month for run in runs}, reverse=True)[:TOTALS_MONTHS]


def month_totals(months: Iterable[date]) -> list[MonthTotals]:
    """The control totals of each month (three queries a month: cap the months, see
    :func:`months_of_runs`); what ``jaminan billing totals`` and ``GET /billing/totals`` give."""
    totals = [(month, billing_totals(month)) for month in months]
    return [MonthTotals(month, t["bills"], t["lines"], t["amount"]) for month, t in totals]


def latest_billed_month(user: User) -> date | None:
    """The latest month a billing run finished for an office the user may filter on: the bill
    list's default month for staff (a region bills ≈ 700,000 payers a month, so every month at
    once is no list to read). Read from the runs' per-office records, not the bills."""
    month: date | None = BillingChunk.objects.filter(office__in=offices_for_filter(user)).aggregate(
        latest=Max("month")
    )["latest"]
    return month


def offices_for_filter(user: User) -> list[Office]:
    """Branch offices offered in the office filters (the user's own office only for a branch
    officer of a branch)."""
    qs = Office.objects.filter(kind="branch").order_by("name")
    scope = getattr(user, "scope", None)
    office = getattr(scope, "office", None) if scope is not None else None
    if office is not None and office.kind != "regional":
        qs = qs.filter(pk=office.pk)
    return list(qs)
