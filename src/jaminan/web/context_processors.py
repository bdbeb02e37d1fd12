"""Navigation by role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaminan.accounts.roles import STAFF_ROLES, Role
from jaminan.accounts.scoping import role_of
from jaminan.contributions import views_billing, views_payments
from jaminan.contributions.sponsors import DONOR_KINDS, own_sponsor
from jaminan.geo.zones import zone_label


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    name: str
    children: tuple[NavItem, ...] = field(default_factory=tuple)


def _item(label: Any, url_name: str) -> NavItem:
    return NavItem(label, reverse(url_name), url_name.rpartition(":")[2])


def _contributions(role: Role, *, donor: bool = False) -> NavItem:
    """Links only to the pages the role may open (the roles of each view)."""
    children = []
    if role in views_billing.BILL_ROLES:
        children.append(_item(_("Tagihan"), "contributions:bills"))
    if role in STAFF_ROLES and role in views_payments.READ_ROLES:
        children.append(_item(_("Pembayaran"), "contributions:payments"))
    if role in views_billing.STAFF:
        children += [
            _item(_("Tunggakan"), "contributions:arrears"),
            _item(_("Proses penagihan"), "contributions:runs"),
        ]
    if role in STAFF_ROLES or role == Role.SPONSOR_USER:
        children.append(_item(_("Penyandang dana"), "contributions:sponsors"))
    if role in (Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER) or donor:
        children.append(_item(_("Lindungi Pekerja Sekitar Anda"), "contributions:donate"))
    if role in (Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER):
        children.append(_item(_("Kalkulator anggaran"), "contributions:sponsor-budget"))
    return NavItem(_("Iuran"), "#", "iuran", tuple(children))


def _benefits(role: Role) -> NavItem:
    children = [_item(_("Klaim"), "claims:worklist")]
    if role in STAFF_ROLES or role == Role.PARTICIPANT:
        children.append(_item(_("Saldo JHT"), "jht:index"))
    if role in STAFF_ROLES:
        children.append(_item(_("Pensiun JP"), "pensions:list"))
    return NavItem(_("Manfaat"), "#", "manfaat", tuple(children))


def _coverage() -> NavItem:
    return NavItem(
        _("Cakupan"),
        "#",
        "cakupan",
        (
            _item(_("Dasbor cakupan"), "coverage:dashboard"),
            _item(_("Peta"), "coverage:map"),
            _item(_("Rekonsiliasi angka publikasi"), "coverage:reconciliation"),
            _item(_("Kepatuhan"), "coverage:compliance"),
            _item(_("Perencana perluasan"), "coverage:planner"),
        ),
    )


def _is_donor(user: Any) -> bool:
    """A sponsor user who is a person (the donor form is theirs too)."""
    sponsor = own_sponsor(user)
    return sponsor is not None and sponsor.kind in DONOR_KINDS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = role_of(user)
    items: list[NavItem] = []
    if role is not None:
        items.append(NavItem(_("Dasbor"), reverse("home"), "home"))
        if role in STAFF_ROLES or role == Role.EMPLOYER_USER:
            items.append(NavItem(_("Kepesertaan"), reverse("registry:search"), "search"))
        items.append(_contributions(role, donor=role == Role.SPONSOR_USER and _is_donor(user)))
        if role != Role.SPONSOR_USER:
            items.append(_benefits(role))
        if role in STAFF_ROLES:
            items.append(_coverage())
        items.append(NavItem(_("Aturan & kalkulator"), reverse("rules"), "rules"))
        if role in STAFF_ROLES:
            items.append(NavItem(_("Dokumentasi API"), "/api/v1/docs", "api"))
        if role == Role.SYSTEM_ADMIN:
            items.append(NavItem(_("Administrasi"), reverse("admin:index"), "admin"))
    return {"nav_items": items, "user_role": role, "user_role_label": role.label if role else ""}


def time_zone(request: HttpRequest) -> dict[str, Any]:
    """The label of the zone times are shown in (WIB / WITA), for the footer and time cells."""
    return {"time_zone_label": zone_label()}
