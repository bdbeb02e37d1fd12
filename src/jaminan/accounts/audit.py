"""The audit service: every write and every read or export of personal data calls ``record``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from jaminan.accounts.context import client_ip, current_request
from jaminan.accounts.models import AuditEvent

SYSTEM_ACTOR = "system"


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def record(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event. The actor, IP and path default to the current request's."""
    request = current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    user = actor if actor is not None and actor.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    label = actor_label or (user.get_username() if user is not None else SYSTEM_ACTOR)
    return AuditEvent.objects.create(
        actor=cast(Any, user),
        actor_label=label[:150],
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        changes=_json_safe(dict(changes or {})),
        ip_address=client_ip(request) if request is not None else None,
        request_path=(request.path[:300] if request is not None else ""),
    )


def model_changes(before: models.Model | None, after: models.Model) -> dict[str, Any]:
    """Field-by-field differences between two states of a model instance (before None: creation)."""
    changes: dict[str, Any] = {}
    for field in after._meta.concrete_fields:
        name = field.attname
        new = getattr(after, name)
        old = getattr(before, name) if before is not None else None
        if before is None or old != new:
            changes[name] = (
                [_json_safe(old), _json_safe(new)] if before is not None else _json_safe(new)
            )
    return changes
