"""Writes of the geo app: loading the reference data of ``data/reference/`` idempotently."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.geo.models import (
    WIB,
    WITA,
    FacilityCountStat,
    MinimumWage,
    Office,
    Province,
    PublishedFigure,
    Regency,
    WorkforceStat,
)

# Kalimantan Barat and Tengah keep Western Indonesia Time; Selatan, Timur and Utara Central.
PROVINCE_TIME_ZONES = {"61": WIB, "62": WIB, "63": WITA, "64": WITA, "65": WITA}
OFFICE_KINDS = {
    "kantor_wilayah": Office.Kind.REGIONAL,
    "kantor_cabang": Office.Kind.BRANCH,
    "unit_layanan": Office.Kind.SERVICE_UNIT,
}
REFERENCE_FILES = (
    "regions.csv",
    "offices.csv",
    "office_jurisdiction.csv",
    "plkk.csv",
    "workforce.csv",
    "published_figures.csv",
    "minimum_wages.csv",
)


class ReferenceDataError(ValueError):
    """A reference file is missing or a row cannot be loaded; the message names file and row."""


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, created: bool) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1
        self.created[name] = self.created.get(name, 0) + int(created)


def _rows(directory: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    path = directory / name
    if not path.exists():
        raise ReferenceDataError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield line, {k: (v or "").strip() for k, v in row.items()}


def _int_or_none(value: str) -> int | None:
    return int(value) if value else None


def office_code(name: str) -> str:
    """``KC Pontianak`` -> ``KC-PONTIANAK``; the regional office is ``KW-KALIMANTAN``."""
    if name.startswith("Kantor Wilayah"):
        return "KW-" + slugify(name.removeprefix("Kantor Wilayah")).upper()
    return slugify(name).upper()


def _sen(amount: str) -> int:
    return int((Decimal(amount) * 100).to_integral_exact())


@transaction.atomic
def load_reference(directory: Path) -> LoadReport:
    """Load every reference file; running it again updates rows in place and creates nothing new."""
    report = LoadReport()
    try:
        _load_regions(directory, report)
        _load_offices(directory, report)
        _load_jurisdictions(directory, report)
        _load_plkk(directory, report)
        _load_workforce(directory, report)
        _load_published(directory, report)
        _load_minimum_wages(directory, report)
    except (KeyError, ValueError) as exc:
        if isinstance(exc, ReferenceDataError):
            raise
        raise ReferenceDataError(str(exc)) from exc
    audit.record(
        action=AuditEvent.Action.LOAD,
        object_type="geo.reference",
        object_repr=str(directory),
        changes={"counts": report.counts, "created": report.created},
    )
    return report


def _load_regions(directory: Path, report: LoadReport) -> None:
    rows = list(_rows(directory, "regions.csv"))
    for _line, row in rows:
        if row["type"] == "provinsi":
            _, created = Province.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "full_name": row["full_name"],
                    "time_zone": PROVINCE_TIME_ZONES[row["code"]],
                    "source": row["source"],
                },
            )
            report.add("provinces", created)
    provinces = {p.code: p for p in Province.objects.all()}
    for line, row in rows:
        if row["type"] == "provinsi":
            continue
        if row["type"] not in Regency.Kind.values:
            raise ReferenceDataError(f"regions.csv line {line}: unknown type {row['type']!r}")
        province = provinces[row["province_code"]]
        _, created = Regency.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "full_name": row["full_name"],
                "kind": row["type"],
                "province": province,
                "time_zone": province.time_zone,
                "source": row["source"],
            },
        )
        report.add("regencies", created)


def _load_offices(directory: Path, report: LoadReport) -> None:
    regencies = {r.code: r for r in Regency.objects.all()}
    provinces = {p.code: p for p in Province.objects.all()}
    regional: Office | None = None
    for line, row in _rows(directory, "offices.csv"):
        kind = OFFICE_KINDS.get(row["office_type"])
        if kind is None:
            raise ReferenceDataError(
                f"offices.csv line {line}: unknown office_type {row['office_type']!r}"
            )
        office, created = Office.objects.update_or_create(
            code=office_code(row["office_name"]),
            defaults={
                "name": row["office_name"],
                "kind": kind,
                "city": row["city"],
                "seat_regency": regencies[row["regency_code"]],
                "province": None
                if kind == Office.Kind.REGIONAL
                else provinces[row["province_code"]],
                "parent": None if kind == Office.Kind.REGIONAL else regional,
                "areas_served_reported": row["areas_served_reported"],
                "head_reported": row["head_reported"],
                "verification": row["verification"],
                "source": row["source_url"],
            },
        )
        if kind == Office.Kind.REGIONAL:
            regional = office
        report.add("offices", created)


def _load_jurisdictions(directory: Path, report: LoadReport) -> None:
    offices = {o.name: o for o in Office.objects.all()}
    seen: set[str] = set()
    for line, row in _rows(directory, "office_jurisdiction.csv"):
        office = offices.get(row["office_name"])
        if office is None or office.kind != Office.Kind.BRANCH:
            raise ReferenceDataError(
                f"office_jurisdiction.csv line {line}: {row['office_name']!r} is not a branch office"
            )
        if row["regency_code"] in seen:
            raise ReferenceDataError(
                f"office_jurisdiction.csv line {line}: regency {row['regency_code']} assigned twice"
            )
        seen.add(row["regency_code"])
        if row["basis"] not in {"reported", "inferred"}:
            raise ReferenceDataError(
                f"office_jurisdiction.csv line {line}: basis must be reported or inferred"
            )
        regency = Regency.objects.get(code=row["regency_code"])
        if office.province_id != regency.province_id:
            raise ReferenceDataError(
                f"office_jurisdiction.csv line {line}: {office.name} is outside {regency.province}"
            )
        regency.branch_office = office
        regency.branch_office_inferred = row["basis"] == "inferred"
        regency.branch_office_note = f"{row['note']} ({row['source']})"
        regency.save(
            update_fields=["branch_office", "branch_office_inferred", "branch_office_note"]
        )
        report.add("jurisdictions", False)
    missing = Regency.objects.filter(branch_office__isnull=True).values_list("code", flat=True)
    if missing:
        raise ReferenceDataError(
            f"office_jurisdiction.csv: no branch office for {', '.join(missing)}"
        )


def _load_plkk(directory: Path, report: LoadReport) -> None:
    provinces = {p.code: p for p in Province.objects.all()}
    for _line, row in _rows(directory, "plkk.csv"):
        _, created = FacilityCountStat.objects.update_or_create(
            as_of=row["as_of"],
            scope_level=row["scope_level"],
            scope=row["scope"],
            defaults={
                "province": provinces.get(row["province_code"])
                if row["scope_level"] == "province"
                else None,
                "total": int(row["plkk_total"]),
                "rs_swasta": _int_or_none(row["rs_swasta"]),
                "rsud": _int_or_none(row["rsud"]),
                "rs_tni_polri": _int_or_none(row["rs_tni_polri"]),
                "klinik": _int_or_none(row["klinik"]),
                "puskesmas": _int_or_none(row["puskesmas"]),
                "note": row["note"],
                "source": row["source_url"],
            },
        )
        report.add("plkk_counts", created)


def _load_workforce(directory: Path, report: LoadReport) -> None:
    provinces = {p.code: p for p in Province.objects.all()}
    regencies = {r.code: r for r in Regency.objects.all()}
    for _line, row in _rows(directory, "workforce.csv"):
        level, code = row["level"], row["code"]
        regency = regencies.get(code) if level == "regency" else None
        province = (
            provinces.get(code) if level == "province" else (regency.province if regency else None)
        )
        basis = WorkforceStat.Basis.BPJS if "BPJS" in row["name"] else WorkforceStat.Basis.BPS
        _, created = WorkforceStat.objects.update_or_create(
            period=row["period"],
            level=level,
            area_code=code,
            area_name=row["name"],
            defaults={
                "province": province,
                "regency": regency,
                "basis": basis,
                "employed": int(row["employed"]),
                "labour_force": _int_or_none(row["labour_force"]),
                "unemployed": _int_or_none(row["unemployed"]),
                "unemployment_rate_pct": Decimal(row["unemployment_rate_pct"])
                if row["unemployment_rate_pct"]
                else None,
                "precision": row["precision"],
                "note": row["note"],
                "source": row["source_url"],
            },
        )
        report.add("workforce", created)


def _load_published(directory: Path, report: LoadReport) -> None:
    for _line, row in _rows(directory, "published_figures.csv"):
        key_text = "|".join(
            row[k]
            for k in (
                "year_or_date",
                "scope_level",
                "scope",
                "metric",
                "value",
                "unit",
                "source_url",
            )
        )
        _, created = PublishedFigure.objects.update_or_create(
            row_key=hashlib.sha256(key_text.encode()).hexdigest(),
            defaults={
                "date": row["year_or_date"],
                "scope_level": row["scope_level"],
                "scope": row["scope"],
                "metric": row["metric"],
                "value": Decimal(row["value"]),
                "unit": row["unit"],
                "note": row["note"],
                "source": row["source_url"],
            },
        )
        report.add("published_figures", created)


def _load_minimum_wages(directory: Path, report: LoadReport) -> None:
    for _line, row in _rows(directory, "minimum_wages.csv"):
        _, created = MinimumWage.objects.update_or_create(
            year=int(row["year"]),
            level=row["level"],
            area_code=row["code"],
            defaults={
                "area_name": row["name"],
                "amount_sen": _sen(row["amount"]),
                "decree": row["decree"],
                "effective_from": date.fromisoformat(row["effective_from"]),
                "source": row["source_url"],
            },
        )
        report.add("minimum_wages", created)
