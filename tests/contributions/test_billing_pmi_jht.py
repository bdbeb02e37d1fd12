"""The PMI bill with the optional JHT: a third line, amounts from the rules, posted to JHT income."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaminan.accounts.roles import Role
from jaminan.contributions import billing, bills, ledger, payments
from jaminan.contributions.models import Account, Bill, BillLine, JournalEntry, Posting
from jaminan.geo.models import Regency
from jaminan.jht import services as jht_services
from jaminan.jht.models import JhtCredit
from jaminan.registry import services
from jaminan.registry.models import Membership
from jaminan.rules import calculate
from jaminan.web.pdf import render_html

pytestmark = pytest.mark.django_db

FEB, MAR = date(2026, 2, 1), date(2026, 3, 1)


def register(person: Callable[..., Any], regency: Regency, **extra: Any) -> Membership:
    return services.register_pmi_worker(
        **{
            "person": person(regency=regency),
            "destination": "Malaysia",
            "contract_months": 24,
            "start_date": date(2026, 2, 1),
            "registered_on": date(2026, 2, 3),
            **extra,
        }
    )


@pytest.fixture
def with_jht(balikpapan: Regency, person: Callable[..., Any]) -> Membership:
    return register(person, balikpapan, programs=["JKK", "JKM", "JHT"], jht_monthly=100_000)


def snapshot() -> tuple[list[Any], ...]:
    return (
        list(
            Bill.objects.order_by("id").values_list(
                "id", "kind", "month", "payer_id", "due_date", "amount"
            )
        ),
        list(
            BillLine.objects.order_by("id").values_list(
                "bill_id", "membership_id", "program", "side", "kind", "base", "amount"
            )
        ),
        list(
            Posting.objects.order_by("id").values_list(
                "entry__bill_id", "account", "payer_id", "amount"
            )
        ),
    )


def test_pmi_bill_carries_the_jht_of_the_whole_contract(with_jht: Membership) -> None:
    billing.run_billing(month=FEB)
    bill = Bill.objects.get(pmi_membership=with_jht)
    out = calculate(
        "contribution.pmi", {"month": "2026-02", "contract_months": 24, "jht_monthly": 100_000}
    )
    # Permenaker 4/2023 Pasal 18: Rp37.500 before placement, Rp332.500 for a 24-month contract;
    # JHT Rp100.000 × 24 months.
    assert (out["before_placement"], out["during_after"], out["JHT"]) == (
        37_500,
        332_500,
        2_400_000,
    )
    assert (bill.kind, bill.segment, bill.month) == ("pmi", "PMI", FEB)
    assert bill.amount == out["total"] == 2_770_000
    assert sorted(bill.lines.values_list("program", "side", "kind", "base", "amount")) == [
        ("JHT", "participant", "contribution", 100_000, 2_400_000),
        ("PMI", "participant", "contribution", 24, 37_500),
        ("PMI", "participant", "contribution", 24, 332_500),
    ]
    assert set(bill.lines.values_list("membership_id", flat=True)) == {with_jht.pk}
    entry = JournalEntry.objects.get(bill=bill, kind="bill")
    assert sorted(entry.postings.values_list("account", "payer_id", "amount")) == sorted(
        [
            (Account.RECEIVABLE.value, bill.payer_id, 2_770_000),
            (Account.INCOME_JHT.value, None, -2_400_000),
            (Account.INCOME_PMI.value, None, -370_000),
        ]
    )
    assert ledger.check().ok


def test_pmi_without_jht_or_without_an_amount_bills_the_package_only(
    balikpapan: Regency, person: Callable[..., Any], with_jht: Membership
) -> None:
    without = register(person, balikpapan, contract_months=12)
    # A JHT membership registered before the amount was recorded: its JHT is not billed.
    legacy = register(person, balikpapan, programs=["JKK", "JKM", "JHT"], jht_monthly=50_000)
    Membership.objects.filter(pk=legacy.pk).update(pmi_jht_monthly=None)
    billing.run_billing(month=FEB)
    for membership, months in ((without, 12), (legacy, 24)):
        bill = Bill.objects.get(pmi_membership=membership)
        out = calculate("contribution.pmi", {"month": "2026-02", "contract_months": months})
        assert bill.amount == out["before_placement"] + out["during_after"] == out["total"]
        assert sorted(bill.lines.values_list("program", flat=True)) == ["PMI", "PMI"]
    assert Bill.objects.get(pmi_membership=with_jht).amount == 2_770_000
    assert BillLine.objects.filter(program="JHT").count() == 1
    assert ledger.check().ok


def test_a_rerun_and_the_next_months_run_change_nothing(
    balikpapan: Regency, person: Callable[..., Any], with_jht: Membership
) -> None:
    register(
        person, balikpapan, contract_months=36, programs=["JKK", "JKM", "JHT"], jht_monthly=600_000
    )
    first = billing.run_billing(month=FEB)
    before = snapshot()
    again = billing.run_billing(month=FEB)
    assert snapshot() == before
    assert (again.bills, again.lines, again.amount) == (first.bills, first.lines, first.amount)
    out = calculate(
        "contribution.pmi", {"month": "2026-02", "contract_months": 36, "jht_monthly": 600_000}
    )
    assert out["JHT"] == 21_600_000
    assert first.amount == 2_770_000 + out["total"]
    assert billing.billing_totals(FEB) == {"bills": 2, "lines": 6, "amount": first.amount}
    billing.run_billing(month=MAR)
    assert snapshot()[:2] == before[:2]  # no PMI bill twice
    assert ledger.check().ok


def test_paying_the_pmi_bill_with_jht_settles_it_and_credits_the_jht(with_jht: Membership) -> None:
    billing.run_billing(month=FEB)
    bill = Bill.objects.get(pmi_membership=with_jht)
    payments.record_payment(
        payer=bill.payer,
        reference="PMI-JHT-1",
        amount=2_770_000,
        paid_on=date(2026, 2, 10),
        channel="manual",
    )
    bill.refresh_from_db()
    assert (bill.status, bill.paid_amount) == ("paid", 2_770_000)
    assert ledger.check().ok
    # The paid JHT line is the participant's JHT money (jaminan jht credit).
    totals = jht_services.credit_contributions(until=date(2026, 2, 28))
    assert (totals.credits, totals.amount) == (1, 2_400_000)
    assert list(JhtCredit.objects.values_list("membership_id", "bill_id", "month", "amount")) == [
        (with_jht.pk, bill.pk, FEB, 2_400_000)
    ]


def test_bill_page_and_pdf_list_the_jht_line(
    with_jht: Membership, make_user: Callable[..., Any]
) -> None:
    billing.run_billing(month=FEB)
    bill = Bill.objects.get(pmi_membership=with_jht)
    admin = make_user(Role.SYSTEM_ADMIN, "admin-pmi")
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("contributions:bill", args=[bill.pk])).content.decode()
    rows = re.findall(
        r'<tr data-program="(\w+)" data-side="(\w+)" data-kind="(\w+)">'
        r"<td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>",
        page,
    )
    assert rows == [
        ("JHT", "participant", "contribution", "1", "Rp2.400.000"),
        ("PMI", "participant", "contribution", "2", "Rp370.000"),
    ]
    detail = bills.bill_detail(user=admin, bill_id=bill.pk)
    html = render_html(
        "contributions/billing/bill_pdf.html",
        {"detail": detail, "bill": detail.bill, "printed_on": date(2026, 2, 4)},
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "JUMLAH TAGIHAN Rp2.770.000" in text
    assert "Jumlah JHT Rp2.400.000" in text and "Jumlah PMI Rp370.000" in text
