"""JP (Jaminan Pensiun) pensions in payment, their yearly indexation, the three-monthly data
confirmation and the monthly pension roll (PP 45/2015).

A ``Pension`` is one monthly benefit to one beneficiary: the participant (old age, disability) or a
survivor (widow/widower, child, parent). The roll (``jaminan pensions pay --month YYYY-MM``) writes
one ``PensionPayment`` per pension and month in SQL; the unique (pension, month) constraint makes a
second run pay nothing more. ``InflationRate`` is the yearly general inflation that indexes
pensions in payment (PP 45/2015 Pasal 17(1)b, 17(4)) and adjusts past wages (Pasal 17(3)).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaminan.jht.models import Confidence

PERCENT_PATTERN = r"^-?[0-9]{1,2}(\.[0-9]{1,4})?$"


class InflationRate(models.Model):
    """General inflation of a calendar year (BPS, December year on year), in percent.

    A pension in payment is multiplied by (1 + inflation of year Y − 1) from January of year Y
    (PP 45/2015 Pasal 17(1)b, 17(4)); past wages are brought forward with it (Pasal 17(3)). Values
    come from regulations.md §8.5 with their sources; an administrator adds each new year (audited).
    """

    year = models.PositiveSmallIntegerField(_("tahun inflasi"), unique=True)
    percent = models.CharField(
        _("inflasi (%)"), max_length=8, help_text=_("Persen sebagai angka desimal, mis. 2.61")
    )
    source = models.CharField(_("sumber"), max_length=300)
    confidence = models.CharField(_("tingkat keyakinan"), max_length=6, choices=Confidence.choices)
    note = models.TextField(_("catatan"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("inflasi untuk indeksasi JP")
        verbose_name_plural = _("inflasi untuk indeksasi JP")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__regex=PERCENT_PATTERN), name="jp_inflation_percent_decimal"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="jp_inflation_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.percent}%"


class Pension(models.Model):
    class Kind(models.TextChoices):
        OLD_AGE = "old_age", _("pensiun hari tua")
        DISABILITY = "disability", _("pensiun cacat")
        WIDOW = "widow", _("pensiun janda/duda")
        CHILD = "child", _("pensiun anak")
        PARENT = "parent", _("pensiun orang tua")

    class Status(models.TextChoices):
        ACTIVE = "active", _("dibayar")
        SUSPENDED = "suspended", _("ditangguhkan")
        ENDED = "ended", _("berakhir")

    participant = models.ForeignKey(
        "registry.Participant", on_delete=models.PROTECT, related_name="pensions"
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    beneficiary_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("penerima"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pensions_received",
    )
    beneficiary_dependant = models.ForeignKey(
        "registry.Dependant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pensions",
    )
    beneficiary_name = models.CharField(_("nama penerima"), max_length=150)
    office = models.ForeignKey(
        "geo.Office", verbose_name=_("kantor cabang"), on_delete=models.PROTECT, related_name="+"
    )
    base_amount = models.BigIntegerField(_("manfaat tahun pertama (Rp)"))
    monthly_amount = models.BigIntegerField(_("manfaat bulanan (Rp)"))
    indexed_year = models.PositiveSmallIntegerField(
        _("tahun manfaat"), help_text=_("Tahun yang berlaku untuk manfaat bulanan saat ini.")
    )
    start_month = models.DateField(_("bulan mulai"))
    end_month = models.DateField(_("bulan terakhir"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    end_reason = models.CharField(_("alasan berakhir"), max_length=40, blank=True)
    last_confirmed_on = models.DateField(_("konfirmasi data terakhir"))
    suspended_since = models.DateField(_("ditangguhkan sejak bulan"), null=True, blank=True)
    arrears_from = models.DateField(
        _("rapel sejak bulan"),
        null=True,
        blank=True,
        help_text=_(
            "Bulan-bulan sejak bulan ini yang belum dibayar dibayar pada proses berikutnya."
        ),
    )
    claim_ref = models.CharField(_("referensi klaim"), max_length=64, blank=True)
    facts = models.JSONField(_("fakta dan jejak perhitungan"), default=dict, blank=True)
    awarded_on = models.DateField(_("ditetapkan"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant", "kind", "id"]
        verbose_name = _("pensiun")
        verbose_name_plural = _("pensiun")
        indexes = [models.Index(fields=["status", "start_month"])]
        constraints = [
            models.CheckConstraint(condition=Q(start_month__day=1), name="pension_start_first"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__day=1), name="pension_end_first"
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0) & Q(base_amount__gte=0),
                name="pension_amount_ge_0",
            ),
            models.UniqueConstraint(
                fields=["claim_ref", "kind", "beneficiary_name"],
                condition=~Q(claim_ref=""),
                name="pension_one_per_claim_beneficiary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.beneficiary_name}"


class DataConfirmation(models.Model):
    """The beneficiary confirmed being alive and entitled (PP 45/2015 Pasal 26: every 3 months)."""

    class Channel(models.TextChoices):
        BRANCH = "branch", _("kantor cabang")
        ONLINE = "online", _("daring")
        BANK = "bank", _("bank penyalur")

    pension = models.ForeignKey(Pension, on_delete=models.PROTECT, related_name="confirmations")
    confirmed_on = models.DateField(_("tanggal konfirmasi"))
    channel = models.CharField(_("saluran"), max_length=8, choices=Channel.choices)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-confirmed_on", "-id"]
        verbose_name = _("konfirmasi data")
        verbose_name_plural = _("konfirmasi data")

    def __str__(self) -> str:
        return f"{self.pension_id} {self.confirmed_on}"


class PensionRun(models.Model):
    """One execution of the roll for a month, with its control totals. At most one runs per month."""

    class Status(models.TextChoices):
        RUNNING = "running", _("berjalan")
        COMPLETED = "completed", _("selesai")
        FAILED = "failed", _("gagal")

    month = models.DateField(_("bulan"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    holder = models.CharField(_("dijalankan oleh"), max_length=200)
    reason = models.CharField(_("alasan"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("mulai"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    totals = models.JSONField(_("total kendali"), default=dict, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("proses pembayaran pensiun")
        verbose_name_plural = _("proses pembayaran pensiun")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="pension_run_month_first"),
            models.UniqueConstraint(
                fields=["month"], condition=Q(status="running"), name="pension_run_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_status_display()}"


class PensionPayment(models.Model):
    """The pension of one month, paid once."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("bulanan")
        ARREARS = "arrears", _("rapel")

    pension = models.ForeignKey(Pension, on_delete=models.PROTECT, related_name="payments")
    month = models.DateField(_("bulan manfaat"))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    run = models.ForeignKey(PensionRun, on_delete=models.PROTECT, related_name="payments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pension", "month"]
        verbose_name = _("pembayaran pensiun")
        verbose_name_plural = _("pembayaran pensiun")
        indexes = [models.Index(fields=["month"])]
        constraints = [
            models.UniqueConstraint(fields=["pension", "month"], name="pension_paid_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="pension_payment_month_first"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pension_payment_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.pension_id} {self.month:%Y-%m}: {self.amount}"
