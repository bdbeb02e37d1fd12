"""Writes of the accounts app: users with roles and scopes, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from jaminan.accounts import audit
from jaminan.accounts.models import ApiToken, AuditEvent, UserScope
from jaminan.accounts.roles import Role
from jaminan.geo.models import Office

TOKEN_PREFIX = "jmn_"


def ensure_role_groups() -> list[Group]:
    """Create one group per role (idempotent)."""
    return [Group.objects.get_or_create(name=role.value)[0] for role in Role]


@transaction.atomic
def upsert_user(
    *,
    username: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    office: Office | None = None,
    employer_npp: str = "",
    sponsor_code: str = "",
    participant_kpj: str = "",
) -> User:
    """Create or update a user with exactly one role group and its scope record."""
    user, created = User.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_staff = role == Role.SYSTEM_ADMIN
    user.is_superuser = role == Role.SYSTEM_ADMIN
    user.set_password(password)
    user.save()
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.set([group])
    UserScope.objects.update_or_create(
        user=user,
        defaults={
            "role": role.value,
            "office": office,
            "employer_npp": employer_npp,
            "sponsor_code": sponsor_code,
            "participant_kpj": participant_kpj,
        },
    )
    audit.record(
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=user,
        changes={
            "role": role.value,
            "office": office.code if office else None,
            "employer_npp": employer_npp,
            "sponsor_code": sponsor_code,
            "participant_kpj": participant_kpj,
        },
    )
    return user


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token; returns the record and the secret, which is shown only once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(secret)
    )
    audit.record(
        action=AuditEvent.Action.TOKEN_CREATE,
        obj=token,
        actor_label=user.get_username(),
        changes={"user": user.get_username(), "name": name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def revoke_token(*, prefix: str, actor: User | None = None) -> int:
    """Revoke every active token whose prefix is ``prefix``; returns how many were revoked (audited)."""
    tokens = list(
        ApiToken.objects.select_for_update().filter(prefix=prefix, revoked_at__isnull=True)
    )
    now = timezone.now()
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(
            action=AuditEvent.Action.UPDATE,
            obj=token,
            actor=actor,
            changes={"revoked_at": now.isoformat(), "user": token.user.get_username()},
        )
    return len(tokens)


def authenticate_token(secret: str) -> User | None:
    """The active user owning ``secret``, or None. Records the token's last use."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__scope")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
