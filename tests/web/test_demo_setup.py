from __future__ import annotations

import pytest
from django.core.management import call_command

from jaminan.accounts.models import UserScope
from jaminan.contributions.models import Sponsor
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
