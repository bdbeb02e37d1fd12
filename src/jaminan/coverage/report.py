"""The regional office's coverage report for a month and area, from the snapshots: participants by
segment, coverage against the chosen denominator (with its source), the uncovered gap, growth,
employers, non-ASN staff and budget-funded vulnerable workers, contributions billed and collected,
PLKK, claims paid by program (count and amount) and scholarships for the month and the year to
date; as a dict (JSON), XLSX (with charts) or PDF (WeasyPrint, with SVG charts)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference

from jaminan.coverage import exports, selectors
from jaminan.coverage.errors import CoverageError
from jaminan.coverage.selectors import SEGMENTS, User

FORMATS = ("json", "xlsx", "pdf")


@dataclass
class Report:
    data: dict[str, Any]

    def json(self) -> str:
        return json.dumps(self.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _year_to_date(user: User, area: str, month: date) -> tuple[int, int, int]:
    """Contributions collected January..month of this year and of the year before, and billed."""
    rows = selectors.series(user=user, area=area, months=24, until=month)
    this_year = sum(r["collected"] for r in rows if r["month"].year == month.year)
    billed = sum(r["billed"] for r in rows if r["month"].year == month.year)
    last_year = sum(
        r["collected"]
        for r in rows
        if r["month"].year == month.year - 1 and r["month"].month <= month.month
    )
    return this_year, last_year, billed


def build(*, user: User, as_of: date, area: str | None = None, basis: str = "bpjs") -> Report:
    """The report for the latest snapshot month on or before ``as_of``."""
    scope = selectors.area_for(area)
    month = selectors.latest_month(as_of)
    if month is None:
        raise CoverageError(
            "no_snapshot",
            _("Belum ada potret cakupan sampai bulan ini; jalankan `jaminan coverage refresh`."),
            "as_of",
        )
    summary = selectors.area_summary(user=user, month=month, area=scope.code, basis=basis)
    breakdown_level = {"region": "province", "province": "regency", "regency": "regency"}[
        scope.level
    ]
    breakdown = selectors.coverage(
        user=user, month=month, level=breakdown_level, area=scope.code, basis=basis
    )
    collected_ytd, collected_prev_ytd, billed_ytd = _year_to_date(user, scope.code, month)
    plkk, plkk_as_of = selectors.plkk_count(scope)
    trend = selectors.series(user=user, area=scope.code, months=13, until=month)
    data = {
        "area": {"level": scope.level, "code": scope.code, "name": scope.name},
        "as_of": f"{as_of:%Y-%m}",
        "month": f"{month:%Y-%m}",
        "basis": basis,
        "participants": summary.active,
        "participants_by_segment": {s: summary.segments.get(s, 0) for s in SEGMENTS},
        "new": summary.figures["new"],
        "ended": summary.figures["ended"],
        "employers": summary.figures["employers"],
        "state_staff": summary.figures["state_staff"],
        "budget_funded": summary.figures["budget_funded"],
        "denominator": summary.denominator.as_dict() if summary.denominator else None,
        "coverage_pct": summary.coverage_pct,
        "gap": summary.gap,
        "year_ago_participants": summary.year_ago_active,
        "growth_pct": summary.growth_pct,
        "contributions": {
            "billed_month": summary.figures["billed_amount"],
            "collected_month": summary.figures["collected_amount"],
            "billed_year_to_date": billed_ytd,
            "collected_year_to_date": collected_ytd,
            "collected_previous_year_to_date": collected_prev_ytd,
            "growth_pct": selectors.percent(collected_ytd - collected_prev_ytd, collected_prev_ytd),
        },
        "plkk": {"count": plkk, "as_of": plkk_as_of},
        "claims": selectors.claims(user=user, area=scope.code, month=month),
        "breakdown": [row.as_dict() for row in breakdown],
        "trend": [
            {**{k: v for k, v in r.items() if k != "month"}, "month": f"{r['month']:%Y-%m}"}
            for r in trend
        ],
    }
    return Report(data)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{Decimal(value):.2f}%"


def to_xlsx(report: Report) -> bytes:
    d = report.data
    den = d["denominator"] or {}
    summary_rows: list[list[Any]] = [
        [_("Wilayah"), d["area"]["name"]],
        [_("Bulan"), d["month"]],
        [_("Peserta aktif"), d["participants"]],
        *[[f"{_('Peserta')} {s}", d["participants_by_segment"][s]] for s in SEGMENTS],
        [_("Peserta baru"), d["new"]],
        [_("Kepesertaan berakhir"), d["ended"]],
        [_("Pemberi kerja aktif"), d["employers"]],
        [_("Pegawai non-ASN terlindungi"), d["state_staff"]],
        [_("Pekerja rentan dibiayai APBD"), d["budget_funded"]],
        [_("Penyebut"), den.get("basis_label", "–")],
        [_("Nilai penyebut"), den.get("value")],
        [_("Periode penyebut"), den.get("period")],
        [_("Sumber penyebut"), den.get("source")],
        [_("Cakupan (%)"), d["coverage_pct"]],
        [_("Belum terlindungi"), d["gap"]],
        [_("Pertumbuhan peserta setahun (%)"), d["growth_pct"]],
        [_("Iuran ditagih bulan ini (Rp)"), d["contributions"]["billed_month"]],
        [_("Iuran diterima bulan ini (Rp)"), d["contributions"]["collected_month"]],
        [_("Iuran diterima sejak Januari (Rp)"), d["contributions"]["collected_year_to_date"]],
        [_("PLKK"), d["plkk"]["count"]],
    ]
    breakdown_headers = [
        _("Kode"),
        _("Wilayah"),
        _("Peserta aktif"),
        *SEGMENTS,
        _("Penyebut"),
        _("Periode"),
        _("Cakupan (%)"),
        _("Belum terlindungi"),
        _("Pertumbuhan (%)"),
    ]
    breakdown_rows = [
        [
            r["code"],
            r["name"],
            r["active"],
            *[r["segments"].get(s, 0) for s in SEGMENTS],
            (r["denominator"] or {}).get("value"),
            (r["denominator"] or {}).get("period"),
            r["coverage_pct"],
            r["gap"],
            r["growth_pct"],
        ]
        for r in d["breakdown"]
    ]
    trend_headers = [_("Bulan"), *SEGMENTS, _("Ditagih (Rp)"), _("Diterima (Rp)")]
    trend_rows = [
        [t["month"], *[t.get(s, 0) for s in SEGMENTS], t["billed"], t["collected"]]
        for t in d["trend"]
    ]
    claims_headers, claims_rows = claims_table(d["claims"])
    content = exports.to_xlsx(
        [
            (_("Ringkasan"), [_("Ukuran"), _("Nilai")], summary_rows),
            (_("Rincian"), breakdown_headers, breakdown_rows),
            (_("Tren"), trend_headers, trend_rows),
            (_("Klaim"), claims_headers, claims_rows),
        ]
    )
    # Add a bar chart of participants by area to the breakdown sheet.
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[1]
    if breakdown_rows:
        chart = BarChart()
        chart.title = _("Peserta aktif")
        values = Reference(sheet, min_col=3, min_row=1, max_row=len(breakdown_rows) + 1)
        labels = Reference(sheet, min_col=2, min_row=2, max_row=len(breakdown_rows) + 1)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(labels)
        sheet.add_chart(chart, "N2")
    claims_sheet = workbook.worksheets[3]
    claims_chart = BarChart()
    claims_chart.title = _("Manfaat dibayar sejak Januari (Rp)")
    programs = len(claims_rows) - 1  # without the total row
    claims_chart.add_data(
        Reference(claims_sheet, min_col=5, min_row=1, max_row=programs + 1), titles_from_data=True
    )
    claims_chart.set_categories(Reference(claims_sheet, min_col=1, min_row=2, max_row=programs + 1))
    claims_sheet.add_chart(claims_chart, "H2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def claims_table(claims: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Claims by program, then scholarships, then the claims' total: count and amount of the month
    and of the year to date (the XLSX sheet and the PDF table)."""
    headers = [
        _("Program"),
        f"{_('Klaim')} {claims['month']['last_month']}",
        f"{_('Manfaat (Rp)')} {claims['month']['last_month']}",
        f"{_('Klaim')} {claims['year_to_date']['first_month']}–{claims['year_to_date']['last_month']}",
        f"{_('Manfaat (Rp)')} "
        f"{claims['year_to_date']['first_month']}–{claims['year_to_date']['last_month']}",
    ]
    month, ytd = claims["month"], claims["year_to_date"]
    rows: list[list[Any]] = [
        [
            str(selectors.CLAIM_LABELS[m["program"]]),
            m["count"],
            m["amount"],
            y["count"],
            y["amount"],
        ]
        for m, y in zip(month["programs"], ytd["programs"], strict=True)
    ]
    rows.append(
        [
            str(selectors.CLAIM_LABELS["scholarship"]),
            month["scholarships"]["count"],
            month["scholarships"]["amount"],
            ytd["scholarships"]["count"],
            ytd["scholarships"]["amount"],
        ]
    )
    rows.append(
        [
            _("Jumlah klaim (tanpa beasiswa)"),
            month["total"]["count"],
            month["total"]["amount"],
            ytd["total"]["count"],
            ytd["total"]["amount"],
        ]
    )
    return headers, rows


def svg_bars(labels: list[str], values: list[int], width: int = 640, bar: int = 16) -> str:
    """A horizontal bar chart as inline SVG (for the PDF, where no JavaScript runs)."""
    top = max(values) if values and max(values) > 0 else 1
    height = (bar + 6) * len(values) + 10
    label_width = 190
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="9">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * (bar + 6)
        length = int((width - label_width - 80) * value / top)
        text = f"{value:,}".replace(",", ".")
        parts.append(f'<text x="0" y="{y + bar - 4}">{_escape(label[:32])}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" height="{bar}" '
            'fill="#198754"/>'
        )
        parts.append(f'<text x="{label_width + length + 4}" y="{y + bar - 4}">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_pdf(report: Report, language: str = "id") -> bytes:
    from jaminan.web.pdf import render_pdf

    with translation.override(language):
        return render_pdf("coverage/report_pdf.html", pdf_context(report))


def pdf_context(report: Report) -> dict[str, Any]:
    """The template context of the PDF (charts as inline SVG)."""
    d = report.data
    chart = svg_bars([r["name"] for r in d["breakdown"]], [r["active"] for r in d["breakdown"]])
    claims_headers, claims_rows = claims_table(d["claims"])
    claims_chart = svg_bars(
        [row[0] for row in claims_rows[:-1]], [row[4] for row in claims_rows[:-1]]
    )
    return {
        "r": d,
        "chart": chart,
        "segments": SEGMENTS,
        "claims_headers": claims_headers,
        "claims_rows": claims_rows,
        "claims_chart": claims_chart,
    }


def render(report: Report, fmt: str, language: str = "id") -> bytes:
    if fmt == "json":
        return report.json().encode()
    if fmt == "xlsx":
        with translation.override(language):
            return to_xlsx(report)
    if fmt == "pdf":
        return to_pdf(report, language)
    raise CoverageError("invalid_format", _("Format tidak dikenal."), "format")
