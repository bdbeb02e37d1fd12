"""Admin for every registry model; every save and delete is audited (AuditedModelAdmin)."""

from __future__ import annotations

from django.contrib import admin

from jaminan.accounts.admin import AuditedModelAdmin
from jaminan.registry.models import (
    ConstructionProject,
    Dependant,
    Employer,
    IdentifierSequence,
    Membership,
    Participant,
    Person,
    ReportedWage,
)


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ["name", "masked_nik", "birth_date", "sex", "address_regency"]
    list_filter = ["sex"]
    search_fields = ["=nik", "name"]
    list_select_related = ["address_regency"]
    raw_id_fields = ["address_regency"]


@admin.register(Participant)
class ParticipantAdmin(AuditedModelAdmin):
    list_display = ["kpj_number", "person", "registered_on", "registering_office"]
    search_fields = ["=kpj_number", "person__name", "=person__nik"]
    list_select_related = ["person", "registering_office"]
    raw_id_fields = ["person"]


@admin.register(Employer)
class EmployerAdmin(AuditedModelAdmin):
    list_display = [
        "npp",
        "name",
        "kind",
        "size_class",
        "risk_group",
        "regency",
        "office",
        "status",
    ]
    list_filter = ["kind", "size_class", "risk_group", "status", "office"]
    search_fields = ["=npp", "name", "=npwp"]
    list_select_related = ["regency", "office"]


@admin.register(ConstructionProject)
class ConstructionProjectAdmin(AuditedModelAdmin):
    list_display = [
        "name",
        "contractor",
        "owner_type",
        "contract_value",
        "start_date",
        "end_date",
        "office",
    ]
    list_filter = ["owner_type", "office"]
    search_fields = ["name", "=contractor__npp"]
    list_select_related = ["contractor", "office"]
    raw_id_fields = ["contractor"]


class ReportedWageInline(admin.TabularInline):
    model = ReportedWage
    extra = 0


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = [
        "participant",
        "segment",
        "employer",
        "start_date",
        "end_date",
        "office",
        "late_registration",
    ]
    list_filter = ["segment", "office", "late_registration", "end_reason"]
    search_fields = ["=participant__kpj_number", "=employer__npp"]
    list_select_related = ["participant", "participant__person", "employer", "office"]
    raw_id_fields = ["participant", "employer", "project"]
    inlines = [ReportedWageInline]


@admin.register(ReportedWage)
class ReportedWageAdmin(AuditedModelAdmin):
    list_display = ["membership", "effective_month", "amount", "reported_at"]
    raw_id_fields = ["membership"]
    list_select_related = [
        "membership",
        "membership__participant",
        "membership__participant__person",
    ]


@admin.register(Dependant)
class DependantAdmin(AuditedModelAdmin):
    list_display = ["name", "relation", "birth_date", "school_level", "participant"]
    list_filter = ["relation", "school_level"]
    search_fields = ["name", "=participant__kpj_number"]
    list_select_related = ["participant", "participant__person"]
    raw_id_fields = ["participant", "person"]


@admin.register(IdentifierSequence)
class IdentifierSequenceAdmin(AuditedModelAdmin):
    list_display = ["name", "next_value"]
