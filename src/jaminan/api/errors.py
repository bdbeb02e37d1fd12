"""Domain and HTTP errors mapped once to JSON ``{"code": ..., "message": ..., "field": ...}``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    detail: list[dict[str, Any]] | None = None


class ApiError(Exception):
    """An error with a stable code, raised by endpoints; ``status`` is the HTTP status."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    detail: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if detail is not None:
        body["detail"] = detail
    return api.create_response(request, body, status=status)


def field_of(loc: list[str]) -> str:
    """The input field a validation error is about, as the client names it: ``amount`` for a
    body's ``["body", "payload", "amount"]`` (the body parameter's own name is the view's, not the
    client's), ``month`` for ``["query", "month"]``."""
    parts = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:] or loc
    return ".".join(parts)


#: Pydantic's error types, said in the user's language (the English ``msg`` stays in ``detail``).
_REASONS = {
    "missing": gettext_lazy("wajib diisi"),
    "int_type": gettext_lazy("harus bilangan bulat (angka JSON tanpa tanda kutip)"),
    "int_parsing": gettext_lazy("harus bilangan bulat"),
    "int_from_float": gettext_lazy("harus bilangan bulat"),
    "bool_type": gettext_lazy("harus true atau false"),
    "bool_parsing": gettext_lazy("harus true atau false"),
    "string_type": gettext_lazy("harus teks"),
    "string_too_short": gettext_lazy("terlalu pendek"),
    "string_too_long": gettext_lazy("terlalu panjang"),
    "string_pattern_mismatch": gettext_lazy("formatnya tidak sesuai"),
    "greater_than": gettext_lazy("terlalu kecil"),
    "greater_than_equal": gettext_lazy("terlalu kecil"),
    "less_than": gettext_lazy("terlalu besar"),
    "less_than_equal": gettext_lazy("terlalu besar"),
    "literal_error": gettext_lazy("bukan pilihan yang sah"),
    "enum": gettext_lazy("bukan pilihan yang sah"),
    "date_type": gettext_lazy("harus tanggal YYYY-MM-DD"),
    "date_parsing": gettext_lazy("harus tanggal YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_lazy("harus tanggal YYYY-MM-DD"),
    "list_type": gettext_lazy("harus daftar"),
    "too_short": gettext_lazy("terlalu sedikit"),
    "too_long": gettext_lazy("terlalu banyak"),
    "json_invalid": gettext_lazy("bukan JSON yang sah"),
    "model_attributes_type": gettext_lazy("harus objek JSON"),
    "dict_type": gettext_lazy("harus objek JSON"),
}


def _reason(error_type: str) -> str:
    reason = _REASONS.get(error_type)
    return str(reason) if reason is not None else ""


def document_common_errors(schema: dict[str, Any]) -> None:
    """Add the JSON errors of ``install`` to every operation: 401 where authentication is required,
    422 where the operation takes parameters or a body."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault(401, {"description": "Unauthorized", **body})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault(422, {"description": "Invalid input", **body})
            if operation.get("requestBody"):
                responses.setdefault(400, {"description": "Body cannot be parsed", **body})


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.field)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(
            api, request, 401, "unauthenticated", _("Perlu masuk atau token API yang sah.")
        )

    @api.exception_handler(AuthorizationError)
    def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(
            api, request, 403, "forbidden", _("Anda tidak berhak atas sumber ini.")
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Data tidak ditemukan."))

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors
        ]
        first = exc.errors[0] if exc.errors else {}
        field = field_of([str(p) for p in first.get("loc", ())]) if first else None
        reason = _reason(str(first.get("type", ""))) if first else ""
        message = (
            _("Masukan tidak sah: %(field)s %(reason)s.") % {"field": field, "reason": reason}
            if reason
            else _("Masukan tidak sah: %(field)s") % {"field": field}
        )
        return error_response(api, request, 422, "invalid", message, field=field, detail=detail)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 429: "throttled"}.get(
            exc.status_code, f"http_{exc.status_code}"
        )
        return error_response(api, request, exc.status_code, code, str(exc))
