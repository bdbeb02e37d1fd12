"""nik.parse: structure of a Nomor Induk Kependudukan (NIK).

16 digits (UU 23/2006 as amended by UU 24/2013; Dukcapil): province (1-2), regency/city (3-4),
district (5-6), day of birth (7-8; women day + 40), month (9-10), year (11-12), serial (13-16).
The century is the latest that puts the birth date on or before the reference date. An invalid
NIK is an output (valid false + error code), not an exception. There is no check digit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jaminan.rules.core import Trace
from jaminan.rules.facts import FactSpec
from jaminan.rules.registry import calculation

#: Province codes of the Kemendagri list (regulations.md §12, source: Dukcapil Klaten; Dirjen
#: Dukcapil via Kompas/Tribun; CNN Indonesia; high). 93-96: the 2022 Papua provinces (medium).
#: Historic codes stay valid: a NIK keeps the code of the place of first registration.
PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

OUTPUT_KEYS = (
    "province_code",
    "province_name",
    "regency_code",
    "district_code",
    "sex",
    "birth_date",
    "serial",
)


def _invalid(code: str) -> dict[str, Any]:
    return {"valid": False, "error": code, **{key: None for key in OUTPUT_KEYS}}


def parse_nik(nik: str, reference_date: date) -> dict[str, Any]:
    """Parse ``nik``; ``{"valid": False, "error": code, ...None}`` when it is not a valid NIK."""
    if len(nik) != 16:
        return _invalid("length")
    if not (nik.isascii() and nik.isdigit()):
        return _invalid("not_digits")
    province = nik[0:2]
    if province not in PROVINCES:
        return _invalid("province")
    day = int(nik[6:8])
    month = int(nik[8:10])
    yy = int(nik[10:12])
    if 1 <= day <= 31:
        sex = "L"
    elif 41 <= day <= 71:
        sex = "P"
        day -= 40
    else:
        return _invalid("day")
    if not 1 <= month <= 12:
        return _invalid("month")
    birth: date | None = None
    possible = False
    for century in (2000, 1900, 1800):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            continue
        possible = True
        if candidate <= reference_date:
            birth = candidate
            break
    if not possible:
        return _invalid("day")
    if birth is None:
        return _invalid("day")
    serial = nik[12:16]
    if serial == "0000":
        return _invalid("serial")
    return {
        "valid": True,
        "error": None,
        "province_code": province,
        "province_name": PROVINCES[province],
        "regency_code": f"{nik[0:2]}.{nik[2:4]}",
        "district_code": f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
        "sex": sex,
        "birth_date": birth.isoformat(),
        "serial": serial,
    }


@calculation(
    "nik.parse",
    facts=[
        FactSpec("nik", "text", required=True, description="16-digit NIK (as text)"),
        FactSpec(
            "reference_date",
            "date",
            earliest=None,
            description="date the birth date must not be after (default today)",
        ),
    ],
    example={"nik": "3273015708900001", "reference_date": "2026-01-01"},
    summary_id="Uraian NIK: kode wilayah, jenis kelamin, tanggal lahir, nomor urut",
    summary_en="NIK breakdown: region codes, sex, birth date, serial",
)
def nik_parse(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """Structure of the NIK per Dukcapil (UU 23/2006 as amended by UU 24/2013)."""
    reference = f["reference_date"] or date.today()
    trace.note("reference_date", reference, "century: birth date on or before this date")
    return parse_nik(f["nik"], reference)
