"""Thin views: parse, call one selector or service, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from jaminan import rules
from jaminan.geo import selectors as geo
from jaminan.rules import docs as rules_docs

LIST_KINDS = {"programs", "months", "children", "returns", "contributions"}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    summary = geo.dashboard_summary(user=request.user)
    plkk_total = sum(s.plkk or 0 for s in summary)
    chart = {
        "labels": [s.province.name for s in summary],
        "plkk": [s.plkk or 0 for s in summary],
        "label": str(translation.gettext("PLKK per provinsi")),
    }
    context = {
        "summary": summary,
        "plkk_total": plkk_total,
        "plkk_as_of": summary[0].plkk_as_of if summary else None,
        "regency_total": sum(s.regencies for s in summary),
        "office_total": sum(s.offices for s in summary),
        "chart": chart,
    }
    return render(request, "web/home.html", context)


def _calculators() -> list[dict[str, Any]]:
    language = translation.get_language() or "id"
    calculators = []
    for info in rules.catalogue():
        fields = []
        for spec in info.facts:
            example = info.example.get(spec.name)
            if spec.kind in LIST_KINDS and not spec.choices and example is not None:
                example = json.dumps(example, ensure_ascii=False)
            fields.append(
                {
                    "spec": spec,
                    "example": "" if example is None else example,
                    "is_list": spec.kind in LIST_KINDS,
                }
            )
        calculators.append(
            {
                "name": info.name,
                "summary": info.summary_en if language.startswith("en") else info.summary_id,
                "fields": fields,
                "dom_id": info.name.replace(".", "-"),
            }
        )
    return calculators


@login_required
@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or "id"
    return render(
        request,
        "web/rules.html",
        {
            "tables": rules_docs.parameter_tables("en" if language.startswith("en") else "id"),
            "calculators": _calculators(),
        },
    )


def _facts_from_form(specs: Any, data: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for spec in specs:
        raw = data.get(spec.name, "")
        if spec.kind == "bool":
            if spec.name in data:
                facts[spec.name] = data.get(spec.name) in {"on", "true", "1"}
            continue
        if spec.kind in LIST_KINDS and spec.choices:
            # Checkboxes: the selected values, or the calculation's default when none is ticked.
            selected = data.getlist(spec.name)
            if selected:
                facts[spec.name] = selected
            continue
        if raw == "":
            continue
        if spec.kind in LIST_KINDS:
            try:
                facts[spec.name] = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise rules.RulesError(spec.name, f"not valid JSON ({exc.msg})") from exc
        elif spec.kind in {"money", "int"}:
            try:
                facts[spec.name] = int(raw.replace(".", "").replace(",", ""))
            except ValueError as exc:
                raise rules.RulesError(spec.name, "must be a whole number") from exc
        else:
            facts[spec.name] = raw
    return facts


@login_required
@require_POST
def rules_calculate(request: HttpRequest, name: str) -> HttpResponse:
    info = {i.name: i for i in rules.catalogue()}.get(name)
    if info is None:
        raise Http404(name)
    context: dict[str, Any] = {"name": name}
    try:
        facts = _facts_from_form(info.facts, request.POST)
        result = rules.calculate(name, facts)
    except rules.RulesError as exc:
        context["error"] = str(exc)
        context["error_fact"] = exc.fact
    else:
        trace = result.pop("trace", [])
        context.update(
            facts=json.dumps(facts, ensure_ascii=False),
            result=json.dumps(result, ensure_ascii=False, indent=2),
            trace=trace,
        )
    return render(request, "web/_calc_result.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: the form expired; reload the page and send it again.

    Under /api/ the answer keeps the API's JSON error shape (django-ninja checks CSRF itself and
    answers its own error, so this is only a safety net)."""
    message = translation.gettext("Formulir kedaluwarsa: muat ulang halaman lalu coba lagi.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "csrf_failed", "message": message, "field": None}, status=403)
    referer = request.META.get("HTTP_REFERER", "")
    back_url = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else reverse("home")
    )
    return render(request, "web/errors/csrf.html", {"back_url": back_url}, status=403)
