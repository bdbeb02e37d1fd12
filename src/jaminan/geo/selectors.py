"""Reads of the geo app, each scoped through ``scope_queryset``."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from jaminan.accounts.scoping import scope_queryset
from jaminan.geo.models import (
    FacilityCountStat,
    HealthFacility,
    Office,
    Province,
    Regency,
    WorkforceStat,
)

User = AbstractBaseUser | AnonymousUser


def provinces(*, user: User) -> QuerySet[Province]:
    return scope_queryset(
        user,
        Province.objects.annotate(
            regency_count=Count("regencies", distinct=True),
        ),
    )


def regencies(
    *,
    user: User,
    province: str | None = None,
    kind: str | None = None,
    office: str | None = None,
    inferred: bool | None = None,
) -> QuerySet[Regency]:
    qs = Regency.objects.select_related("province", "branch_office")
    if province:
        qs = qs.filter(province__code=province)
    if kind:
        qs = qs.filter(kind=kind)
    if office:
        qs = qs.filter(branch_office__code=office)
    if inferred is not None:
        qs = qs.filter(branch_office_inferred=inferred)
    return scope_queryset(user, qs)


def offices(
    *, user: User, kind: str | None = None, province: str | None = None
) -> QuerySet[Office]:
    qs = Office.objects.select_related("seat_regency", "province").annotate(
        jurisdiction_count=Count("jurisdiction", distinct=True)
    )
    if kind:
        qs = qs.filter(kind=kind)
    if province:
        qs = qs.filter(province__code=province)
    return scope_queryset(user, qs)


def facilities(
    *,
    user: User,
    regency: str | None = None,
    office: str | None = None,
    province: str | None = None,
) -> QuerySet[HealthFacility]:
    qs = HealthFacility.objects.select_related("regency", "serving_office")
    if regency:
        qs = qs.filter(regency__code=regency)
    if office:
        qs = qs.filter(serving_office__code=office)
    if province:
        qs = qs.filter(regency__province__code=province)
    return scope_queryset(user, qs)


def facility_counts(
    *,
    user: User,
    as_of: str | None = None,
    scope_level: str | None = None,
    province: str | None = None,
) -> QuerySet[FacilityCountStat]:
    qs = FacilityCountStat.objects.select_related("province")
    if as_of:
        qs = qs.filter(as_of=as_of)
    if scope_level:
        qs = qs.filter(scope_level=scope_level)
    if province:
        qs = qs.filter(province__code=province)
    return scope_queryset(user, qs)


def workforce(
    *,
    user: User,
    period: str | None = None,
    level: str | None = None,
    area_code: str | None = None,
    basis: str | None = None,
) -> QuerySet[WorkforceStat]:
    qs = WorkforceStat.objects.all()
    if period:
        qs = qs.filter(period=period)
    if level:
        qs = qs.filter(level=level)
    if area_code:
        qs = qs.filter(area_code=area_code)
    if basis:
        qs = qs.filter(basis=basis)
    return scope_queryset(user, qs)


@dataclass(frozen=True)
class ProvinceSummary:
    province: Province
    regencies: int
    kabupaten: int
    kota: int
    offices: int
    inferred_assignments: int
    workforce: WorkforceStat | None
    plkk: int | None
    plkk_as_of: str | None


def latest_plkk_year(*, user: User) -> str | None:
    """The newest ``as_of`` with a per-province PLKK split."""
    return (
        facility_counts(user=user, scope_level="province")
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )


def dashboard_summary(*, user: User) -> list[ProvinceSummary]:
    """Per province: regencies, branch offices, latest BPS workforce figure and latest PLKK count."""
    province_qs = scope_queryset(user, Province.objects.all()).annotate(
        kabupaten=Count("regencies", filter=Q(regencies__kind="kabupaten"), distinct=True),
        kota=Count("regencies", filter=Q(regencies__kind="kota"), distinct=True),
        inferred=Count(
            "regencies", filter=Q(regencies__branch_office_inferred=True), distinct=True
        ),
        office_count=Count("offices", distinct=True),
    )
    latest_workforce: dict[int, WorkforceStat] = {}
    for stat in workforce(user=user, level="province").order_by("province_id", "-period"):
        if stat.province_id is not None:
            latest_workforce.setdefault(stat.province_id, stat)
    plkk_year = latest_plkk_year(user=user)
    plkk = (
        {
            c.province_id: c.total
            for c in facility_counts(user=user, as_of=plkk_year, scope_level="province")
        }
        if plkk_year
        else {}
    )
    return [
        ProvinceSummary(
            province=p,
            regencies=p.kabupaten + p.kota,
            kabupaten=p.kabupaten,
            kota=p.kota,
            offices=p.office_count,
            inferred_assignments=p.inferred,
            workforce=latest_workforce.get(p.pk),
            plkk=plkk.get(p.pk),
            plkk_as_of=plkk_year,
        )
        for p in province_qs
    ]
