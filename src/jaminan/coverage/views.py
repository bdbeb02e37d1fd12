"""Coverage screens (mounted at ``/cakupan/``): dashboard, map, reconciliation, compliance lists and
expansion planner, plus the report and list downloads. Thin: parse, call one selector, render.
Staff roles only; every figure comes from the snapshots or the reference data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jaminan.accounts.roles import STAFF_ROLES
from jaminan.accounts.scoping import role_of
from jaminan.coverage import compliance, exports, planner, reconciliation, report, selectors
from jaminan.coverage.errors import CoverageError
from jaminan.geo.models import Province
from jaminan.geo.zones import institution_today

GEOJSON = "kalimantan_regencies.geojson"


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    @require_GET
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if role_of(request.user) not in STAFF_ROLES:
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except CoverageError as exc:
            return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")

    return wrapper


def _params(request: HttpRequest) -> dict[str, Any]:
    """month (default: latest snapshot), basis, area from the query string."""
    basis = request.GET.get("basis") or "bpjs"
    if basis not in selectors.BASES:
        basis = "bpjs"
    area = request.GET.get("area") or None
    scope = selectors.area_for(area)
    month_text = request.GET.get("month")
    month = selectors.parse_month(month_text) if month_text else selectors.latest_month()
    return {"basis": basis, "area": scope, "month": month}


def _common(request: HttpRequest, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "basis": params["basis"],
        "bases": [(b, selectors.BASIS_LABELS[b]) for b in selectors.BASES],
        "area": params["area"],
        "month": params["month"],
        "months": selectors.snapshot_months(user=request.user)[:36],
        "provinces": Province.objects.order_by("code"),
    }


@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    context = _common(request, params)
    month, scope, basis = params["month"], params["area"], params["basis"]
    if month is None:
        return render(request, "coverage/dashboard.html", context)
    summary = selectors.area_summary(user=request.user, month=month, area=scope.code, basis=basis)
    level = {"region": "province", "province": "regency", "regency": "regency"}[scope.level]
    rows = selectors.coverage(
        user=request.user, month=month, level=level, area=scope.code, basis=basis
    )
    trend = selectors.series(user=request.user, area=scope.code, months=24, until=month)
    chart = {
        "trend": {
            "labels": [f"{t['month']:%Y-%m}" for t in trend],
            "series": {s: [t.get(s, 0) for t in trend] for s in selectors.SEGMENTS},
            "label": _("Peserta aktif per segmen"),
        },
        "areas": {
            "labels": [r.name for r in rows],
            "active": [r.active for r in rows],
            "coverage": [
                float(r.coverage_pct) if r.coverage_pct is not None else None for r in rows
            ],
            "label": _("Peserta aktif"),
            "coverage_label": _("Cakupan (%)"),
        },
    }
    claim_figures = selectors.claims(user=request.user, area=scope.code, month=month)
    claims_month, claims_ytd = claim_figures["month"], claim_figures["year_to_date"]
    claims = [
        {**m, "ytd_count": y["count"], "ytd_amount": y["amount"]}
        for m, y in zip(
            [*claims_month["programs"], claims_month["scholarships"]],
            [*claims_ytd["programs"], claims_ytd["scholarships"]],
            strict=True,
        )
    ]
    chart["claims"] = {
        "labels": [c["label"] for c in claims],
        "amount": [c["ytd_amount"] for c in claims],
        "count": [c["ytd_count"] for c in claims],
        "label": _("Manfaat dibayar sejak Januari (Rp)"),
    }
    context.update(
        {
            "summary": summary,
            "rows": rows,
            "chart": chart,
            "claims": claims,
            "claims_month": claims_month,
            "claims_ytd": claims_ytd,
        }
    )
    return render(request, "coverage/dashboard.html", context)


@staff_only
def map_page(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    context = _common(request, params)
    context["labels"] = {
        "active": _("Peserta aktif"),
        "coverage": _("Cakupan"),
        "gap": _("Belum terlindungi"),
        "denominator": _("Penyebut"),
        "source": _("Sumber"),
        "segments": _("Per segmen"),
        "growth": _("Pertumbuhan setahun"),
        "none": _("tidak ada angka angkatan kerja"),
        "open": _("Buka dasbor wilayah ini"),
        "month": _("Bulan"),
    }
    return render(request, "coverage/map.html", context)


@lru_cache(maxsize=1)
def _boundaries() -> bytes:
    path = Path(settings.REFERENCE_DIR) / GEOJSON
    return path.read_bytes()


@staff_only
def boundaries(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_boundaries(), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@staff_only
def map_data(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    month = params["month"]
    rows = (
        selectors.coverage(user=request.user, month=month, level="regency", basis=params["basis"])
        if month
        else []
    )
    return JsonResponse(
        {
            "month": f"{month:%Y-%m}" if month else None,
            "basis": params["basis"],
            "regencies": {r.code: r.as_dict() for r in rows},
        },
        encoder=DjangoJSONEncoder,
    )


@staff_only
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    basis = request.GET.get("basis") or "bpjs"
    if basis not in selectors.BASES:
        basis = "bpjs"
    context = {
        "findings": reconciliation.consistency_findings(user=request.user),
        "comparisons": reconciliation.comparisons(user=request.user, basis=basis),
        "basis": basis,
        "bases": [(b, selectors.BASIS_LABELS[b]) for b in selectors.BASES],
    }
    return render(request, "coverage/reconciliation.html", context)


def _as_of(request: HttpRequest) -> date:
    text = request.GET.get("as_of")
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise CoverageError(
                "invalid_date", _("Tanggal harus berformat TTTT-BB-HH."), "as_of"
            ) from exc
    return institution_today()


@staff_only
def compliance_page(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("list") or "below_minimum_wage"
    if name not in compliance.LISTS:
        raise Http404(name)
    as_of = _as_of(request)
    rows = compliance.compliance_list(name, user=request.user, as_of=as_of)
    context = {
        "lists": compliance.LISTS.items(),
        "name": name,
        "title": compliance.LISTS[name],
        "as_of": as_of,
        "columns": compliance.columns(name),
        "rows": [r.as_dict() for r in rows],
    }
    return render(request, "coverage/compliance.html", context)


@staff_only
def compliance_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if name not in compliance.LISTS or fmt not in exports.FORMATS:
        raise Http404(name)
    as_of = _as_of(request)
    rows = compliance.compliance_list(name, user=request.user, as_of=as_of)
    headers = compliance.columns(name)
    values = [[r.as_dict()[h] for h in headers] for r in rows]
    content = (
        exports.to_csv(headers, values)
        if fmt == "csv"
        else exports.to_xlsx([(name, headers, values)])
    )
    exports.record_export(
        user=request.user,
        what=f"compliance.{name}",
        fmt=fmt,
        rows=len(values),
        params={"as_of": as_of.isoformat()},
    )
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="kepatuhan-{name}-{as_of}.{fmt}"'
    return response


def _int(request: HttpRequest, name: str, default: int) -> int:
    try:
        return int(request.GET.get(name) or default)
    except ValueError as exc:
        raise CoverageError("invalid_number", _("Harus bilangan bulat."), name) from exc


@staff_only
def planner_page(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    context = _common(request, params)
    month = params["month"]
    workers = _int(request, "workers", 1000)
    months = _int(request, "months", 12)
    start_text = request.GET.get("start_month")
    start_month = (
        selectors.parse_month(start_text, "start_month")
        if start_text
        else institution_today().replace(day=1)
    )
    context.update({"workers": workers, "months_count": months, "start_month": start_month})
    try:
        if month is not None:
            budget, rows = planner.plan(
                user=request.user,
                month=month,
                workers=workers,
                months=months,
                start_month=start_month,
                area=params["area"].code,
                basis=params["basis"] if params["basis"] != "bpjs" else "bps_employed",
            )
        else:
            budget, rows = (
                planner.budget(workers=workers, months=months, start_month=start_month),
                [],
            )
        context.update({"budget": budget, "rows": rows})
    except CoverageError as exc:
        context["error"] = exc
    return render(request, "coverage/planner.html", context)


@staff_only
def report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in report.FORMATS:
        raise Http404(fmt)
    as_of_text = request.GET.get("as_of")
    as_of = selectors.parse_month(as_of_text, "as_of") if as_of_text else institution_today()
    basis = request.GET.get("basis") or "bpjs"
    if basis not in selectors.BASES:
        basis = "bpjs"
    built = report.build(
        user=request.user, as_of=as_of, area=request.GET.get("area") or None, basis=basis
    )
    content = report.render(built, fmt, translation.get_language() or "id")
    exports.record_export(
        user=request.user,
        what="report",
        fmt=fmt,
        rows=len(built.data["breakdown"]),
        params={"as_of": built.data["month"], "area": built.data["area"]["code"]},
    )
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    filename = f"laporan-cakupan-{built.data['area']['code']}-{built.data['month']}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
