from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jaminan.accounts.context import current_request


class RequestContextMiddleware:
    """Makes the request available to the audit service for the duration of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
