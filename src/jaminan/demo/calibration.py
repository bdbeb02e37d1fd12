"""Calibration of the synthetic Kalimantan population to the published figures.

Every target comes from a named row of ``data/reference/published_figures.csv`` or
``data/reference/workforce.csv`` (copies of ``../shared/data/``), read at run time so that the
numbers below are the file's, not retyped. At scale 1.0:

* **Participants** — 3,302,762: ``2026-02-02, region, Kalimantan, participants`` (BPJS
  Ketenagakerjaan Kanwil Kalimantan media gathering, 2 Feb 2026; figures as of 1 Dec 2025).
* **Segments** — the 2024 split ``2024-11, region, Kalimantan, active participants - formal (wage
  earners)`` 1,953,661 PU, ``... - informal (BPU)`` 889,957 BPU and ``... - construction services
  (jakon)`` 443,402 JAKON (sum 3,287,020), scaled to the 2026 total after setting aside
  ``PMI_SHARE`` = 0.5 % for migrant workers (PMI). No published figure gives the PMI count for
  Kalimantan; 0.5 % (≈ 16,500) is a modelling choice: Kalimantan sends few PMI compared with Java
  and Nusa Tenggara, mostly to Sarawak/Sabah. Result at 1.0: PU 1,953,202, BPU 889,748, JAKON
  443,298, PMI 16,514.
* **Employers** — 63,680: ``2024-11, region, Kalimantan, employers (pemberi kerja / badan
  usaha)``. Of these, ``STATE_ORGANISERS`` = 61 are regional governments (56 kabupaten/kota and 5
  provinces) employing ``NON_ASN_WORKERS`` = 366,215 non-ASN staff as wage earners — the figure is
  quoted in issue 4 and is not in published_figures.csv. Below scale ≈ 0.0082 no regional
  government is generated and those workers stay with business employers.
* **Construction projects** — 17,580: ``2024-11, region, Kalimantan, registered construction
  projects (APBD/APBN/private)``.
* **Province split** — participants_p ∝ coverage_p × employed_p, normalised to the total, with

  - coverage (percent of workers covered): ``2025-12-01, province, Kalimantan Barat, coverage``
    27.36, ``... Kalimantan Timur`` 58.53, ``... Kalimantan Selatan`` 42, ``... Kalimantan
    Tengah`` 42 (interaksi.co, same briefing as the 3,302,762 total) and ``2025-12, province,
    Kalimantan Utara, coverage`` 46 (IDN Times);
  - employed (BPS Sakernas, August 2025): workforce.csv rows ``2025-08, province, 61..65``:
    2,930,000 / 1,417,680 / 2,150,000 / 1,969,739 / 380,572.

  Σ coverage × employed = 3,628,025, i.e. 9.8 % above the published total, consistent with BPJS
  using a narrower denominator (7,996,826 workers without ASN/TNI/Polri, 90.4 % of the BPS
  employed); the shares are kept and scaled. Shares: Kalbar 22.10 %, Kalteng 16.41 %, Kalsel
  24.89 %, Kaltim 31.78 %, Kaltara 4.83 %. Each segment is apportioned to the provinces with these
  shares (largest remainder), so segment totals are exact and province totals are within ±3 of
  share × total.
* **Regencies within a province** — no regency-level series of participants or employment
  covers every regency (workforce.csv has two 2022 Kalteng rows), so the split inside a province is
  a modelling assumption: weight 2 for a kota (cities concentrate wage employment), 1 for a
  kabupaten. Stated here so nobody mistakes it for data.
* **Employers and projects per province** — the same province shares; at least one business
  employer in a province that has wage earners and at least one project where it has JAKON
  workers (taken from the province with the most). Below scale ≈ 0.0003 that needs more
  employers/projects than the scaled figure: the targets are raised to one per such province.

Counts at scale ``s`` are ``round_half_up(figure × s)``; the segment and province splits use the
largest-remainder method so that parts always add up to the whole. At scale 0.001: 3,303
participants (PU 1,953, BPU 890, JAKON 443, PMI 17), 64 employers, 18 projects.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
PROVINCES = ("61", "62", "63", "64", "65")
PROVINCE_NAMES = {
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
}
PMI_SHARE = Fraction(5, 1000)
STATE_ORGANISERS = 61
NON_ASN_WORKERS = 366_215

# (file, key columns..., value column): the rows the calibration reads.
FIGURE_PARTICIPANTS = ("2026-02-02", "region", "Kalimantan", "participants")
FIGURE_SEGMENTS = {
    "PU": ("2024-11", "region", "Kalimantan", "active participants - formal (wage earners)"),
    "BPU": ("2024-11", "region", "Kalimantan", "active participants - informal (BPU)"),
    "JAKON": (
        "2024-11",
        "region",
        "Kalimantan",
        "active participants - construction services (jakon)",
    ),
}
FIGURE_EMPLOYERS = ("2024-11", "region", "Kalimantan", "employers (pemberi kerja / badan usaha)")
FIGURE_PROJECTS = (
    "2024-11",
    "region",
    "Kalimantan",
    "registered construction projects (APBD/APBN/private)",
)
FIGURE_COVERAGE = {
    "61": ("2025-12-01", "province", "Kalimantan Barat", "coverage"),
    "62": ("2025-12-01", "province", "Kalimantan Tengah", "coverage"),
    "63": ("2025-12-01", "province", "Kalimantan Selatan", "coverage"),
    "64": ("2025-12-01", "province", "Kalimantan Timur", "coverage"),
    "65": ("2025-12", "province", "Kalimantan Utara", "coverage"),
}
WORKFORCE_PERIOD = "2025-08"


class CalibrationError(ValueError):
    """A figure the calibration needs is missing from the reference files."""


def round_half_up(value: Fraction) -> int:
    """Nearest integer, halves away from zero (0.5 -> 1), in exact arithmetic."""
    return int(
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    )


def scaled(figure: int, scale: Fraction) -> int:
    """``round_half_up(figure × scale)`` in exact arithmetic."""
    return round_half_up(Fraction(figure) * scale)


def as_fraction(scale: float | str | Fraction | Decimal) -> Fraction:
    """The scale as an exact fraction (``0.001`` is 1/1000, not the nearest binary float)."""
    if isinstance(scale, Fraction):
        return scale
    return Fraction(Decimal(str(scale)))


def apportion(total: int, weights: list[Fraction]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties to the first)."""
    if total < 0:
        raise ValueError("total must be >= 0")
    weight_sum = sum(weights, Fraction(0))
    if total == 0 or weight_sum == 0:
        return [0] * len(weights)
    quotas = [Fraction(total) * w / weight_sum for w in weights]
    parts = [int(q) for q in quotas]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def ensure_at_least_one(parts: list[int], needed: list[bool]) -> list[int]:
    """Give every part marked ``needed`` at least 1, taking from the largest part (total kept)."""
    parts = list(parts)
    for i, need in enumerate(needed):
        if need and parts[i] == 0:
            donor = max(range(len(parts)), key=lambda j: (parts[j], -j))
            if parts[donor] <= 1:
                break
            parts[donor] -= 1
            parts[i] = 1
    return parts


@dataclass(frozen=True)
class Inputs:
    """The published figures the calibration uses (at scale 1.0)."""

    participants: int
    segments_2024: dict[str, int]
    employers: int
    projects: int
    coverage_pct: dict[str, Decimal]
    employed: dict[str, int]


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise CalibrationError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def load_inputs(reference_dir: Path) -> Inputs:
    figures = _read_csv(reference_dir / "published_figures.csv")
    index = {
        (r["year_or_date"], r["scope_level"], r["scope"], r["metric"]): Decimal(r["value"])
        for r in figures
    }

    def figure(key: tuple[str, str, str, str]) -> Decimal:
        try:
            return index[key]
        except KeyError:
            raise CalibrationError(f"published_figures.csv: no row {', '.join(key)}") from None

    workforce = _read_csv(reference_dir / "workforce.csv")
    employed: dict[str, int] = {}
    for row in workforce:
        if (
            row["period"] == WORKFORCE_PERIOD
            and row["level"] == "province"
            and row["code"] in PROVINCES
        ):
            employed[row["code"]] = int(row["employed"])
    missing = [code for code in PROVINCES if code not in employed]
    if missing:
        raise CalibrationError(
            f"workforce.csv: no {WORKFORCE_PERIOD} province row for {', '.join(missing)}"
        )
    return Inputs(
        participants=int(figure(FIGURE_PARTICIPANTS)),
        segments_2024={seg: int(figure(key)) for seg, key in FIGURE_SEGMENTS.items()},
        employers=int(figure(FIGURE_EMPLOYERS)),
        projects=int(figure(FIGURE_PROJECTS)),
        coverage_pct={code: figure(key) for code, key in FIGURE_COVERAGE.items()},
        employed=employed,
    )


@dataclass(frozen=True)
class Targets:
    """What a run at ``scale`` generates; ``by_province[code][segment]`` sums to ``segments``."""

    scale: Fraction
    participants: int
    segments: dict[str, int]
    employers: int
    projects: int
    state_organisers: int
    non_asn_workers: int
    province_shares: dict[str, Fraction]
    by_province: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def province_participants(self) -> dict[str, int]:
        return {code: sum(segs.values()) for code, segs in self.by_province.items()}


def segment_weights(inputs: Inputs) -> list[Fraction]:
    total_2024 = sum(inputs.segments_2024.values())
    rest = 1 - PMI_SHARE
    return [
        rest * Fraction(inputs.segments_2024["PU"], total_2024),
        rest * Fraction(inputs.segments_2024["BPU"], total_2024),
        rest * Fraction(inputs.segments_2024["JAKON"], total_2024),
        PMI_SHARE,
    ]


def province_shares(inputs: Inputs) -> dict[str, Fraction]:
    weights = {
        code: Fraction(inputs.coverage_pct[code]) * inputs.employed[code] for code in PROVINCES
    }
    total = sum(weights.values(), Fraction(0))
    return {code: weights[code] / total for code in PROVINCES}


def targets(scale: float | str | Fraction | Decimal, inputs: Inputs) -> Targets:
    s = as_fraction(scale)
    if s <= 0:
        raise ValueError("scale must be > 0")
    participants = scaled(inputs.participants, s)
    segments = dict(zip(SEGMENTS, apportion(participants, segment_weights(inputs)), strict=True))
    shares = province_shares(inputs)
    share_list = [shares[code] for code in PROVINCES]
    by_province: dict[str, dict[str, int]] = {code: {} for code in PROVINCES}
    for seg in SEGMENTS:
        for code, count in zip(PROVINCES, apportion(segments[seg], share_list), strict=True):
            by_province[code][seg] = count
    # At very small scales every province with wage earners needs an employer and every province
    # with JAKON workers a project, even where the scaled figure would round below that.
    pu_provinces = sum(1 for code in PROVINCES if by_province[code]["PU"])
    jakon_provinces = sum(1 for code in PROVINCES if by_province[code]["JAKON"])
    state_organisers = scaled(STATE_ORGANISERS, s)
    employers = max(scaled(inputs.employers, s), pu_provinces + state_organisers, 1)
    non_asn = scaled(NON_ASN_WORKERS, s) if state_organisers > 0 else 0
    return Targets(
        scale=s,
        participants=participants,
        segments=segments,
        employers=employers,
        projects=max(scaled(inputs.projects, s), jakon_provinces),
        state_organisers=state_organisers,
        non_asn_workers=min(non_asn, segments["PU"] // 2),
        province_shares=shares,
        by_province=by_province,
    )
