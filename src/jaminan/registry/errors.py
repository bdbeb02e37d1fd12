"""Domain errors of the registry: a stable ``code``, the ``field`` at fault and a message in the user's
language (Indonesian unless the user chose English; translated with gettext when raised).

The API maps them once (``jaminan.registry.api``): ``NotFound`` -> 404, ``Conflict`` subclasses -> 409,
everything else -> 422.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class RegistryError(Exception):
    code = "registry_error"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidNIK(RegistryError):
    code = "nik_invalid"


class NikMismatch(RegistryError):
    """Birth date or sex differ from what the NIK encodes (overridable by an officer with a reason)."""

    code = "nik_mismatch"


class Conflict(RegistryError):
    status = 409
    code = "conflict"


class DuplicateNIK(Conflict):
    code = "nik_duplicate"


class AlreadyActiveMember(Conflict):
    code = "already_member"


class MembershipEnded(Conflict):
    code = "membership_ended"


class ProgramRuleViolation(RegistryError):
    code = "program_rule"


class InvalidValue(RegistryError):
    code = "invalid"


class OverrideNotAllowed(RegistryError):
    status = 403
    code = "override_not_allowed"


class NotFound(RegistryError):
    status = 404
    code = "not_found"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(_("Data tidak ditemukan.") if message is None else message, field=field)
