"""POST /api/v1/calculate/{name}: the rules engine's calculations by name (shared/spec/calculations.md)."""

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from jaminan import rules
from jaminan.api.errors import ApiError, ErrorOut

router = Router(tags=["rules"])


def _request_examples() -> dict[str, Any]:
    return {
        info.name: {"summary": f"{info.name}: {info.summary_en}", "value": info.example}
        for info in rules.catalogue()
    }


def facts_of(body: dict[str, Any]) -> dict[str, Any]:
    """The facts are the body itself, or the object under a single ``facts`` key."""
    if set(body) == {"facts"} and isinstance(body["facts"], dict):
        return body["facts"]
    return body


@router.post(
    "/calculate/{name}",
    auth=None,
    response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut},
    summary="Hitung satu perhitungan aturan (calculate one rule by name)",
    description=(
        "Fakta masuk sebagai objek JSON (atau di bawah kunci `facts`); keluaran dan `trace` (parameter, "
        "nilai, tanggal berlaku, dasar hukum) keluar. 422 menyebut fakta yang salah (`field`); 404 untuk "
        "nama yang tidak dikenal. Names: "
        + ", ".join(f"`{info.name}`" for info in rules.catalogue())
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "additionalProperties": True},
                    "examples": _request_examples(),
                }
            },
        }
    },
)
def calculate(request: HttpRequest, name: str, body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
    try:
        return rules.calculate(name, facts_of(body))
    except rules.UnknownCalculation as exc:
        raise ApiError(
            404, "unknown_calculation", f"Perhitungan tidak dikenal: {name}", "name"
        ) from exc
    except rules.RulesError as exc:
        raise ApiError(422, "invalid_fact", str(exc), exc.fact) from exc
