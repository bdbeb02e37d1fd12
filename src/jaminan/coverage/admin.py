from django.contrib import admin

from jaminan.coverage.models import CoverageSnapshot, SnapshotMonth


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(admin.ModelAdmin):
    list_display = ("month", "regency", "segment", "active", "new", "ended", "billed_amount")
    list_filter = ("segment", "month")
    search_fields = ("regency__name", "regency__code")
    readonly_fields = [f.name for f in CoverageSnapshot._meta.fields]


@admin.register(SnapshotMonth)
class SnapshotMonthAdmin(admin.ModelAdmin):
    list_display = ("month", "rows", "active", "billed_amount", "collected_amount", "refreshed_at")
    readonly_fields = [f.name for f in SnapshotMonth._meta.fields]
