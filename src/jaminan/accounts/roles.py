"""The roles of jaminan. Each role is a Django group of the same code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Administrator sistem")
    REGIONAL_ANALYST = "regional_analyst", _("Analis kantor wilayah")
    BRANCH_OFFICER = "branch_officer", _("Petugas kantor cabang")
    CLAIMS_APPROVER = "claims_approver", _("Pejabat penyetuju klaim")
    EMPLOYER_USER = "employer_user", _("Pengguna pemberi kerja")
    SPONSOR_USER = "sponsor_user", _("Pengguna penyandang dana")
    PARTICIPANT = "participant", _("Peserta")


# Roles that may see personal data at all (each still limited by its scope).
PERSONAL_DATA_ROLES = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.BRANCH_OFFICER,
        Role.CLAIMS_APPROVER,
        Role.EMPLOYER_USER,
        Role.SPONSOR_USER,
        Role.PARTICIPANT,
    }
)
# Roles that may see a full NIK unmasked (others see 6471********0003).
UNMASKED_NIK_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER, Role.CLAIMS_APPROVER})
# Back-office roles (staff screens).
STAFF_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.REGIONAL_ANALYST, Role.BRANCH_OFFICER, Role.CLAIMS_APPROVER}
)
