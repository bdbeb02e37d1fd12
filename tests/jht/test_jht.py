"""JHT accounts: crediting paid contributions (set-based, idempotent), the balance against the rules'
``jht.balance``, the withdrawal conditions of each reason and the once-only partial withdrawal."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from jaminan import rules
from jaminan.accounts.models import AuditEvent
from jaminan.contributions import ledger
from jaminan.contributions.models import Bill
from jaminan.jht import selectors, services
from jaminan.jht.errors import (
    Conflict,
    InvalidValue,
    ReturnRateMissing,
    WithdrawalNotAllowed,
)
from jaminan.jht.models import JhtAccount, JhtCredit, JhtDebit, JhtReturnRate
from jaminan.registry import services as registry
from jaminan.registry.models import Membership
from tests.jht import builders

pytestmark = pytest.mark.django_db

JHT_AT_5M = 285_000  # 3.7% + 2% of Rp5.000.000 (regulations.md §13 #21 rates)


@pytest.fixture
def rates(reference: None) -> dict[int, str]:
    """Declared returns for the test years (2016 is the seeded 7.19%)."""
    values = {year: "6" for year in range(2017, 2027)}
    for year, percent in values.items():
        JhtReturnRate.objects.create(year=year, percent=percent, source="uji", confidence="low")
    return {2016: "7.19", **values}


@pytest.fixture
def member(reference: None) -> Membership:
    return builders.worker(builders.employer(), start=date(2016, 1, 1))


def account_of(membership: Membership) -> JhtAccount:
    return JhtAccount.objects.get(participant=membership.participant)


def credit(until: date = date(2030, 1, 1)) -> services.CreditTotals:
    return services.credit_contributions(until=until)


# ----------------------------------------------------------------------------------------- crediting


def test_seeded_2016_return_is_the_published_one(reference: None) -> None:
    rate = JhtReturnRate.objects.get(year=2016)
    assert (rate.percent, rate.confidence) == ("7.19", "high")
    assert "pasardana" in rate.source


def test_credit_run_credits_paid_jht_once(member: Membership) -> None:
    other = builders.worker(builders.employer("CV Lain"), name="Sari", birth=date(1990, 1, 2))
    builders.pay_months(member, builders.months(date(2016, 1, 1), 3), wage=5_000_000)
    builders.pay_months(other, builders.months(date(2016, 1, 1), 2), wage=4_000_000)
    unpaid = Bill.objects.create(
        payer=Bill.objects.first().payer,  # type: ignore[union-attr]
        office=member.office,
        kind="monthly",
        month=date(2016, 4, 1),
        segment="PU",
        due_date=date(2016, 5, 16),
    )
    first = credit(until=date(2016, 3, 31))
    # Paid on 10 Feb and 10 Mar 2016 (the April payment is after ``until``).
    assert (first.accounts_opened, first.credits) == (2, 4)
    assert first.amount == 2 * JHT_AT_5M + 2 * 228_000
    second = credit(until=date(2016, 3, 31))
    assert (second.accounts_opened, second.credits, second.amount) == (0, 0, 0)
    assert second.credits_total == 4
    third = credit()
    assert (third.credits, third.amount) == (1, JHT_AT_5M)
    assert JhtCredit.objects.count() == 5
    assert not JhtCredit.objects.filter(bill=unpaid).exists()
    row = JhtCredit.objects.get(membership=member, month=date(2016, 2, 1))
    assert (row.amount, row.credited_on) == (JHT_AT_5M, date(2016, 3, 10))
    assert ledger.check().ok
    assert AuditEvent.objects.filter(object_type="jht.JhtCredit").count() == 3


def test_credit_command_prints_control_totals(member: Membership) -> None:
    builders.pay_months(member, builders.months(date(2016, 1, 1), 2), wage=5_000_000)
    out = StringIO()
    call_command("jht", "credit", "--until", "2016-12-31", stdout=out)
    totals = json.loads(out.getvalue())
    assert totals == {
        "until": "2016-12-31",
        "accounts_opened": 1,
        "credits": 2,
        "amount": 2 * JHT_AT_5M,
        "credits_total": 2,
        "amount_total": 2 * JHT_AT_5M,
    }
    out = StringIO()
    call_command("jht", "credit", "--until", "2016-12-31", stdout=out)
    assert json.loads(out.getvalue())["credits"] == 0


# ------------------------------------------------------------------------------------------- balance


def test_balance_equals_the_rules_on_a_crafted_history(
    member: Membership, rates: dict[int, str]
) -> None:
    # Jan 2016 – Jun 2017 at Rp5.000.000, then Jul – Dec 2017 at Rp6.000.000, each paid on the
    # 10th of the next month; the December 2017 bill is paid late, on 3 February 2018.
    builders.pay_months(member, builders.months(date(2016, 1, 1), 18), wage=5_000_000)
    builders.pay_months(member, builders.months(date(2017, 7, 1), 5), wage=6_000_000)
    builders.pay_month(member, date(2017, 12, 1), paid_on=date(2018, 2, 3), wage=6_000_000)
    credit()
    account = account_of(member)
    expected_flows = (
        [(builders.add_months(m, 1), JHT_AT_5M) for m in builders.months(date(2016, 1, 1), 18)]
        + [(builders.add_months(m, 1), 342_000) for m in builders.months(date(2017, 7, 1), 5)]
        + [(date(2018, 2, 1), 342_000)]
    )
    for as_of in (date(2016, 12, 30), date(2016, 12, 31), date(2017, 12, 31), date(2018, 6, 30)):
        facts = {
            "opening_balance": 0,
            "opening_date": "2016-02-01",
            "as_of": as_of.isoformat(),
            "contributions": [
                {"month": f"{m:%Y-%m}", "amount": a} for m, a in expected_flows if m <= as_of
            ],
            "returns": {y: r for y, r in rates.items() if date(y, 12, 31) <= as_of},
        }
        expected = rules.calculate("jht.balance", facts)
        got = selectors.balance(account, on=as_of)
        assert (got.balance, got.returns_credited) == (
            expected["balance"],
            expected["returns_credited"],
        ), as_of
    # By hand for 2016: 11 credits Feb–Dec 2016 earn 7.19% × 285.000 × (10 + 9 + … + 0)/12.
    assert selectors.balance(account, on=date(2016, 12, 31)).balance == 11 * JHT_AT_5M + 93_919


def test_statement_years_add_up(member: Membership, rates: dict[int, str]) -> None:
    builders.pay_months(member, builders.months(date(2016, 1, 1), 24), wage=5_000_000)
    credit()
    found = selectors.statement(account_of(member), as_of=date(2018, 6, 30))
    assert [y.year for y in found.years] == [2016, 2017, 2018]
    assert found.years[0].returns == 93_919
    assert found.years[0].rate == "7.19"
    for row in found.years:
        assert row.closing == row.opening + row.contributions - row.withdrawals + row.returns
    assert found.years[-1].closing == found.balance.balance
    assert found.years[-1].credited_on is None  # 31 December 2018 is after the statement date


def test_year_without_declared_return_is_provisional_and_blocks_withdrawal(
    member: Membership,
) -> None:
    builders.pay_months(member, builders.months(date(2016, 1, 1), 14), wage=5_000_000)
    credit()
    registry.end_membership(membership=member, end_date=date(2017, 3, 1), reason="contract_ended")
    account = account_of(member)
    found = selectors.balance(account, on=date(2018, 1, 31))
    assert found.missing_return_years == [2017]  # 2016 is seeded; 2017 not declared
    assert found.provisional
    with pytest.raises(ReturnRateMissing) as exc:
        services.full_withdrawal_amount(account, date(2018, 1, 31), "contract_end")
    assert exc.value.code == "jht_return_missing"
    # A December credit earns nothing that year: no declared return is needed for it.
    assert (
        selectors.compute_balance(
            opening_balance=0,
            opening_date=date(2020, 1, 1),
            credits=[(date(2020, 12, 10), 100)],
            as_of=date(2021, 1, 5),
            rates={},
        ).missing_return_years
        == []
    )


# --------------------------------------------------------------------------------------- withdrawals


@pytest.fixture
def funded(member: Membership, rates: dict[int, str]) -> tuple[Membership, JhtAccount]:
    builders.pay_months(member, builders.months(date(2016, 1, 1), 12), wage=5_000_000)
    credit()
    return member, account_of(member)


def _end(membership: Membership, reason: str, on: date = date(2017, 3, 31)) -> None:
    registry.end_membership(membership=membership, end_date=on, reason=reason)


@pytest.mark.parametrize(
    ("reason", "end_reason"), [("resignation", "resigned"), ("dismissal", "dismissed")]
)
def test_resignation_and_dismissal_wait_one_month(
    funded: tuple[Membership, JhtAccount], reason: str, end_reason: str
) -> None:
    member, account = funded
    _end(member, end_reason)
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.full_withdrawal_amount(account, date(2017, 4, 29), reason)
    assert exc.value.code == "jht_waiting_period"
    got = services.full_withdrawal_amount(account, date(2017, 4, 30), reason)
    assert got.amount == selectors.balance(account, on=date(2017, 4, 30)).balance
    assert got.facts["claimable_from"] == "2017-04-30"
    assert got.amount == 12 * JHT_AT_5M + 93_919  # the Dec 2016 credit (paid Jan 2017) included
    assert got.trace


def test_reason_must_match_the_end_of_membership(funded: tuple[Membership, JhtAccount]) -> None:
    member, account = funded
    _end(member, "resigned")
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.full_withdrawal_amount(account, date(2017, 6, 1), "dismissal")
    assert exc.value.code == "jht_reason_mismatch"
    with pytest.raises(InvalidValue):
        services.full_withdrawal_amount(account, date(2017, 6, 1), "holiday")


def test_still_working_elsewhere_blocks_resignation_claim(
    funded: tuple[Membership, JhtAccount],
) -> None:
    member, account = funded
    _end(member, "resigned")
    registry.register_pu_worker(
        employer=builders.employer("PT Baru"),
        person=member.participant.person,
        wage=5_000_000,
        start_date=date(2017, 4, 10),
        programs=["JKK", "JKM", "JHT", "JP"],
        registered_on=date(2017, 4, 10),
    )
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.full_withdrawal_amount(account, date(2017, 6, 1), "resignation")
    assert exc.value.code == "jht_still_active"


@pytest.mark.parametrize(
    ("reason", "end_reason"), [("contract_end", "contract_ended"), ("moved_abroad", "moved_abroad")]
)
def test_contract_end_and_leaving_indonesia_need_no_wait(
    funded: tuple[Membership, JhtAccount], reason: str, end_reason: str
) -> None:
    member, account = funded
    _end(member, end_reason)
    assert services.full_withdrawal_amount(account, date(2017, 3, 31), reason).amount > 0


def test_retirement_age(funded: tuple[Membership, JhtAccount]) -> None:
    member, account = funded  # born 12 March 1980: 56 on 12 March 2036
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.full_withdrawal_amount(account, date(2026, 3, 11), "retirement")
    assert exc.value.code == "jht_below_retirement_age"
    person = member.participant.person
    person.birth_date = date(1960, 3, 12)
    person.save()
    got = services.full_withdrawal_amount(account, date(2016, 12, 31), "retirement")
    assert (got.facts["age"], got.facts["retirement_age"]) == (56, 56)


def test_retirement_under_the_company_age(funded: tuple[Membership, JhtAccount]) -> None:
    member, account = funded
    _end(member, "retired")
    assert services.full_withdrawal_amount(account, date(2017, 4, 1), "retirement").amount > 0


def test_death_and_total_disability(funded: tuple[Membership, JhtAccount]) -> None:
    member, account = funded
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.full_withdrawal_amount(account, date(2017, 5, 1), "death")
    assert exc.value.code == "jht_not_deceased"
    person = member.participant.person
    person.death_date = date(2017, 4, 20)
    person.save()
    assert services.full_withdrawal_amount(account, date(2017, 5, 1), "death").amount > 0
    got = services.full_withdrawal_amount(account, date(2017, 5, 1), "total_disability")
    assert got.amount == selectors.balance(account, on=date(2017, 5, 1)).balance


def test_empty_account_pays_nothing(member: Membership) -> None:
    account = services.ensure_account(participant=member.participant)
    _end(member, "contract_ended")
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.full_withdrawal_amount(account, date(2017, 4, 1), "contract_end")
    assert exc.value.code == "jht_no_balance"


def test_partial_withdrawal_after_ten_years_once(funded: tuple[Membership, JhtAccount]) -> None:
    _member, account = funded  # JHT membership since 1 January 2016
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.partial_withdrawal_amount(account, date(2025, 12, 31), 10)
    assert exc.value.code == "jht_membership_too_short"
    with pytest.raises(InvalidValue):
        services.partial_withdrawal_amount(account, date(2026, 1, 1), 20)
    on = date(2026, 1, 5)
    balance = selectors.balance(account, on=on).balance
    ten = services.partial_withdrawal_amount(account, on, 10)
    thirty = services.partial_withdrawal_amount(account, on, 30)
    assert ten.amount == (balance + 5) // 10  # half up of 10%
    assert thirty.amount == (3 * balance + 5) // 10
    debit = services.withdraw(
        account, kind="partial", amount=ten.amount, on=on, claim_ref="KLM-1", reason=ten.reason
    )
    assert debit.amount == ten.amount
    assert selectors.balance(account, on=on).balance == balance - ten.amount
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.partial_withdrawal_amount(account, date(2027, 1, 5), 30)
    assert exc.value.code == "jht_partial_already_taken"
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.withdraw(account, kind="partial", amount=1000, on=on, claim_ref="KLM-2")
    assert exc.value.code == "jht_partial_already_taken"


def test_withdraw_once_per_claim_and_never_above_the_balance(
    funded: tuple[Membership, JhtAccount],
) -> None:
    member, account = funded
    _end(member, "contract_ended")
    on = date(2017, 4, 1)
    due = services.full_withdrawal_amount(account, on, "contract_end")
    with pytest.raises(WithdrawalNotAllowed) as exc:
        services.withdraw(account, kind="full", amount=due.amount + 1, on=on, claim_ref="K-9")
    assert exc.value.code == "jht_insufficient_balance"
    first = services.withdraw(account, kind="full", amount=due.amount, on=on, claim_ref="K-1")
    again = services.withdraw(account, kind="full", amount=due.amount, on=on, claim_ref="K-1")
    assert first.pk == again.pk
    with pytest.raises(Conflict) as conflict:
        services.withdraw(account, kind="full", amount=5, on=on, claim_ref="K-1")
    assert conflict.value.code == "jht_claim_ref_used"
    assert JhtDebit.objects.count() == 1
    assert selectors.balance(account, on=on).balance == 0
    # The withdrawn money earned its January–April share of the 2017 return: paid on 31 December
    # (a withdrawal is a negative contribution of its month).
    # 6% × (3.228.919,375 held since January × 4/12 + 285.000 credited in January × 3/12)
    # = 68.853,78 (the 2016 return kept exact, as jht.balance does) -> 68.854.
    assert selectors.balance(account, on=date(2017, 12, 31)).balance == 68_854
    assert AuditEvent.objects.filter(object_type="jht.JhtDebit", action="create").count() == 1
