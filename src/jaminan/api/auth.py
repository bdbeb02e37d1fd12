"""API authentication: a signed-in session (with CSRF) or a bearer token (``jaminan token create``)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from jaminan.accounts.services import authenticate_token
from jaminan.web.middleware import user_time_zone


class BearerTokenAuth(HttpBearer):
    openapi_description = (
        "Token from `jaminan token create USER`, sent as `Authorization: Bearer jmn_…`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        # The zone middleware ran before the token was read (as an anonymous request): times in
        # messages follow this user's zone too; the middleware deactivates it after the request.
        timezone.activate(zoneinfo.ZoneInfo(user_time_zone(user)))
        return user


API_AUTH = [BearerTokenAuth(), SessionAuth()]
