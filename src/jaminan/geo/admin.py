from django.contrib import admin

from jaminan.accounts.admin import AuditedModelAdmin
from jaminan.geo.models import (
    FacilityCountStat,
    HealthFacility,
    MinimumWage,
    Office,
    Province,
    PublishedFigure,
    Regency,
    WorkforceStat,
)


@admin.register(Province)
class ProvinceAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "time_zone"]


@admin.register(Regency)
class RegencyAdmin(AuditedModelAdmin):
    list_display = [
        "code",
        "full_name",
        "kind",
        "province",
        "time_zone",
        "branch_office",
        "branch_office_inferred",
    ]
    list_filter = ["province", "kind", "branch_office_inferred"]
    list_editable = ["branch_office"]
    search_fields = ["code", "name"]


@admin.register(Office)
class OfficeAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "city", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name", "city"]


@admin.register(HealthFacility)
class HealthFacilityAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "regency", "serving_office", "active_from", "active_to"]
    list_filter = ["kind", "regency__province"]
    search_fields = ["name"]


@admin.register(FacilityCountStat)
class FacilityCountStatAdmin(AuditedModelAdmin):
    list_display = ["as_of", "scope_level", "scope", "total"]
    list_filter = ["as_of", "scope_level"]


@admin.register(WorkforceStat)
class WorkforceStatAdmin(AuditedModelAdmin):
    list_display = ["period", "level", "area_name", "basis", "employed", "labour_force"]
    list_filter = ["level", "basis", "period"]


@admin.register(PublishedFigure)
class PublishedFigureAdmin(AuditedModelAdmin):
    list_display = ["date", "scope", "metric", "value", "unit"]
    list_filter = ["scope_level"]
    search_fields = ["metric", "scope", "note"]


@admin.register(MinimumWage)
class MinimumWageAdmin(AuditedModelAdmin):
    list_display = ["year", "level", "area_code", "area_name", "amount_sen", "effective_from"]
    list_filter = ["year", "level"]
