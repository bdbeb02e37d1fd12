"""Coverage domain errors: a stable snake_case code, the field, and an Indonesian message."""

from __future__ import annotations


class CoverageError(Exception):
    status = 422

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
