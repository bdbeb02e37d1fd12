"""API authentication: a signed-in session (with CSRF) or a bearer token (``jaminan token create``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from jaminan.accounts.services import authenticate_token


class BearerTokenAuth(HttpBearer):
    openapi_description = (
        "Token from `jaminan token create USER`, sent as `Authorization: Bearer jmn_…`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        return user


API_AUTH = [BearerTokenAuth(), SessionAuth()]
