"""Arrears: aging per office in the buckets 0–1, 2–3, >3 months overdue (exact on the scenario of
test_bills.py), the "more than three consecutive months" lists agreeing with
``selectors.arrears_months``, the page, its exports and the API."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import arrears, ledger, selectors
from jaminan.geo.models import Office
from tests.contributions.test_bills import Scenario, build_scenario, client_for

pytestmark = pytest.mark.django_db

JUL_20 = date(2026, 7, 20)


@pytest.fixture
def scenario(reference: None) -> Scenario:
    return build_scenario()


def figures(row: arrears.AgingRow) -> dict[str, tuple[int, int]]:
    return {key: (b.bills, b.amount) for key, b in row.buckets.items()}


@pytest.mark.parametrize(
    ("due", "as_of", "months"),
    [
        (date(2026, 6, 15), date(2026, 6, 15), 0),
        (date(2026, 6, 15), date(2026, 6, 16), 1),
        (date(2026, 6, 15), date(2026, 7, 15), 1),
        (date(2026, 6, 15), date(2026, 7, 16), 2),
        (date(2026, 1, 31), date(2026, 2, 28), 1),  # day clamped to the month's end
        (date(2026, 1, 31), date(2026, 3, 1), 2),
        (date(2026, 4, 15), date(2026, 7, 20), 4),
    ],
)
def test_months_overdue_rounds_up(due: date, as_of: date, months: int) -> None:
    assert arrears.months_overdue(due, as_of) == months


def test_buckets() -> None:
    assert [arrears.bucket_of(n) for n in (1, 2, 3, 4, 12)] == ["0-1", "2-3", "2-3", ">3", ">3"]


def test_aging_per_office_is_exact(scenario: Scenario, make_user: Callable[..., Any]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN, "admin-tunggakan")
    result = arrears.aging(user=admin, as_of=JUL_20)
    assert [r.office_code for r in result.rows] == ["KC-BALIKPAPAN", "KC-SAMARINDA"]
    balikpapan, samarinda = result.rows
    # Balikpapan: June (due 15 Jul) 1 month; April and May 3 and 2; March (due 15 Apr) 4 months,
    # of which Rp431.000 was paid on 10 April (the rest came on 25 July, after the date).
    assert figures(balikpapan) == {
        "0-1": (1, 1_431_000),
        "2-3": (2, 2_862_000),
        ">3": (1, 1_000_000),
    }
    # Samarinda paid nothing: January to March are more than 3 months overdue.
    assert figures(samarinda) == {"0-1": (1, 477_000), "2-3": (2, 954_000), ">3": (3, 1_431_000)}
    assert figures(result.total) == {
        "0-1": (2, 1_908_000),
        "2-3": (4, 3_816_000),
        ">3": (4, 2_431_000),
    }
    assert (result.total.bills, result.total.amount) == (10, 8_155_000)

    # On 20 April: Balikpapan's March bill was 5 days overdue with Rp1.000.000 left; April was not due.
    april = arrears.aging(user=admin, as_of=date(2026, 4, 20))
    assert [figures(r) for r in april.rows] == [
        {"0-1": (1, 1_000_000), "2-3": (0, 0), ">3": (0, 0)},
        {"0-1": (1, 477_000), "2-3": (2, 954_000), ">3": (0, 0)},
    ]
    # After the 25 July payment March is settled.
    late_july = arrears.aging(user=admin, as_of=date(2026, 7, 26))
    assert figures(late_july.rows[0]) == {
        "0-1": (1, 1_431_000),
        "2-3": (2, 2_862_000),
        ">3": (0, 0),
    }
    # One office.
    only = arrears.aging(user=admin, as_of=JUL_20, office=Office.objects.get(code="KC-SAMARINDA"))
    assert [r.office_code for r in only.rows] == ["KC-SAMARINDA"]
    assert only.total.amount == 2_862_000
    assert ledger.check().ok


def test_aging_is_scoped(scenario: Scenario, make_user: Callable[..., Any]) -> None:
    officer = make_user(
        Role.BRANCH_OFFICER, "petugas-smd-tunggakan", office=Office.objects.get(code="KC-SAMARINDA")
    )
    assert [r.office_code for r in arrears.aging(user=officer, as_of=JUL_20).rows] == [
        "KC-SAMARINDA"
    ]
    # Aging figures are not personal data: the regional analyst sees every office...
    analyst = make_user(Role.REGIONAL_ANALYST, "analis-tunggakan")
    assert arrears.aging(user=analyst, as_of=JUL_20).total.amount == 8_155_000
    # ...but not the lists of people.
    assert list(arrears.memberships_in_arrears(user=analyst, as_of=JUL_20)) == []


def test_memberships_over_three_months_agree_with_the_selector(
    scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    s = scenario
    admin = make_user(Role.SYSTEM_ADMIN, "admin-berturut")
    rows = list(arrears.memberships_in_arrears(user=admin, as_of=JUL_20))
    assert [(r["membership_id"], r["months"]) for r in rows] == [
        (s.smd_worker.pk, 6),
        (s.bpn_workers[0].pk, 4),
        (s.bpn_workers[1].pk, 4),
        (s.bpn_workers[2].pk, 4),
    ]
    assert [r["amount"] for r in rows] == [2_862_000, 1_526_400, 1_908_000, 2_289_600]
    assert (rows[1]["oldest"], rows[1]["latest"]) == (date(2026, 3, 1), date(2026, 6, 1))
    assert (rows[0]["oldest"], rows[0]["latest"]) == (date(2026, 1, 1), date(2026, 6, 1))

    everyone = [s.smd_worker, *s.bpn_workers]
    for as_of in (
        date(2026, 3, 1),
        date(2026, 4, 20),
        date(2026, 6, 20),
        JUL_20,
        date(2026, 7, 26),
        date(2026, 12, 31),
    ):
        listed = {
            r["membership_id"]: r["months"]
            for r in arrears.memberships_in_arrears(user=admin, as_of=as_of, over=0)
        }
        for membership in everyone:
            assert listed.get(membership.pk, 0) == selectors.arrears_months(
                membership, as_of=as_of
            ), (as_of, membership.pk)
        over_three = {
            r["membership_id"] for r in arrears.memberships_in_arrears(user=admin, as_of=as_of)
        }
        assert over_three == {
            m.pk for m in everyone if selectors.in_arrears_over_three_months(m, as_of=as_of)
        }
    # On 20 June Balikpapan's workers were three months behind (March to May): not listed yet.
    june = [
        r["membership_id"]
        for r in arrears.memberships_in_arrears(user=admin, as_of=date(2026, 6, 20))
    ]
    assert june == [s.smd_worker.pk]

    payers = list(arrears.payers_in_arrears(user=admin, as_of=JUL_20))
    assert [(r["payer_id"], r["months"]) for r in payers] == [
        (s.smd_payer.pk, 6),
        (s.bpn_payer.pk, 4),
    ]
    assert [r["amount"] for r in payers] == [6 * 477_000, 4 * 1_431_000]  # billed, March to June
    assert [
        r["payer_id"] for r in arrears.payers_in_arrears(user=admin, as_of=date(2026, 7, 26))
    ] == [s.smd_payer.pk]


def test_arrears_page_and_exports(
    scenario: Scenario, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-halaman-tunggakan")
    # A fixed number, whatever the rows: the payers' list adds two queries (payers, their parties).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("contributions:arrears"), {"as_of": "2026-07-20"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "per 20 Juli 2026" in html
    assert 'data-office="KC-BALIKPAPAN"' in html and 'data-office="KC-SAMARINDA"' in html
    assert "Rp8.155.000" in html and "Rp2.431.000" in html
    assert html.count("data-membership=") == 4
    assert "Dewi Anggraini" in html
    # The payers behind them, most months first, each linked to its page.
    s = scenario
    assert html.count("data-payer=") == 2
    assert html.index(f'data-payer="{s.smd_payer.virtual_account}"') < html.index(
        f'data-payer="{s.bpn_payer.virtual_account}"'
    )
    assert reverse("contributions:payer", args=[s.bpn_payer.virtual_account]) in html
    assert "Rp5.724.000" in html  # Balikpapan: four months of Rp1.431.000 billed
    viewed = AuditEvent.objects.get(action="view", object_type="contributions.PayerAccount")
    assert viewed.changes["payers"] == [
        s.smd_payer.virtual_account,
        s.bpn_payer.virtual_account,
    ]
    assert AuditEvent.objects.filter(action="view", object_type="registry.Membership").exists()

    csv_response = client.get(
        reverse("contributions:arrears_export", args=["csv"]),
        {"as_of": "2026-07-20", "office": "KC-SAMARINDA"},
    )
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[2].startswith("KC-SAMARINDA,")
    assert lines[0] == "# umur_tunggakan"
    assert lines[1].startswith("kode_kantor,kantor,tagihan_0–1_bulan,tunggakan_0–1_bulan")
    assert lines[2].split(",")[2:] == ["1", "477000", "2", "954000", "3", "1431000", "6", "2862000"]
    assert "Dewi Anggraini" in text and "Andi Saputra" not in text
    event = AuditEvent.objects.get(action="export", object_type="contributions.Bill")
    assert event.changes == {
        "as_of": "2026-07-20",
        "office": "KC-SAMARINDA",
        "format": "csv",
        "payers": 1,
        "memberships": 1,
    }
    payer_section = text.split("# pembayar_menunggak_lebih_3_bln\n")[1].splitlines()
    assert payer_section[0].startswith("virtual_account,jenis,nama,npp,kantor,bulan_tertunggak")
    assert payer_section[1].split(",")[0] == s.smd_payer.virtual_account
    assert payer_section[1].split(",")[5:] == ["6", "2026-01", "2026-06", "2862000"]
    assert len(payer_section) == 2

    xlsx = client.get(
        reverse("contributions:arrears_export", args=["xlsx"]), {"as_of": "2026-07-20"}
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [
        "umur_tunggakan",
        "menunggak_lebih_3_bulan",
        "pembayar_menunggak_lebih_3_bln",
    ]
    assert book["pembayar_menunggak_lebih_3_bln"].max_row == 3
    total_row = [c.value for c in book["umur_tunggakan"][4]]
    assert total_row == [None, "Total", 2, 1_908_000, 4, 3_816_000, 4, 2_431_000, 10, 8_155_000]
    assert book["menunggak_lebih_3_bulan"].max_row == 5
    assert client.get(reverse("contributions:arrears_export", args=["pdf"])).status_code == 404

    employer = client_for(make_user, Role.EMPLOYER_USER, "pt-tunggakan", employer_npp="00000000")
    assert employer.get(reverse("contributions:arrears")).status_code == 403


def test_arrears_api(
    scenario: Scenario, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    s = scenario
    officer = make_user(
        Role.BRANCH_OFFICER,
        "petugas-api-tunggakan",
        office=Office.objects.get(code="KC-BALIKPAPAN"),
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(officer)}"}
    client = Client()
    body = client.get("/api/v1/arrears", {"as_of": "2026-07-20"}, **headers).json()
    assert body["buckets"] == ["0-1", "2-3", ">3"]
    assert [o["office"] for o in body["offices"]] == ["KC-BALIKPAPAN"]
    assert body["total"]["buckets"] == {
        "0-1": {"bills": 1, "amount": 1_431_000},
        "2-3": {"bills": 2, "amount": 2_862_000},
        ">3": {"bills": 1, "amount": 1_000_000},
    }
    assert body["total"]["amount"] == 5_293_000
    listed = client.get("/api/v1/arrears/memberships", {"as_of": "2026-07-20"}, **headers).json()
    assert listed["count"] == 3
    assert [m["kpj_number"] for m in listed["items"]] == [
        m.participant.kpj_number for m in s.bpn_workers
    ]
    assert (
        listed["items"][0]["months"] == 4 and listed["items"][0]["employer_npp"] == s.balikpapan.npp
    )
    payers = client.get("/api/v1/arrears/payers", {"as_of": "2026-07-20"}, **headers).json()
    assert payers["count"] == 1  # the officer's office only
    assert payers["items"] == [
        {
            "virtual_account": s.bpn_payer.virtual_account,
            "kind": "employer",
            "name": s.balikpapan.name,
            "employer_npp": s.balikpapan.npp,
            "office": "KC-BALIKPAPAN",
            "months": 4,
            "oldest": "2026-03-01",
            "latest": "2026-06-01",
            "amount": 4 * 1_431_000,
        }
    ]
    assert AuditEvent.objects.filter(
        action="view", object_type="contributions.PayerAccount", actor=officer
    ).exists()
    bad = client.get("/api/v1/arrears", {"as_of": "9999-12-31"}, **headers)
    assert bad.status_code == 422
    unknown = client.get("/api/v1/arrears", {"office": "KC-ENTAH"}, **headers)
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_office"


def test_arrears_page_opens_without_a_query(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user(Role.BRANCH_OFFICER))
    assert client.get(reverse("contributions:arrears")).status_code == 200


def test_late_bills_count_for_the_payer_as_for_the_membership(
    balikpapan: Any, person: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    """An employer's only worker, registered in May back-dated to January: January–April come on
    late bills (due with May's). On 20 July the worker and the employer are both six months in
    arrears (January–June): the payers' list counts the late bills (it read monthly bills only, and
    said two). Once the late bills are paid, both say two and neither is listed."""
    from jaminan.contributions import billing, payments
    from jaminan.contributions.models import Bill, Payment
    from jaminan.registry import services

    months = [date(2026, m, 1) for m in range(1, 7)]
    employer = services.register_employer(
        name="PT Terlambat Daftar",
        legal_form="PT",
        kbli="41011",
        size_class="small",
        risk_group=1,
        regency=balikpapan,
        registered_on=date(2025, 12, 1),
    )
    for month in months[:4]:
        billing.run_billing(month=month, today=month)
    worker = services.register_pu_worker(
        employer=employer,
        person=person(),
        wage=5_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 5, 10),
    )
    billing.run_billing(month=months[4], today=date(2026, 5, 10))
    billing.run_billing(month=months[5], today=date(2026, 6, 10))
    payer = billing.ensure_payer_account(employer=employer)
    late = Bill.objects.filter(payer=payer, kind=Bill.Kind.LATE).order_by("month")
    assert [b.month for b in late] == months[:4]
    admin = make_user(Role.SYSTEM_ADMIN, "admin-tunggakan-susulan")

    rows = list(arrears.payers_in_arrears(user=admin, as_of=JUL_20))
    billed = sum(Bill.objects.filter(payer=payer).values_list("amount", flat=True))
    assert [(r["payer_id"], r["months"], r["oldest"], r["latest"], r["amount"]) for r in rows] == [
        (payer.pk, 6, months[0], months[5], billed)
    ]
    assert selectors.arrears_months(worker, as_of=JUL_20) == 6

    payments.record_payment(
        payer=payer,
        reference="SUSULAN-1",
        amount=sum(b.amount for b in late),
        paid_on=date(2026, 6, 20),
        channel=Payment.Channel.MANUAL,
    )
    by_payer = {
        r["payer_id"]: r["months"]
        for r in arrears.payers_in_arrears(user=admin, as_of=JUL_20, over=0)
    }
    assert by_payer == {payer.pk: 2}
    assert selectors.arrears_months(worker, as_of=JUL_20) == 2
    assert list(arrears.payers_in_arrears(user=admin, as_of=JUL_20)) == []
    assert ledger.check().ok
