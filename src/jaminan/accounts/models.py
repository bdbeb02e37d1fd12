"""Users' scopes, API tokens and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jaminan.accounts.roles import Role


class UserScope(models.Model):
    """What one user may see: a role plus the office, employer, sponsor or participant it is bound to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scope"
    )
    role = models.CharField(_("peran"), max_length=30, choices=Role.choices)
    office = models.ForeignKey(
        "geo.Office",
        verbose_name=_("kantor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user_scopes",
    )
    employer_npp = models.CharField(_("NPP pemberi kerja"), max_length=20, blank=True)
    sponsor_code = models.CharField(_("kode penyandang dana"), max_length=40, blank=True)
    participant_kpj = models.CharField(_("nomor KPJ peserta"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("cakupan pengguna")
        verbose_name_plural = _("cakupan pengguna")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="branch_officer") | models.Q(office__isnull=False),
                name="scope_branch_officer_has_office",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="employer_user") | ~models.Q(employer_npp=""),
                name="scope_employer_user_has_employer",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="sponsor_user") | ~models.Q(sponsor_code=""),
                name="scope_sponsor_user_has_sponsor",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="participant") | ~models.Q(participant_kpj=""),
                name="scope_participant_has_kpj",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 hash of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nama"), max_length=100, blank=True)
    prefix = models.CharField(_("awalan"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("AuditEvent is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("AuditEvent is append-only")


class AuditEvent(models.Model):
    """One append-only audit record: who did what to which object, from where, when.

    Rows are never updated or deleted: the model and its queryset refuse it, and on PostgreSQL
    database triggers refuse it too (migration 0002).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("buat")
        UPDATE = "update", _("ubah")
        DELETE = "delete", _("hapus")
        VIEW = "view", _("lihat data pribadi")
        EXPORT = "export", _("ekspor")
        LOGIN = "login", _("masuk")
        LOGOUT = "logout", _("keluar")
        LOGIN_FAILED = "login_failed", _("gagal masuk")
        LOAD = "load", _("muat data")
        TOKEN_CREATE = "token_create", _("buat token")

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_label = models.CharField(_("pelaku"), max_length=150)
    action = models.CharField(_("tindakan"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("id objek"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("objek"), max_length=200, blank=True)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    request_path = models.CharField(_("alamat permintaan"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("peristiwa audit")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("AuditEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("AuditEvent is append-only")
