"""Domain errors of claims: a stable ``code``, the ``field`` at fault and a message in the user's
language. The API maps ``status``: 404 not found, 409 conflict (wrong state, already paid), 403 role
or four-eyes, 422 everything else."""

from __future__ import annotations

from django.utils.translation import gettext as _


class ClaimError(Exception):
    code = "claim_error"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidValue(ClaimError):
    code = "invalid"


class NotFound(ClaimError):
    status = 404
    code = "not_found"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(_("Klaim tidak ditemukan.") if message is None else message, field=field)


class InvalidTransition(ClaimError):
    status = 409
    code = "invalid_transition"


class ClaimAlreadyPaid(ClaimError):
    status = 409
    code = "already_paid"


class DuplicateClaim(ClaimError):
    status = 409
    code = "duplicate_claim"


class NotAllowed(ClaimError):
    status = 403
    code = "forbidden"


class FourEyes(NotAllowed):
    code = "four_eyes"


class HeirOrder(ClaimError):
    code = "heir_order"


class EmployerArrears(ClaimError):
    status = 409
    code = "employer_arrears_unsettled"


class ScholarshipRefused(ClaimError):
    code = "scholarship_refused"
