"""Sponsors of the synthetic population: who pays for each sponsored BPU membership.

The generator draws 30 % of BPU participants with payer "sponsor"; this module gives each of them a
sponsor, a program and a :class:`~jaminan.contributions.models.Beneficiary` row, as NumPy columns
written with the rest of the population (same COPY/executemany path, same transaction), from a
generator seeded by ``(seed, "sponsors")`` — so a run stays a pure function of ``(scale, seed)``.

Who pays (an assumption, documented here; shares of sponsored memberships, drawn per membership):

=============  =====  ===========================================================================
kind           share  grouping and program
=============  =====  ===========================================================================
regency APBD    70 %  one sponsor per regency/city of the worker's address ("Pemerintah Kabupaten
                      …"); fiscal year Jan–Dec 2026; government funded (no PP 50/2025 discount).
                      APBD is the main channel: 464,874 vulnerable workers were protected through
                      APBD in Kalimantan at the end of 2023 (BPJS Ketenagakerjaan Kalimantan, via
                      Tribun Kaltara; Kutai Kartanegara alone 35,440).
village APBDes  12 %  a village government per 50 workers of a regency; Jan–Dec 2026.
company CSR      8 %  a company per 300 workers of a regency; Jul 2025 – Jun 2026.
Bapak Asuh       6 %  a civil servant per 5 workers ("Bapak Asuh Pekerja", Kalteng); Jan–Jun 2026.
individual       4 %  a donor per 2 neighbours ("Lindungi Pekerja Sekitar Anda"); Jan–Dec 2026.
=============  =====  ===========================================================================

Every program covers the generation date (``AS_OF``, 31 January 2026). A sponsored membership's
declared income is the program's: the lowest BPU tier in force (the rules' ``bpu.income_minimum``),
so the generator's income row of each sponsored membership is set to it. The budget ceiling is the
cost of the program's beneficiaries over its months computed with the rules (``contribution.bpu``
per month and BPU sector, the PP 50/2025 discount for non-government sponsors): exact for donors
and Bapak Asuh, plus 5 % rounded up to the next million rupiah for governments and companies
(budget lines are round).
A beneficiary is enrolled on the later of its membership's start and the program's first day.
Codes: ``APBD-6402``, ``DESA-6402-001``, ``CSR-6402-001``, ``BAS-6402-0001``, ``DON-6402-00001`` (a
suffix ``-2``, ``-3`` … when an appended population would repeat a code).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import models
from django.db.models import Max

from jaminan.contributions.models import Beneficiary, Sponsor, SponsorshipProgram
from jaminan.contributions.sponsors import income_minimum, monthly_amount

if TYPE_CHECKING:
    from jaminan.demo.generator import Table, _Reference

SPONSOR_MODELS: tuple[type[models.Model], ...] = (Sponsor, SponsorshipProgram, Beneficiary)

KINDS = ("regency", "village", "csr", "bapak_asuh", "individual")
KIND_SHARES = (0.70, 0.12, 0.08, 0.06, 0.04)
#: Workers per sponsor (0: one sponsor per regency).
GROUP_SIZE = (0, 50, 300, 5, 2)
PERIODS = {
    "regency": (date(2026, 1, 1), date(2026, 12, 1)),
    "village": (date(2026, 1, 1), date(2026, 12, 1)),
    "csr": (date(2025, 7, 1), date(2026, 6, 1)),
    "bapak_asuh": (date(2026, 1, 1), date(2026, 6, 1)),
    "individual": (date(2026, 1, 1), date(2026, 12, 1)),
}
PROGRAM_NAMES = {
    "regency": "Perlindungan Pekerja Rentan APBD 2026",
    "village": "Perlindungan Pekerja Rentan APBDes 2026",
    "csr": "CSR Perlindungan Pekerja Rentan 2025/2026",
    "bapak_asuh": "Bapak Asuh Pekerja Rentan Semester I 2026",
    "individual": "Lindungi Pekerja Sekitar Anda 2026",
}
PREFIX = {
    "regency": "APBD",
    "village": "DESA",
    "csr": "CSR",
    "bapak_asuh": "BAS",
    "individual": "DON",
}
SERIAL_WIDTH = {"regency": 0, "village": 3, "csr": 3, "bapak_asuh": 4, "individual": 5}
GOVERNMENT = frozenset({"regency"})
ROUNDED = frozenset({"regency", "village", "csr"})
VILLAGES = (
    "Sumber Rejo",
    "Suka Maju",
    "Mekar Sari",
    "Karya Jaya",
    "Tanjung Harapan",
    "Sungai Raya",
    "Batu Ampar",
    "Muara Baru",
    "Sido Mulyo",
    "Bukit Raya",
    "Teluk Dalam",
    "Loa Baru",
    "Rantau Panjang",
    "Sri Mulya",
    "Tani Bhakti",
    "Makmur Jaya",
)
COMPANIES = (
    "PT Borneo Agro Lestari",
    "PT Mahakam Energi Nusantara",
    "PT Kapuas Sawit Sejahtera",
    "PT Barito Coal Mining",
    "PT Khatulistiwa Logistik",
    "PT Meratus Semen Indonesia",
    "PT Kayan Hidro Energi",
    "PT Sebuku Bara Perkasa",
    "Bank Kalimantan Sejahtera",
    "PT Paser Palm Oil",
)


def next_ids() -> dict[str, int]:
    keys = ("sponsor", "program", "beneficiary")
    return {
        key: (model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1
        for key, model in zip(keys, SPONSOR_MODELS, strict=True)
    }


def _month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _months(start: date, end: date) -> list[date]:
    out, current = [], start
    while current <= end:
        out.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def build_sponsor_tables(
    *,
    tables: Sequence[Table],
    ref: _Reference,
    ids: dict[str, int],
    sponsor_ids: dict[str, int],
    seed: int,
    existing_codes: set[str],
) -> list[Table]:
    """Sponsor, program and beneficiary tables for every current sponsored BPU membership of
    ``tables`` (the population built with ``ids``); sets those memberships' income rows to the
    lowest tier. No database access."""
    from jaminan.demo import generator as g

    by_model = {t.model: t for t in tables}
    mem = by_model[g.Membership].columns
    payer = mem["payer"][1]
    end = mem["end_date"][1]
    sponsored = np.flatnonzero((payer == "sponsor") & (end < 0))
    n = len(sponsored)
    m_ids = mem["id"][1][sponsored]
    m_start = mem["start_date"][1][sponsored]
    person_row = mem["participant_id"][1][sponsored] - ids["participant"]
    addr_regency_id = by_model[g.Person].columns["address_regency_id"][1][person_row]
    regency_index = {int(r): i for i, r in enumerate(ref.regency_id.tolist())}
    reg = np.array([regency_index[int(r)] for r in addr_regency_id.tolist()], dtype=np.int64)

    rng = g._rng(seed, "sponsors")
    kind = g._choice(rng, n, KIND_SHARES).astype(np.int64)
    order = np.lexsort((rng.random(n), kind, reg))
    key = reg[order] * 10 + kind[order]
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1] if n else np.zeros(0, dtype=np.int64)
    run_len = np.diff(np.r_[starts, n]).astype(np.int64)
    pos = np.arange(n) - np.repeat(starts, run_len)
    size = np.array(GROUP_SIZE, dtype=np.int64)[kind[order]]
    group = np.where(size > 0, pos // np.maximum(size, 1), 0)
    sponsor_keys, sponsor_of_sorted = np.unique(key * 1_000_000 + group, return_inverse=True)
    sponsor_of = np.empty(n, dtype=np.int64)
    sponsor_of[order] = sponsor_of_sorted
    n_sp = len(sponsor_keys)
    s_reg = sponsor_keys // 1_000_000 // 10
    s_kind = sponsor_keys // 1_000_000 % 10
    s_group = sponsor_keys % 1_000_000

    # --- what each beneficiary costs (the rules, per month) ---------------------------------------
    income = income_minimum(g.AS_OF.replace(day=1))
    m_month = _month_index(m_start)
    cost = np.zeros(n, dtype=np.int64)
    enrolled = np.zeros(n, dtype=np.int64)
    m_sector = mem["bpu_sector"][1][sponsored]
    for k, name in enumerate(KINDS):
        first, last = PERIODS[name]
        first_index = (first.year - 1970) * 12 + first.month - 1
        for sector in ("other", "transport"):
            amounts = [
                monthly_amount(m, income, name in GOVERNMENT, sector).total
                for m in _months(first, last)
            ]
            # suffix[i]: the cost of months i.. to the end (suffix[len] = 0)
            suffix = np.r_[np.cumsum(np.array(amounts[::-1], dtype=np.int64))[::-1], 0]
            mine = (kind == k) & (m_sector == sector)
            idx = np.clip(m_month[mine] - first_index, 0, len(amounts))
            cost[mine] = suffix[idx]
        mine = kind == k
        enrolled[mine] = np.maximum(m_start[mine], _days(first))
    committed = np.zeros(n_sp, dtype=np.int64)
    np.add.at(committed, sponsor_of, cost)
    rounded = np.isin(s_kind, [KINDS.index(k) for k in ROUNDED])
    with_headroom = (committed * 105 + 99) // 100
    ceiling = np.where(
        rounded, (with_headroom + 999_999) // 1_000_000 * 1_000_000, committed
    ).astype(np.int64)

    # --- names and codes ------------------------------------------------------------------------
    names_rng = g._rng(seed, "sponsor names")
    female = names_rng.random(n_sp) < 0.4
    person_names = g._pick_names(names_rng, female)
    phones = "08" + names_rng.integers(11_0000_0000, 99_9999_9999, n_sp).astype("U10").astype(
        object
    )
    codes, names, contacts, contact_phones, program_names = [], [], [], [], []
    starts_m, ends_m = [], []
    for i in range(n_sp):
        r, kd, grp = int(s_reg[i]), KINDS[int(s_kind[i])], int(s_group[i])
        region = ref.regency_names[r]
        r4 = ref.regency_codes[r].replace(".", "")
        width = SERIAL_WIDTH[kd]
        codes.append(f"{PREFIX[kd]}-{r4}" + (f"-{grp + 1:0{width}d}" if width else ""))
        if kd == "regency":
            names.append(f"Pemerintah {'Kota' if ref.regency_kota[r] else 'Kabupaten'} {region}")
            contacts.append(f"Dinas Sosial {region}")
        elif kd == "village":
            village = VILLAGES[(grp + r) % len(VILLAGES)]
            round_ = grp // len(VILLAGES)
            names.append(f"Pemerintah Desa {village}{f' {round_ + 1}' if round_ else ''}, {region}")
            contacts.append("Kepala Desa")
        elif kd == "csr":
            names.append(f"{COMPANIES[(grp + r) % len(COMPANIES)]} ({region})")
            contacts.append("Divisi CSR")
        elif kd == "bapak_asuh":
            names.append(f"Bapak Asuh {person_names[i]}")
            contacts.append(str(person_names[i]))
        else:
            names.append(str(person_names[i]))
            contacts.append(str(person_names[i]))
        contact_phones.append(str(phones[i]) if kd in ("bapak_asuh", "individual") else "")
        program_names.append(PROGRAM_NAMES[kd])
        first, last = PERIODS[kd]
        starts_m.append(_days(first))
        ends_m.append(_days(last))
    suffix_n = 1
    while any(_suffixed(c, suffix_n) in existing_codes for c in codes):
        suffix_n += 1
    codes = [_suffixed(c, suffix_n) for c in codes]

    # --- the income of a sponsored membership is the program's -----------------------------------
    wages = by_model[g.ReportedWage].columns
    wage_mem = wages["membership_id"][1]
    amount = wages["amount"][1].copy()
    amount[np.isin(wage_mem, m_ids)] = income
    wages["amount"] = ("int", amount)

    sp_ids = sponsor_ids["sponsor"] + np.arange(n_sp, dtype=np.int64)
    pr_ids = sponsor_ids["program"] + np.arange(n_sp, dtype=np.int64)
    ben_order = np.argsort(m_ids, kind="stable")
    start_days = np.array(starts_m, dtype=np.int64)
    return [
        g.Table(
            Sponsor,
            {
                "id": ("int", sp_ids),
                "code": ("str", np.array(codes, dtype=object)),
                "kind": ("str", np.array(KINDS, dtype=object)[s_kind]),
                "name": ("str", np.array([x[:200] for x in names], dtype=object)),
                "regency_id": ("int", ref.regency_id[s_reg]),
                "office_id": ("int", ref.regency_office[s_reg]),
                "contact_name": ("str", np.array([x[:150] for x in contacts], dtype=object)),
                "contact_phone": ("str", np.array(contact_phones, dtype=object)),
                "contact_email": ("str", None),
                "created_at": ("ts", start_days - 30),
            },
        ),
        g.Table(
            SponsorshipProgram,
            {
                "id": ("int", pr_ids),
                "sponsor_id": ("int", sp_ids),
                "name": ("str", np.array(program_names, dtype=object)),
                "start_month": ("date", start_days),
                "end_month": ("date", np.array(ends_m, dtype=np.int64)),
                "budget_ceiling": ("int", ceiling),
                "declared_income": ("int", np.full(n_sp, income, dtype=np.int64)),
                "status": ("str", np.full(n_sp, "active", dtype=object)),
                "created_at": ("ts", start_days - 30),
            },
        ),
        g.Table(
            Beneficiary,
            {
                "id": ("int", sponsor_ids["beneficiary"] + np.arange(n, dtype=np.int64)),
                "program_id": ("int", pr_ids[sponsor_of][ben_order]),
                "membership_id": ("int", m_ids[ben_order]),
                "enrolled_on": ("date", enrolled[ben_order]),
            },
        ),
    ]


def _suffixed(code: str, n: int) -> str:
    return code if n == 1 else f"{code}-{n}"


def sponsor_counts() -> dict[str, Any]:
    """The sponsor part of ``jaminan stats``: sponsors by kind, programs, beneficiaries."""
    by_kind = dict.fromkeys(Sponsor.Kind.values, 0)
    for kind, count in Sponsor.objects.values_list("kind").annotate(n=models.Count("id")):
        by_kind[kind] = count
    return {
        "sponsors": sum(by_kind.values()),
        "sponsors_by_kind": by_kind,
        "programs": SponsorshipProgram.objects.count(),
        "beneficiaries": Beneficiary.objects.count(),
    }
