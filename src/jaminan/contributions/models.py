"""Contributions: payers, sponsors and their programs, billing runs, bills and their lines, payments
and their allocation, fines, and the double-entry ledger. Money is whole rupiah in BigIntegerField.

Who pays a bill is a ``PayerAccount``: an employer (PU, and the contractor of a construction
project), a participant (BPU self-payers, PMI) or a sponsor (regional governments, villages,
donors, Bapak Asuh, CSR) paying for named BPU beneficiaries. Each payer has one virtual-account
number; payments arrive on it and are allocated to the payer's oldest open bills.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaminan.registry.models import PROGRAMS


def first_of_month_check(field: str, name: str) -> models.CheckConstraint:
    """The stored date is the first day of its month (a contribution month)."""
    return models.CheckConstraint(condition=Q(**{f"{field}__day": 1}), name=name)


class Sponsor(models.Model):
    """A third party paying contributions for named vulnerable workers."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("pemerintah provinsi (APBD)")
        REGENCY = "regency", _("pemerintah kabupaten/kota (APBD)")
        VILLAGE = "village", _("pemerintah desa (APBDes)")
        INDIVIDUAL = "individual", _("donatur perorangan")
        BAPAK_ASUH = "bapak_asuh", _("Bapak Asuh (ASN)")
        CSR = "csr", _("perusahaan (CSR)")
        OTHER = "other", _("lainnya")

    #: Kinds whose contributions are paid from APBN/APBD, excluded from the PP 50/2025 BPU discount
    #: (PP 50/2025 Pasal 4). Village funds (APBDes) are read as not APBD: docs/rules-readings.md.
    GOVERNMENT_FUNDED = frozenset({Kind.PROVINCE, Kind.REGENCY})

    code = models.CharField(
        _("kode"),
        max_length=40,
        unique=True,
        help_text=_("Kode unik penyandang dana, dipakai juga untuk akun pengguna penyandang dana."),
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=200)
    regency = models.ForeignKey(
        "geo.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsors",
    )
    office = models.ForeignKey(
        "geo.Office",
        verbose_name=_("kantor cabang"),
        on_delete=models.PROTECT,
        related_name="sponsors",
    )
    contact_name = models.CharField(_("nama kontak"), max_length=150, blank=True)
    contact_phone = models.CharField(_("telepon kontak"), max_length=20, blank=True)
    contact_email = models.EmailField(_("surel kontak"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("penyandang dana")
        verbose_name_plural = _("penyandang dana")

    def __str__(self) -> str:
        return self.name

    @property
    def government_funded(self) -> bool:
        return self.kind in self.GOVERNMENT_FUNDED


class SponsorshipProgram(models.Model):
    """A sponsor's program: a period, a budget ceiling and named BPU beneficiaries (JKK + JKM)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("berjalan")
        ENDED = "ended", _("selesai")
        CANCELLED = "cancelled", _("dibatalkan")

    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(_("nama program"), max_length=200)
    start_month = models.DateField(_("bulan mulai"))
    end_month = models.DateField(_("bulan terakhir"))
    budget_ceiling = models.BigIntegerField(_("pagu anggaran (Rp)"))
    declared_income = models.BigIntegerField(
        _("penghasilan yang dilaporkan (Rp)"),
        help_text=_("Dasar iuran BPU tiap penerima; bawaan: tingkat penghasilan terendah."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_month", "name"]
        verbose_name = _("program penyandang dana")
        verbose_name_plural = _("program penyandang dana")
        constraints = [
            first_of_month_check("start_month", "program_start_first_of_month"),
            first_of_month_check("end_month", "program_end_first_of_month"),
            models.CheckConstraint(
                condition=Q(end_month__gte=models.F("start_month")), name="program_months_ordered"
            ),
            models.CheckConstraint(condition=Q(budget_ceiling__gte=0), name="program_budget_ge_0"),
            models.CheckConstraint(condition=Q(declared_income__gt=0), name="program_income_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name


class Beneficiary(models.Model):
    """A named worker covered by a sponsorship program: a BPU membership whose payer is the sponsor."""

    program = models.ForeignKey(
        SponsorshipProgram, on_delete=models.PROTECT, related_name="beneficiaries"
    )
    membership = models.OneToOneField(
        "registry.Membership", on_delete=models.PROTECT, related_name="sponsorship"
    )
    enrolled_on = models.DateField(_("didaftarkan"))

    class Meta:
        ordering = ["program", "id"]
        verbose_name = _("penerima manfaat")
        verbose_name_plural = _("penerima manfaat")

    def __str__(self) -> str:
        return f"{self.program}: {self.membership_id}"


class PayerAccount(models.Model):
    """Who pays bills: one employer, one participant or one sponsor, with a virtual account."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("pemberi kerja")
        PARTICIPANT = "participant", _("peserta")
        SPONSOR = "sponsor", _("penyandang dana")

    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    employer = models.OneToOneField(
        "registry.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payer_account",
    )
    participant = models.OneToOneField(
        "registry.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payer_account",
    )
    sponsor = models.OneToOneField(
        Sponsor, on_delete=models.PROTECT, null=True, blank=True, related_name="payer_account"
    )
    office = models.ForeignKey(
        "geo.Office", verbose_name=_("kantor cabang"), on_delete=models.PROTECT, related_name="+"
    )
    virtual_account = models.CharField(_("nomor virtual account"), max_length=16, unique=True)
    credit = models.BigIntegerField(
        _("saldo kredit (Rp)"),
        default=0,
        help_text=_("Kelebihan bayar yang belum dialokasikan; dipakai tagihan berikutnya."),
    )

    class Meta:
        ordering = ["virtual_account"]
        verbose_name = _("akun pembayar")
        verbose_name_plural = _("akun pembayar")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="employer", employer__isnull=False, participant__isnull=True)
                & Q(sponsor__isnull=True)
                | Q(kind="participant", participant__isnull=False, employer__isnull=True)
                & Q(sponsor__isnull=True)
                | Q(kind="sponsor", sponsor__isnull=False, employer__isnull=True)
                & Q(participant__isnull=True),
                name="payer_one_party",
            ),
            models.CheckConstraint(condition=Q(credit__gte=0), name="payer_credit_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.virtual_account} {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.employer is not None:
            return str(self.employer.name)
        if self.participant is not None:
            return str(self.participant.person.name)
        if self.sponsor is not None:
            return str(self.sponsor.name)
        return ""


class BillingRun(models.Model):
    """One execution of ``jaminan billing run`` for a month (optionally one office)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("berjalan")
        COMPLETED = "completed", _("selesai")
        FAILED = "failed", _("gagal")
        INTERRUPTED = "interrupted", _("terhenti")

    month = models.DateField(_("bulan iuran"))
    office = models.ForeignKey(
        "geo.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    holder = models.CharField(_("dijalankan oleh"), max_length=200)
    reason = models.CharField(_("alasan"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("mulai"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    chunks_total = models.PositiveIntegerField(_("jumlah bagian"), default=0)
    chunks_done = models.PositiveIntegerField(_("bagian selesai"), default=0)
    bills = models.BigIntegerField(_("tagihan dibuat"), default=0)
    lines = models.BigIntegerField(_("baris tagihan dibuat"), default=0)
    amount = models.BigIntegerField(_("jumlah (Rp)"), default=0)
    skipped = models.JSONField(_("dilewati"), default=dict, blank=True)
    #: Late bills the run made for earlier months: {"2026-10": {"KC-BALIKPAPAN": 3}}.
    late = models.JSONField(_("tagihan susulan"), default=dict, blank=True)
    #: Wages changed for months already billed, per month and office: memberships raised (billed
    #: on a correction bill), lowered (not refunded) and correction bills made:
    #: {"2026-01": {"KC-BALIKPAPAN": {"raised": 2, "lowered": 1, "bills": 1}}}.
    corrections = models.JSONField(_("selisih upah"), default=dict, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("proses penagihan")
        verbose_name_plural = _("proses penagihan")
        constraints = [first_of_month_check("month", "run_month_first_of_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_status_display()}"

    @property
    def late_bills(self) -> int:
        """Late bills made, all months and offices."""
        return sum(n for offices in self.late.values() for n in offices.values())

    @property
    def correction_totals(self) -> dict[str, int]:
        """Wage corrections, all months and offices: memberships raised and lowered, bills."""
        totals = {"raised": 0, "lowered": 0, "bills": 0}
        for offices in self.corrections.values():
            for counts in offices.values():
                for key in totals:
                    totals[key] += int(counts.get(key, 0))
        return totals


class BillingLock(models.Model):
    """At most one billing run per month at a time; holder and reason are visible to everyone."""

    month = models.DateField(_("bulan iuran"), unique=True)
    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="+")
    holder = models.CharField(_("pemegang"), max_length=200)
    reason = models.CharField(_("alasan"), max_length=300)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    acquired_at = models.DateTimeField(_("sejak"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("terakhir aktif"))

    class Meta:
        verbose_name = _("kunci penagihan")
        verbose_name_plural = _("kunci penagihan")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.holder}"


class BillingChunk(models.Model):
    """A finished part (one office) of a month's billing, with its control totals: a new run
    skips finished parts, which is what makes billing resumable."""

    month = models.DateField(_("bulan iuran"))
    office = models.ForeignKey("geo.Office", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, related_name="chunks")
    bills = models.BigIntegerField(default=0)
    lines = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(auto_now_add=True)
    #: Late additions (billing.py): memberships with a higher id, or registered on or after the
    #: day before ``checked_at``, are looked at again by later runs; the rest were billed. Wage
    #: corrections: wages changed on or after the day before ``checked_at`` likewise.
    membership_mark = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["month", "office"]
        constraints = [
            models.UniqueConstraint(fields=["month", "office"], name="chunk_one_per_month_office")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.office_id}"


class MonthRate(models.Model):
    """The rates a billing run used for one month, from ``jaminan.rules``, as integer fractions
    ``num / den`` (amount = half up of ``base × num / den``). Kept as the record of what was billed."""

    month = models.DateField()
    segment = models.CharField(max_length=5)
    risk_group = models.PositiveSmallIntegerField(default=0)  # PU: 1-5; others 0
    variant = models.PositiveSmallIntegerField(
        default=0
    )  # PU: labour-intensive 0/1; BPU: bit 0 transport, bit 1 government funded
    program = models.CharField(max_length=8)
    side = models.CharField(max_length=12)
    kind = models.CharField(max_length=12, default="contribution")
    num = models.BigIntegerField()
    den = models.BigIntegerField()
    cap = models.BigIntegerField(default=0)  # PU JP: wage cap; BPU: highest income tier; 0 = none
    floor = models.BigIntegerField(default=0)  # BPU: lowest income tier
    flat = models.BigIntegerField(default=0)  # BPU JKM: flat amount, base ignored

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "segment", "risk_group", "variant", "program", "side", "kind"],
                name="monthrate_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.month:%Y-%m} {self.segment} {self.program} {self.side}: {self.num}/{self.den}"
        )


class Bill(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("iuran bulanan")
        #: A month's contributions of memberships added after the month was billed (registered
        #: late, or back-dated): a separate bill for the same payer and month (billing.py).
        LATE = "late", _("iuran susulan")
        #: The difference a wage raised for a month already billed makes (selisih upah): a
        #: separate bill for the same payer and month (billing.py).
        CORRECTION = "correction", _("iuran selisih upah")
        JAKON = "jakon", _("iuran proyek jasa konstruksi")
        PMI = "pmi", _("iuran PMI")

    class Status(models.TextChoices):
        OPEN = "open", _("belum dibayar")
        PARTLY_PAID = "partly_paid", _("dibayar sebagian")
        PAID = "paid", _("lunas")

    KIND_CODES: dict[str, str] = {
        "monthly": "B",
        "late": "S",
        "correction": "U",
        "jakon": "K",
        "pmi": "M",
    }

    payer = models.ForeignKey(PayerAccount, on_delete=models.PROTECT, related_name="bills")
    # No index of its own: the (office, month) index below serves lookups by office.
    office = models.ForeignKey(
        "geo.Office",
        verbose_name=_("kantor cabang"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    month = models.DateField(_("bulan iuran"))
    segment = models.CharField(_("segmen"), max_length=5)
    project = models.OneToOneField(
        "registry.ConstructionProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bill",
    )
    pmi_membership = models.OneToOneField(
        "registry.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pmi_bill",
    )
    due_date = models.DateField(_("jatuh tempo"))
    amount = models.BigIntegerField(_("jumlah tagihan (Rp)"), default=0)
    paid_amount = models.BigIntegerField(_("sudah dibayar (Rp)"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    paid_on = models.DateField(_("tanggal lunas"), null=True, blank=True)
    run = models.ForeignKey(
        BillingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("diterbitkan"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "payer"]
        verbose_name = _("tagihan")
        verbose_name_plural = _("tagihan")
        indexes = [
            models.Index(fields=["office", "month"]),
            models.Index(
                fields=["payer", "month"],
                condition=~Q(status="paid"),
                name="bill_open_by_payer",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "month", "segment"],
                condition=Q(kind="monthly"),
                name="bill_one_monthly_per_payer_segment",
            ),
            first_of_month_check("month", "bill_month_first_of_month"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=models.F("amount")),
                name="bill_paid_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """``202605-B000001234``: month, kind letter, bill id."""
        return f"{self.month:%Y%m}-{self.KIND_CODES.get(self.kind, 'X')}{self.pk or 0:09d}"

    @property
    def outstanding(self) -> int:
        return self.amount - self.paid_amount


class BillLineManager(models.Manager["BillLine"]):
    def bulk_create(self, objs: Iterable[BillLine], *args: Any, **kwargs: Any) -> list[BillLine]:
        """Each line takes its bill's month (the partition key) when it has none."""
        lines = list(objs)
        for line in lines:
            if line.month is None:
                line.month = line.bill.month
        return super().bulk_create(lines, *args, **kwargs)


class BillLine(models.Model):
    """One amount of a bill: membership × program × side, a discount, or a fine.

    ``month`` is the bill's month, kept on the line: on PostgreSQL the line table is partitioned
    by it (one partition a month, ``contributions.partitions``), so a month's lines and their
    indexes stay the size of one month whatever the history, and queries that know the month
    read one partition. It is filled from the bill when a line is saved without it.
    """

    class Side(models.TextChoices):
        EMPLOYER = "employer", _("pemberi kerja")
        WORKER = "worker", _("pekerja")
        PARTICIPANT = "participant", _("peserta")
        SPONSOR = "sponsor", _("penyandang dana")
        CONTRACTOR = "contractor", _("kontraktor")

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("iuran")
        DISCOUNT = "discount", _("diskon")
        FINE = "fine", _("denda")
        #: A wage raised for a month already billed: the difference, on a correction bill.
        CORRECTION = "correction", _("selisih upah")

    # No database-level foreign keys on the two columns: a month has ~15 million lines at full scale,
    # written only by the billing run's INSERT … SELECT from existing bills and memberships, and the
    # deferred checks of those keys at COMMIT cost more than the rest of the run (docs/performance.md).
    # `jaminan ledger check` verifies that every line's bill and membership exist.
    bill = models.ForeignKey(
        Bill, on_delete=models.CASCADE, related_name="lines", db_constraint=False
    )
    membership = models.ForeignKey(
        "registry.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bill_lines",
        db_constraint=False,
    )
    program = models.CharField(
        _("program"), max_length=8, help_text=_("JKK, JKM, JHT, JP; PMI untuk paket JKK+JKM PMI")
    )
    side = models.CharField(_("pihak"), max_length=12, choices=Side.choices)
    kind = models.CharField(
        _("jenis"), max_length=12, choices=Kind.choices, default=Kind.CONTRIBUTION
    )
    base = models.BigIntegerField(_("dasar (Rp)"), default=0)
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    month = models.DateField(_("bulan iuran"), editable=False)

    objects = BillLineManager()

    class Meta:
        ordering = ["bill", "id"]
        verbose_name = _("baris tagihan")
        verbose_name_plural = _("baris tagihan")

    def __str__(self) -> str:
        return f"{self.program} {self.side} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.month is None:
            self.month = self.bill.month
        super().save(*args, **kwargs)


class Payment(models.Model):
    class Channel(models.TextChoices):
        MANUAL = "manual", _("entri manual")
        BANK_FILE = "bank_file", _("berkas rekening koran")
        ADVANCE = "advance", _("bayar di muka (BPU)")
        API = "api", _("API")

    reference = models.CharField(
        _("referensi"),
        max_length=64,
        unique=True,
        help_text=_("Referensi unik dari bank; referensi yang sama tidak dicatat dua kali."),
    )
    payer = models.ForeignKey(PayerAccount, on_delete=models.PROTECT, related_name="payments")
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    paid_on = models.DateField(_("tanggal bayar"))
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    source = models.CharField(_("sumber"), max_length=200, blank=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A reversed payment (``payments.reverse_payment`` without a new payer) keeps its row and its
    # reference (the same bank reference is still recognised); its money is out of every sum.
    reversed_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibatalkan oleh"),
    )
    reversal_reason = models.CharField(_("alasan pembatalan"), max_length=300, blank=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("pembayaran")
        verbose_name_plural = _("pembayaran")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_gt_0")]

    def __str__(self) -> str:
        return self.reference


class PaymentReversal(models.Model):
    """One undoing of a payment at a payer (``payments.reverse_payment``): the payment cancelled
    (``moved_to`` empty) or moved to another payer. The allocations it undid point to it."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="reversals")
    payer = models.ForeignKey(
        PayerAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("dari pembayar")
    )
    moved_to = models.ForeignKey(
        PayerAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dipindahkan ke"),
    )
    reason = models.CharField(_("alasan"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("pada"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pembatalan pembayaran")
        verbose_name_plural = _("pembatalan pembayaran")

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.reason}"


class LiveAllocationManager(models.Manager["Allocation"]):
    """Allocations not undone by a reversal: the money on the bills. Related managers
    (``bill.allocations``, ``payment.allocations``) use it too; ``Allocation.all_objects`` keeps the
    history. Joins (``Sum("allocations__amount")``) and raw SQL must filter ``reversal`` themselves."""

    def get_queryset(self) -> models.QuerySet[Allocation]:
        return super().get_queryset().filter(reversal__isnull=True)


class Allocation(models.Model):
    """Part of a payment (or of the payer's credit) applied to a bill. An allocation undone by a
    reversal keeps its row with ``reversal`` set and counts nowhere."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    allocated_on = models.DateField(_("tanggal alokasi"))
    reversal = models.ForeignKey(
        PaymentReversal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("dibatalkan oleh"),
    )

    #: Every allocation, undone ones too (history); ``objects`` (the default) are the live ones.
    all_objects = models.Manager()
    objects = LiveAllocationManager()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        ordering = ["id"]
        verbose_name = _("alokasi pembayaran")
        verbose_name_plural = _("alokasi pembayaran")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_gt_0")]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.bill_id}: {self.amount}"


class Fine(models.Model):
    """A late-payment fine (rules ``fine``) on the late-paid part of a bill, billed on the payer's
    next bill as a fine line."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="fines")
    allocation = models.OneToOneField(Allocation, on_delete=models.PROTECT, related_name="fine")
    amount_due = models.BigIntegerField(_("iuran terlambat (Rp)"))
    months_late = models.PositiveSmallIntegerField(_("bulan terlambat"))
    amount = models.BigIntegerField(_("denda (Rp)"))
    assessed_on = models.DateField(_("ditetapkan"))
    # No database-level foreign key: on PostgreSQL the line table is partitioned by month and its
    # primary key is (id, month), which a key on the id alone cannot reference. `jaminan ledger
    # check` verifies that every billed fine's line exists.
    billed_line = models.OneToOneField(
        BillLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fine",
        db_constraint=False,
    )

    class Meta:
        ordering = ["-assessed_on"]
        verbose_name = _("denda")
        verbose_name_plural = _("denda")

    def __str__(self) -> str:
        return f"{self.bill_id}: {self.amount}"


class Account(models.TextChoices):
    """The chart of accounts (codes are stable; names shown in the ledger pages)."""

    CASH = "1100", _("Kas dan bank")
    RECEIVABLE = "1200", _("Piutang iuran")
    PAYER_CREDIT = "2100", _("Kelebihan bayar (kredit pembayar)")
    INCOME_JKK = "4110", _("Pendapatan iuran JKK")
    INCOME_JKM = "4120", _("Pendapatan iuran JKM")
    INCOME_JHT = "4130", _("Pendapatan iuran JHT")
    INCOME_JP = "4140", _("Pendapatan iuran JP")
    INCOME_JKP = "4150", _("Pendapatan iuran JKP")
    INCOME_JKP_FROM_JKK = "4151", _("Pendapatan JKP: rekomposisi dari iuran JKK")
    INCOME_JKP_FROM_JKM = "4152", _("Pendapatan JKP: rekomposisi dari iuran JKM")
    INCOME_PMI = "4160", _("Pendapatan iuran PMI (paket JKK+JKM)")
    INCOME_FINE = "4200", _("Pendapatan denda")


INCOME_ACCOUNT = {
    "JKK": Account.INCOME_JKK,
    "JKM": Account.INCOME_JKM,
    "JHT": Account.INCOME_JHT,
    "JP": Account.INCOME_JP,
    "JKP": Account.INCOME_JKP,
    "PMI": Account.INCOME_PMI,
}
assert set(PROGRAMS) <= set(INCOME_ACCOUNT)
#: Where the JKP recomposition of a program's line goes (PP 37/2021 Pasal 11(5); PP 6/2025).
JKP_ACCOUNT = {"JKK": Account.INCOME_JKP_FROM_JKK, "JKM": Account.INCOME_JKP_FROM_JKM}


class JournalEntry(models.Model):
    class Kind(models.TextChoices):
        BILL = "bill", _("tagihan")
        PAYMENT = "payment", _("pembayaran")
        ALLOCATION = "allocation", _("alokasi")
        REVERSAL = "reversal", _("pembatalan")

    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("tanggal"))
    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    allocation = models.OneToOneField(
        Allocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(_("keterangan"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("jurnal")
        verbose_name_plural = _("jurnal")
        constraints = [
            models.UniqueConstraint(
                fields=["bill"], condition=Q(kind="bill"), name="journal_one_per_bill"
            ),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind="payment"), name="journal_one_per_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class Posting(models.Model):
    """One side of a journal entry: positive = debit, negative = credit. Every entry sums to 0."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.CharField(_("akun"), max_length=4, choices=Account.choices)
    payer = models.ForeignKey(
        PayerAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.BigIntegerField(_("jumlah (Rp)"))

    class Meta:
        ordering = ["entry", "id"]
        verbose_name = _("posting")
        verbose_name_plural = _("posting")
        indexes = [models.Index(fields=["account", "payer"])]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"
