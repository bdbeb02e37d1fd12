"""Writes of JHT: accounts, crediting paid contributions (set-based, idempotent), the withdrawal
conditions and the withdrawal itself. Keyword-only, atomic, audited.

Claims (``jaminan.claims``) call ``full_withdrawal_amount`` / ``partial_withdrawal_amount`` to
assess a JHT claim (an :class:`Entitlement` with the amount, the facts and the rules' trace) and
``withdraw`` to pay it (one ``JhtDebit`` per claim reference).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.contributions.models import Bill, BillLine
from jaminan.geo.zones import institution_today
from jaminan.jht import selectors
from jaminan.jht.errors import Conflict, InvalidValue, ReturnRateMissing, WithdrawalNotAllowed
from jaminan.jht.models import JhtAccount, JhtCredit, JhtDebit
from jaminan.registry.models import Membership, Participant
from jaminan.rules import parameters
from jaminan.rules.core import add_months, half_up

User = AbstractBaseUser | AnonymousUser | None


class Reason:
    """Reasons for withdrawing the whole balance (PP 46/2015 Pasal 22, 26 as amended by PP 60/2015;
    Permenaker 4/2022)."""

    RESIGNATION = "resignation"
    DISMISSAL = "dismissal"
    CONTRACT_END = "contract_end"
    RETIREMENT = "retirement"
    DEATH = "death"
    TOTAL_DISABILITY = "total_disability"
    MOVED_ABROAD = "moved_abroad"

    ALL = (
        RESIGNATION,
        DISMISSAL,
        CONTRACT_END,
        RETIREMENT,
        DEATH,
        TOTAL_DISABILITY,
        MOVED_ABROAD,
    )


#: The membership end reason a full-withdrawal reason needs on the latest ended JHT membership.
END_REASON = {
    Reason.RESIGNATION: Membership.EndReason.RESIGNED,
    Reason.DISMISSAL: Membership.EndReason.DISMISSED,
    Reason.CONTRACT_END: Membership.EndReason.CONTRACT_ENDED,
    Reason.MOVED_ABROAD: Membership.EndReason.MOVED_ABROAD,
}
#: Reasons paid only after the waiting period (``jht.claim_waiting_months``).
WAITING_REASONS = frozenset({Reason.RESIGNATION, Reason.DISMISSAL})
#: Partial withdrawal share (percent) → its parameter (PP 46/2015 Pasal 22(5)-(6)).
PARTIAL_SHARES = {
    10: "jht.partial_withdrawal_other_max",
    30: "jht.partial_withdrawal_housing_max",
}


@dataclass(frozen=True)
class Entitlement:
    """What a JHT claim may be paid: ``amount`` with the facts used and the rules' trace."""

    kind: str  # "full" | "partial"
    reason: str
    amount: int
    balance: int
    facts: dict[str, Any]
    trace: list[Any] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ accounts


@transaction.atomic
def ensure_account(*, participant: Participant, actor: User = None) -> JhtAccount:
    """The participant's account, opened (balance 0 on the registration date) when missing."""
    account, created = JhtAccount.objects.get_or_create(
        participant=participant, defaults={"opening_date": participant.registered_on}
    )
    if created:
        audit.record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            obj=account,
            changes={"participant": participant.pk, "opening_date": account.opening_date},
        )
    return account


# --------------------------------------------------------------------------------------- crediting


@dataclass(frozen=True)
class CreditTotals:
    until: date
    accounts_opened: int
    credits: int
    amount: int
    credits_total: int
    amount_total: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "until": self.until.isoformat(),
            "accounts_opened": self.accounts_opened,
            "credits": self.credits,
            "amount": self.amount,
            "credits_total": self.credits_total,
            "amount_total": self.amount_total,
        }


def _tables() -> dict[str, str]:
    return {
        "line": BillLine._meta.db_table,
        "bill": Bill._meta.db_table,
        "mem": Membership._meta.db_table,
        "part": Participant._meta.db_table,
        "acc": JhtAccount._meta.db_table,
        "credit": JhtCredit._meta.db_table,
    }


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _credit_totals(until: date) -> tuple[int, int]:
    """Credits dated on or before ``until``: count and amount."""
    totals = JhtCredit.objects.filter(credited_on__lte=until).aggregate(
        n=Count("id"), amount=Sum("amount")
    )
    return int(totals["n"] or 0), int(totals["amount"] or 0)


@transaction.atomic
def credit_contributions(*, until: date | None = None, actor: User = None) -> CreditTotals:
    """Credit the JHT lines of every bill paid on or before ``until`` (default today) that are not
    credited yet: one ``JhtCredit`` per membership and contribution month, dated at the bill's
    ``paid_on``, opening missing accounts. Two ``INSERT … SELECT`` statements; running again credits
    nothing more (``NOT EXISTS`` and the unique (membership, month) constraint)."""
    until = until or institution_today()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    t = _tables()
    before = _credit_totals(until)
    joins = (
        f"FROM {t['line']} l JOIN {t['bill']} b ON b.id = l.bill_id "
        f"JOIN {t['mem']} m ON m.id = l.membership_id"
    )
    paid_jht = (
        "l.program = 'JHT' AND l.kind = 'contribution' AND b.status = 'paid' AND b.paid_on <= %s"
    )
    opened = _execute(
        f"""INSERT INTO {t["acc"]} (participant_id, opening_balance, opening_date, created_at)
            SELECT p.id, 0, p.registered_on, %s FROM {t["part"]} p
            WHERE EXISTS (SELECT 1 {joins} WHERE {paid_jht} AND m.participant_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM {t["acc"]} a WHERE a.participant_id = p.id)
            ON CONFLICT DO NOTHING""",
        [now, until],
    )
    credited = _execute(
        f"""INSERT INTO {t["credit"]}
                (account_id, membership_id, bill_id, month, amount, credited_on, created_at)
            SELECT a.id, l.membership_id, MIN(b.id), b.month, SUM(l.amount), MAX(b.paid_on), %s
            {joins} JOIN {t["acc"]} a ON a.participant_id = m.participant_id
            WHERE {paid_jht}
              AND NOT EXISTS (SELECT 1 FROM {t["credit"]} c
                              WHERE c.membership_id = l.membership_id AND c.month = b.month)
            GROUP BY a.id, l.membership_id, b.month
            ON CONFLICT DO NOTHING""",
        [now, until],
    )
    after = _credit_totals(until)
    result = CreditTotals(
        until=until,
        accounts_opened=opened,
        credits=credited,
        amount=after[1] - before[1],
        credits_total=after[0],
        amount_total=after[1],
    )
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        object_type=JhtCredit._meta.label,
        object_repr=_("kredit JHT s.d. %(until)s") % {"until": until.isoformat()},
        changes=result.as_dict(),
    )
    return result


# ------------------------------------------------------------------------------------- withdrawals


def _age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _jht_memberships(participant: Participant) -> list[Membership]:
    return list(
        Membership.objects.filter(participant=participant, has_jht=True).order_by(
            "-end_date", "-start_date", "-pk"
        )
    )


def _checked_balance(account: JhtAccount, on: date) -> selectors.Balance:
    found = selectors.balance(account, on=on)
    if found.missing_return_years:
        years = ", ".join(str(y) for y in found.missing_return_years)
        raise ReturnRateMissing(
            _(
                "Hasil pengembangan JHT tahun %(years)s belum ditetapkan; administrator perlu "
                "mengisinya sebelum saldo dapat dibayarkan."
            )
            % {"years": years},
            field="on",
        )
    if found.balance <= 0:
        raise WithdrawalNotAllowed(_("Saldo JHT kosong."), field="account", code="jht_no_balance")
    return found


def _check_reason(participant: Participant, on: date, reason: str) -> dict[str, Any]:
    """Check the conditions of ``reason`` on the record; the facts that satisfied them."""
    memberships = _jht_memberships(participant)
    active = [m for m in memberships if m.end_date is None or m.end_date > on]
    ended = [m for m in memberships if m.end_date is not None and m.end_date <= on]
    latest = ended[0] if ended else None
    facts: dict[str, Any] = {"reason": reason, "on": on.isoformat()}
    if latest is not None:
        facts.update(
            {
                "latest_membership": latest.pk,
                "latest_end_date": latest.end_date.isoformat() if latest.end_date else None,
                "latest_end_reason": latest.end_reason,
            }
        )
    if reason in END_REASON:
        if latest is None or latest.end_reason != END_REASON[reason]:
            raise WithdrawalNotAllowed(
                _("Kepesertaan JHT terakhir tidak berakhir dengan alasan “%(reason)s”.")
                % {"reason": Membership.EndReason(END_REASON[reason]).label},
                field="reason",
                code="jht_reason_mismatch",
            )
        if active:
            raise WithdrawalNotAllowed(
                _("Peserta masih memiliki kepesertaan JHT aktif."),
                field="reason",
                code="jht_still_active",
            )
        if reason in WAITING_REASONS:
            assert latest.end_date is not None
            months = int(parameters.get("jht.claim_waiting_months", on, fact="on").value)
            claimable = add_months(latest.end_date, months)
            facts["claimable_from"] = claimable.isoformat()
            facts["waiting_months"] = months
            if on < claimable:
                raise WithdrawalNotAllowed(
                    _(
                        "Masa tunggu %(months)s bulan belum lewat: klaim dapat diajukan mulai %(date)s."
                    )
                    % {"months": months, "date": claimable.isoformat()},
                    field="on",
                    code="jht_waiting_period",
                )
    elif reason == Reason.RETIREMENT:
        retirement_age = int(parameters.get("jht.retirement_age", on, fact="on").value)
        age = _age_on(participant.person.birth_date, on)
        facts.update({"age": age, "retirement_age": retirement_age})
        retired = latest is not None and latest.end_reason == Membership.EndReason.RETIRED
        if age < retirement_age and not retired:
            raise WithdrawalNotAllowed(
                _("Peserta belum mencapai usia pensiun %(age)s tahun.") % {"age": retirement_age},
                field="reason",
                code="jht_below_retirement_age",
            )
    elif reason == Reason.DEATH:
        death = participant.person.death_date
        if death is None or death > on:
            raise WithdrawalNotAllowed(
                _("Peserta tidak tercatat meninggal dunia."),
                field="reason",
                code="jht_not_deceased",
            )
        facts["death_date"] = death.isoformat()
    elif reason == Reason.TOTAL_DISABILITY:
        facts["evidence"] = "medical statement verified with the claim's documents"
    else:
        raise InvalidValue(
            _("Alasan penarikan tidak dikenal: %(reasons)s.") % {"reasons": ", ".join(Reason.ALL)},
            field="reason",
        )
    return facts


def full_withdrawal_amount(account: JhtAccount, on: date, reason: str) -> Entitlement:
    """The whole balance on ``on`` when ``reason``'s conditions hold on the record:
    resignation or dismissal after the waiting period (``jht.claim_waiting_months``), end of
    contract, leaving Indonesia (the latest ended JHT membership says so and none is active),
    retirement age (``jht.retirement_age``, or a membership ended by retirement), death, total
    permanent disability (certified by the claim's documents). Raises WithdrawalNotAllowed (with a
    code per condition), ReturnRateMissing, InvalidValue."""
    participant = Participant.objects.select_related("person").get(pk=account.participant_id)
    facts = _check_reason(participant, on, reason)
    found = _checked_balance(account, on)
    return Entitlement(
        kind=JhtDebit.Kind.FULL,
        reason=reason,
        amount=found.balance,
        balance=found.balance,
        facts={**facts, "balance": found.balance, "jht.balance": found.facts},
        trace=found.trace,
    )


def partial_withdrawal_amount(account: JhtAccount, on: date, share: int) -> Entitlement:
    """10% (any need) or 30% (housing) of the balance on ``on``, once, after ten years of membership
    (PP 46/2015 Pasal 22(4)-(6)); membership counts from the first JHT membership's start."""
    if isinstance(share, bool) or share not in PARTIAL_SHARES:
        raise InvalidValue(_("Bagian penarikan sebagian harus 10 atau 30 (persen)."), field="share")
    if JhtDebit.objects.filter(account=account, kind=JhtDebit.Kind.PARTIAL).exists():
        raise WithdrawalNotAllowed(
            _("Penarikan sebagian JHT sudah pernah diambil (hanya sekali)."),
            field="share",
            code="jht_partial_already_taken",
        )
    starts = list(
        Membership.objects.filter(participant_id=account.participant_id, has_jht=True)
        .order_by("start_date")
        .values_list("start_date", flat=True)[:1]
    )
    years = int(parameters.get("jht.partial_withdrawal_min_membership_years", on, fact="on").value)
    eligible_from = add_months(starts[0], 12 * years) if starts else None
    if eligible_from is None or on < eligible_from:
        raise WithdrawalNotAllowed(
            _("Masa kepesertaan JHT belum %(years)s tahun.") % {"years": years},
            field="on",
            code="jht_membership_too_short",
        )
    found = _checked_balance(account, on)
    rate = Decimal(parameters.get(PARTIAL_SHARES[share], on, fact="on").value)
    amount = half_up(rate * found.balance)
    return Entitlement(
        kind=JhtDebit.Kind.PARTIAL,
        reason="housing" if share == 30 else "other",
        amount=amount,
        balance=found.balance,
        facts={
            "share": share,
            "rate": str(rate),
            "membership_start": starts[0].isoformat(),
            "eligible_from": eligible_from.isoformat(),
            "balance": found.balance,
            "jht.balance": found.facts,
        },
        trace=found.trace,
    )


@transaction.atomic
def withdraw(
    account: JhtAccount,
    *,
    kind: str,
    amount: int,
    on: date,
    claim_ref: str,
    reason: str = "",
    actor: User = None,
) -> JhtDebit:
    """Record the withdrawal of ``amount`` paid by claim ``claim_ref``: at most one debit per claim
    (the same call again returns the same debit; a different one is a conflict), one partial
    withdrawal per account, never more than the balance on ``on``."""
    if kind not in JhtDebit.Kind.values:
        raise InvalidValue(_("Jenis penarikan harus full atau partial."), field="kind")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidValue(_("Jumlah penarikan harus bilangan bulat rupiah > 0."), field="amount")
    claim_ref = (claim_ref or "").strip()
    if not claim_ref or len(claim_ref) > 64:
        raise InvalidValue(_("Referensi klaim wajib diisi (paling panjang 64)."), field="claim_ref")
    account = JhtAccount.objects.select_for_update().get(pk=account.pk)
    existing = JhtDebit.objects.filter(claim_ref=claim_ref).first()
    if existing is not None:
        if (existing.account_id, existing.kind, existing.amount) == (account.pk, kind, amount):
            return existing
        raise Conflict(
            _("Referensi klaim %(ref)s sudah dipakai untuk penarikan lain.") % {"ref": claim_ref},
            field="claim_ref",
            code="jht_claim_ref_used",
        )
    if kind == JhtDebit.Kind.PARTIAL and account.debits.filter(kind=kind).exists():
        raise WithdrawalNotAllowed(
            _("Penarikan sebagian JHT sudah pernah diambil (hanya sekali)."),
            field="kind",
            code="jht_partial_already_taken",
        )
    available = selectors.balance(account, on=on).balance
    if amount > available:
        raise WithdrawalNotAllowed(
            _("Jumlah penarikan melebihi saldo JHT (%(balance)s).") % {"balance": available},
            field="amount",
            code="jht_insufficient_balance",
        )
    user = actor if actor is not None and actor.is_authenticated else None
    try:
        with transaction.atomic():
            debit = JhtDebit.objects.create(
                account=account,
                kind=kind,
                reason=reason[:20],
                amount=amount,
                debited_on=on,
                claim_ref=claim_ref,
                created_by=user,  # type: ignore[misc]
            )
    except IntegrityError as exc:
        raise Conflict(
            _("Penarikan untuk klaim ini sudah tercatat."), field="claim_ref", code="jht_duplicate"
        ) from exc
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        obj=debit,
        changes={**audit.model_changes(None, debit), "balance_before": available},
    )
    return debit
