"""JP pensions: eligibility (15 years) and lump sum, survivors at the legal shares, the roll run twice
pays once, yearly indexation, suspension without data confirmation and arrears on resumption."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from jaminan import rules
from jaminan.accounts.models import AuditEvent
from jaminan.contributions import ledger
from jaminan.pensions import selectors, services
from jaminan.pensions.errors import Conflict, NotEligible
from jaminan.pensions.models import InflationRate, Pension, PensionPayment
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from tests.jht import builders

pytestmark = pytest.mark.django_db

WAGE = 5_000_000
JP_AT_5M = 150_000  # 2% + 1% of Rp5.000.000


def half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected_average(wages: dict[date, int], event_year: int) -> int:
    """Independent arithmetic of the average indexed wage with the seeded inflation."""
    rates = {y: Decimal(p) for y, p in InflationRate.objects.values_list("year", "percent")}
    total = Decimal(0)
    for month, wage in wages.items():
        factor = Decimal(1)
        for year in range(month.year, event_year):
            factor *= 1 + rates.get(year, Decimal(0)) / 100
        total += wage * factor
    return half_up(total / len(wages))


@pytest.fixture
def member(reference: None) -> Membership:
    return builders.worker(
        builders.employer(), name="Slamet", birth=date(1965, 3, 12), start=date(2016, 1, 1)
    )


def die(membership: Membership, on: date) -> None:
    person = membership.participant.person
    person.death_date = on
    person.save()


def add(membership: Membership, relation: str, name: str, birth: date) -> None:
    registry.add_dependant(
        participant=membership.participant, name=name, relation=relation, birth_date=birth
    )


# ------------------------------------------------------------------------------------------ awards


def test_old_age_pension_after_fifteen_years(member: Membership) -> None:
    months = builders.months(date(2016, 1, 1), 180)  # Jan 2016 – Dec 2030
    builders.pay_months(member, months, wage=WAGE)
    # Born 12 March 1965: 61 in 2026, over the 2026 retirement age 59.
    got = services.assess_pension(
        participant=member.participant, event="old_age", event_date=date(2031, 1, 12)
    )
    average = expected_average(dict.fromkeys(months, WAGE), 2031)
    assert got.facts["average_indexed_wage"] == average
    assert got.facts["contribution_months"] == 180
    assert got.facts["missing_inflation_years"] == list(range(2025, 2031))
    rules_result = rules.calculate(
        "benefit.jp",
        {
            "event": "old_age",
            "event_date": "2031-02-01",
            "contribution_months": 180,
            "average_indexed_wage": average,
        },
    )
    assert not got.lump_sum_due
    assert got.start_month == date(2031, 2, 1)
    assert [s.monthly_amount for s in got.shares] == [rules_result["monthly_pension"]]
    assert got.shares[0].monthly_amount == half_up(Decimal("0.15") * average)
    assert ledger.check().ok


def test_old_age_with_fewer_than_fifteen_years_is_a_lump_sum(member: Membership) -> None:
    builders.pay_months(member, builders.months(date(2016, 1, 1), 30), wage=WAGE)
    got = services.assess_pension(
        participant=member.participant, event="old_age", event_date=date(2024, 3, 12)
    )
    assert got.lump_sum_due
    assert got.lump_sum_amount == 30 * JP_AT_5M
    assert got.shares == []
    award = services.award_pension(
        participant=member.participant,
        event="old_age",
        event_date=date(2024, 3, 12),
        claim_ref="JP-LS-1",
    )
    assert award.pensions == [] and award.assessment.lump_sum_due
    assert not Pension.objects.exists()


def test_below_retirement_age_is_refused(member: Membership) -> None:
    with pytest.raises(NotEligible) as exc:
        services.assess_pension(
            participant=member.participant, event="old_age", event_date=date(2022, 3, 11)
        )
    assert exc.value.code == "jp_below_retirement_age"  # 56 < 58 in 2022
    with pytest.raises(NotEligible) as exc:
        services.assess_pension(
            participant=member.participant, event="death", event_date=date(2022, 3, 11)
        )
    assert exc.value.code == "jp_not_deceased"


def test_disability_counts_fifteen_years_with_density(member: Membership) -> None:
    formula, _ = _death_case(member)  # the same record: 24 months, density 100%
    person = member.participant.person
    person.death_date = None
    person.save()
    award = services.award_pension(
        participant=member.participant,
        event="disability",
        event_date=date(2018, 1, 20),
        claim_ref="CACAT-1",
    )
    assert [(p.kind, p.monthly_amount) for p in award.pensions] == [("disability", formula)]
    assert award.pensions[0].arrears_from == date(2018, 2, 1)


def _death_case(member: Membership) -> tuple[int, list[date]]:
    """24 paid months, death on 20 January 2018: 15 years are counted (density 100%, ≥ 1 year)."""
    months = builders.months(date(2016, 1, 1), 24)
    builders.pay_months(member, months, wage=WAGE)
    die(member, date(2018, 1, 20))
    average = expected_average(dict.fromkeys(months, WAGE), 2018)
    formula = rules.calculate(
        "benefit.jp",
        {
            "event": "old_age",
            "event_date": "2018-02-01",
            "contribution_months": 180,
            "average_indexed_wage": average,
        },
    )["monthly_pension"]
    return int(formula), months


def test_widow_receives_half(member: Membership) -> None:
    formula, _ = _death_case(member)
    add(member, "spouse", "Sri", date(1968, 5, 1))
    add(member, "child", "Anak", date(2005, 1, 1))
    award = services.award_pension(
        participant=member.participant, event="death", event_date=date(2018, 1, 20), claim_ref="D1"
    )
    assert [(p.kind, p.beneficiary_name) for p in award.pensions] == [("widow", "Sri")]
    assert award.pensions[0].monthly_amount == half_up(Decimal("0.5") * formula)
    assert award.assessment.facts["counted_months"] == 180
    assert award.pensions[0].start_month == date(2018, 2, 1)
    again = services.award_pension(
        participant=member.participant, event="death", event_date=date(2018, 1, 20), claim_ref="D1"
    )
    assert [p.pk for p in again.pensions] == [p.pk for p in award.pensions]


def test_children_share_half_at_most_two(member: Membership) -> None:
    formula, _ = _death_case(member)
    add(member, "child", "Sulung", date(1994, 1, 1))  # 24 at the death: no pension
    add(member, "child", "Tengah", date(2000, 6, 15))
    add(member, "child", "Bungsu", date(2003, 2, 1))
    add(member, "child", "Kecil", date(2010, 2, 1))
    add(member, "parent", "Ibu", date(1940, 2, 1))
    award = services.award_pension(
        participant=member.participant, event="death", event_date=date(2018, 1, 20), claim_ref="D2"
    )
    assert [p.beneficiary_name for p in award.pensions] == ["Tengah", "Bungsu"]
    assert {p.monthly_amount for p in award.pensions} == {half_up(Decimal("0.25") * formula)}
    assert award.pensions[0].end_month == date(2023, 6, 1)  # the month of the 23rd birthday


def test_parent_only_without_spouse_or_children(member: Membership) -> None:
    formula, _ = _death_case(member)
    add(member, "parent", "Ibu", date(1940, 2, 1))
    award = services.award_pension(
        participant=member.participant, event="death", event_date=date(2018, 1, 20), claim_ref="D3"
    )
    assert [(p.kind, p.monthly_amount) for p in award.pensions] == [
        ("parent", half_up(Decimal("0.2") * formula))
    ]


def test_no_survivor_and_low_density(member: Membership) -> None:
    _death_case(member)
    with pytest.raises(NotEligible) as exc:
        services.assess_pension(
            participant=member.participant, event="death", event_date=date(2018, 1, 20)
        )
    assert exc.value.code == "jp_no_beneficiary"
    # Death in 2021 after 24 paid months of 72: density 33% -> no 15-year rule, lump sum.
    die(member, date(2021, 12, 20))
    add(member, "spouse", "Sri", date(1968, 5, 1))
    got = services.assess_pension(
        participant=member.participant, event="death", event_date=date(2021, 12, 20)
    )
    assert got.lump_sum_due and got.lump_sum_amount == 24 * JP_AT_5M


def test_pensioner_death_passes_half_of_the_pension_in_payment(member: Membership) -> None:
    pension = _pension(member, amount=1_000_001, start=date(2024, 1, 1))
    add(member, "spouse", "Sri", date(1968, 5, 1))
    die(member, date(2024, 5, 3))
    award = services.award_pension(
        participant=member.participant, event="death", event_date=date(2024, 5, 3), claim_ref="D4"
    )
    assert [(p.kind, p.monthly_amount) for p in award.pensions] == [("widow", 500_001)]
    pension.refresh_from_db()
    assert (pension.status, pension.end_month, pension.end_reason) == (
        "ended",
        date(2024, 5, 1),
        "death",
    )


def test_second_pension_is_refused(member: Membership) -> None:
    _pension(member, amount=1_000_000, start=date(2024, 1, 1))
    with pytest.raises(Conflict) as exc:
        services.assess_pension(
            participant=member.participant, event="old_age", event_date=date(2025, 3, 12)
        )
    assert exc.value.code == "jp_already_awarded"


# -------------------------------------------------------------------------------------------- roll


def _pension(
    member: Membership,
    *,
    amount: int,
    start: date,
    confirmed: date | None = None,
    kind: str = "old_age",
) -> Pension:
    return Pension.objects.create(
        participant=member.participant,
        kind=kind,
        beneficiary_name=member.participant.person.name,
        office=member.office,
        base_amount=amount,
        monthly_amount=amount,
        indexed_year=start.year,
        start_month=start,
        last_confirmed_on=confirmed or start,
        arrears_from=start,
        awarded_on=confirmed or start,
    )


def test_roll_twice_pays_once_with_arrears_from_the_start(member: Membership) -> None:
    _pension(member, amount=1_000_000, start=date(2026, 2, 1), confirmed=date(2026, 3, 20))
    first = services.pay_pensions(month=date(2026, 4, 1))
    assert first.status == "completed"
    assert first.totals["payments"] == 1 and first.totals["amount"] == 1_000_000
    assert (first.totals["arrears_payments"], first.totals["arrears_amount"]) == (2, 2_000_000)
    second = services.pay_pensions(month=date(2026, 4, 1))
    assert (second.totals["payments"], second.totals["arrears_payments"]) == (0, 0)
    assert second.totals["month_payments"] == 1 and second.totals["month_amount"] == 1_000_000
    assert list(
        PensionPayment.objects.order_by("month").values_list("month", "kind", "amount")
    ) == [
        (date(2026, 2, 1), "arrears", 1_000_000),
        (date(2026, 3, 1), "arrears", 1_000_000),
        (date(2026, 4, 1), "regular", 1_000_000),
    ]
    assert AuditEvent.objects.filter(object_type="pensions.PensionRun").count() == 2


def test_pay_command_prints_control_totals(member: Membership) -> None:
    _pension(member, amount=750_000, start=date(2026, 5, 1), confirmed=date(2026, 5, 2))
    out = StringIO()
    call_command("pensions", "pay", "--month", "2026-05", stdout=out)
    totals = json.loads(out.getvalue())
    assert (totals["month"], totals["payments"], totals["amount"]) == ("2026-05", 1, 750_000)
    out = StringIO()
    call_command("pensions", "pay", "--month", "2026-05", stdout=out)
    totals = json.loads(out.getvalue())
    assert (totals["payments"], totals["month_payments"], totals["month_amount"]) == (
        0,
        1,
        750_000,
    )


def test_yearly_indexation_with_previous_year_inflation(member: Membership) -> None:
    pension = _pension(member, amount=1_000_001, start=date(2023, 1, 1))
    pension.arrears_from = None
    pension.save()
    services.confirm_data(pension=pension, confirmed_on=date(2025, 1, 10))
    run = services.pay_pensions(month=date(2025, 2, 1))
    # 2024: × 1.0261 (inflation 2023) -> 1.026.101; 2025: × 1.0157 (inflation 2024) -> 1.042.211.
    assert half_up(Decimal(1_000_001) * Decimal("1.0261")) == 1_026_101
    assert half_up(Decimal(1_026_101) * Decimal("1.0157")) == 1_042_211
    pension.refresh_from_db()
    assert (pension.monthly_amount, pension.indexed_year) == (1_042_211, 2025)
    assert run.totals["indexed"] == {"2024": 1, "2025": 1}
    assert PensionPayment.objects.get(month=date(2025, 2, 1)).amount == 1_042_211
    # 2026 needs the 2025 inflation, not recorded: the amount stays and the run says so.
    services.confirm_data(pension=pension, confirmed_on=date(2026, 1, 10))
    run = services.pay_pensions(month=date(2026, 1, 1))
    assert run.totals["inflation_missing"] == [2025]
    pension.refresh_from_db()
    assert (pension.monthly_amount, pension.indexed_year) == (1_042_211, 2025)


def test_suspended_without_confirmation_then_resumed_with_arrears(member: Membership) -> None:
    pension = _pension(member, amount=800_000, start=date(2026, 1, 1), confirmed=date(2026, 1, 5))
    for month in (1, 2, 3, 4):  # April: confirmed 5 January >= 1 January, still paid
        services.pay_pensions(month=date(2026, month, 1))
    run = services.pay_pensions(month=date(2026, 5, 1))  # nothing since 1 February: suspended
    assert run.totals["suspended"] == 1 and run.totals["payments"] == 0
    pension.refresh_from_db()
    assert (pension.status, pension.suspended_since) == ("suspended", date(2026, 5, 1))
    services.pay_pensions(month=date(2026, 6, 1))
    assert not PensionPayment.objects.filter(month__gte=date(2026, 5, 1)).exists()
    services.confirm_data(pension=pension, confirmed_on=date(2026, 6, 20), channel="online")
    run = services.pay_pensions(month=date(2026, 7, 1))
    assert (run.totals["payments"], run.totals["arrears_payments"]) == (1, 2)  # May, June
    assert PensionPayment.objects.filter(pension=pension).count() == 7  # January – July
    assert sum(PensionPayment.objects.values_list("amount", flat=True)) == 7 * 800_000


def test_ten_years_without_confirmation_ends_the_pension(member: Membership) -> None:
    pension = _pension(member, amount=500_000, start=date(2016, 1, 1), confirmed=date(2016, 1, 1))
    pension.arrears_from = None
    pension.save()
    services.pay_pensions(month=date(2026, 2, 1))
    pension.refresh_from_db()
    assert (pension.status, pension.end_reason) == ("ended", "no_confirmation_10_years")


def test_child_pension_stops_after_its_end_month(member: Membership) -> None:
    pension = _pension(member, amount=300_000, start=date(2026, 1, 1), kind="child")
    pension.end_month = date(2026, 2, 1)
    pension.save()
    services.pay_pensions(month=date(2026, 2, 1))
    services.pay_pensions(month=date(2026, 3, 1))
    assert list(PensionPayment.objects.values_list("month", flat=True).order_by("month")) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    pension.refresh_from_db()
    assert pension.status == "ended"


def test_status_counts_and_month_totals(member: Membership, admin_user: object) -> None:
    _pension(member, amount=400_000, start=date(2026, 1, 1))
    services.pay_pensions(month=date(2026, 1, 1))
    assert selectors.status_counts(admin_user) == {"active": 1}  # type: ignore[arg-type]
    assert selectors.month_totals(date(2026, 1, 1))["month_amount"] == 400_000
