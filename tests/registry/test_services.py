"""Membership rules of the registry services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.accounts.models import AuditEvent
from jaminan.registry import identifiers, services
from jaminan.registry.errors import (
    AlreadyActiveMember,
    InvalidValue,
    MembershipEnded,
    ProgramRuleViolation,
)
from jaminan.registry.models import Employer, Membership, Participant, ReportedWage

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def test_register_employer_generates_npp_and_office(employer: Employer) -> None:
    assert identifiers.valid_npp(employer.npp)
    assert (
        employer.office.code == "KC-BALIKPAPAN"
        and employer.office == employer.regency.branch_office
    )
    assert AuditEvent.objects.filter(
        object_type="registry.Employer", object_id=str(employer.pk)
    ).exists()


def test_register_employer_validates(balikpapan: Any) -> None:
    with pytest.raises(InvalidValue) as exc:
        services.register_employer(
            name="X",
            legal_form="PT",
            kbli="123",
            size_class="micro",
            risk_group=1,
            regency=balikpapan,
        )
    assert exc.value.field == "kbli"
    with pytest.raises(InvalidValue) as exc:
        services.register_employer(
            name="X",
            legal_form="PT",
            kbli="12345",
            size_class="micro",
            risk_group=6,
            regency=balikpapan,
        )
    assert exc.value.field == "risk_group"


def test_pu_defaults_by_size_and_age(make_employer: Callable[..., Employer], facts: Any) -> None:
    micro, large = make_employer("micro"), make_employer("large")
    m = services.register_pu_worker(
        employer=micro,
        person=facts(),
        wage=4_000_000,
        start_date=date(2026, 2, 1),
        registered_on=TODAY,
    )
    assert m.programs == ["JKK", "JKM", "JHT", "JKP"] and not m.late_registration
    assert identifiers.valid_kpj(m.participant.kpj_number)
    m2 = services.register_pu_worker(
        employer=large,
        person=facts(),
        wage=4_000_000,
        start_date=date(2026, 2, 1),
        registered_on=TODAY,
    )
    assert m2.programs == ["JKK", "JKM", "JHT", "JP", "JKP"]
    # 55 years old: no JKP (PP 37/2021 Pasal 4(2)); 60 in 2026: past the JP age 59 -> no JP
    old = services.register_pu_worker(
        employer=large,
        person=facts(birth=date(1971, 1, 1)),
        wage=4_000_000,
        start_date=date(2026, 2, 1),
        registered_on=TODAY,
    )
    assert old.programs == ["JKK", "JKM", "JHT", "JP"]
    older = services.register_pu_worker(
        employer=large,
        person=facts(birth=date(1966, 1, 1)),
        wage=4_000_000,
        start_date=date(2026, 2, 1),
        registered_on=TODAY,
    )
    assert older.programs == ["JKK", "JKM", "JHT"]
    wage = ReportedWage.objects.get(membership=m)
    assert (wage.effective_month, wage.amount) == (date(2026, 2, 1), 4_000_000)


def test_mandatory_programs(make_employer: Callable[..., Employer], facts: Any) -> None:
    small, medium = make_employer("small"), make_employer("medium")
    with pytest.raises(ProgramRuleViolation) as exc:
        services.register_pu_worker(
            employer=small,
            person=facts(),
            wage=1,
            start_date=TODAY,
            programs=["JKK", "JKM"],
            registered_on=TODAY,
        )
    assert exc.value.field == "programs" and "JHT" in exc.value.message
    with pytest.raises(ProgramRuleViolation) as exc:
        services.register_pu_worker(
            employer=medium,
            person=facts(),
            wage=1,
            start_date=TODAY,
            programs=["JKK", "JKM", "JHT"],
            registered_on=TODAY,
        )
    assert "JP" in exc.value.message
    ok = services.register_pu_worker(
        employer=small,
        person=facts(),
        wage=1,
        start_date=TODAY,
        programs=["JKK", "JKM", "JHT"],
        registered_on=TODAY,
    )
    assert ok.programs == ["JKK", "JKM", "JHT"]


def test_jp_only_before_retirement_age(make_employer: Callable[..., Employer], facts: Any) -> None:
    small = make_employer("small")
    # JP retirement age is 59 from 2025-01-01 (PP 45/2015 Pasal 15): 59 on the start date -> refused
    with pytest.raises(ProgramRuleViolation) as exc:
        services.register_pu_worker(
            employer=small,
            person=facts(birth=date(1966, 2, 1)),
            wage=1,
            start_date=date(2025, 3, 1),
            programs=["JKK", "JKM", "JHT", "JP"],
            registered_on=date(2025, 3, 1),
        )
    assert exc.value.code == "jp_over_age" and "59" in exc.value.message
    # 58 on the start date -> allowed
    m = services.register_pu_worker(
        employer=small,
        person=facts(birth=date(1966, 3, 2)),
        wage=1,
        start_date=date(2025, 3, 1),
        programs=["JKK", "JKM", "JHT", "JP"],
        registered_on=date(2025, 3, 1),
    )
    assert "JP" in m.programs


def test_jkp_only_under_54(make_employer: Callable[..., Employer], facts: Any) -> None:
    small = make_employer("small")
    with pytest.raises(ProgramRuleViolation) as exc:
        services.register_pu_worker(
            employer=small,
            person=facts(birth=date(1972, 3, 1)),
            wage=1,
            start_date=TODAY,
            programs=["JKK", "JKM", "JHT", "JKP"],
            registered_on=TODAY,
        )
    assert exc.value.code == "jkp_over_age"
    m = services.register_pu_worker(
        employer=small,
        person=facts(birth=date(1972, 3, 3)),
        wage=1,
        start_date=TODAY,
        programs=["JKK", "JKM", "JHT", "JKP"],
        registered_on=TODAY,
    )
    assert m.has_jkp


def test_one_active_membership_per_employer_and_one_kpj_for_life(
    make_employer: Callable[..., Employer], facts: Any
) -> None:
    a, b = make_employer("small"), make_employer("small", name="CV Lain")
    f = facts()
    m1 = services.register_pu_worker(
        employer=a, person=f, wage=1, start_date=TODAY, registered_on=TODAY
    )
    with pytest.raises(AlreadyActiveMember):
        services.register_pu_worker(
            employer=a, person=f, wage=1, start_date=TODAY, registered_on=TODAY
        )
    m2 = services.register_pu_worker(
        employer=b, person=f, wage=1, start_date=TODAY, registered_on=TODAY
    )
    assert m1.participant_id == m2.participant_id and Participant.objects.count() == 1
    services.end_membership(membership=m1, end_date=date(2026, 4, 30), reason="resigned")
    with pytest.raises(MembershipEnded):
        services.end_membership(membership=m1, end_date=date(2026, 4, 30), reason="resigned")
    m3 = services.register_pu_worker(
        employer=a, person=f, wage=1, start_date=date(2026, 6, 1), registered_on=date(2026, 6, 1)
    )
    assert m3.participant_id == m1.participant_id
    assert (
        services.register_participant(person=m1.participant.person, registering_office=a.office)
        == m1.participant
    )


def test_late_registration_flag(employer: Employer, facts: Any) -> None:
    on_time = services.register_pu_worker(
        employer=employer,
        person=facts(),
        wage=1,
        start_date=date(2026, 1, 31),
        registered_on=date(2026, 3, 2),
    )
    late = services.register_pu_worker(
        employer=employer,
        person=facts(),
        wage=1,
        start_date=date(2026, 1, 30),
        registered_on=date(2026, 3, 2),
    )
    assert (on_time.late_registration, late.late_registration) == (False, True)


def test_bpu_rules(balikpapan: Any, facts: Any) -> None:
    f = facts(regency=balikpapan)
    with pytest.raises(ProgramRuleViolation):
        services.register_bpu_worker(
            person=f, declared_income=1_000_000, programs=["JKK", "JKM", "JP"]
        )
    with pytest.raises(ProgramRuleViolation):
        services.register_bpu_worker(
            person=f, declared_income=1_000_000, programs=["JKK", "JKM", "JKP"]
        )
    with pytest.raises(ProgramRuleViolation) as exc:
        services.register_bpu_worker(person=f, declared_income=999_999, start_date=date(2026, 1, 1))
    assert exc.value.field == "declared_income"
    m = services.register_bpu_worker(
        person=f,
        declared_income=1_000_000,
        programs=["JKK", "JKM", "JHT"],
        start_date=date(2026, 1, 1),
    )
    assert (
        m.segment == "BPU"
        and m.programs == ["JKK", "JKM", "JHT"]
        and m.office.code == "KC-BALIKPAPAN"
    )
    assert m.wages.get().amount == 1_000_000
    with pytest.raises(AlreadyActiveMember):
        services.register_bpu_worker(
            person=f, declared_income=1_000_000, start_date=date(2026, 1, 1)
        )
    with pytest.raises(InvalidValue) as exc2:
        services.register_bpu_worker(person=facts(), declared_income=1_000_000)
    assert exc2.value.field == "address_regency"


def test_project_and_pmi(employer: Employer, balikpapan: Any, samarinda: Any, facts: Any) -> None:
    project = services.register_project(
        contractor=employer,
        owner_type="APBD",
        name="Jalan Lingkar",
        contract_value=180_000_000,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        regency=samarinda,
    )
    assert project.office.code == "KC-SAMARINDA"
    m = services.add_project_worker(project=project, person=facts(), start_date=date(2026, 2, 1))
    assert (m.segment, m.programs, m.project_id, m.office.code) == (
        "JAKON",
        ["JKK", "JKM"],
        project.pk,
        "KC-SAMARINDA",
    )
    pmi = services.register_pmi_worker(
        person=facts(regency=balikpapan),
        destination="Malaysia",
        contract_months=24,
        start_date=date(2026, 2, 1),
    )
    assert pmi.segment == "PMI" and pmi.pmi_contract_months == 24


def test_report_wage_upserts_per_month(employer: Employer, facts: Any) -> None:
    m = services.register_pu_worker(
        employer=employer,
        person=facts(),
        wage=4_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    services.report_wage(membership=m, month=date(2026, 3, 1), amount=4_200_000)
    services.report_wage(membership=m, month=date(2026, 3, 15), amount=4_300_000)
    assert list(m.wages.order_by("effective_month").values_list("amount", flat=True)) == [
        4_000_000,
        4_300_000,
    ]
    with pytest.raises(InvalidValue):
        services.report_wage(membership=m, month=date(2025, 12, 1), amount=1)
    updates = AuditEvent.objects.filter(object_type="registry.ReportedWage", action="update")
    assert updates.get().changes == {"amount": [4_200_000, 4_300_000]}


def test_end_membership_audited(employer: Employer, facts: Any) -> None:
    m = services.register_pu_worker(
        employer=employer,
        person=facts(),
        wage=1,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    with pytest.raises(InvalidValue):
        services.end_membership(membership=m, end_date=date(2025, 1, 1), reason="resigned")
    with pytest.raises(InvalidValue):
        services.end_membership(membership=m, end_date=date(2026, 2, 1), reason="bosan")
    services.end_membership(membership=m, end_date=date(2026, 2, 1), reason="dismissed")
    m.refresh_from_db()
    assert (m.end_date, m.end_reason, m.is_active) == (date(2026, 2, 1), "dismissed", False)
    event = AuditEvent.objects.filter(object_type="registry.Membership", action="update").get()
    assert event.changes["end_reason"] == ["", "dismissed"]
    assert Membership.objects.filter(end_date__isnull=True).count() == 0


def test_add_dependant(employer: Employer, facts: Any) -> None:
    m = services.register_pu_worker(
        employer=employer,
        person=facts(),
        wage=1,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    d = services.add_dependant(
        participant=m.participant,
        name="Budi",
        relation="child",
        birth_date=date(2015, 1, 2),
        school_level="SD",
    )
    assert d.get_relation_display() == "anak"
    with pytest.raises(InvalidValue):
        services.add_dependant(
            participant=m.participant, name="X", relation="cousin", birth_date=date(2015, 1, 2)
        )
