"""Reads of the accounts app."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import scope_queryset


def audit_events_in_scope(
    *, user: AbstractBaseUser | AnonymousUser, action: str | None = None
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    return scope_queryset(user, qs)
