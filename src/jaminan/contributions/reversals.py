"""Reversing (cancelling) or moving a wrongly posted payment: ``reverse_payment``.

A payment posted to the wrong payer (a mistyped virtual account, a bank line matched to the wrong
payer) or one that never arrived (a bounced transfer, a manual entry typed twice) is undone in one
transaction, under the row locks of the payer(s) involved (taken in order of pk):

- every live allocation of the payment (also those made later from its credit) is undone: the
  allocation keeps its row, pointing to the ``PaymentReversal`` that undid it, and counts nowhere
  (``Allocation.objects`` are the live ones); the bills' paid amounts go down and their status and
  paid-on date follow the amounts (open / partly paid; no paid-on date unless paid);
- each undone allocation's fine is cancelled (deleted: an unbilled fine has no posting and the
  billing run carries only the fines that exist). A fine already billed on a bill line cannot be
  taken back here: the whole reversal is refused, naming that bill (no half state);
- the payment's unallocated money leaves the payer's credit;
- the ledger gets one ``reversal`` entry mirroring the payment and its undone allocations with
  opposite signs (receivable back, credit back, then cash out — or, for a move, the new payer's
  credit in);
- without ``move_to`` the payment is marked reversed (``reversed_at``, ``reversed_by``,
  ``reversal_reason``) and keeps its reference, so the same bank reference posted again is
  recognised and not stored again; with ``move_to`` the same payment (reference, amount, date)
  belongs to the other payer and is allocated there oldest first like a new payment;
- the first payer's other credit is then applied to the reopened bills (``_allocate``).

Who may: the roles that enter payments by hand (``WRITE_ROLES``), within their scope; a payer
outside it is not found.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.contributions.models import (
    Account,
    Allocation,
    Bill,
    BillLine,
    Fine,
    JournalEntry,
    PayerAccount,
    Payment,
    PaymentReversal,
    Posting,
)
from jaminan.contributions.payments import (
    PayerNotFound,
    PaymentError,
    User,
    _allocate,
    clean_reference,
)
from jaminan.geo.zones import institution_today

#: Who reverses or moves payments: those who enter them by hand (views_payments.WRITE_ROLES).
REVERSAL_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
REASON_MAX = 300


class PaymentAlreadyReversed(PaymentError):
    code = "already_reversed"
    status = 409


class FineAlreadyBilled(PaymentError):
    code = "fine_already_billed"
    status = 409


def payment_in_scope(*, user: User, reference: str) -> Payment:
    """The payment with this reference whose payer ``user`` may see (else PayerNotFound)."""
    found = (
        scope_queryset(user, Payment.objects.all())
        .select_related("payer")
        .filter(reference=clean_reference(reference))
        .first()
    )
    if found is None:
        raise PayerNotFound(_("Pembayaran tidak ditemukan."), field="reference")
    return found


def _in_scope(user: User, payer_id: int) -> bool:
    return scope_queryset(user, PayerAccount.objects.filter(pk=payer_id)).exists()


@transaction.atomic
def reverse_payment(
    *,
    payment: Payment,
    reason: str,
    actor: User,
    move_to: PayerAccount | None = None,
) -> PaymentReversal:
    """Undo ``payment`` at its payer (see the module docstring); with ``move_to`` the payment is
    then the other payer's and allocated there. Raises PaymentError (field ``reason``,
    ``move_to``), PaymentAlreadyReversed, FineAlreadyBilled, PayerNotFound (out of scope) or
    PermissionError (a role that may not)."""
    if role_of(actor) not in REVERSAL_ROLES:
        raise PermissionError(_("Peran Anda tidak berhak membatalkan pembayaran."))
    if not _in_scope(actor, payment.payer_id):
        raise PayerNotFound(_("Pembayaran tidak ditemukan."), field="reference")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise PaymentError(
            _("Alasan pembatalan wajib diisi."), field="reason", code="reason_required"
        )
    if len(reason) > REASON_MAX:
        raise PaymentError(
            _("Alasan pembatalan paling panjang %(n)s karakter.") % {"n": REASON_MAX},
            field="reason",
            code="reason_too_long",
        )
    if move_to is not None:
        if move_to.pk == payment.payer_id:
            raise PaymentError(
                _("Pembayaran sudah milik pembayar ini; pilih pembayar lain."),
                field="move_to",
                code="move_to_same",
            )
        if not _in_scope(actor, move_to.pk):
            raise PayerNotFound(_("Pembayar tujuan tidak ditemukan."), field="move_to")
    # Lock the payers in pk order, then read the payment again under the locks.
    ids = sorted({payment.payer_id} | ({move_to.pk} if move_to is not None else set()))
    locked = {
        p.pk: p for p in PayerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    current = Payment.objects.select_for_update().get(pk=payment.pk)
    if current.reversed_at is not None:
        raise PaymentAlreadyReversed(
            _("Pembayaran %(ref)s sudah dibatalkan.") % {"ref": current.reference},
            field="reference",
        )
    if current.payer_id != payment.payer_id:  # moved meanwhile: refuse rather than guess
        raise PaymentError(
            _("Pembayaran %(ref)s baru saja dipindahkan; muat ulang halaman.")
            % {"ref": current.reference},
            field="reference",
            code="payment_changed",
        )
    payer = locked[current.payer_id]
    target = locked[move_to.pk] if move_to is not None else None
    allocations = list(
        Allocation.objects.select_for_update().filter(payment=current).order_by("id")
    )
    fines = list(Fine.objects.filter(allocation__in=[a.pk for a in allocations]).order_by("id"))
    billed = [f for f in fines if f.billed_line_id is not None]
    if billed:
        line = BillLine.objects.filter(pk=int(billed[0].billed_line_id or 0)).first()
        other = Bill.objects.filter(pk=line.bill_id).first() if line is not None else None
        on_bill = other.number if other is not None else None
        raise FineAlreadyBilled(
            _(
                "Pembayaran %(ref)s tidak dapat dibatalkan: dendanya sudah ditagihkan pada tagihan "
                "%(bill)s. Batalkan atau koreksi tagihan itu lebih dahulu."
            )
            % {"ref": current.reference, "bill": on_bill or "?"},
            field="reference",
        )
    credit_before = payer.credit
    undone_total = sum(a.amount for a in allocations)
    unallocated = current.amount - undone_total
    today = institution_today()
    reversal = PaymentReversal.objects.create(
        payment=current,
        payer=payer,
        moved_to=target,
        reason=reason,
        actor=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
    )
    # Bills: take the undone money off, status and paid-on date from the amounts.
    per_bill: dict[int, int] = {}
    for a in allocations:
        per_bill[a.bill_id] = per_bill.get(a.bill_id, 0) + a.amount
    bills = {b.pk: b for b in Bill.objects.select_for_update().filter(pk__in=list(per_bill))}
    for bill_id, amount in per_bill.items():
        bill = bills[bill_id]
        bill.paid_amount -= amount
        if bill.amount > 0 and bill.paid_amount == bill.amount:
            bill.status = Bill.Status.PAID
        elif bill.paid_amount > 0:
            bill.status = Bill.Status.PARTLY_PAID
            bill.paid_on = None
        else:
            bill.status = Bill.Status.OPEN
            bill.paid_on = None
        bill.save(update_fields=["paid_amount", "status", "paid_on"])
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(reversal=reversal)
    Fine.objects.filter(pk__in=[f.pk for f in fines]).delete()
    # Ledger: the mirror of the payment and its allocations.
    entry = JournalEntry.objects.create(
        kind=JournalEntry.Kind.REVERSAL,
        date=today,
        payment=current,
        memo=(f"Pembatalan pembayaran {current.reference}")[:200],
    )
    postings: list[Posting] = []
    for a in allocations:
        postings += [
            Posting(entry=entry, account=Account.RECEIVABLE, payer=payer, amount=a.amount),
            Posting(entry=entry, account=Account.PAYER_CREDIT, payer=payer, amount=-a.amount),
        ]
    postings.append(
        Posting(entry=entry, account=Account.PAYER_CREDIT, payer=payer, amount=current.amount)
    )
    if target is None:
        postings.append(Posting(entry=entry, account=Account.CASH, amount=-current.amount))
    else:
        postings.append(
            Posting(entry=entry, account=Account.PAYER_CREDIT, payer=target, amount=-current.amount)
        )
    Posting.objects.bulk_create(postings)
    # The payer's credit: the undone allocations come back, then the payment's money leaves.
    payer.credit = payer.credit + undone_total - current.amount
    payer.save(update_fields=["credit"])
    assert payer.credit >= 0, "payer credit below the payment's unallocated money"
    if target is None:
        current.reversed_at = timezone.now()
        current.reversed_by = reversal.actor
        current.reversal_reason = reason
        current.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    else:
        current.payer = target
        current.save(update_fields=["payer"])
    # The first payer's other credit covers its reopened bills (oldest first).
    reapplied = _allocate(payer, today)
    moved: dict[str, Any] = {}
    if target is not None:
        target_before = target.credit
        target.credit += current.amount
        target.save(update_fields=["credit"])
        placed = _allocate(target, current.paid_on)
        moved = {
            "moved_to": target.virtual_account,
            "target_credit_before": target_before,
            "target_credit_after": target.credit,
            "target": placed.audit_summary(),
        }
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        obj=current,
        changes={
            "reversal": reversal.pk,
            "reference": current.reference,
            "payer": payer.virtual_account,
            "reason": reason,
            "amount": current.amount,
            "unallocated": unallocated,
            "allocations_undone": [[a.pk, a.bill_id, a.amount] for a in allocations],
            "fines_cancelled": [[f.pk, f.bill_id, f.amount] for f in fines],
            "credit_before": credit_before,
            "credit_after": payer.credit,
            "credit_reapplied": reapplied.audit_summary(),
            **moved,
        },
    )
    payment.refresh_from_db()
    return reversal
