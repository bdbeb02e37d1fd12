"""Payments: recording (idempotent by bank reference), allocation to the oldest open bills, credit,
late-payment fines and BPU payment in advance.

- ``record_payment`` stores a payment once per reference (the same reference again returns the
  stored payment; a different payer or amount under that reference is a ``reference_conflict``,
  whose message names the stored payment's VA and amount only to a user who may see its payer),
  posts it to the ledger, adds it to the payer's credit and allocates the credit. The payment
  date lies between ``PAID_ON_MIN`` (1 July 2015) and today.
- ``apply_credit`` (alias ``allocate``) spends a payer's credit on its open bills, oldest first
  (``selectors.open_bills``), partial payments allowed; whatever is left stays as credit and is
  used by the next bill (the billing run calls ``apply_credit`` after issuing bills). Each
  allocation names the payment whose money it uses: the payer's payments with money left, oldest
  first (FIFO).
- A bill is paid on the ``paid_on`` of the payment whose allocation completes it.
- Money allocated to a PU or Jakon bill after its due date carries a fine (rules ``fine``: 2% per
  started month late, 0.5% for contribution months Aug 2020 - Jan 2021; none for BPU) on the late
  part of the *contributions* (money on a bill pays its contribution lines first, then the fine
  lines it carries: no fine on a fine). The billing run puts unbilled fines on the payer's next
  bill.
- ``record_advance`` (``pay_in_advance`` returns its payment and bills): a BPU self-payer pays 1,
  3, 6 or 12 months at once: the bills for the next unbilled months are issued
  (``billing.issue_monthly_bill``) and one payment of their exact sum is recorded and allocated.

Every write is audited; reads of a payer's money (personal data for BPU participants) are audited
as views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import scope_queryset
from jaminan.contributions import ledger, selectors
from jaminan.contributions.models import (
    Allocation,
    Bill,
    BillLine,
    Fine,
    PayerAccount,
    Payment,
    PaymentReversal,
)
from jaminan.geo.zones import institution_today, zone_label
from jaminan.registry.models import Membership
from jaminan.rules import calculate

User = AbstractBaseUser | AnonymousUser | None

#: Months a BPU self-payer may pay at once (BPJS branch statements; regulations.md §5).
ADVANCE_MONTHS = (1, 3, 6, 12)
#: Segments whose late payments carry a fine in the rules (BPU is computed too and yields 0).
FINE_SEGMENTS = frozenset({"PU", "JAKON", "BPU"})
#: The longest reference the bank sends (Payment.reference).
REFERENCE_MAX = 64
#: Largest single payment accepted (Rp1 trillion): guards against a mistyped amount.
AMOUNT_MAX = 1_000_000_000_000
#: Earliest payment date accepted: BPJS Ketenagakerjaan began operating its programmes on 1 July 2015
#: (UU 24/2011 on BPJS; PP 44, 45 and 46/2015 in force that day), so no contribution was paid to it
#: before; an earlier date is a typing mistake (1900-01-01, a wrong year).
PAID_ON_MIN = date(2015, 7, 1)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --------------------------------------------------------------------------------------------- errors


class PaymentError(Exception):
    """A payment refused: stable ``code``, the ``field`` at fault, a message in Indonesian.
    ``status`` is the HTTP status the API answers with."""

    code = "payment_error"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class ReferenceConflict(PaymentError):
    """The reference is already stored for another payer or another amount."""

    code = "reference_conflict"
    status = 409


class PayerNotFound(PaymentError):
    code = "not_found"
    status = 404


# ------------------------------------------------------------------------------------------ validation


def clean_reference(reference: Any) -> str:
    text = reference.strip() if isinstance(reference, str) else ""
    if not text:
        raise PaymentError(
            _("Referensi pembayaran wajib diisi."), field="reference", code="reference_required"
        )
    if len(text) > REFERENCE_MAX:
        raise PaymentError(
            _("Referensi pembayaran paling panjang %(n)s karakter.") % {"n": REFERENCE_MAX},
            field="reference",
            code="reference_too_long",
        )
    if _CONTROL.search(text):
        raise PaymentError(
            _("Referensi pembayaran berisi karakter yang tidak sah."),
            field="reference",
            code="reference_invalid",
        )
    return text


def clean_amount(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise PaymentError(
            _("Jumlah pembayaran harus bilangan bulat rupiah lebih dari 0."),
            field="amount",
            code="amount_invalid",
        )
    if amount > AMOUNT_MAX:
        raise PaymentError(
            _("Jumlah pembayaran lebih dari Rp1 triliun; periksa kembali."),
            field="amount",
            code="amount_too_large",
        )
    return amount


def clean_paid_on(paid_on: Any) -> date:
    if not isinstance(paid_on, date):
        raise PaymentError(
            _("Tanggal bayar wajib diisi."), field="paid_on", code="paid_on_required"
        )
    if paid_on > institution_today():
        raise PaymentError(
            _("Tanggal bayar tidak boleh setelah hari ini."),
            field="paid_on",
            code="paid_on_in_future",
        )
    if paid_on < PAID_ON_MIN:
        raise PaymentError(
            _(
                "Tanggal bayar tidak boleh sebelum %(min)s: BPJS Ketenagakerjaan beroperasi sejak "
                "1 Juli 2015."
            )
            % {"min": f"{PAID_ON_MIN:%d/%m/%Y}"},
            field="paid_on",
            code="paid_on_too_early",
        )
    return paid_on


# ----------------------------------------------------------------------------------------- allocation


@dataclass
class _Source:
    """A payment with money not yet allocated."""

    payment: Payment
    remaining: int


@dataclass
class AllocationResult:
    allocations: list[Allocation] = field(default_factory=list)
    fines: list[Fine] = field(default_factory=list)
    paid_bills: list[Bill] = field(default_factory=list)

    def audit_summary(self) -> dict[str, Any]:
        return {
            "allocations": [[a.bill_id, a.payment_id, a.amount] for a in self.allocations],
            "fines": [[f.bill_id, f.months_late, f.amount] for f in self.fines],
            "bills_paid": [b.pk for b in self.paid_bills],
        }


def _sources(payer: PayerAccount) -> list[_Source]:
    """The payer's payments with unallocated money, oldest first."""
    rows = (
        Payment.objects.filter(payer=payer, reversed_at__isnull=True)
        .annotate(
            allocated=Sum("allocations__amount", filter=Q(allocations__reversal__isnull=True))
        )
        .filter(Q(allocated__isnull=True) | Q(allocated__lt=F("amount")))
        .order_by("paid_on", "id")
    )
    return [_Source(p, p.amount - (p.allocated or 0)) for p in rows]


def _fine_lines_total(bill: Bill) -> int:
    return int(bill.lines.filter(kind=BillLine.Kind.FINE).aggregate(t=Sum("amount"))["t"] or 0)


def _assess_fine(
    bill: Bill, allocation: Allocation, paid_before: int, paid_on: date
) -> Fine | None:
    """The fine on the late part of ``allocation`` (None when on time, BPU, PMI or zero)."""
    if bill.segment not in FINE_SEGMENTS or paid_on <= bill.due_date:
        return None
    contributions = bill.amount - _fine_lines_total(bill)
    late_part = max(0, min(paid_before + allocation.amount, contributions) - paid_before)
    if late_part <= 0:
        return None
    result = calculate(
        "fine",
        {
            "contribution_month": f"{bill.month:%Y-%m}",
            "amount_due": late_part,
            "paid_on": paid_on.isoformat(),
            "segment": bill.segment,
            # A late bill (or a one-off bill caught up by a later run) is due with a later month's
            # bills: the delay counts from its own due date.
            "bill_due_date": bill.due_date.isoformat(),
        },
    )
    amount = int(result["fine"])
    if amount <= 0:
        return None
    return Fine.objects.create(
        bill=bill,
        allocation=allocation,
        amount_due=late_part,
        months_late=int(result["months_late"]),
        amount=amount,
        assessed_on=allocation.allocated_on,
    )


def _allocate(payer: PayerAccount, on: date) -> AllocationResult:
    """Spend ``payer.credit`` (the row locked by the caller) on its open bills, oldest first."""
    result = AllocationResult()
    if payer.credit <= 0:
        return result
    bills = selectors.open_bills(payer.pk)
    if not bills:
        return result
    sources = _sources(payer)
    spent = 0
    for bill in bills:
        if not sources or spent >= payer.credit:
            break
        need = bill.outstanding
        completed_by: date | None = None
        while need > 0 and sources and spent < payer.credit:
            source = sources[0]
            take = min(source.remaining, need, payer.credit - spent)
            paid_before = bill.paid_amount
            allocation = Allocation.objects.create(
                payment=source.payment, bill=bill, amount=take, allocated_on=on
            )
            allocation.bill = bill
            ledger.post_allocation(allocation)
            result.allocations.append(allocation)
            bill.paid_amount += take
            fine = _assess_fine(bill, allocation, paid_before, source.payment.paid_on)
            if fine is not None:
                result.fines.append(fine)
            need -= take
            spent += take
            source.remaining -= take
            completed_by = source.payment.paid_on
            if source.remaining == 0:
                sources.pop(0)
        if bill.paid_amount == bill.amount and bill.amount > 0:
            bill.status = Bill.Status.PAID
            bill.paid_on = completed_by
            result.paid_bills.append(bill)
        elif bill.paid_amount > 0:
            bill.status = Bill.Status.PARTLY_PAID
        bill.save(update_fields=["paid_amount", "status", "paid_on"])
    payer.credit -= spent
    payer.save(update_fields=["credit"])
    return result


def _locked(payer: PayerAccount) -> PayerAccount:
    return PayerAccount.objects.select_for_update().get(pk=payer.pk)


@transaction.atomic
def apply_credit(payer: PayerAccount, *, on: date) -> list[Allocation]:
    """Allocate the payer's credit to its open bills, oldest first; overpayment stays as credit.
    ``on`` is the allocation date (fines use the paid_on of the payment whose money is used)."""
    locked = _locked(payer)
    result = _allocate(locked, on)
    payer.credit = locked.credit
    if result.allocations:
        audit.record(
            action=AuditEvent.Action.UPDATE,
            obj=locked,
            changes={
                "credit_applied_on": on,
                "credit_left": locked.credit,
                **result.audit_summary(),
            },
        )
    return result.allocations


#: The name the billing run and the issue use.
allocate = apply_credit


# -------------------------------------------------------------------------------------------- payments


def may_see_payer(user: User, payer_id: int) -> bool:
    """Whether ``user`` may see the payer (scope_queryset): what a refusal may tell about it."""
    return scope_queryset(user, PayerAccount.objects.filter(pk=payer_id)).exists()


def reversed_when(payment: Payment) -> str:
    """When ``payment`` was reversed, in the user's zone with its label (``21/11/2026 23:30 WIB``)."""
    assert payment.reversed_at is not None
    return f"{timezone.localtime(payment.reversed_at):%d/%m/%Y %H:%M} {zone_label()}"


def _check_same(existing: Payment, payer: PayerAccount, amount: int, actor: User) -> Payment:
    """``existing`` when it is this payment again; else ReferenceConflict, naming the stored
    payment's VA and amount only to an ``actor`` who may see its payer. A reversed payment's
    reference stays taken: posting it again is refused (``already_reversed``), never stored."""
    if existing.reversed_at is not None:
        message = _("Pembayaran dengan referensi ini sudah dibatalkan pada %(when)s.") % {
            "when": reversed_when(existing)
        }
        raise ReferenceConflict(message, field="reference", code="already_reversed")
    if existing.payer_id == payer.pk and existing.amount == amount:
        return existing
    if may_see_payer(actor, existing.payer_id):
        message = _(
            "Referensi %(ref)s sudah tercatat untuk pembayaran lain (%(va)s, Rp%(amount)s)."
        ) % {
            "ref": existing.reference,
            "va": existing.payer.virtual_account,
            "amount": f"{existing.amount:,}".replace(",", "."),
        }
    else:
        message = _("Referensi %(ref)s sudah dipakai oleh pembayaran lain.") % {
            "ref": existing.reference
        }
    raise ReferenceConflict(message, field="reference")


@transaction.atomic
def record_payment(
    *,
    payer: PayerAccount,
    reference: str,
    amount: int,
    paid_on: date,
    channel: str,
    actor: User = None,
    source: str = "",
    note: str = "",
) -> tuple[Payment, bool]:
    """Store a payment once per reference and allocate it. Returns ``(payment, created)``: the same
    reference again returns ``(stored, False)`` and changes nothing; with another payer or amount
    it raises ``ReferenceConflict``. The unique constraint on the reference settles races."""
    reference = clean_reference(reference)
    amount = clean_amount(amount)
    paid_on = clean_paid_on(paid_on)
    if channel not in Payment.Channel.values:
        raise PaymentError(_("Saluran pembayaran tidak dikenal."), field="channel", code="invalid")
    locked = _locked(payer)  # serialises payments and allocations of this payer
    existing = Payment.objects.select_related("payer").filter(reference=reference).first()
    if existing is not None:
        return _check_same(existing, payer, amount, actor), False
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                reference=reference,
                payer=locked,
                amount=amount,
                paid_on=paid_on,
                channel=channel,
                source=source[:200],
                note=note[:300],
                entered_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
            )
    except IntegrityError:
        # Another transaction stored the reference (for another payer) since we looked.
        existing = Payment.objects.select_related("payer").get(reference=reference)
        return _check_same(existing, payer, amount, actor), False
    ledger.post_payment(payment)
    locked.credit += amount
    locked.save(update_fields=["credit"])
    result = _allocate(locked, paid_on)
    payer.credit = locked.credit
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        obj=payment,
        changes={
            "reference": reference,
            "payer": locked.virtual_account,
            "amount": amount,
            "paid_on": paid_on,
            "channel": channel,
            "source": source[:200],
            "credit_left": locked.credit,
            **result.audit_summary(),
        },
    )
    return payment, True


# ---------------------------------------------------------------------------------------- in advance


def _month_after(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


@dataclass(frozen=True)
class AdvancePayment:
    """What :func:`record_advance` did: the payment and its bills; ``created`` False when the
    reference was already recorded (nothing changed)."""

    payment: Payment
    bills: list[Bill]
    created: bool


def pay_in_advance(
    *,
    membership: Membership,
    months: int,
    reference: str,
    paid_on: date,
    actor: User = None,
    channel: str = Payment.Channel.ADVANCE,
) -> tuple[Payment, list[Bill]]:
    """:func:`record_advance`'s payment and bills."""
    done = record_advance(
        membership=membership,
        months=months,
        reference=reference,
        paid_on=paid_on,
        actor=actor,
        channel=channel,
    )
    return done.payment, done.bills


@transaction.atomic
def record_advance(
    *,
    membership: Membership,
    months: int,
    reference: str,
    paid_on: date,
    actor: User = None,
    channel: str = Payment.Channel.ADVANCE,
) -> AdvancePayment:
    """A BPU self-payer pays the next ``months`` (1, 3, 6 or 12) unbilled months at once, from the
    month of ``paid_on`` (or the membership's start): their bills are issued now and one payment
    of exactly their sum is recorded and allocated. Refused while the payer has open bills (they
    would take the money first). The same reference again returns the stored payment
    (``created`` False)."""
    from jaminan.contributions import billing

    if membership.segment != Membership.Segment.BPU or membership.payer != Membership.Payer.SELF:
        raise PaymentError(
            _("Bayar di muka hanya untuk peserta BPU yang membayar sendiri."),
            field="membership",
            code="advance_bpu_only",
        )
    if isinstance(months, bool) or months not in ADVANCE_MONTHS:
        raise PaymentError(
            _("Bayar di muka hanya untuk 1, 3, 6 atau 12 bulan."),
            field="months",
            code="advance_months_invalid",
        )
    reference = clean_reference(reference)
    paid_on = clean_paid_on(paid_on)
    if membership.end_date is not None and membership.end_date < paid_on:
        raise PaymentError(
            _("Kepesertaan sudah berakhir."), field="membership", code="membership_ended"
        )
    payer = billing.ensure_payer_account(participant=membership.participant)
    locked = _locked(payer)
    existing = Payment.objects.select_related("payer").filter(reference=reference).first()
    if existing is not None:
        if existing.reversed_at is not None:
            _check_same(existing, locked, existing.amount, actor)  # raises already_reversed
        if existing.payer_id != locked.pk or existing.channel != channel:
            raise ReferenceConflict(
                _("Referensi %(ref)s sudah tercatat untuk pembayaran lain.") % {"ref": reference},
                field="reference",
            )
        return AdvancePayment(
            existing,
            list(
                Bill.objects.filter(
                    allocations__payment=existing, allocations__reversal__isnull=True
                )
                .distinct()
                .order_by("month")
            ),
            created=False,
        )
    if selectors.open_bills(locked.pk):
        raise PaymentError(
            _("Masih ada tagihan yang belum lunas; lunasi dahulu sebelum membayar di muka."),
            field="membership",
            code="advance_open_bills",
        )
    billed = set(
        Bill.objects.filter(
            payer=locked, kind=Bill.Kind.MONTHLY, segment=Membership.Segment.BPU
        ).values_list("month", flat=True)
    )
    month = max(paid_on, membership.start_date).replace(day=1)
    bills: list[Bill] = []
    while len(bills) < months:
        if month not in billed:
            bill = billing.issue_monthly_bill(payer=locked, month=month)
            if bill is None:
                raise PaymentError(
                    _("Tidak ada iuran yang dapat ditagihkan untuk %(month)s.")
                    % {"month": f"{month:%m/%Y}"},
                    field="months",
                    code="advance_nothing_to_bill",
                )
            bills.append(bill)
        month = _month_after(month)
    total = sum(b.amount for b in bills)
    if total <= 0:
        raise PaymentError(
            _("Tidak ada iuran yang perlu dibayar di muka."),
            field="months",
            code="advance_nothing_to_bill",
        )
    payment, _created = record_payment(
        payer=locked,
        reference=reference,
        amount=total,
        paid_on=paid_on,
        channel=channel,
        actor=actor,
        source=f"advance:{months}",
        note=_("Bayar di muka %(n)s bulan") % {"n": months},
    )
    for bill in bills:
        bill.refresh_from_db()
    return AdvancePayment(payment, bills, created=True)


# ------------------------------------------------------------------------------------------------ reads


def payers_in_scope(user: User) -> QuerySet[PayerAccount]:
    return scope_queryset(user, PayerAccount.objects.all()).select_related(
        "employer", "participant__person", "sponsor", "office"
    )


def find_payer(*, user: User, identifier: str) -> PayerAccount:
    """The payer in ``user``'s scope with this virtual account, NPP, KPJ number or sponsor code."""
    text = (identifier or "").strip()
    if not text or len(text) > 40:
        raise PayerNotFound(_("Pembayar tidak ditemukan."), field="payer")
    found = (
        payers_in_scope(user)
        .filter(
            Q(virtual_account=text)
            | Q(employer__npp=text)
            | Q(participant__kpj_number=text)
            | Q(sponsor__code=text)
        )
        .first()
    )
    if found is None:
        raise PayerNotFound(
            _("Pembayar %(id)s tidak ditemukan (nomor VA, NPP, KPJ atau kode penyandang dana).")
            % {"id": text},
            field="payer",
        )
    return found


def payer_in_scope(*, user: User, virtual_account: str) -> PayerAccount:
    found = payers_in_scope(user).filter(virtual_account=virtual_account).first()
    if found is None:
        raise PayerNotFound(_("Pembayar tidak ditemukan."), field="virtual_account")
    return found


def payments_in_scope(
    *,
    user: User,
    q: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Payment]:
    """Payments ``user`` may see, newest first; ``q`` matches the reference or the payer's VA, NPP,
    KPJ number or sponsor code exactly."""
    qs = scope_queryset(user, Payment.objects.all()).select_related(
        "payer__employer", "payer__participant__person", "payer__sponsor"
    )
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(reference=q)
            | Q(payer__virtual_account=q)
            | Q(payer__employer__npp=q)
            | Q(payer__participant__kpj_number=q)
            | Q(payer__sponsor__code=q)
        )
    if date_from is not None:
        qs = qs.filter(paid_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(paid_on__lte=date_to)
    return qs.order_by("-paid_on", "-id")


def record_payment_list_view(*, user: User, context: dict[str, Any]) -> None:
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        object_type=Payment._meta.label,
        object_repr="daftar pembayaran",
        changes=context,
    )


@dataclass
class PayerDetail:
    payer: PayerAccount
    bills: list[Bill]
    bills_total: int
    outstanding: int
    open_bills: int
    payments: list[Payment]
    payments_total: int
    allocations: list[Allocation]
    unbilled_fines: list[Fine]
    #: Payments moved from this payer to another (payments.reverse_payment with move_to).
    moved_away: list[PaymentReversal] = field(default_factory=list)


#: Rows of each kind shown on a payer's page (newest first).
PAYER_PAGE_ROWS = 24


def payer_detail(*, user: User, virtual_account: str, rows: int = PAYER_PAGE_ROWS) -> PayerDetail:
    """A payer's money: recent bills with status, payments, allocations, credit, unbilled fines.
    PayerNotFound outside the user's scope; the read is audited (VIEW)."""
    payer = payer_in_scope(user=user, virtual_account=virtual_account)
    bills_qs = Bill.objects.filter(payer=payer)
    totals = bills_qs.filter(~Q(status=Bill.Status.PAID)).aggregate(
        n=Count("id"), open=Sum("amount"), paid=Sum("paid_amount")
    )
    bills = list(bills_qs.order_by("-month", "-id")[:rows])
    payments = list(payer.payments.select_related("reversed_by").order_by("-paid_on", "-id")[:rows])
    moved_away = list(
        PaymentReversal.objects.filter(payer=payer, moved_to__isnull=False)
        .select_related("payment", "moved_to", "actor")
        .order_by("-created_at", "-id")[:rows]
    )
    allocations = list(
        Allocation.objects.filter(bill__payer=payer)
        .select_related("payment", "bill")
        .order_by("-allocated_on", "-id")[:rows]
    )
    fines = list(
        Fine.objects.filter(bill__payer=payer, billed_line__isnull=True)
        .select_related("bill")
        .order_by("assessed_on", "id")
    )
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        obj=payer,
        changes={"virtual_account": payer.virtual_account},
    )
    return PayerDetail(
        payer=payer,
        bills=bills,
        bills_total=bills_qs.count(),
        outstanding=int(totals["open"] or 0) - int(totals["paid"] or 0),
        open_bills=int(totals["n"] or 0),
        payments=payments,
        payments_total=payer.payments.count(),
        allocations=allocations,
        unbilled_fines=fines,
        moved_away=moved_away,
    )


def advance_membership(payer: PayerAccount) -> Membership | None:
    """The active BPU self-paid membership of a participant payer (who may pay in advance)."""
    if payer.participant_id is None:
        return None
    return (
        Membership.objects.filter(
            participant_id=payer.participant_id,
            segment=Membership.Segment.BPU,
            payer=Membership.Payer.SELF,
            end_date__isnull=True,
        )
        .order_by("-start_date")
        .first()
    )
