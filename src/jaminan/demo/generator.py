"""Synthetic Kalimantan population: ``generate_population`` (the write) and ``registry_counts`` (the read).

Every column is built with NumPy from generators seeded by ``(seed, component name)``, so a run is a
pure function of ``(scale, seed)`` and the reference data: the same seed gives identical rows (ids
included on a fresh registry). Targets come from :mod:`jaminan.demo.calibration`. Rows are
bulk-loaded in one transaction with explicit ids (the tables are locked against other writers):
PostgreSQL ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy``) in blocks of 100,000 rows, with the
foreign keys — and, into an empty registry, the secondary indexes — dropped and rebuilt around a
large load (see :func:`_bulk_load_mode`); SQLite ``executemany`` in batches of 100,000. KPJ and NPP
serials are reserved in one block each with :func:`jaminan.registry.identifiers.allocate`; one
audit event (action ``load``, with the counts) records the run.

Measured on PostgreSQL 15 here (2 cores, shared): scale 1.0 (≈ 17.8 million rows) in ≈ 2.5
minutes; 0.01 in ≈ 2 s; 0.001 in 0.3 s (plus ≈ 2 s to start the command).

What is generated (all dates as of ``AS_OF`` = 31 Jan 2026, the 2026 minimum wages being in force):

* **Employers** — business employers with a KBLI sector (``SECTORS``: code, JKK risk group 1–5,
  labour-intensive flag), size class (micro 50 %, small 30 %, medium 15 %, large 5 %; a headcount
  drawn per class, then the province's wage earners apportioned to employers in proportion), legal
  form by size, NPWP (16 digits, 90 %), regency → serving office; 8 % of the employers of a province
  (at least one where there are projects) are construction contractors. Regional governments
  (kind ``state_organiser``, KBLI 84111) employ the non-ASN staff (see calibration).
* **Projects** — owner APBD 50 %, APBN 20 %, private 30 %; contract value log-normal (median
  Rp1.2 bn APBD, Rp5 bn APBN, Rp2 bn private, Rp50 m – Rp1 tn, whole thousands); running on
  ``AS_OF``; JAKON workers apportioned ∝ value^0.6, at least one per project. A JAKON
  membership names the project and its contractor as employer (payer: employer).
* **Persons** — age 18–60 on ``AS_OF`` (beta distributions by segment), sex by segment (PU 68 %
  men, BPU 58 %, JAKON 95 %, PMI 40 %), NIK = regency code of ``regions.csv`` (the address regency,
  another Kalimantan regency for 10 %) + district 01–(5..20) + birth day (+40 for women), month,
  2-digit year + serial. Serials are the rank within the 12-digit prefix, above any serial already
  used in the registry (persons and dependants), so NIKs are unique and valid by construction.
* **Memberships** — one active membership per participant (PU at an employer of the province,
  BPU self-paid or sponsored, JAKON on a project, PMI abroad); 12 % of PU and 10 % of BPU
  participants also have an earlier, ended PU membership at another employer (same KPJ).
  Programs: PU micro/small JKK+JKM+JHT, medium/large +JP when younger than the JP retirement age
  (rules ``jp.retirement_age`` on the start date, from 1 Jul 2015), JKP when under 54 at start and
  registration (PP 37/2021 Pasal 4(2)); BPU JKK+JKM (+JHT for 25 % of self-payers); JAKON JKK+JKM;
  PMI JKK+JKM (+JHT 40 %, an amount per month drawn evenly from the options in force in the
  registration month). Registration 0–14 days after the start (85 %), 15–30 (10 %), later
  (5 %, flagged ``late_registration``). Office = the regency's branch office (employer, project or
  address regency).
* **Wages** — PU: the regency's minimum wage of the start year (UMK, else UMP; years before 2023
  use 2023, the first year in minimum_wages.csv) times a factor by size; 25 % exactly at the
  minimum, a share below it (micro 12 %, small 8 %, medium 4 %, large 2 %: compliance cases), the
  rest above (rounded to Rp1,000); memberships started before 2026 get a January 2026 row at the
  2026 minimum, same position. BPU: declared income, 80 % at the lowest tier Rp1,000,000. Money is
  integer rupiah computed from integer sen; floats only draw dimensionless factors (and the
  log-normal contract value, rounded once to whole thousands).
* **Dependants** — for 35 % of participants: a spouse (75 % of those aged 25+, 30 % younger) and
  children (Poisson, mean rising with age), children with the school level of their age; NIKs for
  spouses and 85 % of children (unique with the persons' NIKs).
* **Sponsors** — every sponsored BPU membership gets a sponsor (regency APBD, village APBDes, CSR,
  Bapak Asuh, individual donor), a program covering ``AS_OF`` and a beneficiary row, and the
  lowest BPU income tier: :mod:`jaminan.demo.sponsors`.

Re-running: ``if_empty`` does nothing when participants exist (``make demo`` stays idempotent);
otherwise a non-empty registry is refused (:class:`RegistryNotEmpty`) unless ``append`` is given,
which adds a second population with new KPJ/NPP serials and NIK serials above the existing ones
(never a duplicate NIK).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count, Max

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.contributions.models import Sponsor
from jaminan.demo import calibration
from jaminan.demo import sponsors as demo_sponsors
from jaminan.geo.models import MinimumWage, Regency
from jaminan.registry.identifiers import KPJ, NPP, allocate, kpj_from_serial, npp_from_serial
from jaminan.registry.models import (
    ConstructionProject,
    Dependant,
    Employer,
    Membership,
    Participant,
    Person,
    ReportedWage,
)
from jaminan.registry.services import jkp_registration_age_limit, pmi_jht_options

AS_OF = date(2026, 1, 31)
EPOCH = date(1970, 1, 1)
JP_START = date(2015, 7, 1)
WAGE_YEARS = (2023, 2024, 2025, 2026)
BULK_FK_THRESHOLD = 200_000  # rows above which PostgreSQL foreign keys are dropped and re-validated
ProgressFn = Callable[[str, int, int], None]

SIZES = ("micro", "small", "medium", "large")
SIZE_SHARES = (0.50, 0.30, 0.15, 0.05)
BELOW_MINIMUM_SHARE = (0.12, 0.08, 0.04, 0.02)
AT_MINIMUM_SHARE = 0.25
MEDIAN_EXCESS = (0.08, 0.15, 0.30, 0.60)  # median wage above the minimum, by size
CONSTRUCTION_SHARE = Fraction(8, 100)

# KBLI 2020 code, JKK risk group (plausible for the sector; PP 44/2015 Lampiran I is not in the
# reference data), weight among business employers, labour-intensive candidate, name words.
SECTORS: tuple[tuple[str, int, float, bool, tuple[str, ...]], ...] = (
    ("47190", 1, 16.0, False, ("Niaga", "Mart", "Dagang", "Swalayan")),
    ("46900", 1, 8.0, False, ("Distribusi", "Niaga", "Trading")),
    ("56101", 1, 7.0, False, ("Rasa", "Kuliner", "Resto", "Dapur")),
    ("01262", 3, 8.0, True, ("Agro", "Sawit", "Plantation", "Perkebunan")),
    ("10431", 3, 2.0, True, ("Palm Oil", "Agro Industri", "Minyak Nabati")),
    ("05100", 5, 3.0, False, ("Coal", "Bara", "Mining", "Tambang")),
    ("09900", 4, 3.0, False, ("Mining Services", "Teknik Tambang", "Energi")),
    ("06100", 5, 0.5, False, ("Petro", "Energi", "Migas")),
    ("02111", 4, 1.0, False, ("Hutan", "Timber", "Rimba")),
    ("16101", 4, 1.0, True, ("Kayu", "Timber", "Wood")),
    ("03111", 4, 1.0, False, ("Bahari", "Samudra", "Perikanan")),
    ("49431", 3, 4.0, False, ("Transport", "Logistik", "Ekspedisi")),
    ("52101", 2, 1.5, False, ("Pergudangan", "Logistik", "Depo")),
    ("55110", 1, 1.5, False, ("Hotel", "Inn", "Residence")),
    ("64191", 1, 1.0, False, ("Bank", "Finance", "Kredit")),
    ("85220", 1, 1.5, False, ("Pendidikan", "Sekolah", "Cendekia")),
    ("86104", 1, 1.5, False, ("Medika", "Klinik", "Husada")),
    ("80100", 2, 2.0, False, ("Security", "Pengamanan", "Satria")),
    ("81210", 2, 1.5, False, ("Cleaning Service", "Bersih", "Kebersihan")),
    ("45201", 2, 2.0, False, ("Motor", "Bengkel", "Otomotif")),
    ("47300", 2, 1.5, False, ("Petro", "SPBU", "Energi")),
    ("68111", 1, 1.0, False, ("Properti", "Land", "Graha")),
    ("10792", 2, 1.5, True, ("Roti", "Pangan", "Food")),
    ("94990", 1, 1.0, False, ("Peduli", "Amanah", "Harapan")),
)
CONSTRUCTION_SECTORS: tuple[tuple[str, int, float, bool, tuple[str, ...]], ...] = (
    ("41011", 4, 4.0, False, ("Konstruksi", "Bangun", "Karya")),
    ("42101", 5, 3.0, False, ("Konstruksi", "Jalan", "Infrastruktur")),
    ("42911", 5, 1.0, False, ("Konstruksi", "Dermaga", "Marine")),
    ("43211", 4, 2.0, False, ("Elektrikal", "Teknik", "Instalasi")),
)
STATE_KBLI = "84111"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NAME_WORDS_A = _words(
    "Borneo Mahakam Barito Kapuas Khatulistiwa Banua Kalimantan Bumi Sinar Cahaya Mitra Karya "
    "Putra Tunas Anugerah Bintang Citra Damai Kahayan Kayan Meratus Sebuku Katingan Pesut "
    "Enggang Tingang Lambung Intan"
)
NAME_WORDS_C = _words(
    "Jaya Abadi Sentosa Makmur Lestari Sejahtera Perkasa Mandiri Utama Prima Nusantara Gemilang "
    "Sakti Raya Indah Permai Berkah Bersama"
)
LEGAL_FORMS = ("PT", "CV", "koperasi", "yayasan", "firma", "perorangan", "BUMN", "BUMD")
LEGAL_FORM_SHARES = {  # by size class
    "micro": (0.10, 0.30, 0.10, 0.00, 0.05, 0.45, 0.00, 0.00),
    "small": (0.45, 0.40, 0.10, 0.05, 0.00, 0.00, 0.00, 0.00),
    "medium": (0.85, 0.05, 0.05, 0.05, 0.00, 0.00, 0.00, 0.00),
    "large": (0.90, 0.00, 0.00, 0.00, 0.00, 0.00, 0.05, 0.05),
}
LEGAL_FORM_PREFIX = {
    "PT": "PT",
    "CV": "CV",
    "koperasi": "Koperasi",
    "yayasan": "Yayasan",
    "firma": "Firma",
    "perorangan": "UD",
    "BUMN": "PT",
    "BUMD": "Perusda",
}
# Seats of the provincial governments (regency codes).
PROVINCE_CAPITALS = {"61": "61.71", "62": "62.71", "63": "63.72", "64": "64.72", "65": "65.01"}

MALE_FIRST = _words(
    "Ahmad Muhammad Budi Agus Rudi Hendra Eko Dedi Rizky Fajar Andi Yusuf Arif Dimas Bayu "
    "Rahmat Syahrul Iwan Joko Wahyu Hadi Slamet Supriadi Herman Yohanes Petrus Markus Stefanus "
    "Antonius Fransiskus Paulus Daniel Samuel Kevin Ferry Gusti Anang Aidil Fahmi Ilham Irfan "
    "Lukman Nanang Rahmadi Saiful Taufik Zainal Abdul Darmawan Suryadi Yanto Ardiansyah Riduan "
    "Misran Jumadi Hairul Akhmad Norhadi Yosef Dominikus Kristian Alexander Edi Sugianto Heri "
    "Rusdi Aan"
)
FEMALE_FIRST = _words(
    "Siti Nur Dewi Sri Rina Fitri Wulan Ayu Putri Maria Yuliana Rosalina Agustina Nurul Aisyah "
    "Fatimah Dian Indah Ratna Yanti Sari Mega Novita Eka Dina Lina Rini Herlina Marlina Kartini "
    "Norma Noor Galuh Intan Rahmah Salmah Mariani Theresia Veronika Yohana Elisabeth Monika "
    "Susi Lilis Erna Wahyuni Hasanah Mahmudah Anisa Rizka Nadia Melati Puspa Yuni Tini Halimah "
    "Jamilah Norlela"
)
MALE_LAST = _words(
    "Saputra Pratama Hidayat Setiawan Kurniawan Wijaya Santoso Nugroho Gunawan Hakim Rahman "
    "Firmansyah Ramadhan Syahputra Hermawan Susanto Prasetyo Hasan Effendi Siregar Simanjuntak "
    "Tanjung Noor Arsyad Mahmud Ibrahim Fauzi Maulana Sembiring Nainggolan Mulyadi Hartono "
    "Halim Anshari Rasyid Baharudin Iskandar Kusuma Lubis Pohan"
)
FEMALE_LAST = _words(
    "Lestari Rahmawati Wati Sari Handayani Anggraini Puspita Maharani Safitri Permata Yulianti "
    "Susanti Wulandari Nurhayati Hartati Kusuma Fitriani Agustina Oktaviani Rosmawati Amelia "
    "Novitasari Purnamasari Hidayati Zahra Siregar Noor Ningsih Pertiwi Astuti"
)
PMI_DESTINATIONS = (
    "Malaysia",
    "Brunei Darussalam",
    "Taiwan",
    "Hong Kong",
    "Singapura",
    "Arab Saudi",
)
PMI_DESTINATION_SHARES = (0.70, 0.10, 0.07, 0.05, 0.04, 0.04)
PROJECT_ACTIONS = ("Pembangunan", "Peningkatan", "Rehabilitasi", "Pemeliharaan", "Penggantian")
PROJECT_OBJECTS = (
    "Jalan Poros Desa",
    "Jembatan",
    "Gedung Sekolah Dasar",
    "Puskesmas",
    "Drainase Kota",
    "Jaringan Irigasi",
    "Kantor Kecamatan",
    "Pasar Rakyat",
    "Dermaga",
    "Gedung Olahraga",
    "Ruko",
    "Perumahan",
    "Gudang",
    "Turap Sungai",
    "Jalan Lingkungan",
    "Rumah Sakit Daerah",
)
BPU_INCOMES = (1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000, 10_000_000)
BPU_INCOME_SHARES = (0.80, 0.05, 0.06, 0.05, 0.03, 0.01)


class RegistryNotEmpty(Exception):
    """The registry already holds participants and neither ``append`` nor ``if_empty`` was given."""

    code = "registry_not_empty"

    def __init__(self, participants: int) -> None:
        self.participants = participants
        super().__init__(
            f"Registri sudah berisi {participants} peserta: gunakan --append untuk menambah populasi "
            "atau --if-empty untuk melewati (registry not empty)."
        )


class ReferenceMissing(Exception):
    code = "reference_missing"


@dataclass
class GenerationResult:
    skipped: bool
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


# --- small vectorised helpers -------------------------------------------------------------------


def _days(d: date) -> int:
    return (d - EPOCH).days


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _age(birth: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Whole years of age on ``at`` (both day numbers)."""
    by, bm, bd = _ymd(birth)
    ay, am, ad = _ymd(at)
    before_birthday = (am < bm) | ((am == bm) & (ad < bd))
    return ay - by - before_birthday.astype(np.int64)


def _add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same calendar day ``years`` later (29 Feb -> 1 Mar)."""
    y, m, d = _ymd(days)
    months = ((y + years - 1970) * 12 + m - 1).astype("datetime64[M]")
    return (months.astype("datetime64[D]").astype(np.int64) + d - 1).astype(np.int64)


def _month_start(days: np.ndarray) -> np.ndarray:
    return (
        days.astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def _choice(rng: np.random.Generator, n: int, shares: Sequence[float]) -> np.ndarray:
    p = np.asarray(shares, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _apportion_int(total: int, weights: np.ndarray, minimum_one: bool = False) -> np.ndarray:
    """Largest-remainder split of ``total`` ∝ ``weights`` (integer weights, exact)."""
    n = len(weights)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    base = np.zeros(n, dtype=np.int64)
    if minimum_one and total >= n:
        base += 1
        total -= n
    w = np.asarray(weights, dtype=np.int64)
    wsum = int(w.sum())
    if total == 0 or wsum == 0:
        return base
    # exact: quota_i = total * w_i / wsum as a pair (floor, remainder) in Python ints (object math)
    prod = w.astype(object) * total
    floors = np.array([int(x) // wsum for x in prod], dtype=np.int64)
    rema = np.array([int(x) % wsum for x in prod], dtype=object)
    left = total - int(floors.sum())
    order = sorted(range(n), key=lambda i: (-rema[i], i))[:left]
    floors[order] += 1
    return base + floors


def _luhn_digits(serials: np.ndarray, width: int) -> np.ndarray:
    """Luhn check digit of each zero-padded ``width``-digit serial (vectorised)."""
    total = np.zeros(len(serials), dtype=np.int64)
    rest = serials.astype(np.int64).copy()
    for i in range(width):  # i = 0 is the rightmost payload digit, which is doubled
        d = rest % 10
        rest //= 10
        if i % 2 == 0:
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    return (10 - total % 10) % 10


def _identifiers(serials: np.ndarray, width: int, reference: Callable[[int], str]) -> np.ndarray:
    numbers = serials.astype(np.int64) * 10 + _luhn_digits(serials, width)
    out = np.char.zfill(numbers.astype(f"U{width + 1}"), width + 1).astype(object)
    # The registry's own function is the definition: check the ends and a sample against it.
    probe = sorted({0, len(serials) - 1, *range(0, len(serials), max(1, len(serials) // 97))})
    for i in probe:
        if out[i] != reference(int(serials[i])):
            raise AssertionError(f"identifier mismatch at serial {serials[i]}")
    return out


def _pick_names(rng: np.random.Generator, sex_female: np.ndarray) -> np.ndarray:
    n = len(sex_female)
    mf = np.array(MALE_FIRST, dtype=object)
    ff = np.array(FEMALE_FIRST, dtype=object)
    ml = np.array(MALE_LAST, dtype=object)
    fl = np.array(FEMALE_LAST, dtype=object)
    first = np.where(sex_female, ff[rng.integers(0, len(ff), n)], mf[rng.integers(0, len(mf), n)])
    last = np.where(sex_female, fl[rng.integers(0, len(fl), n)], ml[rng.integers(0, len(ml), n)])
    single = rng.random(n) < 0.08
    spaced = np.where(single, "", " ")
    return first + spaced + np.where(single, "", last)


# --- reference data ------------------------------------------------------------------------------


@dataclass
class _Reference:
    regency_id: np.ndarray
    regency_code: np.ndarray  # 6471
    regency_codes: list[str]  # "64.71"
    regency_names: list[str]
    regency_kota: np.ndarray
    regency_province: np.ndarray  # index into calibration.PROVINCES
    regency_office: np.ndarray
    min_wage_sen: np.ndarray  # (regency, WAGE_YEARS)
    retirement_age: dict[int, int]

    def regencies_of(self, province: int) -> np.ndarray:
        return np.flatnonzero(self.regency_province == province)

    def weights_of(self, province: int) -> np.ndarray:
        idx = self.regencies_of(province)
        return np.where(self.regency_kota[idx], 2.0, 1.0)


def _load_reference() -> _Reference:
    rows = list(
        Regency.objects.order_by("code").values_list(
            "id", "code", "name", "kind", "province__code", "branch_office_id"
        )
    )
    if not rows:
        raise ReferenceMissing("Data referensi belum dimuat: jalankan `jaminan load-reference`.")
    missing = [code for _, code, _, _, _, office in rows if office is None]
    if missing:
        raise ReferenceMissing(f"Kabupaten/kota tanpa kantor cabang: {', '.join(missing)}")
    codes = [r[1] for r in rows]
    prov_index = {code: i for i, code in enumerate(calibration.PROVINCES)}
    wages: dict[tuple[str, str, int], int] = {}
    for level, area, year, amount in MinimumWage.objects.values_list(
        "level", "area_code", "year", "amount_sen"
    ):
        wages[(level, area, year)] = amount
    table = np.zeros((len(rows), len(WAGE_YEARS)), dtype=np.int64)
    for i, (_, code, _, _, prov, _) in enumerate(rows):
        for j, year in enumerate(WAGE_YEARS):
            sen = wages.get(("regency", code, year)) or wages.get(("province", prov, year))
            if sen is None:
                raise ReferenceMissing(f"Upah minimum {year} untuk {code} tidak ada")
            table[i, j] = sen
    return _Reference(
        regency_id=np.array([r[0] for r in rows], dtype=np.int64),
        regency_code=np.array([int(c.replace(".", "")) for c in codes], dtype=np.int64),
        regency_codes=codes,
        regency_names=[r[2] for r in rows],
        regency_kota=np.array([r[3] == "kota" for r in rows]),
        regency_province=np.array([prov_index[r[4]] for r in rows], dtype=np.int64),
        regency_office=np.array([r[5] for r in rows], dtype=np.int64),
        min_wage_sen=table,
        retirement_age=_retirement_ages(),
    )


def _retirement_ages() -> dict[int, int]:
    """JP retirement age per calendar year from the rules (it changes only on 1 January)."""
    from jaminan import rules

    ages = {}
    for year in range(JP_START.year, AS_OF.year + 1):
        on = max(date(year, 1, 1), JP_START)
        ages[year] = int(rules.calculate("jp.retirement_age", {"date": on.isoformat()})["age"])
    return ages


# --- the population, as columns ------------------------------------------------------------------


@dataclass
class Table:
    model: type[models.Model]
    columns: dict[str, tuple[str, Any]]  # field attname -> (kind, values)

    @property
    def rows(self) -> int:
        _kind, values = next(iter(self.columns.values()))
        return len(values)


@dataclass
class Population:
    tables: list[Table]
    kpj_count: int
    npp_count: int


def _regency_pick(rng: np.random.Generator, ref: _Reference, province: int, n: int) -> np.ndarray:
    idx = ref.regencies_of(province)
    w = ref.weights_of(province)
    return idx[rng.choice(len(idx), size=n, p=w / w.sum())]


def build_population(
    *,
    targets: calibration.Targets,
    seed: int,
    ref: _Reference,
    ids: dict[str, int],
    kpj_serials: range | None = None,
    npp_serials: range | None = None,
    nik_used: np.ndarray | None = None,
    progress: ProgressFn | None = None,
) -> Population:
    """All rows of a run as NumPy columns (no database access)."""
    as_of = _days(AS_OF)
    n_prov = len(calibration.PROVINCES)
    shares = [targets.province_shares[c] for c in calibration.PROVINCES]
    segs = targets.by_province

    # --- employers -------------------------------------------------------------------------------
    rng = _rng(seed, "employers")
    jakon_p = [segs[c]["JAKON"] for c in calibration.PROVINCES]
    pu_p = [segs[c]["PU"] for c in calibration.PROVINCES]
    projects_p = calibration.ensure_at_least_one(
        calibration.apportion(targets.projects, shares), [j > 0 for j in jakon_p]
    )
    # regional governments first
    so_rng = _rng(seed, "state_organisers")
    candidates: list[tuple[int, bool]] = [(int(i), False) for i in range(len(ref.regency_codes))]
    code_index = {code: i for i, code in enumerate(ref.regency_codes)}
    candidates += [(code_index[PROVINCE_CAPITALS[c]], True) for c in calibration.PROVINCES]
    order = so_rng.permutation(len(candidates))[: targets.state_organisers]
    so = [candidates[i] for i in order]
    so_regency = np.array([r for r, _ in so], dtype=np.int64)
    so_provincial = np.array([p for _, p in so], dtype=bool)
    so_weight = so_rng.integers(50, 150, len(so)) * np.where(so_provincial, 3, 1)
    so_workers = _apportion_int(targets.non_asn_workers, so_weight, minimum_one=True)
    so_prov = ref.regency_province[so_regency] if len(so) else np.zeros(0, dtype=np.int64)
    for p in range(n_prov):  # never more non-ASN than wage earners of the province (tiny scales)
        mask = so_prov == p
        excess = int(so_workers[mask].sum()) - max(0, pu_p[p] - 1)
        if excess > 0:
            so_workers[mask] = _apportion_int(
                int(so_workers[mask].sum()) - excess, so_workers[mask]
            )
    business_total = targets.employers - len(so)
    pu_business_p = [pu_p[p] - int(so_workers[so_prov == p].sum()) for p in range(n_prov)]
    emp_p = calibration.ensure_at_least_one(
        calibration.apportion(business_total, shares),
        [pu_business_p[p] > 0 or projects_p[p] > 0 for p in range(n_prov)],
    )

    e_prov, e_regency, e_sector, e_size, e_headcount, e_construction = [], [], [], [], [], []
    sector_w = np.array([s[2] for s in SECTORS])
    csector_w = np.array([s[2] for s in CONSTRUCTION_SECTORS])
    for p in range(n_prov):
        n = emp_p[p]
        if n == 0:
            continue
        n_con = min(
            n, max(1 if projects_p[p] else 0, calibration.round_half_up(CONSTRUCTION_SHARE * n))
        )
        is_con = np.zeros(n, dtype=bool)
        is_con[:n_con] = True
        sector = np.where(
            is_con,
            rng.choice(len(csector_w), size=n, p=csector_w / csector_w.sum()),
            rng.choice(len(sector_w), size=n, p=sector_w / sector_w.sum()),
        )
        size = _choice(rng, n, SIZE_SHARES)
        head = np.select(
            [size == 0, size == 1, size == 2],
            [
                rng.integers(1, 5, n),
                rng.integers(5, 20, n),
                np.exp(rng.uniform(np.log(20), np.log(100), n)).astype(np.int64),
            ],
            np.minimum(np.exp(rng.normal(np.log(250), 0.9, n)), 20_000).astype(np.int64) + 100,
        )
        e_prov.append(np.full(n, p))
        e_regency.append(_regency_pick(rng, ref, p, n))
        e_sector.append(sector)
        e_size.append(size)
        e_headcount.append(_apportion_int(pu_business_p[p], head, minimum_one=True))
        e_construction.append(is_con)
    emp_prov = np.concatenate([*e_prov, so_prov]).astype(np.int64)
    emp_regency = np.concatenate([*e_regency, so_regency]).astype(np.int64)
    emp_sector = np.concatenate([*e_sector, np.zeros(len(so), dtype=np.int64)])
    emp_size = np.concatenate([*e_size, np.full(len(so), 3)]).astype(np.int64)
    emp_workers = np.concatenate([*e_headcount, so_workers]).astype(np.int64)
    emp_construction = np.concatenate([*e_construction, np.zeros(len(so), dtype=bool)])
    emp_state = np.zeros(len(emp_prov), dtype=bool)
    emp_state[len(emp_prov) - len(so) :] = True
    n_emp = len(emp_prov)
    emp_registered = (
        as_of - np.minimum(rng.exponential(8 * 365.25, n_emp), 30 * 365).astype(np.int64) - 30
    )
    emp_registered = np.where(
        emp_state, _days(date(2015, 7, 1)) + rng.integers(0, 2000, n_emp), emp_registered
    )
    emp_ids = ids["employer"] + np.arange(n_emp, dtype=np.int64)
    if progress:
        progress("pemberi kerja", 1, 10)

    # --- projects --------------------------------------------------------------------------------
    rng = _rng(seed, "projects")
    pr_prov, pr_contractor = [], []
    for p in range(n_prov):
        n = projects_p[p]
        if n == 0:
            continue
        contractors = np.flatnonzero((emp_prov == p) & emp_construction)
        pr_prov.append(np.full(n, p))
        pr_contractor.append(contractors[rng.integers(0, len(contractors), n)])
    proj_prov = np.concatenate(pr_prov).astype(np.int64) if pr_prov else np.zeros(0, dtype=np.int64)
    proj_contractor = np.concatenate(pr_contractor).astype(np.int64) if pr_contractor else proj_prov
    n_proj = len(proj_prov)
    proj_regency = (
        np.where(
            rng.random(n_proj) < 0.6,
            emp_regency[proj_contractor],
            np.array([_regency_pick(rng, ref, int(p), 1)[0] for p in proj_prov], dtype=np.int64),
        )
        if n_proj
        else proj_prov
    )
    proj_owner = _choice(rng, n_proj, (0.20, 0.50, 0.30))  # APBN, APBD, private
    median = np.array([5e9, 1.2e9, 2e9])[proj_owner]
    thousands = np.clip(
        np.rint(np.exp(rng.normal(np.log(median / 1000), 1.2))), 50_000, 1_000_000_000
    )
    proj_value = thousands.astype(np.int64) * 1000
    proj_start = as_of - rng.integers(30, 720, n_proj)
    proj_end = np.maximum(
        proj_start + rng.integers(90, 900, n_proj), as_of + 30 + rng.integers(0, 180, n_proj)
    )
    proj_registered = proj_start - rng.integers(0, 15, n_proj)
    proj_ids = ids["project"] + np.arange(n_proj, dtype=np.int64)
    proj_workers = np.zeros(n_proj, dtype=np.int64)
    for p in range(n_prov):
        idx = np.flatnonzero(proj_prov == p)
        if len(idx):
            weight = np.maximum(1, np.rint((proj_value[idx] / 1e6) ** 0.6)).astype(np.int64)
            proj_workers[idx] = _apportion_int(jakon_p[p], weight, minimum_one=True)
    if progress:
        progress("proyek", 2, 10)

    # --- participants: segment, province, link -------------------------------------------------
    rng = _rng(seed, "participants")
    seg_code = {s: i for i, s in enumerate(calibration.SEGMENTS)}
    parts_seg, parts_prov, parts_emp, parts_proj = [], [], [], []
    for p, code in enumerate(calibration.PROVINCES):
        for seg in calibration.SEGMENTS:
            n = segs[code][seg]
            if n == 0:
                continue
            emp = np.full(n, -1, dtype=np.int64)
            proj = np.full(n, -1, dtype=np.int64)
            if seg == "PU":
                idx = np.flatnonzero(emp_prov == p)
                emp = rng.permutation(np.repeat(idx, emp_workers[idx]))[:n]
                if len(emp) < n:  # only when rounding left no employer (cannot happen above 1e-5)
                    emp = np.concatenate([emp, idx[rng.integers(0, len(idx), n - len(emp))]])
            elif seg == "JAKON":
                idx = np.flatnonzero(proj_prov == p)
                proj = rng.permutation(np.repeat(idx, proj_workers[idx]))[:n]
            parts_seg.append(np.full(n, seg_code[seg]))
            parts_prov.append(np.full(n, p))
            parts_emp.append(emp)
            parts_proj.append(proj)
    seg_arr = np.concatenate(parts_seg).astype(np.int64)
    prov_arr = np.concatenate(parts_prov).astype(np.int64)
    emp_of = np.concatenate(parts_emp).astype(np.int64)
    proj_of = np.concatenate(parts_proj).astype(np.int64)
    n = len(seg_arr)
    is_pu, is_bpu, is_jakon, is_pmi = (seg_arr == i for i in range(4))

    # address regency
    addr = np.zeros(n, dtype=np.int64)
    for p in range(n_prov):
        idx = np.flatnonzero(prov_arr == p)
        addr[idx] = _regency_pick(rng, ref, p, len(idx))
    keep_emp = is_pu & (rng.random(n) < 0.9)
    addr = np.where(keep_emp, emp_regency[np.maximum(emp_of, 0)], addr)
    keep_proj = is_jakon & (rng.random(n) < 0.8)
    addr = np.where(keep_proj, proj_regency[np.maximum(proj_of, 0)] if n_proj else addr, addr)

    # sex and age
    female_p = np.array([0.32, 0.42, 0.05, 0.60])[seg_arr]
    female = rng.random(n) < female_p
    alpha = np.array([2.2, 2.5, 2.0, 2.0])[seg_arr]
    beta = np.array([3.0, 2.5, 3.0, 4.0])[seg_arr]
    oldest = _add_years(np.array([as_of]), -61)[0] + 1  # 60 years old at most on AS_OF
    youngest = _add_years(np.array([as_of]), -18)[0]  # 18 years old at least
    birth = youngest - (rng.beta(alpha, beta) * (youngest - oldest)).astype(np.int64)
    adult_from = _add_years(birth, 18)
    if progress:
        progress("peserta", 3, 10)

    # --- current memberships -------------------------------------------------------------------
    rng = _rng(seed, "memberships")
    start = np.zeros(n, dtype=np.int64)
    emp_safe = np.maximum(emp_of, 0)
    proj_safe = np.maximum(proj_of, 0) if n_proj else np.zeros(n, dtype=np.int64)
    tenure = np.minimum(rng.exponential(4.5 * 365.25, n), 35 * 365).astype(np.int64)
    pu_start = np.maximum.reduce([as_of - tenure, adult_from, emp_registered[emp_safe] + 1])
    bpu_start = np.maximum(
        as_of - np.minimum(rng.exponential(2 * 365.25, n), 8 * 365).astype(np.int64), adult_from
    )
    if n_proj:
        span = np.maximum(1, as_of - proj_start[proj_safe])
        jakon_start = np.maximum(
            proj_start[proj_safe] + (rng.random(n) * span).astype(np.int64), adult_from
        )
    else:
        jakon_start = np.full(n, as_of)
    pmi_start = np.maximum(as_of - rng.integers(0, 730, n), adult_from)
    start = np.select([is_pu, is_bpu, is_jakon], [pu_start, bpu_start, jakon_start], pmi_start)
    start = np.minimum(start, as_of)
    lag = _registration_lag(rng, n)
    registered = np.select(
        [is_bpu, is_pmi], [start, start - rng.integers(0, 31, n)], np.minimum(start + lag, as_of)
    )
    late = (registered - start) > 30
    payer = np.select(
        [is_pu | is_jakon, is_bpu & (rng.random(n) < 0.30)], [0, 2], 1
    )  # employer, sponsor, self
    office = np.select(
        [is_pu, is_jakon],
        [
            ref.regency_office[emp_regency[emp_safe]],
            ref.regency_office[proj_regency[proj_safe]] if n_proj else ref.regency_office[addr],
        ],
        ref.regency_office[addr],
    )
    size_of = emp_size[emp_safe]
    jp, jkp = _pu_programs(ref, birth, start, registered, size_of)
    jht = np.select(
        [is_pu, is_bpu, is_pmi],
        [np.ones(n, dtype=bool), (payer == 1) & (rng.random(n) < 0.25), rng.random(n) < 0.40],
        False,
    )
    jp &= is_pu
    jkp &= is_pu
    pmi_months = np.where(is_pmi, np.array([12, 24, 24, 24, 36])[rng.integers(0, 5, n)], -1)
    pmi_dest = np.where(
        is_pmi,
        np.array(PMI_DESTINATIONS, dtype=object)[_choice(rng, n, PMI_DESTINATION_SHARES)],
        "",
    )
    # A PMI with JHT chose an amount per month among the options in force in its registration
    # month (rules parameter pmi.jht_options); none in force then: no JHT.
    pmi_jht = np.full(n, -1, dtype=np.int64)
    jht_pick = rng.random(n)
    reg_month = _month_start(registered)
    for month_days in np.unique(reg_month[is_pmi & jht]):
        chosen = is_pmi & jht & (reg_month == month_days)
        options = pmi_jht_options(EPOCH + timedelta(days=int(month_days)))
        if not options:
            jht &= ~chosen
            continue
        pmi_jht[chosen] = np.array(options, dtype=np.int64)[
            (jht_pick[chosen] * len(options)).astype(np.int64)
        ]

    # --- earlier (ended) PU memberships --------------------------------------------------------
    rng = _rng(seed, "history")
    wants = (is_pu & (rng.random(n) < 0.12)) | (is_bpu & (rng.random(n) < 0.10))
    h = np.flatnonzero(wants)
    h_prov = prov_arr[h]
    h_emp = np.zeros(len(h), dtype=np.int64)
    for p in range(n_prov):
        mask = h_prov == p
        pool = np.flatnonzero((emp_prov == p) & ~emp_state)
        if len(pool) == 0:
            pool = np.flatnonzero(emp_prov == p)
        if len(pool) == 0:  # no employer in the province (tiny scales): no earlier membership
            h_emp[mask] = -1
            continue
        pick = pool[rng.integers(0, len(pool), int(mask.sum()))]
        same = pick == emp_of[h[mask]]
        pick[same] = pool[(np.searchsorted(pool, pick[same]) + 1) % len(pool)]
        h_emp[mask] = pick
    has_pool = h_emp >= 0
    h, h_emp = h[has_pool], h_emp[has_pool]
    h_end = start[h] - rng.integers(1, 121, len(h))
    h_start = np.maximum.reduce(
        [h_end - rng.integers(180, 2900, len(h)), adult_from[h], emp_registered[h_emp] + 1]
    )
    ok = (h_end - h_start) >= 30
    h, h_emp, h_end, h_start = h[ok], h_emp[ok], h_end[ok], h_start[ok]
    h_registered = h_start + _registration_lag(rng, len(h))
    h_registered = np.minimum(h_registered, h_end)
    h_late = (h_registered - h_start) > 30
    h_jp, h_jkp = _pu_programs(ref, birth[h], h_start, h_registered, emp_size[h_emp])
    h_reason = np.array(["resigned", "contract_ended", "dismissed"], dtype=object)[
        _choice(rng, len(h), (0.45, 0.40, 0.15))
    ]
    h_office = ref.regency_office[emp_regency[h_emp]]

    # participant registration = the earliest membership
    first_reg = registered.copy()
    first_office = office.copy()
    earlier = h_registered < first_reg[h]
    first_reg[h[earlier]] = h_registered[earlier]
    first_office[h[earlier]] = h_office[earlier]
    if progress:
        progress("kepesertaan", 4, 10)

    # --- order persons by registration: ids and KPJ follow the history of the office ------------
    order = np.lexsort((np.arange(n), first_reg))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    person_ids = ids["person"] + rank
    participant_ids = ids["participant"] + rank
    if kpj_serials is None:
        kpj_serials = range(1, n + 1)
    kpj = _identifiers(np.asarray(kpj_serials, dtype=np.int64)[rank], 10, kpj_from_serial)
    if npp_serials is None:
        npp_serials = range(1, n_emp + 1)
    npp = _identifiers(np.asarray(npp_serials, dtype=np.int64), 7, npp_from_serial)

    # --- dependants ------------------------------------------------------------------------------
    rng = _rng(seed, "dependants")
    age_now = _age(birth, np.full(n, as_of))
    has = rng.random(n) < 0.35
    spouse = has & (rng.random(n) < np.where(age_now >= 25, 0.75, 0.30))
    lam = np.clip((age_now - 22) / 6.0, 0, 2.2)
    kids = np.where(has, np.minimum(rng.poisson(lam), 5), 0)
    sp_idx = np.flatnonzero(spouse)
    sp_female = ~female[sp_idx]
    sp_shift = np.rint(rng.normal(np.where(female[sp_idx], 3, -2), 3) * 365.25).astype(np.int64)
    sp_birth = np.clip(
        birth[sp_idx] - sp_shift,
        _add_years(np.array([as_of]), -75)[0],
        _add_years(np.array([as_of]), -17)[0],
    )
    ch_parent = np.repeat(np.arange(n), kids)
    max_age_days = np.minimum(25 * 365, (age_now[ch_parent] - 18) * 365)
    ch_birth = as_of - (rng.random(len(ch_parent)) * np.maximum(max_age_days, 1)).astype(np.int64)
    ch_female = rng.random(len(ch_parent)) < 0.49
    dep_parent = np.concatenate([sp_idx, ch_parent])
    dep_birth = np.concatenate([sp_birth, ch_birth])
    dep_female = np.concatenate([sp_female, ch_female])
    dep_spouse = np.concatenate(
        [np.ones(len(sp_idx), dtype=bool), np.zeros(len(ch_parent), dtype=bool)]
    )
    dep_with_nik = dep_spouse | (rng.random(len(dep_parent)) < 0.85)
    dep_names = _pick_names(rng, dep_female)
    child_age = _age(dep_birth, np.full(len(dep_birth), as_of))
    pt = rng.random(len(dep_birth)) < 0.4
    school = np.select(
        [
            child_age <= 3,
            child_age <= 6,
            child_age <= 12,
            child_age <= 15,
            child_age <= 18,
            (child_age <= 23) & pt,
        ],
        ["", "TK", "SD", "SMP", "SMA", "PT"],
        "",
    ).astype(object)
    school = np.where(dep_spouse, "", school)
    if progress:
        progress("tanggungan", 5, 10)

    # --- NIKs (persons and dependants together) -----------------------------------------------
    rng = _rng(seed, "nik")
    nik_regency = np.where(rng.random(n) < 0.9, addr, rng.integers(0, len(ref.regency_code), n))
    districts = _rng(seed, "districts").integers(5, 21, len(ref.regency_code))
    all_birth = np.concatenate([birth, dep_birth[dep_with_nik]])
    all_female = np.concatenate([female, dep_female[dep_with_nik]])
    all_regency = np.concatenate([nik_regency, addr[dep_parent[dep_with_nik]]])
    district = 1 + (rng.random(len(all_birth)) * districts[all_regency]).astype(np.int64)
    y, m, d = _ymd(all_birth)
    prefix = (
        ref.regency_code[all_regency] * 10**8
        + district * 10**6
        + (d + np.where(all_female, 40, 0)) * 10**4
        + m * 100
        + y % 100
    )
    serial = _serials(prefix, nik_used)
    nik_all = (prefix * 10_000 + serial).astype("U16").astype(object)
    person_nik = nik_all[:n]
    dep_nik = np.full(len(dep_parent), "", dtype=object)
    dep_nik[dep_with_nik] = nik_all[n:]
    names = _pick_names(_rng(seed, "names"), female)
    phone_rng = _rng(seed, "phones")
    has_phone = phone_rng.random(n) < 0.6
    phone = np.where(
        has_phone,
        "08" + phone_rng.integers(11_0000_0000, 99_9999_9999, n).astype("U10").astype(object),
        "",
    )
    if progress:
        progress("NIK", 6, 10)

    # --- wages ---------------------------------------------------------------------------------
    rng = _rng(seed, "wages")
    pu_idx = np.flatnonzero(is_pu)
    w_mem, w_month, w_amount = [], [], []
    cur_mem_ids = ids["membership"] + len(h) + np.arange(n, dtype=np.int64)
    hist_mem_ids = ids["membership"] + np.arange(len(h), dtype=np.int64)
    # current PU
    reg_w = emp_regency[emp_of[pu_idx]]
    first_amount, position = _draw_wages(rng, ref, reg_w, start[pu_idx], emp_size[emp_of[pu_idx]])
    w_mem.append(cur_mem_ids[pu_idx])
    w_month.append(_month_start(start[pu_idx]))
    w_amount.append(first_amount)
    jan26 = _days(date(2026, 1, 1))
    before = _month_start(start[pu_idx]) < jan26
    later = _rewage(
        ref, reg_w[before], first_amount[before], _year(start[pu_idx][before]), position[before]
    )
    w_mem.append(cur_mem_ids[pu_idx][before])
    w_month.append(np.full(int(before.sum()), jan26))
    w_amount.append(later)
    # earlier memberships
    hist_amount, _ = _draw_wages(rng, ref, emp_regency[h_emp], h_start, emp_size[h_emp])
    w_mem.append(hist_mem_ids)
    w_month.append(_month_start(h_start))
    w_amount.append(hist_amount)
    # BPU declared income
    bpu_idx = np.flatnonzero(is_bpu)
    w_mem.append(cur_mem_ids[bpu_idx])
    w_month.append(_month_start(start[bpu_idx]))
    w_amount.append(
        np.array(BPU_INCOMES, dtype=np.int64)[_choice(rng, len(bpu_idx), BPU_INCOME_SHARES)]
    )
    wage_mem = np.concatenate(w_mem)
    wage_month = np.concatenate(w_month)
    wage_amount = np.concatenate(w_amount)
    wage_reported = np.maximum(
        wage_month,
        np.concatenate(
            [
                registered[pu_idx],
                np.full(int(before.sum()), jan26),
                h_registered,
                registered[bpu_idx],
            ]
        ),
    )
    if progress:
        progress("upah", 7, 10)

    # --- names of employers and projects ----------------------------------------------------------
    rng = _rng(seed, "labels")
    sector_table = SECTORS
    e_kbli = np.empty(n_emp, dtype=object)
    e_risk = np.zeros(n_emp, dtype=np.int64)
    e_li_candidate = np.zeros(n_emp, dtype=bool)
    e_word = np.empty(n_emp, dtype=object)
    for i in range(n_emp):
        if emp_state[i]:
            e_kbli[i], e_risk[i], e_word[i] = STATE_KBLI, 1, ""
            continue
        table = CONSTRUCTION_SECTORS if emp_construction[i] else sector_table
        kbli, risk, _, li, words = table[int(emp_sector[i])]
        e_kbli[i], e_risk[i], e_li_candidate[i] = kbli, risk, li
        e_word[i] = words[int(rng.integers(0, len(words)))]
    legal = np.empty(n_emp, dtype=object)
    for size_index, size_name in enumerate(SIZES):
        mask = (emp_size == size_index) & ~emp_state
        legal[mask] = np.array(LEGAL_FORMS, dtype=object)[
            _choice(rng, int(mask.sum()), LEGAL_FORM_SHARES[size_name])
        ]
    legal[emp_state] = "instansi"
    word_a = np.array(NAME_WORDS_A, dtype=object)[rng.integers(0, len(NAME_WORDS_A), n_emp)]
    word_c = np.array(NAME_WORDS_C, dtype=object)[rng.integers(0, len(NAME_WORDS_C), n_emp)]
    prefix_lf = np.array([LEGAL_FORM_PREFIX.get(lf, "") for lf in legal], dtype=object)
    emp_name = prefix_lf + " " + word_a + " " + e_word + " " + word_c
    for i in np.flatnonzero(emp_state).tolist():
        r = int(emp_regency[i])
        provincial = bool(so_provincial[i - (n_emp - len(so))])
        if provincial:
            emp_name[i] = (
                "Pemerintah Provinsi "
                + calibration.PROVINCE_NAMES[calibration.PROVINCES[emp_prov[i]]]
            )
        else:
            kind = "Kota" if ref.regency_kota[r] else "Kabupaten"
            emp_name[i] = f"Pemerintah {kind} {ref.regency_names[r]}"
    npwp = np.where(
        rng.random(n_emp) < 0.9,
        "0" + rng.integers(10**14, 10**15 - 1, n_emp).astype("U15").astype(object),
        "",
    )
    labour_intensive = e_li_candidate & (emp_size >= 2)
    regency_names = np.array(ref.regency_names, dtype=object)
    proj_name = (
        np.array(PROJECT_ACTIONS, dtype=object)[rng.integers(0, len(PROJECT_ACTIONS), n_proj)]
        + " "
        + np.array(PROJECT_OBJECTS, dtype=object)[rng.integers(0, len(PROJECT_OBJECTS), n_proj)]
        + " "
        + regency_names[proj_regency]
        + ", paket "
        + (np.arange(n_proj) + 1).astype("U6").astype(object)
    )
    if progress:
        progress("nama", 8, 10)

    # --- tables -----------------------------------------------------------------------------------
    seg_names = np.array(calibration.SEGMENTS, dtype=object)
    payer_names = np.array(["employer", "self", "sponsor"], dtype=object)
    owner_names = np.array(["APBN", "APBD", "private"], dtype=object)
    size_names = np.array(SIZES, dtype=object)
    m_emp = np.where(
        is_pu | is_jakon,
        emp_ids[np.where(is_pu, emp_safe, proj_contractor[proj_safe] if n_proj else 0)],
        -1,
    )
    m_proj = np.where(is_jakon, proj_ids[proj_safe] if n_proj else -1, -1)
    n_h = len(h)
    tables = [
        Table(
            Person,
            {
                "id": ("int", person_ids),
                "nik": ("str", person_nik),
                "name": ("str", names),
                "birth_date": ("date", birth),
                "sex": ("str", np.where(female, "P", "L").astype(object)),
                "address_regency_id": ("int", ref.regency_id[addr]),
                "phone": ("str", phone),
                "death_date": ("null", None),
                "nik_override_reason": ("str", None),
                "created_at": ("ts", first_reg),
                "updated_at": ("ts", first_reg),
            },
        ),
        Table(
            Participant,
            {
                "id": ("int", participant_ids),
                "person_id": ("int", person_ids),
                "kpj_number": ("str", kpj),
                "registered_on": ("date", first_reg),
                "registering_office_id": ("int", first_office),
            },
        ),
        Table(
            Employer,
            {
                "id": ("int", emp_ids),
                "npp": ("str", npp),
                "kind": ("str", np.where(emp_state, "state_organiser", "business").astype(object)),
                "name": ("str", emp_name),
                "legal_form": ("str", legal),
                "npwp": ("str", npwp),
                "kbli": ("str", e_kbli),
                "size_class": ("str", size_names[emp_size]),
                "risk_group": ("int", e_risk),
                "labour_intensive": ("bool", labour_intensive),
                "regency_id": ("int", ref.regency_id[emp_regency]),
                "office_id": ("int", ref.regency_office[emp_regency]),
                "status": ("str", np.full(n_emp, "active", dtype=object)),
                "registered_on": ("date", emp_registered),
            },
        ),
        Table(
            ConstructionProject,
            {
                "id": ("int", proj_ids),
                "contractor_id": ("int", emp_ids[proj_contractor]),
                "owner_type": ("str", owner_names[proj_owner]),
                "name": ("str", proj_name),
                "contract_value": ("int", proj_value),
                "start_date": ("date", proj_start),
                "end_date": ("date", proj_end),
                "regency_id": ("int", ref.regency_id[proj_regency]),
                "office_id": ("int", ref.regency_office[proj_regency]),
                "registered_on": ("date", proj_registered),
            },
        ),
        Table(
            Membership,
            {
                "id": ("int", np.concatenate([hist_mem_ids, cur_mem_ids])),
                "participant_id": ("int", np.concatenate([participant_ids[h], participant_ids])),
                "segment": (
                    "str",
                    np.concatenate([np.full(n_h, "PU", dtype=object), seg_names[seg_arr]]),
                ),
                "employer_id": ("nint", np.concatenate([emp_ids[h_emp], m_emp])),
                "project_id": ("nint", np.concatenate([np.full(n_h, -1), m_proj])),
                "payer": (
                    "str",
                    np.concatenate([np.full(n_h, "employer", dtype=object), payer_names[payer]]),
                ),
                "has_jkk": ("bool", np.ones(n_h + n, dtype=bool)),
                "has_jkm": ("bool", np.ones(n_h + n, dtype=bool)),
                "has_jht": ("bool", np.concatenate([np.ones(n_h, dtype=bool), jht])),
                "has_jp": ("bool", np.concatenate([h_jp, jp])),
                "has_jkp": ("bool", np.concatenate([h_jkp, jkp])),
                "start_date": ("date", np.concatenate([h_start, start])),
                "end_date": ("ndate", np.concatenate([h_end, np.full(n, -1)])),
                "end_reason": ("str", np.concatenate([h_reason, np.full(n, "", dtype=object)])),
                "office_id": ("int", np.concatenate([h_office, office])),
                "registered_on": ("date", np.concatenate([h_registered, registered])),
                "late_registration": ("bool", np.concatenate([h_late, late])),
                "pmi_contract_months": ("nint", np.concatenate([np.full(n_h, -1), pmi_months])),
                "pmi_destination": (
                    "str",
                    np.concatenate([np.full(n_h, "", dtype=object), pmi_dest]),
                ),
                "pmi_jht_monthly": ("nint", np.concatenate([np.full(n_h, -1), pmi_jht])),
                "bpu_sector": (
                    "str",
                    np.concatenate([np.full(n_h, "other", dtype=object), _bpu_sectors(seg_arr)]),
                ),
            },
        ),
        Table(
            ReportedWage,
            {
                "id": ("int", ids["wage"] + np.arange(len(wage_mem), dtype=np.int64)),
                "membership_id": ("int", wage_mem),
                "effective_month": ("date", wage_month),
                "amount": ("int", wage_amount),
                "reported_at": ("ts", wage_reported),
            },
        ),
        Table(
            Dependant,
            {
                "id": ("int", ids["dependant"] + np.arange(len(dep_parent), dtype=np.int64)),
                "participant_id": ("int", participant_ids[dep_parent]),
                "person_id": ("null", None),
                "name": ("str", dep_names),
                "relation": ("str", np.where(dep_spouse, "spouse", "child").astype(object)),
                "birth_date": ("date", dep_birth),
                "nik": ("str", dep_nik),
                "school_level": ("str", school),
            },
        ),
    ]
    # Rows are written in id order.
    tables[0] = _sorted(tables[0], np.argsort(person_ids, kind="stable"))
    tables[1] = _sorted(tables[1], np.argsort(participant_ids, kind="stable"))
    if progress:
        progress("siap ditulis", 9, 10)
    return Population(tables=tables, kpj_count=n, npp_count=n_emp)


def _sorted(table: Table, order: np.ndarray) -> Table:
    return Table(
        table.model,
        {k: (kind, v[order] if v is not None else None) for k, (kind, v) in table.columns.items()},
    )


def _year(days: np.ndarray) -> np.ndarray:
    return _ymd(days)[0]


def _registration_lag(rng: np.random.Generator, n: int) -> np.ndarray:
    bucket = _choice(rng, n, (0.85, 0.10, 0.05))
    return np.select(
        [bucket == 0, bucket == 1],
        [rng.integers(0, 15, n), rng.integers(15, 31, n)],
        rng.integers(31, 200, n),
    )


def _pu_programs(
    ref: _Reference, birth: np.ndarray, start: np.ndarray, registered: np.ndarray, size: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """JP (medium/large, younger than the JP retirement age) and JKP (younger than the rules'
    ``jkp.registration_age_limit``) flags."""
    jp_from = np.maximum(start, _days(JP_START))
    years = _year(jp_from)
    ret = np.array([ref.retirement_age[int(y)] for y in range(JP_START.year, AS_OF.year + 1)])
    ret_age = ret[np.clip(years - JP_START.year, 0, len(ret) - 1)]
    jp = (size >= 2) & (_age(birth, jp_from) < ret_age)
    # One value (54) in force since 2021-02-02; the generated population registers after that.
    limit = jkp_registration_age_limit(AS_OF)
    jkp = (_age(birth, start) < limit) & (_age(birth, registered) < limit)
    return jp, jkp


def _draw_wages(
    rng: np.random.Generator,
    ref: _Reference,
    regency: np.ndarray,
    start: np.ndarray,
    size: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly wage (rupiah) at the start and its position: -1 below, 0 at, 1 above the minimum."""
    n = len(regency)
    year_idx = np.clip(_year(start) - WAGE_YEARS[0], 0, len(WAGE_YEARS) - 1)
    minimum_sen = ref.min_wage_sen[regency, year_idx]
    minimum = -(-minimum_sen // 100)  # whole rupiah, rounded up: paying this is compliant
    u = rng.random(n)
    below_share = np.array(BELOW_MINIMUM_SHARE)[size]
    position = np.where(u < below_share, -1, np.where(u < below_share + AT_MINIMUM_SHARE, 0, 1))
    below_bp = rng.integers(8000, 9900, n)  # 80.00 % – 98.99 % of the minimum, basis points
    excess_bp = np.minimum(
        np.rint(np.exp(rng.normal(np.log(np.array(MEDIAN_EXCESS)[size]), 0.8)) * 10_000), 190_000
    ).astype(np.int64)
    above = minimum_sen * (10_000 + excess_bp) // 1_000_000
    above = np.maximum((above + 500) // 1000 * 1000, minimum)
    below = np.minimum(minimum_sen * below_bp // 1_000_000 // 1000 * 1000, minimum - 1)
    amount = np.select([position < 0, position == 0], [below, minimum], above)
    return amount.astype(np.int64), position


def _rewage(
    ref: _Reference, regency: np.ndarray, amount: np.ndarray, year: np.ndarray, position: np.ndarray
) -> np.ndarray:
    """The January 2026 wage: the same position relative to the 2026 minimum."""
    year_idx = np.clip(year - WAGE_YEARS[0], 0, len(WAGE_YEARS) - 1)
    old_sen = ref.min_wage_sen[regency, year_idx]
    new_sen = ref.min_wage_sen[regency, len(WAGE_YEARS) - 1]
    new_min = -(-new_sen // 100)
    scaled = amount * new_sen // np.maximum(old_sen, 1)
    above = np.maximum((scaled + 500) // 1000 * 1000, new_min)
    below = np.minimum(scaled, new_min - 1)
    return np.select([position < 0, position == 0], [below, new_min], above).astype(np.int64)


def _serials(prefix: np.ndarray, used: np.ndarray | None) -> np.ndarray:
    """A serial per 12-digit NIK prefix: its rank in the group, above any serial already used."""
    order = np.argsort(prefix, kind="stable")
    sorted_prefix = prefix[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_prefix)) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(prefix)]))
    rank = np.arange(len(prefix)) - group_start + 1
    if used is not None and len(used):
        used_prefix = used // 10_000
        used_serial = used % 10_000
        uo = np.lexsort((used_serial, used_prefix))
        up, us = used_prefix[uo], used_serial[uo]
        last = np.r_[np.flatnonzero(np.diff(up)), len(up) - 1]  # max serial per prefix
        pos = np.searchsorted(up[last], sorted_prefix)
        pos_ok = pos < len(last)
        hit = np.zeros(len(sorted_prefix), dtype=bool)
        hit[pos_ok] = up[last][pos[pos_ok]] == sorted_prefix[pos_ok]
        offset = np.zeros(len(sorted_prefix), dtype=np.int64)
        offset[hit] = us[last][pos[hit]]
        rank = rank + offset
    if len(rank) and rank.max() > 9999:
        raise RuntimeError("NIK serials exhausted for a region/date prefix")
    serial = np.empty(len(prefix), dtype=np.int64)
    serial[order] = rank
    return serial


# --- writing ---------------------------------------------------------------------------------------

_DATE_BASE = _days(date(1900, 1, 1))
_DATE_TEXT: np.ndarray | None = None


def _date_text() -> np.ndarray:
    global _DATE_TEXT
    if _DATE_TEXT is None:
        days = np.arange(_DATE_BASE, _days(date(2100, 1, 1)), dtype=np.int64)
        _DATE_TEXT = days.astype("datetime64[D]").astype(str).astype(object)
    return _DATE_TEXT


def _column_values(kind: str, values: Any, a: int, b: int, postgres: bool) -> list[Any]:
    n = b - a
    null = "\\N" if postgres else None
    if kind == "null":
        return [null] * n
    if kind == "str":
        return [""] * n if values is None else values[a:b].tolist()
    chunk = values[a:b]
    if kind == "int":
        return list(map(str, chunk.tolist())) if postgres else chunk.tolist()
    if kind == "nint":
        return [null if v < 0 else (str(v) if postgres else v) for v in chunk.tolist()]
    if kind == "bool":
        table = ("f", "t") if postgres else (0, 1)
        return [table[v] for v in chunk.astype(np.int64).tolist()]
    text = _date_text()
    if kind == "date":
        return text[chunk - _DATE_BASE].tolist()
    if kind == "ndate":
        out = text[np.maximum(chunk, _DATE_BASE) - _DATE_BASE]
        return list(np.where(chunk < 0, null, out))
    if kind == "ts":
        suffix = " 00:00:00+00" if postgres else " 00:00:00"
        return (text[chunk - _DATE_BASE] + suffix).tolist()
    raise ValueError(kind)


def _columns(table: Table) -> list[tuple[str, str, Any]]:
    out = []
    for attname, (kind, values) in table.columns.items():
        field_ = next(f for f in table.model._meta.concrete_fields if f.attname == attname)
        out.append((str(field_.column), kind, values))
    return out


def _write_table(table: Table, progress: Callable[[int], None], postgres: bool, chunk: int) -> None:
    cols = _columns(table)
    n = table.rows
    name = connection.ops.quote_name(table.model._meta.db_table)
    col_sql = ", ".join(connection.ops.quote_name(c) for c, _, _ in cols)
    with connection.cursor() as cursor:
        if postgres:
            raw = cursor.cursor
            with raw.copy(f"COPY {name} ({col_sql}) FROM STDIN") as copy:
                for a in range(0, n, chunk):
                    b = min(n, a + chunk)
                    values = [_column_values(kind, v, a, b, True) for _, kind, v in cols]
                    copy.write("\n".join(map("\t".join, zip(*values, strict=True))) + "\n")
                    progress(b - a)
        else:
            sql = f"INSERT INTO {name} ({col_sql}) VALUES ({', '.join(['%s'] * len(cols))})"
            for a in range(0, n, chunk):
                b = min(n, a + chunk)
                values = [_column_values(kind, v, a, b, False) for _, kind, v in cols]
                cursor.executemany(sql, list(zip(*values, strict=True)))
                progress(b - a)


@contextmanager
def _bulk_load_mode(
    tables: Sequence[type[models.Model]], *, foreign_keys: bool, indexes: bool
) -> Iterator[dict[str, float]]:
    """PostgreSQL bulk load: drop the tables' foreign keys (and, into empty tables, their secondary
    indexes), load, then rebuild the indexes and re-add the constraints, which validates every row.

    Checking millions of rows one at a time through FK triggers and random B-tree inserts costs more
    than the load itself; a rebuilt index is sorted once and a re-added constraint is checked with
    one join (PostgreSQL manual, "Populating a Database"). All inside the run's transaction: on any
    error, or a violated constraint, everything rolls back and the schema is untouched. Primary
    keys, and indexes that a foreign key of another table depends on, are kept. The tables are
    analysed afterwards (planner statistics for the new rows).
    """
    timings: dict[str, float] = {}
    names = [t._meta.db_table for t in tables]
    quote = connection.ops.quote_name
    if not (foreign_keys or indexes):
        yield timings
        if connection.vendor == "postgresql":
            # Statistics for the new rows even for a small run: a planner that takes the tables
            # for empty joins them by scanning whole indexes for every row.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(quote(name) for name in names))
        return
    fks: list[tuple[str, str, str]] = []
    idx: list[tuple[str, str, str, str | None, str | None]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [names],
        )
        fks = cursor.fetchall()
        for table, conname, _ in fks:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(conname)}")
        if indexes:
            cursor.execute(
                "SELECT i.indrelid::regclass::text, ci.relname, pg_get_indexdef(i.indexrelid), "
                "c.conname, pg_get_constraintdef(c.oid) FROM pg_index i "
                "JOIN pg_class ci ON ci.oid = i.indexrelid "
                "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u' "
                "AND c.conrelid = i.indrelid "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)"
                " ORDER BY i.indrelid, ci.relname",
                [names],
            )
            idx = cursor.fetchall()
            for rel, index, _indexdef, uname, _condef in idx:
                if uname:
                    cursor.execute(f"ALTER TABLE {rel} DROP CONSTRAINT {quote(uname)}")
                else:
                    cursor.execute(f"DROP INDEX {quote(index)}")
    yield timings
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        if idx:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for rel, _index, indexdef, uname, condef in idx:
            if uname:
                cursor.execute(f"ALTER TABLE {rel} ADD CONSTRAINT {quote(uname)} {condef}")
            else:
                cursor.execute(indexdef)
        timings["indexes"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        for table, conname, definition in fks:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(conname)} {definition}")
        timings["foreign_keys"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        cursor.execute("ANALYZE " + ", ".join(quote(name) for name in names))
        timings["analyze"] = round(time.perf_counter() - t0, 2)


MODELS = (Person, Participant, Employer, ConstructionProject, Membership, ReportedWage, Dependant)
#: Everything a run writes: the registry, then who pays for the sponsored BPU memberships.
ALL_MODELS: tuple[type[models.Model], ...] = (*MODELS, *demo_sponsors.SPONSOR_MODELS)


def _next_ids() -> dict[str, int]:
    keys = ("person", "participant", "employer", "project", "membership", "wage", "dependant")
    return {
        key: (model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1
        for key, model in zip(keys, MODELS, strict=True)
    }


def _used_niks() -> np.ndarray:
    niks = list(Person.objects.values_list("nik", flat=True)) + [
        nik for nik in Dependant.objects.exclude(nik="").values_list("nik", flat=True)
    ]
    return np.array([int(x) for x in niks if x.isdigit() and len(x) == 16], dtype=np.int64)


def generate_population(
    *,
    scale: float | str,
    seed: int,
    append: bool = False,
    if_empty: bool = False,
    progress: ProgressFn | None = None,
    reference_dir: Path | None = None,
    chunk: int = 100_000,
) -> GenerationResult:
    """Generate and bulk-load the synthetic population in one transaction; one audit event."""
    started = time.perf_counter()
    inputs = calibration.load_inputs(reference_dir or settings.REFERENCE_DIR)
    targets = calibration.targets(scale, inputs)
    result = GenerationResult(
        skipped=False, scale=str(scale), seed=seed, targets=_targets_dict(targets)
    )
    postgres = connection.vendor == "postgresql"
    ref = _load_reference()
    with transaction.atomic():
        if postgres:
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ALL_MODELS)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        # Counted under the lock: a concurrent run waits for this one, then sees its rows.
        existing = Participant.objects.count()
        if existing and if_empty:
            result.skipped = True
            result.counts = registry_counts()
            return result
        if existing and not append:
            raise RegistryNotEmpty(existing)
        t0 = time.perf_counter()
        ids = _next_ids()
        fresh = not any(m._default_manager.exists() for m in ALL_MODELS)
        used = None if fresh else _used_niks()  # persons registered by hand keep their NIKs
        kpj = allocate(KPJ, targets.participants)
        npp = allocate(NPP, targets.employers)
        population = build_population(
            targets=targets,
            seed=seed,
            ref=ref,
            ids=ids,
            kpj_serials=kpj,
            npp_serials=npp,
            nik_used=used,
            progress=_prefixed(progress, "menyusun"),
        )
        if population.kpj_count != len(kpj) or population.npp_count != len(npp):
            raise RuntimeError("generated counts differ from the calibration targets")
        population.tables += demo_sponsors.build_sponsor_tables(
            tables=population.tables,
            ref=ref,
            ids=ids,
            sponsor_ids=demo_sponsors.next_ids(),
            seed=seed,
            existing_codes=set(Sponsor.objects.values_list("code", flat=True)),
        )
        result.timings["build"] = round(time.perf_counter() - t0, 2)
        total = sum(t.rows for t in population.tables)
        done = 0

        def advance(label: str) -> Callable[[int], None]:
            def step(rows: int) -> None:
                nonlocal done
                done += rows
                if progress:
                    progress(label, done, total)

            return step

        big = postgres and total > BULK_FK_THRESHOLD
        with _bulk_load_mode(ALL_MODELS, foreign_keys=big, indexes=big and fresh) as rebuild:
            for table in population.tables:
                t1 = time.perf_counter()
                label = f"memuat {table.model._meta.verbose_name_plural}"
                _write_table(table, advance(label), postgres, chunk)
                result.timings[str(table.model._meta.model_name)] = round(
                    time.perf_counter() - t1, 2
                )
        result.timings.update(rebuild)
        if postgres:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(ALL_MODELS)):
                    cursor.execute(sql)
        result.counts = {str(t.model._meta.model_name): t.rows for t in population.tables}
        result.seconds = round(time.perf_counter() - started, 2)
        audit.record(
            action=AuditEvent.Action.LOAD,
            object_type="demo.population",
            object_id=f"seed-{seed}",
            object_repr=f"Populasi sintetis Kalimantan, skala {scale}, seed {seed}",
            changes={
                "scale": str(scale),
                "seed": seed,
                "append": append,
                "as_of": AS_OF.isoformat(),
                "counts": result.counts,
                "seconds": result.seconds,
            },
        )
    return result


def _prefixed(progress: ProgressFn | None, prefix: str) -> ProgressFn | None:
    if progress is None:
        return None
    report = progress
    return lambda label, done, total: report(f"{prefix} {label}", done, total)


def _targets_dict(t: calibration.Targets) -> dict[str, Any]:
    return {
        "participants": t.participants,
        "participants_by_segment": t.segments,
        "participants_by_province": t.province_participants,
        "employers": t.employers,
        "projects": t.projects,
    }


# --- reading ---------------------------------------------------------------------------------------


def registry_counts() -> dict[str, Any]:
    """The counts ``jaminan stats`` prints (active memberships by segment)."""
    by_segment = dict.fromkeys(calibration.SEGMENTS, 0)
    for row in (
        Membership.objects.filter(end_date__isnull=True).values("segment").annotate(n=Count("id"))
    ):
        by_segment[row["segment"]] = row["n"]
    return {
        "persons": Person.objects.count(),
        "participants": Participant.objects.count(),
        "participants_by_segment": by_segment,
        "employers": Employer.objects.count(),
        "projects": ConstructionProject.objects.count(),
        "memberships": Membership.objects.count(),
        "dependants": Dependant.objects.count(),
        "sponsors": demo_sponsors.sponsor_counts(),
    }


#: Share (in percent) of BPU participants working in transport (online drivers, ojek, angkot):
#: an assumption for the synthetic population, which decides the PP 50/2025 discount period.
BPU_TRANSPORT_PERCENT = 15


def _bpu_sectors(segments: np.ndarray) -> np.ndarray:
    """``transport`` for a fixed, spread-out share of BPU rows (no draw from the seeded stream, so
    the rest of the population is unchanged), ``other`` for every other row."""
    spread = (np.arange(segments.shape[0], dtype=np.int64) * 37) % 100 < BPU_TRANSPORT_PERCENT
    is_bpu = segments == calibration.SEGMENTS.index("BPU")
    return np.where(is_bpu & spread, "transport", "other").astype(object)
