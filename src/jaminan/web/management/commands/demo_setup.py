from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Case, Exists, OuterRef, When

from jaminan.accounts.demo import create_demo_users
from jaminan.accounts.roles import Role
from jaminan.contributions.models import Bill, Sponsor, SponsorshipProgram
from jaminan.contributions.sponsors import DONOR_KINDS
from jaminan.geo.zones import institution_today
from jaminan.registry.models import Membership


class Command(BaseCommand):
    help = (
        "Create one demo user per role (idempotent) and print their logins; the employer and participant "
        "users are bound to a PU membership served by KC Balikpapan when the registry has one, the sponsor "
        "user to a sponsor of that office with beneficiaries (a person — an individual donor or a Bapak Asuh — when there is one; "
        "one whose program covers this month and is billed first, as demo-activity leaves). "
        "For local demos only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        membership = (
            Membership.objects.filter(
                segment="PU", end_date__isnull=True, office__code="KC-BALIKPAPAN"
            )
            .select_related("employer", "participant")
            .order_by("employer__npp", "participant__kpj_number")
            .first()
        )
        month = institution_today().replace(day=1)
        sponsor = (
            Sponsor.objects.filter(
                office__code="KC-BALIKPAPAN", programs__beneficiaries__isnull=False
            )
            .annotate(
                covering=Exists(
                    SponsorshipProgram.objects.filter(
                        sponsor=OuterRef("pk"),
                        status=SponsorshipProgram.Status.ACTIVE,
                        start_month__lte=month,
                        end_month__gte=month,
                        beneficiaries__isnull=False,
                    )
                ),
                billed=Exists(Bill.objects.filter(payer__sponsor=OuterRef("pk"))),
            )
            # A person, so that the demo sponsor user has the donor form; one whose program covers
            # this month and has bills (demo-activity makes one), so that it has bills to show;
            # an individual donor first.
            .order_by(
                Case(When(kind__in=DONOR_KINDS, then=0), default=1),
                Case(When(covering=True, billed=True, then=0), default=1),
                Case(When(kind=Sponsor.Kind.INDIVIDUAL, then=0), default=1),
                "code",
            )
            .first()
        )
        users = create_demo_users(
            employer_npp=membership.employer.npp if membership and membership.employer else "",
            participant_kpj=membership.participant.kpj_number if membership else "",
            sponsor_code=sponsor.code if sponsor else "",
        )
        self.stdout.write("Demo logins (local demo only):")
        width = max(len(u.username) for u in users)
        for user in users:
            bound = {
                Role.EMPLOYER_USER: user.employer_npp,
                Role.PARTICIPANT: user.participant_kpj,
                Role.SPONSOR_USER: user.sponsor_code,
            }.get(user.role)
            suffix = f" ({bound})" if bound else ""
            self.stdout.write(
                f"  {user.username:<{width}}  {user.password:<24}  {user.role.label}{suffix}"
            )
