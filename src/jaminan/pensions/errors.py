"""Domain errors of pensions: a stable ``code``, the ``field`` at fault and a message in the user's
language. The API maps ``status``: 404 not found, 409 conflict, 422 everything else."""

from __future__ import annotations

from django.utils.translation import gettext as _


class PensionError(Exception):
    code = "pension_error"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotEligible(PensionError):
    code = "jp_not_eligible"


class InvalidValue(PensionError):
    code = "invalid"


class Conflict(PensionError):
    status = 409
    code = "conflict"


class NotFound(PensionError):
    status = 404
    code = "not_found"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(_("Data tidak ditemukan.") if message is None else message, field=field)
