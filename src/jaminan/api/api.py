"""The HTTP API under /api/v1 (OpenAPI docs at /api/v1/docs)."""

from __future__ import annotations

from ninja import NinjaAPI

import jaminan
from jaminan.api import errors
from jaminan.api.auth import API_AUTH
from jaminan.api.health import router as health_router
from jaminan.geo.api import router as geo_router

api = NinjaAPI(
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
