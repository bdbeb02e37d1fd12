"""Areas (Kemendagri codes), offices with their jurisdictions, PLKK, workforce and published figures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

WIB = "Asia/Pontianak"
WITA = "Asia/Makassar"
TIME_ZONE_LABELS = {WIB: "WIB", WITA: "WITA"}


class Province(models.Model):
    code = models.CharField(_("kode Kemendagri"), max_length=2, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    time_zone = models.CharField(_("zona waktu"), max_length=40)
    source = models.TextField(_("sumber"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")

    def __str__(self) -> str:
        return self.name

    @property
    def time_zone_label(self) -> str:
        return TIME_ZONE_LABELS.get(self.time_zone, self.time_zone)


class Regency(models.Model):
    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("kabupaten")
        KOTA = "kota", _("kota")

    code = models.CharField(_("kode Kemendagri"), max_length=5, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    time_zone = models.CharField(_("zona waktu"), max_length=40)
    branch_office = models.ForeignKey(
        "Office",
        verbose_name=_("kantor cabang yang melayani"),
        on_delete=models.PROTECT,
        related_name="jurisdiction",
        null=True,
        blank=True,
    )
    branch_office_inferred = models.BooleanField(
        _("penetapan kantor disimpulkan"),
        default=False,
        help_text=_("Tidak ada sumber yang menyebut kantor cabangnya; periksa dan koreksi."),
    )
    branch_office_note = models.TextField(_("catatan penetapan"), blank=True)
    source = models.TextField(_("sumber"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")

    def __str__(self) -> str:
        return self.full_name

    @property
    def time_zone_label(self) -> str:
        return TIME_ZONE_LABELS.get(self.time_zone, self.time_zone)


class Office(models.Model):
    class Kind(models.TextChoices):
        REGIONAL = "regional", _("kantor wilayah")
        BRANCH = "branch", _("kantor cabang")
        SERVICE_UNIT = "service_unit", _("unit layanan")

    code = models.CharField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=150, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    city = models.CharField(_("kota kedudukan"), max_length=100)
    seat_regency = models.ForeignKey(
        Regency,
        verbose_name=_("kabupaten/kota kedudukan"),
        on_delete=models.PROTECT,
        related_name="offices_seated",
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="offices",
        null=True,
        blank=True,
        help_text=_("Kosong untuk kantor wilayah (melayani seluruh Kalimantan)."),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    areas_served_reported = models.TextField(_("wilayah layanan menurut sumber"), blank=True)
    head_reported = models.TextField(_("kepala kantor menurut sumber"), blank=True)
    verification = models.TextField(_("verifikasi"), blank=True)
    source = models.TextField(_("sumber"))

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("kantor")
        verbose_name_plural = _("kantor")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="regional") | models.Q(province__isnull=False),
                name="office_branch_has_province",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def time_zone(self) -> str:
        return self.seat_regency.time_zone


class HealthFacility(models.Model):
    """A named PLKK (Pusat Layanan Kecelakaan Kerja): a facility contracted for work-accident care."""

    class Kind(models.TextChoices):
        RS_SWASTA = "rs_swasta", _("rumah sakit swasta")
        RSUD = "rsud", _("RSUD")
        RS_TNI_POLRI = "rs_tni_polri", _("RS TNI/Polri")
        KLINIK = "klinik", _("klinik")
        PUSKESMAS = "puskesmas", _("puskesmas")

    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="facilities")
    serving_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="facilities")
    active_from = models.DateField(_("aktif sejak"))
    active_to = models.DateField(_("aktif sampai"), null=True, blank=True)
    source = models.TextField(_("sumber"))

    class Meta:
        ordering = ["regency__code", "name"]
        verbose_name = _("PLKK")
        verbose_name_plural = _("PLKK")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "regency"], name="facility_unique_name_regency"
            ),
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True)
                | models.Q(active_to__gte=models.F("active_from")),
                name="facility_active_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityCountStat(models.Model):
    """PLKK counts as published, where the sources give counts and no named facilities."""

    class ScopeLevel(models.TextChoices):
        REGION = "region", _("wilayah")
        PROVINCE = "province", _("provinsi")
        BRANCH = "branch", _("kantor cabang")

    as_of = models.CharField(_("per"), max_length=40)
    scope_level = models.CharField(_("tingkat"), max_length=10, choices=ScopeLevel.choices)
    scope = models.CharField(_("cakupan"), max_length=150)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="facility_counts"
    )
    total = models.PositiveIntegerField(_("jumlah PLKK"))
    rs_swasta = models.PositiveIntegerField(null=True, blank=True)
    rsud = models.PositiveIntegerField(null=True, blank=True)
    rs_tni_polri = models.PositiveIntegerField(null=True, blank=True)
    klinik = models.PositiveIntegerField(null=True, blank=True)
    puskesmas = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    source = models.TextField(_("sumber"))

    class Meta:
        ordering = ["-as_of", "scope_level", "scope"]
        verbose_name = _("statistik PLKK")
        verbose_name_plural = _("statistik PLKK")
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "scope_level", "scope"], name="facility_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} ({self.as_of}): {self.total}"


class WorkforceStat(models.Model):
    class Level(models.TextChoices):
        REGION = "region", _("wilayah")
        PROVINCE = "province", _("provinsi")
        REGENCY = "regency", _("kabupaten/kota")

    class Basis(models.TextChoices):
        BPS = "BPS", _("BPS (Sakernas)")
        BPJS = "BPJS", _("BPJS Ketenagakerjaan (tanpa ASN/TNI/Polri)")

    period = models.CharField(_("periode"), max_length=10)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    area_code = models.CharField(_("kode wilayah"), max_length=12)
    area_name = models.CharField(_("nama wilayah"), max_length=150)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="workforce"
    )
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, null=True, blank=True, related_name="workforce"
    )
    basis = models.CharField(_("dasar"), max_length=4, choices=Basis.choices)
    employed = models.BigIntegerField(_("penduduk bekerja"))
    labour_force = models.BigIntegerField(_("angkatan kerja"), null=True, blank=True)
    unemployed = models.BigIntegerField(_("pengangguran"), null=True, blank=True)
    unemployment_rate_pct = models.DecimalField(
        _("TPT (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    precision = models.TextField(_("presisi"), blank=True)
    note = models.TextField(_("catatan"), blank=True)
    source = models.TextField(_("sumber"))

    class Meta:
        ordering = ["area_code", "-period"]
        verbose_name = _("statistik angkatan kerja")
        verbose_name_plural = _("statistik angkatan kerja")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "level", "area_code", "area_name"], name="workforce_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.period} ({self.basis})"


class PublishedFigure(models.Model):
    """A statistic on BPJS Ketenagakerjaan in Kalimantan as published, with its source."""

    date = models.CharField(_("tanggal/tahun"), max_length=40)
    scope_level = models.CharField(_("tingkat"), max_length=10)
    scope = models.CharField(_("cakupan"), max_length=150)
    metric = models.CharField(_("ukuran"), max_length=200)
    value = models.DecimalField(_("nilai"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("satuan"), max_length=40)
    note = models.TextField(_("catatan"), blank=True)
    source = models.TextField(_("sumber"))
    row_key = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-date", "scope", "metric"]
        verbose_name = _("angka terpublikasi")
        verbose_name_plural = _("angka terpublikasi")

    def __str__(self) -> str:
        return f"{self.scope} {self.date}: {self.metric}"


class MinimumWage(models.Model):
    """UMP (province) or UMK (regency) minimum wage. Stored in sen because some decrees keep sen."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("UMP")
        REGENCY = "regency", _("UMK")

    year = models.PositiveSmallIntegerField(_("tahun"))
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    area_code = models.CharField(_("kode wilayah"), max_length=5)
    area_name = models.CharField(_("nama wilayah"), max_length=150)
    amount_sen = models.BigIntegerField(_("upah minimum (sen)"))
    decree = models.TextField(_("keputusan"), blank=True)
    effective_from = models.DateField(_("berlaku sejak"))
    source = models.TextField(_("sumber"))

    class Meta:
        ordering = ["area_code", "-year"]
        verbose_name = _("upah minimum")
        verbose_name_plural = _("upah minimum")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "area_code"], name="minimum_wage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.area_name} {self.year}"

    @property
    def amount_rupiah_floor(self) -> int:
        return self.amount_sen // 100
