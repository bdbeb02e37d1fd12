from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaminan.accounts.models import UserScope
from jaminan.contributions.models import Bill, Sponsor, SponsorshipProgram
from jaminan.contributions.sponsors import DONOR_KINDS
from jaminan.registry.models import Membership

pytestmark = pytest.mark.django_db


def test_demo_setup_is_idempotent_and_binds_users_to_generated_records(
    reference: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("generate", "--scale", "0.0005", "--seed", "7", "--if-empty")
    call_command("demo_setup")
    call_command("demo_setup")  # re-running resets, never duplicates
    out = capsys.readouterr().out
    assert "admin-jaminan-2026" in out
    assert UserScope.objects.count() == 7
    employer = UserScope.objects.get(user__username="hrd.demo")
    participant = UserScope.objects.get(user__username="peserta.demo")
    membership = Membership.objects.get(
        employer__npp=employer.employer_npp,
        participant__kpj_number=participant.participant_kpj,
        end_date__isnull=True,
    )
    assert membership.office.code == "KC-BALIKPAPAN"
    assert UserScope.objects.get(user__username="petugas.bpn").office.code == "KC-BALIKPAPAN"
    donor = Sponsor.objects.get(
        code=UserScope.objects.get(user__username="donatur.demo").sponsor_code
    )
    # A person (an individual donor when the population has one): the donor form is theirs too.
    assert donor.kind in DONOR_KINDS and donor.office.code == "KC-BALIKPAPAN"
    assert donor.programs.filter(beneficiaries__isnull=False).exists()


def test_demo_activity_ends_lapsed_programs_and_gives_the_donor_login_bills(
    reference: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """After demo-activity no program runs past its last month (the population's CSR and Bapak
    Asuh programs end in June 2026), and the donor login is a person of KC Balikpapan whose program
    covers this month, with bills and their PDF (a demo donor when the population has none)."""
    call_command("generate", "--scale", "0.0005", "--seed", "7", "--if-empty")
    this_month = timezone.localdate().replace(day=1)
    lapsed = SponsorshipProgram.objects.filter(status="active", end_month__lt=this_month)
    assert lapsed.exists()  # the generator's programs end in June or December 2026
    call_command("demo_activity", "--months", "2")
    call_command("demo_activity", "--months", "2")  # idempotent
    assert not lapsed.exists()
    assert SponsorshipProgram.objects.filter(status="ended").exists()
    assert SponsorshipProgram.objects.filter(sponsor__code="DON-DEMO-BPN").count() <= 1
    call_command("demo_setup")
    capsys.readouterr()
    scope = UserScope.objects.select_related("user").get(user__username="donatur.demo")
    donor = Sponsor.objects.get(code=scope.sponsor_code)
    assert donor.kind in DONOR_KINDS and donor.office.code == "KC-BALIKPAPAN"
    assert donor.programs.filter(
        status="active",
        start_month__lte=this_month,
        end_month__gte=this_month,
        beneficiaries__isnull=False,
    ).exists()
    bill = Bill.objects.filter(payer__sponsor=donor, month=this_month).order_by("pk").first()
    assert bill is not None
    client = Client()
    client.force_login(scope.user)
    assert (
        f"/iuran/tagihan/{bill.pk}/" in client.get(reverse("contributions:bills")).content.decode()
    )
    pdf = client.get(reverse("contributions:bill_pdf", args=[bill.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
