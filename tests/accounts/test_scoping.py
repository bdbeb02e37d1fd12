from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User

from jaminan.accounts import scoping
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import ScopePolicy, scope_queryset
from jaminan.geo.models import Office, Regency

pytestmark = pytest.mark.django_db


@pytest.fixture
def regency_office_scoped() -> Iterator[None]:
    """Treat regencies as office-scoped personal rows, as registry records will be."""
    original = scoping.policy_for(Regency)
    scoping.register(Regency, ScopePolicy(personal=True, office_path="branch_office"))
    yield
    scoping.register(Regency, original)


def test_reference_data_visible_to_every_role(make_user: Callable[..., Any]) -> None:
    for role in Role:
        user = make_user(role, f"u-{role.value}")
        assert scope_queryset(user, Regency.objects.all()).count() == 56, role


def test_anonymous_and_roleless_users_see_nothing(reference: None) -> None:
    assert scope_queryset(AnonymousUser(), Regency.objects.all()).count() == 0
    plain = User.objects.create_user("tanpa-peran", password="x-long-password-1")
    assert scope_queryset(plain, Regency.objects.all()).count() == 0


def test_branch_officer_sees_only_own_jurisdiction(
    make_user: Callable[..., Any], regency_office_scoped: None
) -> None:
    balikpapan = make_user(
        Role.BRANCH_OFFICER, "petugas-bpn", office=Office.objects.get(code="KC-BALIKPAPAN")
    )
    visible = set(scope_queryset(balikpapan, Regency.objects.all()).values_list("code", flat=True))
    assert visible == {"64.71", "64.09", "64.01"}  # Balikpapan, Penajam Paser Utara, Paser
    tarakan = make_user(
        Role.BRANCH_OFFICER, "petugas-trk", office=Office.objects.get(code="KC-TARAKAN")
    )
    assert set(scope_queryset(tarakan, Regency.objects.all()).values_list("code", flat=True)) == {
        "65.71",
        "65.02",
    }


def test_regional_office_staff_and_admin_see_all(
    make_user: Callable[..., Any], regency_office_scoped: None
) -> None:
    regional = make_user(
        Role.BRANCH_OFFICER, "petugas-kw", office=Office.objects.get(code="KW-KALIMANTAN")
    )
    assert scope_queryset(regional, Regency.objects.all()).count() == 56
    assert scope_queryset(make_user(Role.SYSTEM_ADMIN), Regency.objects.all()).count() == 56


def test_regional_analyst_sees_no_personal_rows(
    make_user: Callable[..., Any], regency_office_scoped: None
) -> None:
    analyst = make_user(Role.REGIONAL_ANALYST)
    assert scope_queryset(analyst, Regency.objects.all()).count() == 0
    assert scope_queryset(analyst, AuditEvent.objects.all()).count() == 0


def test_roles_without_a_path_see_nothing(
    make_user: Callable[..., Any], regency_office_scoped: None
) -> None:
    for role in (Role.EMPLOYER_USER, Role.SPONSOR_USER, Role.PARTICIPANT):
        assert scope_queryset(make_user(role), Regency.objects.all()).count() == 0, role


def test_employer_sponsor_participant_paths(make_user: Callable[..., Any]) -> None:
    original = scoping.policy_for(AuditEvent)
    # object_id stands in for an NPP / sponsor code / KPJ number here.
    scoping.register(
        AuditEvent,
        ScopePolicy(
            employer_path="object_id", sponsor_path="object_id", participant_path="object_id"
        ),
    )
    try:
        employer = make_user(Role.EMPLOYER_USER, employer_npp="NPP-A")
        sponsor = make_user(Role.SPONSOR_USER, sponsor_code="SP-A")
        participant = make_user(Role.PARTICIPANT, participant_kpj="11111111111")
        for key in ("NPP-A", "NPP-B", "SP-A", "11111111111"):
            AuditEvent.objects.create(actor_label="t", action="view", object_id=key)
        qs = AuditEvent.objects.filter(action="view")
        assert list(scope_queryset(employer, qs).values_list("object_id", flat=True)) == ["NPP-A"]
        assert list(scope_queryset(sponsor, qs).values_list("object_id", flat=True)) == ["SP-A"]
        assert list(scope_queryset(participant, qs).values_list("object_id", flat=True)) == [
            "11111111111"
        ]
    finally:
        scoping.register(AuditEvent, original)


def test_unregistered_model_is_an_error(admin_user: Any) -> None:
    with pytest.raises(LookupError, match="No scope policy"):
        scope_queryset(admin_user, User.objects.all())


def test_audit_events_scoped_by_actor_office(make_user: Callable[..., Any]) -> None:
    bpn = make_user(Role.BRANCH_OFFICER, "bpn", office=Office.objects.get(code="KC-BALIKPAPAN"))
    smd = make_user(Role.BRANCH_OFFICER, "smd", office=Office.objects.get(code="KC-SAMARINDA"))
    AuditEvent.objects.create(actor=bpn, actor_label="bpn", action="view")
    AuditEvent.objects.create(actor=smd, actor_label="smd", action="view")
    seen = scope_queryset(bpn, AuditEvent.objects.filter(action="view"))
    assert list(seen.values_list("actor_label", flat=True)) == ["bpn"]
