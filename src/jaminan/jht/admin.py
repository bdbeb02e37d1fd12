"""Admin of JHT: the declared yearly returns are edited here (every change audited); accounts,
credits and debits are shown read-only (they are written by the credit run and by claims)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jaminan.accounts.admin import AuditedModelAdmin
from jaminan.jht.models import JhtAccount, JhtCredit, JhtDebit, JhtReturnRate


@admin.register(JhtReturnRate)
class JhtReturnRateAdmin(AuditedModelAdmin):
    list_display = ["year", "percent", "confidence", "source", "updated_at"]
    list_filter = ["confidence"]


class ReadOnlyAdmin(AuditedModelAdmin):
    """Rows written by the services only: shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JhtAccount)
class JhtAccountAdmin(AuditedModelAdmin):
    """The opening balance and date of a migrated account may be corrected (audited)."""

    list_display = ["participant", "opening_balance", "opening_date", "created_at"]
    search_fields = ["=participant__kpj_number"]
    raw_id_fields = ["participant"]
    list_select_related = ["participant"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(JhtCredit)
class JhtCreditAdmin(ReadOnlyAdmin):
    list_display = ["account", "membership", "month", "amount", "credited_on"]
    search_fields = ["=account__participant__kpj_number"]
    list_select_related = ["account", "membership"]


@admin.register(JhtDebit)
class JhtDebitAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "reason", "amount", "debited_on", "claim_ref"]
    search_fields = ["=claim_ref", "=account__participant__kpj_number"]
