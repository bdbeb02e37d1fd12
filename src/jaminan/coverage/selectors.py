"""Coverage reads: figures by region, province, regency and segment from the snapshots, against a
chosen workforce denominator (always returned with its period and source), the uncovered gap and
year-on-year growth. Nothing here scans the registry: every figure comes from CoverageSnapshot."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Max, Model, Q, QuerySet, Sum
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.coverage.errors import CoverageError
from jaminan.coverage.models import CoverageSnapshot, ServedRegency, SnapshotMonth
from jaminan.coverage.services import (
    CLAIM_FIELDS,
    CLAIM_PROGRAMS,
    add_months,
    first_of_month,
)
from jaminan.geo.models import FacilityCountStat, Province, Regency, WorkforceStat


class _System:
    """The operator at the command line (``jaminan report coverage``): sees everything."""

    is_authenticated = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Any = _System()
User = AbstractBaseUser | AnonymousUser | _System | None

M = TypeVar("M", bound=Model)


def scoped(user: User, queryset: QuerySet[M]) -> QuerySet[M]:
    """``scope_queryset`` for users; the unscoped queryset for the command-line operator."""
    if user is SYSTEM:
        return queryset
    return scope_queryset(user, queryset)  # type: ignore[arg-type]


REGION_CODE = "KALIMANTAN"
SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
SEGMENT_LABELS = {
    "PU": gettext_lazy("Penerima Upah"),
    "BPU": gettext_lazy("Bukan Penerima Upah"),
    "JAKON": gettext_lazy("Jasa Konstruksi"),
    "PMI": gettext_lazy("Pekerja Migran Indonesia"),
}
BASES = ("bps_employed", "bps_labour_force", "bpjs")
BASIS_LABELS = {
    "bps_employed": gettext_lazy("BPS: penduduk bekerja"),
    "bps_labour_force": gettext_lazy("BPS: angkatan kerja"),
    "bpjs": gettext_lazy("Dasar BPJS (penduduk bekerja tanpa ASN/TNI/Polri)"),
}
FIGURES = (
    "active",
    "new",
    "ended",
    "employers",
    "budget_funded",
    "state_staff",
    "bills",
    "billed_amount",
    "collected_amount",
    *CLAIM_FIELDS,
)
CLAIM_LABELS = {
    "jht": gettext_lazy("JHT: jaminan hari tua"),
    "jkk": gettext_lazy("JKK: kecelakaan kerja"),
    "jkm": gettext_lazy("JKM: kematian"),
    "jp": gettext_lazy("JP: pensiun"),
    "jkp": gettext_lazy("JKP: kehilangan pekerjaan"),
    "scholarship": gettext_lazy("Beasiswa pendidikan anak"),
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str, field_name: str = "month") -> date:
    """``2026-01`` -> date(2026, 1, 1); anything else: CoverageError ``invalid_month``."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise CoverageError(
            "invalid_month", _("Bulan harus berformat TTTT-BB, mis. 2026-01."), field_name
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def percent(numerator: int, denominator: int | None) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def cache_key(user: User, *parts: Any) -> str:
    """A cache key for figures computed from the snapshots: the user's scope (role and office, the
    only scope staff roles have), the language, and the time of the latest refresh, so that any
    refresh of any month makes every cached figure stale."""
    if user is SYSTEM:
        scope = "system"
    else:
        role = role_of(user)  # type: ignore[arg-type]
        office = getattr(getattr(user, "scope", None), "office_id", None)
        scope = f"{role}:{office}"
    version = SnapshotMonth.objects.aggregate(v=Max("refreshed_at"))["v"]
    language = get_language() or "id"
    return ":".join(
        str(p) for p in ("coverage", scope, language, version.timestamp() if version else 0, *parts)
    )


def snapshot_months(*, user: User = None) -> list[date]:
    return list(SnapshotMonth.objects.order_by("-month").values_list("month", flat=True))


def latest_month(as_of: date | None = None) -> date | None:
    """The newest snapshotted month at or before ``as_of`` (any month when ``as_of`` is None)."""
    qs = SnapshotMonth.objects.order_by("-month")
    if as_of is not None:
        qs = qs.filter(month__lte=first_of_month(as_of))
    return qs.values_list("month", flat=True).first()


# --------------------------------------------------------------------------------------- areas


@dataclass(frozen=True)
class Area:
    level: str  # region | province | regency
    code: str
    name: str
    province_code: str | None = None


def area_for(code: str | None) -> Area:
    """``None``/``KALIMANTAN`` -> the region; ``64`` -> a province; ``64.71`` -> a regency."""
    if not code or code.upper() == REGION_CODE:
        return Area("region", REGION_CODE, "Kalimantan")
    province = Province.objects.filter(code=code).first()
    if province is not None:
        return Area("province", province.code, province.name, province.code)
    regency = Regency.objects.select_related("province").filter(code=code).first()
    if regency is not None:
        return Area("regency", regency.code, regency.full_name, regency.province.code)
    raise CoverageError(
        "unknown_area", _("Kode wilayah tidak dikenal: %(code)s") % {"code": code}, "area"
    )


# ------------------------------------------------------------------------------- denominators


@dataclass(frozen=True)
class Denominator:
    basis: str
    basis_label: str
    value: int
    period: str
    source: str
    precision: str = ""
    estimated: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "basis_label": self.basis_label,
            "value": self.value,
            "period": self.period,
            "source": self.source,
            "precision": self.precision,
            "estimated": self.estimated,
            "note": self.note,
        }


def _period_key(period: str) -> str:
    """Workforce periods are ``YYYY-MM`` or ``YYYY`` (read as that year's December)."""
    return f"{period}-12" if len(period) == 4 else period


def _pick(stats: list[WorkforceStat], month: date) -> WorkforceStat | None:
    """The newest stat at or before ``month``, else the oldest after it."""
    if not stats:
        return None
    key = f"{month:%Y-%m}"
    ordered = sorted(stats, key=lambda s: _period_key(s.period))
    before = [s for s in ordered if _period_key(s.period) <= key]
    return before[-1] if before else ordered[0]


class Denominators:
    """All workforce statistics loaded once; ``for_area`` picks the one for a basis and month."""

    def __init__(self) -> None:
        self.stats: dict[tuple[str, str, str], list[WorkforceStat]] = defaultdict(list)
        for stat in WorkforceStat.objects.order_by():
            self.stats[(stat.level, stat.area_code, stat.basis)].append(stat)

    def for_area(self, area: Area, basis: str, month: date) -> Denominator | None:
        label = str(BASIS_LABELS.get(basis, basis))
        if basis in ("bps_employed", "bps_labour_force"):
            stats = self.stats.get((area.level, area.code, WorkforceStat.Basis.BPS), [])
            if basis == "bps_labour_force":
                stats = [s for s in stats if s.labour_force is not None]
            stat = _pick(stats, month)
            if stat is None:
                return None
            value = stat.employed if basis == "bps_employed" else stat.labour_force
            assert value is not None
            return Denominator(
                basis, label, value, stat.period, stat.source, stat.precision, note=stat.note
            )
        if basis != "bpjs":
            return None
        region = _pick(self.stats.get(("region", REGION_CODE, WorkforceStat.Basis.BPJS), []), month)
        if region is None:
            return None
        if area.level == "region":
            return Denominator(
                basis, label, region.employed, region.period, region.source, region.precision
            )
        if area.level != "province":
            return None
        # Only the region-wide BPJS figure is published: apportion it by the province's share of
        # BPS employment in the region row of the nearest period.
        anchor = date(int(region.period[:4]), 12, 1)
        total = _pick(self.stats.get(("region", REGION_CODE, WorkforceStat.Basis.BPS), []), anchor)
        if total is None:
            return None
        own = [
            s
            for s in self.stats.get(("province", area.code, WorkforceStat.Basis.BPS), [])
            if s.period == total.period
        ]
        if not own:
            return None
        value = region.employed * own[0].employed // total.employed
        return Denominator(
            basis,
            label,
            value,
            region.period,
            region.source,
            _("perkiraan"),
            estimated=True,
            note=_(
                "Dasar BPJS %(region)s dibagi menurut porsi penduduk bekerja BPS %(period)s "
                "(%(own)s dari %(total)s)."
            )
            % {
                "region": region.employed,
                "period": total.period,
                "own": own[0].employed,
                "total": total.employed,
            },
        )


# --------------------------------------------------------------------------------- coverage


@dataclass
class CoverageRow:
    level: str
    code: str
    name: str
    figures: dict[str, int]
    year_ago_active: int | None = None
    denominator: Denominator | None = None
    province_code: str | None = None
    segments: dict[str, int] = field(default_factory=dict)

    @property
    def active(self) -> int:
        return self.figures.get("active", 0)

    @property
    def coverage_pct(self) -> Decimal | None:
        return percent(self.active, self.denominator.value if self.denominator else None)

    @property
    def gap(self) -> int | None:
        return self.denominator.value - self.active if self.denominator else None

    @property
    def growth_pct(self) -> Decimal | None:
        if not self.year_ago_active:
            return None
        return percent(self.active - self.year_ago_active, self.year_ago_active)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "name": self.name,
            "province_code": self.province_code,
            **self.figures,
            "segments": self.segments,
            "year_ago_active": self.year_ago_active,
            "growth_pct": self.growth_pct,
            "denominator": self.denominator.as_dict() if self.denominator else None,
            "coverage_pct": self.coverage_pct,
            "gap": self.gap,
        }


def _snapshot_rows(user: User, month: date, area: Area | None = None) -> list[dict[str, Any]]:
    qs = scoped(user, CoverageSnapshot.objects.filter(month=month))
    if area is not None and area.level == "province":
        qs = qs.filter(regency__province__code=area.code)
    elif area is not None and area.level == "regency":
        qs = qs.filter(regency__code=area.code)
    return list(
        qs.order_by().values(
            "regency_id",
            "regency__code",
            "regency__province__code",
            "segment",
            *FIGURES,
        )
    )


def coverage(
    *,
    user: User,
    month: date,
    level: str = "province",
    area: str | None = None,
    basis: str = "bpjs",
) -> list[CoverageRow]:
    """Coverage of ``month`` broken down by ``level`` (region, province, regency, segment) inside
    ``area``, with the chosen denominator where one exists and growth against the same month a
    year earlier."""
    if basis not in BASES:
        raise CoverageError("invalid_basis", _("Dasar penyebut tidak dikenal."), "basis")
    if level not in ("region", "province", "regency", "segment"):
        raise CoverageError("invalid_level", _("Tingkat tidak dikenal."), "level")
    month = first_of_month(month)
    scope_area = area_for(area)
    rows = _snapshot_rows(user, month, scope_area)
    year_ago = _snapshot_rows(user, add_months(month, -12), scope_area)
    had_year_ago = SnapshotMonth.objects.filter(month=add_months(month, -12)).exists()

    def key_of(row: dict[str, Any]) -> str:
        if level == "region":
            return REGION_CODE
        if level == "province":
            return str(row["regency__province__code"])
        if level == "regency":
            return str(row["regency__code"])
        return str(row["segment"])

    figures: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    segments: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEGMENTS, 0))
    for row in rows:
        key = key_of(row)
        for name in FIGURES:
            figures[key][name] += row[name] or 0
        segments[key][row["segment"]] = segments[key].get(row["segment"], 0) + row["active"]
    ago: dict[str, int] = defaultdict(int)
    for row in year_ago:
        ago[key_of(row)] += row["active"]

    if level == "region":
        areas = [Area("region", REGION_CODE, "Kalimantan")]
    elif level == "province":
        provinces = Province.objects.order_by("code")
        if scope_area.level != "region":
            provinces = provinces.filter(code=scope_area.province_code)
        areas = [Area("province", p.code, p.name, p.code) for p in provinces]
    elif level == "regency":
        regencies = scoped(user, ServedRegency.objects.all()).order_by("code")
        if scope_area.level == "province":
            regencies = regencies.filter(province__code=scope_area.code)
        elif scope_area.level == "regency":
            regencies = regencies.filter(code=scope_area.code)
        areas = [
            Area("regency", code, name, province)
            for code, name, province in regencies.values_list("code", "full_name", "province__code")
        ]
    else:
        areas = [Area("segment", s, str(SEGMENT_LABELS[s])) for s in SEGMENTS]

    denominators = Denominators() if level != "segment" else None
    result = []
    for a in areas:
        result.append(
            CoverageRow(
                level=a.level,
                code=a.code,
                name=a.name,
                province_code=a.province_code,
                figures=dict(figures[a.code]) if a.code in figures else dict.fromkeys(FIGURES, 0),
                segments=dict(segments[a.code]) if a.code in segments else {},
                year_ago_active=ago.get(a.code, 0) if had_year_ago else None,
                denominator=denominators.for_area(a, basis, month) if denominators else None,
            )
        )
    return result


def area_summary(
    *, user: User, month: date, area: str | None = None, basis: str = "bpjs"
) -> CoverageRow:
    """One row for the whole area (region, province or regency)."""
    scope_area = area_for(area)
    if scope_area.level == "region":
        return coverage(user=user, month=month, level="region", basis=basis)[0]
    return coverage(user=user, month=month, level=scope_area.level, area=area, basis=basis)[0]


def series(
    *, user: User, area: str | None = None, months: int = 24, until: date | None = None
) -> list[dict[str, Any]]:
    """Active participants by segment, contributions billed and collected, claims paid (count and
    amount, all programs) per snapshotted month (for the trend charts)."""
    scope_area = area_for(area)
    last = latest_month(until)
    if last is None:
        return []
    first = add_months(last, -(months - 1))
    qs = scoped(user, CoverageSnapshot.objects.filter(month__gte=first, month__lte=last))
    if scope_area.level == "province":
        qs = qs.filter(regency__province__code=scope_area.code)
    elif scope_area.level == "regency":
        qs = qs.filter(regency__code=scope_area.code)
    by_month: dict[date, dict[str, int]] = {}
    claim_sums = {f"sum_{f}": Sum(f) for f in CLAIM_FIELDS if f.startswith("claims_")}
    rows: Any = qs.values("month", "segment").annotate(
        active=Sum("active"),
        collected=Sum("collected_amount"),
        billed=Sum("billed_amount"),
        **claim_sums,
    )
    for row in rows:
        entry = by_month.setdefault(
            row["month"],
            {
                **dict.fromkeys(SEGMENTS, 0),
                "billed": 0,
                "collected": 0,
                "claims": 0,
                "claims_amount": 0,
            },
        )
        entry[row["segment"]] = entry.get(row["segment"], 0) + (row["active"] or 0)
        entry["billed"] += row["billed"] or 0
        entry["collected"] += row["collected"] or 0
        for program in CLAIM_PROGRAMS:
            entry["claims"] += row[f"sum_claims_{program}"] or 0
            entry["claims_amount"] += row[f"sum_claims_{program}_amount"] or 0
    return [{"month": m, **by_month[m]} for m in sorted(by_month)]


def plkk_count(area: Area) -> tuple[int | None, str | None]:
    """Latest published PLKK count of the region or a province."""
    if area.level == "region":
        provinces = FacilityCountStat.objects.filter(scope_level="province").order_by("-as_of")
        latest = provinces.values_list("as_of", flat=True).first()
        if latest is None:
            return None, None
        total = provinces.filter(as_of=latest).aggregate(t=Sum("total"))["t"]
        return total, latest
    if area.level == "province":
        stat = (
            FacilityCountStat.objects.filter(scope_level="province", province__code=area.code)
            .order_by("-as_of")
            .first()
        )
        return (stat.total, stat.as_of) if stat else (None, None)
    return None, None


# ------------------------------------------------------------------------------------- claims


def _claims_block(sums: dict[str, Any], prefix: str, first: date, last: date) -> dict[str, Any]:
    programs: list[dict[str, Any]] = [
        {
            "program": program,
            "label": str(CLAIM_LABELS[program]),
            "count": sums[f"{prefix}claims_{program}"] or 0,
            "amount": sums[f"{prefix}claims_{program}_amount"] or 0,
        }
        for program in CLAIM_PROGRAMS
    ]
    scholarships: dict[str, Any] = {
        "program": "scholarship",
        "label": str(CLAIM_LABELS["scholarship"]),
        "count": sums[f"{prefix}scholarships"] or 0,
        "amount": sums[f"{prefix}scholarships_amount"] or 0,
    }
    amount = sum(p["amount"] for p in programs)
    return {
        "first_month": f"{first:%Y-%m}",
        "last_month": f"{last:%Y-%m}",
        "programs": programs,
        "scholarships": scholarships,
        "total": {"count": sum(p["count"] for p in programs), "amount": amount},
        "total_with_scholarships": amount + scholarships["amount"],
    }


def claims(*, user: User, area: str | None = None, month: date) -> dict[str, Any]:
    """Claims paid per program and scholarships inside ``area`` from the snapshots, for ``month``
    and for the year to date (January..``month``), in one query: ``{"month": block,
    "year_to_date": block}``, each block ``{first_month, last_month, programs: [{program, label,
    count, amount}…], scholarships: {…}, total: {count, amount}, total_with_scholarships}`` (the
    total is the claims without scholarships). A claim counts in the month of its first payment;
    amounts are the money paid in the period."""
    month = first_of_month(month)
    january = month.replace(month=1)
    scope_area = area_for(area)
    qs = scoped(user, CoverageSnapshot.objects.filter(month__gte=january, month__lte=month))
    if scope_area.level == "province":
        qs = qs.filter(regency__province__code=scope_area.code)
    elif scope_area.level == "regency":
        qs = qs.filter(regency__code=scope_area.code)
    sums = qs.order_by().aggregate(
        **{f"ytd_{f}": Sum(f) for f in CLAIM_FIELDS},
        **{f"m_{f}": Sum(f, filter=Q(month=month)) for f in CLAIM_FIELDS},
    )
    return {
        "month": _claims_block(sums, "m_", month, month),
        "year_to_date": _claims_block(sums, "ytd_", january, month),
    }
