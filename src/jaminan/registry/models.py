"""The registry: persons, participants (one KPJ number for life), employers, memberships of every
segment with their wage history, construction projects and dependants."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")


class Sex(models.TextChoices):
    MALE = "L", _("laki-laki")
    FEMALE = "P", _("perempuan")


class Person(models.Model):
    # Unique through Meta.constraints, not unique=True: that would add a LIKE (varchar_pattern_ops)
    # index on PostgreSQL that no query uses and every import pays for.
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("nama"), max_length=150)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    address_regency = models.ForeignKey(
        "geo.Regency",
        verbose_name=_("kabupaten/kota domisili"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        db_index=False,  # partial index below: most workers' address is unknown (NULL)
    )
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    death_date = models.DateField(_("tanggal meninggal"), null=True, blank=True)
    nik_override_reason = models.TextField(
        _("alasan pengecualian NIK"),
        blank=True,
        help_text=_(
            "Diisi petugas bila tanggal lahir atau jenis kelamin berbeda dari yang tersandi di NIK."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("orang")
        verbose_name_plural = _("orang")
        # No index on name: the name search is `icontains`, which a btree index cannot serve (a pg_trgm
        # GIN index is the scale fix), and an unused index only slows imports down.
        indexes = [
            models.Index(
                fields=["address_regency"],
                condition=Q(address_regency__isnull=False),
                name="person_address_regency",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["nik"], name="person_nik_unique"),
            models.CheckConstraint(
                condition=Q(nik__regex=r"^[0-9]{16}$"), name="person_nik_16_digits"
            ),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True) | Q(death_date__gte=models.F("birth_date")),
                name="person_death_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)


def mask_nik(nik: str) -> str:
    """``6471054508900003`` -> ``6471********0003``."""
    return nik[:4] + "*" * 8 + nik[-4:] if len(nik) == 16 else "*" * len(nik)


class Participant(models.Model):
    """A person's participation in BPJS Ketenagakerjaan: one KPJ number for life."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="participant")
    kpj_number = models.CharField(_("nomor KPJ"), max_length=11)  # unique: Meta.constraints
    registered_on = models.DateField(_("terdaftar sejak"))
    registering_office = models.ForeignKey(
        "geo.Office", on_delete=models.PROTECT, related_name="registered_participants"
    )

    class Meta:
        ordering = ["kpj_number"]
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        constraints = [
            models.UniqueConstraint(fields=["kpj_number"], name="participant_kpj_unique"),
            models.CheckConstraint(
                condition=Q(kpj_number__regex=r"^[0-9]{11}$"), name="participant_kpj_11_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpj_number} {self.person}"


class Employer(models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("badan usaha")
        STATE_ORGANISER = "state_organiser", _("penyelenggara negara (mis. pemda untuk non-ASN)")

    class LegalForm(models.TextChoices):
        PT = "PT", "PT"
        CV = "CV", "CV"
        KOPERASI = "koperasi", _("koperasi")
        YAYASAN = "yayasan", _("yayasan")
        FIRMA = "firma", _("firma")
        PERORANGAN = "perorangan", _("perorangan")
        BUMN = "BUMN", "BUMN"
        BUMD = "BUMD", "BUMD"
        INSTANSI = "instansi", _("instansi pemerintah")
        OTHER = "other", _("lainnya")

    class Size(models.TextChoices):
        MICRO = "micro", _("mikro")
        SMALL = "small", _("kecil")
        MEDIUM = "medium", _("menengah")
        LARGE = "large", _("besar")

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktif")
        INACTIVE = "inactive", _("nonaktif")
        CLOSED = "closed", _("tutup")

    npp = models.CharField(_("NPP"), max_length=8, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.BUSINESS)
    name = models.CharField(_("nama"), max_length=200)
    legal_form = models.CharField(_("bentuk badan hukum"), max_length=20, choices=LegalForm.choices)
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True)
    kbli = models.CharField(_("KBLI"), max_length=5, help_text=_("Kode KBLI 5 digit"))
    size_class = models.CharField(_("skala usaha"), max_length=10, choices=Size.choices)
    risk_group = models.PositiveSmallIntegerField(_("kelompok risiko JKK"))
    labour_intensive = models.BooleanField(_("industri padat karya"), default=False)
    regency = models.ForeignKey("geo.Regency", on_delete=models.PROTECT, related_name="employers")
    office = models.ForeignKey(
        "geo.Office",
        verbose_name=_("kantor cabang"),
        on_delete=models.PROTECT,
        related_name="employers",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    registered_on = models.DateField(_("terdaftar sejak"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("pemberi kerja")
        verbose_name_plural = _("pemberi kerja")
        indexes = [models.Index(fields=["name"]), models.Index(fields=["office", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(npp__regex=r"^[0-9]{8}$"), name="employer_npp_8_digits"
            ),
            models.CheckConstraint(
                condition=Q(risk_group__gte=1, risk_group__lte=5), name="employer_risk_group_1_5"
            ),
            models.CheckConstraint(
                condition=Q(kbli__regex=r"^[0-9]{5}$"), name="employer_kbli_5_digits"
            ),
            models.CheckConstraint(
                condition=Q(npwp="") | Q(npwp__regex=r"^[0-9]{15,16}$"), name="employer_npwp_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.npp} {self.name}"


class ConstructionProject(models.Model):
    class OwnerType(models.TextChoices):
        APBN = "APBN", "APBN"
        APBD = "APBD", "APBD"
        PRIVATE = "private", _("swasta")

    contractor = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="projects")
    owner_type = models.CharField(_("pemilik proyek"), max_length=10, choices=OwnerType.choices)
    name = models.CharField(_("nama proyek"), max_length=250)
    contract_value = models.BigIntegerField(_("nilai kontrak (Rp)"))
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("selesai"))
    regency = models.ForeignKey("geo.Regency", on_delete=models.PROTECT, related_name="projects")
    office = models.ForeignKey("geo.Office", on_delete=models.PROTECT, related_name="projects")
    registered_on = models.DateField(_("terdaftar sejak"))

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("proyek jasa konstruksi")
        verbose_name_plural = _("proyek jasa konstruksi")
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_value__gt=0), name="project_contract_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="project_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A participant's coverage in one segment, by one employer/project/payer, for a period."""

    class Segment(models.TextChoices):
        PU = "PU", _("Penerima Upah")
        BPU = "BPU", _("Bukan Penerima Upah")
        JAKON = "JAKON", _("Jasa Konstruksi")
        PMI = "PMI", _("Pekerja Migran Indonesia")

    class Payer(models.TextChoices):
        EMPLOYER = "employer", _("pemberi kerja")
        SELF = "self", _("peserta sendiri")
        SPONSOR = "sponsor", _("penyandang dana")

    class EndReason(models.TextChoices):
        RESIGNED = "resigned", _("mengundurkan diri")
        DISMISSED = "dismissed", _("PHK")
        CONTRACT_ENDED = "contract_ended", _("kontrak berakhir")
        RETIRED = "retired", _("pensiun")
        DIED = "died", _("meninggal dunia")
        MOVED_ABROAD = "moved_abroad", _("pindah ke luar negeri")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="memberships"
    )
    segment = models.CharField(_("segmen"), max_length=5, choices=Segment.choices)
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        db_index=False,  # served by the (employer, end_date) index below
    )
    project = models.ForeignKey(
        ConstructionProject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        db_index=False,  # partial index below: only Jakon memberships have a project
    )
    payer = models.CharField(_("pembayar iuran"), max_length=10, choices=Payer.choices)
    has_jkk = models.BooleanField("JKK", default=True)
    has_jkm = models.BooleanField("JKM", default=True)
    has_jht = models.BooleanField("JHT", default=False)
    has_jp = models.BooleanField("JP", default=False)
    has_jkp = models.BooleanField("JKP", default=False)
    start_date = models.DateField(_("mulai bekerja/terlindungi"))
    end_date = models.DateField(_("berakhir"), null=True, blank=True)
    end_reason = models.CharField(
        _("alasan berakhir"), max_length=20, choices=EndReason.choices, blank=True
    )
    office = models.ForeignKey(
        "geo.Office",
        verbose_name=_("kantor cabang"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    registered_on = models.DateField(_("tanggal pendaftaran"))
    late_registration = models.BooleanField(
        _("pendaftaran terlambat"),
        default=False,
        help_text=_(
            "Didaftarkan lebih dari 30 hari setelah mulai bekerja (PP 45/2015 Pasal 4(2))."
        ),
    )
    pmi_contract_months = models.PositiveSmallIntegerField(
        _("lama kontrak PMI (bulan)"), null=True, blank=True
    )
    pmi_destination = models.CharField(_("negara penempatan"), max_length=80, blank=True)
    pmi_jht_monthly = models.PositiveIntegerField(
        _("iuran JHT PMI per bulan"),
        null=True,
        blank=True,
        help_text=_("Pilihan iuran JHT PMI (Permenaker 4/2023); ditagih sekali dengan paket PMI."),
    )
    bpu_sector = models.CharField(
        _("sektor BPU"),
        max_length=10,
        choices=[("other", _("lainnya")), ("transport", _("transportasi"))],
        default="other",
        help_text=_("Menentukan periode diskon iuran BPU PP 50/2025 (transportasi atau lainnya)."),
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("kepesertaan")
        verbose_name_plural = _("kepesertaan")
        indexes = [
            models.Index(
                fields=["office", "segment"],
                condition=Q(end_date__isnull=True),
                name="membership_active_office",
            ),
            models.Index(fields=["employer", "end_date"]),
            models.Index(
                fields=["project"], condition=Q(project__isnull=False), name="membership_project"
            ),
            # Migrant workers are few among millions: the billing run looks them up each month.
            # Late additions to months already billed are looked up by registration date.
            models.Index(fields=["registered_on"], name="membership_registered_on"),
            models.Index(
                fields=["registered_on"], condition=Q(segment="PMI"), name="membership_pmi"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "employer"],
                condition=Q(end_date__isnull=True, employer__isnull=False),
                name="membership_one_active_per_employer",
            ),
            models.UniqueConstraint(
                fields=["participant", "segment"],
                condition=Q(end_date__isnull=True, segment="BPU"),
                name="membership_one_active_bpu",
            ),
            models.CheckConstraint(
                condition=~Q(segment="BPU") | Q(has_jp=False, has_jkp=False),
                name="membership_bpu_no_jp_jkp",
            ),
            models.CheckConstraint(
                condition=~Q(segment="PU") | Q(employer__isnull=False, payer="employer"),
                name="membership_pu_has_employer",
            ),
            models.CheckConstraint(
                condition=~Q(segment="JAKON") | Q(project__isnull=False),
                name="membership_jakon_has_project",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, end_reason="")
                | Q(end_date__isnull=False, end_date__gte=models.F("start_date"))
                & ~Q(end_reason=""),
                name="membership_end_consistent",
            ),
            models.CheckConstraint(
                condition=Q(has_jkk=True, has_jkm=True), name="membership_jkk_jkm_always"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.kpj_number} {self.segment} {self.start_date}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    @property
    def programs(self) -> list[str]:
        return [p for p in PROGRAMS if getattr(self, f"has_{p.lower()}")]


class ReportedWage(models.Model):
    """Monthly wage reported for a PU membership, or declared income chosen by a BPU participant,
    in force from ``effective_month`` until the next report."""

    # No separate index: the unique (membership, effective_month) index serves lookups by membership.
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="wages", db_index=False
    )
    effective_month = models.DateField(_("berlaku mulai bulan"))
    amount = models.BigIntegerField(_("upah/penghasilan (Rp)"))
    reported_at = models.DateTimeField(auto_now_add=True)
    #: When the amount was last set (created or changed): the billing run looks at wages changed
    #: since it last checked a billed month (wage corrections, contributions/billing.py). Empty
    #: for wages older than the field: nothing to correct there.
    updated_at = models.DateTimeField(default=timezone.now, null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["membership", "-effective_month"]
        verbose_name = _("upah dilaporkan")
        verbose_name_plural = _("upah dilaporkan")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "effective_month"], name="wage_one_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="wage_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.effective_month:%Y-%m}: {self.amount}"


class Dependant(models.Model):
    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("suami/istri")
        CHILD = "child", _("anak")
        PARENT = "parent", _("orang tua")

    class SchoolLevel(models.TextChoices):
        NONE = "", _("belum sekolah/tidak bersekolah")
        TK = "TK", "TK"
        SD = "SD", "SD"
        SMP = "SMP", "SMP"
        SMA = "SMA", "SMA/SMK"
        PT = "PT", _("perguruan tinggi/pelatihan")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="dependants"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="dependant_of"
    )
    name = models.CharField(_("nama"), max_length=150)
    relation = models.CharField(_("hubungan"), max_length=10, choices=Relation.choices)
    birth_date = models.DateField(_("tanggal lahir"))
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    school_level = models.CharField(
        _("jenjang sekolah"), max_length=3, choices=SchoolLevel.choices, blank=True
    )

    class Meta:
        ordering = ["participant", "birth_date"]
        verbose_name = _("tanggungan")
        verbose_name_plural = _("tanggungan")
        constraints = [
            models.CheckConstraint(
                condition=Q(nik="") | Q(nik__regex=r"^[0-9]{16}$"), name="dependant_nik_16_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class IdentifierSequence(models.Model):
    """Serial counters for KPJ and NPP numbers; see :mod:`jaminan.registry.identifiers`."""

    name = models.CharField(_("nama"), max_length=40, unique=True)
    next_value = models.BigIntegerField(_("nilai berikutnya"), default=1)

    class Meta:
        verbose_name = _("urutan nomor")
        verbose_name_plural = _("urutan nomor")

    def __str__(self) -> str:
        return f"{self.name}: {self.next_value}"
