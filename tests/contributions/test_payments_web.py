"""Payment screens and API: entry form, bank-file upload with its result, payer page, list; API
endpoints; roles, scoping (another office's officer gets 404) and query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import billing, ledger
from jaminan.contributions.models import Bill, PayerAccount, Payment
from jaminan.geo.models import Office
from jaminan.rules.core import add_months
from tests.contributions.test_payments import (
    bill_month,
    employer_payer,
    make_bpu,
    make_employer,
    pay,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.BRANCH_OFFICER, "petugas-bpn")  # KC Balikpapan


@pytest.fixture
def samarinda_officer(make_user: Callable[..., Any]) -> Any:
    return make_user(
        Role.BRANCH_OFFICER, "petugas-smd", office=Office.objects.get(code="KC-SAMARINDA")
    )


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any, token_for: Callable[[Any], str]) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


@pytest.fixture
def billed(reference: None) -> tuple[Any, PayerAccount, Bill]:
    employer = make_employer()
    payer = employer_payer(employer)
    return employer, payer, bill_month(payer, date(2026, 1, 1))


# ------------------------------------------------------------------------------------------------ web


def test_entry_form_records_and_redirects_to_payer(
    billed: tuple[Any, PayerAccount, Bill], officer: Any
) -> None:
    employer, payer, jan = billed
    client = browser(officer)
    assert 'id="payment-form"' in html(client.get("/iuran/pembayaran/baru/"))
    form = {
        "payer": employer.npp,
        "amount": f"{jan.amount:,}".replace(",", "."),
        "paid_on": "2026-02-10",
        "reference": "WEB-1",
        "note": "setoran loket",
    }
    response = client.post("/iuran/pembayaran/baru/", form)
    assert response.status_code == 302
    assert response["Location"] == f"/iuran/pembayar/{payer.virtual_account}/"
    jan.refresh_from_db()
    assert jan.status == Bill.Status.PAID
    payment = Payment.objects.get()
    assert (payment.channel, payment.entered_by, payment.note) == (
        "manual",
        officer,
        "setoran loket",
    )
    page = html(client.get(response["Location"]))
    assert "WEB-1" in page and jan.number in page and "lunas" in page
    assert 'id="credit">Rp0<' in page
    # Posting the same form again records nothing new and says so.
    response = client.post("/iuran/pembayaran/baru/", form, follow=True)
    assert "sudah tercatat sebelumnya" in html(response)
    assert Payment.objects.count() == 1
    assert ledger.check().ok


def test_entry_form_errors(billed: tuple[Any, PayerAccount, Bill], officer: Any) -> None:
    employer, payer, _jan = billed
    client = browser(officer)
    pay(payer, "USED", 1_000, date(2026, 2, 1))
    page = html(
        client.post(
            "/iuran/pembayaran/baru/",
            {"payer": "99999999", "amount": "1000", "paid_on": "2026-02-10", "reference": "R"},
        )
    )
    assert "tidak ditemukan" in page
    page = html(
        client.post(
            "/iuran/pembayaran/baru/",
            {"payer": employer.npp, "amount": "2000", "paid_on": "2026-02-10", "reference": "USED"},
        )
    )
    assert "sudah tercatat untuk pembayaran lain" in page
    page = html(
        client.post(
            "/iuran/pembayaran/baru/",
            {"payer": employer.npp, "amount": "12,5", "paid_on": "2026-02-10", "reference": "X"},
        )
    )
    assert "is-invalid" in page
    assert Payment.objects.count() == 1


def test_bank_file_upload_result_and_download(
    billed: tuple[Any, PayerAccount, Bill], officer: Any, samarinda_officer: Any
) -> None:
    _employer, payer, jan = billed
    content = (
        "tanggal,referensi,virtual_account,jumlah,keterangan\n"
        f"2026-02-10,UP-1,{payer.virtual_account},{jan.amount},iuran\n"
        "2026-02-10,UP-2,8889100000009999,1000,salah\n"
    ).encode()
    client = browser(officer)
    url = "/iuran/pembayaran/rekening-koran/"
    assert 'id="bank-file-form"' in html(client.get(url))
    page = html(client.post(url, {"file": SimpleUploadedFile("bank.csv", content)}))
    assert "posted 1, duplicate 0, rejected 1" in page
    assert "virtual_account_unknown" in page
    start = page.index("/iuran/pembayaran/rekening-koran/hasil/")
    link = page[start : page.index('"', start)]
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = download.content.decode().splitlines()
    assert rows[0] == "baris,referensi,status,kolom,kode,pesan"
    assert rows[1].startswith("2,UP-1,posted") and rows[2].startswith("3,UP-2,rejected")
    assert AuditEvent.objects.filter(action="export", actor=officer).exists()
    # Another session cannot download it; the same file again is all duplicates.
    assert browser(samarinda_officer).get(link).status_code == 404
    page = html(client.post(url, {"file": SimpleUploadedFile("bank.csv", content)}))
    assert "posted 0, duplicate 1, rejected 1" in page
    page = html(client.post(url, {"file": SimpleUploadedFile("x.csv", b"a,b\n")}))
    assert 'id="file-error"' in page and "Judul kolom" in page
    assert client.get(f"{url}templat.csv").content.startswith(b"tanggal,referensi,")


def test_entry_form_payment_date_before_2015_07_01_on_its_field(
    billed: tuple[Any, PayerAccount, Bill], officer: Any
) -> None:
    employer, _payer, _jan = billed
    page = html(
        browser(officer).post(
            "/iuran/pembayaran/baru/",
            {"payer": employer.npp, "amount": "1000", "paid_on": "1900-01-01", "reference": "OLD"},
        )
    )
    error = page[page.index('id="error-paid_on"') :]
    assert error[: error.index("</div>")].count("Tanggal bayar tidak boleh sebelum 01/07/2015") == 1
    assert not Payment.objects.exists()


def test_bank_file_page_speaks_indonesian(
    billed: tuple[Any, PayerAccount, Bill], officer: Any
) -> None:
    _employer, payer, _jan = billed
    content = (
        "tanggal,referensi,virtual_account,jumlah,keterangan\n"
        f"2026-02-10,ID-1,{payer.virtual_account},1000,\n"
        f"2026-02-10,ID-1,{payer.virtual_account},1000,\n"
        f"2026-02-10,ID-2,{payer.virtual_account},8,400,catatan\n"
    ).encode()
    page = html(
        browser(officer).post(
            "/iuran/pembayaran/rekening-koran/", {"file": SimpleUploadedFile("b.csv", content)}
        )
    )
    counts = page[page.index('id="bank-file-counts"') :]
    counts = counts[: counts.index("</div>")]
    assert counts.endswith(">tercatat 1, duplikat 1, ditolak 1")
    table = page[page.index('id="bank-file-result"') : page.index("</table>")]
    status_cells = [row.split("<td>")[2].split("</td>")[0] for row in table.split("<tr")[2:]]
    assert status_cells == ["tercatat", "duplikat", "ditolak"]
    for code in ("posted", "duplicate", "rejected"):  # machine codes only in data attributes
        assert f">{code}<" not in page and f'data-status="{code}"' in table
    assert "row_too_wide" in table and "Baris memiliki 6 kolom, kepala berkas 5" in table


def test_payer_page_scoping_and_roles(
    billed: tuple[Any, PayerAccount, Bill],
    officer: Any,
    samarinda_officer: Any,
    make_user: Callable[..., Any],
) -> None:
    employer, payer, _jan = billed
    other = employer_payer(make_employer("64.72", serial=2))
    url = f"/iuran/pembayar/{payer.virtual_account}/"
    assert browser(officer).get(url).status_code == 200
    assert browser(samarinda_officer).get(url).status_code == 404
    own = make_user(Role.EMPLOYER_USER, "hrd", employer_npp=employer.npp)
    page = html(browser(own).get(url))
    assert 'id="pay-link"' not in page  # employer users read, do not record
    assert browser(own).get(f"/iuran/pembayar/{other.virtual_account}/").status_code == 404
    assert browser(own).get("/iuran/pembayaran/baru/").status_code == 403
    assert browser(own).get("/iuran/pembayaran/rekening-koran/").status_code == 403
    assert browser(officer).get("/iuran/pembayar/12345/").status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_payment_list_scoped_filtered_and_query_count(
    billed: tuple[Any, PayerAccount, Bill],
    officer: Any,
    samarinda_officer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _employer, payer, _jan = billed
    for i in range(30):
        pay(payer, f"L-{i:02d}", 1_000 + i, date(2026, 2, 1 + i % 20))
    client = browser(officer)
    # session, user, scope+office; count; page of payments with payers; the audit event.
    with django_assert_max_num_queries(9):
        page = html(client.get("/iuran/pembayaran/"))
    assert page.count('data-payment="') == 30
    page = html(client.get("/iuran/pembayaran/", {"q": "L-07"}))
    assert page.count('data-payment="') == 1 and "Rp1.007" in page
    page = html(client.get("/iuran/pembayaran/", {"dari": "2026-02-19", "sampai": "2026-02-20"}))
    assert page.count('data-payment="') == 2
    assert 'id="no-payments"' in html(browser(samarinda_officer).get("/iuran/pembayaran/"))
    assert AuditEvent.objects.filter(
        action="view", object_type="contributions.Payment", actor=officer
    ).exists()


def test_payer_page_query_count(
    billed: tuple[Any, PayerAccount, Bill], officer: Any, django_assert_max_num_queries: Any
) -> None:
    _employer, payer, _jan = billed
    for month in range(2, 7):
        bill_month(payer, date(2026, month, 1))
    for i in range(10):
        pay(payer, f"Q-{i}", 100_000, date(2026, 3, 1 + i))
    client = browser(officer)
    with django_assert_max_num_queries(14):
        html(client.get(f"/iuran/pembayar/{payer.virtual_account}/"))


def test_advance_from_payer_page(reference: None, officer: Any) -> None:
    membership = make_bpu(start=timezone.localdate().replace(day=1))
    payer = billing.ensure_payer_account(participant=membership.participant)
    client = browser(officer)
    url = f"/iuran/pembayar/{payer.virtual_account}/"
    assert 'id="advance-form"' in html(client.get(url))
    today = timezone.localdate().isoformat()
    response = client.post(
        f"{url}bayar-di-muka/", {"months": "3", "paid_on": today, "reference": "ADV-W"}, follow=True
    )
    page = html(response)
    assert "Bayar di muka 3 bulan" in page
    assert Bill.objects.filter(payer=payer, status="paid").count() == 3
    response = client.post(
        f"{url}bayar-di-muka/", {"months": "2", "paid_on": today, "reference": "ADV-X"}, follow=True
    )
    assert Payment.objects.count() == 1
    assert ledger.check().ok


def test_advance_form_errors_on_their_fields_and_a_repeat_says_so(
    reference: None, officer: Any
) -> None:
    membership = make_bpu(start=timezone.localdate().replace(day=1))
    payer = billing.ensure_payer_account(participant=membership.participant)
    client = browser(officer)
    url = f"/iuran/pembayar/{payer.virtual_account}/bayar-di-muka/"
    today = timezone.localdate().isoformat()

    def field_error(page: str, name: str) -> str:
        part = page[page.index(f'id="error-{name}"') :]
        return part[: part.index("</div>")]

    # A form error and a service refusal are each shown on the field they concern.
    page = html(client.post(url, {"months": "2", "paid_on": today, "reference": ""}))
    assert 'id="advance-form"' in page
    assert "Masukkan pilihan yang valid. 2 bukan" in field_error(page, "months")
    assert "Bidang ini tidak boleh kosong." in field_error(page, "reference")
    assert "</span>" not in field_error(page, "paid_on")
    page = html(client.post(url, {"months": "1", "paid_on": "1900-01-01", "reference": "ADV-OLD"}))
    assert "Tanggal bayar tidak boleh sebelum 01/07/2015" in field_error(page, "paid_on")
    assert 'value="ADV-OLD"' in page  # what was typed is kept
    assert not Payment.objects.exists()

    response = client.post(
        url, {"months": "3", "paid_on": today, "reference": "ADV-W"}, follow=True
    )
    assert "Bayar di muka 3 bulan" in html(response)
    # The same reference again: nothing new, and the message says it was recorded before.
    page = html(
        client.post(url, {"months": "3", "paid_on": today, "reference": "ADV-W"}, follow=True)
    )
    assert "Pembayaran dengan referensi ADV-W sudah tercatat sebelumnya" in page
    assert "Bayar di muka 3 bulan" not in page
    # A refusal about no field of the form is shown above it.
    bill_month(payer, add_months(timezone.localdate().replace(day=1), 3))  # left open
    page = html(client.post(url, {"months": "1", "paid_on": today, "reference": "ADV-Y"}))
    errors = page[page.index('id="advance-errors"') :]
    assert errors[: errors.index("</div></div>")].count("Masih ada tagihan yang belum lunas") == 1
    assert Payment.objects.count() == 1
    assert ledger.check().ok


# ------------------------------------------------------------------------------------------------ API


def test_api_post_payment_idempotent(
    billed: tuple[Any, PayerAccount, Bill], officer: Any, token_for: Callable[[Any], str]
) -> None:
    _employer, payer, jan = billed
    client = api(officer, token_for)
    body = {
        "payer": payer.virtual_account,
        "reference": "API-1",
        "amount": jan.amount + 5_000,
        "paid_on": "2026-02-10",
    }
    r = client.post("/api/v1/payments", body, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["created"] is True and data["credit"] == 5_000
    assert data["allocations"] == [
        {
            "bill_id": jan.pk,
            "bill_number": jan.number,
            "month": "2026-01-01",
            "amount": jan.amount,
            "allocated_on": "2026-02-10",
        }
    ]
    assert data["fines"] == [] and data["channel"] == "api"
    r = client.post("/api/v1/payments", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["created"] is False and r.json()["id"] == data["id"]
    r = client.post("/api/v1/payments", {**body, "amount": 1}, content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "reference_conflict" and r.json()["field"] == "reference"
    r = client.post("/api/v1/payments", {**body, "payer": "0000"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = client.post(
        "/api/v1/payments",
        {**body, "reference": "API-2", "paid_on": "2999-01-01"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        422,
        "paid_on_in_future",
        "paid_on",
    )
    assert Payment.objects.count() == 1
    assert ledger.check().ok


@pytest.mark.parametrize("amount", ["1.000", "1000", 1000.0, 1000.5, True, None])
def test_api_amount_must_be_a_json_integer(
    billed: tuple[Any, PayerAccount, Bill],
    officer: Any,
    token_for: Callable[[Any], str],
    amount: Any,
) -> None:
    _employer, payer, _jan = billed
    body = {
        "payer": payer.virtual_account,
        "reference": "API-STR",
        "amount": amount,
        "paid_on": "2026-02-10",
    }
    r = api(officer, token_for).post("/api/v1/payments", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid" and r.json()["field"] == "amount"
    assert r.json()["message"].startswith("Masukan tidak sah: amount harus bilangan bulat")
    assert not Payment.objects.exists()


def test_api_payment_date_before_2015_07_01(
    billed: tuple[Any, PayerAccount, Bill], officer: Any, token_for: Callable[[Any], str]
) -> None:
    _employer, payer, _jan = billed
    body = {
        "payer": payer.virtual_account,
        "reference": "API-OLD",
        "amount": 1_000,
        "paid_on": "1900-01-01",
    }
    r = api(officer, token_for).post("/api/v1/payments", body, content_type="application/json")
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        422,
        "paid_on_too_early",
        "paid_on",
    )
    assert not Payment.objects.exists()


def test_api_late_payment_reports_fine(
    billed: tuple[Any, PayerAccount, Bill], officer: Any, token_for: Callable[[Any], str]
) -> None:
    _employer, payer, jan = billed
    r = api(officer, token_for).post(
        "/api/v1/payments",
        {
            "payer": payer.virtual_account,
            "reference": "API-LATE",
            "amount": jan.amount,
            "paid_on": "2026-03-20",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    (fine,) = r.json()["fines"]
    assert fine["months_late"] == 2 and fine["amount"] == (jan.amount * 4 + 50) // 100
    assert fine["billed"] is False


def test_api_roles_and_scoping(
    billed: tuple[Any, PayerAccount, Bill],
    officer: Any,
    samarinda_officer: Any,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
) -> None:
    employer, payer, _jan = billed
    pay(payer, "SC-1", 1_000, date(2026, 2, 1))
    body = {
        "payer": payer.virtual_account,
        "reference": "SC-2",
        "amount": 1,
        "paid_on": "2026-02-01",
    }
    r = api(samarinda_officer, token_for).post(
        "/api/v1/payments", body, content_type="application/json"
    )
    assert r.status_code == 404
    assert (
        api(samarinda_officer, token_for).get(f"/api/v1/payers/{payer.virtual_account}").status_code
        == 404
    )
    assert api(samarinda_officer, token_for).get("/api/v1/payments").json()["count"] == 0
    own = make_user(Role.EMPLOYER_USER, "hrd", employer_npp=employer.npp)
    client = api(own, token_for)
    r = client.post("/api/v1/payments", body, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = client.get("/api/v1/payments")
    assert r.status_code == 200 and [p["reference"] for p in r.json()["items"]] == ["SC-1"]
    r = client.get(f"/api/v1/payers/{payer.virtual_account}")
    assert r.status_code == 200
    data = r.json()
    assert data["npp"] == employer.npp and data["credit"] == 0 and data["open_bills"] == 1
    assert data["bills"][0]["paid_amount"] == 1_000 and data["bills"][0]["status"] == "partly_paid"
    assert data["outstanding"] == data["bills"][0]["amount"] - 1_000
    analyst = make_user(Role.REGIONAL_ANALYST, "analis")
    assert api(analyst, token_for).get("/api/v1/payments").status_code == 403


def test_api_bank_file(
    billed: tuple[Any, PayerAccount, Bill], officer: Any, token_for: Callable[[Any], str]
) -> None:
    _employer, payer, jan = billed
    content = (
        "tanggal,referensi,virtual_account,jumlah,keterangan\n"
        f"10/02/2026,BF-1,{payer.virtual_account},{jan.amount},\n"
        f"2026-02-10,BF-2,{payer.virtual_account},nol,\n"
    ).encode()
    client = api(officer, token_for)
    r = client.post(
        "/api/v1/payments/bank-file",
        {"file": SimpleUploadedFile("b.csv", content), "dry_run": "true"},
    )
    assert r.status_code == 200, r.content
    assert (r.json()["posted"], r.json()["rejected"], r.json()["dry_run"]) == (1, 1, True)
    assert not Payment.objects.exists()
    for expected in ((1, 0, 1), (0, 1, 1)):
        r = client.post(
            "/api/v1/payments/bank-file", {"file": SimpleUploadedFile("b.csv", content)}
        )
        data = r.json()
        assert (data["posted"], data["duplicate"], data["rejected"]) == expected
    assert data["lines"][1] == {
        "baris": 3,
        "referensi": "BF-2",
        "status": "rejected",
        "kolom": "jumlah",
        "kode": "amount_invalid",
        "pesan": data["lines"][1]["pesan"],
    }
    r = client.post("/api/v1/payments/bank-file", {"file": SimpleUploadedFile("b.csv", b"")})
    assert (r.status_code, r.json()["code"]) == (422, "bank_file")


def test_api_advance(reference: None, officer: Any, token_for: Callable[[Any], str]) -> None:
    membership = make_bpu(start=timezone.localdate().replace(day=1))
    kpj = membership.participant.kpj_number
    client = api(officer, token_for)
    today = timezone.localdate().isoformat()
    body = {"kpj_number": kpj, "months": 6, "reference": "ADV-API", "paid_on": today}
    r = client.post("/api/v1/payments/advance", body, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert len(data["bills"]) == 6 and all(b["status"] == "paid" for b in data["bills"])
    assert data["payment"]["amount"] == sum(b["amount"] for b in data["bills"])
    r = client.post("/api/v1/payments/advance", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["payment"]["id"] == data["payment"]["id"]
    r = client.post(
        "/api/v1/payments/advance",
        {**body, "months": 2, "reference": "ADV-2"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"]) == (422, "advance_months_invalid")
    r = client.post(
        "/api/v1/payments/advance",
        {**body, "kpj_number": "00000000000"},
        content_type="application/json",
    )
    assert r.status_code == 404
    employer = make_employer(serial=3)
    pu_kpj = employer.memberships.first().participant.kpj_number  # type: ignore[union-attr]
    r = client.post(
        "/api/v1/payments/advance",
        {**body, "kpj_number": pu_kpj, "reference": "ADV-PU"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"]) == (422, "advance_bpu_only")
    assert ledger.check().ok
