"""The HTTP API under /api/v1 (OpenAPI docs at /api/v1/docs)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

import jaminan
from jaminan.api import errors
from jaminan.api.auth import API_AUTH
from jaminan.api.calculate import router as calculate_router
from jaminan.api.health import router as health_router
from jaminan.claims.api import router as claims_router
from jaminan.contributions.api_billing import router as billing_router
from jaminan.contributions.api_payments import router as payments_router
from jaminan.contributions.api_sponsors import router as sponsors_router
from jaminan.coverage.api import router as coverage_router
from jaminan.geo.api import router as geo_router
from jaminan.jht.api import router as jht_router
from jaminan.pensions.api import router as pensions_router
from jaminan.registry.api import router as registry_router


class JaminanAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema documents the errors every operation can return."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        errors.document_common_errors(schema)
        return schema


api = JaminanAPI(
    title="jaminan API",
    version=jaminan.__version__,
    description=(
        "API jaminan (BPJS Ketenagakerjaan, Kantor Wilayah Kalimantan). Autentikasi: sesi masuk "
        "atau token `Authorization: Bearer jmn_…` dari `jaminan token create USER`. Galat berupa JSON "
        "`{code, message, field}` dengan kode yang stabil."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    auth=API_AUTH,
)
errors.install(api)
api.add_router("", health_router)
api.add_router("", geo_router)
api.add_router("", calculate_router)
api.add_router("", registry_router)
api.add_router("", billing_router)
api.add_router("", payments_router)
api.add_router("", sponsors_router)
api.add_router("", jht_router)
api.add_router("", pensions_router)
api.add_router("", coverage_router)
api.add_router("", claims_router)
