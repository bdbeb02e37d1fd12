"""Navigation by role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaminan.accounts.roles import STAFF_ROLES, Role
from jaminan.accounts.scoping import role_of


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    name: str


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = role_of(user)
    items: list[NavItem] = []
    if role is not None:
        items.append(NavItem(_("Dasbor"), reverse("home"), "home"))
        items.append(NavItem(_("Aturan & kalkulator"), reverse("rules"), "rules"))
        if role in STAFF_ROLES or role == Role.EMPLOYER_USER:
            items.append(NavItem(_("Kepesertaan"), reverse("registry:search"), "search"))
        if role in STAFF_ROLES:
            items.append(NavItem(_("Dokumentasi API"), "/api/v1/docs", "api"))
        if role == Role.SYSTEM_ADMIN:
            items.append(NavItem(_("Administrasi"), reverse("admin:index"), "admin"))
    return {"nav_items": items, "user_role": role, "user_role_label": role.label if role else ""}
