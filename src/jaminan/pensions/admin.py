"""Admin of pensions: the inflation table is edited here (every change audited); pensions, runs
and payments are shown read-only (written by awards, confirmations and the roll)."""

from __future__ import annotations

from django.contrib import admin

from jaminan.accounts.admin import AuditedModelAdmin
from jaminan.jht.admin import ReadOnlyAdmin
from jaminan.pensions.models import (
    DataConfirmation,
    InflationRate,
    Pension,
    PensionPayment,
    PensionRun,
)


@admin.register(InflationRate)
class InflationRateAdmin(AuditedModelAdmin):
    list_display = ["year", "percent", "confidence", "source", "updated_at"]
    list_filter = ["confidence"]


@admin.register(Pension)
class PensionAdmin(ReadOnlyAdmin):
    list_display = [
        "beneficiary_name",
        "kind",
        "participant",
        "monthly_amount",
        "start_month",
        "status",
        "last_confirmed_on",
    ]
    list_filter = ["kind", "status", "office"]
    search_fields = ["=participant__kpj_number", "beneficiary_name", "=claim_ref"]
    list_select_related = ["participant"]


@admin.register(DataConfirmation)
class DataConfirmationAdmin(ReadOnlyAdmin):
    list_display = ["pension", "confirmed_on", "channel", "recorded_by"]


@admin.register(PensionRun)
class PensionRunAdmin(ReadOnlyAdmin):
    list_display = ["month", "status", "holder", "started_at", "finished_at"]


@admin.register(PensionPayment)
class PensionPaymentAdmin(ReadOnlyAdmin):
    list_display = ["pension", "month", "kind", "amount", "run"]
    list_filter = ["kind"]
