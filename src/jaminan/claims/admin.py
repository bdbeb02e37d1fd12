"""Admin of claims: read-only. Claims move only through the services (state machine, four eyes,
payment exactly once); the admin shows them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jaminan.claims.models import (
    BenefitPayment,
    Claim,
    ClaimDocument,
    ScholarshipGrant,
    StmbPeriod,
    TreatmentBill,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "claim_type",
        "status",
        "participant",
        "office",
        "event_date",
        "amount",
    ]
    list_filter = ["claim_type", "status", "channel"]
    search_fields = ["=participant__kpj_number", "participant__person__name"]
    list_select_related = ["participant__person", "office"]


@admin.register(BenefitPayment)
class BenefitPaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "component", "period", "amount", "payee_name", "paid_on"]
    list_filter = ["component", "payee_kind"]
    search_fields = ["=reference"]


@admin.register(ScholarshipGrant)
class ScholarshipGrantAdmin(ReadOnlyAdmin):
    list_display = ["claim", "child", "level", "year", "amount"]


for model in (ClaimDocument, StmbPeriod, TreatmentBill):
    admin.site.register(model, ReadOnlyAdmin)
