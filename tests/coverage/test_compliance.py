"""Compliance lists: wages below UMK/UMP (strictly, in sen), medium/large employers without JP, sharp
drops, arrears, regencies without a budget-funded program; scoped by office."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from jaminan.accounts.roles import Role
from jaminan.contributions.billing import ensure_payer_account
from jaminan.contributions.models import Bill
from jaminan.coverage import compliance
from jaminan.coverage.selectors import SYSTEM
from jaminan.geo.models import Office, Regency
from jaminan.registry.models import ReportedWage
from tests.coverage.conftest import Population


def test_minimum_wages_umk_or_ump(reference: None) -> None:
    wages = compliance.minimum_wages(2026)
    assert wages["64.71"] == (385_669_443, "UMK", "Balikpapan")  # Rp3.856.694,43 in sen
    # A regency without its own UMK falls back to the province (Kaltim 2026 UMP Rp3.762.431).
    without_umk = [code for code, (_, level, _) in wages.items() if level == "UMP"]
    assert without_umk
    assert all(wages[c][0] in {w[0] for w in wages.values()} for c in without_umk)


def test_below_minimum_wage(population: Population) -> None:
    # Balikpapan UMK 2026: Rp3.856.694,43. One worker at Rp3.856.694 (below by 43 sen), one exactly
    # at Rp3.856.695 (not below), the others at Rp5.000.000.
    wage = ReportedWage.objects.get(membership=population.memberships["a1"])
    wage.amount = 3_856_694
    wage.save()
    wage = ReportedWage.objects.get(membership=population.memberships["a3"])
    wage.amount = 3_856_695
    wage.save()
    rows = compliance.below_minimum_wage(user=SYSTEM, as_of=date(2026, 1, 31))
    assert [(r.npp, r.flagged, r.workers, r.amount) for r in rows] == [
        (population.employer_a.npp, 1, 2, 3_856_694)
    ]
    assert "UMK Balikpapan 2026" in rows[0].detail and "3.856.694,43" in rows[0].detail
    # Samarinda workers earn Rp4.000.000, above the Samarinda UMK.
    assert population.employer_b.npp not in {r.npp for r in rows}


def test_without_jp(population: Population) -> None:
    rows = {r.npp: r for r in compliance.without_jp(user=SYSTEM, as_of=date(2026, 1, 31))}
    # Both employers are medium/large; the default PU programs include JP, so none is listed…
    assert rows == {}
    # …until a medium employer registers a worker without JP.
    membership = population.memberships["a1"]
    membership.has_jp = False
    membership.save()
    rows = {r.npp: r for r in compliance.without_jp(user=SYSTEM, as_of=date(2026, 1, 31))}
    assert list(rows) == [population.employer_a.npp]
    assert (rows[population.employer_a.npp].workers, rows[population.employer_a.npp].flagged) == (
        2,
        1,
    )


def test_sharp_drop(population: Population) -> None:
    # Employer A had 3 PU workers on 10 January 2026; a2 left on 20 January, so on 10 April it has
    # 2: a drop of 33%, above the 30% threshold (wage bill Rp15.000.000 -> Rp10.000.000).
    rows = compliance.sharp_drop(user=SYSTEM, as_of=date(2026, 4, 10), months=3, minimum_workers=3)
    assert [(r.npp, r.workers, r.flagged) for r in rows] == [(population.employer_a.npp, 2, 1)]
    assert "Rp15.000.000" in rows[0].detail and "Rp10.000.000" in rows[0].detail
    assert rows[0].amount == 5_000_000
    # The default minimum of 5 workers leaves this small employer out.
    assert compliance.sharp_drop(user=SYSTEM, as_of=date(2026, 4, 10)) == []


def test_arrears_over_three_months(population: Population) -> None:
    payer = ensure_payer_account(employer=population.employer_a)
    for month in (1, 2, 3, 4):
        Bill.objects.create(
            payer=payer,
            office=payer.office,
            kind="monthly",
            month=date(2025, month, 1),
            segment="PU",
            due_date=date(2025, month + 1, 15),
            amount=1_000_000,
        )
    rows = compliance.arrears(user=SYSTEM, as_of=date(2025, 6, 1))
    assert [(r.virtual_account, r.months, r.oldest_month, r.outstanding) for r in rows] == [
        (payer.virtual_account, 4, date(2025, 1, 1), 4_000_000)
    ]
    assert compliance.arrears(user=SYSTEM, as_of=date(2025, 5, 1)) == []  # only 3 overdue then


def test_no_budget_program_and_scope(population: Population, make_user: Callable[..., Any]) -> None:
    rows = compliance.no_budget_program(user=SYSTEM, as_of=date(2026, 3, 1))
    codes = {r.code for r in rows}
    assert len(rows) == 55 and "64.02" not in codes  # Kutai Kartanegara runs its program
    # Before the program started every regency is listed.
    assert len(compliance.no_budget_program(user=SYSTEM, as_of=date(2025, 12, 1))) == 56
    # A branch officer sees the regencies its office serves only.
    officer = make_user(
        Role.BRANCH_OFFICER, "petugas-bpn", office=Office.objects.get(code="KC-BALIKPAPAN")
    )
    served = set(
        Regency.objects.filter(branch_office__code="KC-BALIKPAPAN").values_list("code", flat=True)
    )
    scoped = {r.code for r in compliance.no_budget_program(user=officer, as_of=date(2026, 3, 1))}
    assert scoped == served - {"64.02"}
    # Employer lists: the Balikpapan officer does not see the Samarinda employer.
    membership = population.memberships["b4"]
    membership.has_jp = False
    membership.save()
    assert compliance.without_jp(user=officer, as_of=date(2026, 1, 31)) == []
    assert [r.npp for r in compliance.without_jp(user=SYSTEM, as_of=date(2026, 1, 31))] == [
        population.employer_b.npp
    ]
