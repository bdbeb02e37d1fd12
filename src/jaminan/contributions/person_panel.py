"""The arrears panel of the person page (registered into ``registry.panels`` by the app config).

Per active PU/BPU membership the user already sees on the page: months in arrears today (the
institution's day), "more than three consecutive months" highlighted with what it implies for
claims (PP 44/2015 Pasal 38, 41 for PU; Pasal 39(2), 42(2) for BPU), and a link to the payer's page
when the user may open it. Two queries whatever the number of memberships; no audit event of its
own (the person page records the VIEW)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.contributions import selectors
from jaminan.contributions.models import PayerAccount
from jaminan.contributions.views_payments import READ_ROLES as PAYER_PAGE_ROLES
from jaminan.geo.zones import institution_today
from jaminan.registry.models import Membership
from jaminan.registry.selectors import PersonDetail

SEGMENTS = ("PU", "BPU")


@dataclass(frozen=True)
class ArrearsRow:
    membership: Membership
    arrears: selectors.MembershipArrears
    payer_url_va: str  # the payer's virtual account when the user may open its page, else ""


def arrears_panel(request: HttpRequest, detail: PersonDetail) -> SafeString | None:
    memberships = [m for m in detail.memberships if m.is_active and m.segment in SEGMENTS]
    if not memberships:
        return None
    as_of = institution_today()
    found = selectors.arrears_of_memberships([m.pk for m in memberships], as_of=as_of)
    payer_ids = {a.payer_id for a in found.values() if a.payer_id is not None}
    visible: set[int] = set()
    if payer_ids and role_of(request.user) in PAYER_PAGE_ROLES:
        visible = set(
            scope_queryset(request.user, PayerAccount.objects.filter(pk__in=payer_ids)).values_list(
                "pk", flat=True
            )
        )
    rows = [
        ArrearsRow(
            m,
            found[m.pk],
            found[m.pk].virtual_account if found[m.pk].payer_id in visible else "",
        )
        for m in memberships
    ]
    return render_to_string(
        "contributions/registry/person_arrears.html",
        {"rows": rows, "as_of": as_of, "over": selectors.ARREARS_CONSEQUENCE_MONTHS},
        request=request,
    )
