"""Time zones: the institution's day and the zone each user sees times in.

Kalimantan spans WIB (Kalbar, Kalteng) and WITA (Kalsel, Kaltim, Kaltara). Times are stored in UTC
and shown in the user's zone (activated per request by ``jaminan.web.middleware.UserTimeZoneMiddleware``).
Business dates — "today" for due dates, payments, billing, arrears, claims — are the institution's:
the regional office's day under ``settings.TIME_ZONE`` (WITA), whatever zone is active for display.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

from jaminan.geo.models import TIME_ZONE_LABELS


def institution_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def institution_today() -> dt.date:
    """Today's date for business rules: the regional office's (WITA) day, never the user's."""
    return timezone.localdate(timezone=institution_zone())


def institution_date(value: dt.datetime) -> dt.date:
    """The institution's (WITA) date of an aware datetime (e.g. the day a bill was issued)."""
    return timezone.localdate(value, timezone=institution_zone())


def zone_label(name: str | None = None) -> str:
    """``WIB`` / ``WITA`` for a zone name; the active zone's when none is given."""
    name = name or timezone.get_current_timezone_name()
    return TIME_ZONE_LABELS.get(name, name)
