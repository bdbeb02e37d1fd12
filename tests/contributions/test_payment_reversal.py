"""Reversing (cancelling) or moving a wrongly posted payment: bills reopen, credit, fines, ledger,
refusals, scope, the reference kept (payments.reverse_payment → reversals.reverse_payment)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import bankfile, ledger, payments, reversals
from jaminan.contributions.models import (
    Allocation,
    Bill,
    Fine,
    JournalEntry,
    PayerAccount,
    Payment,
    PaymentReversal,
)
from jaminan.geo.models import Office
from tests.contributions.test_payments import (
    bill_month,
    employer_payer,
    make_employer,
    ok_ledger,
    pay,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.BRANCH_OFFICER, "kc-bpn")  # KC Balikpapan: regency 64.71


def _state(bill: Bill) -> tuple[int, str, date | None]:
    bill.refresh_from_db()
    return bill.paid_amount, bill.status, bill.paid_on


def test_reverse_payment_reopens_bills_and_undoes_allocations_made_later_from_its_credit(
    officer: Any,
) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    feb = bill_month(payer, date(2026, 2, 1))
    # Pays January and February, and Rp200.000 more that stays as credit ...
    p1 = pay(payer, "R-1", jan.amount + feb.amount + 200_000, date(2026, 2, 10))
    payer.refresh_from_db()
    assert payer.credit == 200_000
    # ... which pays part of March when its bill comes (an allocation made later).
    mar = bill_month(payer, date(2026, 3, 1))
    payments.apply_credit(payer, on=date(2026, 3, 2))
    assert _state(jan) == (jan.amount, Bill.Status.PAID, date(2026, 2, 10))
    assert _state(mar) == (200_000, Bill.Status.PARTLY_PAID, None)
    ok_ledger()

    reversal = reversals.reverse_payment(payment=p1, reason="Transfer ditolak bank", actor=officer)

    assert _state(jan) == (0, Bill.Status.OPEN, None)
    assert _state(feb) == (0, Bill.Status.OPEN, None)
    assert _state(mar) == (0, Bill.Status.OPEN, None)
    payer.refresh_from_db()
    assert payer.credit == 0
    p1.refresh_from_db()
    assert p1.reversed_at is not None and p1.reversed_by == officer
    assert p1.reversal_reason == "Transfer ditolak bank"
    assert p1.reference == "R-1" and p1.payer_id == payer.pk
    # History kept: the allocations stay, marked, and count nowhere.
    assert Allocation.all_objects.filter(payment=p1, reversal=reversal).count() == 3
    assert not Allocation.objects.filter(payment=p1).exists()
    assert not jan.allocations.exists()
    entry = JournalEntry.objects.get(kind=JournalEntry.Kind.REVERSAL, payment=p1)
    assert sum(p.amount for p in entry.postings.all()) == 0
    ok_ledger()
    # Open bills again: the payer's page shows the whole outstanding amount.
    detail = payments.payer_detail(user=officer, virtual_account=payer.virtual_account)
    assert detail.outstanding == jan.amount + feb.amount + mar.amount
    assert detail.allocations == []
    event = AuditEvent.objects.filter(object_type="contributions.Payment", object_id=str(p1.pk))
    changes = event.filter(action="update").get().changes
    assert changes["reason"] == "Transfer ditolak bank"
    assert len(changes["allocations_undone"]) == 3
    assert (changes["credit_before"], changes["credit_after"]) == (0, 0)


def test_other_credit_of_the_payer_pays_the_reopened_bill(officer: Any) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "R-1", jan.amount + 300_000, date(2026, 2, 10))
    pay(payer, "R-2", 500_000, date(2026, 2, 11))
    payer.refresh_from_db()
    assert payer.credit == 800_000

    reversals.reverse_payment(payment=p1, reason="Diketik dua kali", actor=officer)

    # R-1's Rp300.000 of credit left with it; R-2's Rp500.000 pays the reopened January.
    assert _state(jan) == (500_000, Bill.Status.PARTLY_PAID, None)
    payer.refresh_from_db()
    assert payer.credit == 0
    assert list(Allocation.objects.values_list("payment__reference", "amount")) == [
        ("R-2", 500_000)
    ]
    ok_ledger()


def test_move_to_another_payer(officer: Any) -> None:
    wrong = employer_payer(make_employer())
    right = employer_payer(make_employer(serial=2))
    jan_wrong = bill_month(wrong, date(2026, 1, 1))
    jan_right = bill_month(right, date(2026, 1, 1))
    assert jan_wrong.amount == jan_right.amount
    p1 = pay(wrong, "VA-SALAH", jan_right.amount + 1_000, date(2026, 2, 10))

    reversal = reversals.reverse_payment(
        payment=p1, reason="VA salah ketik", actor=officer, move_to=right
    )

    assert reversal.moved_to == right and reversal.payer == wrong
    assert _state(jan_wrong) == (0, Bill.Status.OPEN, None)
    assert _state(jan_right) == (jan_right.amount, Bill.Status.PAID, date(2026, 2, 10))
    p1.refresh_from_db()
    assert (p1.payer_id, p1.reference, p1.amount, p1.paid_on) == (
        right.pk,
        "VA-SALAH",
        jan_right.amount + 1_000,
        date(2026, 2, 10),
    )
    assert p1.reversed_at is None
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert (wrong.credit, right.credit) == (0, 1_000)
    ok_ledger()
    # The moved payment can be moved back (a new reversal at its new payer).
    reversals.reverse_payment(payment=p1, reason="Salah pindah", actor=officer, move_to=wrong)
    assert _state(jan_wrong)[1] == Bill.Status.PAID
    assert _state(jan_right) == (0, Bill.Status.OPEN, None)
    ok_ledger()


def test_unbilled_fine_is_cancelled(officer: Any) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "LATE", jan.amount, date(2026, 3, 20))
    fine = Fine.objects.get()
    reversals.reverse_payment(payment=p1, reason="Bukan pembayaran peserta ini", actor=officer)
    assert not Fine.objects.exists()
    assert _state(jan) == (0, Bill.Status.OPEN, None)
    changes = AuditEvent.objects.filter(action="update", object_id=str(p1.pk)).get().changes
    assert changes["fines_cancelled"] == [[fine.pk, jan.pk, fine.amount]]
    ok_ledger()
    # The next bill carries no fine.
    feb = bill_month(payer, date(2026, 2, 1))
    assert not feb.lines.filter(kind="fine").exists()
    ok_ledger()


def test_billed_fine_refuses_the_whole_reversal(officer: Any) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "LATE", jan.amount, date(2026, 3, 20))
    feb = bill_month(payer, date(2026, 2, 1))  # carries January's fine
    fine = Fine.objects.get()
    assert fine.billed_line is not None
    with pytest.raises(reversals.FineAlreadyBilled) as exc:
        reversals.reverse_payment(payment=p1, reason="Salah", actor=officer)
    assert feb.number in exc.value.message
    p1.refresh_from_db()
    assert p1.reversed_at is None
    assert _state(jan)[1] == Bill.Status.PAID
    assert Allocation.objects.filter(payment=p1).count() == 1
    assert Fine.objects.filter(pk=fine.pk).exists()
    assert not PaymentReversal.objects.exists()
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.REVERSAL).exists()
    ok_ledger()


def test_refusals(officer: Any, make_user: Callable[..., Any]) -> None:
    employer = make_employer()
    payer = employer_payer(employer)
    bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "R-1", 100_000, date(2026, 2, 10))
    for reason in ("", "   "):
        with pytest.raises(payments.PaymentError) as exc:
            reversals.reverse_payment(payment=p1, reason=reason, actor=officer)
        assert exc.value.field == "reason"
    with pytest.raises(payments.PaymentError) as exc:
        reversals.reverse_payment(payment=p1, reason="x", actor=officer, move_to=payer)
    assert exc.value.field == "move_to"
    samarinda = make_user(
        Role.BRANCH_OFFICER, "kc-smd", office=Office.objects.get(code="KC-SAMARINDA")
    )
    with pytest.raises(payments.PayerNotFound):
        reversals.reverse_payment(payment=p1, reason="x", actor=samarinda)
    other = employer_payer(make_employer("64.72", serial=3))  # Samarinda
    with pytest.raises(payments.PayerNotFound):
        reversals.reverse_payment(payment=p1, reason="x", actor=officer, move_to=other)
    employer_user = make_user(Role.EMPLOYER_USER, "emp", employer_npp=employer.npp)
    with pytest.raises(PermissionError):
        reversals.reverse_payment(payment=p1, reason="x", actor=employer_user)
    assert not PaymentReversal.objects.exists()
    reversals.reverse_payment(payment=p1, reason="Transfer ditolak", actor=officer)
    with pytest.raises(reversals.PaymentAlreadyReversed) as already:
        reversals.reverse_payment(payment=p1, reason="lagi", actor=officer)
    assert "sudah dibatalkan" in already.value.message
    assert PaymentReversal.objects.count() == 1
    ok_ledger()


def test_reversed_reference_is_not_stored_again(officer: Any) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "BNK-9", jan.amount, date(2026, 2, 10))
    reversals.reverse_payment(payment=p1, reason="Transfer ditolak", actor=officer)
    with pytest.raises(payments.ReferenceConflict) as exc:
        pay(payer, "BNK-9", jan.amount, date(2026, 2, 10))
    assert exc.value.code == "already_reversed"
    assert "sudah dibatalkan pada" in exc.value.message
    content = (
        "tanggal,referensi,virtual_account,jumlah,keterangan\n"
        f"2026-02-10,BNK-9,{payer.virtual_account},{jan.amount},\n"
    ).encode()
    report = bankfile.import_bank_file(content=content, filename="bank.csv", scoped=False)
    [line] = report.lines
    assert (line.status, line.kode) == ("duplicate", "reversed")
    assert "sudah dibatalkan pada" in line.pesan
    assert Payment.objects.count() == 1
    assert _state(jan) == (0, Bill.Status.OPEN, None)
    ok_ledger()


def test_ledger_check_reports_a_live_allocation_on_a_reversed_payment(officer: Any) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "R-1", jan.amount, date(2026, 2, 10))
    reversals.reverse_payment(payment=p1, reason="Transfer ditolak", actor=officer)
    ok_ledger()
    Allocation.all_objects.filter(payment=p1).update(reversal=None)  # tampered
    result = ledger.check()
    assert any("reversed but 1 live allocations" in b for b in result.breaches), result.breaches


def test_ledger_check_reports_a_reversal_without_its_mirror(officer: Any) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "R-1", jan.amount, date(2026, 2, 10))
    reversals.reverse_payment(payment=p1, reason="Transfer ditolak", actor=officer)
    # The payment marked live again but its cash stays reversed.
    Payment.objects.filter(pk=p1.pk).update(reversed_at=None)
    result = ledger.check()
    assert any("payment R-1" in b and "cash posted 0" in b for b in result.breaches), (
        result.breaches
    )
    assert PayerAccount.objects.get(pk=payer.pk).credit == 0


# ------------------------------------------------------------------------------------------------ API


def test_api_reversal_and_move(officer: Any, token_for: Callable[[Any], str]) -> None:
    wrong = employer_payer(make_employer())
    right = employer_payer(make_employer(serial=2))
    jan = bill_month(wrong, date(2026, 1, 1))
    jan_right = bill_month(right, date(2026, 1, 1))
    p1 = pay(wrong, "API/1", jan.amount, date(2026, 2, 10))
    p2 = pay(wrong, "API-2", 5_000, date(2026, 2, 11))
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(officer)}"}
    url = "/api/v1/payments/API/1/reversal"
    missing = client.post(url, {"reason": " "}, content_type="application/json", **headers)
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    assert missing.json()["code"] == "reason_required"
    moved = client.post(
        url,
        {"reason": "VA salah", "move_to": right.virtual_account},
        content_type="application/json",
        **headers,
    )
    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert (body["moved_to"], body["from_virtual_account"]) == (
        right.virtual_account,
        wrong.virtual_account,
    )
    assert body["allocations_undone"] == 1
    assert body["payment"]["virtual_account"] == right.virtual_account
    assert body["payment"]["allocations"][0]["bill_id"] == jan_right.pk
    cancelled = client.post(
        "/api/v1/payments/API-2/reversal",
        {"reason": "Diketik dua kali", "move_to": None},
        content_type="application/json",
        **headers,
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["payment"]["reversed_at"] is not None
    again = client.post(
        "/api/v1/payments/API-2/reversal",
        {"reason": "lagi"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 409 and again.json()["code"] == "already_reversed"
    unknown = client.post(
        "/api/v1/payments/NOPE/reversal",
        {"reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert unknown.status_code == 404
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert p1.payer_id == right.pk and p2.reversed_at is not None
    ok_ledger()


def test_api_reversal_refused_to_employer(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    employer = make_employer()
    payer = employer_payer(employer)
    pay(payer, "API-3", 5_000, date(2026, 2, 11))
    user = make_user(Role.EMPLOYER_USER, "emp", employer_npp=employer.npp)
    response = Client().post(
        "/api/v1/payments/API-3/reversal",
        {"reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user)}",
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not PaymentReversal.objects.exists()


# ------------------------------------------------------------------------------------------------ web


def test_web_form_cancels_and_shows_the_payment_struck(officer: Any) -> None:
    payer = employer_payer(make_employer())
    jan = bill_month(payer, date(2026, 1, 1))
    p1 = pay(payer, "WEB-1", jan.amount, date(2026, 2, 10))
    client = Client()
    client.force_login(officer)
    page = client.get(f"/iuran/pembayar/{payer.virtual_account}/")
    assert "Batalkan / pindahkan pembayaran" in page.content.decode()
    url = f"/iuran/pembayar/{payer.virtual_account}/pembayaran/{p1.pk}/batalkan/"
    assert client.get(url).status_code == 405
    # No reason: refused, nothing changed, said on the page.
    refused = client.post(url, {"reason": "", "confirm": "on"}, follow=True)
    assert "Alasan pembatalan wajib diisi." in refused.content.decode()
    p1.refresh_from_db()
    assert p1.reversed_at is None
    done = client.post(url, {"reason": "Transfer ditolak bank", "confirm": "on"}, follow=True)
    text = done.content.decode()
    assert "dibatalkan; tagihannya dibuka kembali" in text
    assert f'data-reversal-of="{p1.pk}"' in text and "Transfer ditolak bank" in text
    assert "<del>WEB-1</del>" in text
    assert _state(jan) == (0, Bill.Status.OPEN, None)
    ok_ledger()


def test_web_form_moves_and_refuses_employer(officer: Any, make_user: Callable[..., Any]) -> None:
    employer = make_employer()
    wrong = employer_payer(employer)
    right = employer_payer(make_employer(serial=2))
    p1 = pay(wrong, "WEB-2", 10_000, date(2026, 2, 10))
    url = f"/iuran/pembayar/{wrong.virtual_account}/pembayaran/{p1.pk}/batalkan/"
    emp = Client()
    emp.force_login(make_user(Role.EMPLOYER_USER, "emp", employer_npp=employer.npp))
    assert emp.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
    client = Client()
    client.force_login(officer)
    done = client.post(
        url,
        {"reason": "VA salah", "move_to": right.virtual_account, "confirm": "on"},
        follow=True,
    )
    assert f"dipindahkan ke {right.virtual_account}" in done.content.decode()
    assert 'id="payer-moved-away"' in done.content.decode()
    p1.refresh_from_db()
    right.refresh_from_db()
    assert p1.payer_id == right.pk and right.credit == 10_000
    ok_ledger()
