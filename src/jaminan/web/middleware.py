from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

# Everything is served from this origin (vendored libraries, no CDN). Inline styles are allowed for
# the Django admin; scripts only from files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class LanguageMiddleware:
    """Bahasa Indonesia unless the user chose another language with the switch (language cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: an officer whose
    browser happens to be set to English still sees the Indonesian screens until they switch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """Refuses a NUL character anywhere in the path or the query string.

    PostgreSQL cannot store or compare text containing NUL and would answer with an error; such input
    is never legitimate, so it is refused before any view runs: a JSON 422 naming the parameter under
    /api/, a plain 400 elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = "path" if "\x00" in request.path else None
        if field is None:
            field = next(
                (
                    key
                    for key, values in request.GET.lists()
                    if "\x00" in key or any("\x00" in v for v in values)
                ),
                None,
            )
        if field is None:
            return self.get_response(request)
        message = translation.gettext("Masukan mengandung karakter NUL yang tidak diizinkan.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "invalid", "message": message, "field": field.replace("\x00", "")},
                status=422,
            )
        return HttpResponseBadRequest(message)


def user_time_zone(user: Any) -> str:
    """The zone the user sees times in: their office's for office-bound users, else their employer's,
    sponsor's or participant's (regency, or office when the regency is unknown); the institution's
    (settings.TIME_ZONE, WITA) for regional staff without an office and for anonymous users.

    One query per request: the user's scope row with the bound payer's zone as subqueries, read
    fresh on every request (a changed binding takes effect at once). The row is the one the request
    would load anyway (``user.scope``, with its office): it is left cached on the user, so the
    zone costs no extra query."""
    if user is None or not user.is_authenticated:
        return settings.TIME_ZONE
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from jaminan.accounts.models import UserScope
    from jaminan.contributions.models import Sponsor
    from jaminan.registry.models import Employer, Participant

    def payer_zone(regency: str, office: str) -> Coalesce:
        return Coalesce(f"{regency}__time_zone", f"{office}__seat_regency__time_zone")

    scope = (
        UserScope.objects.filter(user_id=user.pk)
        .select_related("office__seat_regency")
        .annotate(
            employer_zone=Subquery(
                Employer.objects.filter(npp=OuterRef("employer_npp"))
                .annotate(zone=payer_zone("regency", "office"))
                .values("zone")[:1]
            ),
            sponsor_zone=Subquery(
                Sponsor.objects.filter(code=OuterRef("sponsor_code"))
                .annotate(zone=payer_zone("regency", "office"))
                .values("zone")[:1]
            ),
            participant_zone=Subquery(
                Participant.objects.filter(kpj_number=OuterRef("participant_kpj"))
                .annotate(zone=payer_zone("person__address_regency", "registering_office"))
                .values("zone")[:1]
            ),
        )
        .first()
    )
    UserScope.user.field.remote_field.set_cached_value(user, scope)
    if scope is None:
        return settings.TIME_ZONE
    if scope.office is not None:
        return str(scope.office.seat_regency.time_zone)
    zone = scope.employer_zone or scope.sponsor_zone or scope.participant_zone
    return str(zone or settings.TIME_ZONE)


class UserTimeZoneMiddleware:
    """Shows times in the user's own zone (WIB or WITA) for the request, then deactivates it.

    Only display follows the user: business dates stay the institution's (jaminan.geo.zones)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/static/"):
            return self.get_response(request)
        timezone.activate(zoneinfo.ZoneInfo(user_time_zone(getattr(request, "user", None))))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class MethodNotAllowedPageMiddleware:
    """Answers a 405 (``require_POST``/``require_http_methods``) with a page in the project's look
    and language instead of Django's empty body, keeping the status and the ``Allow`` header.

    API answers (/api/) are left alone: they keep their JSON error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/"):
            return response
        if getattr(response, "streaming", False) or (
            "html" in response.get("Content-Type", "") and response.content.strip()
        ):
            return response  # already a page of its own
        from django.shortcuts import render

        allow = response.get("Allow", "")
        page = render(
            request,
            "web/errors/405.html",
            {"method": request.method, "allowed": allow or "–"},
            status=405,
        )
        if allow:
            page["Allow"] = allow
        return page
