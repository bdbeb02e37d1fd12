"""Search, person and employer pages: scoping (404 across branch offices), NIK masking, audited reads,
query counts that do not grow with rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.geo.models import Office
from jaminan.registry import selectors, services
from jaminan.registry.errors import NotFound
from jaminan.registry.models import Employer, Membership

pytestmark = pytest.mark.django_db


def add_workers(employer: Employer, facts: Callable[..., Any], n: int) -> list[Membership]:
    return [
        services.register_pu_worker(
            employer=employer,
            person=facts(name=f"Pekerja {i}"),
            wage=4_000_000 + i,
            start_date=date(2026, 1, 5),
            registered_on=date(2026, 1, 5),
        )
        for i in range(n)
    ]


def test_officer_of_another_branch_gets_not_found(
    employer: Employer, facts: Any, make_user: Callable[..., Any]
) -> None:
    m = add_workers(employer, facts, 1)[0]
    kpj = m.participant.kpj_number
    own = make_user(Role.BRANCH_OFFICER, "bpp")
    other = make_user(Role.BRANCH_OFFICER, "smd", office=Office.objects.get(code="KC-SAMARINDA"))
    assert selectors.person_detail(user=own, kpj=kpj).participant.kpj_number == kpj
    with pytest.raises(NotFound):
        selectors.person_detail(user=other, kpj=kpj)
    with pytest.raises(NotFound):
        selectors.employer_detail(user=other, npp=employer.npp)
    assert selectors.search(user=other, q=m.participant.person.nik).persons == []
    assert selectors.search(user=own, q=m.participant.person.nik).persons == [m.participant.person]


def test_masking_and_audit(employer: Employer, facts: Any, make_user: Callable[..., Any]) -> None:
    m = add_workers(employer, facts, 1)[0]
    kpj, nik = m.participant.kpj_number, m.participant.person.nik
    officer = make_user(Role.BRANCH_OFFICER, "bpp")
    hr = make_user(Role.EMPLOYER_USER, "hrd", employer_npp=employer.npp)
    assert selectors.person_detail(user=officer, kpj=kpj).nik == nik
    masked = selectors.person_detail(user=hr, kpj=kpj)
    assert masked.nik == nik[:4] + "********" + nik[-4:] and not masked.nik_unmasked
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="registry.Person")
    assert [(e.actor_label, e.changes["nik_unmasked"]) for e in views.order_by("pk")] == [
        ("bpp", True),
        ("hrd", False),
    ]
    selectors.search(user=officer, q="Pekerja")
    assert AuditEvent.objects.filter(action="view", changes__search="Pekerja").count() == 1
    # A masked list is still personal data (names, birth dates): its read is audited too.
    selectors.search(user=hr, q=m.participant.person.name)
    masked_search = AuditEvent.objects.get(
        action="view", actor__username="hrd", changes__search=m.participant.person.name
    )
    assert masked_search.changes["nik_unmasked"] is False and masked_search.changes["persons"] == [
        m.participant.person.pk
    ]


def test_search_kinds(employer: Employer, facts: Any, admin_user: Any) -> None:
    m = add_workers(employer, facts, 2)[0]
    p = m.participant.person
    assert selectors.search(user=admin_user, q=p.nik).persons == [p]
    assert selectors.search(user=admin_user, q=m.participant.kpj_number).persons == [p]
    assert selectors.search(user=admin_user, q=employer.npp).employers == [employer]
    assert len(selectors.search(user=admin_user, q="pekerja").persons) == 2
    assert selectors.search(user=admin_user, q="uji kaltim").employers == [employer]
    assert selectors.search(user=admin_user, q="   ").persons == []


def test_person_detail_content(
    employer: Employer, facts: Any, admin_user: Any, make_employer: Callable[..., Employer]
) -> None:
    f = facts()
    m1 = services.register_pu_worker(
        employer=employer,
        person=f,
        wage=4_000_000,
        start_date=date(2025, 1, 5),
        registered_on=date(2025, 1, 5),
    )
    services.report_wage(membership=m1, month=date(2025, 6, 1), amount=4_500_000)
    services.end_membership(membership=m1, end_date=date(2025, 12, 31), reason="resigned")
    other = make_employer("small", name="CV Baru")
    m2 = services.register_pu_worker(
        employer=other,
        person=f,
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    services.add_dependant(
        participant=m2.participant, name="Anak", relation="child", birth_date=date(2016, 1, 1)
    )
    d = selectors.person_detail(user=admin_user, kpj=m2.participant.kpj_number)
    assert [m.pk for m in d.memberships] == [m2.pk, m1.pk]
    assert [e.npp for e in d.employers] == [other.npp, employer.npp]
    assert [w.amount for w in d.wage_history] == [5_000_000, 4_500_000, 4_000_000]
    assert [x.name for x in d.dependants] == ["Anak"]


def test_employer_detail_wage_bill(employer: Employer, facts: Any, admin_user: Any) -> None:
    ms = add_workers(employer, facts, 3)
    services.report_wage(membership=ms[0], month=date(2026, 3, 1), amount=6_000_000)
    services.end_membership(membership=ms[2], end_date=date(2026, 2, 28), reason="resigned")
    d = selectors.employer_detail(user=admin_user, npp=employer.npp)
    assert d.active_workers == 2 and d.wage_bill == 6_000_000 + 4_000_001
    assert [w.latest_wage for w in d.workers] == [6_000_000, 4_000_001]


@pytest.mark.parametrize("n", [2, 12])
def test_query_counts_do_not_grow(
    n: int,
    employer: Employer,
    facts: Any,
    make_user: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    ms = add_workers(employer, facts, n)
    for m in ms:
        services.report_wage(membership=m, month=date(2026, 2, 1), amount=4_100_000)
        services.add_dependant(
            participant=m.participant, name="A", relation="spouse", birth_date=date(1990, 1, 1)
        )
    officer = make_user(Role.BRANCH_OFFICER, "bpp")
    kpj = ms[0].participant.kpj_number
    with django_assert_max_num_queries(8):
        d = selectors.person_detail(user=officer, kpj=kpj)
        _ = [
            (m.employer.name, m.office.code, [w.amount for w in m.wages.all()])
            for m in d.memberships
        ]
        _ = d.wage_history
    with django_assert_max_num_queries(8):
        e = selectors.employer_detail(user=officer, npp=employer.npp)
        _ = [
            (w.participant.person.name, w.participant.kpj_number, w.latest_wage) for w in e.workers
        ]
    with django_assert_max_num_queries(6):
        r = selectors.search(user=officer, q="Pekerja")
        _ = [(p.participant.kpj_number, p.address_regency) for p in r.persons]
