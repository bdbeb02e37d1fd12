"""Coverage snapshots: the record aggregated per month × regency × segment, refreshed set-based by
``jaminan coverage refresh``. Dashboards, maps and reports read these rows, never the registry."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaminan.geo.models import Regency


class CoverageSnapshot(models.Model):
    """One month × regency × segment.

    Participants: distinct participants with a membership of the segment whose regency is this one
    (project site for Jakon, employer's regency for PU, home regency for BPU/PMI, else the seat of the
    membership's office). ``active``: covered on the last day of the month; ``new``: membership
    started in the month; ``ended``: membership ended in the month. ``employers``: employers with at
    least one active membership of the segment. ``budget_funded``: active members paid by a
    provincial or regency government sponsor (APBD); ``state_staff``: active PU members of state
    organisers (non-ASN government staff). Money: ``billed_amount`` of the bills for the month
    (``bills`` of them), ``collected_amount`` allocated to bills during the month (any bill month).
    Claims (``claims_<program>`` and ``claims_<program>_amount`` for JHT, JKK, JKM, JP, JKP;
    ``scholarships``/``scholarships_amount``): benefit payments (claims.BenefitPayment) paid in the
    month, by the regency of the claim's membership (same fallback as participants) and its
    segment. A claim counts once, in the month of its first payment (JKP instalments paid in later
    months add to the amount of those months, not to the count); the amount is the money paid in the
    month. Scholarship payments are not part of the JKM/JKK figures: ``scholarships`` counts the
    scholarship payments (one per child × level × school year) and their amount. Pensions paid
    monthly from the pension roll are not claim payments (only a JP lump sum is).
    """

    month = models.DateField(_("bulan"))
    regency = models.ForeignKey(
        "geo.Regency", on_delete=models.PROTECT, related_name="coverage_snapshots"
    )
    segment = models.CharField(_("segmen"), max_length=5)
    active = models.BigIntegerField(_("peserta aktif"), default=0)
    new = models.BigIntegerField(_("peserta baru"), default=0)
    ended = models.BigIntegerField(_("kepesertaan berakhir"), default=0)
    employers = models.BigIntegerField(_("pemberi kerja aktif"), default=0)
    budget_funded = models.BigIntegerField(_("dibiayai APBD"), default=0)
    state_staff = models.BigIntegerField(_("pegawai non-ASN"), default=0)
    bills = models.BigIntegerField(_("tagihan terbit"), default=0)
    billed_amount = models.BigIntegerField(_("iuran ditagih (Rp)"), default=0)
    collected_amount = models.BigIntegerField(_("iuran diterima (Rp)"), default=0)
    claims_jht = models.BigIntegerField(_("klaim JHT dibayar"), default=0)
    claims_jht_amount = models.BigIntegerField(_("manfaat JHT dibayar (Rp)"), default=0)
    claims_jkk = models.BigIntegerField(_("klaim JKK dibayar"), default=0)
    claims_jkk_amount = models.BigIntegerField(_("manfaat JKK dibayar (Rp)"), default=0)
    claims_jkm = models.BigIntegerField(_("klaim JKM dibayar"), default=0)
    claims_jkm_amount = models.BigIntegerField(_("manfaat JKM dibayar (Rp)"), default=0)
    claims_jp = models.BigIntegerField(_("klaim JP dibayar"), default=0)
    claims_jp_amount = models.BigIntegerField(_("manfaat JP dibayar (Rp)"), default=0)
    claims_jkp = models.BigIntegerField(_("klaim JKP dibayar"), default=0)
    claims_jkp_amount = models.BigIntegerField(_("manfaat JKP dibayar (Rp)"), default=0)
    scholarships = models.BigIntegerField(_("beasiswa dibayar"), default=0)
    scholarships_amount = models.BigIntegerField(_("beasiswa dibayar (Rp)"), default=0)
    refreshed_at = models.DateTimeField(_("diperbarui"))

    class Meta:
        ordering = ["-month", "regency", "segment"]
        verbose_name = _("potret cakupan")
        verbose_name_plural = _("potret cakupan")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "regency", "segment"], name="coverage_snapshot_unique"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="coverage_snapshot_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.regency_id} {self.segment}: {self.active}"


class SnapshotMonth(models.Model):
    """When each month's snapshot was last rebuilt, and its control totals."""

    month = models.DateField(_("bulan"), unique=True)
    rows = models.PositiveIntegerField(_("baris"), default=0)
    active = models.BigIntegerField(_("peserta aktif"), default=0)
    billed_amount = models.BigIntegerField(_("iuran ditagih (Rp)"), default=0)
    collected_amount = models.BigIntegerField(_("iuran diterima (Rp)"), default=0)
    refreshed_at = models.DateTimeField(_("diperbarui"))

    class Meta:
        ordering = ["-month"]
        verbose_name = _("bulan potret cakupan")
        verbose_name_plural = _("bulan potret cakupan")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ServedRegency(Regency):
    """A regency as the area a branch office serves: its scope policy reaches the office through
    ``branch_office`` (geo.Regency itself is reference data everyone reads in full)."""

    class Meta:
        proxy = True
        verbose_name = _("kabupaten/kota layanan")
        verbose_name_plural = _("kabupaten/kota layanan")
