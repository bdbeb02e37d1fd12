"""JHT (Jaminan Hari Tua) individual accounts: credits from paid contributions, debits for claims,
and the yearly development returns (hasil pengembangan) declared by BPJS.

A participant has one account (one KPJ number for life). ``JhtCredit`` rows come from the JHT
lines (employer + worker, or the participant's own) of *paid* bills, one per membership and
contribution month, dated at the bill's ``paid_on``: ``jaminan jht credit`` writes them in SQL and
is idempotent. ``JhtDebit`` rows are the withdrawals paid by claims, one per claim reference.
The balance is computed by the rules (``jht.balance``), never stored: see ``selectors.balance``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: A percent written as a decimal string: ``7.19``, ``5``, ``0.5``.
PERCENT_PATTERN = r"^[0-9]{1,2}(\.[0-9]{1,4})?$"


class Confidence(models.TextChoices):
    HIGH = "high", _("tinggi")
    MEDIUM = "medium", _("sedang")
    LOW = "low", _("rendah")


class JhtAccount(models.Model):
    """The JHT account of one participant.

    ``opening_balance`` on ``opening_date`` carries a balance from before this system (a migrated
    Jamsostek/BPJS balance); when it is not 0, credits and debits dated before ``opening_date`` are
    part of it and are left out of the balance. A new account opens with 0 on the participant's
    registration date, and then every credit counts.
    """

    participant = models.OneToOneField(
        "registry.Participant", on_delete=models.PROTECT, related_name="jht_account"
    )
    opening_balance = models.BigIntegerField(_("saldo awal (Rp)"), default=0)
    opening_date = models.DateField(_("tanggal saldo awal"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant"]
        verbose_name = _("akun JHT")
        verbose_name_plural = _("akun JHT")
        constraints = [
            models.CheckConstraint(
                condition=Q(opening_balance__gte=0), name="jht_opening_balance_ge_0"
            )
        ]

    def __str__(self) -> str:
        return f"JHT {self.participant_id}"


class JhtCredit(models.Model):
    """The JHT money of one membership for one contribution month, credited when its bill was paid."""

    account = models.ForeignKey(JhtAccount, on_delete=models.PROTECT, related_name="credits")
    membership = models.ForeignKey(
        "registry.Membership", on_delete=models.PROTECT, related_name="jht_credits"
    )
    bill = models.ForeignKey(
        "contributions.Bill", on_delete=models.PROTECT, related_name="jht_credits"
    )
    month = models.DateField(_("bulan iuran"))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    credited_on = models.DateField(_("dikreditkan"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "credited_on", "month", "id"]
        verbose_name = _("kredit JHT")
        verbose_name_plural = _("kredit JHT")
        indexes = [models.Index(fields=["account", "credited_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "month"], name="jht_credit_one_per_membership_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="jht_credit_month_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="jht_credit_amount_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


class JhtDebit(models.Model):
    """A withdrawal paid by a claim: the whole balance, or the one partial withdrawal (10% or 30%)."""

    class Kind(models.TextChoices):
        FULL = "full", _("seluruhnya")
        PARTIAL = "partial", _("sebagian")

    account = models.ForeignKey(JhtAccount, on_delete=models.PROTECT, related_name="debits")
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    reason = models.CharField(_("alasan"), max_length=20)
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    debited_on = models.DateField(_("tanggal"))
    claim_ref = models.CharField(
        _("referensi klaim"),
        max_length=64,
        unique=True,
        help_text=_("Satu penarikan per klaim: referensi yang sama tidak didebet dua kali."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "debited_on", "id"]
        verbose_name = _("penarikan JHT")
        verbose_name_plural = _("penarikan JHT")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="jht_debit_amount_gt_0"),
            # PP 46/2015 Pasal 22(4)-(6): the partial withdrawal is taken once.
            models.UniqueConstraint(
                fields=["account"], condition=Q(kind="partial"), name="jht_one_partial_withdrawal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_ref}: {self.amount}"


class JhtReturnRate(models.Model):
    """The development return BPJS declared for a year (PP 46/2015 Pasal 22(2)-(3), 27), in percent.

    Only published values are entered, each with its source and confidence; a year without a row
    is shown as not declared (regulations.md §9, §14 item 9). Edited in the admin (audited).
    """

    year = models.PositiveSmallIntegerField(_("tahun"), unique=True)
    percent = models.CharField(
        _("hasil pengembangan (%)"),
        max_length=8,
        help_text=_("Persen sebagai angka desimal, mis. 7.19"),
    )
    source = models.CharField(_("sumber"), max_length=300)
    confidence = models.CharField(_("tingkat keyakinan"), max_length=6, choices=Confidence.choices)
    note = models.TextField(_("catatan"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("hasil pengembangan JHT")
        verbose_name_plural = _("hasil pengembangan JHT")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__regex=PERCENT_PATTERN), name="jht_return_percent_decimal"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1977, year__lte=2100), name="jht_return_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.percent}%"
