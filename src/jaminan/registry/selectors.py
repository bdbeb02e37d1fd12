"""Reads of the registry, always scoped (``scope_queryset``); reads of a person's page are audited.

Query counts do not grow with rows: related rows come by ``select_related``/``prefetch_related``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import UNMASKED_NIK_ROLES
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.registry.errors import NotFound
from jaminan.registry.models import (
    ConstructionProject,
    Dependant,
    Employer,
    Membership,
    Participant,
    Person,
    ReportedWage,
    mask_nik,
)

User = AbstractBaseUser | AnonymousUser | None


def may_see_nik(user: User) -> bool:
    return role_of(user) in UNMASKED_NIK_ROLES


def nik_for(user: User, nik: str) -> str:
    """The NIK as ``user`` may see it: full for officers and admins, masked otherwise."""
    return nik if may_see_nik(user) else mask_nik(nik)


def persons_in_scope(user: User) -> QuerySet[Person]:
    return scope_queryset(user, Person.objects.select_related("participant", "address_regency"))


def employers_in_scope(user: User) -> QuerySet[Employer]:
    return scope_queryset(user, Employer.objects.select_related("regency", "office"))


def search_persons(*, user: User, q: str) -> QuerySet[Person]:
    """Persons by NIK (16 digits, exact), KPJ (11 digits, exact) or name (contains), in the user's scope."""
    q = (q or "").strip()
    qs = persons_in_scope(user)
    if not q:
        return qs.none()
    if q.isdigit() and len(q) == 16:
        return qs.filter(nik=q)
    if q.isdigit() and len(q) == 11:
        return qs.filter(participant__kpj_number=q)
    if q.isdigit():
        return qs.none()
    return qs.filter(name__icontains=q)


def search_employers(*, user: User, q: str) -> QuerySet[Employer]:
    """Employers by NPP (8 digits, exact) or name (contains), in the user's scope."""
    q = (q or "").strip()
    qs = employers_in_scope(user)
    if not q:
        return qs.none()
    if q.isdigit():
        return qs.filter(npp=q) if len(q) == 8 else qs.none()
    return qs.filter(name__icontains=q)


@dataclass
class SearchResult:
    persons: list[Person]
    employers: list[Employer]
    nik_unmasked: bool


def search(*, user: User, q: str, limit: int = 20) -> SearchResult:
    """Persons and employers matching ``q`` (NIK, KPJ, NPP exact; name contains), scoped, at most ``limit``
    of each. Showing persons is audited (one VIEW event per search, noting whether NIKs were unmasked)."""
    persons = list(search_persons(user=user, q=q)[:limit])
    employers = list(search_employers(user=user, q=q)[:limit])
    unmasked = may_see_nik(user)
    if persons:
        record_person_list_view(user=user, persons=persons, context={"search": q})
    return SearchResult(persons=persons, employers=employers, nik_unmasked=unmasked)


def record_person_list_view(
    *, user: User, context: dict[str, Any], persons: list[Person] | None = None
) -> None:
    """One audit VIEW event for a list of persons shown to ``user`` (``persons`` when known; a paginated
    list records its query instead). Names and birth dates are personal data whether or not the NIK is
    masked; ``nik_unmasked`` says which the user saw."""
    changes: dict[str, Any] = {**context, "nik_unmasked": may_see_nik(user)}
    if persons is not None:
        changes["persons"] = [p.pk for p in persons]
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        object_type=Person._meta.label,
        object_repr=f"{len(persons)} orang" if persons is not None else "daftar orang",
        changes=changes,
    )


@dataclass
class PersonDetail:
    person: Person
    participant: Participant
    nik: str
    nik_unmasked: bool
    memberships: list[Membership]
    dependants: list[Dependant]
    employers: list[Employer] = field(default_factory=list)

    @property
    def wage_history(self) -> list[ReportedWage]:
        rows = [w for m in self.memberships for w in m.wages.all()]
        return sorted(rows, key=lambda w: (w.effective_month, w.membership_id), reverse=True)


def _participant(user: User, kpj: str) -> Participant:
    participant = (
        scope_queryset(user, Participant.objects.filter(kpj_number=kpj))
        .select_related("person", "person__address_regency", "registering_office")
        .first()
    )
    if participant is None:
        raise NotFound(_("Peserta dengan nomor KPJ ini tidak ditemukan."), field="kpj")
    return participant


def person_detail(*, user: User, kpj: str) -> PersonDetail:
    """A participant's page: memberships timeline (newest first) with employer, project and wages,
    employers, dependants. NotFound outside the user's scope. Every read is audited (VIEW)."""
    participant = _participant(user, kpj)
    memberships = list(
        scope_queryset(user, Membership.objects.filter(participant=participant))
        .select_related("employer", "project", "office")
        .prefetch_related(
            Prefetch("wages", queryset=ReportedWage.objects.order_by("-effective_month"))
        )
        .order_by("-start_date", "-pk")
    )
    dependants = list(participant.dependants.all().order_by("birth_date", "pk"))
    employers: dict[int, Employer] = {}
    for m in memberships:
        if m.employer is not None:
            employers.setdefault(m.employer.pk, m.employer)
    person = participant.person
    unmasked = may_see_nik(user)
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        obj=person,
        changes={"kpj": participant.kpj_number, "nik_unmasked": unmasked},
    )
    return PersonDetail(
        person=person,
        participant=participant,
        nik=person.nik if unmasked else mask_nik(person.nik),
        nik_unmasked=unmasked,
        memberships=memberships,
        dependants=dependants,
        employers=list(employers.values()),
    )


def _latest_wage() -> Subquery:
    return Subquery(
        ReportedWage.objects.filter(membership=OuterRef("pk"))
        .order_by("-effective_month")
        .values("amount")[:1]
    )


def employer_workers(
    *, user: User, employer: Employer, active_only: bool = True
) -> QuerySet[Membership]:
    """The employer's memberships (scoped), with person and the latest wage as ``latest_wage``."""
    qs = scope_queryset(user, Membership.objects.filter(employer=employer))
    if active_only:
        qs = qs.filter(end_date__isnull=True)
    return (
        qs.select_related("participant", "participant__person", "project", "employer", "office")
        .annotate(latest_wage=_latest_wage())
        .order_by("participant__person__name", "pk")
    )


@dataclass
class EmployerDetail:
    employer: Employer
    workers: QuerySet[Membership]
    active_workers: int
    wage_bill: int
    projects: list[ConstructionProject]
    nik_unmasked: bool


def employer_detail(*, user: User, npp: str) -> EmployerDetail:
    """An employer's page: workers (lazy, scoped), wage bill = Σ latest wages of active PU memberships,
    projects. NotFound outside the user's scope. Audited (VIEW) since the workers are personal data."""
    employer = employer_in_scope(user=user, npp=npp)
    workers = employer_workers(user=user, employer=employer)
    totals = (
        scope_queryset(user, Membership.objects.filter(employer=employer, end_date__isnull=True))
        .filter(segment=Membership.Segment.PU)
        .annotate(latest_wage=_latest_wage())
        .aggregate(bill=Sum("latest_wage"))
    )
    active = workers.count()
    projects = list(
        scope_queryset(
            user, ConstructionProject.objects.filter(contractor=employer)
        ).select_related("regency", "office")
    )
    unmasked = may_see_nik(user)
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=user,
        obj=employer,
        changes={"npp": employer.npp, "workers": active, "nik_unmasked": unmasked},
    )
    return EmployerDetail(
        employer=employer,
        workers=workers,
        active_workers=active,
        wage_bill=int(totals["bill"] or 0),
        projects=projects,
        nik_unmasked=unmasked,
    )


def participant_in_scope(*, user: User, kpj: str) -> Participant:
    """The participant with KPJ ``kpj`` (with person) if ``user`` may see it, else NotFound. Not audited:
    the page that shows the person records the read (``record_person_list_view``)."""
    return _participant(user, kpj)


def membership_of_participant(*, user: User, kpj: str, membership_id: int) -> Membership:
    """Membership ``membership_id`` of the participant with KPJ ``kpj``, in the user's scope, with its
    participant, person, employer, project and office; NotFound otherwise (also for a membership of
    another participant)."""
    if not 0 < membership_id < 2**63:
        raise NotFound(_("Kepesertaan tidak ditemukan."), field="membership_id")
    m = (
        scope_queryset(
            user, Membership.objects.filter(pk=membership_id, participant__kpj_number=kpj)
        )
        .select_related("participant", "participant__person", "employer", "project", "office")
        .first()
    )
    if m is None:
        raise NotFound(_("Kepesertaan tidak ditemukan."), field="membership_id")
    return m


def membership_in_scope(*, user: User, membership_id: int) -> Membership:
    if not 0 < membership_id < 2**63:
        raise NotFound(_("Kepesertaan tidak ditemukan."), field="membership_id")
    m = (
        scope_queryset(user, Membership.objects.filter(pk=membership_id))
        .select_related("participant", "participant__person", "employer")
        .first()
    )
    if m is None:
        raise NotFound(_("Kepesertaan tidak ditemukan."), field="membership_id")
    return m


def employer_in_scope(*, user: User, npp: str) -> Employer:
    employer = employers_in_scope(user).filter(npp=npp).first()
    if employer is None:
        raise NotFound(_("Pemberi kerja dengan NPP ini tidak ditemukan."), field="npp")
    return employer


def project_in_scope(*, user: User, project_id: int) -> ConstructionProject:
    project = (
        scope_queryset(user, ConstructionProject.objects.filter(pk=project_id))
        .select_related("contractor", "office")
        .first()
    )
    if project is None:
        raise NotFound(_("Proyek tidak ditemukan."), field="project_id")
    return project
