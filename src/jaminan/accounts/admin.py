from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from jaminan.accounts import audit
from jaminan.accounts.models import ApiToken, AuditEvent, UserScope


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin whose every save and delete leaves an audit event with the changed fields."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit.record(
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            actor=request.user,
            obj=obj,
            changes=audit.model_changes(before, obj),
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit.record(action=AuditEvent.Action.DELETE, actor=request.user, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            audit.record(action=AuditEvent.Action.DELETE, actor=request.user, obj=obj)
        super().delete_queryset(request, queryset)


@admin.register(UserScope)
class UserScopeAdmin(AuditedModelAdmin):
    list_display = ["user", "role", "office", "employer_npp", "sponsor_code", "participant_kpj"]
    list_filter = ["role", "office"]
    search_fields = ["user__username", "employer_npp", "sponsor_code", "participant_kpj"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "object_repr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
