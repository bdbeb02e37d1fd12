"""The one function that scopes any queryset by user: ``scope_queryset(user, queryset)``.

Each model that can be listed registers a ``ScopePolicy`` saying how its rows reach an office, an
employer, a sponsor or a participant. Views, API endpoints, exports and commands never filter by
role themselves: they call ``scope_queryset``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from jaminan.accounts.roles import Role

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ScopePolicy:
    """How rows of one model are reached from a user's scope.

    ``reference``: public reference data (areas, offices, PLKK, statistics), readable by every
    signed-in user. ``personal``: the rows hold personal data (a regional analyst sees none).
    The ``*_path`` fields are ORM lookups (one, or several OR-ed) from the model to the Office
    serving the row (``""``: the row is the Office), the employer's NPP, the sponsor's code and the
    participant's KPJ number; a role whose path is missing sees nothing. ``multi``: a path crosses
    a to-many relation, so the filter runs as a ``pk IN (subquery)`` to avoid duplicate rows.
    """

    reference: bool = False
    personal: bool = True
    office_path: str | tuple[str, ...] | None = None
    employer_path: str | tuple[str, ...] | None = None
    sponsor_path: str | tuple[str, ...] | None = None
    participant_path: str | tuple[str, ...] | None = None
    multi: bool = False


_POLICIES: dict[type[models.Model], ScopePolicy] = {}


def register(model: type[models.Model], policy: ScopePolicy) -> None:
    _POLICIES[model] = policy


def policy_for(model: type[models.Model]) -> ScopePolicy:
    try:
        return _POLICIES[model]
    except KeyError as exc:
        raise LookupError(f"No scope policy registered for {model._meta.label}") from exc


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> Role | None:
    if user is None or not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.SYSTEM_ADMIN
    scope = getattr(user, "scope", None)
    try:
        return Role(scope.role) if scope is not None else None
    except ValueError:
        return None


def _filter(
    queryset: models.QuerySet[M], policy: ScopePolicy, paths: str | tuple[str, ...], value: Any
) -> models.QuerySet[M]:
    condition = models.Q()
    for path in (paths,) if isinstance(paths, str) else paths:
        condition |= models.Q(**{path: value}) if path else models.Q(pk=value)
    if policy.multi:
        return queryset.filter(
            pk__in=queryset.model._default_manager.filter(condition).values("pk")
        )
    return queryset.filter(condition)


def scope_queryset(
    user: AbstractBaseUser | AnonymousUser | None, queryset: models.QuerySet[M]
) -> models.QuerySet[M]:
    """Limit ``queryset`` to the rows ``user`` may see. Unknown users and roles see nothing."""
    policy = policy_for(queryset.model)
    role = role_of(user)
    if role is None:
        return queryset.none()
    if role == Role.SYSTEM_ADMIN or policy.reference:
        return queryset
    if role == Role.REGIONAL_ANALYST:
        return queryset if not policy.personal else queryset.none()
    scope = getattr(user, "scope", None)
    if scope is None:
        return queryset.none()
    if role in (Role.BRANCH_OFFICER, Role.CLAIMS_APPROVER):
        if policy.office_path is None:
            return queryset.none()
        if scope.office_id is None:
            # A claims approver without an office works for the whole region.
            return queryset if role == Role.CLAIMS_APPROVER else queryset.none()
        if scope.office.kind == "regional":
            return queryset
        return _filter(queryset, policy, policy.office_path, scope.office_id)
    path_and_value = {
        Role.EMPLOYER_USER: (policy.employer_path, scope.employer_npp),
        Role.SPONSOR_USER: (policy.sponsor_path, scope.sponsor_code),
        Role.PARTICIPANT: (policy.participant_path, scope.participant_kpj),
    }.get(role)
    if path_and_value is None or path_and_value[0] is None or not path_and_value[1]:
        return queryset.none()
    return _filter(queryset, policy, path_and_value[0], path_and_value[1])
