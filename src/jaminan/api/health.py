from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

import jaminan

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str
    database: str
    database_vendor: str
    version: str


@router.get(
    "/health", auth=None, response={200: HealthOut, 503: HealthOut}, summary="Kesehatan layanan"
)
def health(request: HttpRequest) -> Status:
    """Reports whether the database is reachable (no authentication)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        ok = True
    except Exception:
        ok = False
    out = HealthOut(
        status="ok" if ok else "unavailable",
        database="ok" if ok else "unreachable",
        database_vendor=connection.vendor,
        version=jaminan.__version__,
    )
    return Status(200 if ok else 503, out)
