"""Claims: one claim per event (death, work accident, job loss), its documents, its decision (facts,
result and trace from ``jaminan.rules``), the heir who receives it, and the benefit payments, each
paid exactly once. Money is whole rupiah in BigIntegerField.

The workflow is an explicit state machine (``Claim.TRANSITIONS``); only :mod:`jaminan.claims.services`
moves a claim between states, and each move is audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Claim(models.Model):
    class Type(models.TextChoices):
        JKM = "jkm", _("JKM: kematian")
        JKK = "jkk", _("JKK: kecelakaan kerja")
        JKP = "jkp", _("JKP: kehilangan pekerjaan")
        JHT = "jht", _("JHT: penarikan saldo")
        JP = "jp", _("JP: pensiun")

    class Channel(models.TextChoices):
        BRANCH = "branch", _("kantor cabang")
        EMPLOYER = "employer", _("pemberi kerja")
        ONLINE = "online", _("daring (peserta)")

    class Status(models.TextChoices):
        INTAKE = "intake", _("diterima")
        DOCUMENTS_VERIFIED = "documents_verified", _("dokumen terverifikasi")
        ASSESSED = "assessed", _("dinilai")
        APPROVED = "approved", _("disetujui")
        PAID = "paid", _("dibayar")
        REJECTED = "rejected", _("ditolak")

    #: The state machine: from each state, the states a service may move the claim to.
    TRANSITIONS: dict[str, frozenset[str]] = {
        "intake": frozenset({"documents_verified", "rejected"}),
        "documents_verified": frozenset({"assessed", "rejected"}),
        "assessed": frozenset({"approved", "rejected"}),
        "approved": frozenset({"paid"}),
        "paid": frozenset(),
        "rejected": frozenset(),
    }
    OPEN_STATUSES = ("intake", "documents_verified", "assessed", "approved")

    claim_type = models.CharField(_("jenis klaim"), max_length=4, choices=Type.choices)
    participant = models.ForeignKey(
        "registry.Participant", on_delete=models.PROTECT, related_name="claims"
    )
    membership = models.ForeignKey(
        "registry.Membership",
        verbose_name=_("kepesertaan"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    office = models.ForeignKey(
        "geo.Office", verbose_name=_("kantor cabang"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INTAKE
    )
    event_date = models.DateField(
        _("tanggal peristiwa"), help_text=_("Tanggal meninggal, kecelakaan atau PHK.")
    )
    received_on = models.DateField(_("tanggal pengajuan"))
    event_facts = models.JSONField(
        _("fakta peristiwa"),
        default=dict,
        blank=True,
        help_text=_("Fakta yang diisi petugas: hasil JKK, persentase cacat, bulan STMB."),
    )
    # Heir (death claims), PP 44/2015 Pasal 37(5) and 40(2).
    heir_relation = models.CharField(_("hubungan ahli waris"), max_length=20, blank=True)
    heir_name = models.CharField(_("nama ahli waris"), max_length=150, blank=True)
    heir_nik = models.CharField(_("NIK ahli waris"), max_length=16, blank=True)
    heir_dependant = models.ForeignKey(
        "registry.Dependant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Decision: what the rules were given and what they answered.
    decision_facts = models.JSONField(_("fakta keputusan"), default=dict, blank=True)
    decision_result = models.JSONField(_("hasil perhitungan"), default=dict, blank=True)
    decision_trace = models.JSONField(_("jejak aturan"), default=list, blank=True)
    components = models.JSONField(
        _("komponen manfaat"),
        default=list,
        blank=True,
        help_text=_("Komponen yang dibayar klaim ini: komponen, periode, penerima, jumlah."),
    )
    amount = models.BigIntegerField(_("jumlah manfaat (Rp)"), default=0)
    employer_pays_first = models.BooleanField(
        _("pemberi kerja membayar lebih dulu"),
        default=False,
        help_text=_(
            "Tunggakan iuran lebih dari tiga bulan pada tanggal peristiwa: pemberi kerja membayar "
            "manfaat lebih dulu dan diganti setelah melunasi tunggakan (PP 44/2015 Pasal 38, 41)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("dinilai pada"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    approval = models.CharField(
        _("cara persetujuan"),
        max_length=20,
        blank=True,
        help_text=_("automatic (di bawah ambang) atau second_person (empat mata)."),
    )
    rejection_code = models.CharField(_("kode penolakan"), max_length=40, blank=True)
    rejection_message = models.CharField(_("alasan penolakan"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("klaim")
        verbose_name_plural = _("klaim")
        indexes = [models.Index(fields=["office", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "claim_type", "event_date"],
                condition=~Q(status="rejected"),
                name="claim_one_per_event",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(claim_type="jkm") & ~Q(status="rejected"),
                name="claim_one_jkm_per_participant",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_ge_0"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_code=""),
                name="claim_rejected_has_code",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """``KLM-JKK-000000123``."""
        return f"KLM-{self.claim_type.upper()}-{self.pk or 0:09d}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def may_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())


class ClaimDocument(models.Model):
    """One item of a claim type's checklist (or a proof of enrolment for a scholarship grant)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("jenis dokumen"), max_length=40)
    label = models.CharField(_("dokumen"), max_length=200)
    required = models.BooleanField(_("wajib"), default=True)
    received_on = models.DateField(_("diterima"), null=True, blank=True)
    reference = models.CharField(_("nomor/keterangan dokumen"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("dokumen klaim")
        verbose_name_plural = _("dokumen klaim")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "kind"],
                condition=~Q(kind="enrolment_proof"),
                name="claim_document_one_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.kind}"

    @property
    def received(self) -> bool:
        return self.received_on is not None


class AccidentReport(models.Model):
    """The work-accident report of a JKK claim."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="accident")
    accident_date = models.DateField(_("tanggal kecelakaan"))
    place = models.CharField(_("tempat kejadian"), max_length=200)
    employer = models.ForeignKey(
        "registry.Employer",
        verbose_name=_("pemberi kerja"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    circumstances = models.TextField(_("kronologi"))
    facility = models.ForeignKey(
        "geo.HealthFacility",
        verbose_name=_("PLKK yang merawat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("laporan kecelakaan kerja")
        verbose_name_plural = _("laporan kecelakaan kerja")

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.accident_date}"


class StmbPeriod(models.Model):
    """A period of temporary incapacity (STMB) of a JKK claim, in whole months."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="stmb_periods")
    sequence = models.PositiveSmallIntegerField(_("urutan"))
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("sampai"))
    months = models.PositiveSmallIntegerField(_("bulan"))

    class Meta:
        ordering = ["claim", "sequence"]
        verbose_name = _("periode STMB")
        verbose_name_plural = _("periode STMB")
        constraints = [
            models.UniqueConstraint(fields=["claim", "sequence"], name="stmb_sequence_unique"),
            models.CheckConstraint(condition=Q(months__gte=1), name="stmb_months_ge_1"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="stmb_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} STMB {self.sequence}"


class TreatmentBill(models.Model):
    """An invoice of the treating PLKK for a JKK claim, paid to the facility."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="treatment_bills")
    facility = models.ForeignKey(
        "geo.HealthFacility", verbose_name=_("PLKK"), on_delete=models.PROTECT, related_name="+"
    )
    invoice_number = models.CharField(_("nomor tagihan"), max_length=60)
    treated_from = models.DateField(_("dirawat dari"))
    treated_to = models.DateField(_("dirawat sampai"))
    amount = models.BigIntegerField(_("jumlah ditagih (Rp)"))

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("tagihan perawatan PLKK")
        verbose_name_plural = _("tagihan perawatan PLKK")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "invoice_number"], name="treatment_bill_unique_invoice"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="treatment_bill_gt_0"),
            models.CheckConstraint(
                condition=Q(treated_to__gte=models.F("treated_from")),
                name="treatment_bill_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.invoice_number}"


class BenefitPayment(models.Model):
    """One payment of one entitlement (claim × component × period). The database refuses a second
    payment of the same entitlement (unique claim, component, period) and a reused reference."""

    class Component(models.TextChoices):
        LUMP_SUM = "lump_sum", _("santunan sekaligus")
        PERIODIC = "periodic", _("santunan berkala")
        FUNERAL = "funeral", _("biaya pemakaman")
        CASH = "cash", _("santunan cacat/kematian JKK")
        STMB = "stmb", _("STMB")
        TREATMENT = "treatment", _("biaya perawatan PLKK")
        SCHOLARSHIP = "scholarship", _("beasiswa pendidikan anak")
        JKP_CASH = "jkp_cash", _("manfaat uang tunai JKP")
        JHT = "jht", _("saldo JHT")
        JP_LUMP_SUM = "jp_lump_sum", _("manfaat JP sekaligus")

    class Payee(models.TextChoices):
        PARTICIPANT = "participant", _("peserta")
        HEIR = "heir", _("ahli waris")
        EMPLOYER = "employer", _("pemberi kerja")
        FACILITY = "facility", _("PLKK")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    component = models.CharField(_("komponen"), max_length=12, choices=Component.choices)
    period = models.CharField(_("periode"), max_length=40, blank=True, default="")
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    payee_kind = models.CharField(_("penerima"), max_length=12, choices=Payee.choices)
    payee_name = models.CharField(_("nama penerima"), max_length=200)
    reference = models.CharField(_("referensi"), max_length=64, unique=True)
    paid_on = models.DateField(_("tanggal bayar"))
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("pembayaran manfaat")
        verbose_name_plural = _("pembayaran manfaat")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "component", "period"], name="benefit_paid_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="benefit_payment_gt_0"),
        ]

    def __str__(self) -> str:
        return self.reference


class ScholarshipGrant(models.Model):
    """One year's education scholarship of one child at one school level, paid on proof of
    enrolment (PP 82/2019 Pasal 25(3), 34(3); Permenaker 5/2021)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="scholarships")
    child = models.ForeignKey(
        "registry.Dependant", on_delete=models.PROTECT, related_name="scholarship_grants"
    )
    level = models.CharField(_("jenjang"), max_length=3)
    year = models.PositiveSmallIntegerField(_("tahun ajaran (mulai)"))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    document = models.OneToOneField(
        ClaimDocument, on_delete=models.PROTECT, related_name="scholarship_grant"
    )
    payment = models.OneToOneField(
        BenefitPayment, on_delete=models.PROTECT, related_name="scholarship_grant"
    )
    trace = models.JSONField(_("jejak aturan"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "child", "year"]
        verbose_name = _("beasiswa pendidikan")
        verbose_name_plural = _("beasiswa pendidikan")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "level", "year"], name="scholarship_one_per_child_level_year"
            ),
            models.UniqueConstraint(fields=["child", "year"], name="scholarship_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="scholarship_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.level} {self.year}"


def component_key(component: str, period: str = "") -> str:
    return f"{component}:{period}"


def payment_reference(claim: Claim, component: str, period: str) -> str:
    """``BP-000000123-stmb-2``: one reference per entitlement, so a retry can never pay twice."""
    suffix = f"-{period}" if period else ""
    return f"BP-{claim.pk:09d}-{component}{suffix}"[:64]


def components_total(components: list[dict[str, Any]]) -> int:
    return sum(int(c["amount"]) for c in components)
